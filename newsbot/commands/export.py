"""`scrapy export`: the SQLite archive as CSV, JSON or JSON Lines, filtered and incremental.

    scrapy export -o FILE|- [--format csv|json|jsonl] [--type article|teaser] [--since D] [--until D]
                  [--genre G] [--section S] [--author NAME] [--new [--target NAME]] [--fields a,b,c]
                  [--excel] [--db PATH]

Rows stream from one SQLite cursor through Scrapy's item exporters (newsbot.exporters) into a
temporary file that is renamed into place when complete. Anything a user can get wrong ends with one
clear line and exit status 2, never a traceback. docs/export.md is the user's guide.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newsbot.config import ConfigError, setting
from newsbot.exporters import EXPORT_FORMATS, FORMAT_SUFFIXES, item_exporter
from newsbot.files import atomic_file
from newsbot.items import GENRES
from newsbot.processors import parse_datetime
from newsbot.store import Store, StoreError, utc_now_iso
from newsbot.store.export import (
    EXPORT_FIELDS,
    ExportQueryError,
    Selection,
    advance_export_mark,
    export_mark,
    select_rows,
)

STDOUT = "-"


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


@dataclass(frozen=True)
class ExportResult:
    rows: int
    mark: int | None = None
    """The --new mark after the export (None without --new)."""


def _date_bound(option: str, value: str | None) -> str | None:
    if value is None:
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        raise ConfigError(
            f"{option} {value!r} is not a date (YYYY-MM-DD) "
            "or an ISO datetime (YYYY-MM-DDTHH:MM[:SS][+HH:MM])"
        )
    return parsed


def _text(option: str, value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not value:
        raise ConfigError(f"{option} is empty")
    return value


def _export_format(output: str, given: str | None) -> str:
    if given is not None:
        if given.lower() not in EXPORT_FORMATS:
            raise ConfigError(f"unknown format {given!r}; use {', '.join(EXPORT_FORMATS)}")
        return given.lower()
    if output == STDOUT:
        raise ConfigError(f"-o - (standard output) needs --format {'|'.join(EXPORT_FORMATS)}")
    suffix = Path(output).suffix.lower()
    if suffix not in FORMAT_SUFFIXES:
        raise ConfigError(
            f"cannot tell the format of {output!r} from its extension; "
            f"add --format {'|'.join(EXPORT_FORMATS)} or name it {', '.join(FORMAT_SUFFIXES)}"
        )
    return FORMAT_SUFFIXES[suffix]


def _fields(value: str | None, item_type: str) -> tuple[str, ...]:
    if value is None:
        return EXPORT_FIELDS[item_type]
    names = tuple(name.strip() for name in value.split(","))
    if not all(names):
        raise ConfigError(f"--fields {value!r} has an empty name; give names separated by commas")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ConfigError(f"--fields names {', '.join(repeated)} more than once")
    return names  # unknown names are refused by select_rows, which knows the columns


def _output_path(output: str, db: Path) -> None:
    if output == STDOUT:
        return
    path = Path(output)
    if path.is_dir():
        raise ConfigError(f"-o {output!r} is a directory; give a file path")
    if not path.parent.is_dir():
        raise ConfigError(f"-o {output!r}: directory {str(path.parent)!r} does not exist")
    store_files = (db.with_name(db.name + suffix) for suffix in ("", "-wal", "-shm", "-journal"))
    if path.exists() and any(file.exists() and path.samefile(file) for file in store_files):
        raise ConfigError(f"-o {output!r} is the database itself; give another file")


def build_request(opts, settings) -> ExportRequest:
    """Check every option and turn them into an ExportRequest; ConfigError says what to fix."""
    if not opts.output:
        raise ConfigError("give the output file with -o FILE, or -o - for standard output")
    db_value = opts.db if opts.db is not None else setting(settings, "NEWSBOT_DB")
    db_value = (db_value or "").strip()
    if not db_value:
        raise ConfigError("no database given: set NEWSBOT_DB or pass --db PATH")
    db = Path(db_value).expanduser()
    _output_path(opts.output, db)
    item_type = (opts.type or "article").strip().lower()
    if item_type not in EXPORT_FIELDS:
        raise ConfigError(f"unknown type {opts.type!r}; use {' or '.join(EXPORT_FIELDS)}")
    export_format = _export_format(opts.output, opts.format)
    if opts.excel and export_format != "csv":
        raise ConfigError("--excel only applies to CSV (it adds the byte order mark Excel needs)")
    since = _date_bound("--since", opts.since)
    until = _date_bound("--until", opts.until)
    if since and until:
        start = since if len(since) > 10 else since + "T00:00:00+05:00"
        end = until if len(until) > 10 else until + "T23:59:59+05:00"
        if start > end:
            raise ConfigError(f"--since {opts.since} is after --until {opts.until}")
    genre = _text("--genre", opts.genre)
    if genre is not None:
        genre = genre.lower()
        if genre not in GENRES:
            raise ConfigError(f"unknown genre {opts.genre!r}; use {', '.join(GENRES)}")
    target = None
    if opts.new:
        target = _text("--target", opts.target) or (None if opts.output == STDOUT else opts.output)
        if target is None:
            raise ConfigError("--new with -o - needs --target NAME to keep its mark under")
    elif opts.target is not None:
        raise ConfigError("--target only names the mark of a --new export; add --new or drop --target")
    return ExportRequest(
        db=db,
        output=opts.output,
        export_format=export_format,
        selection=Selection(
            item_type=item_type,
            since=since,
            until=until,
            genre=genre,
            section=_text("--section", opts.section),
            author=_text("--author", opts.author),
        ),
        fields=_fields(opts.fields, item_type),
        target=target,
        excel=opts.excel,
    )


def _write(request: ExportRequest, rows, file: BinaryIO) -> tuple[int, int]:
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


def run_export(request: ExportRequest, stdout: BinaryIO | None = None) -> ExportResult:
    """Run one export. User errors raise ConfigError; the --new mark moves only after the output is
    complete (renamed into place, or flushed to stdout)."""
    if not request.db.is_file():
        raise ConfigError(
            f"no database at {str(request.db)!r} (NEWSBOT_DB or --db); nothing was created — "
            "crawl first or give the archive's path"
        )
    try:
        store = Store.open(request.db)
    except StoreError as error:
        raise ConfigError(str(error)) from None
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
        if request.output == STDOUT:
            stream = stdout if stdout is not None else sys.stdout.buffer
            count, last = _write(request, rows, stream)
            stream.flush()
        else:
            try:
                with atomic_file(Path(request.output)) as file:
                    count, last = _write(request, rows, file)
            except OSError as error:
                raise ConfigError(f"cannot write {request.output!r}: {error.strerror or error}") from None
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


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False

    def syntax(self) -> str:
        return "-o FILE|- [options]"

    def short_desc(self) -> str:
        return "Export the archive to CSV, JSON or JSON Lines (filtered, optionally only what is new)"

    def long_desc(self) -> str:
        return (
            "Export stored articles or teasers from the SQLite archive (NEWSBOT_DB or --db). "
            "The file is written atomically: it appears whole or not at all. See docs/export.md."
        )

    def add_options(self, parser) -> None:
        super().add_options(parser)
        group = parser.add_argument_group(title="Export Options")
        group.add_argument("-o", "--output", metavar="FILE", help="output file, or - for standard output")
        group.add_argument(
            "--format", metavar="FORMAT", help="csv, json or jsonl (default: from the file extension)"
        )
        group.add_argument("--type", metavar="TYPE", help="article (default) or teaser")
        group.add_argument("--since", metavar="D", help="published on/after D (YYYY-MM-DD or ISO datetime)")
        group.add_argument("--until", metavar="D", help="published on/before D (a date includes that day)")
        group.add_argument("--genre", metavar="G", help="news, opinion or editorial (articles only)")
        group.add_argument(
            "--section", metavar="S", help="exact section, ignoring ASCII case (articles only)"
        )
        group.add_argument(
            "--author", metavar="NAME", help="one of the authors is exactly NAME (ignoring ASCII case)"
        )
        group.add_argument(
            "--new", action="store_true", help="only rows stored or changed since the last --new export"
        )
        group.add_argument(
            "--target", metavar="NAME", help="name the --new mark (default: the -o path as given)"
        )
        group.add_argument("--fields", metavar="A,B,C", help="the fields to export, in this order")
        group.add_argument("--excel", action="store_true", help="CSV: add a UTF-8 byte order mark for Excel")
        group.add_argument("--db", metavar="PATH", help="the SQLite archive (default: NEWSBOT_DB)")

    def run(self, args, opts) -> None:
        if args:
            raise UsageError(f"unexpected argument(s): {' '.join(args)}", print_help=False)
        try:
            request = build_request(opts, self.settings)
            result = run_export(request)
        except ConfigError as error:
            raise UsageError(str(error), print_help=False) from None
        except BrokenPipeError:
            # The reader of stdout went away (`| head`): stop quietly, keep the mark where it was.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise UsageError(
                "standard output was closed before the export finished; the --new mark was not moved",
                print_help=False,
            ) from None
        if self.settings.getbool("LOG_ENABLED"):
            where = "standard output" if request.output == STDOUT else request.output
            line = (
                f"exported {result.rows} {request.selection.item_type}(s) "
                f"to {where} ({request.export_format})"
            )
            if result.mark is not None:
                line += f"; --new mark for {request.target!r} is now {result.mark}"
            print(line, file=sys.stderr)
