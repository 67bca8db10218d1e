"""Item pipelines, one job each: coverage -> validate -> dedupe -> store. Articles and teasers both pass."""

from __future__ import annotations

import sqlite3
import time
from collections import Counter

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import DropItem

from newsbot.config import Config
from newsbot.drops import count_drop
from newsbot.health import coverage_stats
from newsbot.items import GENRE_RANK
from newsbot.processors import utc_now_iso
from newsbot.store import Store
from newsbot.store.fetches import mark_dropped

REQUIRED = {
    "article": ("url", "title", "published_at"),
    "teaser": ("url", "title", "index_url"),
}


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


class CrawlerComponent:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)


class CoveragePipeline(CrawlerComponent):
    """Counts which fields extracted articles have, before validation drops any (for health checks)."""

    def process_item(self, item):
        adapter = ItemAdapter(item)
        if adapter["type"] == "article":
            for key, number in coverage_stats(adapter).items():
                self.crawler.stats.inc_value(key, number)
        return item


class ValidatePipeline(CrawlerComponent):
    """Articles need url, title and published_at; teasers need url, title and index_url."""

    def process_item(self, item):
        adapter = ItemAdapter(item)
        for name in REQUIRED[adapter["type"]]:
            if not adapter.get(name):
                prefix = "teaser_" if adapter["type"] == "teaser" else ""
                reason = f"{prefix}missing_{name}"
                count_drop(self.crawler.stats, reason, adapter.get("url"))
                raise DropReason(reason, adapter.get("url"))
        return item


class DedupePipeline(CrawlerComponent):
    """One item per canonical URL per crawl, however many panes, feeds and sitemaps led to it.

    The one exception: an article fetched again because it was reached with a more specific genre
    (news < opinion < editorial) passes, so the stronger genre is what gets stored.
    """

    def __init__(self, crawler):
        super().__init__(crawler)
        self.seen: dict[tuple, int] = {}

    def process_item(self, item):
        adapter = ItemAdapter(item)
        key = identity(adapter)
        rank = GENRE_RANK.get(adapter.get("genre") or "news", 0) if adapter["type"] == "article" else 0
        if key in self.seen and rank <= self.seen[key]:
            self.crawler.stats.inc_value(f"newsbot/dropped/duplicate_{adapter['type']}")
            raise DropReason("duplicate", adapter["url"])
        self.seen[key] = rank
        return item


# What a row's own values can make SQLite (or its binding) refuse; disk, lock and schema errors are not
# among them and still stop the write.
ROW_ERRORS = (
    sqlite3.IntegrityError, sqlite3.InterfaceError, sqlite3.DataError, OverflowError, ValueError, TypeError,
)  # fmt: skip


class StorePipeline:
    """Writes items to the SQLite store in batches (NEWSBOT_BATCH_SIZE items, or every 10 seconds)."""

    MAX_BATCH_AGE = 10.0

    def __init__(self, crawler, config: Config):
        self.crawler = crawler
        self.config = config
        self.store: Store | None = None
        self.pending: dict[str, list[dict]] = {"article": [], "teaser": []}
        self.oldest = 0.0

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler, Config.from_settings(crawler.settings))
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        return pipeline

    def item_dropped(self, item, response, exception, spider=None):
        """An article page that failed validation is remembered as dropped, not downloaded every run."""
        reason = getattr(exception, "reason", "")
        if self.store is not None and reason.startswith("missing_"):
            mark_dropped(self.store, ItemAdapter(item)["url"])

    def open_spider(self):
        self.store = Store.open(self.config.db)

    def process_item(self, item):
        adapter = ItemAdapter(item)
        if not any(self.pending.values()):
            self.oldest = time.monotonic()
        # A shallow copy: the store only reads the nested lists. (adapter.asdict() walks every nested
        # value through itemadapter's type checks: 0.17 ms per call, measured.)
        self.pending[adapter["type"]].append(dict(adapter))
        size = sum(map(len, self.pending.values()))
        if size >= self.config.batch_size or time.monotonic() - self.oldest >= self.MAX_BATCH_AGE:
            self.flush()
        return item

    def flush(self) -> None:
        if self.store is None:
            return
        seen_at = utc_now_iso()
        savers = {"article": self.store.save_articles, "teaser": self.store.save_teasers}
        stats = self.crawler.stats
        for kind, items in self.pending.items():
            if not items:
                continue
            try:
                counts = savers[kind](items, seen_at=seen_at)
            except ROW_ERRORS:
                # One row SQLite refuses must not hold back its batch, nor (left pending) every batch
                # after it: the batch is written again row by row, and only the refused row is dropped.
                counts = self._save_one_by_one(kind, items, savers[kind], seen_at)
            for outcome, number in counts.items():
                stats.inc_value(f"newsbot/{kind}s/{outcome}", number)
            stats.inc_value(f"newsbot/{kind}s/stored", counts.total())
            self.pending[kind] = []

    def _save_one_by_one(self, kind: str, items: list[dict], save, seen_at: str) -> Counter:
        counts: Counter = Counter()
        for item in items:
            try:
                counts += save([item], seen_at=seen_at)
            except ROW_ERRORS as error:
                prefix = "teaser_" if kind == "teaser" else ""
                count_drop(self.crawler.stats, f"{prefix}store_refused", item.get("url"), str(error))
        return counts

    def close_spider(self):
        try:
            self.flush()
        finally:
            if self.store is not None:
                self.store.close()
