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
from tests.conftest import FAST, run_scrapy, stored_articles

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


EVERY_TEASER = ("teasers", "teasers_with_since", "teasers_discovered")
"""A default crawl reads the start points, walks two dated lists back (issue 15) and reads the columnists
found in bylines; `-a since=` reads the same dated lists by its back-fill."""
EVERY_ARTICLE = {**ORACLE["articles"], **ORACLE["articles_with_since"], **ORACLE["articles_discovered"]}


def test_every_teaser_stored_once_with_contract_values(opinion_crawl):
    workdir, _, _ = opinion_crawl
    assert teaser_rows(workdir / "newsbot.db") == expected_teasers(*EVERY_TEASER)


def test_every_piece_stored_once_with_its_genre(opinion_crawl):
    workdir, _, _ = opinion_crawl
    rows = stored_articles(workdir / "newsbot.db")
    assert sorted(rows) == sorted(int(article_id) for article_id in EVERY_ARTICLE)
    for article_id, want in EVERY_ARTICLE.items():
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
    for reason, count in ORACLE["bad_cards_default"].items():
        assert result.stats.get(f"newsbot/dropped/{reason}", 0) == count, reason
    assert "/authors/322/mahir-ali/3" in paths and "/authors/322/mahir-ali/4" not in paths
    assert result.stats["newsbot/index/stopped_at_max_pages"] == 1
    news = [path for path in paths if path.startswith("/news/")]
    assert len(news) == len(set(news))


def test_first_crawl_walks_back_from_the_index_day_and_reads_the_columnists_bylines_name(opinion_crawl):
    """Issue 15: the editorial index's day is the walk's first day; the two days before it are read.
    Columnists not in the seeds, named by card bylines, are read to page 2; a desk byline never."""
    workdir, _, paths = opinion_crawl
    assert [path for path in paths if path.startswith("/newspaper/editorial/")] == ORACLE["walk"][
        "first_run_paths"
    ]
    found = ORACLE["discovered_authors"]
    assert {urlsplit(url).path for url in [*found["pages"], found["paged_to_2"]]} <= set(paths)
    assert urlsplit(found["desk_never_requested"]).path not in paths
    authors = dict(
        sqlite3.connect(workdir / "newsbot.db").execute("SELECT url, last_read IS NOT NULL FROM authors")
    )
    assert {url for url, read in authors.items() if read} >= set(found["pages"])
    assert found["desk_never_requested"] not in authors


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
    # The index's day is complete and the run before saw it: no dated list. The columnists found in
    # bylines were read a moment ago: not due again for NEWSBOT_AUTHOR_REVISIT_DAYS.
    assert not [path for path in snapshot_site.paths() if path.startswith("/newspaper/editorial/")]
    assert not {urlsplit(url).path for url in ORACLE["discovered_authors"]["pages"]} & set(
        snapshot_site.paths()
    )
    for table in ("articles", "teasers"):
        rows = sqlite3.connect(db).execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()  # noqa: S608
        assert len(rows) == len(snapshot[table])
    assert result.stats.get("newsbot/teasers/new", 0) == 0


def test_since_reads_dated_editorial_lists_and_counts_bad_cards(snapshot_site, tmp_path):
    snapshot_site.reset()
    result = crawl(snapshot_site, tmp_path, "-a", "since=2026-03-10", "-a", "until=2026-03-11")
    assert result.returncode == 0, result.log[-3000:]
    assert teaser_rows(tmp_path / "newsbot.db") == expected_teasers(*EVERY_TEASER)
    # A back-fill run reads the days it was given (with the print edition's columns), and walks none.
    dated = [
        path for path in snapshot_site.paths() if path.startswith("/newspaper/") and path.count("/") == 3
    ]
    assert sorted(dated) == sorted(
        f"/newspaper/{kind}/{day}" for kind in ("editorial", "column") for day in ("2026-03-11", "2026-03-10")
    )
    assert result.stats["newsbot/dated_lists/no_list"] == 2  # no column lists in the snapshot: 404
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
    rows = stored_articles(tmp_path / "newsbot.db")
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
