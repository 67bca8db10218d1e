"""Requests never leave the site: every request (and every redirect hop) is checked before download.

Allowed: http(s) URLs whose host is one of the spider's allowed_domains, exactly. Blocked and counted
(newsbot/blocked/<reason>): other hosts, IP-literal hosts (loopback, private, link-local or public),
userinfo tricks, and non-http schemes such as file: and data:. NEWSBOT_MIRROR is a transport under
this check, so a mirror on 127.0.0.1 serves www.dawn.com URLs without opening a hole here.
"""

from __future__ import annotations

import ipaddress
import logging
from typing import Self
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector

from newsbot.monitoring.log import crawl_stats
from newsbot.processors import join_url

logger = logging.getLogger(__name__)


def block_reason(url: str, allowed_hosts: set[str]) -> str | None:
    """Why this URL may not be requested, or None when it may."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return "bad_url"
    if parts.scheme not in ("http", "https"):
        return "scheme"
    if parts.username is not None or parts.password is not None:
        return "userinfo"
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return "ip_address"
    if host not in allowed_hosts:
        return "offsite"
    if port not in (None, 80, 443):
        return "port"
    return None


class SiteGuardMiddleware:
    """Checks each request before it is downloaded (order 40, before everything else)."""

    def __init__(self, allowed_hosts: set[str], stats: StatsCollector):
        self.allowed_hosts = allowed_hosts
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        domains = getattr(crawler.spider, "allowed_domains", None) or ()
        return cls({host.lower() for host in domains}, crawl_stats(crawler))

    def check(self, url: str, what: str) -> None:
        reason = block_reason(url, self.allowed_hosts)
        if reason is None:
            return
        self.stats.inc_value(f"newsbot/blocked/{reason}")
        logger.warning("Blocked %s (%s): %s", what, reason, url)
        raise IgnoreRequest(f"blocked {what} ({reason}): {url}")

    def process_request(self, request: Request) -> None:
        self.check(request.url, "request")


class RedirectGuardMiddleware(SiteGuardMiddleware):
    """Checks a redirect's target before Scrapy's RedirectMiddleware follows it (order 650 > 600)."""

    def process_request(self, request: Request) -> None:
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get(b"Location")
        if 300 <= response.status < 400 and location:
            target = location.decode("latin-1").strip()
            # A target urllib cannot even join is checked as it is: block_reason calls it bad_url.
            self.check(join_url(request.url, target) or target, "redirect")
        return response
