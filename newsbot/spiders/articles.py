"""`scrapy crawl articles`: discover Dawn articles from listings, feeds and the sitemap; store each once.

Arguments:
  -a urls=URL[,URL...]   scrape exactly these article pages, no discovery
  -a since=YYYY-MM-DD    also back-fill from the dated lists /latest-news/YYYY-MM-DD down to that day
  -a until=YYYY-MM-DD    newest day of the back-fill (default: today)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from scrapy import Request
from scrapy.http import Response

from newsbot.config import ConfigError
from newsbot.pages import FeedPage, ListingPage, SitemapPage
from newsbot.processors import canonical_article_url
from newsbot.seeds import article_start_points
from newsbot.spiders.base import NewsbotSpider, days_newest_first, parse_day_range, parse_url_list


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
        wanted = parse_url_list(
            "urls",
            urls,
            canonical_article_url,
            "www.dawn.com article URLs (https://www.dawn.com/news/{id}[/slug])",
        )
        since_day, until_day = parse_day_range(since, until, today or date.today())
        if wanted and since_day:
            raise ConfigError("urls= scrapes exactly the given pages; it cannot be combined with since=")
        return cls(urls=wanted, since=since_day, until=until_day)

    def backfill_days(self) -> list[date]:
        """Dates from until down to since, newest first."""
        return days_newest_first(self.since, self.until)


class ArticlesSpider(NewsbotSpider):
    name = "articles"
    arguments_class = ArticleArguments

    def __init__(self, *args, urls=None, since=None, until=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.arguments = ArticleArguments.parse(urls=urls, since=since, until=until)

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.start_points = article_start_points(spider.config.seeds)
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
        for request in self.retry_failed_requests():
            yield request

    def follow_links(self, links: list[dict], source: str):
        self.crawler.stats.inc_value(f"newsbot/{source}/links", len(links))
        for link in links:
            request = self.follow(link)
            if request is not None:
                yield request

    def parse_listing(self, response: Response):
        links = self.read_start_point(response, lambda page: ListingPage(page).links())
        yield from self.follow_links(links or [], "listing")

    def parse_feed(self, response: Response):
        links = self.read_start_point(response, lambda page: FeedPage(page).links(), html=False)
        yield from self.follow_links(links or [], "feed")

    def parse_sitemap(self, response: Response):
        read = self.read_start_point(response, _read_sitemap, html=False)
        sitemaps, links = read or ([], [])
        for url in sitemaps:
            yield Request(url, callback=self.parse_sitemap, errback=self.start_point_failed)
        yield from self.follow_links(links, "sitemap")


def _read_sitemap(response: Response) -> tuple[list[str], list[dict]]:
    page = SitemapPage(response)
    return page.sitemaps(), page.links()
