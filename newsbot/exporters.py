"""Feed/export writers: CSV with nested fields as JSON text and spreadsheet formulas neutralised.

Used by `scrapy crawl -O` feeds (FEED_EXPORTERS) and by `scrapy export` (`item_exporter`,
`atomic_file`). All of them are Scrapy's own item exporters; nothing here writes CSV or JSON itself.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO

from scrapy.exporters import BaseItemExporter, CsvItemExporter, JsonItemExporter, JsonLinesItemExporter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """One CSV cell: lists/dicts as JSON text; a text starting like a formula gets a leading `'`.

    Spreadsheets execute cells starting with = + - @ tab or CR (CSV injection, CWE-1236); the `'`
    makes them show the text instead. JSON and JSON Lines outputs keep values exactly.
    """
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class JsonCellCsvItemExporter(CsvItemExporter):
    def serialize_field(self, field, name, value):
        serializer = field.get("serializer")
        return csv_cell(serializer(value) if serializer else value)

    def start_exporting(self):
        # With the fields known up front, the header goes out before any row, so an export of no
        # rows is still a valid CSV file (just the header) rather than an empty one.
        if self.include_headers_line and self.fields_to_export and self._headers_not_written:
            self._headers_not_written = False
            self._write_headers_and_set_fields_to_export(None)


# `scrapy export --format` -> exporter class; file suffixes that imply a format.
EXPORT_FORMATS = {
    "csv": JsonCellCsvItemExporter,
    "json": JsonItemExporter,
    "jsonl": JsonLinesItemExporter,
}
FORMAT_SUFFIXES = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".jl": "jsonl", ".ndjson": "jsonl"}


def item_exporter(
    export_format: str, file: BinaryIO, fields: Iterable[str], excel: bool = False
) -> BaseItemExporter:
    """The exporter for `export_format`, writing UTF-8 (non-ASCII text unescaped) to a binary file.

    JSON is one array with one object per line (as `scrapy crawl -O x.json` writes it). `excel`
    starts a CSV with a UTF-8 byte order mark, which Excel needs to read the file as UTF-8.
    """
    options: dict = {"fields_to_export": list(fields), "encoding": "utf-8"}
    if export_format == "csv" and excel:
        options["encoding"] = "utf-8-sig"
    if export_format == "json":
        options["indent"] = 0
    return EXPORT_FORMATS[export_format](file, **options)


@contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A binary file that appears at `path` whole or not at all.

    Writes go to a hidden temporary file in the same directory (`.NAME.XXXX.tmp`), which is fsynced
    and renamed over `path` only when the block ends without an exception; on an exception it is
    removed and `path` keeps what it had. A process killed outright can leave the temporary file
    behind, never a partial `path`. The result gets the mode an existing `path` had, else the
    usual one for new files (0666 less the umask).
    """
    directory = path.parent
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(descriptor, "wb") as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, _mode_for(path))
        os.replace(temporary, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _fsync_directory(directory)


def _mode_for(path: Path) -> int:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (where the platform allows opening a directory)."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
