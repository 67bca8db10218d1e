"""Every NEWSBOT_* setting, parsed and checked once into a frozen value (fail before the first request).

A crawl builds its Config once (newsbot.store.state.CrawlState) and hands it to whoever needs it;
`scrapy crawl` builds one more before the crawler, to refuse a bad setting with one line.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from weakref import WeakKeyDictionary

from scrapy.settings import BaseSettings

from newsbot import settings as defaults
from newsbot.warc.reader import warc_files

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024
COVERAGE_FIELDS = ("title", "published_at", "body", "authors", "description", "images", "image_captions")
"""What NEWSBOT_HEALTH_COVERAGE may name (image_captions: the share of images with a caption)."""
AGREEMENT_FIELDS = ("title", "published_at", "body", "image_captions", "image_credits")
"""What an article page is compared on with its feed copy (newsbot.monitoring.crosscheck), and what
NEWSBOT_HEALTH_AGREEMENT may name."""


def setting(settings: BaseSettings, name: str) -> Any:
    """A NEWSBOT_* value; newsbot.settings supplies the default when `settings` lacks it."""
    value = settings.get(name)
    return getattr(defaults, name) if value is None else value


class ConfigError(ValueError):
    """A setting or argument a user got wrong; the message says what to fix."""


def resolve_path(value: str) -> Path:
    """A path as given if it exists or is absolute, else relative to the project checkout."""
    path = Path(value).expanduser()
    if path.is_absolute() or path.exists():
        return path
    in_project = PROJECT_ROOT / path
    return in_project if in_project.exists() else path


@dataclass(frozen=True)
class Thresholds:
    """The health checks' limits (NEWSBOT_HEALTH_*); see newsbot.monitoring.health."""

    coverage: dict[str, float] = field(default_factory=dict)
    """field -> minimum share of extracted articles that have it (image_captions: of images)."""
    min_sample: int = 5
    """coverage and dropped-share are judged only when at least this many article pages came in."""
    min_links_ratio: float = 0.5
    """links discovered must be at least this share of the median of comparable recent runs."""
    max_errors: int = 0
    max_dropped_share: float = 0.2
    """at most this share of downloaded article pages may be dropped (challenges, no title, ...)."""
    agreement: dict[str, float] = field(default_factory=dict)
    """field -> minimum share of articles compared with their feed copy that agree on it."""

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Thresholds:
        return cls(
            coverage=_coverage(setting(settings, "NEWSBOT_HEALTH_COVERAGE")),
            min_sample=int(number(settings, "NEWSBOT_HEALTH_MIN_SAMPLE", whole=True)),
            min_links_ratio=number(settings, "NEWSBOT_HEALTH_MIN_LINKS_RATIO"),
            max_errors=int(number(settings, "NEWSBOT_HEALTH_MAX_ERRORS", whole=True)),
            max_dropped_share=number(settings, "NEWSBOT_HEALTH_MAX_DROPPED_SHARE", maximum=1.0),
            agreement=_coverage(setting(settings, AGREEMENT), AGREEMENT, AGREEMENT_FIELDS),
        )


@dataclass(frozen=True)
class Config:
    db: Path
    mirror_url: str | None
    mirror_dir: Path | None
    seeds: Path
    batch_size: int
    retry_after_max: float
    max_index_pages: int
    revisit_hours: float
    retry_failed_max: int
    lock_wait: float
    stats_file: Path | None = None
    feed_copy_hours: float = 6.0
    """a feed copy stored by an earlier run is used this long after it was last seen in a feed."""
    health: Thresholds = field(default_factory=Thresholds)
    max_article_requests: int = 1000
    """Article downloads one run may make; the rest wait in the backlog for the next runs."""
    max_sitemap_urls: int = 1000
    """URLs taken from one sitemap (the newest); the rest wait in the backlog."""
    max_backfill_days: int = 31
    """Dated lists one run may read; a longer back-fill goes on in the next runs. Raising it is the
    explicit confirmation a longer walk in one run needs."""
    catchup_days: int = 3
    """Days a run's catch-up walk reads back from the newest day the site shows (0: no walk); within
    max_backfill_days, which the walk's days count against."""
    author_revisit_days: float = 7.0
    """A discovered columnist's author page is read again once its last reading is this old."""
    max_authors_per_run: int = 20
    """Discovered columnists' author pages one opinion run may start reading (0: none)."""
    mirror_warc: Path | None = None
    """NEWSBOT_MIRROR naming a WARC file or folder: the crawl is replayed from its captures."""
    warc_dir: Path | None = None
    """Where every download is kept as WARC; None when capture is off (NEWSBOT_WARC_DIR empty, or a
    replay from WARC, which has nothing new to keep)."""
    warc_max_bytes: int = 1000 * MB

    @property
    def mirrored(self) -> bool:
        """True when requests are answered by a mirror, snapshot or WARC instead of the live site."""
        return bool(self.mirror_url or self.mirror_dir or self.mirror_warc)

    @classmethod
    def of(cls, crawler: Crawler) -> Config:
        """The crawler's Config, parsed from its settings on first use and shared by every component."""
        config = _PER_CRAWLER.get(crawler)
        if config is None:
            config = _PER_CRAWLER[crawler] = cls.from_settings(crawler.settings)
        return config

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Config:
        mirror_url, mirror_dir, mirror_warc = _mirror(settings)
        db = _db(settings)
        return cls(
            db=db,
            mirror_url=mirror_url,
            mirror_dir=mirror_dir,
            seeds=_seeds(settings),
            batch_size=_whole(settings, "NEWSBOT_BATCH_SIZE"),
            retry_after_max=number(settings, "NEWSBOT_RETRY_AFTER_MAX"),
            max_index_pages=_whole(settings, "NEWSBOT_MAX_INDEX_PAGES"),
            revisit_hours=number(settings, "NEWSBOT_REVISIT_HOURS"),
            retry_failed_max=_whole(settings, "NEWSBOT_RETRY_FAILED_MAX"),
            lock_wait=number(settings, "NEWSBOT_LOCK_WAIT"),
            stats_file=_stats_file(settings),
            feed_copy_hours=number(settings, "NEWSBOT_FEED_COPY_HOURS"),
            health=Thresholds.from_settings(settings),
            max_article_requests=_whole(settings, "NEWSBOT_MAX_ARTICLE_REQUESTS"),
            max_sitemap_urls=_whole(settings, "NEWSBOT_MAX_SITEMAP_URLS"),
            max_backfill_days=_whole(settings, "NEWSBOT_MAX_BACKFILL_DAYS"),
            catchup_days=_catchup_days(settings),
            author_revisit_days=number(settings, "NEWSBOT_AUTHOR_REVISIT_DAYS"),
            max_authors_per_run=int(number(settings, "NEWSBOT_MAX_AUTHORS_PER_RUN", whole=True)),
            mirror_warc=mirror_warc,
            warc_dir=None if mirror_warc else warc_dir(settings, db),
            warc_max_bytes=int(number(settings, "NEWSBOT_WARC_MAX_MB", minimum=0.01) * MB),
        )


_PER_CRAWLER: WeakKeyDictionary[Crawler, Config] = WeakKeyDictionary()


def number(
    settings: BaseSettings,
    name: str,
    minimum: float = 0.0,
    maximum: float | None = None,
    whole: bool = False,
) -> float:
    """A finite number setting within [minimum, maximum]; ConfigError names the setting otherwise."""
    raw = setting(settings, name)
    kind = "whole number" if whole else "number"
    try:
        value = float(raw) if not isinstance(raw, bool) else math.nan
    except (TypeError, ValueError):
        value = math.nan
    if not math.isfinite(value) or (whole and not value.is_integer()):
        raise ConfigError(f"{name}={raw!r} is not a {kind}")
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f"at least {minimum:g}" if maximum is None else f"between {minimum:g} and {maximum:g}"
        raise ConfigError(f"{name}={raw!r}: must be {bounds}")
    return value


def _whole(settings: BaseSettings, name: str) -> int:
    return int(number(settings, name, minimum=1, whole=True))


def _catchup_days(settings: BaseSettings) -> int:
    days = int(number(settings, "NEWSBOT_CATCHUP_DAYS", whole=True))
    budget = _whole(settings, "NEWSBOT_MAX_BACKFILL_DAYS")
    if days > budget:
        raise ConfigError(
            f"NEWSBOT_CATCHUP_DAYS={days} is more than NEWSBOT_MAX_BACKFILL_DAYS={budget}, the dated lists "
            "a run may read; raise NEWSBOT_MAX_BACKFILL_DAYS too, or walk fewer days"
        )
    return days


AGREEMENT = "NEWSBOT_HEALTH_AGREEMENT"


def _coverage(
    raw: Any, name: str = "NEWSBOT_HEALTH_COVERAGE", known: tuple[str, ...] = COVERAGE_FIELDS
) -> dict[str, float]:
    """A {field: share} setting (coverage, agreement): JSON text or a dict, known fields, shares in [0, 1]."""
    value = raw
    if isinstance(raw, str):
        try:
            value = json.loads(raw) if raw.strip() else {}
        except ValueError:
            raise ConfigError(f'{name}={raw!r} is not JSON; give an object like {{"title": 0.95}}') from None
    if isinstance(value, BaseSettings):
        value = value.copy_to_dict()
    if not isinstance(value, dict):
        raise ConfigError(f'{name}={raw!r} is not an object like {{"title": 0.95}}')
    unknown = sorted(key for key in value if key not in known)
    if unknown:
        raise ConfigError(f"{name}: unknown field(s) {', '.join(unknown)}; known: {', '.join(known)}")
    shares = {}
    for key, share in value.items():
        if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share <= 1:
            raise ConfigError(f"{name}: {key} must be a share between 0 and 1, not {share!r}")
        shares[key] = float(share)
    return shares


def _mirror(settings: BaseSettings) -> tuple[str | None, Path | None, Path | None]:
    """(mirror URL, snapshot directory, WARC file or folder): at most one is set."""
    mirror = (setting(settings, "NEWSBOT_MIRROR") or "").strip()
    if not mirror:
        return None, None, None
    if urlsplit(mirror).scheme in ("http", "https"):
        if not urlsplit(mirror).hostname:
            raise ConfigError(f"NEWSBOT_MIRROR={mirror!r} has no host; use e.g. http://127.0.0.1:8123")
        return mirror.rstrip("/"), None, None
    path = resolve_path(mirror)
    if (path / "manifest.json").is_file():
        return None, path, None
    if path.exists() and warc_files(path):
        return None, None, path
    raise ConfigError(
        f"NEWSBOT_MIRROR={mirror!r} is neither an http(s) URL nor a snapshot directory "
        "with a manifest.json (see seeds/README.md) nor a .warc.gz file or a folder holding some"
    )


def warc_dir(settings: BaseSettings, db: Path) -> Path | None:
    """NEWSBOT_WARC_DIR: unset means a warc/ folder beside the archive, empty means no capture. The
    folder may not exist yet (capture creates it), but the folder it would go in must."""
    value = setting(settings, "NEWSBOT_WARC_DIR")
    if value is None:
        return db.parent / "warc"
    value = str(value).strip()
    if not value:
        return None
    path = Path(value).expanduser()
    if path.exists() and not path.is_dir():
        raise ConfigError(
            f"NEWSBOT_WARC_DIR={value!r} is not a folder; give a folder, or set it empty to keep no WARC"
        )
    if not path.parent.resolve().is_dir():
        raise ConfigError(f"NEWSBOT_WARC_DIR={value!r}: directory {str(path.parent)!r} does not exist")
    return path


def file_path(name: str, value: str) -> Path:
    """A file the crawl will write: not a directory, and in a directory that exists."""
    path = Path(value).expanduser()
    if path.is_dir():
        raise ConfigError(f"{name}={value!r} is a directory; give a file path")
    if not path.parent.resolve().is_dir():
        raise ConfigError(f"{name}={value!r}: directory {str(path.parent)!r} does not exist")
    return path


def _db(settings: BaseSettings) -> Path:
    db = (setting(settings, "NEWSBOT_DB") or "").strip()
    if not db:
        raise ConfigError("NEWSBOT_DB is empty; give the SQLite file to write, e.g. newsbot.db")
    return file_path("NEWSBOT_DB", db)


def _seeds(settings: BaseSettings) -> Path:
    seeds = resolve_path(setting(settings, "NEWSBOT_SEEDS"))
    if not seeds.is_file():
        raise ConfigError(
            f"NEWSBOT_SEEDS: no start-points file at {str(seeds)!r}; give its full path "
            "(under scrapyd: setting=NEWSBOT_SEEDS=/path/to/seeds/start-points.toml)"
        )
    return seeds


def _stats_file(settings: BaseSettings) -> Path | None:
    value = (setting(settings, "NEWSBOT_STATS_FILE") or "").strip()
    return file_path("NEWSBOT_STATS_FILE", value) if value else None
