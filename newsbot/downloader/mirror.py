"""NEWSBOT_MIRROR: answer www.dawn.com requests from a local server or a saved snapshot.

Implemented as the download handler (the transport), so every middleware — robots.txt, offsite,
retries, dedupe — sees the real www.dawn.com URLs, and items keep them too. With no mirror set, the
handler is plain Scrapy HTTP.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.responsetypes import responsetypes

from newsbot.config import Config
from newsbot.dawn import SITE_HOST


def path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


class Snapshot:
    """A saved copy of the site: seeds/snapshot/manifest.json maps URLs to files (seeds/README.md)."""

    def __init__(self, directory: Path):
        self.directory = directory
        manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
        self.entries = {path_and_query(entry["url"]): entry for entry in manifest["entries"]}

    def lookup(self, url: str) -> tuple[int, dict, bytes]:
        """(status, headers, body) for a URL; 404 for anything not in the snapshot."""
        entry = self.entries.get(path_and_query(url))
        if entry is None:
            return (
                404,
                {"Content-Type": "text/html; charset=utf-8"},
                b"<html><body>Not in snapshot</body></html>",
            )
        body = (self.directory / entry["file"]).read_bytes()
        headers = {"Content-Type": entry.get("content_type", "text/html; charset=utf-8")}
        return int(entry.get("status", 200)), headers, body


class MirrorDownloadHandler(BaseDownloadHandler):
    def __init__(self, crawler):
        super().__init__(crawler)
        config = Config.of(crawler)
        self.mirror_url = config.mirror_url
        self.snapshot = Snapshot(config.mirror_dir) if config.mirror_dir else None
        self.http = HTTP11DownloadHandler(crawler)

    async def download_request(self, request: Request) -> Response:
        if not (self.mirror_url or self.snapshot):
            return await self.http.download_request(request)
        if (urlsplit(request.url).hostname or "").lower() != SITE_HOST:
            # A mirror stands in for www.dawn.com only; nothing else may leave the machine.
            raise IgnoreRequest(f"not mirrored: {request.url}")
        if self.snapshot:
            status, headers, body = self.snapshot.lookup(request.url)
            cls = responsetypes.from_args(headers=headers, url=request.url, body=body)
            return cls(url=request.url, status=status, headers=headers, body=body, request=request)
        assert self.mirror_url is not None
        mirrored = request.replace(url=self.mirror_url + path_and_query(request.url))
        response = await self.http.download_request(mirrored)
        return response.replace(url=request.url, request=request)

    async def close(self) -> None:
        await self.http.close()
