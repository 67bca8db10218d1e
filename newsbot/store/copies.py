"""feed_copies: the site's own RSS copy of each recent story, kept to check article pages against."""

from __future__ import annotations

import json
from collections.abc import Iterable

from newsbot.store.core import Store

# A copy read again replaces the stored one (the feed may have been corrected) and moves last_seen.
_UPSERT = """
INSERT INTO feed_copies (url, feed_url, title, published_at, description, body, images,
                         first_seen, last_seen, last_run)
VALUES (:url, :feed_url, :title, :published_at, :description, :body, :images, :seen, :seen, :run_id)
ON CONFLICT (url) DO UPDATE SET
    feed_url = excluded.feed_url, title = excluded.title, published_at = excluded.published_at,
    description = excluded.description, body = excluded.body, images = excluded.images,
    last_seen = excluded.last_seen, last_run = excluded.last_run
"""
_LOOKUP = """
SELECT url, title, published_at, description, body, images FROM feed_copies
WHERE url = :url AND (last_run = :run_id OR last_seen >= :seen_since)
"""


def save_copies(
    store: Store, feed_url: str, copies: Iterable[dict], seen_at: str, run_id: int | None
) -> None:
    """Keep a feed's copies (FEED_COPY_FIELDS) in one short transaction."""
    rows = [
        copy | {"feed_url": feed_url, "images": json.dumps(copy.get("images") or [], ensure_ascii=False)}
        for copy in copies
    ]
    with store.connection:
        store.connection.execute("BEGIN IMMEDIATE")
        store.connection.executemany(_UPSERT, [row | {"seen": seen_at, "run_id": run_id} for row in rows])


def feed_copy(store: Store, url: str, run_id: int | None, seen_since: str | None) -> dict | None:
    """The stored copy of an article, when run `run_id` read it or a feed showed it since `seen_since`
    (None: only the run's own)."""
    row = store.connection.execute(
        _LOOKUP, {"url": url, "run_id": run_id, "seen_since": seen_since}
    ).fetchone()
    if row is None:
        return None
    return dict(row) | {"images": json.loads(row["images"])}
