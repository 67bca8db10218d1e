"""Reading WARC files back: every complete record with its offset, one record at an offset, and a
response record as a Scrapy response again.

Only gzip-per-record files (`.warc.gz`, what newsbot and web archives write) are read. Records are
found member by member with zlib, so an incomplete last member (a crash mid-write, or a file still
being written) ends the file cleanly instead of passing for a short record: warcio's own iterator
does not notice a truncated last member (warcio issue #138).
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import IO, Any

from scrapy.http import Response
from scrapy.http.headers import Headers
from scrapy.responsetypes import responsetypes
from warcio.archiveiterator import ArchiveIterator

logger = logging.getLogger(__name__)
OPEN_SUFFIX = ".open"
WARC_SUFFIXES = (".warc.gz", ".warc.gz" + OPEN_SUFFIX)
CHUNK = 1 << 20


def is_warc_file(path: Path) -> bool:
    return path.name.endswith(WARC_SUFFIXES)


def warc_files(path: Path) -> list[Path]:
    """The file itself, or a folder's WARC files in name order (newsbot's names sort by time); [] for
    a file or folder that holds none (an uncompressed .warc is not read)."""
    if path.is_file():
        return [path] if is_warc_file(path) else []
    return sorted((file for file in path.iterdir() if file.is_file() and is_warc_file(file)), key=final_name)


def final_name(path: Path) -> str:
    """A WARC file's name once closed (what the archive records), also while it is still `.open`."""
    return path.name.removesuffix(OPEN_SUFFIX)


def members(handle: IO[bytes], start: int = 0) -> Iterator[tuple[int, int, bytes]]:
    """(offset, length, decompressed bytes) of each complete gzip member from `start`; stops at the
    first incomplete or undecodable one."""
    handle.seek(start)
    offset, pending = start, b""
    while True:
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        parts, used = [], 0
        while not inflater.eof:
            if not pending:
                pending = handle.read(CHUNK)
                if not pending:
                    return  # end of file: clean between members, or an incomplete last one
            try:
                parts.append(inflater.decompress(pending))
            except zlib.error:
                return
            used += len(pending) - len(inflater.unused_data)
            pending = inflater.unused_data
        yield offset, used, b"".join(parts)
        offset += used


def complete_length(handle: IO[bytes]) -> int:
    """How many leading bytes of a .warc.gz file are complete members."""
    end = 0
    for offset, length, _ in members(handle):
        end = offset + length
    return end


@dataclass
class Located:
    """One record and where it is."""

    path: Path
    offset: int
    length: int
    record: Any
    """warcio's ArcWarcRecord: rec_type, rec_headers, http_headers, raw_stream, content_stream()."""

    @property
    def url(self) -> str:
        return self.record.rec_headers.get_header("WARC-Target-URI") or ""

    @property
    def date(self) -> str:
        return self.record.rec_headers.get_header("WARC-Date") or ""

    @property
    def record_id(self) -> str:
        return self.record.rec_headers.get_header("WARC-Record-ID") or ""

    @property
    def status(self) -> int | None:
        http = self.record.http_headers
        try:
            return int(http.get_statuscode()) if http else None
        except ValueError:
            return None


def _parse(data: bytes) -> Any:
    return next(iter(ArchiveIterator(BytesIO(data))))


def read_records(path: Path) -> Iterator[Located]:
    """Every complete record of a .warc.gz file, in order."""
    with open(path, "rb") as handle:
        end = 0
        for offset, length, data in members(handle):
            end = offset + length
            yield Located(path, offset, length, _parse(data))
        size = handle.seek(0, 2)
    if end < size:
        logger.warning("%s: %d bytes after the last complete record were skipped", path, size - end)


def read_record(path: Path, offset: int) -> Located:
    """The record at `offset` (ValueError when no complete record starts there)."""
    with open(path, "rb") as handle:
        for found, length, data in members(handle, offset):
            return Located(path, found, length, _parse(data))
    raise ValueError(f"{path}: no complete WARC record at offset {offset}")


def to_response(located: Located) -> Response:
    """A response record as the Scrapy response the download handler gave: the body as transferred
    (Content-Encoding kept: the downloader middlewares, or newsbot.compat.decode_content, decode it)."""
    record = located.record
    grouped: dict[str, list[str]] = {}
    for name, value in record.http_headers.headers:
        grouped.setdefault(name, []).append(value)
    headers = Headers(grouped)
    body = record.raw_stream.read()
    url = located.url
    cls = responsetypes.from_args(headers=headers, url=url, body=body)
    return cls(url=url, status=located.status or 200, headers=headers, body=body, protocol="HTTP/1.1")
