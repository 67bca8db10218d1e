"""`scrapy crawl opinion`: opinion and editorial index pages, their teaser cards, and the full pieces.

A run reads the opinion front, the editorial index and the seeded columnists; then (without arguments)
walks the dated editorial lists back from the day the index shows until the archive is whole
(newsbot.spiders.catchup); then reads the pages of columnists found in bylines that are due
(newsbot.spiders.columnists).

Arguments:
  -a since=YYYY-MM-DD    also read the dated editorial and column lists /newspaper/{editorial,column}/
                         YYYY-MM-DD down to that day
  -a until=YYYY-MM-DD    newest day of that back-fill (default: today)
  -a authors=URL[,URL]   read these author pages instead of the seeded and discovered columnists
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator

from scrapy import Request
from scrapy.http import Response

from newsbot.downloader.capture import capture_of
from newsbot.items import TeaserItem
from newsbot.monitoring.log import count_drop
from newsbot.pages import OpinionIndexPage
from newsbot.processors import author_page
from newsbot.spiders.arguments import OpinionArguments
from newsbot.spiders.columnists import columnists
from newsbot.spiders.dated import DatedListSpider
from newsbot.spiders.seeds import OpinionStartPoints, load_start_points
from newsbot.store.authors import Author


class OpinionSpider(DatedListSpider):
    name = "opinion"
    arguments_class = OpinionArguments
    start_points_class = OpinionStartPoints

    points: OpinionStartPoints | None = None
    phases: list[str]
    """What the run still does once the spider is idle: "walk", then "authors"."""
    index_day: tuple[str, str, int, int] | None = None
    """(day, outcome, listed, missing) of the editorial index: the first day of the catch-up walk."""

    async def start(self) -> AsyncIterator[Request]:
        points = self.points = load_start_points(self.config.seeds, self.name, OpinionStartPoints)
        kind = self.arguments.kind
        self.phases = {"discovery": ["walk", "authors"], "backfill": ["authors"]}.get(kind, [])
        if kind != "targeted":
            self.state.note_authors(filter(None, map(_author, points.authors)), seeded=True)
        for url in points.fronts:
            yield self.index_request(url, "opinion")
        for url in points.editorial_indexes:
            yield self.index_request(url, "editorial")
        for request in self.backfill_requests(self.arguments.backfill_days(), *points.backfill_patterns()):
            yield request
        for url in self.arguments.urls or points.authors:
            yield self.index_request(url, "opinion")
        for request in self.retry_failed_requests():
            yield request

    def next_phase(self) -> Iterable[Request] | None:
        """The catch-up walk once the start points are read, then the columnists that are due."""
        if not self.phases or self.points is None:
            return None
        phase = self.phases.pop(0)
        if phase == "walk":
            if self.index_day is None:  # no index showed its day: the walk has no day to start from
                return self.start_walk(None, self.points.dated_editorial)
            day, outcome, listed, missing = self.index_day
            return self.start_walk(day, self.points.dated_editorial, (outcome, listed, missing))
        return self.columnist_requests()

    def columnist_requests(self) -> Iterator[Request]:
        for author in self.state.authors_due():
            self.stats.inc_value("newsbot/authors/discovered_read")
            yield self.index_request(author.url, "opinion")

    def index_request(
        self, url: str, genre: str, meta: dict | None = None, dont_filter: bool = False
    ) -> Request:
        return Request(
            url,
            callback=self.parse_index,
            errback=self.start_point_failed,
            cb_kwargs={"genre": genre},
            meta=meta,
            dont_filter=dont_filter,
        )

    def list_request(self, url: str, meta: dict, dont_filter: bool = False) -> Request:
        editorial = self.points is None or url.startswith(self.points.dated_editorial.split("{date}")[0])
        return self.index_request(url, "editorial" if editorial else "opinion", meta, dont_filter)

    def parse_index(self, response: Response, genre: str) -> Iterator[Request | TeaserItem]:
        dated = self.dated_list_read(response)
        if dated is not None and not dated.found:
            yield from self.dated_list_done(dated, None, None)
            return
        result = self.read_start_point(response, lambda page: OpinionIndexPage(page).read())
        urls = [teaser.url for teaser in result.teasers if teaser.url] if result is not None else None
        if dated is not None:  # judged before its links are followed: what the run had before it
            yield from self.dated_list_done(dated, result.day if result is not None else None, urls)
        if result is None:
            return
        if dated is None and genre == "editorial" and result.day:  # the editorial index: a whole day
            outcome, missing = self.whole_day_list(response.url, result.day, urls or [])
            if self.index_day is None or result.day > self.index_day[0]:
                self.index_day = (result.day, outcome, len(urls or []), missing)
        self.read_author_page(response.url, result.bylines)
        counted_as = "backfill" if dated is not None else "discovered"
        self.stats.inc_value("newsbot/index/pages")
        self.state.note_page_capture(response.url, capture_of(response))
        self.stats.inc_value("newsbot/index/teasers", len(result.teasers))
        for reason, detail in result.rejected:
            count_drop(self.stats, reason, response.url, detail)
        for teaser in result.teasers:
            yield teaser
            assert teaser.url is not None  # a card without an article link gives no teaser
            request = self.follow(
                teaser.url, teaser.updated_at, genre, counted_as, published_at=teaser.published_at
            )
            if request is not None:
                yield request
        self.budget.flush()
        next_page = self.next_index_page(response.url, result.pages, urls or [])
        if next_page:
            yield self.index_request(next_page, genre)

    def read_author_page(self, url: str, bylines: list[tuple[str, str]]) -> None:
        """The columnists the cards' bylines name are remembered; an author's first page read is noted
        (its schedule starts again)."""
        self.state.note_authors(columnists(bylines, self.stats))  # agencies and desks never
        page = author_page(url)
        if page is not None and page[2] == 1:
            self.state.author_read(Author(page[0], page[1]))

    def next_index_page(self, url: str, pages: list[tuple[int, str]], urls: list[str]) -> str | None:
        """The next numbered page, unless the depth bound is reached or this page held only pieces
        that earlier runs stored."""
        page = author_page(url)
        if page is None:
            return None
        current = page[2]
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


def _author(url: str) -> Author | None:
    page = author_page(url)
    return Author(page[0], page[1]) if page is not None else None
