"""Feed/export writers: CSV with nested fields as JSON text and spreadsheet formulas neutralised."""

from __future__ import annotations

import json

from scrapy.exporters import CsvItemExporter

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
