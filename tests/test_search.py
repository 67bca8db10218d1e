"""Full-text search on real SQLite files: the FTS5 index follows every write of the store (insert,
change, version, re-crawl, genre upgrade), an older archive is indexed by its migration, and
`scrapy export --search` finds what the index holds."""

from __future__ import annotations

import sqlite3
from collections import Counter

import pytest

from newsbot.store import SCHEMA_VERSION, Store
from newsbot.store.core import sql_statements
from newsbot.store.export import Selection, fts_query, select_rows
from newsbot.store.schema import MIGRATIONS
from tests.conftest import run_scrapy
from tests.test_export import export, read
from tests.test_store import article

FTS_MIGRATION = next(number for number, script in MIGRATIONS.items() if "articles_fts" in script)


def found(store: Store, text: str) -> list[int]:
    """The article ids `text` finds, as `scrapy export --search` selects them."""
    rows = select_rows(store, Selection(search=text), ("article_id",))
    return [item["article_id"] for _, item in rows]


def index_entries(connection: sqlite3.Connection) -> Counter:
    """Every (term, article id, column, offset) the FTS index holds, read from the index itself."""
    connection.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_entries USING fts5vocab(main, articles_fts, instance)"
    )
    return Counter(tuple(row) for row in connection.execute("SELECT term, doc, col, offset FROM fts_entries"))


def fresh_index_of(store: Store, tmp_path) -> Counter:
    """The index a new archive builds for the articles `store` holds now (the reference for an index
    kept up to date write by write)."""
    fresh = Store.open(tmp_path / "fresh.db")
    try:
        fresh.save_articles(store.articles(), seen_at="2026-03-20T00:00:00+00:00")
        return index_entries(fresh.connection)
    finally:
        fresh.close()


def test_title_description_body_authors_and_captions_are_searchable(store):
    store.save_articles(
        [
            article(1, title="Floods in Sindh", description="Relief camps.", body="Rivers rose overnight."),
            article(
                2,
                authors=["Mahir Ali"],
                images=[{"url": "u", "caption": "A crane at Gwadar.", "credit": None}],
            ),
            article(3, title="Budget", body="Nothing else."),
        ],
        seen_at="2026-03-12T00:00:00+00:00",
    )
    assert found(store, "floods") == [1]
    assert found(store, "camps") == [1]
    assert found(store, "river") == [1]  # porter stemming: rivers -> river
    assert found(store, "mahir") == [2]
    assert found(store, "gwadar") == [2]
    assert found(store, "SINDH rivers") == [1]  # every word, any case
    assert found(store, "sindh budget") == []
    assert found(store, '"relief camps"') == [1]
    assert found(store, '"camps relief"') == []  # a quoted phrase keeps its word order


def test_search_words_are_never_fts_syntax(store):
    store.save_articles(
        [article(1, body="Vote NOT counted; ballot (and box).")], seen_at="2026-03-12T00:00:00"
    )
    assert found(store, "vote NOT counted") == [1]  # NOT is a word to find, not an operator
    assert found(store, "ballot OR urn") == []  # so is OR: "or" and "urn" are not in the story
    assert found(store, "ball*") == []  # no prefix queries
    assert found(store, 'box) "counted') == [1]  # stray brackets and quotes are no syntax error
    assert fts_query('one "two three" fo"ur') == '"one" "two three" "fo" "ur"'


def test_a_changed_article_is_found_by_its_new_text_only_and_its_version_is_kept(store, tmp_path):
    store.save_articles([article(1, body="The old wording.")], seen_at="2026-03-12T00:00:00+00:00")
    counts = store.save_articles(
        [article(1, body="The corrected text.")], seen_at="2026-03-12T01:00:00+00:00"
    )
    assert counts == {"updated": 1}
    assert found(store, "wording") == []
    assert found(store, "corrected") == [1]
    versions = store.connection.execute("SELECT body FROM article_versions").fetchall()
    assert [row[0] for row in versions] == ["The old wording."]
    assert index_entries(store.connection) == fresh_index_of(store, tmp_path)


def test_recrawls_and_genre_upgrades_leave_one_entry_per_article(store, tmp_path):
    item = article(1, title="Editorial: water", authors=["Editorial"])
    for hour in range(3):
        store.save_articles([item], seen_at=f"2026-03-12T0{hour}:00:00+00:00")
    store.save_articles([item | {"genre": "editorial"}], seen_at="2026-03-12T04:00:00+00:00")
    store.save_articles([item], seen_at="2026-03-12T05:00:00+00:00")  # reached again as news
    assert found(store, "water") == [1]
    writes = store.connection.total_changes
    store.save_articles([item], seen_at="2026-03-12T06:00:00+00:00")
    assert store.connection.total_changes - writes == 1  # last_seen only: the index is not rewritten
    entries = index_entries(store.connection)
    assert entries[("water", 1, "title", 1)] == 1
    assert entries == fresh_index_of(store, tmp_path)


def test_an_index_kept_write_by_write_equals_a_fresh_one(store, tmp_path):
    """Many kinds of change in one archive (captions, authors, nulls, a deleted row): the index holds
    exactly what indexing the final rows from scratch gives, no stale or missing entry."""
    store.save_articles(
        [article(n, body=f"Story {n} first.") for n in range(1, 6)], seen_at="2026-03-12T00:00"
    )
    store.save_articles(
        [
            article(1, body="Story one rewritten."),
            article(2, description=None, images=[]),
            article(3, authors=["Someone Else"], images=[{"url": "u", "caption": None, "credit": "AFP"}]),
            article(4, body="Story 4 first."),  # unchanged
        ],
        seen_at="2026-03-12T01:00",
    )
    store.connection.execute("DELETE FROM articles WHERE article_id = 5")
    assert found(store, "first") == [4]
    assert found(store, "para") == [2, 3]  # the test article's default body
    assert found(store, "someone") == [3]
    assert index_entries(store.connection) == fresh_index_of(store, tmp_path)


def test_an_archive_from_before_search_is_indexed_when_opened(tmp_path):
    db = tmp_path / "old.db"
    connection = sqlite3.connect(db, isolation_level=None)
    for number in range(1, FTS_MIGRATION):
        for statement in sql_statements(MIGRATIONS[number]):
            connection.execute(statement)
    connection.execute(
        "INSERT INTO articles (url, article_id, title, published_at, body, authors, images, content_hash,"
        " first_seen, last_seen, changed_at) VALUES ('https://www.dawn.com/news/5', 5, 'Old story',"
        " '2026-01-01', 'Archived text.', '[\"Jane Doe\"]', '[{\"caption\": \"Quetta at dusk.\"}]', 'h',"
        " 'x', 'x', 'x')"
    )
    connection.close()
    store = Store.open(db)
    try:
        assert store.connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert found(store, "archived") == found(store, "jane") == found(store, "quetta") == [5]
    finally:
        store.close()


@pytest.mark.slow
def test_export_search_combines_with_other_filters_in_every_format(tmp_path):
    db = tmp_path / "a.db"
    store = Store.open(db)
    store.save_articles(
        [
            article(1, body="Heatwave in Karachi.", genre="news"),
            article(2, body="On the heatwave.", genre="editorial"),
            article(3, body="Cricket."),
        ],
        seen_at="2026-03-12T00:00:00+00:00",
    )
    store.close()
    _, data = export(db, tmp_path / "hot.jsonl", search="heatwave")
    assert [row["article_id"] for row in read(data, "jsonl")] == [1, 2]
    _, data = export(db, tmp_path / "hot.csv", search="heatwave", genre="editorial")
    assert [row["article_id"] for row in read(data, "csv")] == ["2"]
    result = run_scrapy(
        ["export", "--db", str(db), "-o", "-", "--format", "json", "--search", "karachi"], tmp_path
    )
    assert result.returncode == 0, result.log
    assert [row["article_id"] for row in read(result.stdout.encode(), "json")] == [1]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--search", "  "], "--search is empty"),
        (["--search", '""'], "--search '\"\"' has no words to look for"),
        (["--type", "teaser", "--search", "x"], "teaser rows have no search"),
    ],
)
def test_export_search_mistakes_are_one_line(tmp_path, args, message):
    db = tmp_path / "a.db"
    Store.open(db).close()
    result = run_scrapy(["export", "--db", str(db), "-o", str(tmp_path / "x.csv"), *args], tmp_path)
    assert result.returncode == 2
    assert message in result.log
    assert "Traceback" not in result.log
