"""When to download an article again: the incremental-crawl policy, as a pure function.

A repeated crawl reads listings, feeds and the sitemap every time, but downloads an article only when
it is new, when a listing or the sitemap says it changed after our last download (`lastmod`, a card's
"Updated" time), when it is young enough that Dawn may still be editing it (the revisit window), or
when it was reached with a more specific genre than the one stored.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from newsbot.dawn import SITE_OFFSET
from newsbot.items import is_stronger_genre

CONDITIONAL_REASONS = frozenset({"changed", "window"})
"""Revisits for a possible edit: conditional on the validators the server sent before (a 304 is cheap).
A genre upgrade needs the page even when it has not changed."""


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
    if changed is None or moment is None or fetched is None:
        return False
    if "T" not in changed:
        return moment.date() >= fetched.astimezone(SITE_OFFSET).date()
    return moment >= fetched  # a change in the same second as our download may have come after it


def revisit_reason(
    updated_at: str | None,
    state: dict | None,
    now: datetime,
    window: timedelta,
    genre_hint: str | None = None,
) -> str | None:
    """Why to download a link ("new", "changed", "window", "genre"), or None to skip it.

    `updated_at` is the change time the link's card or sitemap entry declares; `state` is what the
    archive knows of the URL (newsbot.store.fetches.seen_state), None for a URL never seen.
    """
    if state is None:
        return "new"
    fetched = to_moment(state.get("fetched_at") or state.get("last_seen"))
    if changed_since(updated_at, fetched):
        return "changed"
    published = to_moment(state.get("published_at")) or to_moment(state.get("first_seen"))
    if published is not None and now - published < window:
        return "window"
    if genre_hint and is_stronger_genre(genre_hint, state.get("genre")):
        return "genre"
    return None
