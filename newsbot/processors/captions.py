"""Caption rules: a caption printed twice appears once, and a photo credit is split off its caption."""

from __future__ import annotations

import re

from newsbot.processors.text import clean_text

_DASH_CREDIT = re.compile(r"^(?P<caption>.*?)\s+[\u2014\u2013]\s*(?P<credit>[^\u2014\u2013]+)$", re.S)
_CREDIT_WORDS = (
    r"Reuters|AFP|AP|APP|PPI|INP|NNI|Online|EPA|Xinhua|Anadolu|Bloomberg|White\s*Star|Dawn|DawnNewsTV"
    r"|File|Photo|Photos|Courtesy|Screengrab|Screenshot|Twitter|Facebook|Instagram"
)
# A credit that simply ends the caption: "... January 17. Reuters/File" / "... today. Photo by Jane Doe"
_TRAILING_CREDIT = re.compile(
    r"^(?P<caption>.*[.!?\u201d\"')])\s+(?P<credit>"
    rf"(?:(?:{_CREDIT_WORDS})(?:\s*/\s*[A-Z][\w.]*(?:\s[A-Z][\w.]*)?)*"
    r"|(?:All\s+)?[Pp]hotos?\s+(?:by|courtesy|:)\s*[^.]{1,60}"
    r"|(?:Courtesy|Screengrab)\s*:?\s+[^.]{1,60}))\.?$",
    re.S,
)


def collapse_repeat(text: str | None) -> str | None:
    """A caption printed twice back to back ("A. B/FileA. B/File") appears once."""
    if not text:
        return text
    half, rest = divmod(len(text), 2)
    for cut in (half, half + 1, half - 1):
        first, second = text[:cut].strip(), text[cut:].strip()
        if first and first == second:
            return first
    return text


def split_caption_credit(text: str | None) -> tuple[str | None, str | None]:
    """Split a credit off a caption: "X. — Reuters/File" or "X. Reuters/File" -> ("X.", "Reuters/File")."""
    text = collapse_repeat(clean_text(text))
    if not text:
        return None, None
    for pattern in (_DASH_CREDIT, _TRAILING_CREDIT):
        match = pattern.match(text)
        if match:
            return (match.group("caption").strip() or None), match.group("credit").strip()
    return text, None
