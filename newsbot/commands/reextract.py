"""`scrapy reextract`: run today's page objects over the responses kept in WARC and update the archive as a
crawl would (new versions, change_seq, teasers, related editorials), without a single download.

    scrapy reextract [--db PATH] [--warc PATH] [--since D] [--until D] [--url URL ...] [--jobs N]
                     [--dry-run]

Anything a user can get wrong ends with one line and exit status 2; a second re-extraction of the same
archive exits with status 75. The report per field goes to standard output, progress to standard error.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.settings import BaseSettings

from newsbot.commands import (
    DB_OPTION,
    ArchiveCommand,
    Option,
    archive_path,
    date_range,
    date_range_options,
    fail,
)
from newsbot.commands.crawl import EXIT_ALREADY_RUNNING
from newsbot.config import ConfigError, number, warc_dir
from newsbot.dawn import index_genre
from newsbot.processors import canonical_article_url
from newsbot.reextract.captures import Selection
from newsbot.reextract.run import Extraction, Job, Report, reextract
from newsbot.store import Store
from newsbot.store.rows import CONTENT_FIELDS
from newsbot.store.runlock import RunLock
from newsbot.warc.reader import warc_files

CRAWL_SPIDERS = ("articles", "opinion")
"""The spiders whose runs write the archive (their run locks, newsbot.store.runlock)."""
MAX_JOBS = 64


def _page(value: str) -> str:
    page = canonical_article_url(value) or (value if index_genre(value) else None)
    if page is None:
        raise ConfigError(
            f"--url {value!r} is neither a www.dawn.com article nor an opinion or editorial index page"
        )
    return page


def build_job(opts: argparse.Namespace, settings: BaseSettings) -> Job:
    """Check every option and turn them into a Job; ConfigError says what to fix."""
    db = archive_path(opts.db, settings)
    if not db.is_file():
        raise ConfigError(f"--db {str(db)!r}: no such archive")
    if opts.warc is not None:
        warc = Path(opts.warc).expanduser()
    else:
        default = warc_dir(settings, db)
        if default is None:
            raise ConfigError("no WARC to read: NEWSBOT_WARC_DIR is empty; pass --warc PATH")
        warc = default
    if not warc.exists():
        raise ConfigError(f"--warc {str(warc)!r}: no such file or folder")
    files = warc_files(warc)
    if not files:
        raise ConfigError(f"--warc {str(warc)!r}: no .warc.gz files there")
    dates = date_range(opts)  # capture times: a date is its whole day in site time
    since, until = dates.start(), dates.end()
    jobs = (opts.jobs or "1").strip()
    if not (jobs.isascii() and jobs.isdigit() and 1 <= int(jobs) <= MAX_JOBS):
        raise ConfigError(f"--jobs {opts.jobs!r}: give a number of worker processes from 1 to {MAX_JOBS}")
    pages = frozenset(_page(value) for value in opts.url or ())
    hours = number(settings, "NEWSBOT_FEED_COPY_HOURS")
    return Job(db, files, Selection(since, until, pages), int(jobs), opts.dry_run, hours)


def report_lines(report: Report) -> list[str]:
    articles, teasers = report.articles, report.teasers
    lines = [
        f"read {report.records} records in {report.files} WARC file(s); re-extracted "
        f"{report.captures['article']} article and {report.captures['index']} index page capture(s)",
        f"articles: {articles['new']} new, {articles['updated']} updated ({report.versions} earlier "
        f"state(s) kept as versions), {articles['unchanged']} unchanged, {articles['newer_kept']} "
        "left as stored (stored from a later capture)",
        f"teaser cards: {teasers['new']} new, {teasers['updated']} updated, {teasers['unchanged']} "
        f"unchanged, {teasers['older']} seen later than the capture (left)",
    ]
    if report.dropped:
        drops = ", ".join(f"{reason} {count}" for reason, count in sorted(report.dropped.items()))
        lines.append(f"dropped, as a crawl would: {drops}")
    lines.append(f"{'field':<20}{'gained':>8}{'lost':>8}{'changed':>9}")
    for name in CONTENT_FIELDS:
        counts = report.fields.get(name, Counter())
        lines.append(
            f"{name:<20}{counts.get('gained', 0):>8}{counts.get('lost', 0):>8}{counts.get('changed', 0):>9}"
        )
    if report.dry_run:
        lines.append("dry run: nothing was written")
    return lines


# Every `scrapy reextract` option; --url may be repeated.
REEXTRACT_OPTIONS: tuple[Option, ...] = (
    DB_OPTION,
    (("--warc",), "PATH", "a WARC file or folder (default: NEWSBOT_WARC_DIR)"),
    *date_range_options("captured"),
    (("--url",), "URL", "only this article or index page (repeatable)"),
    (("--jobs",), "N", "worker processes for parsing (default 1)"),
    (("--dry-run",), None, "report what would change; write nothing"),
)


class Command(ArchiveCommand, ScrapyCommand):
    options_title = "Re-extraction Options"
    options = REEXTRACT_OPTIONS
    repeatable = ("--url",)
    summary = "Re-run today's page objects over the responses kept in WARC and update the archive"
    description = (
        "Re-extract every article and opinion/editorial index page kept in WARC (NEWSBOT_WARC_DIR or "
        "--warc) with today's page objects and store the results as a crawl would: changed articles "
        "get a new version, the newest capture is the current state. Nothing is downloaded."
    )

    def perform(self, opts: argparse.Namespace, settings: BaseSettings) -> None:
        job = build_job(opts, settings)
        # A real run excludes other re-extractions and the crawls: a crawl storing a newer capture
        # between our plan and our write would otherwise be overwritten by the older state.
        held: list[RunLock] = []
        for name in () if job.dry_run else ("reextract", *CRAWL_SPIDERS):
            lock = RunLock(job.db, name)
            if not lock.acquire():
                for taken in held:
                    taken.release()
                busy = (
                    f"a re-extraction of {job.db} is already running"
                    if name == "reextract"
                    else f"a {name!r} crawl on {job.db} is running; re-extract when it has ended"
                )
                fail(f"{busy} (pid {lock.holder()})", status=EXIT_ALREADY_RUNNING)
            held.append(lock)
        try:
            report = run_job(job)
        finally:
            for lock in held:
                lock.release()
        print("\n".join(report_lines(report)))


def run_job(job: Job) -> Report:
    """Open the archive (read-only for a dry run) once the worker processes are forked, and re-extract."""
    with Extraction(job.jobs) as extraction:
        store = Store.open_readonly(job.db) if job.dry_run else Store.open(job.db)
        try:
            return reextract(job, store, extraction)
        finally:
            store.close()
