"""Columnists discovered, not seeded: byline links to author pages, agencies and desks left out.

The opinion spider reads the pages of the columnists found here (newsbot.store.authors) on a bounded
schedule: those never read, then those read longest ago (NEWSBOT_AUTHOR_REVISIT_DAYS), at most
NEWSBOT_MAX_AUTHORS_PER_RUN a run, each up to NEWSBOT_MAX_INDEX_PAGES pages deep.
"""

from __future__ import annotations

import logging

from scrapy.statscollectors import StatsCollector

from newsbot.processors import author_page
from newsbot.processors.bylines import is_desk_byline
from newsbot.store.authors import Author

logger = logging.getLogger(__name__)


def columnists(bylines: list[tuple[str, str]], stats: StatsCollector) -> list[Author]:
    """The authors these (name, URL) byline links lead to, one each; links to no author page and
    agency or desk bylines (counted as newsbot/authors/desk_bylines, their pages never read) left out."""
    found: dict[int, Author] = {}
    for name, url in bylines:
        page = author_page(url)
        if page is None:
            continue
        author_id, first_page, _ = page
        if is_desk_byline(name, first_page.rsplit("/", 1)[1]):
            stats.inc_value("newsbot/authors/desk_bylines")
            logger.debug("Byline %r (%s) is an agency or desk: its page is not read", name, url)
            continue
        found.setdefault(author_id, Author(author_id, first_page, name))
    return list(found.values())
