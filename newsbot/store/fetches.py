"""Seen-state and fetch records: what the archive knows about a URL before deciding to download it."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from newsbot.store.core import Store

_RECORD = """
INSERT INTO fetches (url, fetched_at, status, outcome, etag, last_modified, failures, declared_at)
VALUES (:url, :fetched_at, :status, :outcome, :etag, :last_modified,
        CASE WHEN :outcome = 'failed' THEN 1 ELSE 0 END,
        CASE WHEN :outcome = 'failed' THEN NULL ELSE :declared_at END)
ON CONFLICT (url) DO UPDATE SET
    declared_at = CASE WHEN excluded.declared_at IS NULL THEN fetches.declared_at
                       ELSE excluded.declared_at END,
    fetched_at = excluded.fetched_at, status = excluded.status, outcome = excluded.outcome,
    etag = coalesce(excluded.etag, CASE WHEN excluded.outcome = 'not_modified' THEN fetches.etag END),
    last_modified = coalesce(excluded.last_modified,
                             CASE WHEN excluded.outcome = 'not_modified' THEN fetches.last_modified END),
    failures = CASE WHEN excluded.outcome = 'failed' THEN fetches.failures + 1 ELSE 0 END
"""


def seen_state(store: Store, url: str) -> dict | None:
    """What the archive knows of a URL before downloading it, or None when it should be treated as new.

    A stored article gives its dates, genre, last fetch and the capture its state came from. A page
    that was downloaded but gave no article (dropped: no title, no date, not an article) gives only its
    fetch, so it is not downloaded again until a listing says it changed. Anything else counts as
    never seen: a failed download, and a page downloaded ("fetched") whose article never reached the
    store (a crash lost its batch).
    """
    row = store.connection.execute(
        "SELECT a.url IS NOT NULL AS stored, a.first_seen, a.last_seen, a.published_at, a.updated_at,"
        " a.genre, a.warc_record_id, a.warc_date, f.fetched_at, f.outcome, f.etag, f.last_modified,"
        " f.declared_at"
        " FROM (SELECT ? AS url) AS q LEFT JOIN articles AS a ON a.url = q.url"
        " LEFT JOIN fetches AS f ON f.url = q.url",
        (url,),
    ).fetchone()
    if not row["stored"] and row["outcome"] != "dropped":
        return None
    return dict(row)


@dataclass(frozen=True)
class Fetch:
    """A download's outcome ("fetched", "not_modified" or "failed") and the validators it came with."""

    url: str
    status: int | None
    outcome: str
    etag: str | None = None
    last_modified: str | None = None
    declared_at: str | None = None
    """The change time the site declared for this URL when it was requested (None: none known)."""


def record_fetch(store: Store, fetch: Fetch, fetched_at: str) -> None:
    """Remember a download's outcome and its validators (row `fetches` of its URL)."""
    with store.connection:  # one short transaction
        store.connection.execute("BEGIN IMMEDIATE")
        store.connection.execute(_RECORD, asdict(fetch) | {"fetched_at": fetched_at})
        # A download deferred by an earlier run's bounds is done (a failure is retried as failures are).
        store.connection.execute("DELETE FROM backlog WHERE kind = 'article' AND url = ?", (fetch.url,))


def note_declared(store: Store, url: str, declared_at: str) -> None:
    """Record a change time the site declared for a URL whose last download this covers."""
    with store.connection:
        store.connection.execute("BEGIN IMMEDIATE")
        store.connection.execute(
            "UPDATE fetches SET declared_at = ? WHERE url = ? AND outcome != 'failed'", (declared_at, url)
        )


def touch_article(store: Store, url: str, seen_at: str) -> None:
    """A revisit that found the story unchanged (304): only last_seen moves."""
    with store.connection:
        store.connection.execute("BEGIN IMMEDIATE")
        store.connection.execute("UPDATE articles SET last_seen = ? WHERE url = ?", (seen_at, url))


def mark_dropped(store: Store, url: str) -> None:
    """A page downloaded fine but gave no article (no title, no date, ...): remember it as dropped.

    Only a download recorded as "fetched" becomes "dropped" (a failed one stays failed, to be retried).
    Until this is written, the page counts as never seen, so a crash before it loses nothing.
    """
    with store.connection:
        store.connection.execute("BEGIN IMMEDIATE")
        store.connection.execute(
            "UPDATE fetches SET outcome = 'dropped' WHERE url = ? AND outcome = 'fetched'", (url,)
        )


def failed_urls(store: Store, max_failures: int) -> list[str]:
    """URLs whose last download failed (fewer than max_failures times in a row): retried by the next run."""
    rows = store.connection.execute(
        "SELECT url FROM fetches WHERE outcome = 'failed' AND failures < ? ORDER BY fetched_at",
        (max_failures,),
    )
    return [row[0] for row in rows]
