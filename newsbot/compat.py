"""Every use of a Scrapy name that is not public API, in one place.

Scrapy offers no public hook for these needs. Each function here has a test in
tests/test_compat.py that exercises the private names it relies on, so a Scrapy upgrade that changes
them fails that test by name instead of breaking a crawl quietly. Nothing else in newsbot may use a
private Scrapy name (a test checks that too).
"""

from __future__ import annotations

import time

from scrapy import Request
from scrapy.core.downloader import Downloader
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exporters import CsvItemExporter
from scrapy.http import Response, TextResponse
from scrapy.responsetypes import responsetypes


def hold_download_slot(downloader: Downloader, request: Request, wait: float) -> bool:
    """Hold back every download from the request's site for `wait` seconds (a Retry-After answer).

    Scrapy's downloader starts a slot's next download once `download_delay()` (jittered) has passed
    since `slot.lastseen`, a time.monotonic() value; moving lastseen to now + wait delays them all by at
    least `wait`. Returns False when the site has no slot (it was already freed) or no delay (then
    lastseen is not consulted), when there is nothing to hold.
    """
    slot = downloader.slots.get(downloader.get_slot_key(request))
    if slot is None or not slot.download_delay():
        return False
    slot.lastseen = max(slot.lastseen, time.monotonic() + wait)
    return True


def write_csv_header_now(exporter: CsvItemExporter) -> None:
    """Write the CSV header row before any item, so an export of no rows is a valid CSV file (just the
    header). CsvItemExporter writes it lazily with the first item, behind a private flag."""
    if exporter._headers_not_written:
        exporter._headers_not_written = False
        exporter._write_headers_and_set_fields_to_export(None)


def decode_content(response: Response, max_size: int) -> Response:
    """The response as HttpCompressionMiddleware hands it on in a crawl: its Content-Encoding (gzip,
    deflate, br, zstd, in any stack) decoded, at most `max_size` bytes (a ValueError beyond), the
    header gone. For responses read back from WARC, which keep the body as transferred.

    The middleware's public process_response needs a running crawler (its stats); its decoding is
    the private static _split_encodings and _decode. An encoding it cannot decode is a ValueError.
    """
    encodings = response.headers.getlist("Content-Encoding")
    if not encodings:
        return response
    to_decode, to_keep = HttpCompressionMiddleware._split_encodings(encodings)
    if to_keep:
        raise ValueError(f"Content-Encoding {b','.join(to_keep).decode('latin-1')!r} cannot be decoded")
    body = response.body
    for encoding in to_decode:
        body = HttpCompressionMiddleware._decode(body, encoding, max_size)
    headers = response.headers.copy()
    del headers["Content-Encoding"]
    cls = responsetypes.from_args(headers=headers, url=response.url, body=body)
    extra = {"encoding": None} if issubclass(cls, TextResponse) else {}
    return response.replace(cls=cls, body=body, headers=headers, **extra)
