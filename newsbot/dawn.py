"""What newsbot knows of the site itself: its host, its time zone and its canonical article URL."""

from __future__ import annotations

import re
from datetime import timedelta, timezone
from urllib.parse import urlsplit

SITE_HOST = "www.dawn.com"
SITE_URL = f"https://{SITE_HOST}"
SITE_OFFSET = timezone(timedelta(hours=5), "PKT")
"""Pakistan Standard Time: every date Dawn prints is in it (no daylight saving)."""
CANONICAL_ARTICLE = SITE_URL + "/news/{id}"

AUTHOR_PAGE = re.compile(r"^/authors/(?P<id>\d+)/(?P<slug>[^/]+)(?:/(?P<page>\d+))?/?$")
"""A columnist's page, /authors/{id}/{slug}, and its numbered pages /authors/{id}/{slug}/N."""
_INDEX_GENRES = (
    (re.compile(r"^/newspaper/editorial(?:/\d{4}-\d{2}-\d{2})?/?$"), "editorial"),
    (re.compile(r"^/opinion/?$"), "opinion"),
    (AUTHOR_PAGE, "opinion"),
)


def index_genre(url: str) -> str | None:
    """For an opinion or editorial index page (what the `opinion` spider reads: the opinion front, the
    editorial lists, columnists' pages), the genre it gives the pieces it lists; None for other URLs."""
    parts = urlsplit(url)
    if (parts.hostname or "").lower() != SITE_HOST:
        return None
    for pattern, genre in _INDEX_GENRES:
        if pattern.match(parts.path):
            return genre
    return None
