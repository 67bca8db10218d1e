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
    if "{date}" not in points.dated_listing:
        raise ConfigError(f"NEWSBOT_SEEDS: dated_listing in {path} must contain {{date}}")
    return points
