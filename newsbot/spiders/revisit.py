"""When to download an article again: the incremental-crawl policy, as a pure function.

A repeated crawl reads listings, feeds and the sitemap every time, but downloads an article only when
it is new, when what the site declares (a card's "Updated" time, a sitemap `lastmod`) is later than
what the copy we hold declared of itself (its updated_at, else its published_at), when it is young
enough that Dawn may still be editing it (the revisit window), or when it was reached with a more
specific genre than the one stored.

"Changed" never compares the site's times with our own clock: a copy that came from a replayed
mirror, a cache, a stale CDN node or an archive restored from backup is as old as it says it is, not
as old as the moment we fetched it.
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


def later_than(declared: str | None, held: str | None) -> bool:
    """Is the site's declared change time later than the time the held copy declared of itself?

    Compared at the precision both carry: two timestamps as instants; when either is a bare date, as
    site-time days (a date-only "Updated 12 Mar" is later than a copy of 11 Mar, but says nothing
    against a copy stamped 12 Mar 10:00). Unreadable or missing values are never "later".
    """
    declared_moment, held_moment = to_moment(declared), to_moment(held)
    if declared is None or held is None or declared_moment is None or held_moment is None:
        return False
    if "T" in declared and "T" in held:
        return declared_moment > held_moment
    return declared_moment.astimezone(SITE_OFFSET).date() > held_moment.astimezone(SITE_OFFSET).date()


def changed(declared: str | None, state: dict) -> bool:
    """Did the site declare a change after the copy we hold?

    What we hold is as new as the copy says of itself (its updated_at, else published_at) and as new as
    what the site declared when we downloaded it (`declared_at`): a sitemap lastmod later than anything
    the page shows must not make every run download the page again. Only a page we downloaded but
    could not store, with no declaration recorded, falls back to the time we fetched it.
    """
    held = [state.get("declared_at")]
    if state.get("stored"):
        held.append(state.get("updated_at") or state.get("published_at"))
    held = [value for value in held if value]
    if not held:
        held = [state.get("fetched_at")]
    return all(later_than(declared, value) for value in held)


def revisit_reason(
    updated_at: str | None,
    state: dict | None,
    now: datetime,
    window: timedelta,
    genre_hint: str | None = None,
) -> str | None:
    """Why to download a link ("new", "changed", "window", "genre"), or None to skip it.

    `updated_at` is the change time the link's card or sitemap entry declares; `state` is what the
    archive knows of the URL (newsbot.store.fetches.seen_state), None for a URL never seen. `now` only
    serves the revisit window (how old the story is), never the "changed" decision.
    """
    if state is None:
        return "new"
    if changed(updated_at, state):
        return "changed"
    published = to_moment(state.get("published_at")) or to_moment(state.get("first_seen"))
    if published is not None and now - published < window:
        return "window"
    if genre_hint and is_stronger_genre(genre_hint, state.get("genre")):
        return "genre"
    return None
