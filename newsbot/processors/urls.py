"""URL rules: resolve and escape links as a browser would, and canonicalise article URLs."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urljoin, urlsplit

from w3lib.html import strip_html5_whitespace
from w3lib.url import safe_url_string

from newsbot.dawn import AUTHOR_PAGE, CANONICAL_ARTICLE, SITE_HOST

_SQLITE_INTEGER_LIMIT = 2**63
_ARTICLE_PATH = re.compile(r"^/news/(?:amp/)?(\d+)(?:/[^/]*)?/?$")


def join_url(base: str, url: str) -> str | None:
    """An href resolved against its page, trimmed as a browser trims it (HTML5 whitespace only);
    None for a link urllib cannot split (it raises ValueError on `http://[::1`)."""
    try:
        return urljoin(base, strip_html5_whitespace(url))
    except ValueError:
        return None


def article_id_from_url(url: str | None) -> int | None:
    """The numeric id of a www.dawn.com article URL (slug, amp/, query and fragment ignored)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # a bracketed host that is not an IPv6 address
        return None
    if parts.scheme not in ("http", "https") or (parts.hostname or "").lower() != SITE_HOST:
        return None
    match = _ARTICLE_PATH.match(parts.path)
    if not match:
        return None
    article_id = int(match.group(1))
    # An id beyond SQLite's 64-bit INTEGER is no Dawn article (ids have 7 digits); it could not be stored.
    return article_id if article_id < _SQLITE_INTEGER_LIMIT else None


def author_page(url: str | None) -> tuple[int, str, int] | None:
    """(author id, page-1 URL `https://www.dawn.com/authors/{id}/{slug}`, page number) for a
    www.dawn.com author page (`/authors/{id}/{slug}[/{page}]`, query and fragment ignored), else None."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or (parts.hostname or "").lower() != SITE_HOST:
        return None
    match = AUTHOR_PAGE.match(parts.path)
    if not match or int(match.group("id")) >= _SQLITE_INTEGER_LIMIT:
        return None
    first_page = f"https://{SITE_HOST}/authors/{match.group('id')}/{match.group('slug')}"
    return int(match.group("id")), first_page, int(match.group("page") or 1)


def canonical_article_url(url: str | None, base: str | None = None) -> str | None:
    """`https://www.dawn.com/news/{id}` for any form of a www.dawn.com article link, else None."""
    if url and base:
        url = join_url(base, url.strip())
    article_id = article_id_from_url(url)
    return CANONICAL_ARTICLE.format(id=article_id) if article_id is not None else None


def absolute_url(url: str | None, base: str | None = None) -> str | None:
    """An absolute http(s) URL, escaped as a browser would request it (spaces and non-ASCII
    percent-encoded), or None for empty values and `data:`/`javascript:` placeholders."""
    if not url:
        return None
    url = unescape(strip_html5_whitespace(url))
    if base:
        url = join_url(base, url)
    try:
        return safe_url_string(url) if url and urlsplit(url).scheme in ("http", "https") else None
    except ValueError:
        return None
