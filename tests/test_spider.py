"""Spider logic: arguments, and the requests callbacks yield for a given response."""

import asyncio
from datetime import date

import pytest
from scrapy.http import HtmlResponse, XmlResponse
from scrapy.utils.test import get_crawler

from newsbot.config import ConfigError
from newsbot.spiders.articles import ArticleArguments, ArticlesSpider
from newsbot.spiders.base import ARTICLE_PRIORITY

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
    crawler = get_crawler(ArticlesSpider, {"NEWSBOT_DB": str(tmp_path / "s.db")})
    crawler.stats.open_spider()
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
        body=b"<html><head><title>Just a moment...</title></head><body>cf_chl_opt</body></html>",
    )
    assert list(spider.parse_article(response)) == []
    assert spider.crawler.stats.get_value("newsbot/dropped/bot_challenge") == 1
    assert "https://www.dawn.com/news/5" in caplog.text
