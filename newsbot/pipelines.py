"""Item pipelines, one job each: validate -> dedupe -> store."""

from __future__ import annotations

import time

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem, NotConfigured

from newsbot.config import Config
from newsbot.drops import count_drop
from newsbot.processors import utc_now_iso
from newsbot.store import Store

REQUIRED = ("url", "title", "published_at")


class DropReason(DropItem):
    """A dropped item with a machine-readable reason (stats key newsbot/dropped/<reason>)."""

    def __init__(self, reason: str, url: str | None):
        super().__init__(f"{reason}: {url}")
        self.reason = reason


class ValidatePipeline:
    """url, title and published_at are required; anything else may be null."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        adapter = ItemAdapter(item)
        for name in REQUIRED:
            if not adapter.get(name):
                reason = f"missing_{name}"
                count_drop(self.crawler.stats, reason, adapter.get("url"))
                raise DropReason(reason, adapter.get("url"))
        return item


class DedupePipeline:
    """One item per canonical URL per crawl, however many panes, feeds and sitemaps led to it."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        url = ItemAdapter(item)["url"]
        if url in self.seen:
            self.crawler.stats.inc_value("newsbot/dropped/duplicate")
            raise DropReason("duplicate", url)
        self.seen.add(url)
        return item


class StorePipeline:
    """Writes items to the SQLite store in batches (NEWSBOT_BATCH_SIZE items, or every 10 seconds)."""

    MAX_BATCH_AGE = 10.0

    def __init__(self, crawler, config: Config):
        self.crawler = crawler
        self.config = config
        self.store: Store | None = None
        self.pending: list[dict] = []
        self.oldest = 0.0

    @classmethod
    def from_crawler(cls, crawler):
        config = Config.from_settings(crawler.settings)
        if not config.db:
            raise NotConfigured("NEWSBOT_DB is empty")
        return cls(crawler, config)

    def open_spider(self):
        self.store = Store.open(self.config.db)

    def process_item(self, item):
        if not self.pending:
            self.oldest = time.monotonic()
        self.pending.append(ItemAdapter(item).asdict())
        if (
            len(self.pending) >= self.config.batch_size
            or time.monotonic() - self.oldest >= self.MAX_BATCH_AGE
        ):
            self.flush()
        return item

    def flush(self) -> None:
        if not self.pending or self.store is None:
            return
        counts = self.store.save_articles(self.pending, seen_at=utc_now_iso())
        stats = self.crawler.stats
        for outcome, number in counts.items():
            stats.inc_value(f"newsbot/articles/{outcome}", number)
        stats.inc_value("newsbot/articles/stored", len(self.pending))
        self.pending = []

    def close_spider(self):
        try:
            self.flush()
        finally:
            if self.store is not None:
                self.store.close()
