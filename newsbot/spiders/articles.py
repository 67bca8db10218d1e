"""`scrapy crawl articles`: discover Dawn articles from listings, feeds and the sitemap; store each once.

Arguments:
  -a urls=URL[,URL...]   scrape exactly these article pages, no discovery
  -a since=YYYY-MM-DD    also back-fill from the dated lists /latest-news/YYYY-MM-DD down to that day
  -a until=YYYY-MM-DD    newest day of the back-fill (default: today)
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator

from scrapy import Request
from scrapy.http import Response

from newsbot.pages import FeedPage, ListingPage, SitemapPage
from newsbot.processors import canonical_article_url
from newsbot.spiders.arguments import ArticleArguments
from newsbot.spiders.base import NewsbotSpider
from newsbot.spiders.seeds import ArticleStartPoints, load_start_points


class ArticlesSpider(NewsbotSpider):
    name = "articles"
    arguments_class = ArticleArguments
    start_points_class = ArticleStartPoints

    async def start(self) -> AsyncIterator[Request]:
        if self.arguments.urls:
            for url in self.arguments.urls:
                yield self.article_request(canonical_article_url(url) or url)
            return
        points = load_start_points(self.config.seeds, self.name, ArticleStartPoints)
        for url in points.listings:
            yield Request(url, callback=self.parse_listing, errback=self.start_point_failed)
        for url in points.feeds:
            yield Request(url, callback=self.parse_feed, errback=self.start_point_failed)
        for url in points.sitemaps:
            yield Request(url, callback=self.parse_sitemap, errback=self.start_point_failed)
        for url in self.budget.backfill(self.arguments.backfill_days(), points.dated_listing):
            yield self.dated_list_request(url)
        for request in self.retry_failed_requests():
            yield request

    def dated_list_request(self, url: str) -> Request:
        meta = {"newsbot_dated_list": True}
        return Request(url, callback=self.parse_listing, errback=self.start_point_failed, meta=meta)

    def follow_links(
        self, links: Iterable[dict], source: str, counted_as: str = "discovered"
    ) -> Iterator[Request]:
        links = list(links)
        self.stats.inc_value(f"newsbot/{source}/links", len(links))
        for link in links:
            request = self.follow(link["url"], link.get("updated_at"), counted_as=counted_as)
            if request is not None:
                yield request
        self.budget.flush()

    def parse_listing(self, response: Response) -> Iterator[Request]:
        dated = self.dated_list_read(response)
        links = self.read_start_point(response, lambda page: ListingPage(page).links())
        yield from self.follow_links(links or [], "listing", "backfill" if dated else "discovered")

    def parse_feed(self, response: Response) -> Iterator[Request]:
        links = self.read_start_point(response, lambda page: FeedPage(page).links(), html=False)
        yield from self.follow_links(links or [], "feed")

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        limit = self.config.max_sitemap_urls
        read = self.read_start_point(response, lambda page: SitemapPage(page).read(limit), html=False)
        if read is None:
            return
        for url in read.sitemaps:
            yield Request(url, callback=self.parse_sitemap, errback=self.start_point_failed)
        if read.overflow:
            self.budget.defer_sitemap_overflow(read.overflow, response.url)
        yield from self.follow_links(read.links, "sitemap")
