"""Reading the archive for `scrapy export`: row selection, filters and the `--new` high-water marks.

Every SQL statement of the export is here. Values are always bound parameters; identifiers (tables,
columns, the ORDER BY) come only from the constant whitelists below, never from user input.

Rows are streamed from one cursor (one statement, so one consistent WAL snapshot), never fetched all
at once, so an export's memory does not grow with the archive.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from newsbot.items import ARTICLE_FIELDS, TEASER_FIELDS
from newsbot.store.core import Store
from newsbot.store.rows import JSON_FIELDS

# Contract order first (docs/contract.md); then store bookkeeping a user may ask for with --fields.
EXPORT_FIELDS = {"article": ARTICLE_FIELDS, "teaser": TEASER_FIELDS}
EXTRA_FIELDS = {
    "article": ("first_seen", "last_seen", "changed_at"),
    "teaser": ("first_seen", "last_seen"),
}


def known_fields(item_type: str) -> tuple[str, ...]:
    return EXPORT_FIELDS[item_type] + EXTRA_FIELDS[item_type]


def _columns(item_type: str, **expressions: str) -> dict[str, str]:
    return {name: name for name in known_fields(item_type)} | expressions


# The whitelist: item type -> (table, ORDER BY, {field: SQL expression}).
_TABLES = {
    "article": ("articles", "article_id", _columns("article")),
    "teaser": ("teasers", "index_url, article_id", _columns("teaser", type="'teaser'")),
}
# Filters that only exist on one item type.
_ARTICLE_ONLY = ("genre", "section", "search")
_SEARCH_BITS = re.compile(r'\s+|(".*?")')


def fts_query(text: str) -> str:
    """A search box's text as an FTS5 query that cannot be a syntax error: every word, and every
    "quoted phrase", must occur (the porter stemmer makes `votes` match `vote`). The same rule as
    Datasette's `?_search=` (its escape_fts), so `scrapy export --search` and the web page agree.
    An empty result means the text held no words."""
    if text.count('"') % 2:
        text += '"'
    bits = [bit for bit in _SEARCH_BITS.split(text) if bit and bit != '""']
    return " ".join(bit if bit.startswith('"') else f'"{bit}"' for bit in bits)


class ExportQueryError(ValueError):
    """A selection the store cannot answer (unknown type or field); the message says what to fix."""


@dataclass(frozen=True)
class Selection:
    """Which rows to export. Dates are in the contract's form: `YYYY-MM-DD` or
    `YYYY-MM-DDTHH:MM:SS+05:00` (site time).

    A row whose published_at is a bare date is in range when that day overlaps the range; a row with
    no published_at (teasers may lack one) never matches a date filter. A date-only `until` includes
    that whole day; a date-only `since` starts at its first second.
    """

    item_type: str = "article"
    since: str | None = None
    until: str | None = None
    genre: str | None = None
    section: str | None = None
    author: str | None = None
    search: str | None = None
    """Full-text search (articles only): every word or "quoted phrase" occurs in the title, description,
    body, authors or photo captions; see fts_query."""
    after_change_seq: int | None = None
    """--new: only rows stored or changed after this mark."""


def _next_day(day: str) -> str:
    """The day after, as text that sorts after every date and timestamp of `day` (9999-12-31 has no
    next day; "~" sorts after any character a timestamp holds)."""
    try:
        return (date.fromisoformat(day) + timedelta(days=1)).isoformat()
    except OverflowError:
        return day + "~"


def _where(selection: Selection) -> tuple[list[str], dict]:
    clauses: list[str] = []
    params: dict = {}
    if selection.since:
        # Same-offset ISO strings compare like the instants they name; a bare date sorts before
        # every time of its day, so the day bound also admits date-only rows of the first day.
        clauses.append("published_at >= :since_day AND (length(published_at) = 10 OR published_at >= :since)")
        params |= {"since_day": selection.since[:10], "since": selection.since}
    if selection.until:
        clauses.append("published_at < :until_next_day")
        params["until_next_day"] = _next_day(selection.until[:10])
        if len(selection.until) > 10:
            clauses.append("(length(published_at) = 10 OR published_at <= :until)")
            params["until"] = selection.until
    if selection.genre:
        clauses.append("genre = :genre")
        params["genre"] = selection.genre
    if selection.section:
        clauses.append("section = :section COLLATE NOCASE")
        params["section"] = selection.section
    if selection.author:
        clauses.append(
            "EXISTS (SELECT 1 FROM json_each(authors) AS author WHERE author.value = :author COLLATE NOCASE)"
        )
        params["author"] = selection.author
    if selection.search:
        clauses.append("article_id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH :search)")
        params["search"] = fts_query(selection.search)
    if selection.after_change_seq is not None:
        clauses.append("change_seq > :after_change_seq")
        params["after_change_seq"] = selection.after_change_seq
    return clauses, params


def select_rows(store: Store, selection: Selection, fields: tuple[str, ...]) -> Iterator[tuple[int, dict]]:
    """Stream `(change_seq, item)` for the selected rows, item keys in `fields` order.

    Articles come in article_id order; teasers by index page, then article_id (as Store.teasers()).

    Nested fields (authors, images, related_editorials, sources) come back decoded: real lists and objects.
    The selection is checked at once (ExportQueryError), before any row is read.
    """
    if selection.item_type not in _TABLES:
        raise ExportQueryError(f"unknown type {selection.item_type!r}; known: {', '.join(_TABLES)}")
    table, order, columns = _TABLES[selection.item_type]
    unknown = [name for name in fields if name not in columns]
    if unknown:
        raise ExportQueryError(
            f"unknown field(s) for {selection.item_type}: {', '.join(unknown)}; known: {', '.join(columns)}"
        )
    if selection.item_type != "article":
        used = [name for name in _ARTICLE_ONLY if getattr(selection, name)]
        if used:
            raise ExportQueryError(f"{selection.item_type} rows have no {' or '.join(used)} to filter on")
    clauses, params = _where(selection)
    select = ", ".join(f"{columns[name]} AS {name}" for name in fields)
    where = " AND ".join(clauses) or "1"
    sql = f"SELECT change_seq, {select} FROM {table} WHERE {where} ORDER BY {order}"  # noqa: S608 (whitelist)
    nested = [index for index, name in enumerate(fields) if name in JSON_FIELDS]
    return _stream(store, sql, params, fields, nested)


def _stream(store: Store, sql: str, params: dict, fields: tuple[str, ...], nested: list[int]):
    for row in store.connection.execute(sql, params):
        values = list(row)[1:]
        for index in nested:
            values[index] = json.loads(values[index])
        yield row[0], dict(zip(fields, values, strict=True))


def export_mark(store: Store, target: str, item_type: str) -> int:
    """The change_seq up to which `target` has exported `item_type` rows with --new (0: never)."""
    row = store.connection.execute(
        "SELECT last_change_seq FROM export_marks WHERE target = ? AND type = ?", (target, item_type)
    ).fetchone()
    return row[0] if row else 0


def advance_export_mark(store: Store, target: str, item_type: str, change_seq: int, exported_at: str) -> None:
    """Record a completed --new export; the mark never moves back."""
    store.connection.execute(
        """
        INSERT INTO export_marks (target, type, last_change_seq, exported_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (target, type) DO UPDATE SET
            last_change_seq = max(last_change_seq, excluded.last_change_seq),
            exported_at = excluded.exported_at
        """,
        (target, item_type, change_seq, exported_at),
    )
