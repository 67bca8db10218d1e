"""Feeds and exports: CSV with nested fields as JSON text and spreadsheet formulas neutralised, and the
`scrapy export` job that writes the archive through them.

Used by `scrapy crawl -O` feeds (FEED_EXPORTERS) and by `scrapy export` (`run_export`). All writers are
Scrapy's own item exporters; nothing here writes CSV or JSON itself.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

from scrapy.exporters import BaseItemExporter, CsvItemExporter, JsonItemExporter, JsonLinesItemExporter

from newsbot.compat import write_csv_header_now
from newsbot.config import ConfigError
from newsbot.files import atomic_file
from newsbot.store import Store, StoreError, utc_now_iso
from newsbot.store.access import OlderSchema
from newsbot.store.export import ExportQueryError, Selection, advance_export_mark, export_mark, select_rows

STDOUT = "-"
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
        if self.include_headers_line and self.fields_to_export:
            write_csv_header_now(self)


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


@dataclass(frozen=True)
class ExportRequest:
    db: Path
    output: str
    """A file path, or "-" for standard output."""
    export_format: str
    selection: Selection
    fields: tuple[str, ...]
    target: str | None = None
    """--new: the name the high-water mark is kept under; None without --new."""
    excel: bool = False
    replace: bool = True
    """False when -o named the file by a placeholder (%(time)s): an existing file is an error."""


@dataclass(frozen=True)
class ExportResult:
    rows: int
    mark: int | None = None
    """The --new mark after the export (None without --new)."""


def _write(request: ExportRequest, rows: Iterator[tuple[int, dict]], file: BinaryIO) -> tuple[int, int]:
    """Export every row to `file`; returns (row count, highest change_seq written, 0 for none)."""
    exporter = item_exporter(request.export_format, file, request.fields, excel=request.excel)
    count = last = 0
    exporter.start_exporting()
    for change_seq, item in rows:
        exporter.export_item(item)
        count += 1
        last = max(last, change_seq)
    exporter.finish_exporting()
    return count, last


def _write_output(
    request: ExportRequest, rows: Iterator[tuple[int, dict]], stdout: BinaryIO | None
) -> tuple[int, int]:
    """Write the rows to standard output, or atomically to the output file (no partial file)."""
    if request.output == STDOUT:
        stream = stdout if stdout is not None else sys.stdout.buffer
        written = _write(request, rows, stream)
        stream.flush()
        return written
    try:
        with atomic_file(Path(request.output), replace=request.replace) as file:
            return _write(request, rows, file)
    except FileExistsError:
        raise ConfigError(f"{request.output!r} already exists; nothing was written or marked") from None
    except OSError as error:
        raise ConfigError(f"cannot write {request.output!r}: {error.strerror or error}") from None


def open_archive(db: Path, writable: bool) -> Store:
    """The archive for an export: read-only unless a --new mark is to be saved (so read-only storage
    can be exported), migrated first when it is of an earlier schema. ConfigError says what is wrong."""
    if not db.is_file():
        raise ConfigError(
            f"no database at {str(db)!r} (NEWSBOT_DB or --db); nothing was created — "
            "crawl first or give the archive's path"
        )
    try:
        if not writable:
            try:
                return Store.open_readonly(db)
            except OlderSchema:
                pass  # migrate it (which needs writing), then read
        return Store.open(db)
    except StoreError as error:
        raise ConfigError(str(error)) from None


def run_export(request: ExportRequest, stdout: BinaryIO | None = None) -> ExportResult:
    """Run one export. User errors raise ConfigError; the --new mark moves only after the output is
    complete (renamed into place, or flushed to stdout)."""
    store = open_archive(request.db, writable=request.target is not None)
    try:
        selection = request.selection
        if request.target is not None:
            selection = replace(
                selection, after_change_seq=export_mark(store, request.target, selection.item_type)
            )
        try:
            rows = select_rows(store, selection, request.fields)
        except ExportQueryError as error:
            raise ConfigError(str(error)) from None
        try:
            count, last = _write_output(request, rows, stdout)
        except sqlite3.DatabaseError as error:  # a damaged page met while reading the rows
            raise ConfigError(
                f"{request.db} cannot be read whole ({error}); the export is incomplete"
            ) from None
        if request.target is None:
            return ExportResult(rows=count)
        mark = max(last, selection.after_change_seq or 0)
        try:
            advance_export_mark(store, request.target, selection.item_type, mark, utc_now_iso())
        except sqlite3.Error as error:
            raise ConfigError(
                f"exported {count} row(s) to {request.output!r}, but the --new mark could not be saved "
                f"({error}); the next --new export to {request.target!r} will repeat them"
            ) from None
        return ExportResult(rows=count, mark=mark)
    finally:
        store.close()
