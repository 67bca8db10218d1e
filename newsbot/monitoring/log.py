"""How a dropped page or item is reported: counted by reason, and one log line naming its URL."""

from __future__ import annotations

import logging
from typing import Self

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

logger = logging.getLogger("newsbot.dropped")


def crawl_stats(crawler: Crawler) -> StatsCollector:
    """The crawler's stats collector (Scrapy creates it with the crawler's settings, before any
    component)."""
    assert crawler.stats is not None
    return crawler.stats


class StatsComponent:
    """A crawl component that needs only the crawl's stats."""

    def __init__(self, stats: StatsCollector):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawl_stats(crawler))


def count_drop(stats: StatsCollector, reason: str, url: str | None, detail: str = "") -> None:
    """Count the drop by reason (stats key newsbot/dropped/<reason>) and name its URL in the log; the
    crawl goes on."""
    stats.inc_value(f"newsbot/dropped/{reason}")
    logger.warning("Dropped (%s): %s%s", reason, url, f" — {detail}" if detail else "")
