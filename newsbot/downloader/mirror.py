"""NEWSBOT_MIRROR: answer www.dawn.com requests from a local server, a saved snapshot, or WARC captures.

Implemented as the download handler (the transport), so every middleware — robots.txt, offsite,
retries, dedupe, decompression — sees the real www.dawn.com URLs and the responses as the site sent
them, and items keep the real URLs too. With no mirror set, the handler is plain Scrapy HTTP.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from urllib.parse import urlsplit
from weakref import WeakKeyDictionary

from scrapy import Request
from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.responsetypes import responsetypes

from newsbot.config import Config
from newsbot.dawn import SITE_HOST
from newsbot.downloader.capture import CAPTURE_META
from newsbot.store.history import moment
from newsbot.store.rows import CaptureRef
from newsbot.warc.reader import final_name, read_record, read_records, to_response, warc_files

logger = logging.getLogger(__name__)
NOT_FOUND = (404, {"Content-Type": "text/html; charset=utf-8"}, b"<html><body>Not in snapshot</body></html>")


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
            return NOT_FOUND
        body = (self.directory / entry["file"]).read_bytes()
        headers = {"Content-Type": entry.get("content_type", "text/html; charset=utf-8")}
        return int(entry.get("status", 200)), headers, body


class WarcReplay:
    """WARC captures as the site: each URL is answered with its newest usable response record (2xx/3xx;
    an error only when nothing else was captured), as it was
    transferred (the downloader middlewares decode it, as in the crawl that kept it); a URL never
    captured gets a 404. The response's request carries the CaptureRef of the record it came from, so
    an article stored from it points at that capture, as in the original crawl."""

    def __init__(self, path: Path):
        self.newest: dict[str, tuple[Path, int, str, bool]] = {}
        files = warc_files(path)
        for file in files:
            for located in read_records(file):
                if located.record.rec_type != "response":
                    continue
                # An answer a crawl stores or follows (2xx, 3xx) beats any error, whatever its date: a
                # later run's 503 must not stand for a page that was captured whole before it.
                usable = located.status is not None and 200 <= located.status < 400
                known = self.newest.get(located.url)
                if known is None or (usable, moment(located.date)) >= (known[3], moment(known[2])):
                    self.newest[located.url] = (file, located.offset, located.date, usable)
        logger.info("Replaying %d URLs captured in %d WARC file(s) of %s", len(self.newest), len(files), path)

    @classmethod
    def of(cls, crawler, path: Path) -> WarcReplay:
        """One index per crawl, shared by the http and https handlers."""
        replay = _REPLAYS.get(crawler)
        if replay is None:
            replay = _REPLAYS[crawler] = cls(path)
        return replay

    def answer(self, request: Request) -> Response:
        found = self.newest.get(request.url)
        if found is None:
            status, headers, body = NOT_FOUND
            return Response(request.url, status=status, headers=headers, body=body, request=request)
        path, offset, _, _ = found
        located = read_record(path, offset)
        name = final_name(path)
        request.meta[CAPTURE_META] = CaptureRef(name, offset, located.record_id, located.date)
        return to_response(located).replace(request=request)


_REPLAYS: WeakKeyDictionary = WeakKeyDictionary()


class MirrorDownloadHandler(BaseDownloadHandler):
    def __init__(self, crawler):
        super().__init__(crawler)
        config = Config.of(crawler)
        self.mirror_url = config.mirror_url
        self.snapshot = Snapshot(config.mirror_dir) if config.mirror_dir else None
        self.replay = WarcReplay.of(crawler, config.mirror_warc) if config.mirror_warc else None
        self.http = HTTP11DownloadHandler(crawler)

    async def download_request(self, request: Request) -> Response:
        if not (self.mirror_url or self.snapshot or self.replay):
            return await self.http.download_request(request)
        if (urlsplit(request.url).hostname or "").lower() != SITE_HOST:
            # A mirror stands in for www.dawn.com only; nothing else may leave the machine.
            raise IgnoreRequest(f"not mirrored: {request.url}")
        if self.replay:
            return self.replay.answer(request)
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
