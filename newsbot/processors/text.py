"""Text rules: clean a value as a reader sees it, split a page title, drop body trailers, dedupe."""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable
from html import unescape
from typing import TypeVar

T = TypeVar("T")

# Control characters that are not whitespace (C0 but tab, newline, vertical tab, form feed, carriage
# return and the separators; DEL; C1 but NEL) carry nothing a reader sees: a terminal or a spreadsheet
# may act on them.
_CONTROLS = [*range(0x00, 0x09), *range(0x0E, 0x1C), 0x7F, *range(0x80, 0x85), *range(0x86, 0xA0)]
_INVISIBLE = dict.fromkeys([*map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), *_CONTROLS])
# ANSI escape sequences (colours, cursor moves): ESC [ ... final byte, the 8-bit CSI, and ESC + one byte.
_ANSI = re.compile(r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|\x1b[@-_]")
_SPACES = re.compile(r"\s+")


def clean_text(value: str | None) -> str | None:
    """Decode entities, drop soft hyphens, zero-width and control characters and ANSI escape
    sequences, collapse whitespace."""
    if value is None:
        return None
    text = _SPACES.sub(" ", _ANSI.sub("", unescape(value)).translate(_INVISIBLE)).strip()
    return text or None


def clean_block(value: str | None) -> str | None:
    """Like clean_text, but keeps line breaks (a `<br>` rendered as "\\n") as single newlines."""
    if value is None:
        return None
    lines = (clean_text(line) for line in value.split("\n"))
    text = "\n".join(line for line in lines if line)
    return text or None


_SITE_SUFFIX = re.compile(r"\s+-\s+DAWN\.COM\s*$", re.I)


def split_page_title(text: str | None) -> tuple[str | None, str | None]:
    """`{Headline} - {Section} - DAWN.COM` -> (headline, section); either may be None."""
    text = clean_text(text)
    if not text:
        return None, None
    stripped = _SITE_SUFFIX.sub("", text)
    if stripped == text:
        return text, None
    headline, sep, section = stripped.rpartition(" - ")
    if not sep:
        return stripped or None, None
    return headline.strip() or None, section.strip() or None


_TRAILER = re.compile(
    r"^(?:Published in Dawn\b|Header image\s*:|An abridged version of this (?:article|piece|story)\b)", re.I
)


def strip_trailers(blocks: list[str]) -> list[str]:
    """Drop the run of non-story paragraphs ("Published in Dawn, ...", ...) at the end of a body."""
    end = len(blocks)
    while end and _TRAILER.match(blocks[end - 1]):
        end -= 1
    return blocks[:end]


def unique(values: Iterable[T | None], key: Callable[[T], Hashable] | None = None) -> list[T]:
    """Values in order with later duplicates removed (by `key` when given); None values dropped."""
    seen: set[Hashable] = set()
    kept: list[T] = []
    for value in values:
        if value is None:
            continue
        marker = key(value) if key else value
        if marker in seen:
            continue
        seen.add(marker)
        kept.append(value)
    return kept
