"""NEWSBOT_* settings, parsed and checked once into a frozen value (fail before the first request)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from newsbot import settings as defaults

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def setting(settings, name: str):
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
class Config:
    db: Path
    mirror_url: str | None
    mirror_dir: Path | None
    seeds: Path
    contact: str
    batch_size: int
    retry_after_max: float
    max_index_pages: int
    revisit_hours: float
    retry_failed_max: int
    lock_wait: float

    @classmethod
    def from_settings(cls, settings) -> Config:
        mirror = (setting(settings, "NEWSBOT_MIRROR") or "").strip()
        mirror_url = mirror_dir = None
        if mirror:
            if urlsplit(mirror).scheme in ("http", "https"):
                if not urlsplit(mirror).hostname:
                    raise ConfigError(
                        f"NEWSBOT_MIRROR={mirror!r} has no host; use e.g. http://127.0.0.1:8123"
                    )
                mirror_url = mirror.rstrip("/")
            else:
                mirror_dir = resolve_path(mirror)
                if not (mirror_dir / "manifest.json").is_file():
                    raise ConfigError(
                        f"NEWSBOT_MIRROR={mirror!r} is neither an http(s) URL nor a snapshot directory "
                        "with a manifest.json (see seeds/README.md)"
                    )
        db = (setting(settings, "NEWSBOT_DB") or "").strip()
        if not db:
            raise ConfigError("NEWSBOT_DB is empty; give the SQLite file to write, e.g. newsbot.db")
        db_path = Path(db).expanduser()
        if db_path.is_dir():
            raise ConfigError(f"NEWSBOT_DB={db!r} is a directory; give a file path")
        if not db_path.parent.resolve().is_dir():
            raise ConfigError(f"NEWSBOT_DB={db!r}: directory {str(db_path.parent)!r} does not exist")
        seeds = resolve_path(setting(settings, "NEWSBOT_SEEDS"))
        if not seeds.is_file():
            raise ConfigError(
                f"NEWSBOT_SEEDS: no start-points file at {str(seeds)!r}; give its full path "
                "(under scrapyd: setting=NEWSBOT_SEEDS=/path/to/seeds/start-points.toml)"
            )
        return cls(
            db=db_path,
            mirror_url=mirror_url,
            mirror_dir=mirror_dir,
            seeds=seeds,
            contact=(setting(settings, "NEWSBOT_CONTACT") or "").strip(),
            batch_size=_positive_int(settings, "NEWSBOT_BATCH_SIZE"),
            retry_after_max=_positive_float(settings, "NEWSBOT_RETRY_AFTER_MAX"),
            max_index_pages=_positive_int(settings, "NEWSBOT_MAX_INDEX_PAGES"),
            revisit_hours=_positive_float(settings, "NEWSBOT_REVISIT_HOURS"),
            retry_failed_max=_positive_int(settings, "NEWSBOT_RETRY_FAILED_MAX"),
            lock_wait=_positive_float(settings, "NEWSBOT_LOCK_WAIT"),
        )


def _positive_int(settings, name: str) -> int:
    try:
        value = int(setting(settings, name))
    except (TypeError, ValueError):
        raise ConfigError(f"{name}={setting(settings, name)!r} is not a whole number") from None
    if value < 1:
        raise ConfigError(f"{name} must be at least 1, not {value}")
    return value


def _positive_float(settings, name: str) -> float:
    try:
        value = float(setting(settings, name))
    except (TypeError, ValueError):
        raise ConfigError(f"{name}={setting(settings, name)!r} is not a number of seconds") from None
    if value < 0:
        raise ConfigError(f"{name} must not be negative, not {value}")
    return value
