"""`scrapy crawl articles`: discover Dawn articles from listings, feeds and the sitemap; store each once.

Arguments:
  -a urls=URL[,URL...]   scrape exactly these article pages, no discovery
  -a since=YYYY-MM-DD    also back-fill from the dated lists /latest-news/YYYY-MM-DD down to that day
  -a until=YYYY-MM-DD    newest day of the back-fill (default: today)
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator

from scrapy import Request
from scrapy.exceptions import DontCloseSpider
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

    after_feeds: Iterator[Request] | None = None
    """The other start points, requested once the feeds and the articles they led to are done."""

    async def start(self) -> AsyncIterator[Request]:
        """The feeds first: each article is then checked against the feed copy of it (if any) however
        it was found. Listings, sitemaps, back-fill and retries follow when the spider is idle."""
        if self.arguments.urls:
            for url in self.arguments.urls:
                yield self.article_request(canonical_article_url(url) or url)
            return
        points = load_start_points(self.config.seeds, self.name, ArticleStartPoints)
        later = self.other_start_points(points)
        if not points.feeds:
            for request in later:
                yield request
            return
        self.after_feeds = later
        for url in points.feeds:
            yield Request(url, callback=self.parse_feed, errback=self.start_point_failed)

    def spider_idle(self) -> None:
        """Phase two of a run: the feeds are read, so every article met from here on has its copy. Then
        (phase three, NewsbotSpider) what is left of the budgets goes to the backlog."""
        if self.after_feeds is None:
            super().spider_idle()
            return
        later, self.after_feeds = self.after_feeds, None
        assert self.crawler.engine is not None
        for request in later:
            self.crawler.engine.crawl(request)
        raise DontCloseSpider

    def other_start_points(self, points: ArticleStartPoints) -> Iterator[Request]:
        for url in points.listings:
            yield Request(url, callback=self.parse_listing, errback=self.start_point_failed)
        for url in points.sitemaps:
            yield Request(url, callback=self.parse_sitemap, errback=self.start_point_failed)
        for url in self.budget.backfill(self.arguments.backfill_days(), points.dated_listing):
            yield self.dated_list_request(url)
        yield from self.retry_failed_requests()

    def dated_list_request(self, url: str) -> Request:
        meta = {"newsbot_dated_list": True}
        return Request(url, callback=self.parse_listing, errback=self.start_point_failed, meta=meta)

    def follow_links(
        self, links: Iterable[dict], source: str, counted_as: str = "discovered"
    ) -> Iterator[Request]:
        links = list(links)
        self.stats.inc_value(f"newsbot/{source}/links", len(links))
        for link in links:
            request = self.follow(
                link["url"],
                link.get("updated_at"),
                counted_as=counted_as,
                published_at=link.get("published_at"),
            )
            if request is not None:
                yield request
        self.budget.flush()

    def parse_listing(self, response: Response) -> Iterator[Request]:
        dated = self.dated_list_read(response)
        links = self.read_start_point(response, lambda page: ListingPage(page).links())
        yield from self.follow_links(links or [], "listing", "backfill" if dated else "discovered")

    def parse_feed(self, response: Response) -> Iterator[Request]:
        """The feed's links are followed; its copies of the articles are kept to check them against."""
        page = self.read_start_point(response, FeedPage, html=False)
        if page is None:
            return
        links = self.read_start_point(response, lambda _: page.links(), html=False) or []
        # Copies are read apart from the links: a copy that cannot be read never costs the feed's links.
        copies = self.read_start_point(response, lambda _: page.copies(), False, "feed_copy") or []
        for reason, detail in page.refused:
            self._count_failed("feed_copy", reason, response.url, detail)
        if copies:
            self.state.keep_feed_copies(response.url, copies)
            self.stats.inc_value("newsbot/feed/copies", len(copies))
        yield from self.follow_links(links, "feed")

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
