"""The SQLite archive: schema, migrations and every SQL statement newsbot runs.

One row per canonical article URL. Writes are batched in short `BEGIN IMMEDIATE` transactions in WAL
mode, so a crash loses at most the batch in flight and never corrupts the file. Nested fields are JSON
columns; the views `article_authors`, `article_images` and `article_related_editorials` unnest them.
Parameterised SQL only: nothing here formats a value into a statement.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

SCHEMA_VERSION = 1
JSON_FIELDS = ("authors", "images", "related_editorials")
CONTENT_FIELDS = (
    "title",
    "section",
    "genre",
    "authors",
    "published_at",
    "updated_at",
    "description",
    "body",
    "images",
    "related_editorials",
)
ARTICLE_COLUMNS = ("url", "article_id", "type", *CONTENT_FIELDS, "content_hash")

_MIGRATIONS = {
    1: """
    CREATE TABLE articles (
        url TEXT PRIMARY KEY,
        article_id INTEGER NOT NULL UNIQUE,
        type TEXT NOT NULL DEFAULT 'article',
        title TEXT NOT NULL,
        section TEXT,
        genre TEXT NOT NULL DEFAULT 'news' CHECK (genre IN ('news', 'opinion', 'editorial')),
        authors TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(authors)),
        published_at TEXT NOT NULL,
        updated_at TEXT,
        description TEXT,
        body TEXT,
        images TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(images)),
        related_editorials TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(related_editorials)),
        content_hash TEXT NOT NULL,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        changed_at TEXT NOT NULL
    );
    CREATE INDEX articles_published_at ON articles (published_at);
    CREATE INDEX articles_genre ON articles (genre, published_at);
    CREATE VIEW article_authors AS
        SELECT a.url, j.key AS position, j.value AS name
        FROM articles AS a, json_each(a.authors) AS j;
    CREATE VIEW article_images AS
        SELECT a.url, j.key AS position, json_extract(j.value, '$.url') AS image_url,
               json_extract(j.value, '$.caption') AS caption, json_extract(j.value, '$.credit') AS credit
        FROM articles AS a, json_each(a.images) AS j;
    CREATE VIEW article_related_editorials AS
        SELECT a.url, j.key AS position, json_extract(j.value, '$.url') AS editorial_url,
               json_extract(j.value, '$.title') AS title, json_extract(j.value, '$.teaser') AS teaser,
               json_extract(j.value, '$.published_at') AS published_at,
               json_extract(j.value, '$.updated_at') AS updated_at
        FROM articles AS a, json_each(a.related_editorials) AS j;
    PRAGMA user_version = 1;
    """,
}

# A row reached again keeps first_seen; the more specific genre wins (news < opinion < editorial).
_UPSERT = """
INSERT INTO articles (url, article_id, type, title, section, genre, authors, published_at, updated_at,
                      description, body, images, related_editorials, content_hash,
                      first_seen, last_seen, changed_at)
VALUES (:url, :article_id, :type, :title, :section, :genre, :authors, :published_at, :updated_at,
        :description, :body, :images, :related_editorials, :content_hash, :seen, :seen, :seen)
ON CONFLICT (url) DO UPDATE SET
    title = excluded.title, section = excluded.section,
    genre = CASE WHEN (CASE excluded.genre WHEN 'editorial' THEN 2 WHEN 'opinion' THEN 1 ELSE 0 END)
                    > (CASE articles.genre WHEN 'editorial' THEN 2 WHEN 'opinion' THEN 1 ELSE 0 END)
                 THEN excluded.genre ELSE articles.genre END,
    authors = excluded.authors, published_at = excluded.published_at, updated_at = excluded.updated_at,
    description = excluded.description, body = excluded.body, images = excluded.images,
    related_editorials = excluded.related_editorials,
    changed_at = CASE WHEN articles.content_hash = excluded.content_hash
                      THEN articles.changed_at ELSE excluded.last_seen END,
    content_hash = excluded.content_hash, last_seen = excluded.last_seen
"""


class StoreError(Exception):
    """The store file cannot be used; the message says why and what to do."""


def content_hash(row: dict) -> str:
    """A stable hash of what a reader sees, to tell a changed story from a re-crawled one."""
    payload = json.dumps([row.get(name) for name in CONTENT_FIELDS], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def article_row(item: dict) -> dict:
    """An article item as a row: nested fields as JSON text, plus its content hash."""
    row = {name: item.get(name) for name in ARTICLE_COLUMNS if name != "content_hash"}
    row["content_hash"] = content_hash(item)
    for name in JSON_FIELDS:
        row[name] = json.dumps(item.get(name) or [], ensure_ascii=False)
    return row


class Store:
    def __init__(self, connection: sqlite3.Connection, path: Path):
        self.connection = connection
        self.path = path

    @classmethod
    def open(cls, path: str | Path, timeout: float = 30.0) -> Store:
        path = Path(path)
        try:
            connection = sqlite3.connect(path, timeout=timeout, isolation_level=None)
            connection.row_factory = sqlite3.Row
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")
            connection.execute("PRAGMA foreign_keys = ON")
            store = cls(connection, path)
            store._migrate()
        except sqlite3.DatabaseError as error:
            raise StoreError(
                f"{path} is not a usable newsbot SQLite store ({error}); it was left untouched — "
                "move it aside or point NEWSBOT_DB at another file"
            ) from None
        return store

    def _migrate(self) -> None:
        version = self.connection.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} has schema version {version}, newer than this newsbot ({SCHEMA_VERSION}); "
                "upgrade newsbot"
            )
        if (
            version == 0
            and self.connection.execute(
                "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
            ).fetchone()[0]
        ):
            raise StoreError(f"{self.path} is an SQLite file, but not a newsbot store; it was left untouched")
        for target in range(version + 1, SCHEMA_VERSION + 1):
            # Each migration script ends by setting PRAGMA user_version; all of it commits or none does.
            try:
                self.connection.executescript("BEGIN IMMEDIATE;" + _MIGRATIONS[target] + "COMMIT;")
            except BaseException:
                if self.connection.in_transaction:
                    self.connection.execute("ROLLBACK")
                raise

    def save_articles(self, items: Iterable[dict], seen_at: str) -> Counter:
        """Upsert a batch in one transaction; returns counts of new, updated and unchanged rows."""
        counts: Counter = Counter()
        rows = [article_row(item) | {"seen": seen_at} for item in items]
        if not rows:
            return counts
        cursor = self.connection.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        try:
            for row in rows:
                before = cursor.execute(
                    "SELECT content_hash FROM articles WHERE url = ?", (row["url"],)
                ).fetchone()
                counts[
                    "new"
                    if before is None
                    else "unchanged"
                    if before[0] == row["content_hash"]
                    else "updated"
                ] += 1
                cursor.execute(_UPSERT, row)
            cursor.execute("COMMIT")
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        return counts

    def articles(self) -> list[dict]:
        """Every stored article as an item-shaped dict (nested fields decoded), in id order."""
        rows = self.connection.execute("SELECT * FROM articles ORDER BY article_id").fetchall()
        return [decode_article(row) for row in rows]

    def close(self) -> None:
        self.connection.close()


def decode_article(row: sqlite3.Row) -> dict:
    article = dict(row)
    for name in JSON_FIELDS:
        article[name] = json.loads(article[name])
    return article
