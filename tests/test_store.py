"""The SQLite store on real files: upserts, dedupe by canonical URL, genre rank, schema guards."""

import os
import sqlite3

import pytest

from newsbot.store import SCHEMA_VERSION, Store, StoreError, copies


def article(article_id=1, **changes):
    item = {
        "type": "article",
        "url": f"https://www.dawn.com/news/{article_id}",
        "article_id": article_id,
        "title": "A title",
        "section": "Pakistan",
        "genre": "news",
        "authors": ["Jane Doe", "John Roe"],
        "published_at": "2026-03-11T10:00:00+05:00",
        "updated_at": None,
        "description": "Standfirst.",
        "body": "Para one.\n\nPara two.",
        "images": [{"url": "https://i.dawn.com/large/x.jpg", "caption": "Cap.", "credit": "AFP"}],
        "related_editorials": [
            {
                "url": "https://www.dawn.com/news/9",
                "title": "Ed",
                "teaser": "T...",
                "published_at": None,
                "updated_at": "2026-03-12",
            }
        ],
        "sources": {},
    }
    item.update(changes)
    return item


def test_new_file_gets_schema_wal_and_version(tmp_path):
    Store.open(tmp_path / "a.db").close()
    connection = sqlite3.connect(tmp_path / "a.db")
    assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_recrawl_updates_in_place_never_adds_a_row(store):
    assert store.save_articles([article()], seen_at="2026-03-12T00:00:00+00:00") == {"new": 1}
    assert store.save_articles([article()], seen_at="2026-03-12T01:00:00+00:00") == {"unchanged": 1}
    changed = article(title="A corrected title")
    assert store.save_articles([changed], seen_at="2026-03-12T02:00:00+00:00") == {"updated": 1}
    rows = store.connection.execute(
        "SELECT title, first_seen, last_seen, changed_at FROM articles"
    ).fetchall()
    assert [tuple(row) for row in rows] == [
        (
            "A corrected title",
            "2026-03-12T00:00:00+00:00",
            "2026-03-12T02:00:00+00:00",
            "2026-03-12T02:00:00+00:00",
        )
    ]


def test_nested_fields_round_trip_and_are_reachable_from_sql(store):
    store.save_articles([article()], seen_at="2026-03-12T00:00:00+00:00")
    assert store.articles()[0]["images"] == article()["images"]
    authors = store.connection.execute("SELECT name FROM article_authors ORDER BY position").fetchall()
    assert [row[0] for row in authors] == ["Jane Doe", "John Roe"]
    credit = store.connection.execute("SELECT credit FROM article_images").fetchone()[0]
    assert credit == "AFP"
    editorial = store.connection.execute(
        "SELECT editorial_url, updated_at, published_at FROM article_related_editorials"
    ).fetchone()
    assert tuple(editorial) == ("https://www.dawn.com/news/9", "2026-03-12", None)


def test_sources_are_kept_but_a_change_of_source_alone_is_no_new_version(store):
    repaired = article(sources={"body": "rss"})
    assert store.save_articles([repaired], seen_at="t1") == {"new": 1}
    assert store.articles()[0]["sources"] == {"body": "rss"}
    # The page gives the same body again: the row now says so, with no version and no change_seq bump.
    seq = store.connection.execute("SELECT change_seq FROM articles").fetchone()[0]
    assert store.save_articles([article()], seen_at="t2") == {"unchanged": 1}
    assert store.articles()[0]["sources"] == {}
    assert store.connection.execute("SELECT change_seq FROM articles").fetchone()[0] == seq
    # A real change keeps the earlier state, with the sources it had.
    store.save_articles([article(body="Other text.", sources={"body": "rss"})], seen_at="t3")
    store.save_articles([article(body="Page text.")], seen_at="t4")
    versions = store.connection.execute("SELECT body, sources FROM article_versions ORDER BY version")
    assert [tuple(row) for row in versions] == [
        ("Para one.\n\nPara two.", "{}"),
        ("Other text.", '{"body": "rss"}'),
    ]


def test_feed_copies_are_kept_per_url_and_found_by_run_or_age(store):
    image = {"url": "u", "caption": "C.", "credit": "AFP"}
    copy = {"url": "https://www.dawn.com/news/1", "title": "T", "published_at": "2026-03-11"}
    copy |= {"description": None, "body": "B", "images": [image]}
    copies.save_copies(store, "https://www.dawn.com/feeds/home/", [copy], "2026-03-12T10:00:00+00:00", 7)
    corrected = copy | {"title": "T2"}
    copies.save_copies(
        store, "https://www.dawn.com/feeds/world/", [corrected], "2026-03-12T11:00:00+00:00", 8
    )
    assert copies.feed_copy(store, copy["url"], 8, None) == corrected  # the latest read wins
    assert copies.feed_copy(store, copy["url"], 9, "2026-03-12T11:00:00+00:00") == corrected
    assert copies.feed_copy(store, copy["url"], 9, "2026-03-12T11:00:01+00:00") is None  # too old
    assert copies.feed_copy(store, copy["url"], 9, None) is None  # not this run's
    assert copies.feed_copy(store, "https://www.dawn.com/news/2", 8, "2000") is None
    row = store.connection.execute("SELECT feed_url, first_seen FROM feed_copies").fetchone()
    assert tuple(row) == ("https://www.dawn.com/feeds/world/", "2026-03-12T10:00:00+00:00")


@pytest.mark.parametrize(
    ("first", "second", "kept"),
    [
        ("news", "editorial", "editorial"),
        ("editorial", "news", "editorial"),
        ("opinion", "editorial", "editorial"),
        ("news", "opinion", "opinion"),
        ("opinion", "news", "opinion"),
    ],
)
def test_more_specific_genre_wins(store, first, second, kept):
    store.save_articles([article(genre=first)], seen_at="t1")
    store.save_articles([article(genre=second)], seen_at="t2")
    assert store.articles()[0]["genre"] == kept


def test_text_with_sql_metacharacters_is_stored_verbatim(store):
    title = "Robert'); DROP TABLE articles;-- “quotes”, commas\nand اردو"
    store.save_articles([article(title=title)], seen_at="t")
    assert store.articles()[0]["title"] == title


def test_a_failed_batch_writes_nothing(store):
    bad = article(2, title=None)  # NOT NULL violation after a good row in the same batch
    with pytest.raises(sqlite3.IntegrityError):
        store.save_articles([article(1), bad], seen_at="t")
    assert store.articles() == []
    assert store.save_articles([article(1)], seen_at="t") == {"new": 1}


def test_file_that_is_not_sqlite_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"my precious notes, not a database" * 100)
    with pytest.raises(StoreError, match="not a usable newsbot SQLite store"):
        Store.open(path)
    assert path.read_bytes() == b"my precious notes, not a database" * 100


def test_foreign_sqlite_file_is_refused(tmp_path):
    path = tmp_path / "other.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE something (x)")
    connection.commit()
    connection.close()
    with pytest.raises(StoreError, match="not a newsbot store"):
        Store.open(path)


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "future.db"
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()
    with pytest.raises(StoreError, match="newer than this newsbot"):
        Store.open(path)


def test_version_1_store_is_migrated_in_place_keeping_rows(tmp_path):
    from newsbot.store.schema import MIGRATIONS

    path = tmp_path / "old.db"
    connection = sqlite3.connect(path, isolation_level=None)
    connection.executescript("BEGIN;" + MIGRATIONS[1] + "COMMIT;")
    connection.execute(
        "INSERT INTO articles (url, article_id, title, published_at, content_hash, first_seen, last_seen,"
        " changed_at) VALUES ('https://www.dawn.com/news/5', 5, 'Old', '2020-01-01', 'h', 't', 't', 't')"
    )
    connection.close()
    store = Store.open(path)
    assert store.connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert [row["title"] for row in store.articles()] == ["Old"]
    assert store.articles()[0]["change_seq"] == 1
    store.save_articles([article(6)], seen_at="t2")
    assert [row["change_seq"] for row in store.articles()] == [1, 2]
    store.close()


def test_change_seq_grows_only_when_content_changes(store):
    store.save_articles([article(1), article(2)], seen_at="t1")
    store.save_articles([article(1)], seen_at="t2")  # unchanged
    assert [row["change_seq"] for row in store.articles()] == [1, 2]
    store.save_articles([article(1, body="Corrected.")], seen_at="t3")
    assert [row["change_seq"] for row in store.articles()] == [3, 2]


def test_reaching_a_stronger_genre_piece_as_news_changes_nothing(store):
    store.save_articles([article(genre="editorial")], seen_at="t1")
    assert store.save_articles([article(genre="news")], seen_at="t2") == {"unchanged": 1}
    [row] = store.articles()
    assert (row["genre"], row["change_seq"]) == ("editorial", 1)
    assert store.connection.execute("SELECT count(*) FROM article_versions").fetchone()[0] == 0


@pytest.mark.parametrize(
    ("first", "second", "kept", "counts"),
    [
        ("news", "editorial", "editorial", {"new": 1, "updated": 1}),
        ("editorial", "news", "editorial", {"new": 1, "unchanged": 1}),
    ],
)
def test_one_batch_carrying_a_piece_twice_is_judged_against_its_own_first_copy(
    store, first, second, kept, counts
):
    """The batch's stored rows are read once, up front: a second copy in the same batch (a genre
    upgrade reaching the pipeline before the flush) must still see the first one."""
    assert store.save_articles([article(genre=first), article(genre=second)], seen_at="t1") == counts
    [row] = store.articles()
    assert row["genre"] == kept
    versions = store.connection.execute("SELECT count(*) FROM article_versions").fetchone()[0]
    assert versions == counts.get("updated", 0)


def test_change_seq_in_a_mixed_batch_follows_batch_order(store):
    store.save_articles([article(1), article(2), article(3)], seen_at="t1")
    # unchanged, changed, new, unchanged: only the changed and the new row take the next numbers
    outcome = store.save_articles(
        [article(1), article(2, title="New title"), article(4), article(3)], seen_at="t2"
    )
    assert outcome == {"unchanged": 2, "updated": 1, "new": 1}
    assert [row["change_seq"] for row in store.articles()] == [1, 4, 3, 5]


def test_a_run_lock_is_removed_on_release_and_never_held_twice(tmp_path):
    from newsbot.store.runlock import RunLock

    db = tmp_path / "x.db"
    first = RunLock(db, "articles")
    assert first.acquire() and first.path.read_text().strip() == str(os.getpid())
    assert not RunLock(db, "articles").acquire()  # held
    other_spider = RunLock(db, "opinion")
    assert other_spider.acquire()  # another spider has its own lock
    other_spider.release()
    opened_before_release = open(first.path, "a+")  # noqa: SIM115 - a rival that opened the old file
    first.release()
    assert not first.path.exists()  # no lock file left behind
    second = RunLock(db, "articles")
    assert second.acquire()
    # The rival's handle is on the removed file: locking it proves nothing, and acquire() knows that.
    assert not RunLock(db, "articles")._still_at_path(opened_before_release)
    assert not RunLock(db, "articles").acquire()
    opened_before_release.close()
    second.release()


def test_a_new_file_migrated_by_another_process_meanwhile_is_still_ours(tmp_path):
    """identify() reads the version and the tables in one snapshot: when another process commits the
    schema of a new file between two reads, the file must not look like version 0 with tables."""
    from newsbot.store.access import identify

    path = tmp_path / "new.db"
    sqlite3.connect(path).close()

    class Fetched(list):
        def fetchone(self):
            return self[0] if self else None

    class OtherProcessMigratesAfterTheFirstRead:
        def __init__(self):
            self.connection = sqlite3.connect(path, isolation_level=None)
            self.reads = 0

        def execute(self, sql, *args):
            rows = self.connection.execute(sql, *args).fetchall()  # the read is over
            self.reads += 1
            if self.reads == 1:
                Store.open(path).close()  # commits the whole schema
            return Fetched(rows)

    racing = OtherProcessMigratesAfterTheFirstRead()
    try:
        assert identify(racing, path) == 0  # the snapshot it read: a new, empty file
    finally:
        racing.connection.close()
    assert Store.open(path).connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
