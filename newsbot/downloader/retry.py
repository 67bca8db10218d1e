"""Retries that honour Retry-After: a rate-limited site is waited for, not hammered."""

from __future__ import annotations

import asyncio
import logging
import time
from email.utils import parsedate_to_datetime

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.http import Response
from scrapy.utils.response import response_status_message

from newsbot.compat import hold_download_slot
from newsbot.config import Config

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
    """Scrapy's retries (in place of RetryMiddleware), but a 429/503 with Retry-After waits as long as
    the server asked.

    The wait is capped by NEWSBOT_RETRY_AFTER_MAX; the whole site's download slot is held back for
    that time, not just the one request, since the server is rate-limiting us, not one URL.
    """

    retry_after_max: float = 600.0

    @classmethod
    def from_crawler(cls, crawler: Crawler):
        middleware = super().from_crawler(crawler)
        middleware.retry_after_max = Config.of(crawler).retry_after_max
        return middleware

    def retry_request(self, request: Request, reason: str) -> Request | None:
        """The retry of `request` (Scrapy's public get_retry_request), or None once retries are spent."""
        assert self.crawler.spider is not None
        return get_retry_request(
            request,
            spider=self.crawler.spider,
            reason=reason,
            max_retry_times=request.meta.get("max_retry_times", self.max_retry_times),
            priority_adjust=request.meta.get("priority_adjust", self.priority_adjust),
            give_up_log_level=request.meta.get("give_up_log_level", self.give_up_log_level),
        )

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        wait = None
        if response.status in RETRY_AFTER_STATUSES:
            wait = parse_retry_after(response.headers.get(b"Retry-After"), time.time())
        retry = self.retry_request(request, response_status_message(response.status))
        if retry is None:
            return response
        if wait:
            wait = min(wait, self.retry_after_max)
            stats = self.crawler.stats
            assert stats is not None
            stats.inc_value("newsbot/retry_after/honoured")
            stats.max_value("newsbot/retry_after/max_seconds", wait)
            logger.info("Retry-After %.1fs for %s (status %s)", wait, request.url, response.status)
            if self.crawler.engine is not None:
                hold_download_slot(self.crawler.engine.downloader, request, wait)
            await asyncio.sleep(wait)
        return retry
