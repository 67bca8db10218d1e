"""WARC capture: every response newsbot downloads is kept as it came over the wire (newsbot/warc/).

It listens to Scrapy's response_downloaded signal, sent as soon as the download handler returns and
before any downloader middleware's process_response runs. So the body is kept as transferred
(HttpCompressionMiddleware, at 590, has not decoded it yet); every retry, redirect and robots.txt
download is kept; and nothing a middleware made up is (the fail-closed robots.txt answer, an HTTP cache
hit): a middleware ordered above 590 would see the raw body too, but also every made-up response, with
no public way to tell them apart. The request record is the request the handler got, with every
middleware's headers on it (User-Agent, Accept-Encoding, If-None-Match).

WARC-Target-URI is the site's real URL also through NEWSBOT_MIRROR (the mirror handler answers with the
real URL); a mirrored capture gets no WARC-IP-Address, which would be the mirror's, and the warcinfo
record names the mirror. Where each response went is put in request.meta[CAPTURE_META] (a CaptureRef),
so the article extracted from it can point at it in the archive.
"""

from __future__ import annotations

import json
import logging
import socket
from importlib.metadata import version
from pathlib import Path
from typing import Any, Self
from urllib.parse import urlsplit

import scrapy
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.http.headers import Headers
from scrapy.statscollectors import StatsCollector

from newsbot import __version__
from newsbot.config import Config
from newsbot.monitoring.log import crawl_stats
from newsbot.store.rows import CaptureRef
from newsbot.store.state import CrawlState
from newsbot.warc.files import WarcFiles, recover_open_files
from newsbot.warc.records import EarlierCapture, Exchange, RecordMaker, record_id, warc_date

logger = logging.getLogger(__name__)
CAPTURE_META = "newsbot_capture"
EARLIER_CAPTURE_META = "newsbot_earlier_capture"
"""On a conditional article request: (WARC-Record-ID, WARC-Date) of the capture its stored article came
from, which a 304's revisit record refers to (set by the spider)."""
"""request.meta key: the CaptureRef of the response the request got (set by capture or by a WARC replay)."""
RECORDED_SETTINGS = (
    "NEWSBOT_MIRROR",
    "NEWSBOT_WARC_MAX_MB",
    "ROBOTSTXT_OBEY",
    "DOWNLOAD_DELAY",
    "AUTOTHROTTLE_ENABLED",
    "CONCURRENT_REQUESTS_PER_DOMAIN",
    "DOWNLOAD_TIMEOUT",
    "DOWNLOAD_MAXSIZE",
    "RETRY_TIMES",
    "COOKIES_ENABLED",
)


def capture_of(response: Response) -> CaptureRef | None:
    """Where the response was kept (None when it was not, or is tied to no request)."""
    request = response.request
    return request.meta.get(CAPTURE_META) if request is not None else None


def header_pairs(headers: Headers) -> list[tuple[str, str]]:
    """Every header value, repeated headers (Set-Cookie) included: Scrapy's headers[k] gives the last."""
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name in headers
        for value in headers.getlist(name)
    ]


def exchange_of(request: Request, response: Response, date: str, mirrored: bool) -> Exchange:
    return Exchange(
        url=response.url,
        date=date,
        status=response.status,
        response_headers=header_pairs(response.headers),
        body=response.body,
        method=request.method,
        # Twisted adds Host itself, so Scrapy's request lacks it; the record names the site's host.
        request_headers=[("Host", urlsplit(request.url).netloc), *header_pairs(request.headers)],
        request_body=request.body,
        protocol=response.protocol or "HTTP/1.1",
        ip_address=None if mirrored or response.ip_address is None else str(response.ip_address),
        truncated="disconnect" if "dataloss" in response.flags else None,
    )


class WarcCapture:
    """A crawler extension (EXTENSIONS): writes a request + response (or revisit) record pair for each
    download into NEWSBOT_WARC_DIR. Raises NotConfigured when capture is off."""

    def __init__(
        self, directory: Path, max_bytes: int, stats: StatsCollector, recorded: dict[str, Any], mirrored: bool
    ):
        self.directory = directory
        self.max_bytes = max_bytes
        self.stats = stats
        self.recorded = recorded
        self.mirrored = mirrored
        self.maker = RecordMaker()
        self.files: WarcFiles | None = None
        self.state: CrawlState | None = None
        self.failures = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        config = Config.of(crawler)
        if config.warc_dir is None:
            raise NotConfigured
        capture = cls(
            config.warc_dir,
            config.warc_max_bytes,
            crawl_stats(crawler),
            {name: crawler.settings.get(name) for name in (*RECORDED_SETTINGS, "USER_AGENT")},
            config.mirrored,
        )
        crawler.signals.connect(capture.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(capture.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(capture.spider_closed, signal=signals.spider_closed)
        return capture

    def spider_opened(self, spider: Spider) -> None:
        # CrawlState (an extension built alongside) can only be looked up once the crawl runs.
        self.state = CrawlState.of(spider.crawler)
        self.state.sync_before_writes(self.sync)
        try:
            self.directory.mkdir(exist_ok=True)
            recovered = recover_open_files(self.directory)
        except OSError as error:
            # A folder the crawl cannot write: the crawl goes on without capture, and the ERROR fails
            # the run's health check, so the operator hears of it.
            logger.error("WARC capture is off for this run: %s: %s", self.directory, error)
            return
        for done in recovered:
            logger.warning(
                "WARC file %s was left open by a run that died: kept %d bytes of complete records, cut %d",
                done.name,
                done.kept,
                done.cut,
            )
        run = self.state.run_id
        self.files = WarcFiles(
            self.directory, f"newsbot-{spider.name}", self.max_bytes, lambda name: self.warcinfo(spider, run)
        )

    def warcinfo(self, spider: Spider, run_id: int | None) -> dict[str, Any]:
        """The fields of each file's warcinfo record: what wrote it, for whom, with which settings."""
        arguments: dict = getattr(getattr(spider, "arguments", None), "as_record", dict)()
        return {
            "software": f"newsbot/{__version__} (Scrapy {scrapy.__version__}; warcio {version('warcio')})",
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "hostname": socket.gethostname(),
            "isPartOf": f"newsbot {spider.name} run {run_id}",
            "description": f"Every response of a newsbot {spider.name} crawl of www.dawn.com as downloaded",
            "robots": "obey" if self.recorded.get("ROBOTSTXT_OBEY") else "ignore",
            "http-header-user-agent": self.recorded.get("USER_AGENT"),
            "newsbot-arguments": json.dumps(arguments, sort_keys=True, default=str),
            "newsbot-settings": json.dumps(
                {name: self.recorded.get(name) for name in RECORDED_SETTINGS}, sort_keys=True
            ),
        }

    def response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        if self.files is None:
            return
        date = warc_date()
        # A retry or redirect copies the meta of the download before it: that capture is not this one.
        request.meta.pop(CAPTURE_META, None)
        earlier = self._earlier(request) if response.status == 304 else None
        records = self.maker.pair(exchange_of(request, response, date, self.mirrored), earlier)
        try:
            written = self.files.write(list(records))
        except OSError as error:
            self.stats.inc_value("newsbot/warc/errors")
            self.failures += 1
            # The first failure is an ERROR (the run's health check fails); the rest are counted.
            level = logging.ERROR if self.failures == 1 else logging.DEBUG
            logger.log(level, "WARC capture failed for %s: %s (later ones only counted)", response.url, error)
            return
        where = written[0]
        request.meta[CAPTURE_META] = CaptureRef(where.file, where.offset, record_id(records[0]), date)
        self.stats.inc_value("newsbot/warc/records", len(written))
        self.stats.inc_value("newsbot/warc/bytes", sum(part.length for part in written))

    @staticmethod
    def _earlier(request: Request) -> EarlierCapture | None:
        """The capture a 304 refers to: the one the stored article came from, which the spider put on
        the conditional request (from the same seen-state that gave its validators)."""
        earlier = request.meta.get(EARLIER_CAPTURE_META)
        return EarlierCapture(*earlier) if earlier else None

    def sync(self) -> None:
        if self.files is not None:
            self.files.sync()

    def spider_closed(self, spider: Spider) -> None:
        if self.files is not None:
            self.files.close()
            self.stats.set_value("newsbot/warc/files", self.files.files_written)
