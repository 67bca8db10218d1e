"""`scrapy coverage`: per day, what the site listed, what the archive holds of it, and what is missing.

    scrapy coverage --since D [--until D] [--format text|csv|json] [--db PATH]

A day's stories are those on the whole-day lists any run read for it (the dated lists /latest-news/D,
the editorial lists, the print edition's sections; table day_lists). A day no run read a list of is
"unknown", never "complete". The exit status is 1 when a day before yesterday has a gap, so a timer can
alert; "yesterday" is by the clock, in site time (PKT): a day the calendar has finished should be whole
whatever the archive knows, and an archive that stopped growing must not make its own newest day the
measure. Days after the newest list read are unknown, which this command reports but does not alert on
(a run that does not happen is the timer's and the health check's to report). Mistakes end with one
line and exit status 2.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import TextIO

from scrapy.commands import ScrapyCommand
from scrapy.settings import BaseSettings

from newsbot.commands import DB_OPTION, ArchiveCommand, archive_path
from newsbot.config import ConfigError
from newsbot.dawn import SITE_OFFSET
from newsbot.exporters import open_archive
from newsbot.processors import parse_datetime
from newsbot.store.days import DayCoverage, coverage

FORMATS = ("text", "csv", "json")
CSV_FIELDS = ("day", "status", "lists", "listed", "stored", "missing", "missing_urls")


def parse_day(option: str, value: str | None) -> date | None:
    """A day given on the command line (YYYY-MM-DD); ConfigError for anything else."""
    parsed = parse_datetime(value) if value is not None else None
    if value is not None and (parsed is None or "T" in parsed):
        raise ConfigError(f"{option} {value!r} is not a date (YYYY-MM-DD)")
    return date.fromisoformat(parsed) if parsed else None


def site_today() -> date:
    """Today in site time, by the clock."""
    return datetime.now(SITE_OFFSET).date()


def days_between(since: date, until: date) -> list[str]:
    return [(since + timedelta(days=offset)).isoformat() for offset in range((until - since).days + 1)]


def alerting_gaps(days: Iterable[DayCoverage], today: date) -> list[DayCoverage]:
    """The days before yesterday that have a gap (the ones a timer should hear about)."""
    yesterday = (today - timedelta(days=1)).isoformat()
    return [day for day in days if day.status == "gap" and day.day < yesterday]


def write_text(days: list[DayCoverage], out: TextIO) -> None:
    out.write(f"{'day':<10}  {'status':<8}  {'lists':>5}  {'listed':>6}  {'stored':>6}  {'missing':>7}\n")
    for day in days:
        out.write(
            f"{day.day:<10}  {day.status:<8}  {len(day.lists):>5}  {day.listed:>6}  {day.stored:>6}  "
            f"{len(day.missing):>7}\n"
        )
        for missing in day.missing:
            out.write(f"  missing {missing['url']} ({missing['why']})\n")


def write_csv(days: list[DayCoverage], out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_FIELDS)
    for day in days:
        urls = " ".join(missing["url"] for missing in day.missing)
        writer.writerow([day.day, day.status, len(day.lists), day.listed, day.stored, len(day.missing), urls])


def write_json(days: list[DayCoverage], out: TextIO) -> None:
    rows = [
        {
            "day": day.day,
            "status": day.status,
            "lists": day.lists,
            "listed": day.listed,
            "stored": day.stored,
            "missing": day.missing,
        }
        for day in days
    ]
    json.dump(rows, out, ensure_ascii=False, indent=1)
    out.write("\n")


WRITERS = {"text": write_text, "csv": write_csv, "json": write_json}


def summary(days: list[DayCoverage], alerting: list[DayCoverage]) -> str:
    counts = {status: sum(day.status == status for day in days) for status in ("complete", "gap", "unknown")}
    missing = sum(len(day.missing) for day in days)
    line = (
        f"{len(days)} day(s): {counts['complete']} complete, {counts['gap']} with gaps ({missing} "
        f"stor{'y' if missing == 1 else 'ies'} missing), {counts['unknown']} unknown (no list read)"
    )
    if alerting:
        line += f"; gaps before yesterday: {', '.join(day.day for day in alerting)}"
    return line


def read_days(opts: argparse.Namespace, settings: BaseSettings, today: date) -> tuple[list[DayCoverage], str]:
    """The days asked for, read from the archive, and the output format; ConfigError says what to fix."""
    if opts.since is None:
        raise ConfigError("give the first day with --since YYYY-MM-DD")
    since = parse_day("--since", opts.since)
    until = parse_day("--until", opts.until) or today
    assert since is not None
    if since > until:
        raise ConfigError(f"--since {since} is after --until {until}")
    output = (opts.format or "text").strip().lower()
    if output not in FORMATS:
        raise ConfigError(f"unknown format {opts.format!r}; use {', '.join(FORMATS)}")
    store = open_archive(archive_path(opts.db, settings), writable=False)
    try:
        return list(coverage(store, days_between(since, until))), output
    finally:
        store.close()


class Command(ArchiveCommand, ScrapyCommand):
    usage = "--since D [--until D] [--format text|csv|json] [--db PATH]"
    summary = "Per day: stories the site listed, stories stored, and the missing URLs"
    description = (
        "Report, for each day from --since to --until (default: today, site time), the stories the "
        "site's whole-day lists held (as read by any run), how many the archive holds, and which are "
        "missing. Days no run read a list of are unknown. Exit status 1 when a day before yesterday "
        "has a gap."
    )
    options_title = "Coverage Options"
    options = (
        (("--since",), "D", "the first day (YYYY-MM-DD)"),
        (("--until",), "D", "the last day (default: today, site time)"),
        (("--format",), "FORMAT", "text (default), csv or json"),
        DB_OPTION,
    )

    def perform(self, opts: argparse.Namespace, settings: BaseSettings) -> None:
        today = site_today()
        days, output = read_days(opts, settings, today)
        WRITERS[output](days, sys.stdout)
        sys.stdout.flush()
        alerting = alerting_gaps(days, today)
        if settings.getbool("LOG_ENABLED"):
            print(summary(days, alerting), file=sys.stderr)
        if alerting:
            sys.exit(1)
