"""Items as table rows and back: nested fields as JSON text, and the content hash that tells a changed
story from one crawled again."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass

from newsbot.items import ARTICLE_FIELDS, TEASER_FIELDS, stronger_genre

JSON_FIELDS = ("authors", "images", "related_editorials", "sources")
CONTENT_FIELDS = tuple(name for name in ARTICLE_FIELDS[3:] if name != "sources")
"""What a reader sees of an article (title onwards): a change to any of these is a new version. Not
`sources`: the same text, once repaired from the feed and once read from the page, is one version."""
TEASER_CONTENT_FIELDS = TEASER_FIELDS[2:-1]
ARTICLE_COLUMNS = ("url", "article_id", "type", *CONTENT_FIELDS, "sources", "content_hash")
TEASER_COLUMNS = ("index_url", "url", "title", "teaser", "published_at", "updated_at")
CAPTURE_COLUMNS = ("warc_file", "warc_offset", "warc_record_id", "warc_date")


@dataclass(frozen=True)
class CaptureRef:
    """Where the response an article state was extracted from is kept (columns CAPTURE_COLUMNS)."""

    warc_file: str
    """The WARC file's final name (it is `NAME.open` while written, and after a crash until recovered)."""
    warc_offset: int
    """Byte offset of the response record's gzip member: `warcio extract FILE OFFSET` prints it."""
    warc_record_id: str
    warc_date: str
    """The record's WARC-Date (UTC, microseconds): when the response was captured."""


def capture_columns(capture: CaptureRef | None) -> dict:
    return asdict(capture) if capture is not None else dict.fromkeys(CAPTURE_COLUMNS)


def content_hash(row: Mapping, fields: tuple[str, ...] = CONTENT_FIELDS) -> str:
    """A stable hash of what a reader sees (a row's column values), to tell a changed story from a
    re-crawled one. Nested fields are hashed as the JSON text stored in their columns."""
    payload = "\x1f".join("\x00" if row.get(name) is None else str(row[name]) for name in fields)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _json(value, empty: list | dict | None = None) -> str:
    return json.dumps(value or ([] if empty is None else empty), ensure_ascii=False)


def article_row(item: Mapping) -> dict:
    """An article item as a row: nested fields as JSON text (encoded once), plus its content hash and
    the capture it was extracted from (item key "capture", a CaptureRef, when the crawl kept one)."""
    row = {name: item.get(name) for name in ARTICLE_COLUMNS if name != "content_hash"}
    for name in JSON_FIELDS:
        row[name] = _json(item.get(name), {} if name == "sources" else [])
    row["content_hash"] = content_hash(row)
    return row | capture_columns(item.get("capture"))


def teaser_row(item: Mapping) -> dict:
    """A teaser item as a row (authors as JSON text), with the capture of its index page (item key
    "capture", when the crawl kept one)."""
    row = {name: item.get(name) for name in TEASER_COLUMNS}
    row["article_id"] = int(item["url"].rsplit("/", 1)[1])
    row["authors"] = _json(item.get("authors"))
    row["content_hash"] = content_hash(row, TEASER_CONTENT_FIELDS)
    return row | capture_columns(item.get("capture"))


def keep_stronger_genre(row: dict, stored: Mapping) -> None:
    """A piece stored as an editorial or opinion stays one when reached again as plain news."""
    genre = stronger_genre(row["genre"], stored["genre"])
    if genre != row["genre"]:
        row["genre"] = genre
        row["content_hash"] = content_hash(row)


def decode_article(row: Mapping) -> dict:
    """A stored article row as an item-shaped dict, nested fields decoded."""
    article = dict(row)
    for name in JSON_FIELDS:
        article[name] = json.loads(article[name])
    return article
