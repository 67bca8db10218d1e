"""store/history.py on a real SQLite file: which re-extracted states and teaser cards `scrapy reextract`
stores, so the archive ends as crawls of the captures would have left it and never rolls back."""

from __future__ import annotations

import pytest

from newsbot.store import Store
from newsbot.store.history import field_changes, plan_article, plan_teasers, stored_article, version_hashes
from newsbot.store.rows import CaptureRef, article_row
from tests.test_store import article

MARCH_1, MARCH_2, MARCH_3 = "2026-03-01T09:00:00.000001Z", "2026-03-02T09:00:00.5Z", "2026-03-03T09:00:00Z"
NOW = "2026-03-20T00:00:00+00:00"


def state(captured: str, **changes) -> dict:
    """A re-extracted state as run.py makes it: a row with the capture it came from."""
    capture = CaptureRef("newsbot-articles-x.warc.gz", len(captured), f"<urn:uuid:{captured}>", captured)
    return article_row(article(**changes) | {"capture": capture}) | {
        "seen": captured,
        "changed": NOW,
        "run_id": None,
    }


@pytest.fixture
def store(tmp_path):
    store = Store.open(tmp_path / "archive.db")
    yield store
    store.close()


def plan_for(store: Store, states: list[dict]):
    url = states[0]["url"]
    return plan_article(stored_article(store, url), version_hashes(store, url), states)


def test_a_new_article_is_stored_and_its_older_captures_become_versions_in_time_order(store):
    states = [state(MARCH_1, title="One"), state(MARCH_2, title="Two"), state(MARCH_3, title="Two")]
    plan = plan_for(store, states)
    assert plan.outcome == "new" and [row["title"] for row in plan.rows] == ["One", "Two"]
    assert plan.versions == 1
    store.save_article_rows(plan.rows)
    [current] = store.articles()
    assert (current["title"], current["warc_date"]) == ("Two", MARCH_2)
    assert current["first_seen"] == MARCH_1 and current["changed_at"] == NOW
    [version] = store.connection.execute("SELECT title, warc_date FROM article_versions").fetchall()
    assert tuple(version) == ("One", MARCH_1)
    assert plan_for(store, states).outcome == "unchanged", "the same captures again change nothing"


def test_a_damaged_current_state_is_kept_as_a_version_and_replaced(store):
    store.save_article_rows([state(MARCH_2, title="Damaged", images=[])])
    plan = plan_for(store, [state(MARCH_2)])
    assert plan.outcome == "updated" and plan.versions == 1
    assert field_changes(plan.before, plan.after) == {"title": "changed", "images": "gained"}
    store.save_article_rows(plan.rows)
    assert store.articles()[0]["title"] == "A title"
    assert [row[0] for row in store.connection.execute("SELECT title FROM article_versions")] == ["Damaged"]


def test_an_older_capture_never_replaces_a_state_from_a_later_one(store):
    store.save_article_rows([state(MARCH_3, title="Newest")])
    plan = plan_for(store, [state(MARCH_1, title="Old"), state(MARCH_2, title="Older than the row")])
    assert plan.outcome == "newer_kept" and plan.rows == []


def test_a_state_stored_without_a_capture_counts_from_when_it_changed(store):
    store.save_articles([article(title="Crawled, capture off")], seen_at="2026-03-02T12:00:00+00:00")
    assert plan_for(store, [state(MARCH_1)]).outcome == "newer_kept"
    assert plan_for(store, [state(MARCH_3)]).outcome == "updated"


def test_a_stored_stronger_genre_is_kept_as_a_crawl_keeps_it(store):
    store.save_article_rows([state(MARCH_1, genre="editorial")])
    plan = plan_for(store, [state(MARCH_2, genre="news")])
    assert plan.outcome == "unchanged", "news read again does not demote an editorial"


def teaser(**changes) -> dict:
    item = {
        "type": "teaser",
        "url": "https://www.dawn.com/news/5",
        "title": "Card",
        "teaser": "Excerpt.",
        "authors": [],
        "published_at": None,
        "updated_at": None,
        "index_url": "https://www.dawn.com/opinion",
    }
    return item | changes


def test_a_card_is_judged_by_the_capture_it_came_from_not_when_its_row_was_written(store):
    capture = CaptureRef("newsbot-opinion-x.warc.gz", 10, "<urn:uuid:1>", MARCH_2)
    # A crawl writes its rows some seconds after the page was captured (a batch): last_seen is later.
    store.save_teasers([teaser(teaser=None, capture=capture)], seen_at="2026-03-02T09:00:07+00:00")
    to_save, outcomes = plan_teasers(store, [teaser()], MARCH_2, {})
    assert outcomes == ["updated"] and to_save == [teaser()]
    assert plan_teasers(store, [teaser()], MARCH_1, {})[1] == ["older"]
    planned: dict = {}
    plan_teasers(store, [teaser()], MARCH_2, planned)
    assert plan_teasers(store, [teaser()], MARCH_3, planned)[1] == ["unchanged"], "what a dry run planned"


def test_the_same_text_owed_to_another_source_is_saved_without_a_new_version(store):
    store.save_article_rows([state(MARCH_1, sources={"images": "rss"})])
    plan = plan_for(store, [state(MARCH_2)])  # the page itself now has the images the feed supplied
    assert (plan.outcome, plan.versions, len(plan.rows)) == ("unchanged", 0, 1)
    seq = store.articles()[0]["change_seq"]
    store.save_article_rows(plan.rows)
    [row] = store.articles()
    assert (row["sources"], row["change_seq"], row["warc_date"]) == ({}, seq, MARCH_2)
    assert store.connection.execute("SELECT count(*) FROM article_versions").fetchone()[0] == 0
    assert plan_for(store, [state(MARCH_2)]).rows == []
