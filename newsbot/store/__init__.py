"""The SQLite archive. This package owns the schema, the migrations and every SQL statement."""

from newsbot.store.core import Store, StoreError, article_row, content_hash, decode_article
from newsbot.store.schema import SCHEMA_VERSION

__all__ = ["SCHEMA_VERSION", "Store", "StoreError", "article_row", "content_hash", "decode_article"]
