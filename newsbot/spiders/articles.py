"""`scrapy crawl articles`: discover Dawn articles from listings, feeds and the sitemap; store each once.

Arguments:
  -a urls=URL[,URL...]   scrape exactly these article pages, no discovery
  -a since=YYYY-MM-DD    also back-fill from the dated lists /latest-news/YYYY-MM-DD down to that day
  -a until=YYYY-MM-DD    newest day of the back-fill (default: today)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from scrapy import Request, Spider
from scrapy.http import Response
from twisted.python.failure import Failure

from newsbot.config import Config, ConfigError
from newsbot.drops import count_drop
from newsbot.pages import ArticlePage, FeedPage, ListingPage, PageError, SitemapPage
from newsbot.processors import canonical_article_url
from newsbot.seeds import article_start_points

logger = logging.getLogger(__name__)
ARTICLE_PRIORITY = 10  # articles before more listings keeps the request queue short


@dataclass(frozen=True)
class ArticleArguments:
    urls: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None

    @classmethod
    def parse(
        cls,
        urls: str | None = None,
        since: str | None = None,
        until: str | None = None,
        today: date | None = None,
    ) -> ArticleArguments:
        """Check the spider's -a arguments; ConfigError says what to fix."""
        today = today or date.today()
        wanted = tuple(url.strip() for url in (urls or "").split(",") if url.strip())
        bad = [url for url in wanted if canonical_article_url(url) is None]
        if bad:
            raise ConfigError(
                "urls: not www.dawn.com article URLs (expected https://www.dawn.com/news/{id}[/slug]): "
                + ", ".join(bad)
            )
        since_day = _day("since", since)
        until_day = _day("until", until) or (today if since_day else None)
        if until_day and not since_day:
            raise ConfigError("until is only meaningful with since=YYYY-MM-DD")
        if since_day and since_day > until_day:
            raise ConfigError(f"since={since_day} is after until={until_day}")
        if until_day and until_day > today:
            raise ConfigError(f"until={until_day} is in the future")
        if wanted and since_day:
            raise ConfigError("urls= scrapes exactly the given pages; it cannot be combined with since=")
        return cls(urls=wanted, since=since_day, until=until_day)

    def backfill_days(self) -> list[date]:
        """Dates from until down to since, newest first."""
        if not self.since:
            return []
        span = (self.until - self.since).days
        return [self.until - timedelta(days=offset) for offset in range(span + 1)]


def _day(name: str, value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ConfigError(f"{name}={value!r} is not a date in the form YYYY-MM-DD") from None


class ArticlesSpider(Spider):
    name = "articles"
    allowed_domains = ["www.dawn.com"]

    arguments_class = ArticleArguments

    def __init__(self, *args, urls=None, since=None, until=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.arguments = ArticleArguments.parse(urls=urls, since=since, until=until)

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.config = Config.from_settings(crawler.settings)
        spider.start_points = article_start_points(spider.config.seeds)
        if spider.config.contact:
            spider.user_agent = f"{crawler.settings.get('USER_AGENT')} contact: {spider.config.contact}"
        elif not (spider.config.mirror_url or spider.config.mirror_dir):
            logger.warning("NEWSBOT_CONTACT is not set: the site cannot reach whoever runs this crawl")
        return spider

    async def start(self):
        if self.arguments.urls:
            for url in self.arguments.urls:
                yield self.article_request(canonical_article_url(url))
            return
        points = self.start_points
        for url in points.listings:
            yield Request(url, callback=self.parse_listing, errback=self.start_point_failed)
        for url in points.feeds:
            yield Request(url, callback=self.parse_feed, errback=self.start_point_failed)
        for url in points.sitemaps:
            yield Request(url, callback=self.parse_sitemap, errback=self.start_point_failed)
        for day in self.arguments.backfill_days():
            url = points.dated_listing.format(date=day.isoformat())
            yield Request(url, callback=self.parse_listing, errback=self.start_point_failed)

    def article_request(self, url: str, genre_hint: str | None = None) -> Request:
        return Request(
            url,
            callback=self.parse_article,
            errback=self.article_failed,
            priority=ARTICLE_PRIORITY,
            cb_kwargs={"genre_hint": genre_hint},
        )

    def follow_links(self, links: list[dict], source: str):
        self.crawler.stats.inc_value(f"newsbot/{source}/links", len(links))
        for link in links:
            yield self.article_request(link["url"])

    def parse_listing(self, response: Response):
        yield from self.follow_links(ListingPage(response).links(), "listing")

    def parse_feed(self, response: Response):
        yield from self.follow_links(FeedPage(response).links(), "feed")

    def parse_sitemap(self, response: Response):
        page = SitemapPage(response)
        for url in page.sitemaps():
            yield Request(url, callback=self.parse_sitemap, errback=self.start_point_failed)
        yield from self.follow_links(page.links(), "sitemap")

    def parse_article(self, response: Response, genre_hint: str | None = None):
        try:
            item = ArticlePage(response, genre_hint=genre_hint).item()
        except PageError as error:
            count_drop(self.crawler.stats, error.reason, response.url, error.detail)
            return
        self.crawler.stats.inc_value("newsbot/articles/extracted")
        yield item

    def article_failed(self, failure: Failure):
        self._count_failure("article", failure)

    def start_point_failed(self, failure: Failure):
        self._count_failure("start_point", failure)

    def _count_failure(self, kind: str, failure: Failure) -> None:
        response = getattr(failure.value, "response", None)
        reason = f"http_{response.status}" if response is not None else type(failure.value).__name__
        self.crawler.stats.inc_value(f"newsbot/failed/{kind}/{reason}")
        logger.warning("Failed %s (%s): %s", kind, reason, failure.request.url)
