"""newsbot/compat.py holds every use of a private Scrapy name; each is exercised here on Scrapy's real
objects, so an upgrade that renames or changes one fails a test by name instead of a crawl quietly."""

import ast
import gzip
import io
import time
from pathlib import Path

import brotli
import pytest
from scrapy import Request
from scrapy.core.downloader import Downloader
from scrapy.exporters import CsvItemExporter
from scrapy.http import HtmlResponse, Response

from newsbot.compat import decode_content, hold_download_slot, write_csv_header_now
from newsbot.spiders.articles import ArticlesSpider
from tests.conftest import newsbot_crawler

NEWSBOT = Path(__file__).resolve().parent.parent / "newsbot"


def test_hold_download_slot_moves_the_sites_next_download_back(tmp_path):
    """Relies on Downloader.slots, Downloader.get_slot_key, Slot.lastseen and Slot.download_delay()."""
    crawler = newsbot_crawler(ArticlesSpider, NEWSBOT_DB=str(tmp_path / "c.db"), DOWNLOAD_DELAY=2)
    downloader = Downloader(crawler)
    try:
        request = Request("https://www.dawn.com/news/1")
        assert hold_download_slot(downloader, request, 30) is False  # no slot yet: nothing to hold
        _, slot = downloader._get_slot(request)  # the slot a download of this request creates
        before = time.monotonic()
        assert hold_download_slot(downloader, request, 30) is True
        # The downloader waits download_delay() after lastseen: so no download before now + 30 s.
        assert slot.lastseen >= before + 30
        later = Request("https://www.dawn.com/latest-news")
        assert downloader.slots[downloader.get_slot_key(later)] is slot  # one slot holds the whole site
    finally:
        downloader.close()


def test_write_csv_header_now_writes_it_once_before_any_row():
    """Relies on CsvItemExporter._headers_not_written and _write_headers_and_set_fields_to_export."""
    output = io.BytesIO()
    exporter = CsvItemExporter(output, fields_to_export=["url", "title"])
    exporter.start_exporting()
    write_csv_header_now(exporter)
    assert output.getvalue() == b"url,title\r\n"
    exporter.export_item({"url": "u", "title": "t"})
    exporter.finish_exporting()
    assert output.getvalue() == b"url,title\r\nu,t\r\n"


def test_decode_content_decodes_a_stack_of_encodings_as_a_crawl_does():
    """Relies on HttpCompressionMiddleware._split_encodings and ._decode (gzip, br; max size)."""
    page = "<html><head><title>Ünïcode</title></head><body>x</body></html>".encode()
    headers = {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip, br"}
    body = brotli.compress(gzip.compress(page))
    response = Response("https://www.dawn.com/news/1", headers=headers, body=body)
    decoded = decode_content(response, 1 << 20)
    assert isinstance(decoded, HtmlResponse) and decoded.body == page
    assert decoded.css("title::text").get() == "Ünïcode"
    assert b"Content-Encoding" not in decoded.headers and decoded.url == response.url
    plain = Response("https://www.dawn.com/news/1", headers={"Content-Type": "text/html"}, body=page)
    assert decode_content(plain, 1 << 20) is plain
    with pytest.raises(ValueError, match="exceeded"):
        decode_content(response, 10)
    unknown = Response("https://www.dawn.com/news/1", headers={"Content-Encoding": "compress"}, body=b"x")
    with pytest.raises(ValueError, match="'compress' cannot be decoded"):
        decode_content(unknown, 1 << 20)


def _private_scrapy_uses(path: Path) -> list[str]:
    """`x._name` on anything but self/cls, and private names imported from scrapy, in one module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            owner = node.value
            if not (isinstance(owner, ast.Name) and owner.id in ("self", "cls")):
                found.append(f"{path.name}:{node.lineno} .{node.attr}")
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("scrapy"):
            parts = (node.module or "").split(".") + [alias.name for alias in node.names]
            found += [f"{path.name}:{node.lineno} {part}" for part in parts if part.startswith("_")]
    return found


def test_no_private_scrapy_name_outside_compat():
    modules = [path for path in NEWSBOT.rglob("*.py") if path.name != "compat.py"]
    uses = [use for path in modules for use in _private_scrapy_uses(path)]
    assert uses == [], "private names outside newsbot/compat.py: " + ", ".join(uses)
    # The scan itself finds what it is for:
    assert _private_scrapy_uses(NEWSBOT / "compat.py")
