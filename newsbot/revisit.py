"""When to download an article again: the incremental-crawl policy, as a pure function.

A repeated crawl reads listings, feeds and the sitemap every time, but downloads an article only when
it is new, when a listing or the sitemap says it changed after our last download (`lastmod`, a card's
"Updated" time), when it is young enough that Dawn may still be editing it (the revisit window), or
when it was reached with a more specific genre than the one stored.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from newsbot.items import GENRE_RANK
from newsbot.processors import SITE_OFFSET


def to_moment(value: str | None) -> datetime | None:
    """An ISO timestamp or date as an aware datetime; a bare date is that day's start in site time."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=SITE_OFFSET)


def changed_since(changed: str | None, fetched: datetime | None) -> bool:
    """Did a listing's change time come after our last download? A bare date counts from that day on."""
    moment = to_moment(changed)
    if moment is None or fetched is None:
        return False
    if "T" not in changed:
        return moment.date() >= fetched.astimezone(SITE_OFFSET).date()
    return moment >= fetched  # a change in the same second as our download may have come after it


def revisit_reason(
    link: dict, state: dict | None, now: datetime, window: timedelta, genre_hint: str | None = None
) -> str | None:
    """Why to download this link ("new", "changed", "window", "genre"), or None to skip it."""
    if state is None:
        return "new"
    fetched = to_moment(state.get("fetched_at") or state.get("last_seen"))
    if changed_since(link.get("updated_at"), fetched):
        return "changed"
    published = to_moment(state.get("published_at")) or to_moment(state.get("first_seen"))
    if published is not None and now - published < window:
        return "window"
    if genre_hint and GENRE_RANK[genre_hint] > GENRE_RANK.get(state.get("genre") or "news", 0):
        return "genre"
    return None
