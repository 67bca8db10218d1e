"""Item pipelines, one job each: coverage -> cross-check -> validate -> dedupe -> store. Articles and
teasers both pass."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any, Self

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from newsbot.items import is_stronger_genre
from newsbot.monitoring.crosscheck import REQUIRED_FIELDS, compare, repair
from newsbot.monitoring.health import coverage_stats
from newsbot.monitoring.log import StatsComponent, count_drop, crawl_stats
from newsbot.store.state import CrawlState

logger = logging.getLogger(__name__)
REQUIRED = {
    "article": ("url", "title", "published_at"),
    "teaser": ("url", "title", "index_url"),
}


def missing_required(item: Mapping) -> str | None:
    """The drop reason of an item (an ItemAdapter or a dict) lacking a required field, e.g.
    "missing_title" or "teaser_missing_index_url"; None when it has them all."""
    for name in REQUIRED[item["type"]]:
        if not item.get(name):
            prefix = "teaser_" if item["type"] == "teaser" else ""
            return f"{prefix}missing_{name}"
    return None


def identity(adapter: ItemAdapter) -> tuple:
    """What makes an item the same item: its canonical URL (and, for a teaser, its index page)."""
    if adapter["type"] == "teaser":
        return ("teaser", adapter["index_url"], adapter["url"])
    return ("article", adapter["url"])


class DropReason(DropItem):
    """A dropped item with a machine-readable reason (stats key newsbot/dropped/<reason>)."""

    def __init__(self, reason: str, url: str | None):
        super().__init__(f"{reason}: {url}")
        self.reason = reason


class CoveragePipeline(StatsComponent):
    """Counts which fields extracted articles have, before validation drops any (for health checks)."""

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        if adapter["type"] == "article":
            for key, number in coverage_stats(adapter).items():
                self.stats.inc_value(key, number)
        return item


class CrossCheckPipeline:
    """Checks each downloaded article against the site's RSS copy of it (newsbot.monitoring.crosscheck).

    Agreement is counted per field (newsbot/crosscheck/compared/<field>, .../agreed/<field>) once per
    article and run, and each disagreement is logged once with the URL and the field. Then the fields
    the page lacks are filled from the copy (newsbot/crosscheck/repaired/<field>), `sources` naming
    them; a page that lacked its title or publish time is stored thanks to the copy rather than
    dropped (newsbot/crosscheck/rescued). Coverage is counted before this, so it judges the page alone.
    """

    def __init__(self, stats: StatsCollector, state: CrawlState):
        self.stats = stats
        self.state = state
        self.compared: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawl_stats(crawler), CrawlState.of(crawler))

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        url = adapter.get("url")
        if adapter["type"] != "article" or not url:
            return item
        copy = self.state.feed_copy(url)
        first = url not in self.compared
        self.compared.add(url)
        if copy is None:
            if first:
                self.stats.inc_value("newsbot/crosscheck/no_copy")
            return item
        if first:
            self._count(url, adapter, copy)
        filled = repair(adapter, copy)
        for name in filled:
            self.stats.inc_value(f"newsbot/crosscheck/repaired/{name}")
        rescued = [name for name in filled if name in REQUIRED_FIELDS]
        if rescued:
            self.stats.inc_value("newsbot/crosscheck/rescued")
            logger.warning("Stored with its feed copy's %s (the page has none): %s", ", ".join(rescued), url)
        return item

    def _count(self, url: str, page: ItemAdapter, copy: dict) -> None:
        self.stats.inc_value("newsbot/crosscheck/articles")
        for result in compare(page, copy):
            self.stats.inc_value(f"newsbot/crosscheck/compared/{result.field}")
            if result.agreed:
                self.stats.inc_value(f"newsbot/crosscheck/agreed/{result.field}")
            else:
                logger.warning("Page and feed disagree on %s: %s — %s", result.field, url, result.detail)


class ValidatePipeline:
    """Articles need url, title and published_at; teasers need url, title and index_url.

    An article page that fails is remembered as dropped (not downloaded again every run).
    """

    def __init__(self, stats: StatsCollector, state: CrawlState):
        self.stats = stats
        self.state = state

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawl_stats(crawler), CrawlState.of(crawler))

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        reason = missing_required(adapter)
        if reason is not None:
            count_drop(self.stats, reason, adapter.get("url"))
            if adapter["type"] == "article" and adapter.get("url"):
                self.state.mark_dropped(adapter["url"])
            raise DropReason(reason, adapter.get("url"))
        return item


class DedupePipeline(StatsComponent):
    """One item per canonical URL per crawl, however many panes, feeds and sitemaps led to it.

    The one exception: an article fetched again because it was reached with a more specific genre
    (news < opinion < editorial) passes, so the stronger genre is what gets stored.
    """

    def __init__(self, stats: StatsCollector):
        super().__init__(stats)
        self.seen: dict[tuple, str | None] = {}

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        key = identity(adapter)
        genre = adapter.get("genre") if adapter["type"] == "article" else None
        if key in self.seen and not is_stronger_genre(genre, self.seen[key]):
            self.stats.inc_value(f"newsbot/dropped/duplicate_{adapter['type']}")
            raise DropReason("duplicate", adapter["url"])
        self.seen[key] = genre
        return item


# What a row's own values can make SQLite (or its binding) refuse; disk, lock and schema errors are not
# among them and still stop the write.
ROW_ERRORS = (
    sqlite3.IntegrityError, sqlite3.InterfaceError, sqlite3.DataError, OverflowError, ValueError, TypeError,
)  # fmt: skip


class StorePipeline:
    """Writes items to the archive in batches (NEWSBOT_BATCH_SIZE items, or every 10 seconds)."""

    MAX_BATCH_AGE = 10.0

    def __init__(self, state: CrawlState, stats: StatsCollector, batch_size: int):
        self.state = state
        self.stats = stats
        self.batch_size = batch_size
        self.pending: dict[str, list[dict]] = {"article": [], "teaser": []}
        self.oldest = 0.0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        state = CrawlState.of(crawler)
        return cls(state, crawl_stats(crawler), state.config.batch_size)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        if not any(self.pending.values()):
            self.oldest = time.monotonic()
        # A shallow copy: the store only reads the nested lists. (adapter.asdict() walks every nested
        # value through itemadapter's type checks: 0.17 ms per call, measured.) An article also takes
        # the capture it was extracted from, kept apart from the item (exports carry the contract only).
        row = dict(adapter)
        if adapter["type"] == "article":
            row["capture"] = self.state.take_capture(row["url"])
        else:
            row["capture"] = self.state.page_capture(row["index_url"])
        self.pending[adapter["type"]].append(row)
        size = sum(map(len, self.pending.values()))
        if size >= self.batch_size or time.monotonic() - self.oldest >= self.MAX_BATCH_AGE:
            self.flush()
        return item

    def flush(self) -> None:
        savers = {"article": self.state.save_articles, "teaser": self.state.save_teasers}
        for kind, items in self.pending.items():
            if not items:
                continue
            try:
                counts = savers[kind](items)
            except ROW_ERRORS:
                # One row SQLite refuses must not hold back its batch, nor (left pending) every batch
                # after it: the batch is written again row by row, and only the refused row is dropped.
                counts = self._save_one_by_one(kind, items, savers[kind])
            for outcome, number in counts.items():
                self.stats.inc_value(f"newsbot/{kind}s/{outcome}", number)
            self.stats.inc_value(f"newsbot/{kind}s/stored", counts.total())
            self.pending[kind] = []

    def _save_one_by_one(
        self, kind: str, items: list[dict], save: Callable[[list[dict]], Counter]
    ) -> Counter:
        counts: Counter = Counter()
        for item in items:
            try:
                counts += save([item])
            except ROW_ERRORS as error:
                prefix = "teaser_" if kind == "teaser" else ""
                count_drop(self.stats, f"{prefix}store_refused", item.get("url"), str(error))
        return counts

    def close_spider(self) -> None:
        self.flush()
