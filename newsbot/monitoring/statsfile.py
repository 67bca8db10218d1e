"""NEWSBOT_STATS_FILE: the crawl's final stats as a JSON file, written atomically."""

from __future__ import annotations

import json
from pathlib import Path

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import StatsCollector

from newsbot.config import Config
from newsbot.files import atomic_file
from newsbot.monitoring.log import crawl_stats


class StatsFile:
    """Writes the final stats to NEWSBOT_STATS_FILE; not enabled when the setting is empty."""

    def __init__(self, stats: StatsCollector, path: Path):
        self.stats = stats
        self.path = path

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StatsFile:
        path = Config.of(crawler).stats_file
        if path is None:
            raise NotConfigured  # no message: Scrapy would log a WARNING for it on every run
        extension = cls(crawl_stats(crawler), path)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_closed(self, spider: Spider, reason: str) -> None:
        stats = dict(self.stats.get_stats())
        stats["finish_reason"] = reason
        with atomic_file(self.path) as file:
            file.write(json.dumps(stats, default=str, indent=1, sort_keys=True).encode("utf-8"))
