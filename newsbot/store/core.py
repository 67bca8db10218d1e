"""The Store: opening, migrating and writing the SQLite archive.

One row per canonical article URL. Writes are batched in short `BEGIN IMMEDIATE` transactions in WAL
mode, so a crash loses at most the batch in flight and never corrupts the file. Parameterised SQL only:
nothing here formats a value into a statement.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path

from newsbot.store.access import (
    OlderSchema,
    StoreError,
    check_writable,
    closed_on_failure,
    connect_readonly,
    identify,
    not_writable,
    unusable,
)
from newsbot.store.rows import article_row, decode_article, keep_stronger_genre, teaser_row
from newsbot.store.schema import MIGRATIONS, SCHEMA_VERSION


def utc_now() -> datetime:
    """The store's bookkeeping clock (first_seen, fetched_at, run times): UTC, whole seconds."""
    return datetime.now(UTC).replace(microsecond=0)


def utc_now_iso() -> str:
    return utc_now().isoformat()


# A row reached again keeps first_seen. The genre it gets was already reconciled (keep_stronger_genre).
# :seen is when the page was seen (first_seen, last_seen), :changed when the archive's state changes
# (changed_at): the same moment in a crawl; `scrapy reextract` sees pages at their capture time and
# changes the archive now. The capture columns always name the latest response the state came from.
_UPSERT = """
INSERT INTO articles (url, article_id, type, title, section, genre, authors, published_at, updated_at,
                      description, body, images, related_editorials, sources, content_hash,
                      warc_file, warc_offset, warc_record_id, warc_date,
                      first_seen, last_seen, changed_at, change_seq, first_run)
VALUES (:url, :article_id, :type, :title, :section, :genre, :authors, :published_at, :updated_at,
        :description, :body, :images, :related_editorials, :sources, :content_hash,
        :warc_file, :warc_offset, :warc_record_id, :warc_date, :seen, :seen, :changed,
        (SELECT coalesce(max(change_seq), 0) + 1 FROM articles), :run_id)
ON CONFLICT (url) DO UPDATE SET
    title = excluded.title, section = excluded.section,
    genre = excluded.genre,
    authors = excluded.authors, published_at = excluded.published_at, updated_at = excluded.updated_at,
    description = excluded.description, body = excluded.body, images = excluded.images,
    related_editorials = excluded.related_editorials, sources = excluded.sources,
    changed_at = CASE WHEN articles.content_hash = excluded.content_hash
                      THEN articles.changed_at ELSE excluded.changed_at END,
    change_seq = CASE WHEN articles.content_hash = excluded.content_hash
                      THEN articles.change_seq ELSE excluded.change_seq END,
    warc_file = excluded.warc_file, warc_offset = excluded.warc_offset,
    warc_record_id = excluded.warc_record_id, warc_date = excluded.warc_date,
    content_hash = excluded.content_hash, last_seen = max(articles.last_seen, excluded.last_seen)
"""


_KEEP_VERSION = """
INSERT INTO article_versions (url, version, title, section, genre, authors, published_at, updated_at,
                              description, body, images, related_editorials, sources, content_hash,
                              warc_file, warc_offset, warc_record_id, warc_date, valid_from, superseded_at)
SELECT url, (SELECT coalesce(max(version), 0) + 1 FROM article_versions WHERE url = :url),
       title, section, genre, authors, published_at, updated_at, description, body, images,
       related_editorials, sources, content_hash, warc_file, warc_offset, warc_record_id, warc_date,
       changed_at, :changed
FROM articles WHERE url = :url
"""

# One row per (index page, article url): a card seen again bumps last_seen; a changed card is updated
# and gets a new change_seq.
_UPSERT_TEASER = """
INSERT INTO teasers (index_url, url, article_id, title, teaser, authors, published_at, updated_at,
                     content_hash, warc_file, warc_offset, warc_record_id, warc_date,
                     first_seen, last_seen, change_seq)
VALUES (:index_url, :url, :article_id, :title, :teaser, :authors, :published_at, :updated_at,
        :content_hash, :warc_file, :warc_offset, :warc_record_id, :warc_date,
        :seen, :seen, (SELECT coalesce(max(change_seq), 0) + 1 FROM teasers))
ON CONFLICT (index_url, url) DO UPDATE SET
    change_seq = CASE WHEN teasers.content_hash = excluded.content_hash
                      THEN teasers.change_seq ELSE excluded.change_seq END,
    title = excluded.title, teaser = excluded.teaser, authors = excluded.authors,
    published_at = excluded.published_at, updated_at = excluded.updated_at,
    warc_file = excluded.warc_file, warc_offset = excluded.warc_offset,
    warc_record_id = excluded.warc_record_id, warc_date = excluded.warc_date,
    content_hash = excluded.content_hash, last_seen = max(teasers.last_seen, excluded.last_seen)
"""


def sql_statements(script: str):
    """The complete statements of an SQL script, one by one (so they can run inside our transaction)."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            yield statement.strip()
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement in migration: {statement.strip()[:60]}")


class Store:
    def __init__(self, connection: sqlite3.Connection, path: Path):
        self.connection = connection
        self.path = path

    @classmethod
    def open(cls, path: str | Path, timeout: float = 30.0, check: bool = False) -> Store:
        """Open (creating or migrating) the archive; `check` also verifies every page of an existing file.

        Nothing is written to a file until it is known to be a newsbot store (or a new, empty file).
        Two processes opening a brand-new file at once can see SQLITE_BUSY where SQLite calls no busy
        handler (while the other switches the file to WAL); that is retried until `timeout`.
        """
        path = Path(path)
        check_writable(path)
        deadline = time.monotonic() + timeout
        while True:
            try:
                return cls._open(path, timeout, check)
            except sqlite3.OperationalError as error:
                if "locked" in str(error) and time.monotonic() <= deadline:
                    time.sleep(0.05)
                    continue
                if "readonly" in str(error) or "unable to open" in str(error):
                    raise StoreError(not_writable(path, error)) from None
                raise StoreError(unusable(path, error)) from None

    @classmethod
    def open_readonly(cls, path: str | Path) -> Store:
        """Open an existing archive for reading only: nothing is written, and read-only storage works.
        StoreError when the file is missing, foreign, damaged, or needs migrating (a writable open)."""
        path = Path(path)
        if not path.is_file():
            raise StoreError(f"no archive at {path}")
        try:
            connection = connect_readonly(path)
        except sqlite3.DatabaseError as error:
            raise StoreError(unusable(path, error)) from None
        with closed_on_failure(connection, path, retry_locked=False):
            version = identify(connection, path)
        if version < SCHEMA_VERSION:
            connection.close()
            raise OlderSchema(f"{path} has schema version {version}; this newsbot needs {SCHEMA_VERSION}")
        return cls(connection, path)

    @classmethod
    def _open(cls, path: Path, timeout: float, check: bool) -> Store:
        connection = sqlite3.connect(path, timeout=timeout, isolation_level=None)
        with closed_on_failure(connection, path, retry_locked=True):
            connection.row_factory = sqlite3.Row
            identify(connection, path, check)  # reads only: a foreign file is left byte for byte
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")
            connection.execute("PRAGMA foreign_keys = ON")
            store = cls(connection, path)
            store.migrate()
        return store

    def migrate(self) -> None:
        """Bring the file to SCHEMA_VERSION in one write transaction (two processes never both migrate)."""
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            version = identify(self.connection, self.path)
            for target in range(version + 1, SCHEMA_VERSION + 1):
                # Each migration script ends by setting PRAGMA user_version.
                for statement in sql_statements(MIGRATIONS[target]):
                    self.connection.execute(statement)
            self.connection.execute("COMMIT")
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise

    def save_articles(self, items: Iterable[dict], seen_at: str, run_id: int | None = None) -> Counter:
        """Upsert articles in one transaction; returns counts of new, updated and unchanged rows.

        A changed article's previous state is copied to article_versions first, so nothing is lost.
        A new row remembers `run_id`, the run that first stored it.
        """
        moments = {"seen": seen_at, "changed": seen_at, "run_id": run_id}
        return self.save_article_rows([article_row(item) | moments for item in items])

    def save_article_rows(self, rows: list[dict]) -> Counter:
        """save_articles for rows already made (article_row, plus "seen", "changed" and "run_id")."""
        lookup = "SELECT content_hash, genre FROM articles WHERE url = :url"
        return self._save(rows, lookup, _UPSERT, before_change=_KEEP_VERSION, reconcile=keep_stronger_genre)

    def save_teasers(self, items: Iterable[dict], seen_at: str) -> Counter:
        """Upsert teaser cards in one transaction; returns counts of new, updated and unchanged rows."""
        rows = [teaser_row(item) | {"seen": seen_at} for item in items]
        lookup = "SELECT content_hash FROM teasers WHERE index_url = :index_url AND url = :url"
        return self._save(rows, lookup, _UPSERT_TEASER)

    def _save(
        self,
        rows: list[dict],
        lookup: str,
        upsert: str,
        before_change: str | None = None,
        reconcile: Callable[[dict, Mapping], None] | None = None,
    ) -> Counter:
        """Run `upsert` per row in one BEGIN IMMEDIATE transaction, counting outcomes by content hash.

        `reconcile(row, stored)` may adjust a row against the stored one first (inside the transaction);
        `before_change` runs for a row that exists and whose content changed.
        """
        counts: Counter = Counter()
        if not rows:
            return counts
        cursor = self.connection.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        try:
            for row in rows:
                before = cursor.execute(lookup, row).fetchone()
                if before is not None and reconcile:
                    reconcile(row, before)
                changed = before is None or before[0] != row["content_hash"]
                counts["new" if before is None else "updated" if changed else "unchanged"] += 1
                if before is not None and changed and before_change:
                    cursor.execute(before_change, row)
                cursor.execute(upsert, row)
            cursor.execute("COMMIT")
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        return counts

    def stored_by_other_runs(self, urls: Iterable[str], run_id: int | None) -> set[str]:
        """Which of these canonical URLs have an article stored by a run other than `run_id` (or
        before runs were recorded); with run_id None, every stored one."""
        if run_id is None:
            lookup, extra = "SELECT 1 FROM articles WHERE url = ?", []
        else:
            lookup, extra = "SELECT 1 FROM articles WHERE url = ? AND first_run IS NOT ?", [run_id]
        return {url for url in urls if self.connection.execute(lookup, [url, *extra]).fetchone()}

    def teasers(self) -> list[dict]:
        """Every stored teaser as an item-shaped dict, by index page then article id."""
        rows = self.connection.execute("SELECT * FROM teasers ORDER BY index_url, article_id").fetchall()
        return [dict(row) | {"authors": json.loads(row["authors"])} for row in rows]

    def articles(self) -> list[dict]:
        """Every stored article as an item-shaped dict (nested fields decoded), in id order."""
        rows = self.connection.execute("SELECT * FROM articles ORDER BY article_id").fetchall()
        return [decode_article(row) for row in rows]

    def close(self) -> None:
        self.connection.close()
