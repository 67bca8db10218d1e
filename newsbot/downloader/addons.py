"""Scrapy add-ons: settings that follow from newsbot's own (ADDONS in settings.py)."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

logger = logging.getLogger(__name__)

# A saved snapshot has no server behind it to be polite to: replay it at full speed.
SNAPSHOT_REPLAY_SETTINGS = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
}


class SnapshotReplay:
    """With NEWSBOT_MIRROR set to a snapshot directory, turn off delays (unless set on the command line)."""

    def update_settings(self, settings: BaseSettings) -> None:
        mirror = (settings.get("NEWSBOT_MIRROR") or "").strip()
        if not mirror or urlsplit(mirror).scheme in ("http", "https"):
            return
        for name, value in SNAPSHOT_REPLAY_SETTINGS.items():
            if (settings.getpriority(name) or 0) < SETTINGS_PRIORITIES["cmdline"]:
                settings.set(name, value, priority="cmdline")


class ContactUserAgent:
    """NEWSBOT_CONTACT is added to the User-Agent, so the site can reach whoever runs the crawl; a crawl
    of the live site without it logs a warning."""

    def update_settings(self, settings: BaseSettings) -> None:
        contact = (settings.get("NEWSBOT_CONTACT") or "").strip()
        if not contact and not (settings.get("NEWSBOT_MIRROR") or "").strip():
            logger.warning("NEWSBOT_CONTACT is not set: the site cannot reach whoever runs this crawl")
        if contact:
            priority = max(settings.getpriority("USER_AGENT") or 0, SETTINGS_PRIORITIES["addon"])
            settings.set("USER_AGENT", f"{settings.get('USER_AGENT')} contact: {contact}", priority=priority)
