"""How a dropped page or item is reported: counted by reason, and one log line naming its URL."""

from __future__ import annotations

import logging

from scrapy.statscollectors import StatsCollector

logger = logging.getLogger("newsbot.dropped")


def count_drop(stats: StatsCollector, reason: str, url: str | None, detail: str = "") -> None:
    """Count the drop by reason (stats key newsbot/dropped/<reason>) and name its URL in the log; the
    crawl goes on."""
    stats.inc_value(f"newsbot/dropped/{reason}")
    logger.warning("Dropped (%s): %s%s", reason, url, f" — {detail}" if detail else "")
