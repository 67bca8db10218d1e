"""The spiders' -a arguments, checked before the first request; ConfigError says what to fix."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlsplit

from newsbot.config import ConfigError
from newsbot.dawn import SITE_HOST
from newsbot.processors import canonical_article_url

AUTHOR_PAGE = re.compile(r"^/authors/\d+/[^/]+(?:/(?P<page>\d+))?/?$")


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
class ArticleArguments:
    urls: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None

    @classmethod
    def parse(
        cls,
        urls: str | None = None,
        since: str | None = None,
        until: str | None = None,
        today: date | None = None,
    ) -> ArticleArguments:
        wanted = parse_url_list(
            "urls",
            urls,
            canonical_article_url,
            "www.dawn.com article URLs (https://www.dawn.com/news/{id}[/slug])",
        )
        since_day, until_day = parse_day_range(since, until, today or date.today())
        if wanted and since_day:
            raise ConfigError("urls= scrapes exactly the given pages; it cannot be combined with since=")
        return cls(urls=wanted, since=since_day, until=until_day)

    def backfill_days(self) -> list[date]:
        """Dates from until down to since, newest first."""
        return days_newest_first(self.since, self.until)


@dataclass(frozen=True)
class OpinionArguments:
    since: date | None = None
    until: date | None = None
    authors: tuple[str, ...] = ()

    @classmethod
    def parse(
        cls,
        since: str | None = None,
        until: str | None = None,
        authors: str | None = None,
        today: date | None = None,
    ) -> OpinionArguments:
        pages = parse_url_list(
            "authors",
            authors,
            author_page_number,
            "www.dawn.com author pages (https://www.dawn.com/authors/{id}/{slug})",
        )
        since_day, until_day = parse_day_range(since, until, today or date.today())
        return cls(since=since_day, until=until_day, authors=pages)

    def backfill_days(self) -> list[date]:
        return days_newest_first(self.since, self.until)
