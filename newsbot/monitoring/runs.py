"""The end of a run: health checks judged, the crawl_runs row completed (through the crawl state)."""

from __future__ import annotations

import logging
from typing import Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from newsbot.config import Config, Thresholds
from newsbot.monitoring import crosscheck
from newsbot.monitoring.health import Check, evaluate
from newsbot.monitoring.log import crawl_stats
from newsbot.store.state import CrawlState

logger = logging.getLogger(__name__)
RECENT_RUNS = 5


class RunMonitor:
    """Judges the run when the spider closes and completes its crawl_runs row (CrawlState opened it).

    A failed health check logs an ERROR naming the check and its figure, marks the run failed, and sets
    the stat newsbot/run/status to "failed", which makes `scrapy crawl` exit with status 3.
    """

    def __init__(self, stats: StatsCollector, thresholds: Thresholds):
        self.stats = stats
        self.thresholds = thresholds
        self.state: CrawlState | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        monitor = cls(crawl_stats(crawler), Config.of(crawler).health)
        crawler.signals.connect(monitor.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(monitor.spider_closed, signal=signals.spider_closed)
        return monitor

    def spider_opened(self, spider: Spider) -> None:
        # Extensions are built together, so the crawl state can only be looked up once the crawl runs.
        self.state = CrawlState.of(spider.crawler)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.state is None or self.state.run_id is None:
            return
        stats = dict(self.stats.get_stats()) | {"finish_reason": reason}
        # Targeted runs (-a urls=, -a authors=) discover no links by design: no volume to judge.
        baseline = [] if self.state.kind == "targeted" else self.state.baseline_runs(spider.name, RECENT_RUNS)
        recent = [run["links_discovered"] or 0 for run in baseline]
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
        self.stats.set_value("newsbot/run/status", status)
        figures = run_figures(stats, status, reason, checks, failed)
        summary = summary_line(spider.name, self.state.run_id, figures, failed, self.state.config.db)
        logger.info("%s", summary)
        self.state.finish_run(figures | {"summary": summary, "finished_at": self.state.now_iso()})


def run_figures(stats: dict, status: str, reason: str, checks: list[Check], failed: list[Check]) -> dict:
    """The crawl_runs columns for a finished run, from the crawl's stats."""

    def prefixed(prefix: str) -> dict:
        return {key[len(prefix) :]: value for key, value in stats.items() if key.startswith(prefix)}

    return {
        "status": status,
        "finish_reason": reason,
        "elapsed_seconds": stats.get("elapsed_time_seconds", 0),
        "pages_fetched": stats.get("response_received_count", 0),
        "links_discovered": stats.get("newsbot/links/discovered", 0),
        "items_new": stats.get("newsbot/articles/new", 0),
        "items_updated": stats.get("newsbot/articles/updated", 0),
        "items_unchanged": stats.get("newsbot/articles/unchanged", 0),
        "items_not_modified": stats.get("newsbot/articles/not_modified", 0),
        "dropped": prefixed("newsbot/dropped/"),
        "failed": prefixed("newsbot/failed/"),
        "deferred": prefixed("newsbot/deferred/"),
        "errors": stats.get("log_count/ERROR", 0),
        "health": [check.as_dict() for check in checks],
        "crosscheck": crosscheck.run_record(stats),
        "message": "; ".join(f"{check.name}: {check.detail}" for check in failed) or None,
    }


def _by_reason(counts: dict) -> str:
    total = sum(counts.values())
    if not total:
        return "0"
    parts = ", ".join(
        f"{name} {number}" for name, number in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    return f"{total} ({parts})"


def summary_line(spider: str, run_id: int | None, figures: dict, failed: list[Check], db: object) -> str:
    """The one line a person reads at the end of a run (also kept in crawl_runs.summary)."""
    minutes, seconds = divmod(round(figures.get("elapsed_seconds") or 0), 60)
    health = "ok" if not failed else "FAILED (" + ", ".join(check.name for check in failed) + ")"
    return (
        f"newsbot {spider} run {run_id} finished ({figures['finish_reason']}) in {minutes}m{seconds:02d}s: "
        f"{figures['items_new']} new, {figures['items_updated']} updated, "
        f"{figures['items_unchanged']} unchanged, {figures['items_not_modified']} not modified; "
        f"dropped {_by_reason(figures['dropped'])}; failed {_by_reason(figures['failed'])}; "
        f"deferred to the next runs {_by_reason(figures['deferred'])}; health {health}; archive {db}"
    )
