"""CrawlState: the one owner of a crawl's state — its connection to the archive, its run id, its clock.

Spiders, downloader middlewares, pipelines and run records ask it through the typed methods below;
nothing else opens the archive during a crawl. Configuration is parsed once here and handed out.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from newsbot.config import Config
from newsbot.store import authors, backlog, copies, days, fetches, runs
from newsbot.store.backlog import Deferred
from newsbot.store.core import Store, utc_now
from newsbot.store.rows import CaptureRef

logger = logging.getLogger(__name__)


class CrawlState:
    """A crawler extension (EXTENSIONS): opens the archive when the spider opens, records the run, and
    closes the archive when the engine stops (after every spider_closed handler has written)."""

    def __init__(self, config: Config, clock: Callable[[], datetime] = utc_now):
        self.config = config
        self.clock = clock
        self.run_id: int | None = None
        self.spider = ""
        self.kind = "discovery"
        self._store: Store | None = None
        self._syncs: list[Callable[[], None]] = []
        self._captures: dict[str, CaptureRef] = {}
        self._page_captures: dict[str, CaptureRef] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlState:
        state = cls(Config.of(crawler))
        crawler.signals.connect(state.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(state.close, signal=signals.engine_stopped)
        return state

    @classmethod
    def of(cls, crawler: Crawler) -> CrawlState:
        """The crawler's CrawlState (for components' from_crawler)."""
        state = crawler.get_extension(cls)
        if state is None:
            raise RuntimeError(f"{cls.__module__}.{cls.__name__} must be enabled in EXTENSIONS")
        return state

    # --- lifecycle -----------------------------------------------------------------------------

    @property
    def store(self) -> Store:
        """The archive, opened on first use."""
        if self._store is None:
            self._store = Store.open(self.config.db)
        return self._store

    def spider_opened(self, spider: Spider) -> None:
        # The store knows no spider classes: any spider whose `arguments` offer as_record() and kind.
        arguments = getattr(spider, "arguments", None)
        as_record = getattr(arguments, "as_record", None)
        record = as_record() if callable(as_record) else {}
        self.start_run(spider.name, record, getattr(arguments, "kind", "discovery"))

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    # --- the clock -----------------------------------------------------------------------------

    def now(self) -> datetime:
        return self.clock()

    def now_iso(self) -> str:
        return self.clock().isoformat()

    # --- run records ---------------------------------------------------------------------------

    def start_run(self, spider: str, arguments: dict, kind: str = "discovery") -> int:
        self.run_id = runs.start_run(self.store, spider, arguments, kind, self.now_iso())
        self.spider, self.kind = spider, kind
        return self.run_id

    def finish_run(self, figures: dict) -> None:
        if self.run_id is not None:
            runs.finish_run(self.store, self.run_id, figures)

    def record_catchup(self, record: dict) -> None:
        """This run's catch-up walk so far, in its run record (crawl_runs.catchup)."""
        if self.run_id is not None:
            runs.record_catchup(self.store, self.run_id, record)

    def seen_up_to(self) -> str | None:
        """The newest day the site showed to the last successful discovery run of this spider."""
        if self.run_id is None:
            return None
        return runs.last_newest_day(self.store, self.spider, self.run_id)

    def baseline_runs(self, spider: str, limit: int) -> list[dict]:
        """The runs this one's volume is judged against (runs.baseline_runs), newest first."""
        if self.run_id is None:
            return []
        return runs.baseline_runs(self.store, spider, self.kind, limit, self.run_id)

    # --- seen-state ----------------------------------------------------------------------------

    def seen_state(self, url: str) -> dict | None:
        return fetches.seen_state(self.store, url)

    def failed_urls(self) -> list[str]:
        """Article URLs whose download failed in earlier runs and is still worth retrying."""
        return fetches.failed_urls(self.store, self.config.retry_failed_max)

    def all_stored_before(self, urls: list[str]) -> bool:
        """True when every URL has an article stored by another run than this one."""
        return self.store.stored_by_other_runs(urls, self.run_id) == set(urls)

    # --- captures (the WARC writer owns the files; the archive only points into them) ------------

    def sync_before_writes(self, sync: Callable[[], None]) -> None:
        """`sync()` makes durable what rows will point at (the WARC writer's fsync); it runs before any
        article rows commit, so a committed row never points at a record a crash could lose."""
        self._syncs.append(sync)

    def note_capture(self, url: str, capture: CaptureRef | None) -> None:
        """The article at `url` was just extracted from this capture (None: from a response not kept)."""
        if capture is None:
            self._captures.pop(url, None)
        else:
            self._captures[url] = capture

    def take_capture(self, url: str) -> CaptureRef | None:
        """The capture noted for `url`, handed over once (to the item about to be stored)."""
        return self._captures.pop(url, None)

    def note_page_capture(self, index_url: str, capture: CaptureRef | None) -> None:
        """The teaser cards of index page `index_url` were just read from this capture."""
        if capture is not None:
            self._page_captures[index_url] = capture

    def page_capture(self, index_url: str) -> CaptureRef | None:
        """The capture the cards of this index page were last read from (kept for all its cards)."""
        return self._page_captures.get(index_url)

    def feed_copy(self, url: str) -> dict | None:
        """The site's RSS copy of an article: read in this run, or stored by a run that saw it in a feed
        less than NEWSBOT_FEED_COPY_HOURS ago (0: only this run's); None when there is none."""
        hours = self.config.feed_copy_hours
        since = (self.now() - timedelta(hours=hours)).isoformat() if hours else None
        return copies.feed_copy(self.store, url, self.run_id, since)

    # --- writes --------------------------------------------------------------------------------

    def record_fetch(self, fetch: fetches.Fetch) -> None:
        fetches.record_fetch(self.store, fetch, self.now_iso())

    def note_declared(self, url: str, declared_at: str) -> None:
        """A later change time the site declared for a page already downloaded in this run."""
        fetches.note_declared(self.store, url, declared_at)

    def defer(self, work: Iterable[backlog.Deferred]) -> int:
        """Keep work this run may not do for the next runs (the backlog)."""
        return backlog.add(self.store, self.spider, work, self.now_iso())

    def backlog(self, kind: str, limit: int, after: tuple[str, str] | None = None) -> list[backlog.Deferred]:
        """Up to `limit` rows of this spider's backlog, newest first, after the (newest, url) `after`."""
        return backlog.take(self.store, self.spider, kind, limit, after)

    def backlog_days(self, days: int, before: str | None = None) -> list[Deferred]:
        """Every deferred dated list of this spider's next `days` days older than the day `before`."""
        return backlog.take_days(self.store, self.spider, days, before)

    def backlog_done(self, kind: str, url: str) -> None:
        backlog.done(self.store, kind, url)

    def touch_article(self, url: str) -> None:
        fetches.touch_article(self.store, url, self.now_iso())

    def mark_dropped(self, url: str) -> None:
        fetches.mark_dropped(self.store, url)

    def _sync_files(self) -> None:
        for sync in self._syncs:
            sync()

    def save_articles(self, items: Iterable[dict]) -> Counter:
        """Items may carry "capture" (a CaptureRef, from take_capture)."""
        self._sync_files()
        return self.store.save_articles(items, seen_at=self.now_iso(), run_id=self.run_id)

    def keep_feed_copies(self, feed_url: str, items: Iterable[dict]) -> None:
        copies.save_copies(self.store, feed_url, items, self.now_iso(), self.run_id)

    def save_teasers(self, items: Iterable[dict]) -> Counter:
        """Items may carry "capture" (a CaptureRef, from page_capture)."""
        self._sync_files()
        return self.store.save_teasers(items, seen_at=self.now_iso())

    # --- what the site listed per day; columnists -------------------------------------------------

    def record_day_list(self, list_url: str, day: str, urls: list[str]) -> None:
        """One reading of a whole-day list and the stories on it (for `scrapy coverage`)."""
        days.record_list(self.store, self.spider, list_url, day, urls, self.now_iso(), self.run_id)

    def note_authors(self, found: Iterable[authors.Author], seeded: bool = False) -> None:
        authors.note(self.store, found, self.now_iso(), seeded)

    def author_read(self, author: authors.Author) -> None:
        authors.mark_read(self.store, author.author_id, author.url, self.now_iso())

    def authors_due(self) -> list[authors.Author]:
        """Discovered authors whose page is due (NEWSBOT_AUTHOR_REVISIT_DAYS), at most
        NEWSBOT_MAX_AUTHORS_PER_RUN, the longest unread first."""
        before = self.now() - timedelta(days=self.config.author_revisit_days)
        return authors.due(self.store, before.isoformat(), self.config.max_authors_per_run)
