"""Downloader middlewares: retries that honour Retry-After, and the record of each article download."""

from __future__ import annotations

import asyncio
import logging
import time
from email.utils import parsedate_to_datetime

from scrapy import signals
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.response import response_status_message

from newsbot.config import Config
from newsbot.pages.common import failure_page_reason
from newsbot.processors import utc_now_iso
from newsbot.store import Store
from newsbot.store.fetches import record_fetch, touch_article

logger = logging.getLogger(__name__)
RETRY_AFTER_STATUSES = {429, 503}


def parse_retry_after(value: bytes | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date; None if unusable."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isascii() and text.isdigit():  # isdigit alone passes "²" (0xB2 read as latin-1)
        return float(text)
    try:
        return max(0.0, parsedate_to_datetime(text).timestamp() - now)
    except (TypeError, ValueError, IndexError):
        return None


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's retries, but a 429/503 with Retry-After waits as long as the server asked.

    The wait is capped by NEWSBOT_RETRY_AFTER_MAX; the whole site's download slot is held back for
    that time, not just the one request, since the server is rate-limiting us, not one URL.
    """

    @classmethod
    def from_crawler(cls, crawler):
        middleware = super().from_crawler(crawler)
        middleware.retry_after_max = Config.from_settings(crawler.settings).retry_after_max
        return middleware

    async def process_response(self, request, response):
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        wait = None
        if response.status in RETRY_AFTER_STATUSES:
            wait = parse_retry_after(response.headers.get(b"Retry-After"), time.time())
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        if wait:
            wait = min(wait, self.retry_after_max)
            stats = self.crawler.stats
            stats.inc_value("newsbot/retry_after/honoured")
            stats.max_value("newsbot/retry_after/max_seconds", wait)
            logger.info("Retry-After %.1fs for %s (status %s)", wait, request.url, response.status)
            self._hold_slot(request, wait)
            await asyncio.sleep(wait)
        return retry

    def _hold_slot(self, request, wait: float) -> None:
        """Push the site's download slot back so no other request goes out before the wait is over."""
        downloader = self.crawler.engine.downloader if self.crawler.engine else None
        if downloader is None:
            return
        key = downloader.get_slot_key(request)
        slot = downloader.slots.get(key)
        if slot is not None and slot.download_delay():
            # Scrapy times slots with time.monotonic(): the next download may start `wait` from now.
            slot.lastseen = max(slot.lastseen, time.monotonic() + wait - slot.download_delay())


class FetchRecorder:
    """Records each article download's final outcome in the archive's `fetches` table.

    Sits below the retry middleware, so it sees what is left after retries: a page ("fetched", with
    its ETag/Last-Modified for the next conditional revisit), a 304 ("not_modified": the article's
    last_seen moves and nothing else), or a failure ("failed": an error status, a download error, an
    empty body or a bot challenge; the next run retries it).
    """

    def __init__(self, crawler, config: Config):
        self.crawler = crawler
        self.config = config
        self.store = None

    @classmethod
    def from_crawler(cls, crawler):
        recorder = cls(crawler, Config.from_settings(crawler.settings))
        crawler.signals.connect(recorder.spider_closed, signal=signals.spider_closed)
        return recorder

    def _store(self) -> Store:
        if self.store is None:
            self.store = Store.open(self.config.db)
        return self.store

    def process_response(self, request, response):
        if not request.meta.get("newsbot_article"):
            return response
        now = utc_now_iso()
        if response.status == 304:
            record_fetch(self._store(), request.url, now, 304, "not_modified")
            touch_article(self._store(), request.url, now)
            self.crawler.stats.inc_value("newsbot/articles/not_modified")
        elif 200 <= response.status < 300 and failure_page_reason(response):
            record_fetch(self._store(), request.url, now, response.status, "failed")
        elif 200 <= response.status < 300:
            headers = response.headers
            record_fetch(
                self._store(),
                request.url,
                now,
                response.status,
                "fetched",
                etag=_header(headers, b"ETag"),
                last_modified=_header(headers, b"Last-Modified"),
            )
        else:
            record_fetch(self._store(), request.url, now, response.status, "failed")
        return response

    def process_exception(self, request, exception):
        if request.meta.get("newsbot_article") and not isinstance(exception, IgnoreRequest):
            record_fetch(self._store(), request.url, utc_now_iso(), None, "failed")
        return None

    def spider_closed(self, spider):
        if self.store is not None:
            self.store.close()


def _header(headers, name: bytes) -> str | None:
    value = headers.get(name)
    return value.decode("latin-1") if value else None
