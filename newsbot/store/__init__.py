"""The SQLite archive. This package owns the schema, the migrations, every SQL statement and, during a
crawl, the one connection to the archive (CrawlState)."""

from newsbot.store.access import StoreError
from newsbot.store.core import Store, utc_now, utc_now_iso
from newsbot.store.rows import article_row, content_hash, decode_article
from newsbot.store.schema import SCHEMA_VERSION

__all__ = [
    "SCHEMA_VERSION",
    "Store",
    "StoreError",
    "article_row",
    "content_hash",
    "decode_article",
    "utc_now",
    "utc_now_iso",
]
