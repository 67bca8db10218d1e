"""`scrapy export`: the SQLite archive as CSV, JSON or JSON Lines, filtered and incremental.

    scrapy export -o FILE|- [--format csv|json|jsonl] [--type article|teaser] [--since D] [--until D]
                  [--genre G] [--section S] [--author NAME] [--search TEXT] [--new [--target NAME]]
                  [--fields a,b,c]
                  [--excel] [--db PATH]

This module checks the options and turns them into an ExportRequest; newsbot.exporters.run_export
streams the rows from one SQLite cursor through Scrapy's item exporters into a temporary file that is
renamed into place when complete. Anything a user can get wrong ends with one line and exit status 2,
never a traceback. docs/export.md is the user's guide.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.settings import BaseSettings

from newsbot.commands import DB_OPTION, ArchiveCommand, Option, archive_path, date_range, date_range_options
from newsbot.config import ConfigError
from newsbot.exporters import EXPORT_FORMATS, FORMAT_SUFFIXES, STDOUT, ExportRequest, run_export
from newsbot.items import GENRES
from newsbot.store.export import EXPORT_FIELDS, Selection, fts_query


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
    # The archive or one of SQLite's files beside it, whether or not that file exists right now.
    store_files = [db.with_name(db.name + suffix) for suffix in ("", "-wal", "-shm", "-journal")]
    resolved = path.resolve()
    for file in store_files:
        if resolved == file.resolve() or (path.exists() and file.exists() and path.samefile(file)):
            what = "the database itself" if file == db else f"the database's own {file.name} file"
            raise ConfigError(f"-o {output!r} is {what}; give another file")


def _expand(output: str, item_type: str, now: datetime) -> str:
    """-o with Scrapy's feed-URI placeholders: %(time)s (UTC, as Scrapy writes it) and %(type)s."""
    if "%" not in output:
        return output
    values = {"time": now.replace(microsecond=0).isoformat().replace(":", "-"), "type": item_type}
    try:
        return output % values
    except (KeyError, ValueError, TypeError):
        raise ConfigError(
            f"-o {output!r}: unknown placeholder; use %(time)s or %(type)s (and %% for a percent sign)"
        ) from None


def build_request(
    opts: argparse.Namespace, settings: BaseSettings, now: datetime | None = None
) -> ExportRequest:
    """Check every option and turn them into an ExportRequest; ConfigError says what to fix."""
    if not opts.output:
        raise ConfigError("give the output file with -o FILE, or -o - for standard output")
    db = archive_path(opts.db, settings)
    item_type = (opts.type or "article").strip().lower()
    if item_type not in EXPORT_FIELDS:
        raise ConfigError(f"unknown type {opts.type!r}; use {' or '.join(EXPORT_FIELDS)}")
    output = _expand(opts.output, item_type, now or datetime.now(UTC))
    _output_path(output, db)
    export_format = _export_format(output, opts.format)
    if opts.excel and export_format != "csv":
        raise ConfigError("--excel only applies to CSV (it adds the byte order mark Excel needs)")
    dates = date_range(opts)
    genre = _text("--genre", opts.genre)
    if genre is not None:
        genre = genre.lower()
        if genre not in GENRES:
            raise ConfigError(f"unknown genre {opts.genre!r}; use {', '.join(GENRES)}")
    search = _text("--search", opts.search)
    if search is not None and not fts_query(search):
        raise ConfigError(f"--search {opts.search!r} has no words to look for")
    target = None
    if opts.new:
        target = _text("--target", opts.target) or (None if opts.output == STDOUT else opts.output)
        if target is None:
            raise ConfigError("--new with -o - needs --target NAME to keep its mark under")
    elif opts.target is not None:
        raise ConfigError("--target only names the mark of a --new export; add --new or drop --target")
    return ExportRequest(
        db=db,
        output=output,
        replace=output == opts.output,  # a file named by a placeholder is new: never replace one
        export_format=export_format,
        selection=Selection(
            item_type=item_type,
            since=dates.since,
            until=dates.until,
            genre=genre,
            section=_text("--section", opts.section),
            author=_text("--author", opts.author),
            search=search,
        ),
        fields=_fields(opts.fields, item_type),
        target=target,
        excel=opts.excel,
    )


# (flags, metavar or None for an on/off switch, help) of every `scrapy export` option; docs/export.md.
EXPORT_OPTIONS: tuple[Option, ...] = (
    (("-o", "--output"), "FILE", "output file, or - for standard output"),
    (("--format",), "FORMAT", "csv, json or jsonl (default: from the file extension)"),
    (("--type",), "TYPE", "article (default) or teaser"),
    *date_range_options("published"),
    (("--genre",), "G", "news, opinion or editorial (articles only)"),
    (("--section",), "S", "exact section, ignoring ASCII case (articles only)"),
    (("--author",), "NAME", "one of the authors is exactly NAME (ignoring ASCII case)"),
    (("--search",), "TEXT", 'full-text search: every word or "phrase" occurs (articles only)'),
    (("--new",), None, "only rows stored or changed since the last --new export"),
    (("--target",), "NAME", "name the --new mark (default: the -o path as given)"),
    (("--fields",), "A,B,C", "the fields to export, in this order"),
    (("--excel",), None, "CSV: add a UTF-8 byte order mark for Excel"),
    DB_OPTION,
)


class Command(ArchiveCommand, ScrapyCommand):
    options_title = "Export Options"
    options = EXPORT_OPTIONS
    usage = "-o FILE|- [options]"
    summary = "Export the archive to CSV, JSON or JSON Lines (filtered, optionally only what is new)"
    description = (
        "Export stored articles or teasers from the SQLite archive (NEWSBOT_DB or --db). "
        "The file is written atomically: it appears whole or not at all. See docs/export.md."
    )

    def perform(self, opts: argparse.Namespace, settings: BaseSettings) -> None:
        request = build_request(opts, settings)
        try:
            result = run_export(request)
        except BrokenPipeError:
            # The reader of stdout went away (`| head`): that reader has what it wanted. Stop quietly;
            # a --new mark was not moved, so nothing is lost for the next export.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return
        if settings.getbool("LOG_ENABLED"):
            where = "standard output" if request.output == STDOUT else request.output
            line = (
                f"exported {result.rows} {request.selection.item_type}(s) "
                f"to {where} ({request.export_format})"
            )
            if result.mark is not None:
                line += f"; --new mark for {request.target!r} is now {result.mark}"
            print(line, file=sys.stderr)
