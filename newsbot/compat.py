"""Every use of a Scrapy name that is not public API, in one place.

Scrapy offers no public hook for these two needs. Each function here has a test in
tests/test_compat.py that exercises the private names it relies on, so a Scrapy upgrade that changes
them fails that test by name instead of breaking a crawl quietly. Nothing else in newsbot may use a
private Scrapy name (a test checks that too).
"""

from __future__ import annotations

import time

from scrapy import Request
from scrapy.core.downloader import Downloader
from scrapy.exporters import CsvItemExporter


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
