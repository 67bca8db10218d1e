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


@dataclass(frozen=True)
class OpinionStartPoints(StartPoints):
    fronts: tuple[str, ...]
    editorial_indexes: tuple[str, ...]
    dated_editorial: str
    authors: tuple[str, ...]


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
            if not isinstance(value, str) or "{date}" not in value:
                raise ConfigError(
                    f"{where}: [{spider}] needs {field.name}, a URL pattern containing {{date}}"
                )
            values[field.name] = value
        else:
            if value is None:
                value = []
            if not isinstance(value, list) or not all(isinstance(url, str) for url in value):
                raise ConfigError(f"{where}: [{spider}] {field.name} must be a list of URLs")
            values[field.name] = tuple(value)
    return kind(**values)
