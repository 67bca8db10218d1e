"""Progress lines for long runs: pages done and the rate, requests still queued, articles stored."""

from __future__ import annotations

import logging
from typing import Self

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import StatsCollector
from twisted.internet import task

from newsbot.monitoring.log import crawl_stats

logger = logging.getLogger("newsbot.progress")


class Progress:
    """Every LOGSTATS_INTERVAL seconds one line (in place of Scrapy's LogStats, which says neither how
    much is queued nor what was stored):

        Progress: 120 pages done (30/min), 45 queued, 80 articles stored, 3 dropped
    """

    def __init__(self, stats: StatsCollector, interval: float):
        self.stats = stats
        self.interval = interval
        self.queued = 0
        self.pages_before = 0
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        interval = crawler.settings.getfloat("LOGSTATS_INTERVAL")
        if not interval:
            raise NotConfigured
        progress = cls(crawl_stats(crawler), interval)
        connect = crawler.signals.connect
        connect(progress.spider_opened, signal=signals.spider_opened)
        connect(progress.spider_closed, signal=signals.spider_closed)
        connect(progress.request_scheduled, signal=signals.request_scheduled)
        connect(progress.request_left_queue, signal=signals.request_dropped)
        connect(progress.request_left_queue, signal=signals.request_reached_downloader)
        return progress

    def request_scheduled(self, request: Request, spider: Spider) -> None:
        self.queued += 1

    def request_left_queue(self, request: Request, spider: Spider) -> None:
        self.queued -= 1

    def spider_opened(self, spider: Spider) -> None:
        self.loop = task.LoopingCall(self.log)
        self.loop.start(self.interval, now=False)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()

    def log(self) -> None:
        pages = self.stats.get_value("response_received_count", 0)
        rate = (pages - self.pages_before) * 60 / self.interval
        self.pages_before = pages
        dropped = sum(
            value for key, value in self.stats.get_stats().items() if key.startswith("newsbot/dropped/")
        )
        logger.info(
            "Progress: %d pages done (%.0f/min), %d queued, %d articles stored, %d dropped",
            pages,
            rate,
            max(self.queued, 0),
            self.stats.get_value("newsbot/articles/stored", 0),
            dropped,
        )
