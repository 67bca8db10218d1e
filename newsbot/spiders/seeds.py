"""Start points kept as data in seeds/start-points.toml (one section per spider)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TypeVar

from newsbot.config import ConfigError


@dataclass(frozen=True)
class StartPoints:
    """One spider's section of the start-points file: URL lists, and `dated_*` URL patterns."""


@dataclass(frozen=True)
class ArticleStartPoints(StartPoints):
    listings: tuple[str, ...]
    feeds: tuple[str, ...]
    sitemaps: tuple[str, ...]
    dated_listing: str
    dated_print: str = ""
    """The print edition's dated section lists (`{section}` and `{date}`), for -a since= back-fills."""
    print_sections: tuple[str, ...] = ()

    def backfill_patterns(self) -> tuple[str, ...]:
        """The patterns of a back-fill day: the web list, then the print edition (one pattern with
        `{section}` left in, which the spider asks for section by section)."""
        return (
            (self.dated_listing, self.dated_print)
            if self.dated_print and self.print_sections
            else (self.dated_listing,)
        )


@dataclass(frozen=True)
class OpinionStartPoints(StartPoints):
    fronts: tuple[str, ...]
    editorial_indexes: tuple[str, ...]
    dated_editorial: str
    authors: tuple[str, ...]
    dated_columns: str = ""
    """The print edition's dated column list, read with the editorials by -a since= back-fills."""

    def backfill_patterns(self) -> tuple[str, ...]:
        """The dated lists of a back-fill day: the editorials, then the print edition's columns."""
        return (self.dated_editorial, self.dated_columns) if self.dated_columns else (self.dated_editorial,)


P = TypeVar("P", bound=StartPoints)


def load_start_points(path: Path, spider: str, kind: type[P]) -> P:
    """The `[spider]` section of the start-points file as `kind`: lists of URLs, and `dated_*` patterns
    that must contain {date}. ConfigError names the file and what is wrong with it."""
    where = f"NEWSBOT_SEEDS ({path})"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{where} cannot be read: {error}") from None
    section = data.get(spider)
    if not isinstance(section, dict):
        raise ConfigError(f"{where} has no [{spider}] section")
    values: dict[str, object] = {}
    for field in fields(kind):
        value = section.get(field.name)
        if field.name.startswith("dated_"):
            if value is None and field.default == "":
                continue  # an optional pattern (the print edition)
            if not isinstance(value, str) or "{date}" not in value:
                raise ConfigError(
                    f"{where}: [{spider}] needs {field.name}, a URL pattern containing {{date}}"
                )
            if field.name == "dated_print" and "{section}" not in value:
                raise ConfigError(f"{where}: [{spider}] dated_print must contain {{section}} and {{date}}")
            values[field.name] = value
        else:
            if value is None:
                value = []
            if not isinstance(value, list) or not all(isinstance(text, str) for text in value):
                what = "section names" if field.name == "print_sections" else "URLs"
                raise ConfigError(f"{where}: [{spider}] {field.name} must be a list of {what}")
            values[field.name] = tuple(value)
    return kind(**values)
