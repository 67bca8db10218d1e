"""What newsbot knows of the site itself: its host, its time zone and its canonical article URL."""

from __future__ import annotations

from datetime import timedelta, timezone

SITE_HOST = "www.dawn.com"
SITE_URL = f"https://{SITE_HOST}"
SITE_OFFSET = timezone(timedelta(hours=5), "PKT")
"""Pakistan Standard Time: every date Dawn prints is in it (no daylight saving)."""
CANONICAL_ARTICLE = SITE_URL + "/news/{id}"
