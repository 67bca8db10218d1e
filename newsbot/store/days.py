"""What the site listed per day, and what the archive holds of it (`scrapy coverage`).

A whole-day list (a dated list, an editorial list, a print-edition section, or an undated index under
the day it shows) is remembered with the stories it held at its latest reading: a story the site
took off a list no longer counts as missing. Days no run ever read a list of are unknown, not complete.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field

from newsbot.store.core import Store

_LIST = """
INSERT INTO day_lists (list_url, day, spider, stories, first_read, last_read, last_run)
VALUES (:list_url, :day, :spider, :stories, :seen, :seen, :run_id)
ON CONFLICT (list_url, day) DO UPDATE SET
    stories = excluded.stories, last_read = excluded.last_read, last_run = excluded.last_run
"""
_STORY = """
INSERT INTO listed_stories (list_url, day, url, first_seen, last_seen)
VALUES (:list_url, :day, :url, :seen, :seen)
ON CONFLICT (list_url, day, url) DO UPDATE SET last_seen = excluded.last_seen
"""
_GONE = """
DELETE FROM listed_stories
WHERE list_url = :list_url AND day = :day AND url NOT IN (SELECT value FROM json_each(:urls))
"""


def record_list(
    store: Store, spider: str, list_url: str, day: str, urls: list[str], seen: str, run_id: int | None
) -> None:
    """Remember one reading of a whole-day list: the stories on it now (one transaction)."""
    urls = list(dict.fromkeys(urls))
    values = {"list_url": list_url, "day": day, "spider": spider, "seen": seen, "run_id": run_id}
    with store.connection:
        store.connection.execute("BEGIN IMMEDIATE")
        store.connection.execute(_LIST, values | {"stories": len(urls)})
        store.connection.executemany(_STORY, (values | {"url": url} for url in urls))
        store.connection.execute(_GONE, values | {"urls": json.dumps(urls)})


@dataclass
class DayCoverage:
    """One day: the lists read for it, the stories they hold, and those the archive lacks."""

    day: str
    lists: list[str] = field(default_factory=list)
    listed: int = 0
    stored: int = 0
    missing: list[dict] = field(default_factory=list)
    """{url, why}: why is "dropped" (downloaded, could not be stored), "failed" (the download failed),
    "not_stored" (downloaded, the run ended before storing it) or "not_fetched" (never downloaded, e.g.
    still in the backlog)."""

    @property
    def status(self) -> str:
        if not self.lists:
            return "unknown"
        return "gap" if self.missing else "complete"


_LISTS_OF_DAYS = """
SELECT day, list_url FROM day_lists WHERE day BETWEEN :since AND :until ORDER BY day, list_url
"""
_STORIES_OF_DAYS = """
SELECT s.day, s.url, a.url IS NOT NULL AS stored, f.outcome
FROM (SELECT DISTINCT day, url FROM listed_stories WHERE day BETWEEN :since AND :until) AS s
LEFT JOIN articles AS a ON a.url = s.url
LEFT JOIN fetches AS f ON f.url = s.url
ORDER BY s.day, s.url
"""
_WHY = {"dropped": "dropped", "failed": "failed", "fetched": "not_stored", "not_modified": "not_stored"}


def coverage(store: Store, days: list[str]) -> Iterator[DayCoverage]:
    """Each of `days` (YYYY-MM-DD, oldest first) as a DayCoverage, read in one snapshot of the archive."""
    if not days:
        return
    bounds = {"since": days[0], "until": days[-1]}
    by_day = {day: DayCoverage(day) for day in days}
    with store.connection:  # one read transaction: lists and stories from the same moment
        store.connection.execute("BEGIN")
        for day, list_url in store.connection.execute(_LISTS_OF_DAYS, bounds):
            if day in by_day:
                by_day[day].lists.append(list_url)
        for day, url, stored, outcome in store.connection.execute(_STORIES_OF_DAYS, bounds):
            found = by_day.get(day)
            if found is None:
                continue
            found.listed += 1
            if stored:
                found.stored += 1
            else:
                found.missing.append({"url": url, "why": _WHY.get(outcome or "", "not_fetched")})
    yield from by_day.values()
