"""robots.txt per RFC 9309: a missing file allows everything, an unreachable one forbids everything.

Scrapy's RobotsTxtMiddleware fails open: a robots.txt that times out or answers 5xx lets the crawl go
anywhere. RFC 9309 section 2.3.1.4 says a crawler MUST then assume complete disallow. This middleware
sits below the retries, sees the robots.txt download's final outcome, and turns a 5xx answer or a
failed download into a robots.txt that disallows everything, which Scrapy's own middleware then
obeys. A WARNING says so, and the run's health check reports it (stat newsbot/robots/unreachable).
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from newsbot.monitoring.log import StatsComponent

logger = logging.getLogger(__name__)
UNREACHABLE_STAT = "newsbot/robots/unreachable"
DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"
NETWORK_ERROR_STATUS = 599  # stands for "no answer" (timeout, refused, reset) on the robots.txt request
DISALLOWED_FLAG = "newsbot-disallow-all"
"""Marks the robots.txt answer made here (a response from process_exception runs through every
process_response too, this one's included)."""


def is_robots_request(request: Request) -> bool:
    """The robots.txt download Scrapy's RobotsTxtMiddleware makes for itself."""
    return bool(request.meta.get("dont_obey_robotstxt")) and urlsplit(request.url).path == "/robots.txt"


class RobotsFailClosedMiddleware(StatsComponent):
    """A robots.txt that answers 5xx or cannot be fetched forbids the whole site for this run."""

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status >= 500 and DISALLOWED_FLAG not in response.flags and is_robots_request(request):
            return self._disallow_all(request, response.status, f"answered {response.status}")
        return response

    def process_exception(self, request: Request, exception: Exception) -> Response | None:
        if not is_robots_request(request) or isinstance(exception, IgnoreRequest):
            return None
        why = f"could not be fetched ({type(exception).__name__}: {exception})"
        return self._disallow_all(request, NETWORK_ERROR_STATUS, why)

    def _disallow_all(self, request: Request, status: int, why: str) -> Response:
        netloc = urlsplit(request.url).netloc
        logger.warning(
            "robots.txt %s for %s: treating the site as disallowed for this run (RFC 9309)", why, netloc
        )
        self.stats.inc_value(UNREACHABLE_STAT)
        self.stats.set_value(f"newsbot/robots/why/{netloc}", f"robots.txt {why}")
        return Response(
            request.url, status=status, body=DISALLOW_ALL, request=request, flags=[DISALLOWED_FLAG]
        )
