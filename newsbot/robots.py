"""robots.txt per RFC 9309: a missing file allows everything, an unreachable one forbids everything.

Scrapy's own middleware fails open: a robots.txt that times out or answers 5xx lets the crawl go
anywhere. RFC 9309 section 2.3.1.4 says a crawler MUST then assume complete disallow. So for that run
the site is treated as disallowed, a WARNING says so, and the run's health check reports it.
"""

from __future__ import annotations

import logging

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

logger = logging.getLogger(__name__)
UNREACHABLE_STAT = "newsbot/robots/unreachable"


class DisallowAll:
    """A robots parser that forbids every URL."""

    def allowed(self, url, user_agent) -> bool:
        return False


NETWORK_ERROR_STATUS = 599  # stands for "no answer" (timeout, refused, reset) on the robots.txt request


class StrictRobotsTxtMiddleware(RobotsTxtMiddleware):
    def process_exception(self, request, exception):
        """A robots.txt download that failed (after retries) becomes a 599 answer: disallow, no traceback."""
        if not request.meta.get("dont_obey_robotstxt") or isinstance(exception, IgnoreRequest):
            return None
        self._stats.inc_value(f"robotstxt/exception_count/{type(exception).__name__}")
        return Response(
            request.url, status=NETWORK_ERROR_STATUS, flags=[f"{type(exception).__name__}: {exception}"]
        )

    async def _parse_robots(self, response, netloc, request):
        if response.status >= 500:
            detail = f" ({response.flags[0]})" if response.flags else ""
            why = (
                "could not be fetched"
                if response.status == NETWORK_ERROR_STATUS
                else f"answered {response.status}"
            )
            self._stats.inc_value("robotstxt/response_count")
            self._disallow(netloc, f"robots.txt {why}{detail}")
            return
        await super()._parse_robots(response, netloc, request)

    def _disallow(self, netloc: str, why: str) -> None:
        logger.warning("%s for %s: treating the site as disallowed for this run (RFC 9309)", why, netloc)
        self._stats.inc_value(UNREACHABLE_STAT)
        self._stats.set_value(f"newsbot/robots/why/{netloc}", why)
        waiting = self._parsers[netloc]
        self._parsers[netloc] = DisallowAll()
        if hasattr(waiting, "callback"):
            waiting.callback(self._parsers[netloc])
