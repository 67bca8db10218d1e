"""Dated lists, shared by both spiders: back-fills (-a since=), the backlog, the catch-up walk, and what
each whole-day list held (for `scrapy coverage`).

A day with no list answers 404: that is counted (newsbot/dated_lists/no_list) and skipped, not a failed
download. A list that shows another day than the one asked for (a site that redirects a missing day to
today's list) is no list of that day either.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from scrapy import Request
from scrapy.http import Response
from twisted.python.failure import Failure

from newsbot.spiders.base import NewsbotSpider, first_url, requested_url
from newsbot.spiders.catchup import CatchUpWalk

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DatedList:
    """A dated list's answer: the URL and day asked for, whether the walk asked, and whether it exists."""

    url: str
    day: str | None
    walk: bool
    found: bool


def as_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


class DatedListSpider(NewsbotSpider):
    walk: CatchUpWalk | None = None
    walk_pattern = ""
    editions: dict[str, int]
    """Print-edition row (URL with {section}) -> its section lists not answered yet."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.editions = {}

    def list_request(self, url: str, meta: dict, dont_filter: bool = False) -> Request:
        """A request for a list page with this spider's list callback (and start_point_failed)."""
        raise NotImplementedError

    def dated_list_request(self, url: str, day: str | None, walk: bool = False, edition: str = "") -> Request:
        meta = {
            "newsbot_dated_list": True,
            "newsbot_day": day,
            "newsbot_walk": walk,
            "newsbot_edition": edition,
            "handle_httpstatus_list": [404],
        }
        return self.list_request(url, meta, dont_filter=walk)  # a walk's day is asked for once

    def dated_list_requests(self, url: str, day: str) -> list[Request]:
        """The requests for one back-fill or backlog row: a list, or a print edition section by section."""
        sections = self.print_sections() if "{section}" in url else ()
        if not sections:
            return [self.dated_list_request(url, day)]
        self.editions[url] = len(sections)
        return [self.dated_list_request(url.replace("{section}", one), day, edition=url) for one in sections]

    def print_sections(self) -> tuple[str, ...]:
        """The print edition's sections this spider reads (none by default)."""
        return ()

    def backfill_requests(self, days: list[date], *patterns: str) -> Iterator[Request]:
        """The dated lists of a back-fill this run may read (the rest waits in the backlog)."""
        for url, day in self.budget.backfill(days, *patterns):
            yield from self.dated_list_requests(url, day)

    def _answered(self, request: Request) -> None:
        """A dated list was read, or failed for good: it leaves the backlog (a print edition once every
        section answered)."""
        self.state.backlog_done("dated_list", first_url(request))
        edition = request.meta.get("newsbot_edition")
        if edition in self.editions:
            self.editions[edition] -= 1
            if not self.editions[edition]:
                del self.editions[edition]
                self.state.backlog_done("dated_list", edition)

    def dated_list_read(self, response: Response) -> DatedList | None:
        """None for a response that is no dated list; else what was asked, and whether the list exists."""
        request = response.request
        if request is None or not request.meta.get("newsbot_dated_list"):
            return None
        self._answered(request)
        dated = DatedList(
            requested_url(response),
            request.meta.get("newsbot_day"),
            bool(request.meta.get("newsbot_walk")),
            response.status != 404,
        )
        if not dated.found:
            self.stats.inc_value("newsbot/dated_lists/no_list")
            # Most print sections have no list on most days (weekly ones): said at DEBUG only.
            level = logging.DEBUG if request.meta.get("newsbot_edition") else logging.INFO
            logger.log(level, "No list for %s (404): skipped", dated.url)
        return dated

    def start_point_failed(self, failure: Failure) -> list[Request]:
        """Counted; a dated list leaves the backlog (not tried again by later runs), and a walk goes on
        to the day before (its next request is returned). Done at once, not when iterated."""
        self._count_failure("start_point", failure)
        request = failure.request  # type: ignore[attr-defined]
        if not request.meta.get("newsbot_dated_list"):
            return []
        self._answered(request)
        if not request.meta.get("newsbot_walk"):
            return []
        return list(self.walk_on(request.meta["newsbot_day"], "failed"))

    def unaccounted(self, urls: Iterable[str]) -> list[str]:
        """Stories neither stored (nor remembered as dropped) nor taken in this run."""
        return [url for url in urls if url not in self.in_run and self.state.seen_state(url) is None]

    def dated_list_done(
        self, dated: DatedList, shown: str | None, urls: list[str] | None
    ) -> Iterator[Request]:
        """What a dated list held (`urls`, None when it could not be read; judged before its links are
        followed): remembered per day, and the walk's next step."""
        missing = 0
        if not dated.found:
            outcome = "no_list"
        elif urls is None:
            outcome = "failed"
        elif shown and dated.day and shown != dated.day:
            self.stats.inc_value("newsbot/dated_lists/other_day")
            logger.info("%s shows the list of %s, not of %s: skipped as no list", dated.url, shown, dated.day)
            outcome = "no_list"
        else:
            outcome, missing = self.whole_day_list(dated.url, dated.day, urls)
        if dated.walk:
            yield from self.walk_on(dated.day, outcome, len(urls or []), missing)

    def whole_day_list(self, url: str, day: str | None, urls: list[str]) -> tuple[str, int]:
        """Remember a whole day's list (before its links are followed); its walk outcome (complete, gap
        or empty) and how many of its stories were neither stored nor taken in this run."""
        if not urls:
            return "empty", 0
        if day:
            self.state.record_day_list(url, day, urls)
        missing = len(self.unaccounted(urls))
        return ("gap" if missing else "complete"), missing

    # --- the catch-up walk (newsbot.spiders.catchup) ---

    def start_walk(
        self, newest: str | None, pattern: str, first: tuple[str, int, int] | None = None
    ) -> Iterator[Request]:
        """Begin the walk at the newest day the site shows. `first`: (outcome, listed, missing) of that
        day's list when an index already showed it (the editorial index): the walk goes on from the day
        before."""
        self.walk = CatchUpWalk(self.config.catchup_days, as_day(self.state.seen_up_to()))
        self.walk_pattern = pattern
        day = self.walk.begin(as_day(newest))
        if day is not None and first is not None:
            day = self.walk.step(day, *first)
        yield from self._walk_to(day)

    def walk_on(self, day: str | None, outcome: str, listed: int = 0, missing: int = 0) -> Iterator[Request]:
        walk = self.walk
        current = as_day(day)
        if walk is None or current is None or walk.ended:
            return
        self.stats.inc_value(f"newsbot/catchup/{outcome}")
        yield from self._walk_to(walk.step(current, outcome, listed, missing))

    def _walk_to(self, day: date | None) -> Iterator[Request]:
        walk = self.walk
        assert walk is not None
        if day is not None and self.budget.days_left() > 0:
            [(url, iso)] = self.budget.backfill([day], self.walk_pattern)
            self.state.record_catchup(walk.record())
            yield self.dated_list_request(url, iso, walk=True)
            return
        if day is not None:
            walk.over_budget()
        yield from self.backfill_requests(walk.rest(), self.walk_pattern)
        self.state.record_catchup(walk.record())
        read = ", ".join(f"{day} {outcome}" for day, outcome, *_ in walk.days) or "no day"
        logger.info(
            "Catch-up walk: the site shows %s as its newest day, the last successful run saw %s; "
            "read %s; ended: %s%s",
            walk.record()["newest_day"],
            walk.record()["floor"] or "no day (first run)",
            read,
            walk.ended,
            f"; {walk.gap_days} older day(s) of the gap go to the back-fill budget" if walk.gap_days else "",
        )
