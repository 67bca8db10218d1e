"""WARC/1.1 records from plain HTTP values; warcio builds them and computes their sha1 digests.

A download becomes a `response` record and the `request` record that asked for it, sharing one
WARC-Date and linked by WARC-Concurrent-To. A 304 answer becomes a `revisit` record (profile
server-not-modified) pointing at the earlier capture of the page when it is known.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO
from typing import Any
from urllib.parse import urlsplit

from isal import isal_zlib
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

WARC_VERSION = "WARC/1.1"
SERVER_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
ENCODED = {"gzip", "x-gzip", "deflate", "br", "zstd", "compress"}
"""Content-Encodings whose payload is already compressed: its record is stored (deflate level 0), since
deflating it again costs CPU and saves next to nothing."""
PLAIN_LEVEL = 1
"""ISA-L level for records of plain payloads (a mirror, a server that does not compress): on a
Dawn-sized page it compresses as well as zlib's level 1 at a sixth of its CPU (docs/benchmarks.md)."""

Headers = list[tuple[str, str]]


@dataclass(frozen=True)
class Exchange:
    """One HTTP request and the response it got, as newsbot sent and received them."""

    url: str
    """WARC-Target-URI: the site's real URL, also when a mirror served it."""
    date: str
    """WARC-Date of both records (warc_date())."""
    status: int
    response_headers: Headers
    body: bytes
    """The payload as transferred: a gzip/br Content-Encoding is kept, not decoded."""
    method: str = "GET"
    request_headers: Headers = field(default_factory=list)
    request_body: bytes = b""
    protocol: str = "HTTP/1.1"
    ip_address: str | None = None
    truncated: str | None = None
    """WARC-Truncated reason when the body was cut short ("disconnect")."""


@dataclass(frozen=True)
class EarlierCapture:
    """The capture a 304 revisit refers to (what the archive remembers of the page's last download)."""

    record_id: str | None
    date: str | None


def warc_date(moment: datetime | None = None) -> str:
    """A WARC/1.1 date: UTC with microseconds, e.g. 2026-03-14T09:30:00.123456Z."""
    moment = (moment or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def status_line(status: int) -> str:
    """'200 OK': Scrapy keeps only the code, so the reason phrase is the standard one."""
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def request_line(method: str, url: str, protocol: str) -> str:
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return f"{method} {target} {protocol}"


class RecordMaker:
    """Builds records and turns each into one gzip member, ready to append to a .warc.gz file."""

    def __init__(self) -> None:
        # warcio's writer serialises a record into whatever `out` is; gzip is done here, per record,
        # so the level can follow the payload.
        self.builder = WARCWriter(None, gzip=False, warc_version=WARC_VERSION)

    def warcinfo(self, filename: str, fields: dict[str, Any]) -> Any:
        return self.builder.create_warcinfo_record(filename, fields)

    def pair(self, exchange: Exchange, earlier: EarlierCapture | None = None) -> tuple[Any, Any]:
        """(response or revisit record, request record) for one download."""
        warc_headers: dict[str, str] = {"WARC-Date": exchange.date}
        if exchange.ip_address:
            warc_headers["WARC-IP-Address"] = exchange.ip_address
        if exchange.truncated:
            warc_headers["WARC-Truncated"] = exchange.truncated
        http_headers = StatusAndHeaders(
            status_line(exchange.status), exchange.response_headers, protocol=exchange.protocol
        )
        if exchange.status == 304:
            warc_headers |= {"WARC-Profile": SERVER_NOT_MODIFIED, "WARC-Refers-To-Target-URI": exchange.url}
            if earlier and earlier.record_id:
                warc_headers["WARC-Refers-To"] = earlier.record_id
            if earlier and earlier.date:
                warc_headers["WARC-Refers-To-Date"] = earlier.date
            response = self._http_record(exchange.url, "revisit", http_headers, warc_headers)
        else:
            response = self._http_record(exchange.url, "response", http_headers, warc_headers, exchange.body)
        request_headers = StatusAndHeaders(
            request_line(exchange.method, exchange.url, exchange.protocol),
            exchange.request_headers,
            is_http_request=True,
        )
        linked = {"WARC-Date": exchange.date, "WARC-Concurrent-To": record_id(response)}
        request = self._http_record(exchange.url, "request", request_headers, linked, exchange.request_body)
        return response, request

    def _http_record(
        self, url: str, kind: str, http: StatusAndHeaders, warc_headers: dict, body: bytes | None = None
    ) -> Any:
        """A response, revisit (no body) or request record; warcio adds the digests and lengths."""
        payload = {} if body is None else {"payload": BytesIO(body), "length": len(body)}
        return self.builder.create_warc_record(
            url, kind, http_headers=http, warc_headers_dict=warc_headers, **payload
        )

    def member(self, record: Any) -> bytes:
        """The record serialised and gzipped on its own (one member: readable alone, from its offset)."""
        buffer = BytesIO()
        self.builder.out = buffer
        self.builder.write_record(record)
        http = record.http_headers
        encoding = (http.get_header("Content-Encoding") or "").strip().lower() if http else ""
        data = buffer.getvalue()
        if encoding in ENCODED and record.rec_type == "response":
            stored = zlib.compressobj(0, zlib.DEFLATED, zlib.MAX_WBITS | 16)
            return stored.compress(data) + stored.flush()
        deflated = isal_zlib.compressobj(PLAIN_LEVEL, isal_zlib.DEFLATED, isal_zlib.MAX_WBITS | 16)
        return deflated.compress(data) + deflated.flush()


def record_id(record: Any) -> str:
    return record.rec_headers.get_header("WARC-Record-ID")
