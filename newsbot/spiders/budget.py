"""A run's bounds on work (NEWSBOT_MAX_*): what it may still do, and what it keeps for the next runs.

Article downloads and dated lists over their budgets are not dropped: they go to the backlog in the
archive (newsbot.store.backlog), logged once and counted (newsbot/deferred/...). When the run has done
its own start points (spider_idle), it spends what is left of its budgets on the backlog, newest first;
what is still left over waits for the run after.
"""

from __future__ import annotations

import logging
from datetime import date

from scrapy.statscollectors import StatsCollector

from newsbot.config import Config
from newsbot.store.backlog import Deferred
from newsbot.store.state import CrawlState

logger = logging.getLogger(__name__)
BACKLOG_CHUNK = 200
"""Backlog rows read at a time (most links there need no download: they are read until the budget
is spent or the backlog walked)."""


def dated_url(pattern: str, day: date) -> str:
    """A dated-list pattern for one day; `{section}` stays for the print edition (one row stands for
    the day's sections: the spider asks for each)."""
    return pattern.replace("{date}", day.isoformat())


class RunBudget:
    def __init__(self, config: Config, state: CrawlState, stats: StatsCollector):
        self.config = config
        self.state = state
        self.stats = stats
        self.article_requests = 0
        self.dated_lists = 0
        self.pending: list[Deferred] = []
        self.cursor: dict[str, tuple[str, str] | None] = {"article": None, "dated_list": None}
        self.walked: set[str] = set()  # backlog kinds read to their end in this run
        self.told: set[str] = set()

    # --- articles ---

    def article_allowed(self) -> bool:
        return self.article_requests < self.config.max_article_requests

    def count_article(self) -> None:
        self.article_requests += 1

    def defer_article(
        self, url: str, declared_at: str | None, genre_hint: str | None, newest: str | None = None
    ) -> None:
        """Keep a link over the download budget; `newest` (its declared or published time) orders the
        backlog, newest first."""
        self.pending.append(Deferred("article", url, newest or declared_at or "", declared_at, genre_hint))
        limit = self.config.max_article_requests
        self.deferred(
            "article_requests", f"article download budget reached (NEWSBOT_MAX_ARTICLE_REQUESTS={limit})"
        )

    def defer_sitemap_overflow(self, links: list[tuple[str, str, str | None]], sitemap: str) -> None:
        """(url, newest, lastmod) a sitemap holds beyond NEWSBOT_MAX_SITEMAP_URLS (its oldest): for the next
        runs, streamed into the backlog (a sitemap may hold 100,000)."""
        self.flush()
        self.state.defer(Deferred("article", url, newest, lastmod) for url, newest, lastmod in links)
        limit = self.config.max_sitemap_urls
        self.deferred(
            "sitemap_urls", f"{sitemap} lists more than NEWSBOT_MAX_SITEMAP_URLS={limit} URLs", len(links)
        )

    # --- dated lists ---

    def days_left(self) -> int:
        return max(self.config.max_backfill_days - self.dated_lists, 0)

    def backfill(self, days: list[date], *patterns: str) -> list[tuple[str, str]]:
        """(URL, day) of the dated lists of a back-fill (days newest first, each day's lists in
        `patterns` order) this run reads now; the rest are deferred. A day costs one day of
        NEWSBOT_MAX_BACKFILL_DAYS however many lists it has (its web list, its print edition)."""
        allowed = self.days_left()
        for day in days[allowed:]:
            self.pending.extend(Deferred("dated_list", dated_url(p, day), day.isoformat()) for p in patterns)
        if len(days) > allowed:
            self.deferred(
                "backfill_days",
                f"back-fill of {len(days)} days is over NEWSBOT_MAX_BACKFILL_DAYS="
                f"{self.config.max_backfill_days} (raise it to read more days in one run)",
                len(days) - allowed,
            )
        self.dated_lists += min(allowed, len(days))
        self.flush()
        return [(dated_url(pattern, day), day.isoformat()) for day in days[:allowed] for pattern in patterns]

    # --- the backlog ---

    def deferred(self, what: str, why: str, number: int = 1) -> None:
        """Count work kept for the next runs; say why once per run."""
        self.stats.inc_value(f"newsbot/deferred/{what}", number)
        if what not in self.told:
            self.told.add(what)
            logger.info("%s: the rest is kept for the next runs (table backlog)", why)

    def flush(self) -> None:
        if self.pending:
            self.state.defer(self.pending)
            self.pending = []

    def next_from_backlog(self) -> list[Deferred]:
        """Backlog work this run may still do, newest first: dated lists within the day budget, then
        article links while the download budget lasts. [] when nothing is left to do or allowed."""
        self.flush()
        lists = self._take_days()
        articles = self._take("article", BACKLOG_CHUNK if self.article_allowed() else 0)
        self.stats.inc_value("newsbot/backlog/taken", len(lists) + len(articles))
        return lists + articles

    def _take_days(self) -> list[Deferred]:
        limit = self.days_left()
        if limit <= 0 or "dated_list" in self.walked:
            return []
        before = self.cursor["dated_list"]
        rows = self.state.backlog_days(limit, before=before[0] if before else None)
        days = len({row.newest for row in rows})
        if days < limit:
            self.walked.add("dated_list")
        if rows:
            self.cursor["dated_list"] = (rows[-1].newest, "")
        self.dated_lists += days
        return rows

    def _take(self, kind: str, limit: int) -> list[Deferred]:
        if limit <= 0 or kind in self.walked:
            return []
        rows = self.state.backlog(kind, limit, after=self.cursor[kind])
        if len(rows) < limit:
            self.walked.add(kind)
        if rows:
            self.cursor[kind] = (rows[-1].newest, rows[-1].url)
        return rows
