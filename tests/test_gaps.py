"""No gaps (issue 15), end to end: a run after an outage fills the gap from the dated lists and stops at
the first complete day; a columnist reached only from a card's byline is read to page 2; a desk's
author page never; `scrapy coverage` names exactly the stories missing from the archive.

Each test builds its variant of the site from a private copy of seeds/snapshot (site_copy)."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import FAST, run_scrapy

pytestmark = pytest.mark.slow  # scrapy in a subprocess

CARD = re.compile(r"<article class='story[^>]*data-id='1990013'.*?</article>", re.S)
WEEKDAYS = {8: "Sunday", 9: "Monday", 10: "Tuesday", 11: "Wednesday", 12: "Thursday"}
# The site before the outage (8 March) and after it (12 March). The three days between are on no start
# point of the run after the outage: only their dated lists lead to them.
DAY_8 = [1990001, 1990013, 1990015]
DAY_9 = [1990019, 1990023, 1990072]
DAY_10 = [1990005, 1990063, 1990064, 1990017]  # the snapshot's own dated lists of the 10th, 11th, 12th
DAY_11 = [1990062, 1990009, 1990003, 1990011, 1990061, 1990041]
DAY_12 = [1990025, 1990007, 1990021, 1990027]
SEEDS = """[articles]
listings = ["https://www.dawn.com/latest-news"]
feeds = []
sitemaps = []
dated_listing = "https://www.dawn.com/latest-news/{date}"
"""


def dated_list(directory: Path, day: int, article_ids: list[int]) -> str:
    """A dated list of March `day` in the snapshot's markup, with a card per article."""
    template = (directory / "pages" / "latest-news-2026-03-11.html").read_text(encoding="utf-8")
    card = CARD.search((directory / "pages" / "latest-news.html").read_text(encoding="utf-8")).group(0)
    cards = "".join(card.replace("1990013", str(article_id)) for article_id in article_ids)
    first = template.index("<article", template.index('id="all"'))
    end = template.index("</article>                    </div>", first) + len("</article>")
    page = template[:first] + cards + template[end:]
    page = page.replace("latest-news/2026-03-11", f"latest-news/2026-03-{day:02d}")
    return page.replace("Wednesday, March 11, 2026", f"{WEEKDAYS[day]}, March {day}, 2026")


def serve(directory: Path, site, pages: dict[str, str]) -> None:
    """Put `pages` (URL path -> HTML) on the site copy and reload its manifest."""
    manifest_file = directory / "manifest.json"
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    entries = {entry["url"]: entry for entry in manifest["entries"]}
    for path, html in pages.items():
        name = "pages/test-" + path.strip("/").replace("/", "-") + ".html"
        (directory / name).write_text(html, encoding="utf-8")
        entries["https://www.dawn.com" + path] = {"url": "https://www.dawn.com" + path, "file": name}
    manifest["entries"] = list(entries.values())
    manifest_file.write_text(json.dumps(manifest), encoding="utf-8")
    site.snapshot = type(site.snapshot)(directory)
    site.reset()


def crawl(site, workdir: Path, spider: str = "articles", **settings):
    values = {"NEWSBOT_MIRROR": site.url, "NEWSBOT_DB": str(workdir / "newsbot.db"), **FAST, **settings}
    return run_scrapy(["crawl", spider], workdir, values)


def coverage(workdir: Path, *args: str):
    return run_scrapy(["coverage", "--db", str(workdir / "newsbot.db"), *args], workdir)


def stored_ids(db: Path) -> set[int]:
    return {row[0] for row in sqlite3.connect(db).execute("SELECT article_id FROM articles")}


@pytest.fixture
def outage(site_copy, tmp_path):
    """An archive crawled on 8 March (the site showed that day), then three days of downtime: the site
    now shows 12 March, and its start points list only that day's stories."""
    directory, site = site_copy
    seeds = tmp_path / "start-points.toml"
    seeds.write_text(SEEDS, encoding="utf-8")
    serve(
        directory,
        site,
        {
            "/latest-news": dated_list(directory, 8, DAY_8),
            "/latest-news/2026-03-08": dated_list(directory, 8, DAY_8),
        },
    )
    before = crawl(site, tmp_path, NEWSBOT_SEEDS=seeds)
    assert before.returncode == 0, before.log[-3000:]
    assert stored_ids(tmp_path / "newsbot.db") == set(DAY_8)
    twelfth = (directory / "pages" / "latest-news-2026-03-12.html").read_text(encoding="utf-8")
    serve(
        directory, site, {"/latest-news": twelfth, "/latest-news/2026-03-09": dated_list(directory, 9, DAY_9)}
    )
    return directory, site, seeds


@pytest.mark.parametrize("walk_days", [3, 7])
def test_the_run_after_an_outage_fills_the_gap_from_the_dated_lists_and_stops_at_the_first_complete_day(
    outage, tmp_path, walk_days
):
    """With NEWSBOT_CATCHUP_DAYS=7 the walk itself goes back to 8 March, complete and the day the last
    run saw, and stops there; with the default 3 it stops at its bound and the rest of the gap known from
    the run record (9 and 8 March) is read on the back-fill budget. Either way: the same lists, every
    story of the gap, and nothing older."""
    _, site, seeds = outage
    after = crawl(site, tmp_path, NEWSBOT_SEEDS=seeds, NEWSBOT_CATCHUP_DAYS=walk_days)
    assert after.returncode == 0, after.log[-3000:]
    db = tmp_path / "newsbot.db"
    assert stored_ids(db) == set(DAY_8 + DAY_9 + DAY_10 + DAY_11 + DAY_12)
    dated = [path for path in site.paths() if path.startswith("/latest-news/")]
    # Walked one day after the other, newest first (the rest of a gap past the bound: both at once).
    assert dated[:3] == [f"/latest-news/2026-03-{day:02d}" for day in (12, 11, 10)]
    assert sorted(dated[3:]) == ["/latest-news/2026-03-08", "/latest-news/2026-03-09"]
    gap = len(DAY_9 + DAY_10 + DAY_11)
    assert after.stats["newsbot/links/backfill"] >= gap
    assert after.stats.get("newsbot/links/discovered") == len(DAY_12)  # the walk does not skew the baseline
    record = json.loads(
        sqlite3.connect(db).execute("SELECT catchup FROM crawl_runs ORDER BY id DESC").fetchone()[0]
    )
    assert (record["newest_day"], record["floor"]) == ("2026-03-12", "2026-03-08")
    walked = [day for day, *_ in record["days"]]
    if walk_days == 7:
        assert record["ended"] == "complete_day"
        assert walked == [f"2026-03-{day:02d}" for day in (12, 11, 10, 9, 8)]
        assert [outcome for _, outcome, *_ in record["days"]] == ["complete", "gap", "gap", "gap", "complete"]
    else:
        assert (record["ended"], record["gap_days"]) == ("bound", 2)
        assert walked == ["2026-03-12", "2026-03-11", "2026-03-10"]
    # Missing before the run took them: every story of the 10th and 11th.
    assert {day: missing for day, _, _, missing in record["days"]}["2026-03-11"] == len(DAY_11)

    report = coverage(tmp_path, "--since", "2026-03-06", "--until", "2026-03-12", "--format", "json")
    assert report.returncode == 0, report.log
    status = {day["day"]: day["status"] for day in json.loads(report.stdout)}
    assert status == {
        "2026-03-06": "unknown",  # 404: no list read for those days (by the run before the outage)
        "2026-03-07": "unknown",
        **{f"2026-03-{day:02d}": "complete" for day in (8, 9, 10, 11, 12)},
    }


def test_coverage_names_exactly_the_stories_removed_from_the_archive(outage, tmp_path):
    _, site, seeds = outage
    assert crawl(site, tmp_path, NEWSBOT_SEEDS=seeds).returncode == 0
    db = tmp_path / "newsbot.db"
    removed = {1990023: "2026-03-09", 1990063: "2026-03-10", 1990003: "2026-03-11"}
    with sqlite3.connect(db) as connection:
        connection.executemany("DELETE FROM articles WHERE article_id = ?", [(i,) for i in removed])
    report = coverage(tmp_path, "--since", "2026-03-07", "--until", "2026-03-12", "--format", "csv")
    assert report.returncode == 1, report.log  # days long past have gaps: a timer hears of it
    rows = {row["day"]: row for row in csv.DictReader(io.StringIO(report.stdout))}
    missing = {url for row in rows.values() for url in row["missing_urls"].split()}
    assert missing == {f"https://www.dawn.com/news/{article_id}" for article_id in removed}
    for article_id, day in removed.items():
        assert rows[day]["status"] == "gap" and rows[day]["missing_urls"].endswith(str(article_id))
    assert (rows["2026-03-09"]["listed"], rows["2026-03-09"]["stored"]) == (
        str(len(DAY_9)),
        str(len(DAY_9) - 1),
    )
    assert rows["2026-03-07"]["status"] == "unknown" and rows["2026-03-12"]["status"] == "complete"
    assert "gaps before yesterday: 2026-03-09, 2026-03-10, 2026-03-11" in report.log
    text = coverage(tmp_path, "--since", "2026-03-11", "--until", "2026-03-11")
    assert text.returncode == 1
    assert "missing https://www.dawn.com/news/1990003 (not_stored)" in text.stdout  # downloaded, then lost
    # What the report names, a back-fill of those days collects; then the days are whole.
    refill = run_scrapy(
        ["crawl", "articles", "-a", "since=2026-03-09", "-a", "until=2026-03-11"],
        tmp_path,
        {"NEWSBOT_MIRROR": site.url, "NEWSBOT_DB": str(db), "NEWSBOT_SEEDS": str(seeds), **FAST},
    )
    assert refill.returncode == 0, refill.log[-3000:]
    assert coverage(tmp_path, "--since", "2026-03-08", "--until", "2026-03-12").returncode == 0


def test_a_columnist_reached_only_from_a_card_byline_is_read_to_page_2_and_a_desk_never(site_copy, tmp_path):
    directory, site = site_copy
    # Hina Farooq's column page names her without a link: only her card on /opinion leads to her page.
    column = directory / "news" / "1990201.html"
    column.write_text(
        re.sub(
            r"<a class='story__byline__link' href='[^']*hina-farooq'>(Hina Farooq)</a>",
            r"\1",
            column.read_text(),
        ),
        encoding="utf-8",
    )
    # A desk and an agency byline beside a columnist on a card, and on an opinion piece.
    front = directory / "opinion" / "opinion.html"
    desks = (
        "<a class='story__byline__link' href='https://www.dawn.com/authors/5555/the-newspapers-staff-reporter'>"
        "The Newspaper's Staff Reporter</a><a class='story__byline__link' href='https://www.dawn.com/authors/"
        "5556/reuters'>Reuters</a></span>"
    )
    html = front.read_text(encoding="utf-8")
    html = html.replace(
        "href='https://www.dawn.com/authors/6220/zoya-haroon'>Zoya Haroon</a></span>",
        "href='https://www.dawn.com/authors/6220/zoya-haroon'>Zoya Haroon</a>" + desks,
        1,
    )
    front.write_text(html, encoding="utf-8")
    linking = {
        path.relative_to(directory).as_posix()
        for path in directory.rglob("*.html")
        if "authors/7388/hina-farooq" in path.read_text(encoding="utf-8")
    }
    # Her own pages, and her two columns that only those pages lead to, aside: one card on /opinion.
    assert linking - {
        "opinion/authors-7388-hina-farooq.html",
        "opinion/authors-7388-hina-farooq-2.html",
        "news/1990250.html",
        "news/1990251.html",
    } == {"opinion/opinion.html"}
    result = crawl(site, tmp_path, "opinion")
    assert result.returncode == 0, result.log[-3000:]
    paths = site.paths()
    assert "/authors/7388/hina-farooq" in paths and "/authors/7388/hina-farooq/2" in paths
    assert {1990250, 1990251} <= stored_ids(tmp_path / "newsbot.db")  # only on her pages 1 and 2
    assert not [
        path for path in paths if path.startswith(("/authors/5555/", "/authors/5556/", "/authors/2677/"))
    ]
    assert result.stats["newsbot/authors/desk_bylines"] >= 3  # the two on the card, "Editorial" on pieces
    known = {
        row[0] for row in sqlite3.connect(tmp_path / "newsbot.db").execute("SELECT author_id FROM authors")
    }
    assert 7388 in known and not known & {5555, 5556, 2677}


def test_coverage_refuses_bad_arguments_in_one_line(tmp_path, site_copy):
    _, site = site_copy
    assert crawl(site, tmp_path).returncode == 0
    for args, message in [
        ([], "give the first day with --since"),
        (["--since", "2026-13-01"], "is not a date"),
        (["--since", "2026-03-12", "--until", "2026-03-01"], "is after --until"),
        (["--since", "2026-03-01", "--format", "xml"], "unknown format"),
    ]:
        result = coverage(tmp_path, *args)
        assert result.returncode == 2, (args, result.log)
        assert result.log.strip().count("\n") == 0 and message in result.log, result.log
    missing = run_scrapy(["coverage", "--since", "2026-03-01", "--db", str(tmp_path / "none.db")], tmp_path)
    assert missing.returncode == 2 and "no database" in missing.log
    assert not (tmp_path / "none.db").exists()
