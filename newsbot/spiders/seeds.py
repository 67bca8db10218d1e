"""Start points kept as data in seeds/start-points.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from newsbot.config import ConfigError


@dataclass(frozen=True)
class ArticleStartPoints:
    listings: tuple[str, ...]
    feeds: tuple[str, ...]
    sitemaps: tuple[str, ...]
    dated_listing: str


def load_start_points(path: Path, spider: str) -> dict:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"NEWSBOT_SEEDS: cannot read {path}: {error}") from None
    if spider not in data:
        raise ConfigError(f"NEWSBOT_SEEDS: {path} has no [{spider}] section")
    return data[spider]


def article_start_points(path: Path) -> ArticleStartPoints:
    section = load_start_points(path, "articles")
    try:
        points = ArticleStartPoints(
            listings=tuple(section.get("listings", ())),
            feeds=tuple(section.get("feeds", ())),
            sitemaps=tuple(section.get("sitemaps", ())),
            dated_listing=section["dated_listing"],
        )
    except KeyError as missing:
        raise ConfigError(f"NEWSBOT_SEEDS: [articles] in {path} needs {missing}") from None
    _check_date_pattern(path, "dated_listing", points.dated_listing)
    return points


@dataclass(frozen=True)
class OpinionStartPoints:
    fronts: tuple[str, ...]
    editorial_indexes: tuple[str, ...]
    dated_editorial: str
    authors: tuple[str, ...]


def opinion_start_points(path: Path) -> OpinionStartPoints:
    section = load_start_points(path, "opinion")
    try:
        points = OpinionStartPoints(
            fronts=tuple(section.get("fronts", ())),
            editorial_indexes=tuple(section.get("editorial_indexes", ())),
            dated_editorial=section["dated_editorial"],
            authors=tuple(section.get("authors", ())),
        )
    except KeyError as missing:
        raise ConfigError(f"NEWSBOT_SEEDS: [opinion] in {path} needs {missing}") from None
    _check_date_pattern(path, "dated_editorial", points.dated_editorial)
    return points


def _check_date_pattern(path: Path, name: str, pattern: str) -> None:
    if "{date}" not in pattern:
        raise ConfigError(f"NEWSBOT_SEEDS: {name} in {path} must contain {{date}}")
