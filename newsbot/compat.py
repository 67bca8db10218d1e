"""Every use of a Scrapy name that is not public API, in one place.

Scrapy offers no public hook for these two needs. Each function here has a test in
tests/test_compat.py that exercises the private names it relies on, so a Scrapy upgrade that changes
them fails that test by name instead of breaking a crawl quietly. Nothing else in newsbot may use a
private Scrapy name (a test checks that too).
"""

from __future__ import annotations

import time

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exporters import CsvItemExporter


def hold_download_slot(crawler: Crawler, request: Request, wait: float) -> bool:
    """Hold back every download from the request's site for `wait` seconds (a Retry-After answer).

    Scrapy's downloader starts a slot's next download once `download_delay()` has passed since
    `slot.lastseen` (a time.monotonic() value); moving lastseen forward delays them all. Returns False
    when there is no such slot (no engine yet, or the slot was already freed), when there is nothing
    to hold.
    """
    engine = crawler.engine
    if engine is None:
        return False
    downloader = engine.downloader
    slot = downloader.slots.get(downloader.get_slot_key(request))
    if slot is None or not slot.download_delay():
        return False
    slot.lastseen = max(slot.lastseen, time.monotonic() + wait - slot.download_delay())
    return True


def write_csv_header_now(exporter: CsvItemExporter) -> None:
    """Write the CSV header row before any item, so an export of no rows is a valid CSV file (just the
    header). CsvItemExporter writes it lazily with the first item, behind a private flag."""
    if exporter._headers_not_written:
        exporter._headers_not_written = False
        exporter._write_headers_and_set_fields_to_export(None)
