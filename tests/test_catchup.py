"""The pieces of issue 15 one by one: the catch-up walk's decisions, the day budget shared with
back-fills, whole-day lists and coverage in the store, columnists and desk bylines, the page objects'
new readings. Real SQLite files; no crawl (tests/test_gaps.py crawls)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, TextResponse

from newsbot.config import Config, ConfigError
from newsbot.pages import ArticlePage, ListingPage, OpinionIndexPage
from newsbot.processors import author_page, parse_shown_day
from newsbot.processors.bylines import is_desk_byline
from newsbot.spiders.budget import RunBudget
from newsbot.spiders.catchup import CatchUpWalk
from newsbot.store import Store, authors, backlog, days
from newsbot.store.backlog import Deferred
from tests.conftest import SNAPSHOT, newsbot_crawler

GOLDEN = Path(__file__).parent / "golden"
D = date.fromisoformat

# --- the walk ----------------------------------------------------------------------------------------


def walk_through(walk: CatchUpWalk, newest: str, outcomes: dict[str, str]) -> list[str]:
    """Drive a walk over days whose lists hold `outcomes`; the days it reads."""
    read = []
    day = walk.begin(D(newest))
    while day is not None:
        read.append(day.isoformat())
        day = walk.step(day, outcomes.get(day.isoformat(), "no_list"))
    return read


def test_a_first_run_walks_the_bounded_number_of_days():
    walk = CatchUpWalk(bound=3, floor=None)
    outcomes = {"2026-03-12": "complete", "2026-03-11": "complete", "2026-03-10": "complete"}
    assert walk_through(walk, "2026-03-12", outcomes) == ["2026-03-12", "2026-03-11", "2026-03-10"]
    assert (walk.ended, walk.rest()) == ("bound", [])  # no run says how far back a gap goes


def test_the_walk_ends_at_the_first_complete_day_not_later_than_the_last_run_saw():
    outcomes = {
        "2026-03-12": "complete",  # complete, but later than the last run saw: the gap may be older
        "2026-03-11": "gap",
        "2026-03-10": "no_list",  # counted and skipped
        "2026-03-09": "gap",  # the day the last run saw, with stories published after it ran
        "2026-03-08": "complete",
        "2026-03-07": "complete",
    }
    walk = CatchUpWalk(bound=10, floor=D("2026-03-09"))
    assert walk_through(walk, "2026-03-12", outcomes) == [f"2026-03-{day:02d}" for day in (12, 11, 10, 9, 8)]
    assert walk.ended == "complete_day"
    assert walk.record()["days"][2] == ["2026-03-10", "no_list", 0, 0]


def test_a_gap_longer_than_the_bound_goes_to_the_backfill_budget_down_to_the_day_the_last_run_saw():
    walk = CatchUpWalk(bound=3, floor=D("2026-03-05"))
    assert walk_through(walk, "2026-03-12", {}) == ["2026-03-12", "2026-03-11", "2026-03-10"]
    assert walk.ended == "bound"
    assert walk.rest() == [D(f"2026-03-{day:02d}") for day in (9, 8, 7, 6, 5)]
    assert walk.record()["gap_days"] == 5


def test_out_of_day_budget_the_rest_of_the_walk_is_kept():
    walk = CatchUpWalk(bound=5, floor=None)
    day = walk.begin(D("2026-03-12"))
    walk.step(day, "gap")
    walk.over_budget()
    assert walk.rest() == [D("2026-03-11"), D("2026-03-10"), D("2026-03-09"), D("2026-03-08")]


def test_no_walk_without_a_day_from_the_site_or_with_a_bound_of_zero():
    walk = CatchUpWalk(bound=3, floor=None)
    assert walk.begin(None) is None and walk.ended == "no_newest_day"
    off = CatchUpWalk(bound=0, floor=None)
    assert off.begin(D("2026-03-12")) is None
    assert off.record()["newest_day"] == "2026-03-12"  # still the next runs' floor


def test_walk_days_count_against_the_backfill_day_budget(tmp_path):
    from newsbot.spiders.articles import ArticlesSpider

    crawler = newsbot_crawler(ArticlesSpider, NEWSBOT_DB=str(tmp_path / "b.db"), NEWSBOT_MAX_BACKFILL_DAYS=4)
    spider = ArticlesSpider.from_crawler(crawler)
    spider.state.start_run("articles", {})
    budget = RunBudget(spider.config, spider.state, crawler.stats)
    print_pattern = "https://www.dawn.com/newspaper/{section}/{date}"
    web = "https://www.dawn.com/latest-news/{date}"
    read = budget.backfill([D("2026-03-12"), D("2026-03-11"), D("2026-03-10")], web, print_pattern)
    assert read == [
        (f"https://www.dawn.com/{kind}/2026-03-{day}", f"2026-03-{day}")
        for day in (12, 11, 10)
        for kind in ("latest-news", "newspaper/{section}")
    ]
    assert budget.backfill([D("2026-03-09"), D("2026-03-08")], web) == [
        (web.replace("{date}", "2026-03-09"), "2026-03-09")
    ]
    assert crawler.stats.get_value("newsbot/deferred/backfill_days") == 1
    # Deferred days come back a day (all its lists) at a time, newest first.
    spider.state.defer(
        [
            Deferred("dated_list", f"https://www.dawn.com/x/{n}", "2026-01-0" + str(n // 2))
            for n in range(2, 8)
        ]
    )
    taken = backlog.take_days(spider.state.store, "articles", 2)
    assert [row.newest for row in taken] == ["2026-03-08", "2026-01-03", "2026-01-03"]
    spider.state.close()


def test_catchup_days_within_the_backfill_budget():
    from scrapy.settings import Settings

    assert Config.from_settings(Settings({"NEWSBOT_CATCHUP_DAYS": 0})).catchup_days == 0
    with pytest.raises(
        ConfigError, match="NEWSBOT_CATCHUP_DAYS=40 is more than NEWSBOT_MAX_BACKFILL_DAYS=31"
    ):
        Config.from_settings(Settings({"NEWSBOT_CATCHUP_DAYS": 40}))
    with pytest.raises(ConfigError, match="NEWSBOT_AUTHOR_REVISIT_DAYS"):
        Config.from_settings(Settings({"NEWSBOT_AUTHOR_REVISIT_DAYS": "weekly"}))
    with pytest.raises(ConfigError, match="NEWSBOT_MAX_AUTHORS_PER_RUN"):
        Config.from_settings(Settings({"NEWSBOT_MAX_AUTHORS_PER_RUN": -1}))


# --- the store -----------------------------------------------------------------------------------------


def test_a_list_read_again_holds_what_it_shows_now_and_coverage_says_what_is_missing(store: Store):
    some = json.loads(
        (Path(__file__).parent / "data" / "snapshot_expected.json").read_text(encoding="utf-8")
    )[0]
    store.save_articles([some | {"url": "https://www.dawn.com/news/1", "article_id": 1}], seen_at="t0")
    lists = "https://www.dawn.com/latest-news/2026-03-10"
    urls = [f"https://www.dawn.com/news/{n}" for n in (1, 2, 3)]
    days.record_list(store, "articles", lists, "2026-03-10", urls, "t1", 1)
    days.record_list(store, "articles", lists, "2026-03-10", urls[:2], "t2", 2)  # story 3 taken off the list
    days.record_list(
        store, "opinion", "https://www.dawn.com/newspaper/editorial", "2026-03-11", urls[:1], "t2", 2
    )
    report = {day.day: day for day in days.coverage(store, ["2026-03-09", "2026-03-10", "2026-03-11"])}
    assert [report[day].status for day in sorted(report)] == ["unknown", "gap", "complete"]
    assert (report["2026-03-10"].listed, report["2026-03-10"].stored) == (2, 1)
    assert report["2026-03-10"].missing == [{"url": urls[1], "why": "not_fetched"}]
    assert report["2026-03-11"].lists == ["https://www.dawn.com/newspaper/editorial"]


def test_authors_are_due_never_read_first_then_longest_unread(store: Store):
    found = [authors.Author(n, f"https://www.dawn.com/authors/{n}/x{n}", f"Writer {n}") for n in (1, 2, 3)]
    authors.note(store, found, "2026-03-01T00:00:00+00:00")
    authors.mark_read(store, 1, found[0].url, "2026-03-02T00:00:00+00:00")
    authors.mark_read(store, 2, found[1].url, "2026-03-09T00:00:00+00:00")
    due = authors.due(store, read_before="2026-03-05T00:00:00+00:00", limit=5)
    assert [author.author_id for author in due] == [3, 1]  # 2 was read after the cut-off
    assert [a.author_id for a in authors.due(store, "2026-03-05T00:00:00+00:00", limit=1)] == [3]
    authors.note(store, [authors.Author(3, found[2].url, None)], "2026-03-03T00:00:00+00:00")
    assert authors.due(store, "2026-03-05T00:00:00+00:00", 5)[0].name == "Writer 3"  # a name is kept


# --- values and pages ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "slug", "desk"),
    [
        ("Reuters", None, True),
        ("AFP", None, True),
        ("APP", None, True),
        ("Anadolu Agency", None, True),
        ("Dawn.com", None, True),
        ("Editorial", None, True),
        ("The Newspaper's Staff Reporter", None, True),
        ("The Newspaper\u2019s Staff Reporter", None, True),
        ("Our Correspondent", None, True),
        ("Web Desk", None, True),
        (None, "editorial", True),
        ("Mahir Ali", "mahir-ali", False),
        ("Newsha Rahman", "newsha-rahman", False),  # a name containing "news" is still a name
        ("Hina Farooq", "the-newspapers-staff-reporter", True),  # the page says what it is
    ],
)
def test_desk_and_agency_bylines(name, slug, desk):
    assert is_desk_byline(name, slug) is desk


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://www.dawn.com/authors/322/mahir-ali",
            (322, "https://www.dawn.com/authors/322/mahir-ali", 1),
        ),
        (
            "https://www.dawn.com/authors/322/mahir-ali/3?x=1",
            (322, "https://www.dawn.com/authors/322/mahir-ali", 3),
        ),
        ("https://www.dawn.com/news/1990200", None),
        ("https://images.dawn.com/authors/1/x", None),
    ],
)
def test_author_page(url, expected):
    assert author_page(url) == expected


def test_the_day_a_page_shows():
    assert parse_shown_day("Thursday, June 19, 2025") == "2025-06-19"
    assert parse_shown_day("March 12, 2026") == "2026-03-12"
    assert parse_shown_day("Someday, June 19, 2025") is None
    real = (GOLDEN / "listing" / "latest-news-real" / "page.html").read_bytes()
    listing = ListingPage(
        HtmlResponse("https://www.dawn.com/latest-news", body=real, encoding="utf-8")
    ).read()
    assert listing.day == "2025-06-19"  # the real page's date picker


def snapshot_response(url: str, file: str) -> TextResponse:
    return HtmlResponse(url, body=(SNAPSHOT / file).read_bytes(), encoding="utf-8")


def test_index_cards_and_article_pages_give_their_byline_links():
    index = OpinionIndexPage(snapshot_response("https://www.dawn.com/opinion", "opinion/opinion.html")).read()
    assert ("Imran Baloch", "https://www.dawn.com/authors/7342/imran-baloch") in index.bylines
    assert ("Fauzia Rehman", "https://www.dawn.com/authors/7133/fauzia-rehman") not in index.bylines  # aside
    editorial = snapshot_response(
        "https://www.dawn.com/newspaper/editorial", "opinion/newspaper-editorial.html"
    )
    assert OpinionIndexPage(editorial).read().day == "2026-03-12"
    page = ArticlePage(snapshot_response("https://www.dawn.com/news/1990040", "news/1990040.html"))
    assert page.bylines() == [("Editorial", "https://www.dawn.com/authors/2677/editorial")]


def test_a_walk_goes_on_past_a_day_that_failed_has_no_list_or_shows_another_day(tmp_path):
    from twisted.python.failure import Failure

    from newsbot.spiders.articles import ArticlesSpider

    spider = ArticlesSpider.from_crawler(newsbot_crawler(ArticlesSpider, NEWSBOT_DB=str(tmp_path / "w.db")))
    spider.state.start_run("articles", {})
    [first] = list(spider.start_walk("2026-03-12", "https://www.dawn.com/latest-news/{date}"))
    assert first.url.endswith("/latest-news/2026-03-12") and first.meta["newsbot_walk"] and first.dont_filter
    failure = Failure(TimeoutError("no answer"))
    failure.request = first
    [second] = spider.start_point_failed(failure)  # counted as failed, and the walk goes on
    assert second.url.endswith("/latest-news/2026-03-11")
    [third] = spider.parse_listing(HtmlResponse(second.url, status=404, body=b"", request=second))
    assert third.url.endswith("/latest-news/2026-03-10")
    # A site that answers a missing day with today's list: no list of that day, nothing recorded.
    page = (SNAPSHOT / "pages" / "latest-news-2026-03-12.html").read_bytes()
    followed = list(spider.parse_listing(HtmlResponse(third.url, body=page, encoding="utf-8", request=third)))
    assert all(request.url.startswith("https://www.dawn.com/news/") for request in followed)
    record = spider.walk.record() if spider.walk else {}
    assert [outcome for _, outcome, *_ in record["days"]] == ["failed", "no_list", "no_list"]
    assert record["ended"] == "bound"
    stats = spider.crawler.stats
    assert stats.get_value("newsbot/dated_lists/no_list") == 1
    assert stats.get_value("newsbot/dated_lists/other_day") == 1
    assert next(days.coverage(spider.state.store, ["2026-03-10"])).status == "unknown"
    spider.state.close()
