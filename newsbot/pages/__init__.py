"""Page objects: pure extraction from a response (and the fetch time) to items or links.

They never build requests, touch the store or read the clock; the spiders orchestrate.
"""

from newsbot.pages.article import ArticlePage
from newsbot.pages.common import PageError
from newsbot.pages.feed import FeedPage
from newsbot.pages.listing import ListingPage
from newsbot.pages.opinion import IndexResult, OpinionIndexPage
from newsbot.pages.sitemap import SitemapPage

__all__ = [
    "ArticlePage",
    "FeedPage",
    "IndexResult",
    "ListingPage",
    "OpinionIndexPage",
    "PageError",
    "SitemapPage",
]
