"""Extensions: the run record with its health checks, and the final stats as a JSON file."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, is_dataclass
from pathlib import Path

from scrapy import signals

from newsbot.config import Config
from newsbot.exporters import atomic_file
from newsbot.health import Thresholds, evaluate
from newsbot.processors import utc_now_iso
from newsbot.store import Store
from newsbot.store.runs import finish_run, recent_runs, start_run

logger = logging.getLogger(__name__)
RECENT_RUNS = 5


class RunMonitor:
    """Writes the crawl_runs row (at start, and at the end even when the run fails) and judges the run.

    A failed health check logs an ERROR naming the check and its figure, marks the run failed, and sets
    the stat newsbot/run/status to "failed", which makes `scrapy crawl` exit with status 3.
    """

    def __init__(self, crawler, config: Config, thresholds: Thresholds):
        self.crawler = crawler
        self.config = config
        self.thresholds = thresholds
        self.run_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        thresholds = Thresholds(
            coverage=dict(settings.getdict("NEWSBOT_HEALTH_COVERAGE")),
            min_sample=settings.getint("NEWSBOT_HEALTH_MIN_SAMPLE"),
            min_links_ratio=settings.getfloat("NEWSBOT_HEALTH_MIN_LINKS_RATIO"),
            max_errors=settings.getint("NEWSBOT_HEALTH_MAX_ERRORS"),
            max_dropped_share=settings.getfloat("NEWSBOT_HEALTH_MAX_DROPPED_SHARE"),
        )
        monitor = cls(crawler, Config.from_settings(settings), thresholds)
        crawler.signals.connect(monitor.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(monitor.spider_closed, signal=signals.spider_closed)
        return monitor

    def spider_opened(self, spider):
        arguments = getattr(spider, "arguments", None)
        arguments = asdict(arguments) if is_dataclass(arguments) else {}
        store = Store.open(self.config.db)
        try:
            self.run_id = start_run(store, spider.name, arguments, utc_now_iso())
        finally:
            store.close()

    def spider_closed(self, spider, reason):
        if self.run_id is None:
            return
        stats = dict(self.crawler.stats.get_stats()) | {"finish_reason": reason}
        store = Store.open(self.config.db)
        try:
            recent = [
                run["links_discovered"] or 0
                for run in recent_runs(store, spider.name, RECENT_RUNS, self.run_id)
            ]
            checks = evaluate(stats, recent, self.thresholds)
            failed = [check for check in checks if not check.ok]
            for check in failed:
                logger.error(
                    "Health check failed: %s = %s (threshold %s): %s",
                    check.name,
                    check.value,
                    check.threshold,
                    check.detail,
                )
            status = "failed" if failed else "ok"
            self.crawler.stats.set_value("newsbot/run/status", status)
            finish_run(store, self.run_id, run_figures(stats, status, reason, checks, failed))
        finally:
            store.close()


def run_figures(stats: dict, status: str, reason: str, checks, failed) -> dict:
    """The crawl_runs columns for a finished run, from the crawl's stats."""

    def prefixed(prefix: str) -> dict:
        return {key[len(prefix) :]: value for key, value in stats.items() if key.startswith(prefix)}

    return {
        "finished_at": utc_now_iso(),
        "status": status,
        "finish_reason": reason,
        "pages_fetched": stats.get("response_received_count", 0),
        "links_discovered": stats.get("newsbot/links/discovered", 0),
        "items_new": stats.get("newsbot/articles/new", 0),
        "items_updated": stats.get("newsbot/articles/updated", 0),
        "items_unchanged": stats.get("newsbot/articles/unchanged", 0),
        "items_not_modified": stats.get("newsbot/articles/not_modified", 0),
        "dropped": prefixed("newsbot/dropped/"),
        "failed": prefixed("newsbot/failed/"),
        "errors": stats.get("log_count/ERROR", 0),
        "health": [check.as_dict() for check in checks],
        "message": "; ".join(f"{check.name}: {check.detail}" for check in failed) or None,
    }


class StatsFile:
    """Writes the final stats to NEWSBOT_STATS_FILE; does nothing when the setting is empty."""

    def __init__(self, crawler, path: Path | None):
        self.crawler = crawler
        self.path = path

    @classmethod
    def from_crawler(cls, crawler):
        path = (crawler.settings.get("NEWSBOT_STATS_FILE") or "").strip()
        extension = cls(crawler, Path(path) if path else None)
        if extension.path:
            crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_closed(self, spider, reason):
        stats = dict(self.crawler.stats.get_stats())
        stats["finish_reason"] = reason
        with atomic_file(self.path) as file:
            file.write(json.dumps(stats, default=str, indent=1, sort_keys=True).encode("utf-8"))
