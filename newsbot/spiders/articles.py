"""`scrapy crawl articles`: discover Dawn articles from listings, feeds and the sitemap; store each once.

A run without arguments then walks the dated lists /latest-news/YYYY-MM-DD back from the newest day the
site shows until the archive is whole (newsbot.spiders.catchup).

Arguments:
  -a urls=URL[,URL...]   scrape exactly these article pages, no discovery
  -a since=YYYY-MM-DD    also back-fill from the dated lists /latest-news/YYYY-MM-DD and the print
                         edition's sections /newspaper/{section}/YYYY-MM-DD down to that day
  -a until=YYYY-MM-DD    newest day of the back-fill (default: today)
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator

from scrapy import Request
from scrapy.http import Response

from newsbot.pages import FeedPage, ListingPage, SitemapPage
from newsbot.processors import canonical_article_url
from newsbot.spiders.arguments import ArticleArguments
from newsbot.spiders.dated import DatedListSpider
from newsbot.spiders.seeds import ArticleStartPoints, load_start_points


class ArticlesSpider(DatedListSpider):
    name = "articles"
    arguments_class = ArticleArguments
    start_points_class = ArticleStartPoints

    points: ArticleStartPoints | None = None
    after_feeds: Iterator[Request] | None = None
    """The other start points, requested once the feeds and the articles they led to are done."""
    walked = True
    """Whether the catch-up walk was started (only a discovery run has one: set in start())."""
    newest_shown: str | None = None
    """The newest day a listing says it shows (its date picker): where the catch-up walk starts."""
    newest_linked: str | None = None
    """The newest day of a story the start points link (if no listing shows its day)."""

    async def start(self) -> AsyncIterator[Request]:
        """The feeds first: each article is then checked against the feed copy of it (if any) however
        it was found. Listings, sitemaps, back-fill and retries follow when the spider is idle, then the
        catch-up walk."""
        if self.arguments.urls:
            for url in self.arguments.urls:
                yield self.article_request(canonical_article_url(url) or url)
            return
        points = self.points = load_start_points(self.config.seeds, self.name, ArticleStartPoints)
        self.walked = self.arguments.kind != "discovery"
        later = self.other_start_points(points)
        if not points.feeds:
            for request in later:
                yield request
            return
        self.after_feeds = later
        for url in points.feeds:
            yield Request(url, callback=self.parse_feed, errback=self.start_point_failed)

    def next_phase(self) -> Iterable[Request] | None:
        """Phase two: the feeds are read, so every article met from here on has its copy. Phase three:
        the start points are done, so the catch-up walk knows what they gave. Then (NewsbotSpider) what
        is left of the budgets goes to the backlog."""
        if self.after_feeds is not None:
            later, self.after_feeds = self.after_feeds, None
            return later
        if not self.walked and self.points is not None:
            self.walked = True
            return self.start_walk(self.newest_shown or self.newest_linked, self.points.dated_listing)
        return None

    def other_start_points(self, points: ArticleStartPoints) -> Iterator[Request]:
        for url in points.listings:
            yield Request(url, callback=self.parse_listing, errback=self.start_point_failed)
        for url in points.sitemaps:
            yield Request(url, callback=self.parse_sitemap, errback=self.start_point_failed)
        yield from self.backfill_requests(self.arguments.backfill_days(), *points.backfill_patterns())
        yield from self.retry_failed_requests()

    def list_request(self, url: str, meta: dict, dont_filter: bool = False) -> Request:
        return Request(
            url, self.parse_listing, meta=meta, errback=self.start_point_failed, dont_filter=dont_filter
        )

    def print_sections(self) -> tuple[str, ...]:
        return self.points.print_sections if self.points is not None else ()

    def follow_links(
        self, links: Iterable[dict], source: str, counted_as: str = "discovered"
    ) -> Iterator[Request]:
        links = list(links)
        self.stats.inc_value(f"newsbot/{source}/links", len(links))
        for link in links:
            when = link.get("published_at") or link.get("updated_at")
            if when and counted_as == "discovered":
                self.newest_linked = max(self.newest_linked or "", when[:10])
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
        if dated is not None and not dated.found:
            yield from self.dated_list_done(dated, None, None)
            return
        listing = self.read_start_point(response, lambda page: ListingPage(page).read())
        links = listing.links if listing is not None else []
        if dated is not None:  # judged before its links are followed: what the run had before it
            urls = [link["url"] for link in links] if listing is not None else None
            yield from self.dated_list_done(dated, listing.day if listing is not None else None, urls)
        elif listing is not None and listing.day:
            self.newest_shown = max(self.newest_shown or "", listing.day)
        yield from self.follow_links(links, "listing", "backfill" if dated else "discovered")

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
