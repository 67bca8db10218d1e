"""`scrapy crawl opinion`: opinion and editorial index pages, their teaser cards, and the full pieces.

Arguments:
  -a since=YYYY-MM-DD    also read the dated editorial lists /newspaper/editorial/YYYY-MM-DD down to that day
  -a until=YYYY-MM-DD    newest day of that back-fill (default: today)
  -a authors=URL[,URL]   read these author pages instead of the seeded columnists
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.http import Response

from newsbot.drops import count_drop
from newsbot.pages import OpinionIndexPage
from newsbot.processors import utc_now_iso
from newsbot.seeds import opinion_start_points
from newsbot.spiders.base import NewsbotSpider, days_newest_first, parse_day_range, parse_url_list

AUTHOR_PAGE = re.compile(r"^/authors/\d+/[^/]+(?:/(?P<page>\d+))?/?$")


def author_page_number(url: str) -> int | None:
    """1 for /authors/{id}/{slug}, N for /authors/{id}/{slug}/N, None for a URL that is not an author page."""
    parts = urlsplit(url)
    match = AUTHOR_PAGE.match(parts.path) if parts.hostname == "www.dawn.com" else None
    if not match:
        return None
    return int(match.group("page") or 1)


@dataclass(frozen=True)
class OpinionArguments:
    since: date | None = None
    until: date | None = None
    authors: tuple[str, ...] = ()

    @classmethod
    def parse(
        cls,
        since: str | None = None,
        until: str | None = None,
        authors: str | None = None,
        today: date | None = None,
    ) -> OpinionArguments:
        pages = parse_url_list(
            "authors",
            authors,
            author_page_number,
            "www.dawn.com author pages (https://www.dawn.com/authors/{id}/{slug})",
        )
        since_day, until_day = parse_day_range(since, until, today or date.today())
        return cls(since=since_day, until=until_day, authors=pages)


class OpinionSpider(NewsbotSpider):
    name = "opinion"
    arguments_class = OpinionArguments

    def __init__(self, *args, since=None, until=None, authors=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.arguments = OpinionArguments.parse(since=since, until=until, authors=authors)

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.start_points = opinion_start_points(spider.config.seeds)
        spider.started_at = utc_now_iso()
        return spider

    async def start(self):
        points = self.start_points
        for url in points.fronts:
            yield self.index_request(url, "opinion")
        for url in points.editorial_indexes:
            yield self.index_request(url, "editorial")
        for day in days_newest_first(self.arguments.since, self.arguments.until):
            yield self.index_request(points.dated_editorial.format(date=day.isoformat()), "editorial")
        for url in self.arguments.authors or points.authors:
            yield self.index_request(url, "opinion")
        for request in self.retry_failed_requests():
            yield request

    def index_request(self, url: str, genre: str) -> Request:
        return Request(
            url, callback=self.parse_index, errback=self.start_point_failed, cb_kwargs={"genre": genre}
        )

    def parse_index(self, response: Response, genre: str):
        result = self.read_start_point(response, lambda page: OpinionIndexPage(page).read())
        if result is None:
            return
        stats = self.crawler.stats
        stats.inc_value("newsbot/index/pages")
        stats.inc_value("newsbot/index/teasers", len(result.teasers))
        for reason, detail in result.rejected:
            count_drop(stats, reason, response.url, detail)
        for teaser in result.teasers:
            yield teaser
            request = self.follow({"url": teaser.url, "updated_at": teaser.updated_at}, genre_hint=genre)
            if request is not None:
                yield request
        next_page = self.next_index_page(
            response.url, result.pages, [teaser.url for teaser in result.teasers]
        )
        if next_page:
            yield self.index_request(next_page, genre)

    def next_index_page(self, url: str, pages: list[tuple[int, str]], urls: list[str]) -> str | None:
        """The next numbered page, unless the depth bound is reached or this page held only known pieces."""
        current = author_page_number(url)
        if current is None:
            return None
        following = dict(pages).get(current + 1)
        if following is None:
            return None
        if current + 1 > self.config.max_index_pages:
            self.crawler.stats.inc_value("newsbot/index/stopped_at_max_pages")
            return None
        if urls and self.all_stored(urls):
            self.crawler.stats.inc_value("newsbot/index/stopped_all_known")
            return None
        return following

    def all_stored(self, urls: list[str]) -> bool:
        """True when every piece on the page was stored by an earlier run (not just earlier in this one)."""
        return self.archive_store().known_urls(urls, stored_before=self.started_at) == set(urls)
