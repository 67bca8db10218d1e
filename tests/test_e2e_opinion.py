"""End to end: `scrapy crawl opinion` against the snapshot's opinion front, editorial lists and author pages.

tests/data/opinion_expected.json is the hand-written oracle for teaser rows, article genres, the pages
that must never be fetched, and the bad cards; opinion_articles_expected.json has the full items.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from newsbot.items import ARTICLE_FIELDS, TEASER_FIELDS
from newsbot.store import Store
from tests.conftest import FAST, run_scrapy

pytestmark = pytest.mark.slow  # every test runs `scrapy crawl` in a subprocess

DATA = Path(__file__).parent / "data"
ORACLE = json.loads((DATA / "opinion_expected.json").read_text(encoding="utf-8"))
FULL_ITEMS = {
    item["article_id"]: item for item in json.loads((DATA / "opinion_articles_expected.json").read_text())
}


def teaser_rows(db: Path) -> list[dict]:
    store = Store.open(db)
    try:
        rows = [{name: row[name] for name in TEASER_FIELDS if name != "type"} for row in store.teasers()]
    finally:
        store.close()
    return sorted(rows, key=lambda row: (row["index_url"], row["url"]))


def article_rows(db: Path) -> dict[int, dict]:
    store = Store.open(db)
    try:
        return {row["article_id"]: row for row in store.articles()}
    finally:
        store.close()


def crawl(site, workdir: Path, *args: str):
    return run_scrapy(
        ["crawl", "opinion", *args],
        workdir,
        {"NEWSBOT_MIRROR": site.url, "NEWSBOT_DB": str(workdir / "newsbot.db"), **FAST},
    )


def expected_teasers(*keys: str) -> list[dict]:
    rows = [row for key in keys for row in ORACLE[key]]
    return sorted(
        ({name: row[name] for name in TEASER_FIELDS if name != "type"} for row in rows),
        key=lambda row: (row["index_url"], row["url"]),
    )


@pytest.fixture(scope="module")
def opinion_crawl(snapshot_site, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("opinion")
    snapshot_site.reset()
    result = crawl(snapshot_site, workdir)
    return workdir, result, snapshot_site.paths()


def test_opinion_crawl_finishes_cleanly(opinion_crawl):
    _, result, _ = opinion_crawl
    assert result.returncode == 0, result.log[-3000:]
    assert "Traceback" not in result.log


def test_every_teaser_stored_once_with_contract_values(opinion_crawl):
    workdir, _, _ = opinion_crawl
    assert teaser_rows(workdir / "newsbot.db") == expected_teasers("teasers")


def test_every_piece_stored_once_with_its_genre(opinion_crawl):
    workdir, _, _ = opinion_crawl
    rows = article_rows(workdir / "newsbot.db")
    assert sorted(rows) == sorted(int(article_id) for article_id in ORACLE["articles"])
    for article_id, want in ORACLE["articles"].items():
        row = rows[int(article_id)]
        for name, value in want.items():
            assert row[name] == value, f"article {article_id}: {name}"
        if int(article_id) in FULL_ITEMS:
            for name in ARTICLE_FIELDS:
                assert row[name] == FULL_ITEMS[int(article_id)][name], f"article {article_id}: {name}"


def test_pagination_bound_and_forbidden_pages(opinion_crawl):
    _, result, paths = opinion_crawl
    never = {urlsplit(url).path for url in ORACLE["never_requested"]}
    assert never.isdisjoint(paths)
    assert "/authors/322/mahir-ali/3" in paths and "/authors/322/mahir-ali/4" not in paths
    assert result.stats["newsbot/index/stopped_at_max_pages"] == 1
    news = [path for path in paths if path.startswith("/news/")]
    assert len(news) == len(set(news))


def test_second_crawl_adds_nothing_and_stops_paging_early(opinion_crawl, snapshot_site):
    workdir, _, _ = opinion_crawl
    db = workdir / "newsbot.db"
    snapshot = {
        table: sqlite3.connect(db).execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()  # noqa: S608
        for table in ("articles", "teasers")
    }
    snapshot_site.reset()
    result = crawl(snapshot_site, workdir)
    assert result.returncode == 0, result.log[-3000:]
    assert result.stats["newsbot/index/stopped_all_known"] >= 1
    assert "/authors/322/mahir-ali/2" not in snapshot_site.paths()
    assert not [path for path in snapshot_site.paths() if path.startswith("/news/")]
    for table in ("articles", "teasers"):
        rows = sqlite3.connect(db).execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()  # noqa: S608
        assert len(rows) == len(snapshot[table])
    assert result.stats.get("newsbot/teasers/new", 0) == 0


def test_since_reads_dated_editorial_lists_and_counts_bad_cards(snapshot_site, tmp_path):
    snapshot_site.reset()
    result = crawl(snapshot_site, tmp_path, "-a", "since=2026-03-10", "-a", "until=2026-03-11")
    assert result.returncode == 0, result.log[-3000:]
    assert teaser_rows(tmp_path / "newsbot.db") == expected_teasers("teasers", "teasers_with_since")
    for reason, count in ORACLE["bad_cards"].items():
        assert result.stats.get(f"newsbot/dropped/{reason}", 0) == count, reason
        assert f"Dropped ({reason})" in result.log


def test_both_spiders_on_one_store_keep_one_row_per_piece_and_the_stronger_genre(snapshot_site, tmp_path):
    assert (
        run_scrapy(
            ["crawl", "articles"],
            tmp_path,
            {"NEWSBOT_MIRROR": snapshot_site.url, "NEWSBOT_DB": str(tmp_path / "newsbot.db"), **FAST},
        ).returncode
        == 0
    )
    assert crawl(snapshot_site, tmp_path).returncode == 0
    rows = article_rows(tmp_path / "newsbot.db")
    assert rows[1990011]["genre"] == "opinion"
    assert rows[1990040]["genre"] == rows[1990041]["genre"] == "editorial"
    urls = sqlite3.connect(tmp_path / "newsbot.db").execute("SELECT url FROM articles").fetchall()
    assert len(urls) == len(set(urls))
    joined = (
        sqlite3.connect(tmp_path / "newsbot.db")
        .execute(
            "SELECT DISTINCT r.editorial_url FROM article_related_editorials AS r"
            " JOIN teasers AS t ON t.url = r.editorial_url"
        )
        .fetchall()
    )
    assert ("https://www.dawn.com/news/1990040",) in joined
