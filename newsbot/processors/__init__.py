"""Pure value normalisers for Dawn pages: text, URLs, dates, captions.

No Scrapy here: every function takes plain values and returns plain values, so the rules can be
tested as tables (tests/test_processors.py) and reused by every item loader.
"""

from newsbot.processors.captions import collapse_repeat, split_caption_credit
from newsbot.processors.dates import more_precise_date, parse_datetime, parse_dawn_date, parse_shown_day
from newsbot.processors.text import clean_block, clean_text, split_page_title, strip_trailers, unique
from newsbot.processors.urls import (
    absolute_url,
    article_id_from_url,
    author_page,
    canonical_article_url,
    join_url,
)

__all__ = [
    "absolute_url",
    "article_id_from_url",
    "author_page",
    "canonical_article_url",
    "clean_block",
    "clean_text",
    "collapse_repeat",
    "join_url",
    "more_precise_date",
    "parse_datetime",
    "parse_dawn_date",
    "parse_shown_day",
    "split_caption_credit",
    "split_page_title",
    "strip_trailers",
    "unique",
]
