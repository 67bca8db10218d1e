"""Re-extracted states (`scrapy reextract`): what the archive holds of a piece, and which of the states
re-extracted from its captures to store, so the archive ends as crawls of those captures would have
left it, with nothing it held before lost.

The rules, for one article and its re-extracted states oldest capture first:
- the newest state becomes the current row, each one stored before it going to article_versions (as a
  crawl stores a changed page), so a damaged current state is kept as a version;
- a state equal to the current row is not stored again, and an older state already among the
  versions is not stored twice: re-extracting the same captures again changes nothing;
- when the current row came from a later capture than any re-extracted one (a --until window, or
  crawls with capture off), it is left as it is: re-extraction never rolls an article back.
Planning reads only, so `--dry-run` plans exactly what a real run writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from newsbot.store.core import Store
from newsbot.store.rows import CONTENT_FIELDS, keep_stronger_genre, teaser_row

EMPTY = (None, "", "[]")


def stored_article(store: Store, url: str) -> dict | None:
    row = store.connection.execute("SELECT * FROM articles WHERE url = ?", (url,)).fetchone()
    return dict(row) if row is not None else None


def version_hashes(store: Store, url: str) -> set[str]:
    rows = store.connection.execute("SELECT content_hash FROM article_versions WHERE url = ?", (url,))
    return {row[0] for row in rows}


def index_pages_listing(store: Store, url: str) -> list[str]:
    """The index pages a teaser of this piece was seen on (they decide a genre, as in a crawl)."""
    rows = store.connection.execute("SELECT DISTINCT index_url FROM teasers WHERE url = ?", (url,))
    return [row[0] for row in rows]


def moment(text: str) -> datetime:
    """A stored or WARC timestamp ("...Z", "+00:00", or none: UTC) as an aware datetime."""
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass
class ArticlePlan:
    outcome: str
    """"new", "updated", "unchanged" or "newer_kept" (the current row came from a later capture)."""
    rows: list[dict] = field(default_factory=list)
    """What to save, in order, each as a crawl saves a page (Store.save_article_rows)."""
    before: dict | None = None
    after: dict | None = None
    """The state the article ends with when it changes."""
    versions: int = 0
    """How many states this plan sends to article_versions."""


def plan_article(current: dict | None, versions: set[str], states: list[dict]) -> ArticlePlan:
    """Which of `states` (rows from re-extraction, oldest capture first, each with its warc_date) to
    store over `current` (the stored row or None) and `versions` (its versions' content hashes).

    When the newest state reads as the current row does but owes a field to another source (`sources`:
    the page now has what the feed copy filled in, or the other way round), it is saved too, as a
    crawl would save it: no new version, no new change_seq, only `sources` and the capture change.
    """
    if not states:
        return ArticlePlan("unchanged", before=current)
    if current is not None:
        source = current.get("warc_date") or current["changed_at"]
        if moment(source) > moment(states[-1]["warc_date"]):
            return ArticlePlan("newer_kept", before=current)
    plan = ArticlePlan("unchanged", before=current)
    head, known = current, set(versions)
    for number, state in enumerate(states):
        row, last = dict(state), number == len(states) - 1
        if head is not None:
            keep_stronger_genre(row, head)  # as the store will reconcile it
        if head is not None and row["content_hash"] == head["content_hash"]:
            if last and head is current and row["sources"] != current.get("sources"):
                plan.rows.append(row)
            continue
        if not last and row["content_hash"] in known:
            continue
        plan.rows.append(row)
        if head is not None:
            known.add(head["content_hash"])
            plan.versions += 1
        head = plan.after = row
    if plan.after is not None:
        plan.outcome = "new" if current is None else "updated"
    return plan


def field_changes(before: dict | None, after: dict) -> dict[str, str]:
    """field -> "gained", "lost" or "changed", for each content field that differs (rows: nested
    fields as JSON text; null, "" and [] count as no value)."""
    changes = {}
    for name in CONTENT_FIELDS:
        old = None if before is None else before.get(name)
        new = after.get(name)
        if old == new:
            continue
        if old in EMPTY and new in EMPTY:
            continue
        changes[name] = "gained" if old in EMPTY else "lost" if new in EMPTY else "changed"
    return changes


def plan_teasers(
    store: Store, items: list[dict], captured: str, planned: dict[tuple[str, str], tuple[str, str]]
) -> tuple[list[dict], list[str]]:
    """(the teasers read from one capture to save, the outcome of each: "new", "updated", "unchanged",
    or "older" when the stored card came from a later capture, or was seen later without one).

    `captured` is the capture's WARC-Date. `planned` holds (content hash, capture date) of the cards
    planned so far in this run, which a dry run never writes: it is read before the archive.
    """
    to_save, outcomes = [], []
    for item in items:
        row = teaser_row(item)
        key = (row["index_url"], row["url"])
        stored = planned.get(key) or store.connection.execute(_STORED_TEASER, key).fetchone()
        if stored is None:
            outcome = "new"
        elif moment(stored[1]) > moment(captured):
            outcome = "older"
        else:
            outcome = "unchanged" if stored[0] == row["content_hash"] else "updated"
        outcomes.append(outcome)
        if outcome in ("new", "updated"):
            to_save.append(item)
            planned[key] = (row["content_hash"], captured)
    return to_save, outcomes


# A card stored by a crawl that kept its index page names that capture; one stored without (before
# capture existed, or with it off) has only the time it was last seen.
_STORED_TEASER = (
    "SELECT content_hash, coalesce(warc_date, last_seen) FROM teasers WHERE index_url = ? AND url = ?"
)
