"""Spider logic: arguments, and the requests callbacks yield for a given response."""

import asyncio
import logging
from datetime import date
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Response, XmlResponse

from newsbot.config import ConfigError
from newsbot.pages import ArticlePage
from newsbot.spiders.arguments import ArticleArguments
from newsbot.spiders.articles import ArticlesSpider
from newsbot.spiders.base import ARTICLE_PRIORITY
from tests.conftest import newsbot_crawler

GOLDEN = Path(__file__).parent / "golden"
CHALLENGE = b"<html><head><title>Just a moment...</title></head><body>cf_chl_opt</body></html>"

TODAY = date(2026, 3, 12)


def test_since_backfills_newest_first_down_to_that_day():
    arguments = ArticleArguments.parse(since="2026-03-10", today=TODAY)
    assert arguments.backfill_days() == [date(2026, 3, 12), date(2026, 3, 11), date(2026, 3, 10)]


def test_until_bounds_the_backfill():
    arguments = ArticleArguments.parse(since="2026-03-01", until="2026-03-02", today=TODAY)
    assert arguments.backfill_days() == [date(2026, 3, 2), date(2026, 3, 1)]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"since": "yesterday"},
        {"since": "2026-03-13"},
        {"until": "2026-03-01"},
        {"urls": "https://www.dawn.com/news/1,https://www.dawn.com/live/x"},
        {"urls": "https://www.dawn.com/news/1", "since": "2026-03-01"},
    ],
)
def test_bad_arguments_raise_config_error(kwargs):
    with pytest.raises(ConfigError):
        ArticleArguments.parse(today=TODAY, **kwargs)


def make_spider(tmp_path, **kwargs):
    crawler = newsbot_crawler(ArticlesSpider, NEWSBOT_DB=str(tmp_path / "s.db"))
    return ArticlesSpider.from_crawler(crawler, **kwargs)


async def collect(generator):
    return [request async for request in generator]


def test_urls_argument_requests_exactly_those_pages(tmp_path):
    spider = make_spider(
        tmp_path, urls="https://www.dawn.com/news/11/a-slug?utm_source=x, https://www.dawn.com/news/amp/12"
    )
    requests = asyncio.run(collect(spider.start()))
    assert [request.url for request in requests] == [
        "https://www.dawn.com/news/11",
        "https://www.dawn.com/news/12",
    ]
    assert all(request.callback == spider.parse_article for request in requests)


def test_feeds_are_requested_first_and_the_other_start_points_when_they_are_done(tmp_path):
    """Every article then meets its feed copy, however it was found (issue 17); spider_idle sends the
    rest (tests/test_crosscheck.py crawls with eight requests at a time to the site)."""
    spider = make_spider(tmp_path)
    points = spider.load_start_points(spider.config.seeds)
    requests = asyncio.run(collect(spider.start()))
    assert [request.url for request in requests] == list(points.feeds)
    assert all(request.callback == spider.parse_feed for request in requests)
    assert spider.after_feeds is not None
    later = list(spider.after_feeds)
    assert [request.url for request in later] == [*points.listings, *points.sitemaps]
    assert [request.callback for request in later] == [spider.parse_listing] * len(points.listings) + [
        spider.parse_sitemap
    ] * len(points.sitemaps)


def test_listing_callback_requests_canonical_article_urls(tmp_path):
    body = b"""<html><body><div class='tabs__pane' id='all'>
      <article class='story  box' data-id='9'><h2 class='story__title '>
        <a class='story__link ' href='https://www.dawn.com/news/5/first?utm_source=rss'>First</a></h2></article>
      <article class='story  box' data-id='8'><h2 class='story__title '>
        <a class='story__link ' href='https://images.dawn.com/news/6/x'>Off-site</a></h2></article>
      <article class='story  box'><h2 class='story__title '>
        <a class='story__link ' href='/news/amp/7'>Relative AMP</a></h2></article>
    </div><aside><article class='story box'><h2 class='story__title'>
        <a class='story__link' href='https://www.dawn.com/news/8/aside'>Aside</a></h2></article></aside></body></html>"""
    spider = make_spider(tmp_path)
    response = HtmlResponse("https://www.dawn.com/latest-news", body=body)
    requests = list(spider.parse_listing(response))
    assert [request.url for request in requests] == [
        "https://www.dawn.com/news/5",
        "https://www.dawn.com/news/7",
    ]
    assert {request.priority for request in requests} == {ARTICLE_PRIORITY}
    assert spider.crawler.stats.get_value("newsbot/listing/links") == 2


def test_sitemap_index_is_followed(tmp_path):
    body = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>https://www.dawn.com/feeds/sitemap?page=2</loc></sitemap></sitemapindex>"""
    spider = make_spider(tmp_path)
    requests = list(spider.parse_sitemap(XmlResponse("https://www.dawn.com/feeds/sitemap", body=body)))
    assert [request.url for request in requests] == ["https://www.dawn.com/feeds/sitemap?page=2"]
    assert requests[0].callback == spider.parse_sitemap


def test_unparseable_article_is_dropped_with_reason_and_url(tmp_path, caplog):
    spider = make_spider(tmp_path)
    response = HtmlResponse(
        "https://www.dawn.com/news/5",
        body=CHALLENGE,
    )
    assert list(spider.parse_article(response)) == []
    assert spider.crawler.stats.get_value("newsbot/dropped/bot_challenge") == 1
    assert "https://www.dawn.com/news/5" in caplog.text


def test_unexpected_extraction_error_is_a_counted_drop_naming_the_url(tmp_path, caplog, monkeypatch):
    """Markup the page object did not foresee must not end in a traceback and a silently lost page."""
    spider = make_spider(tmp_path)
    page = (GOLDEN / "article" / "seed" / "page.html").read_bytes()
    url = "https://www.dawn.com/news/1981650"

    def unforeseen(self):
        raise TypeError("unhashable type: 'dict'")

    monkeypatch.setattr(ArticlePage, "_images", unforeseen)
    caplog.set_level(logging.DEBUG, logger="newsbot.spiders.base")
    assert list(spider.parse_article(HtmlResponse(url, body=page, encoding="utf-8"))) == []
    assert spider.crawler.stats.get_value("newsbot/dropped/extraction_error") == 1
    assert f"Dropped (extraction_error): {url} — TypeError" in caplog.text
    [traceback] = [record for record in caplog.records if record.exc_info]
    assert traceback.levelno == logging.DEBUG and "unforeseen" in caplog.text  # the traceback, at DEBUG
    monkeypatch.undo()
    items = list(spider.parse_article(HtmlResponse(url, body=page, encoding="utf-8")))
    assert [item.url for item in items] == [url]  # the next page is read as usual


def make_opinion_spider(tmp_path, **settings):
    from newsbot.spiders.opinion import OpinionSpider

    crawler = newsbot_crawler(OpinionSpider, NEWSBOT_DB=str(tmp_path / "o.db"), **settings)
    return OpinionSpider.from_crawler(crawler)


AUTHOR = "https://www.dawn.com/authors/322/mahir-ali"
PAGES = [(1, AUTHOR + "/1"), (2, AUTHOR + "/2"), (3, AUTHOR + "/3"), (9, AUTHOR + "/9")]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (AUTHOR, 1),
        (AUTHOR + "/", 1),
        (AUTHOR + "/2", 2),
        ("https://www.dawn.com/opinion", None),
        ("https://evil.example/authors/1/x", None),
    ],
)
def test_author_page_number(url, expected):
    from newsbot.spiders.arguments import author_page_number

    assert author_page_number(url) == expected


def test_pagination_follows_the_next_page_up_to_the_bound(tmp_path):
    spider = make_opinion_spider(tmp_path, NEWSBOT_MAX_INDEX_PAGES=2)
    assert spider.next_index_page(AUTHOR, PAGES, ["https://www.dawn.com/news/1"]) == AUTHOR + "/2"
    assert spider.next_index_page(AUTHOR + "/2", PAGES, ["https://www.dawn.com/news/2"]) is None
    assert spider.crawler.stats.get_value("newsbot/index/stopped_at_max_pages") == 1
    assert spider.next_index_page("https://www.dawn.com/opinion", PAGES, []) is None


def test_pagination_stops_early_when_a_page_holds_only_pieces_stored_before(tmp_path):
    from newsbot.store import Store
    from tests.test_store import article

    store = Store.open(tmp_path / "o.db")
    store.save_articles([article(1), article(2)], seen_at="2026-01-01T00:00:00+00:00")
    store.close()
    spider = make_opinion_spider(tmp_path)
    known = ["https://www.dawn.com/news/1", "https://www.dawn.com/news/2"]
    assert spider.next_index_page(AUTHOR, PAGES, known) is None
    assert spider.crawler.stats.get_value("newsbot/index/stopped_all_known") == 1
    assert spider.next_index_page(AUTHOR, PAGES, [*known, "https://www.dawn.com/news/3"]) == AUTHOR + "/2"


def test_pieces_stored_earlier_in_the_same_run_do_not_stop_pagination(tmp_path):
    from tests.test_store import article

    spider = make_opinion_spider(tmp_path)
    spider.state.start_run("opinion", {})
    spider.state.save_articles([article(1)])
    assert spider.next_index_page(AUTHOR, PAGES, ["https://www.dawn.com/news/1"]) == AUTHOR + "/2"


def test_a_stronger_genre_found_later_in_the_run_reaches_the_pending_request(tmp_path):
    spider = make_opinion_spider(tmp_path)
    url = "https://www.dawn.com/news/77"
    first = spider.follow(url, genre_hint="opinion")
    assert first is not None and not first.dont_filter
    assert spider.follow(url, genre_hint="opinion") is None
    assert spider.follow(url, genre_hint="editorial") is None  # not downloaded yet: no second request
    assert first.cb_kwargs == {"genre_hint": "editorial"}
    assert spider.follow(url, genre_hint="opinion") is None
    assert first.cb_kwargs == {"genre_hint": "editorial"}


def test_a_stronger_genre_after_extraction_fetches_the_page_once_more(tmp_path):
    spider = make_opinion_spider(tmp_path)
    url = "https://www.dawn.com/news/78"
    spider.follow(url, genre_hint="opinion")
    spider.extracted_genre[url] = "opinion"
    again = spider.follow(url, genre_hint="editorial")
    assert again.dont_filter and again.cb_kwargs == {"genre_hint": "editorial"}
    spider.extracted_genre[url] = "editorial"
    assert spider.follow(url, genre_hint="editorial") is None


START_POINT_ANSWERS = {
    "listing answered with a bot challenge": (
        "parse_listing", HtmlResponse, "https://www.dawn.com/latest-news", CHALLENGE, "bot_challenge",
    ),
    "listing answered with binary bytes": (
        "parse_listing", Response, "https://www.dawn.com/latest-news", b"%PDF-1.7\x00\x01", "not_html",
    ),
    "feed answered with a bot challenge": (
        "parse_feed", HtmlResponse, "https://www.dawn.com/feeds/home", CHALLENGE, "bot_challenge",
    ),
    "feed answered with something else": (
        "parse_feed", Response, "https://www.dawn.com/feeds/home", b"\x1f\x8b\x08\x00", "not_a_feed",
    ),
    "sitemap with an empty body": (
        "parse_sitemap", XmlResponse, "https://www.dawn.com/sitemap.xml", b"", "empty_response",
    ),
    "sitemap answered with an HTML page": (
        "parse_sitemap", HtmlResponse, "https://www.dawn.com/sitemap.xml",
        b"<html><body><h1>Down for maintenance</h1></body></html>", "not_a_sitemap",
    ),
    "opinion index answered with binary bytes": (
        "parse_index", Response, "https://www.dawn.com/opinion", b"\x00\x01\x02", "not_html",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", START_POINT_ANSWERS)
def test_a_start_point_that_cannot_be_read_is_a_counted_failure_naming_the_url(tmp_path, caplog, case):
    """Not a traceback (binary bytes, empty sitemap), not a silent page with no links (a challenge)."""
    callback, response_class, url, body, reason = START_POINT_ANSWERS[case]
    spider = make_opinion_spider(tmp_path) if callback == "parse_index" else make_spider(tmp_path)
    parse = getattr(spider, callback)
    response = response_class(url, body=body)
    assert list(parse(response, "opinion") if callback == "parse_index" else parse(response)) == []
    assert spider.crawler.stats.get_value(f"newsbot/failed/start_point/{reason}") == 1
    assert f"Failed start_point ({reason}): {url}" in caplog.text


def test_unforeseen_markup_on_a_listing_is_a_counted_failure_and_the_next_listing_is_read(
    tmp_path, caplog, monkeypatch
):
    from newsbot.pages import ListingPage

    spider = make_spider(tmp_path)
    page = (GOLDEN / "listing" / "latest-news-real" / "page.html").read_bytes()
    url = "https://www.dawn.com/latest-news"
    monkeypatch.setattr(ListingPage, "read", lambda self: {}["no such key"])
    assert list(spider.parse_listing(HtmlResponse(url, body=page, encoding="utf-8"))) == []
    assert spider.crawler.stats.get_value("newsbot/failed/start_point/extraction_error") == 1
    assert f"Failed start_point (extraction_error): {url} — KeyError" in caplog.text
    monkeypatch.undo()
    requests = list(spider.parse_listing(HtmlResponse(url, body=page, encoding="utf-8")))
    assert len(requests) > 10


def _cut_before_body(url: str) -> HtmlResponse:
    page = (GOLDEN / "article" / "seed" / "page.html").read_bytes()
    return HtmlResponse(url, body=page[: page.find(b"<body") - 200], encoding="utf-8")


def _pdf(url: str) -> Response:
    return Response(url, body=b"%PDF-1.7\n" + bytes(64), headers={"Content-Type": "application/pdf"})


@pytest.mark.parametrize(
    ("answer", "reason", "outcome"),
    [
        # Cut off inside <head> (a broken gzip stream, a truncating proxy): a later run tries again.
        (_cut_before_body, "no_body", "fetched"),
        # A PDF at an article URL stays a PDF: remembered as dropped, not downloaded every run.
        (_pdf, "not_html", "dropped"),
    ],
)
def test_a_page_cut_off_before_its_body_is_not_remembered_as_dropped(tmp_path, answer, reason, outcome):
    from newsbot.store.fetches import Fetch, record_fetch, seen_state

    spider = make_spider(tmp_path)
    url = "https://www.dawn.com/news/1981650"
    store = spider.state.store
    record_fetch(store, Fetch(url, 200, "fetched"), "2026-11-26T10:00:00+00:00")
    assert list(spider.parse_article(answer(url))) == []
    assert spider.crawler.stats.get_value(f"newsbot/dropped/{reason}") == 1
    [(recorded,)] = store.connection.execute("SELECT outcome FROM fetches WHERE url = ?", (url,))
    assert recorded == outcome
    # "fetched" without a stored article counts as never seen: the next run that finds the link fetches it.
    assert (seen_state(store, url) is None) == (outcome == "fetched")


def test_links_over_the_budget_wait_newest_first_by_their_published_time(tmp_path):
    """Cards seldom declare an "Updated" time: ordered by that alone the backlog came out oldest id first."""
    crawler = newsbot_crawler(
        ArticlesSpider, NEWSBOT_DB=str(tmp_path / "b.db"), NEWSBOT_MAX_ARTICLE_REQUESTS=1
    )
    spider = ArticlesSpider.from_crawler(crawler)
    spider.state.start_run("articles", {})
    published = {1990005: "2026-03-11T09:00:00+05:00", 1990001: "2026-03-12T10:00:00+05:00",
                 1990009: "2026-03-10T08:00:00+05:00", 1990003: "2026-03-12T11:00:00+05:00"}  # fmt: skip
    links = [{"url": f"https://www.dawn.com/news/{i}", "published_at": when} for i, when in published.items()]
    requested = list(spider.follow_links(links, "listing"))
    assert [request.url for request in requested] == ["https://www.dawn.com/news/1990005"]  # the budget: 1
    waiting = [work.url for work in spider.state.backlog("article", 10)]
    assert waiting == [f"https://www.dawn.com/news/{i}" for i in (1990003, 1990001, 1990009)]


def test_a_dated_list_that_redirects_and_fails_leaves_the_backlog(tmp_path):
    """Its backlog row is keyed by the URL first asked for; the failure came for the redirect target."""
    from scrapy import Request
    from twisted.python.failure import Failure

    from newsbot.store.backlog import Deferred

    spider = make_spider(tmp_path)
    spider.state.start_run("articles", {})
    first = "https://www.dawn.com/latest-news/2026-03-01"
    spider.state.defer([Deferred("dated_list", first, "2026-03-01")])
    moved = Request(first + "/", meta={"newsbot_dated_list": True, "redirect_urls": [first]})
    failure = Failure(ValueError("404 after a redirect"))
    failure.request = moved
    spider.start_point_failed(failure)
    assert spider.state.backlog("dated_list", 10) == []
