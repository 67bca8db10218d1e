"""Which captures to re-extract: the 200 responses of article pages and of opinion/editorial index pages
in the WARC files, within the capture-time window and the URLs asked for, grouped by page, oldest first.

Listings, feeds, sitemaps and robots.txt give only links, never stored state, so they are skipped;
revisit records (304s) hold no page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from pathlib import Path
from typing import TypeVar

from newsbot.dawn import index_genre
from newsbot.processors import canonical_article_url
from newsbot.store.history import moment
from newsbot.warc.reader import read_records

T = TypeVar("T")


@dataclass(frozen=True)
class Capture:
    """One response record to re-extract, and where it is."""

    path: Path
    offset: int
    url: str
    """WARC-Target-URI: the URL as fetched."""
    page: str
    """What it is a capture of: the canonical article URL, or the index page's URL."""
    kind: str
    """"article" or "index"."""
    date: str
    """WARC-Date."""
    record_id: str


@dataclass(frozen=True)
class Selection:
    """--since/--until on the capture time (aware datetimes) and --url (pages; empty means all)."""

    since: datetime | None = None
    until: datetime | None = None
    pages: frozenset[str] = frozenset()

    def wants(self, page: str, captured: datetime) -> bool:
        if self.pages and page not in self.pages:
            return False
        if self.since is not None and captured < self.since:
            return False
        return self.until is None or captured <= self.until


def page_of(url: str) -> tuple[str, str] | None:
    """("article", canonical URL) or ("index", URL) for a page re-extraction reads, else None."""
    article = canonical_article_url(url)
    if article is not None:
        return "article", article
    if index_genre(url) is not None:
        return "index", url
    return None


@dataclass
class Scan:
    files: int = 0
    records: int = 0
    captures: list[Capture] = field(default_factory=list)


def scan(files: list[Path], selection: Selection, advance: Callable[[int], None]) -> Scan:
    """Every capture to re-extract in these files; `advance(bytes)` after each record read."""
    found = Scan(files=len(files))
    for path in files:
        for located in read_records(path):
            found.records += 1
            advance(located.length)
            if located.record.rec_type != "response" or located.status != 200:
                continue
            kind_page = page_of(located.url)
            if kind_page is None or not selection.wants(kind_page[1], moment(located.date)):
                continue
            kind, page = kind_page
            found.captures.append(
                Capture(path, located.offset, located.url, page, kind, located.date, located.record_id)
            )
    # Index pages first (their teasers decide the genre of new articles), then page by page, each
    # page's captures oldest first.
    found.captures.sort(key=lambda capture: (capture.kind != "index", capture.page, moment(capture.date)))
    return found


def by_page(items: Iterator[tuple[Capture, T]]) -> Iterator[list[tuple[Capture, T]]]:
    """Consecutive (capture, result) pairs of one page, together (captures come sorted by page)."""
    for _, group in groupby(items, key=lambda pair: (pair[0].kind, pair[0].page)):
        yield list(group)
