"""`scrapy crawl opinion`: opinion and editorial index pages, their teaser cards, and the full pieces.

Arguments:
  -a since=YYYY-MM-DD    also read the dated editorial lists /newspaper/editorial/YYYY-MM-DD down to that day
  -a until=YYYY-MM-DD    newest day of that back-fill (default: today)
  -a authors=URL[,URL]   read these author pages instead of the seeded columnists
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

from scrapy import Request
from scrapy.http import Response

from newsbot.downloader.capture import capture_of
from newsbot.items import TeaserItem
from newsbot.monitoring.log import count_drop
from newsbot.pages import OpinionIndexPage
from newsbot.spiders.arguments import OpinionArguments, author_page_number
from newsbot.spiders.base import NewsbotSpider
from newsbot.spiders.seeds import OpinionStartPoints, load_start_points


class OpinionSpider(NewsbotSpider):
    name = "opinion"
    arguments_class = OpinionArguments
    start_points_class = OpinionStartPoints

    async def start(self) -> AsyncIterator[Request]:
        points = load_start_points(self.config.seeds, self.name, OpinionStartPoints)
        for url in points.fronts:
            yield self.index_request(url, "opinion")
        for url in points.editorial_indexes:
            yield self.index_request(url, "editorial")
        for url in self.budget.backfill(self.arguments.backfill_days(), points.dated_editorial):
            yield self.dated_list_request(url)
        for url in self.arguments.urls or points.authors:
            yield self.index_request(url, "opinion")
        for request in self.retry_failed_requests():
            yield request

    def index_request(self, url: str, genre: str, meta: dict | None = None) -> Request:
        return Request(
            url,
            callback=self.parse_index,
            errback=self.start_point_failed,
            cb_kwargs={"genre": genre},
            meta=meta,
        )

    def dated_list_request(self, url: str) -> Request:
        return self.index_request(url, "editorial", meta={"newsbot_dated_list": True})

    def parse_index(self, response: Response, genre: str) -> Iterator[Request | TeaserItem]:
        counted_as = "backfill" if self.dated_list_read(response) else "discovered"
        result = self.read_start_point(response, lambda page: OpinionIndexPage(page).read())
        if result is None:
            return
        self.stats.inc_value("newsbot/index/pages")
        self.state.note_page_capture(response.url, capture_of(response))
        self.stats.inc_value("newsbot/index/teasers", len(result.teasers))
        for reason, detail in result.rejected:
            count_drop(self.stats, reason, response.url, detail)
        urls = []
        for teaser in result.teasers:
            yield teaser
            assert teaser.url is not None  # a card without an article link gives no teaser
            urls.append(teaser.url)
            request = self.follow(
                teaser.url, teaser.updated_at, genre, counted_as, published_at=teaser.published_at
            )
            if request is not None:
                yield request
        self.budget.flush()
        next_page = self.next_index_page(response.url, result.pages, urls)
        if next_page:
            yield self.index_request(next_page, genre)

    def next_index_page(self, url: str, pages: list[tuple[int, str]], urls: list[str]) -> str | None:
        """The next numbered page, unless the depth bound is reached or this page held only pieces
        that earlier runs stored."""
        current = author_page_number(url)
        if current is None:
            return None
        following = dict(pages).get(current + 1)
        if following is None:
            return None
        if current + 1 > self.config.max_index_pages:
            self.stats.inc_value("newsbot/index/stopped_at_max_pages")
            return None
        if urls and self.state.all_stored_before(urls):
            self.stats.inc_value("newsbot/index/stopped_all_known")
            return None
        return following
