"""What every newsbot spider shares: configuration, the article request and callback, failure counting."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

from scrapy import Request, Spider
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from newsbot.config import Config, ConfigError
from newsbot.drops import count_drop
from newsbot.items import GENRE_RANK
from newsbot.pages import ArticlePage, PageError
from newsbot.pages.common import failure_page_reason
from newsbot.revisit import revisit_reason
from newsbot.store import Store
from newsbot.store.fetches import failed_urls, mark_dropped, seen_state

logger = logging.getLogger(__name__)
# A page cut off before its <body> (a broken gzip stream, a truncating proxy) is not remembered as
# dropped: the next run that finds its link downloads it again, as after an extraction error.
CUT_OFF_REASONS = {"no_body"}
ARTICLE_PRIORITY = 10  # articles before more listings keeps the request queue short


def unforeseen(error: Exception, url: str) -> str:
    """An exception a page object did not foresee: its traceback at DEBUG, one line for the WARNING."""
    logger.debug("Extraction error on %s", url, exc_info=error)
    return f"{type(error).__name__}: {error}"


def parse_day(name: str, value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ConfigError(f"{name}={value!r} is not a date in the form YYYY-MM-DD") from None


def parse_day_range(since: str | None, until: str | None, today: date) -> tuple[date | None, date | None]:
    """(since, until) for a back-fill; until defaults to today, and neither may be in the future."""
    since_day = parse_day("since", since)
    until_day = parse_day("until", until) or (today if since_day else None)
    if until_day and not since_day:
        raise ConfigError("until is only meaningful with since=YYYY-MM-DD")
    if since_day and since_day > until_day:
        raise ConfigError(f"since={since_day} is after until={until_day}")
    if until_day and until_day > today:
        raise ConfigError(f"until={until_day} is in the future")
    return since_day, until_day


def days_newest_first(since: date | None, until: date | None) -> list[date]:
    if not since:
        return []
    return [until - timedelta(days=offset) for offset in range((until - since).days + 1)]


def parse_url_list(name: str, value: str | None, is_valid, expected: str) -> tuple[str, ...]:
    """A comma-separated -a argument of URLs; ConfigError lists the ones that are not `expected`."""
    urls = tuple(url.strip() for url in (value or "").split(",") if url.strip())
    bad = [url for url in urls if not is_valid(url)]
    if bad:
        raise ConfigError(f"{name}: not {expected}: " + ", ".join(bad))
    return urls


class NewsbotSpider(Spider):
    allowed_domains = ["www.dawn.com"]

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.config = Config.from_settings(crawler.settings)
        if spider.config.contact:
            spider.user_agent = f"{crawler.settings.get('USER_AGENT')} contact: {spider.config.contact}"
        elif not (spider.config.mirror_url or spider.config.mirror_dir):
            logger.warning("NEWSBOT_CONTACT is not set: the site cannot reach whoever runs this crawl")
        spider.archive = None
        spider.in_run = {}  # url -> cb_kwargs of its request in this run
        spider.extracted_genre = {}  # url -> genre of the item its page gave in this run
        return spider

    def archive_store(self) -> Store:
        """The spider's own connection to the archive, for seen-state lookups (opened on first use)."""
        if self.archive is None:
            self.archive = Store.open(self.config.db)
        return self.archive

    def closed(self, reason):
        if self.archive is not None:
            self.archive.close()

    def retry_failed_requests(self):
        """Requests for article URLs whose download failed in an earlier run: they are not forgotten."""
        for url in failed_urls(self.archive_store(), self.config.retry_failed_max):
            self.crawler.stats.inc_value("newsbot/requests/retry_failed")
            yield self.article_request(url)

    def follow(self, link: dict, genre_hint: str | None = None) -> Request | None:
        """A request for a discovered article link, or None when it needs no download now."""
        url = link["url"]
        stats = self.crawler.stats
        stats.inc_value("newsbot/links/discovered")
        if url in self.in_run:
            return self._reached_again(url, genre_hint)
        state = seen_state(self.archive_store(), url)
        window = timedelta(hours=self.config.revisit_hours)
        reason = revisit_reason(link, state, datetime.now(UTC), window, genre_hint)
        if reason is None:
            stats.inc_value("newsbot/skipped/known")
            return None
        stats.inc_value(f"newsbot/requests/{reason}")
        # A revisit for a possible edit is conditional; a genre upgrade needs the page even if unchanged.
        validators = state if reason in ("changed", "window") else None
        return self.article_request(url, genre_hint, validators)

    def _reached_again(self, url: str, genre_hint: str | None) -> Request | None:
        """A link already requested in this run. A more specific genre is passed to the pending request;
        only when the page was already extracted with a weaker genre is it fetched once more."""
        cb_kwargs = self.in_run[url]
        hint_rank = GENRE_RANK.get(genre_hint or "news", 0)
        if hint_rank <= GENRE_RANK.get(cb_kwargs["genre_hint"] or "news", 0):
            return None
        cb_kwargs["genre_hint"] = genre_hint  # the callback has not run yet: it will use this hint
        extracted = self.extracted_genre.get(url)
        if extracted is None or hint_rank <= GENRE_RANK[extracted]:
            return None
        self.crawler.stats.inc_value("newsbot/requests/genre_refetch")
        return self.article_request(url, genre_hint).replace(dont_filter=True)

    def article_request(self, url: str, genre_hint: str | None = None, state: dict | None = None) -> Request:
        """An article download; a revisit is conditional on the validators the server sent before."""
        headers = {}
        if state and state.get("etag"):
            headers["If-None-Match"] = state["etag"]
        if state and state.get("last_modified"):
            headers["If-Modified-Since"] = state["last_modified"]
        request = Request(
            url,
            headers=headers,
            callback=self.parse_article,
            errback=self.article_failed,
            priority=ARTICLE_PRIORITY,
            cb_kwargs={"genre_hint": genre_hint},
            meta={"newsbot_article": True, "handle_httpstatus_list": [304]},
        )
        self.in_run[url] = request.cb_kwargs
        return request

    def parse_article(self, response: Response, genre_hint: str | None = None):
        if response.status == 304:
            return  # unchanged since our last download; FetchRecorder bumped last_seen
        self.crawler.stats.inc_value("newsbot/articles/responses")
        try:
            item = ArticlePage(response, genre_hint=genre_hint).item()
        except PageError as error:
            count_drop(self.crawler.stats, error.reason, response.url, error.detail)
            if error.reason not in CUT_OFF_REASONS:
                mark_dropped(self.archive_store(), response.url)
            return
        except Exception as error:  # noqa: BLE001 - markup the page object did not foresee
            # A fault of ours, not of the page: counted and named like any drop (the health check's
            # dropped share sees it), and the page is not marked dropped, so the next run downloads it
            # again, by then perhaps with the fix.
            detail = unforeseen(error, response.url)
            count_drop(self.crawler.stats, "extraction_error", response.url, detail)
            return
        self.crawler.stats.inc_value("newsbot/articles/extracted")
        self.extracted_genre[item.url] = item.genre
        yield item

    def read_start_point(self, response: Response, read, html: bool = True):
        """`read(response)` for a listing, feed, sitemap or index page, or None when it cannot be read.

        An empty body, a bot challenge, a non-text answer where HTML is expected, a feed or sitemap
        that is not one (PageError), or markup the page object did not foresee is counted
        (newsbot/failed/start_point/<reason>) and logged with its URL, instead of ending the callback
        in a traceback or passing for a page with no links.
        """
        reason = failure_page_reason(response)
        if reason is None and html and not isinstance(response, TextResponse):
            reason = "not_html"
        if reason:
            self._count_failed("start_point", reason, response.url)
            return None
        try:
            return read(response)
        except PageError as error:
            self._count_failed("start_point", error.reason, response.url, error.detail)
        except Exception as error:  # noqa: BLE001 - markup the page object did not foresee
            detail = unforeseen(error, response.url)
            self._count_failed("start_point", "extraction_error", response.url, detail)
        return None

    def article_failed(self, failure: Failure):
        self._count_failure("article", failure)

    def start_point_failed(self, failure: Failure):
        self._count_failure("start_point", failure)

    def _count_failure(self, kind: str, failure: Failure) -> None:
        response = getattr(failure.value, "response", None)
        reason = f"http_{response.status}" if response is not None else type(failure.value).__name__
        self._count_failed(kind, reason, failure.request.url)

    def _count_failed(self, kind: str, reason: str, url: str, detail: str = "") -> None:
        self.crawler.stats.inc_value(f"newsbot/failed/{kind}/{reason}")
        logger.warning("Failed %s (%s): %s%s", kind, reason, url, f" — {detail}" if detail else "")
