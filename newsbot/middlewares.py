"""Downloader middlewares: retries that honour the server's Retry-After."""

from __future__ import annotations

import asyncio
import logging
import time
from email.utils import parsedate_to_datetime

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.response import response_status_message

from newsbot.config import Config

logger = logging.getLogger(__name__)
RETRY_AFTER_STATUSES = {429, 503}


def parse_retry_after(value: bytes | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date; None if unusable."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
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
            slot.lastseen = max(slot.lastseen, time.time() + wait - slot.download_delay())
