"""Scrapy add-ons: setting adjustments that depend on other settings."""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy.settings import SETTINGS_PRIORITIES

# A saved snapshot has no server behind it to be polite to: replay it at full speed.
SNAPSHOT_REPLAY_SETTINGS = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
}


class SnapshotReplay:
    """With NEWSBOT_MIRROR set to a snapshot directory, turn off delays (unless set on the command line)."""

    def update_settings(self, settings) -> None:
        mirror = (settings.get("NEWSBOT_MIRROR") or "").strip()
        if not mirror or urlsplit(mirror).scheme in ("http", "https"):
            return
        for name, value in SNAPSHOT_REPLAY_SETTINGS.items():
            if (settings.getpriority(name) or 0) < SETTINGS_PRIORITIES["cmdline"]:
                settings.set(name, value, priority="cmdline")
