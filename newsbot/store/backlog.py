"""The backlog: work a run was not allowed to do under its bounds, kept for the next runs.

Rows leave only when the work was done (an article download recorded, a dated list read), so a run
that dies after taking rows loses none of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass

from newsbot.store.core import Store

_ADD = """
INSERT INTO backlog (spider, kind, url, newest, declared_at, genre_hint, queued_at)
VALUES (:spider, :kind, :url, :newest, :declared_at, :genre_hint, :queued_at)
ON CONFLICT (spider, kind, url) DO UPDATE SET
    newest = max(backlog.newest, excluded.newest),
    declared_at = coalesce(excluded.declared_at, backlog.declared_at),
    genre_hint = coalesce(excluded.genre_hint, backlog.genre_hint)
"""


@dataclass(frozen=True)
class Deferred:
    """One piece of deferred work: an article link, or a dated list (`newest` is its day)."""

    kind: str
    url: str
    newest: str = ""
    """Sort key, newest first: the day of a dated list, the declared or published time of a link."""
    declared_at: str | None = None
    genre_hint: str | None = None


def add(store: Store, spider: str, work: Iterable[Deferred], queued_at: str) -> int:
    """Keep deferred work (one transaction, rows streamed from `work`); returns how many were written."""
    written = 0

    def rows() -> Iterator[dict]:
        nonlocal written
        for item in work:
            written += 1
            yield asdict(item) | {"spider": spider, "queued_at": queued_at}

    with store.connection:
        store.connection.execute("BEGIN IMMEDIATE")
        store.connection.executemany(_ADD, rows())
    return written


def take(
    store: Store, spider: str, kind: str, limit: int, after: tuple[str, str] | None = None
) -> list[Deferred]:
    """Up to `limit` rows of deferred work, newest first, after the row (newest, url) `after` (a run
    walks its backlog once; rows stay until done)."""
    newest, url = after or ("\U0010ffff", "")
    rows = store.connection.execute(
        "SELECT kind, url, newest, declared_at, genre_hint FROM backlog"
        " WHERE spider = :spider AND kind = :kind AND (newest < :newest OR (newest = :newest AND url > :url))"
        " ORDER BY newest DESC, url LIMIT :limit",
        {"spider": spider, "kind": kind, "newest": newest, "url": url, "limit": limit},
    )
    return [Deferred(*row) for row in rows]


def take_days(store: Store, spider: str, days: int, before: str | None = None) -> list[Deferred]:
    """Every deferred dated list of the next `days` days (newest first) older than the day `before`:
    a day's lists (its web list, its print edition) are one day of the back-fill budget."""
    rows = store.connection.execute(
        "SELECT kind, url, newest, declared_at, genre_hint FROM backlog"
        " WHERE spider = :spider AND kind = 'dated_list' AND newest IN ("
        "   SELECT DISTINCT newest FROM backlog WHERE spider = :spider AND kind = 'dated_list'"
        "   AND newest < :before ORDER BY newest DESC LIMIT :days)"
        " ORDER BY newest DESC, url",
        {"spider": spider, "days": days, "before": before or "\U0010ffff"},
    )
    return [Deferred(*row) for row in rows]


def done(store: Store, kind: str, url: str) -> None:
    """The work is done (or, for a link that needs no download, nothing was left to do)."""
    with store.connection:
        store.connection.execute("BEGIN IMMEDIATE")
        store.connection.execute("DELETE FROM backlog WHERE kind = ? AND url = ?", (kind, url))
