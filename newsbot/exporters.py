"""Feed/export writers: CSV with nested fields as JSON text and spreadsheet formulas neutralised.

Used by `scrapy crawl -O` feeds (FEED_EXPORTERS) and by `scrapy export` (`item_exporter`). All of them
are Scrapy's own item exporters; nothing here writes CSV or JSON itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import BinaryIO

from scrapy.exporters import BaseItemExporter, CsvItemExporter, JsonItemExporter, JsonLinesItemExporter

from newsbot.compat import write_csv_header_now

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
