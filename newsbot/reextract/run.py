"""A re-extraction run: read the WARC files, re-extract the chosen captures (in worker processes when
asked), and store the results page by page from this one process, as a crawl stores what it extracts.

Results come back in capture order (an ordered map with a bounded window), so memory holds a few batches,
not the corpus, and each page's captures arrive together for store/history.py to plan.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from pathlib import Path

from newsbot.dawn import index_genre
from newsbot.items import stronger_genre
from newsbot.monitoring.crosscheck import repair
from newsbot.monitoring.progressbar import ProgressBar
from newsbot.pipelines import missing_required
from newsbot.reextract.captures import Capture, Selection, by_page, scan
from newsbot.reextract.work import Outcome, extract_batch
from newsbot.settings import NEWSBOT_FEED_COPY_HOURS
from newsbot.store import history
from newsbot.store.copies import feed_copy
from newsbot.store.core import Store, utc_now_iso
from newsbot.store.rows import CaptureRef, article_row
from newsbot.warc.reader import final_name

BATCH = 8
"""Captures per task sent to a worker: few enough to keep the workers evenly busy."""
WINDOW = 4
"""Tasks in flight per worker: enough to keep it busy while the writer stores."""
WRITE_EVERY = 200
"""Article rows per write transaction."""


@dataclass(frozen=True)
class Job:
    db: Path
    files: list[Path]
    selection: Selection = field(default_factory=Selection)
    jobs: int = 1
    dry_run: bool = False
    feed_copy_hours: float = NEWSBOT_FEED_COPY_HOURS


@dataclass
class Report:
    dry_run: bool = False
    files: int = 0
    records: int = 0
    captures: Counter = field(default_factory=Counter)
    """captures re-extracted, by kind (article, index)."""
    articles: Counter = field(default_factory=Counter)
    """articles by outcome: new, updated, unchanged, newer_kept."""
    versions: int = 0
    dropped: Counter = field(default_factory=Counter)
    teasers: Counter = field(default_factory=Counter)
    fields: dict[str, Counter] = field(default_factory=dict)
    """field -> Counter of gained, lost, changed (over articles whose state changes)."""


class Extraction:
    """extract() of each capture, in order: in this process with one job, else in `jobs` worker
    processes. They are forked on entry, before the archive is opened, so none holds a copy of its
    connection; forking (not spawning) shares the imported page objects, so they start at once."""

    def __init__(self, jobs: int):
        self.jobs = jobs
        self.pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Extraction:
        if self.jobs > 1:
            self.pool = ProcessPoolExecutor(self.jobs, mp_context=multiprocessing.get_context("fork"))
            self.pool.submit(os.getpid).result()  # with fork, the first task starts every worker
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    def outcomes(self, captures: list[Capture]) -> Iterator[Outcome]:
        batches = [captures[start : start + BATCH] for start in range(0, len(captures), BATCH)]
        if self.pool is None:
            for batch in batches:
                yield from extract_batch(batch)
            return
        pending: deque[Future] = deque()
        for batch in batches:
            pending.append(self.pool.submit(extract_batch, batch))
            if len(pending) >= self.jobs * WINDOW:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


def capture_ref(capture: Capture) -> CaptureRef:
    name = final_name(capture.path)
    return CaptureRef(name, capture.offset, capture.record_id, capture.date)


def seen_at(capture: Capture) -> str:
    """The capture time in the store's form (UTC, whole seconds): when the page was seen."""
    return history.moment(capture.date).astimezone(UTC).replace(microsecond=0).isoformat()


class Writer:
    """Plans each page's states against the archive and writes them (unless a dry run), counting."""

    def __init__(self, store: Store, report: Report, now: str, feed_copy_hours: float):
        self.store = store
        self.report = report
        self.now = now
        self.feed_copy_hours = feed_copy_hours
        self.pending: list[dict] = []
        self.teasers_seen: dict[tuple[str, str], tuple[str, str]] = {}

    def page(self, group: list[tuple[Capture, Outcome]]) -> None:
        for capture, outcome in group:
            self.report.captures[capture.kind] += 1
            self.report.dropped.update(reason for reason, _ in outcome.dropped)
        if group[0][0].kind == "index":
            for capture, outcome in group:
                self._teasers(capture, outcome.teasers)
            return
        states: dict[str, list[dict]] = {}
        for capture, outcome in group:
            row = self._row(capture, outcome.article) if outcome.article is not None else None
            if row is not None:
                states.setdefault(row["url"], []).append(row)
        for url, rows in states.items():
            self._article(url, rows)

    def _row(self, capture: Capture, item: dict) -> dict | None:
        """An extracted article through what the crawl does next: the genre its index pages give it,
        the fields the page lacks filled from the site's feed copy (CrossCheckPipeline's repair, with a
        copy seen no longer than NEWSBOT_FEED_COPY_HOURS before the capture), the required fields."""
        hints = (index_genre(page) for page in history.index_pages_listing(self.store, item["url"]))
        item = item | {"genre": stronger_genre(item["genre"], *hints), "capture": capture_ref(capture)}
        if self.feed_copy_hours:
            since = history.moment(capture.date) - timedelta(hours=self.feed_copy_hours)
            copy = feed_copy(
                self.store, item["url"], None, since.astimezone(UTC).isoformat(timespec="seconds")
            )
            if copy is not None:
                repair(item, copy)
        reason = missing_required(item)
        if reason is not None:
            self.report.dropped[reason] += 1
            return None
        return article_row(item) | {"seen": seen_at(capture), "changed": self.now, "run_id": None}

    def _article(self, url: str, rows: list[dict]) -> None:
        current = history.stored_article(self.store, url)
        plan = history.plan_article(current, history.version_hashes(self.store, url), rows)
        self.report.articles[plan.outcome] += 1
        self.report.versions += plan.versions
        if plan.after is not None:
            for name, change in history.field_changes(plan.before, plan.after).items():
                self.report.fields.setdefault(name, Counter())[change] += 1
        self.pending += plan.rows
        if len(self.pending) >= WRITE_EVERY:
            self.flush()

    def _teasers(self, capture: Capture, items: list[dict]) -> None:
        seen, ref = seen_at(capture), capture_ref(capture)
        items = [item | {"capture": ref} for item in items]
        to_save, outcomes = history.plan_teasers(self.store, items, capture.date, self.teasers_seen)
        self.report.teasers.update(outcomes)
        if to_save and not self.report.dry_run:
            self.store.save_teasers(to_save, seen_at=seen)

    def flush(self) -> None:
        if self.pending and not self.report.dry_run:
            self.store.save_article_rows(self.pending)
        self.pending = []


def reextract(
    job: Job, store: Store, extraction: Extraction, progress: Callable[..., ProgressBar] = ProgressBar
) -> Report:
    """Re-extract the job's captures into `store` (or only plan it, for a dry run: a read-only store);
    the report. The command opens the store, after entering `extraction` (which forks the workers)."""
    report = Report(dry_run=job.dry_run)
    total = sum(path.stat().st_size for path in job.files)
    reading = progress("reading WARC", total, " MB", scale=1e6)
    found = scan(job.files, job.selection, reading.advance)
    reading.finish()
    report.files, report.records = found.files, found.records
    writer = Writer(store, report, utc_now_iso(), job.feed_copy_hours)
    working = progress("re-extracting", len(found.captures), " pages")
    results = zip(found.captures, extraction.outcomes(found.captures), strict=True)
    for group in by_page(results):
        writer.page(group)
        working.advance(len(group))
    writer.flush()
    working.finish()
    return report
