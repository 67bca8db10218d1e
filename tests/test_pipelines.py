"""Pipelines as components built from a real crawler: drops are counted by reason, stores are real files."""

import sqlite3

import pytest
from scrapy.utils.misc import build_from_crawler

from newsbot.items import ArticleItem
from newsbot.pipelines import DedupePipeline, DropReason, StorePipeline, ValidatePipeline
from newsbot.spiders.articles import ArticlesSpider
from newsbot.store.state import CrawlState
from tests.conftest import newsbot_crawler


def crawler_for(tmp_path, **settings):
    return newsbot_crawler(ArticlesSpider, NEWSBOT_DB=str(tmp_path / "p.db"), **settings)


def item(article_id=1, **changes):
    values = dict(
        url=f"https://www.dawn.com/news/{article_id}",
        article_id=article_id,
        title="T",
        published_at="2026-03-11",
        body="B",
    )
    values.update(changes)
    return ArticleItem(**values)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"title": None}, "missing_title"),
        ({"published_at": None}, "missing_published_at"),
        ({"url": None}, "missing_url"),
        ({"title": ""}, "missing_title"),
    ],
)
def test_validate_drops_with_counted_reason_and_logs_url(tmp_path, caplog, changes, reason):
    crawler = crawler_for(tmp_path)
    pipeline = build_from_crawler(ValidatePipeline, crawler)
    with pytest.raises(DropReason) as dropped:
        pipeline.process_item(item(**changes))
    assert dropped.value.reason == reason
    assert crawler.stats.get_value(f"newsbot/dropped/{reason}") == 1
    assert reason in caplog.text


def test_validate_passes_a_complete_item(tmp_path):
    crawler = crawler_for(tmp_path)
    pipeline = build_from_crawler(ValidatePipeline, crawler)
    assert pipeline.process_item(item()).title == "T"
    assert not any(key.startswith("newsbot/dropped") for key in crawler.stats.get_stats())


def test_dedupe_keeps_one_item_per_canonical_url(tmp_path):
    crawler = crawler_for(tmp_path)
    pipeline = build_from_crawler(DedupePipeline, crawler)
    pipeline.process_item(item(1))
    pipeline.process_item(item(2))
    with pytest.raises(DropReason):
        pipeline.process_item(item(1, title="same story from a feed"))
    assert crawler.stats.get_value("newsbot/dropped/duplicate_article") == 1


def test_store_batches_writes_and_flushes_at_close(tmp_path):
    crawler = crawler_for(tmp_path, NEWSBOT_BATCH_SIZE=3)
    pipeline = build_from_crawler(StorePipeline, crawler)
    CrawlState.of(crawler).start_run("articles", {})  # as when the spider opens
    db = sqlite3.connect(tmp_path / "p.db")
    for article_id in (1, 2):
        pipeline.process_item(item(article_id))
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 0  # still in the batch
    pipeline.process_item(item(3))
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 3  # batch of 3 committed
    pipeline.process_item(item(4))
    pipeline.close_spider()
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 4
    assert crawler.stats.get_value("newsbot/articles/new") == 4


def test_dedupe_lets_a_more_specific_genre_through_once(tmp_path):
    crawler = crawler_for(tmp_path)
    pipeline = build_from_crawler(DedupePipeline, crawler)
    pipeline.process_item(item(1, genre="opinion"))
    assert pipeline.process_item(item(1, genre="editorial")).genre == "editorial"
    for genre in ("editorial", "opinion", "news"):
        with pytest.raises(DropReason):
            pipeline.process_item(item(1, genre=genre))


def test_a_row_sqlite_refuses_is_dropped_alone_and_later_batches_are_stored(tmp_path, caplog):
    """An article id beyond SQLite's 64-bit INTEGER made the whole batch fail, and stay pending, so
    every later flush failed again: nothing more was stored in the run."""
    crawler = crawler_for(tmp_path, NEWSBOT_BATCH_SIZE=3)
    pipeline = build_from_crawler(StorePipeline, crawler)
    poison = item(2**63)  # url https://www.dawn.com/news/9223372036854775808
    for each in (item(2), poison, item(3), item(4), item(5), item(6)):
        pipeline.process_item(each)
    pipeline.close_spider()
    db = sqlite3.connect(tmp_path / "p.db")
    stored = [row[0] for row in db.execute("SELECT article_id FROM articles ORDER BY article_id")]
    assert stored == [2, 3, 4, 5, 6]
    assert crawler.stats.get_value("newsbot/dropped/store_refused") == 1
    assert crawler.stats.get_value("newsbot/articles/stored") == 5
    assert "Dropped (store_refused): https://www.dawn.com/news/9223372036854775808" in caplog.text


def test_article_ids_beyond_sqlite_integers_are_not_article_urls():
    from newsbot.processors import canonical_article_url

    assert canonical_article_url("https://www.dawn.com/news/9223372036854775807/x") == (
        "https://www.dawn.com/news/9223372036854775807"
    )
    assert canonical_article_url("https://www.dawn.com/news/9223372036854775808/x") is None
    assert (
        canonical_article_url("https://www.dawn.com/news/0001918162") == "https://www.dawn.com/news/1918162"
    )
