"""Extensions: write the crawl's final stats as JSON (NEWSBOT_STATS_FILE) for cron jobs and tests."""

from __future__ import annotations

import json
import os
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import NotConfigured


class StatsFile:
    def __init__(self, crawler, path: Path):
        self.crawler = crawler
        self.path = path

    @classmethod
    def from_crawler(cls, crawler):
        path = (crawler.settings.get("NEWSBOT_STATS_FILE") or "").strip()
        if not path:
            raise NotConfigured("NEWSBOT_STATS_FILE is not set")
        extension = cls(crawler, Path(path))
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_closed(self, spider, reason):
        stats = dict(self.crawler.stats.get_stats())
        stats["finish_reason"] = reason
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.write_text(json.dumps(stats, default=str, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(temporary, self.path)
