"""Columnists: author pages found in bylines (and the seeded ones), and when each was last read."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from newsbot.store.core import Store

_NOTE = """
INSERT INTO authors (author_id, name, url, seeded, first_seen, last_seen)
VALUES (:author_id, :name, :url, :seeded, :seen, :seen)
ON CONFLICT (author_id) DO UPDATE SET
    name = coalesce(excluded.name, authors.name), url = excluded.url,
    seeded = max(authors.seeded, excluded.seeded), last_seen = excluded.last_seen
"""


@dataclass(frozen=True)
class Author:
    author_id: int
    url: str
    """The author page (page 1): https://www.dawn.com/authors/{id}/{slug}."""
    name: str | None = None


def note(store: Store, authors: Iterable[Author], seen: str, seeded: bool = False) -> None:
    """Remember authors a byline (or the seeds) named; a name is kept once known."""
    rows = [
        {"author_id": a.author_id, "name": a.name, "url": a.url, "seeded": int(seeded), "seen": seen}
        for a in authors
    ]
    if not rows:
        return
    with store.connection:
        store.connection.execute("BEGIN IMMEDIATE")
        store.connection.executemany(_NOTE, rows)


def mark_read(store: Store, author_id: int, url: str, read_at: str) -> None:
    """An author's first page was read (an author met only as a page, not a byline, is added)."""
    with store.connection:
        store.connection.execute("BEGIN IMMEDIATE")
        store.connection.execute(
            "INSERT INTO authors (author_id, url, first_seen, last_seen, last_read)"
            " VALUES (:author_id, :url, :at, :at, :at)"
            " ON CONFLICT (author_id) DO UPDATE SET last_read = excluded.last_read",
            {"author_id": author_id, "url": url, "at": read_at},
        )


def due(store: Store, read_before: str, limit: int) -> list[Author]:
    """Authors whose page was never read or last read before `read_before`, never read first, then the
    longest unread; at most `limit`. (Seeded authors are read every run, so they are never due while
    they stay in the seeds.)"""
    rows = store.connection.execute(
        "SELECT author_id, url, name FROM authors"
        " WHERE last_read IS NULL OR last_read < :before"
        " ORDER BY last_read IS NOT NULL, last_read, author_id LIMIT :limit",
        {"before": read_before, "limit": limit},
    )
    return [Author(*row) for row in rows]
