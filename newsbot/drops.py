"""One way to count and log a page or item that is dropped: stats key newsbot/dropped/<reason>."""

from __future__ import annotations

import logging

logger = logging.getLogger("newsbot.dropped")


def count_drop(stats, reason: str, url: str | None, detail: str = "") -> None:
    """Count the drop by reason and name its URL in the log; the crawl goes on."""
    stats.inc_value(f"newsbot/dropped/{reason}")
    logger.warning("Dropped (%s): %s%s", reason, url, f" — {detail}" if detail else "")
