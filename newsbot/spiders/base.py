"""What every newsbot spider shares: the article request and callback, start-point reading, failures."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar, Self, TypeVar

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector
from twisted.python.failure import Failure

from newsbot.config import Config
from newsbot.downloader.capture import EARLIER_CAPTURE_META, capture_of
from newsbot.items import ArticleItem, is_stronger_genre
from newsbot.monitoring.log import count_drop
from newsbot.pages import ArticlePage, PageError
from newsbot.pages.common import unreadable_reason
from newsbot.spiders.arguments import SpiderArguments
from newsbot.spiders.budget import RunBudget
from newsbot.spiders.columnists import columnists
from newsbot.spiders.revisit import CONDITIONAL_REASONS, later_than, revisit_reason
from newsbot.spiders.seeds import StartPoints, load_start_points
from newsbot.store.backlog import Deferred
from newsbot.store.state import CrawlState

logger = logging.getLogger(__name__)
# A page cut off before its <body> (a broken gzip stream, a truncating proxy) is not remembered as
# dropped: the next run that finds its link downloads it again, as after an extraction error.
CUT_OFF_REASONS = {"no_body"}
ARTICLE_PRIORITY = 10  # articles before more listings keeps the request queue short
T = TypeVar("T")


def unforeseen(error: Exception, url: str) -> str:
    """An exception a page object did not foresee: its traceback at DEBUG, one line for the WARNING."""
    logger.debug("Extraction error on %s", url, exc_info=error)
    return f"{type(error).__name__}: {error}"


def requested_url(response: Response) -> str:
    """The URL the spider asked for (a redirect to the slug form changes response.url)."""
    return first_url(response.request) if response.request is not None else response.url


def first_url(request: Request) -> str:
    """The URL a request was first made for, before any redirect."""
    return (request.meta.get("redirect_urls") or [request.url])[0]


class NewsbotSpider(Spider):
    allowed_domains = ["www.dawn.com"]

    arguments_class: ClassVar[type[SpiderArguments]]
    start_points_class: ClassVar[type[StartPoints]]
    arguments: SpiderArguments
    in_run: dict[str, Request]
    """url -> its article request in this run (a later, stronger genre hint or a later declared change
    found for the same URL updates it while it is pending)."""
    extracted_genre: dict[str, str]
    """url -> genre of the item its page gave in this run."""
    downloaded: set[str]
    """Article URLs whose download came back in this run (a page or a 304)."""

    def __init__(self, *args: Any, **kwargs: Any):
        given = {name: kwargs.pop(name) for name in self.arguments_class.names() if name in kwargs}
        super().__init__(*args, **kwargs)
        self.arguments = self.arguments_class.parse(**given)
        self.in_run = {}
        self.extracted_genre = {}
        self.downloaded = set()

    @classmethod
    def load_start_points(cls, seeds: Path) -> StartPoints:
        """This spider's section of the start-points file (`scrapy crawl` checks it before the crawl)."""
        return load_start_points(seeds, cls.name, cls.start_points_class)

    @cached_property
    def state(self) -> CrawlState:
        """The crawl's one owner of the archive, the run and the clock. (Scrapy builds the spider before
        the extensions, so it is looked up on first use, once the crawl runs.)"""
        return CrawlState.of(self.crawler)

    @property
    def config(self) -> Config:
        return self.state.config

    @cached_property
    def budget(self) -> RunBudget:
        """This run's bounds on work, and the backlog it spends them on once its start points are done."""
        return RunBudget(self.config, self.state, self.stats)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.spider_idle, signal=signals.spider_idle)
        return spider

    def next_phase(self) -> Iterable[Request] | None:
        """The requests of the run's next phase once the spider is idle; None when no phase is left."""
        return None

    def spider_idle(self) -> None:
        """The spider is idle: the next phase of the run, if one has work; then what is left of the
        budgets goes to the backlog, newest first."""
        if self.crawler.engine is None:
            return
        while (phase := self.next_phase()) is not None:
            self._crawl_now(list(phase))
        while work := self.budget.next_from_backlog():
            requests = [request for each in work for request in self.backlog_requests(each)]
            self.budget.flush()
            self._crawl_now(requests)
        self.budget.flush()

    def _crawl_now(self, requests: list[Request]) -> None:
        """Schedule these requests and keep the spider open; with none, return (the next work)."""
        if requests:
            for request in requests:
                self.crawler.engine.crawl(request)
            raise DontCloseSpider

    def backlog_requests(self, work: Deferred) -> list[Request]:
        if work.kind == "dated_list":
            return self.dated_list_requests(work.url, work.newest)
        request = self.follow(work.url, work.declared_at, work.genre_hint, "backlog", work.newest)
        return [request] if request is not None else []

    def dated_list_requests(self, url: str, day: str) -> list[Request]:
        raise NotImplementedError  # a dated list of the backlog: newsbot.spiders.dated

    @property
    def stats(self) -> StatsCollector:
        assert self.crawler.stats is not None
        return self.crawler.stats

    def retry_failed_requests(self) -> Iterator[Request]:
        """Requests for article URLs whose download failed in an earlier run: they are not forgotten."""
        for url in self.state.failed_urls():
            self.stats.inc_value("newsbot/requests/retry_failed")
            yield self.article_request(url)

    def follow(
        self,
        url: str,
        updated_at: str | None = None,
        genre_hint: str | None = None,
        counted_as: str = "discovered",
        published_at: str | None = None,
    ) -> Request | None:
        """A request for an article link, or None when it needs no download now (or not in this run:
        over the download budget it waits in the backlog, newest first by `updated_at or published_at`).

        `updated_at` is the change time the link's card or sitemap entry declares, if any. Links are
        counted as `newsbot/links/<counted_as>`: "discovered" for the start points, whose volume the
        health check judges; "backfill" for dated lists; "backlog" for links an earlier run deferred.
        """
        self.stats.inc_value(f"newsbot/links/{counted_as}")
        if url in self.in_run:
            return self._reached_again(url, updated_at, genre_hint)
        state = self.state.seen_state(url)
        window = timedelta(hours=self.config.revisit_hours)
        reason = revisit_reason(updated_at, state, self.state.now(), window, genre_hint)
        if reason is None:
            self.stats.inc_value("newsbot/skipped/known")
            if counted_as == "backlog":
                self.state.backlog_done("article", url)
            return None
        if not self.budget.article_allowed():
            self.budget.defer_article(url, updated_at, genre_hint, newest=updated_at or published_at)
            return None
        self.stats.inc_value(f"newsbot/requests/{reason}")
        # A revisit for a possible edit is conditional; a genre upgrade needs the page even if unchanged.
        validators = state if reason in CONDITIONAL_REASONS else None
        return self.article_request(url, genre_hint, validators, declared=updated_at)

    def _reached_again(self, url: str, updated_at: str | None, genre_hint: str | None) -> Request | None:
        """A link already requested in this run. A later declared change and a more specific genre are
        passed to the pending request; only when the page was already extracted with a weaker genre is
        it fetched once more."""
        pending = self.in_run[url]
        declared = pending.meta.get("newsbot_declared")
        if updated_at and (declared is None or later_than(updated_at, declared)):
            pending.meta["newsbot_declared"] = updated_at
            if url in self.downloaded:  # the copy we hold came in this run, after this declaration
                self.state.note_declared(url, updated_at)
        cb_kwargs = pending.cb_kwargs
        if not is_stronger_genre(genre_hint, cb_kwargs["genre_hint"]):
            return None
        cb_kwargs["genre_hint"] = genre_hint  # the callback has not run yet: it will use this hint
        extracted = self.extracted_genre.get(url)
        if extracted is None or not is_stronger_genre(genre_hint, extracted):
            return None
        self.stats.inc_value("newsbot/requests/genre_refetch")
        return self.article_request(
            url, genre_hint, declared=pending.meta.get("newsbot_declared"), again=True
        )

    def article_request(
        self,
        url: str,
        genre_hint: str | None = None,
        validators: dict | None = None,
        declared: str | None = None,
        again: bool = False,
    ) -> Request:
        """An article download; a revisit is conditional on the validators the server sent before.
        `declared` is the change time the site declared for the page (recorded with the download);
        `again` requests a page already downloaded in this run (past the duplicate filter)."""
        headers = {}
        meta = {"newsbot_article": True, "handle_httpstatus_list": [304], "newsbot_declared": declared}
        if validators and validators.get("etag"):
            headers["If-None-Match"] = validators["etag"]
        if validators and validators.get("last_modified"):
            headers["If-Modified-Since"] = validators["last_modified"]
        if validators and validators.get("warc_record_id"):
            # What a 304 revisit record refers to: the capture the stored article came from.
            meta[EARLIER_CAPTURE_META] = (validators["warc_record_id"], validators["warc_date"])
        self.budget.count_article()
        request = Request(
            url,
            headers=headers,
            callback=self.parse_article,
            errback=self.article_failed,
            priority=ARTICLE_PRIORITY,
            cb_kwargs={"genre_hint": genre_hint},
            meta=meta,
            dont_filter=again,
        )
        self.in_run[url] = request
        return request

    def parse_article(self, response: Response, genre_hint: str | None = None) -> Iterator[ArticleItem]:
        self.downloaded.add(requested_url(response))
        if response.status == 304:
            return  # unchanged since our last download; FetchRecorder bumped last_seen
        self.stats.inc_value("newsbot/articles/responses")
        try:
            page = ArticlePage(response, genre_hint=genre_hint)
            item = page.item()
        except PageError as error:
            count_drop(self.stats, error.reason, response.url, error.detail)
            if error.reason not in CUT_OFF_REASONS:
                self.state.mark_dropped(response.url)
            return
        except Exception as error:  # noqa: BLE001 - markup the page object did not foresee
            # A fault of ours, not of the page: counted and named like any drop (the health check's
            # dropped share sees it), and the page is not marked dropped, so the next run downloads it
            # again, by then perhaps with the fix.
            detail = unforeseen(error, response.url)
            count_drop(self.stats, "extraction_error", response.url, detail)
            return
        self.stats.inc_value("newsbot/articles/extracted")
        if item.url:
            self.extracted_genre[item.url] = item.genre
            self.state.note_capture(item.url, capture_of(response))
        if item.genre != "news":  # a column's byline leads to its writer's other columns
            self.state.note_authors(columnists(page.bylines(), self.stats))
        yield item

    def read_start_point(
        self, response: Response, read: Callable[[Response], T], html: bool = True, kind: str = "start_point"
    ) -> T | None:
        """`read(response)` for a listing, feed, sitemap or index page, or None when it cannot be read.

        An empty body, a bot challenge, a non-text answer where HTML is expected, a feed or sitemap
        that is not one (PageError), or markup the page object did not foresee is counted
        (newsbot/failed/start_point/<reason>) and logged with its URL, instead of ending the callback
        in a traceback or passing for a page with no links.
        """
        reason = unreadable_reason(response, html)
        if reason:
            self._count_failed(kind, reason, response.url)
            return None
        try:
            return read(response)
        except PageError as error:
            self._count_failed(kind, error.reason, response.url, error.detail)
        except Exception as error:  # noqa: BLE001 - markup the page object did not foresee
            detail = unforeseen(error, response.url)
            self._count_failed(kind, "extraction_error", response.url, detail)
        return None

    def article_failed(self, failure: Failure) -> None:
        self._count_failure("article", failure)

    def _count_failure(self, kind: str, failure: Failure) -> None:
        response = getattr(failure.value, "response", None)
        reason = f"http_{response.status}" if response is not None else type(failure.value).__name__
        self._count_failed(kind, reason, failure.request.url)  # type: ignore[attr-defined]

    def _count_failed(self, kind: str, reason: str, url: str, detail: str = "") -> None:
        self.stats.inc_value(f"newsbot/failed/{kind}/{reason}")
        logger.warning("Failed %s (%s): %s%s", kind, reason, url, f" — {detail}" if detail else "")
