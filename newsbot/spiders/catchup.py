"""The catch-up walk: after downtime, each run reads the dated lists back from the newest day the site
shows until the archive is whole again.

Day by day, newest first, a run reads the site's list of the day and follows every story on it. The
walk ends at the first day whose stories were all already stored (or taken in this run) and that is not
later than the newest day the last successful discovery run saw (its run record, crawl_runs.catchup):
what the site declared, never our clock, so a replayed mirror or a server with a wrong clock walks the
right days. It reads at most NEWSBOT_CATCHUP_DAYS days; a longer gap known from the run records (the
days down to that newest day) goes to the back-fill budget (NEWSBOT_MAX_BACKFILL_DAYS) like a
`-a since=` back-fill: read now while the budget lasts, the rest kept in the backlog for the next runs.
A first run, with no run to go by, walks the bounded number of days.

The previous day is computed, not followed: the evidence shows no previous-day link on Dawn's dated
lists or editorial index, only a date picker driven by script (input#datepicker, whose text is the
day the page shows: where the walk starts).

This module decides (pure); the spiders read the lists (newsbot.spiders.dated).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from newsbot.spiders.arguments import days_newest_first

OUTCOMES = ("complete", "gap", "empty", "no_list", "failed")
"""What a walked day's list held: every story stored or taken in this run; some missing; no story; no
list (404, or the site answered with another day's list); a list that could not be read."""
ONE_DAY = timedelta(days=1)


@dataclass
class CatchUpWalk:
    bound: int
    """NEWSBOT_CATCHUP_DAYS: days one walk reads (0: no walk)."""
    floor: date | None
    """The newest day the last successful discovery run saw; None when no run says (a first run)."""
    newest: date | None = None
    days: list[list] = field(default_factory=list)
    """[day, outcome, stories listed, stories missing before this run took them] per day read."""
    ended: str | None = None
    """Why the walk ended: complete_day, bound, day_budget, no_newest_day, off; None while it runs."""
    next_day: date | None = None
    """The day after (older than) the last one read: the next to read, or where the rest begins."""
    gap_days: int = 0
    """Days of a longer known gap handed to the back-fill budget."""

    def begin(self, newest: date | None) -> date | None:
        """The first day to read: the newest day the site shows (None: no walk). The day is recorded
        even when the walk is off: it is the next runs' floor."""
        self.newest = self.next_day = newest
        if newest is None:
            self.ended = "no_newest_day"
        elif self.bound <= 0:
            self.ended = "off"
        return None if self.ended else newest

    def step(self, day: date, outcome: str, listed: int = 0, missing: int = 0) -> date | None:
        """Record what the day's list held; the next (older) day to read, or None when the walk ends."""
        assert outcome in OUTCOMES, outcome
        self.days.append([day.isoformat(), outcome, listed, missing])
        self.next_day = day - ONE_DAY
        if outcome == "complete" and self.floor is not None and day <= self.floor:
            self.ended = "complete_day"
            return None
        if len(self.days) >= self.bound:
            self.ended = "bound"
            return None
        return self.next_day

    def over_budget(self) -> None:
        """The day budget is spent before the next day could be read."""
        self.ended = "day_budget"

    def rest(self) -> list[date]:
        """Days the walk did not read that a run must still read, newest first, from the next day: down
        to the floor (a gap known from the run records); with no floor, what the bound would have read."""
        next_day = self.next_day
        if next_day is None:
            return []
        if self.ended == "bound":
            last = self.floor
        elif self.ended == "day_budget":
            assert self.newest is not None
            last = self.floor if self.floor is not None else self.newest - ONE_DAY * (self.bound - 1)
        else:
            return []
        days = days_newest_first(last, next_day) if last is not None and last <= next_day else []
        self.gap_days += len(days)
        return days

    def record(self) -> dict:
        """The walk as crawl_runs.catchup keeps it."""
        return {
            "newest_day": self.newest.isoformat() if self.newest else None,
            "floor": self.floor.isoformat() if self.floor else None,
            "bound": self.bound,
            "days": self.days,
            "ended": self.ended,
            "gap_days": self.gap_days,
        }
