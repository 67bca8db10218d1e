"""The spiders' -a arguments, checked before the first request; ConfigError says what to fix."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import ClassVar, Self
from urllib.parse import urlsplit

from newsbot.config import ConfigError
from newsbot.dawn import AUTHOR_PAGE, SITE_HOST
from newsbot.processors import canonical_article_url


def author_page_number(url: str) -> int | None:
    """1 for /authors/{id}/{slug}, N for /authors/{id}/{slug}/N, None for a URL that is not an author page."""
    parts = urlsplit(url)
    match = AUTHOR_PAGE.match(parts.path) if parts.hostname == SITE_HOST else None
    if not match:
        return None
    return int(match.group("page") or 1)


def parse_day(name: str, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ConfigError(f"{name}={value!r} is not a date in the form YYYY-MM-DD") from None


def parse_day_range(since: str | None, until: str | None, today: date) -> tuple[date | None, date | None]:
    """(since, until) for a back-fill; until defaults to today, and neither may be in the future."""
    since_day = parse_day("since", since)
    until_day = parse_day("until", until) or (today if since_day else None)
    if until_day and not since_day:
        raise ConfigError("until is only meaningful with since=YYYY-MM-DD")
    if since_day and until_day and since_day > until_day:
        raise ConfigError(f"since={since_day} is after until={until_day}")
    if until_day and until_day > today:
        raise ConfigError(f"until={until_day} is in the future")
    return since_day, until_day


def days_newest_first(since: date | None, until: date | None) -> list[date]:
    if not since or not until:
        return []
    return [until - timedelta(days=offset) for offset in range((until - since).days + 1)]


def parse_url_list(
    name: str, value: str | None, is_valid: Callable[[str], object], expected: str
) -> tuple[str, ...]:
    """A comma-separated -a argument of URLs; ConfigError lists the ones that are not `expected`."""
    if value is None:
        return ()
    urls = tuple(url.strip() for url in value.split(",") if url.strip())
    if not urls:
        raise ConfigError(f"{name}= is empty; give {expected}, separated by commas")
    bad = [url for url in urls if not is_valid(url)]
    if bad:
        raise ConfigError(f"{name}: not {expected}: " + ", ".join(bad))
    return urls


@dataclass(frozen=True)
class UrlArgument:
    """A comma-separated list of URLs that replaces discovery (`urls` for articles, `authors` for opinion)."""

    name: str
    is_valid: Callable[[str], object]
    expected: str

    def parse(self, value: str | None) -> tuple[str, ...]:
        return parse_url_list(self.name, value, self.is_valid, self.expected)


@dataclass(frozen=True)
class SpiderArguments:
    """A spider's -a arguments: a back-fill range (since/until) and a list of URLs to read instead of
    (or besides) what the start points give. Subclasses name that list."""

    since: date | None = None
    until: date | None = None
    urls: tuple[str, ...] = ()

    URLS: ClassVar[UrlArgument]

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The -a names this spider takes."""
        return (cls.URLS.name, "since", "until")

    @classmethod
    def parse(cls, today: date | None = None, **given: str | None) -> Self:
        """Check the arguments given (name -> text); ConfigError says what to fix."""
        unknown = sorted(set(given) - set(cls.names()))
        if unknown:
            raise ConfigError(f"unknown argument(s): {', '.join(unknown)}; known: {', '.join(cls.names())}")
        urls = cls.URLS.parse(given.get(cls.URLS.name))
        since, until = parse_day_range(given.get("since"), given.get("until"), today or date.today())
        arguments = cls(since=since, until=until, urls=urls)
        arguments.check()
        return arguments

    def check(self) -> None:
        """Rules between arguments (none by default)."""

    @property
    def kind(self) -> str:
        """What kind of run these arguments make: "targeted" (given URLs), "backfill" (since) or
        "discovery". Health baselines compare a run only with earlier runs of the same kind."""
        if self.urls:
            return "targeted"
        return "backfill" if self.since else "discovery"

    def backfill_days(self) -> list[date]:
        """Dates from until down to since, newest first."""
        return days_newest_first(self.since, self.until)

    def as_record(self) -> dict[str, object]:
        """The arguments as given, for the run record (crawl_runs.arguments)."""
        return {"since": self.since, "until": self.until, self.URLS.name: list(self.urls)}


class ArticleArguments(SpiderArguments):
    URLS = UrlArgument(
        "urls", canonical_article_url, "www.dawn.com article URLs (https://www.dawn.com/news/{id}[/slug])"
    )

    def check(self) -> None:
        if self.urls and self.since:
            raise ConfigError("urls= scrapes exactly the given pages; it cannot be combined with since=")


class OpinionArguments(SpiderArguments):
    URLS = UrlArgument(
        "authors", author_page_number, "www.dawn.com author pages (https://www.dawn.com/authors/{id}/{slug})"
    )
