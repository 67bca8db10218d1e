"""Reliability under faults (issue 5): `scrapy crawl` against a fault-injecting server on 127.0.0.1.

Each fault of the issue's list (except robots.txt: tests/test_guard.py) is a test here:
1 and 2 retried HTTP and transport faults and pages that keep failing, 3 oversized responses and a
gzip bomb with the crawl's peak memory measured, 4 pages that cannot be parsed, 6 kill -9 at random
moments, 7 an `articles` and an `opinion` run on one store at the same time, 8 old, corrupt and
unusable store files; plus the security checks on SQL building and remote-control settings.

Every test prints the figures it measured ("[figure] {...}"); with NEWSBOT_FAULT_FIGURES=path they are
also appended to that file as JSON lines (docs/reliability.md is their summary).
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import threading
import time
import tomllib
from contextlib import closing
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit
from uuid import uuid4

import pytest
from scrapy.settings import Settings

from newsbot import settings as project_settings
from newsbot.items import ARTICLE_FIELDS
from newsbot.store import SCHEMA_VERSION, Store
from newsbot.store.rows import article_row
from newsbot.store.schema import MIGRATIONS
from tests.conftest import FAST, ROOT, SNAPSHOT, scrapy_command, stored_articles
from tests.faults import FaultServer, GzipFile, Huge, Reset, Short, Stall, Status, write_gzip_bomb

DATA = Path(__file__).parent / "data"
EXPECTED = {item["article_id"]: item for item in json.loads((DATA / "snapshot_expected.json").read_text())}
GOOD_PATHS = {f"/news/{article_id}" for article_id in EXPECTED}
MIB = 1024 * 1024
MEMORY_BOUND_MB = 250  # peak RSS of a crawl process facing a huge body or a bomb
ENV = {**os.environ, "SCRAPY_SETTINGS_MODULE": "newsbot.settings", "PYTHONPATH": str(ROOT)}


def url(article_id: int) -> str:
    return f"https://www.dawn.com/news/{article_id}"


def figure(fault: str, **values) -> None:
    """Print a measured figure; also append it to $NEWSBOT_FAULT_FIGURES (JSON lines) when set."""
    line = json.dumps({"fault": fault, **values}, sort_keys=True, default=str)
    print(f"[figure] {line}")
    if os.environ.get("NEWSBOT_FAULT_FIGURES"):
        with open(os.environ["NEWSBOT_FAULT_FIGURES"], "a", encoding="utf-8") as out:
            out.write(line + "\n")


# --- running scrapy ---


@dataclass
class Run:
    returncode: int
    log: str
    stats: dict
    peak_rss_mb: float

    def errors(self) -> list[str]:
        return [line for line in self.log.splitlines() if "] ERROR:" in line]


def scrapy(args: list[str], workdir: Path, settings: dict, timeout: float = 150) -> Run:
    """Run `scrapy <args>` in a subprocess and measure its peak resident memory (wait4's ru_maxrss).

    The process gets its own rusage, so the figure is this crawl's alone, not the largest of all
    children so far (RUSAGE_CHILDREN).
    """
    stats_file = workdir / f"stats-{uuid4().hex}.json"
    log_file = workdir / f"log-{uuid4().hex}.txt"
    with log_file.open("w") as log:
        process = subprocess.Popen(
            scrapy_command(args, settings, stats_file), cwd=ROOT, env=ENV, stdout=log, stderr=log
        )
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)
    stats = json.loads(stats_file.read_text()) if stats_file.exists() else {}
    return Run(process.returncode, log_file.read_text(), stats, usage.ru_maxrss / 1024)


def crawl(
    server: FaultServer, workdir: Path, *args: str, spider: str = "articles", timeout: float = 150, **settings
) -> Run:
    base = {
        "NEWSBOT_MIRROR": server.url,
        "NEWSBOT_DB": str(workdir / "newsbot.db"),
        **FAST,
        "DOWNLOAD_TIMEOUT": 2,
    }
    return scrapy(["crawl", spider, *args], workdir, base | settings, timeout=timeout)


def query(db: Path, sql: str, params=()) -> list[tuple]:
    with closing(sqlite3.connect(db)) as connection:
        return connection.execute(sql, params).fetchall()


def fetch_record(db: Path, article_id: int) -> tuple | None:
    rows = query(db, "SELECT outcome, status, failures FROM fetches WHERE url = ?", (url(article_id),))
    return rows[0] if rows else None


def assert_oracle(row: dict, article_id: int, fields=ARTICLE_FIELDS) -> None:
    for name in fields:
        assert row[name] == EXPECTED[article_id][name], f"article {article_id}: field {name!r}"


def no_spider_error(run: Run, article_id: int) -> bool:
    return f"Spider error processing <GET {url(article_id)}>" not in run.log


def page_bytes(article_id: int) -> bytes:
    return (SNAPSHOT / "news" / f"{article_id}.html").read_bytes()


def start_point_paths() -> list[str]:
    points = tomllib.loads((ROOT / "seeds" / "start-points.toml").read_text())["articles"]
    return [urlsplit(u).path for u in points["listings"] + points["feeds"] + points["sitemaps"]]


# --- 1, 2: HTTP errors, Retry-After, stalls, resets and short bodies that go away on retry ---

RETRY_AFTER_DATE_DELAY = 4  # seconds from scripting; the crawl starts about 1.5 s later
TRANSIENT = {
    # case: (article id, reasons the retry may be counted under, asked wait in seconds or None)
    "503_then_200": (1990001, ("503 Service Unavailable",)),
    "500_then_200": (1990003, ("500 Internal Server Error",)),
    "429_retry_after_2s_then_200": (1990005, ("429 Unknown Status", "429 Too Many Requests")),
    "503_retry_after_http_date_then_200": (1990007, ("503 Service Unavailable",)),
    "stall_after_headers_then_200": (1990009, ("scrapy.exceptions.DownloadTimeoutError",)),
    "reset_mid_body_then_200": (
        1990011,
        ("scrapy.exceptions.ResponseDataLossError", "twisted.internet.error.ConnectionLost"),
    ),
    "short_body_then_200": (1990013, ("scrapy.exceptions.ResponseDataLossError",)),
}


@pytest.fixture(scope="module")
def transient(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("transient")
    with FaultServer(SNAPSHOT) as server:
        retry_date = formatdate(time.time() + RETRY_AFTER_DATE_DELAY, usegmt=True)
        answers = {
            "503_then_200": Status(503),
            "500_then_200": Status(500),
            "429_retry_after_2s_then_200": Status(429, {"Retry-After": "2"}),
            "503_retry_after_http_date_then_200": Status(503, {"Retry-After": retry_date}),
            "stall_after_headers_then_200": Stall(),
            "reset_mid_body_then_200": Reset(),
            "short_body_then_200": Short(),
        }
        for case, (article_id, _) in TRANSIENT.items():
            server.script(f"/news/{article_id}", answers[case])
        ids = ",".join(url(article_id) for article_id, _ in TRANSIENT.values())
        run = crawl(server, workdir, "-a", f"urls={ids}")
        waits = {"429_retry_after_2s_then_200": 2.0, "503_retry_after_http_date_then_200": retry_date}
        yield workdir / "newsbot.db", run, server.log(), waits


@pytest.mark.slow
def test_transient_faults_crawl_finishes_cleanly_with_every_retry_counted(transient):
    db, run, log, _ = transient
    assert run.returncode == 0, run.log[-3000:]
    assert run.stats["finish_reason"] == "finished"
    assert "Traceback" not in run.log and not run.errors()
    assert run.stats["retry/count"] == len(TRANSIENT)
    assert run.stats["newsbot/retry_after/honoured"] == 2
    assert not query(db, "SELECT url FROM fetches WHERE outcome != 'fetched'")
    # The project settings keep the remote-control surfaces off in a real crawl.
    assert "Telnet console listening" not in run.log
    assert "Remote control HTTP server listening" not in run.log
    figure(
        "transient faults (one crawl)",
        retries=run.stats["retry/count"],
        stored=run.stats.get("newsbot/articles/stored"),
        expected=len(TRANSIENT),
        peak_rss_mb=round(run.peak_rss_mb, 1),
    )


@pytest.mark.slow
@pytest.mark.parametrize("case", TRANSIENT)
def test_transient_fault_is_retried_and_the_article_stored(transient, case):
    db, run, log, waits = transient
    article_id, reasons = TRANSIENT[case]
    attempts = [entry for entry in log if entry.path == f"/news/{article_id}"]
    assert [entry.answer == "page" for entry in attempts] == [False, True], "one fault, then the page"
    assert attempts[-1].complete
    assert any(run.stats.get(f"retry/reason_count/{reason}") for reason in reasons), run.stats
    assert_oracle(stored_articles(db)[article_id], article_id)
    assert fetch_record(db, article_id) == ("fetched", 200, 0)
    fault, retry = attempts
    waited = retry.started - (fault.finished or fault.started)
    asked = waits.get(case)
    if isinstance(asked, float):
        assert waited >= asked, f"Retry-After: {asked}s asked, retried after {waited:.2f}s"
    elif isinstance(asked, str):
        assert retry.started >= parsedate_to_datetime(asked).timestamp(), (
            "retried before the Retry-After date"
        )
    figure(
        case,
        attempts=len(attempts),
        retry_reason=[reason for reason in reasons if run.stats.get(f"retry/reason_count/{reason}")][0],
        retry_after_asked=asked,
        server_gap_s=round(waited, 2),
        stored=True,
    )


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        (b"120", 120.0),
        (b" 7 ", 7.0),
        (b"Thu, 01 Jan 1970 00:02:00 GMT", 60.0),
        (b"Thu, 01 Jan 1970 00:00:30 GMT", 0.0),  # a date already past: no wait
        (b"\xb2", None),  # latin-1 superscript two: isdigit() is true, float() raised ValueError
        (b"1\xb9", None),
        (b"-5", None),
        (b"1e400", None),
        (b"soon", None),
        (b"", None),
        (None, None),
    ],
)
def test_parse_retry_after_reads_seconds_and_dates_and_refuses_the_rest(header, seconds):
    from newsbot.downloader.retry import parse_retry_after

    assert parse_retry_after(header, now=60.0) == seconds


@pytest.mark.slow
def test_retry_after_is_capped_by_newsbot_retry_after_max(tmp_path):
    """A 429 asking for an hour waits NEWSBOT_RETRY_AFTER_MAX (1 s), then the page is stored."""
    with FaultServer(SNAPSHOT) as server:
        server.script("/news/1990003", Status(429, {"Retry-After": "3600"}))
        run = crawl(server, tmp_path, "-a", f"urls={url(1990003)}", NEWSBOT_RETRY_AFTER_MAX=1)
        limited, retry = server.log("/news/1990003")
    assert run.returncode == 0, run.log[-3000:]
    assert run.stats["newsbot/retry_after/max_seconds"] == 1.0
    assert retry.started >= limited.finished + 1.0
    assert_oracle(stored_articles(tmp_path / "newsbot.db")[1990003], 1990003)
    figure(
        "429 Retry-After: 3600, NEWSBOT_RETRY_AFTER_MAX=1",
        waited_s=1.0,
        server_gap_s=round(retry.started - limited.finished, 2),
        stored=True,
    )


@pytest.mark.slow
def test_retry_after_holds_back_the_whole_site(tmp_path):
    """With a download delay (as in production), no other page of the site goes out during the wait."""
    ids = (1990001, 1990003, 1990005, 1990007)
    with FaultServer(SNAPSHOT) as server:
        server.script("/news/1990003", Status(429, {"Retry-After": "2"}))
        run = crawl(
            server,
            tmp_path,
            "-a",
            "urls=" + ",".join(url(article_id) for article_id in ids),
            timeout=20,
            DOWNLOAD_DELAY=0.2,
            DOWNLOAD_DELAY_JITTER=0,
            CONCURRENT_REQUESTS_PER_DOMAIN=1,
        )
        log = server.log()
    figure("429 Retry-After: 2 with DOWNLOAD_DELAY=0.2", exit_status=run.returncode, requests=len(log))
    assert run.returncode == 0, "the crawl did not finish (killed after 20 s)"
    [limited] = [entry for entry in log if entry.answer == "status_429"]
    later = [entry for entry in log if entry.started > limited.started]
    assert later, "nothing was requested after the 429"
    assert all(entry.started >= limited.finished + 2.0 for entry in later), [
        (entry.path, round(entry.started - limited.finished, 2)) for entry in later
    ]
    assert set(stored_articles(tmp_path / "newsbot.db")) == set(ids)


# --- 1, 2: pages that keep failing: recorded as failed, retried by the next run ---

PERMANENT = {
    # case: (article id, answer every time, newsbot/failed/article/<reason>)
    "503_forever": (1990001, Status(503), ("http_503",)),
    "stall_forever": (1990003, Stall(), ("DownloadTimeoutError",)),
    "reset_forever": (1990005, Reset(), ("ResponseDataLossError", "ConnectionLost")),
    "short_body_forever": (1990007, Short(), ("ResponseDataLossError",)),
}
HEALTHY = 1990009
RETRY_TIMES = 1


@pytest.fixture(scope="module")
def keeps_failing(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("keeps-failing")
    db = workdir / "newsbot.db"
    with FaultServer(SNAPSHOT) as server:
        for article_id, answer, _ in PERMANENT.values():
            server.always(f"/news/{article_id}", answer)
        ids = [article_id for article_id, _, _ in PERMANENT.values()] + [HEALTHY]
        first = crawl(
            server,
            workdir,
            "-a",
            "urls=" + ",".join(map(url, ids)),
            RETRY_TIMES=RETRY_TIMES,
            DOWNLOAD_TIMEOUT=1,
        )
        first_log = server.log()
        after_first = {article_id: fetch_record(db, article_id) for article_id in ids}
        stored_first = set(stored_articles(db))
        # The site recovers. The next run discovers nothing (every start point is gone), so only
        # the failure records can bring the failed pages back.
        server.reset()
        for path in start_point_paths():
            server.always(path, Status(404))
        second = crawl(server, workdir)
        second_log = server.log()
    yield db, first, first_log, after_first, stored_first, second, second_log


@pytest.mark.slow
def test_a_run_with_pages_that_keep_failing_finishes_and_only_gives_up_on_them(keeps_failing):
    db, first, _, _, stored_first, _, _ = keeps_failing
    assert first.stats["finish_reason"] == "finished"
    assert "Traceback" not in first.log
    assert stored_first == {HEALTHY}
    # Giving up on a page is a WARNING (RETRY_GIVE_UP_LOG_LEVEL), counted and recorded for the next
    # run, not an ERROR that fails the run's health check.
    assert first.returncode == 0, first.log[-3000:]
    assert not first.errors()
    assert "Gave up retrying" in first.log
    [(status, finish_reason)] = query(db, "SELECT status, finish_reason FROM crawl_runs ORDER BY id LIMIT 1")
    assert finish_reason == "finished"
    figure(
        "pages that keep failing (first run)",
        exit_status=first.returncode,
        run_status=status,
        error_lines=len(first.errors()),
        failed={key: value for key, value in first.stats.items() if key.startswith("newsbot/failed/")},
    )


@pytest.mark.slow
@pytest.mark.parametrize("case", PERMANENT)
def test_a_page_that_keeps_failing_is_recorded_and_retried_by_the_next_run(keeps_failing, case):
    db, first, first_log, after_first, _, second, second_log = keeps_failing
    article_id, _, reasons = PERMANENT[case]
    path = f"/news/{article_id}"
    attempts = [entry for entry in first_log if entry.path == path]
    assert len(attempts) == RETRY_TIMES + 1
    assert any(first.stats.get(f"newsbot/failed/article/{reason}") for reason in reasons), first.stats
    outcome, _, failures = after_first[article_id]
    assert (outcome, failures) == ("failed", 1)
    # The next run asks for it again, from the failure record alone, and stores it.
    assert second.returncode == 0, second.log[-3000:]
    assert second.stats["newsbot/requests/retry_failed"] == len(PERMANENT)
    assert {entry.path for entry in second_log if entry.path.startswith("/news/")} == {
        f"/news/{other}" for other, _, _ in PERMANENT.values()
    }
    assert_oracle(stored_articles(db)[article_id], article_id)
    assert fetch_record(db, article_id) == ("fetched", 200, 0)
    figure(
        case,
        attempts_first_run=len(attempts),
        recorded=outcome,
        retried_next_run=True,
        stored_after_next_run=True,
    )


# --- 3: responses over the size limit and a gzip bomb, with the crawl's peak memory ---


def test_project_download_maxsize_is_32_mib():
    assert project_settings.DOWNLOAD_MAXSIZE == 32 * MIB
    settings = Settings()
    settings.setmodule("newsbot.settings", priority="project")
    assert settings.getint("DOWNLOAD_MAXSIZE") == 32 * MIB
    assert settings.getint("DOWNLOAD_WARNSIZE") <= 32 * MIB


@pytest.fixture(scope="module")
def gzip_bomb(tmp_path_factory):
    return write_gzip_bomb(tmp_path_factory.mktemp("bomb") / "bomb.html.gz", unpacked=1 << 30)


@pytest.fixture(scope="module")
def baseline_rss(tmp_path_factory):
    """Peak RSS of the same two-page crawl with nothing wrong, for comparison."""
    workdir = tmp_path_factory.mktemp("baseline")
    with FaultServer(SNAPSHOT) as server:
        run = crawl(server, workdir, "-a", f"urls={url(1990001)},{url(1990003)}")
    assert run.returncode == 0, run.log[-3000:]
    return run.peak_rss_mb


@pytest.mark.slow
@pytest.mark.parametrize("case", ["huge_declared_8gib", "huge_streamed_no_length", "gzip_bomb_1gib"])
def test_oversized_responses_are_refused_with_bounded_memory(tmp_path, case, gzip_bomb, baseline_rss):
    """With the project DOWNLOAD_MAXSIZE (32 MiB): refused, the crawl goes on, memory stays bounded."""
    answers = {
        "huge_declared_8gib": Huge(8 << 30, declare=True),
        "huge_streamed_no_length": Huge(8 << 30, declare=False),
        "gzip_bomb_1gib": GzipFile(gzip_bomb),
    }
    with FaultServer(SNAPSHOT) as server:
        server.always("/news/1990001", answers[case])
        run = crawl(server, tmp_path, "-a", f"urls={url(1990001)},{url(1990003)}")
        [sent] = [entry.sent for entry in server.log("/news/1990001")][:1] or [0]
    limit = 32 * MIB  # the project default: this crawl does not override DOWNLOAD_MAXSIZE
    assert f"max size ({limit})" in run.log or f"DOWNLOAD_MAXSIZE ({limit} B)" in run.log
    assert run.stats["finish_reason"] == "finished"
    assert "Traceback" not in run.log
    assert run.returncode == 0, run.log[-3000:]
    stored = stored_articles(tmp_path / "newsbot.db")
    assert set(stored) == {1990003}, "the oversized page is refused, the other one stored"
    failed = {key: value for key, value in run.stats.items() if key.startswith("newsbot/failed/article/")}
    assert failed, "the refusal is counted"
    assert sent < 40 * MIB, f"the crawler kept reading: {sent} bytes sent"
    assert run.peak_rss_mb < MEMORY_BOUND_MB
    figure(
        case,
        refused_as=failed,
        bytes_on_the_wire=sent,
        fetch_record=fetch_record(tmp_path / "newsbot.db", 1990001),
        peak_rss_mb=round(run.peak_rss_mb, 1),
        baseline_peak_rss_mb=round(baseline_rss, 1),
        stored="1 of 1 healthy page",
    )


# --- 4: pages that cannot be parsed: counted by reason, never stored as articles ---

CHALLENGE_BODY = (
    b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
    b"<div id='cf-browser-verification'>Checking your browser before accessing www.dawn.com.</div>"
    b"<script src='/cdn-cgi/challenge-platform/h/b/orchestrate/jsch/v1'></script></body></html>"
)


def _malformed(article_id: int) -> bytes:
    """The real page with every </div> and </p> gone, junk markup at <body>, and its last 20% cut off."""
    page = page_bytes(article_id).replace(b"</div>", b"").replace(b"</p>", b"")
    body = page.find(b"<body")
    page = page[:body] + b"<<<>>>&&&<p <b" + page[body:]
    return page[: int(len(page) * 0.8)]


def _garbage() -> bytes:
    rnd = random.Random(4)
    return bytes(rnd.getrandbits(8) for _ in range(4096))


HTML = "text/html; charset=utf-8"
UNPARSEABLE = {
    # case: (article id, answer factory, expected: "stored" or the drop reason, fetch outcome)
    "malformed_html_recoverable": (
        1990015,
        lambda: Status(200, {"Content-Type": HTML}, _malformed(1990015)),
        "stored",
        "fetched",
    ),
    "malformed_html_cut_inside_head": (
        1990017,
        lambda: Status(
            200, {"Content-Type": HTML}, page_bytes(1990017)[: page_bytes(1990017).find(b"<body") - 200]
        ),
        "dropped",
        "fetched",
    ),
    "random_bytes_as_html": (
        1990019,
        lambda: Status(200, {"Content-Type": HTML}, _garbage()),
        "dropped",
        "fetched",
    ),
    "charset_missing": (
        1990009,
        lambda: Status(
            200, {"Content-Type": "text/html"}, page_bytes(1990009).replace(b'<meta charset="utf-8">', b"")
        ),
        "stored",
        "fetched",
    ),
    "charset_wrong_in_header": (
        1990001,
        lambda: Status(200, {"Content-Type": "text/html; charset=iso-8859-1"}, page_bytes(1990001)),
        "stored",
        "fetched",
    ),
    "charset_wrong_bytes": (
        1990021,
        lambda: Status(200, {"Content-Type": HTML}, page_bytes(1990021).decode().encode("cp1252", "replace")),
        "stored",
        "fetched",
    ),
    "empty_body": (1990003, lambda: Status(200, {"Content-Type": HTML}, b""), "empty_response", "failed"),
    "pdf": (
        1990005,
        lambda: Status(200, {"Content-Type": "application/pdf"}, b"%PDF-1.4\n" + bytes(2048)),
        "not_html",
        "fetched",
    ),
    "json": (
        1990007,
        lambda: Status(200, {"Content-Type": "application/json"}, b'{"title": "x"}'),
        "not_html",
        "fetched",
    ),
    "jpeg": (
        1990011,
        lambda: Status(200, {"Content-Type": "image/jpeg"}, b"\xff\xd8\xff\xe0" + bytes(2048)),
        "not_html",
        "fetched",
    ),
    "bot_challenge_200": (
        1990013,
        lambda: Status(200, {"Content-Type": HTML}, CHALLENGE_BODY),
        "bot_challenge",
        "failed",
    ),
    "bot_challenge_200_cf_mitigated_header": (
        1990023,
        lambda: Status(
            200,
            {"Content-Type": HTML, "cf-mitigated": "challenge"},
            b"<html><body><p>One moment</p></body></html>",
        ),
        "bot_challenge",
        "failed",
    ),
}
BROKEN: dict[str, str] = {}  # case -> why it fails today (strict xfail); empty: every case passes
BROKEN_RECORD: dict[str, str] = {}


def _cases(broken: dict) -> list:
    return [
        pytest.param(case, marks=pytest.mark.xfail(strict=True, reason=broken[case]))
        if case in broken
        else case
        for case in UNPARSEABLE
    ]


@pytest.fixture(scope="module")
def unparseable(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("unparseable")
    with FaultServer(SNAPSHOT) as server:
        for article_id, answer, _, _ in UNPARSEABLE.values():
            server.script(f"/news/{article_id}", answer())
        ids = ",".join(url(article_id) for article_id, _, _, _ in UNPARSEABLE.values())
        run = crawl(
            server,
            workdir,
            "-a",
            f"urls={ids}",
            NEWSBOT_HEALTH_COVERAGE="{}",
            NEWSBOT_HEALTH_MAX_DROPPED_SHARE=1,
        )
    yield workdir / "newsbot.db", run


@pytest.mark.slow
def test_unparseable_pages_crawl_finishes(unparseable):
    db, run = unparseable
    assert run.stats["finish_reason"] == "finished"
    articles = stored_articles(db)
    assert not [row for row in articles.values() if "moment" in row["title"].lower()]
    dropped = {key[len("newsbot/dropped/") :]: value for key, value in run.stats.items() if "dropped/" in key}
    figure(
        "unparseable pages (one crawl)",
        pages=len(UNPARSEABLE),
        stored=len(articles),
        dropped_by_reason=dropped,
        spider_exceptions=run.stats.get("spider_exceptions/count", 0),
    )


@pytest.mark.slow
@pytest.mark.parametrize("case", _cases(BROKEN))
def test_unparseable_page_is_counted_by_reason_and_never_stored_wrongly(unparseable, case):
    db, run = unparseable
    article_id, _, expected, outcome = UNPARSEABLE[case]
    assert no_spider_error(run, article_id), "an unhandled exception"
    row = stored_articles(db).get(article_id)
    drops = re.findall(rf"Dropped \(([a-z_]+)\): {re.escape(url(article_id))}\b", run.log)
    if expected == "stored":
        assert row is not None and not drops
        oracle = EXPECTED[article_id]
        assert row["published_at"] == oracle["published_at"]
        if case == "charset_wrong_in_header":  # the header wins (as in a browser): UTF-8 read as windows-1252
            assert row["title"] == oracle["title"].encode("utf-8").decode("cp1252")
        elif case == "charset_wrong_bytes":  # windows-1252 bytes read as UTF-8: replacement characters
            assert row["title"] == oracle["title"].encode("cp1252").decode("utf-8", "replace")
        elif case == "charset_missing":  # no charset anywhere: the UTF-8 is recognised, every field right
            assert_oracle(row, article_id)
        else:  # markup broken and cut short: the head of the story is intact
            assert_oracle(
                row, article_id, ("title", "section", "genre", "authors", "published_at", "description")
            )
            assert row["body"]
        detail = row["title"]
    else:
        assert row is None, "stored as an article"
        assert len(drops) == 1, "dropped once, with its reason in the log"
        if expected != "dropped":
            assert drops == [expected]
            assert run.stats[f"newsbot/dropped/{expected}"] >= 1
        detail = drops[0]
    figure(case, result=expected, detail=detail)


@pytest.mark.slow
@pytest.mark.parametrize("case", _cases(BROKEN_RECORD))
def test_unparseable_page_fetch_record(unparseable, case):
    """A challenge or an empty page is recorded 'failed' (the next run retries it); a page that was
    stored or dropped for its content is not (it is downloaded again only when a listing says it changed).
    """
    db, _ = unparseable
    article_id, _, _, outcome = UNPARSEABLE[case]
    recorded = fetch_record(db, article_id)[0]
    figure(f"{case} (fetch record)", recorded=recorded, expected=outcome)
    assert (recorded == "failed") == (outcome == "failed"), recorded


# --- 6: kill -9 at random moments ---

KILL_TRIALS = 5
KILL_SEED = 20261126
KILL_BATCH = 5
IN_FLIGHT = 1  # CONCURRENT_REQUESTS_PER_DOMAIN of the killed run: pages downloaded but not yet parsed
KILLED_RUN = {
    "DOWNLOAD_DELAY": 0.15,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
    "NEWSBOT_BATCH_SIZE": KILL_BATCH,
}


@dataclass
class KillTrial:
    target: int
    served: set[str]
    stored: set[str]
    orphans: set[str]
    integrity: str
    finished_before_kill: bool
    rerun: Run
    after_rerun: set[str]


def _kill_at_random_moment(server: FaultServer, workdir: Path, rnd: random.Random) -> KillTrial:
    db = workdir / "newsbot.db"
    settings = {"NEWSBOT_MIRROR": server.url, "NEWSBOT_DB": str(db), **KILLED_RUN}
    command = scrapy_command(["crawl", "articles"], settings, workdir / "stats.json")
    target = rnd.randint(1, len(EXPECTED) - 4)  # good article pages served before the kill...
    extra = rnd.uniform(0, 0.2)  # ...plus up to 0.2 s, so the kill can land anywhere in a page

    def served() -> set[str]:
        return {entry.path for entry in server.log() if entry.path in GOOD_PATHS and entry.complete}

    process = subprocess.Popen(
        command, cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while len(served()) < target and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(extra)
    finished = process.poll() is not None
    process.kill()
    process.wait()
    served_before = served()
    stored = {row[0] for row in query(db, "SELECT url FROM articles")}
    stored_paths = {urlsplit(u).path for u in stored}
    fetched = {
        urlsplit(row[0]).path for row in query(db, "SELECT url FROM fetches WHERE outcome = 'fetched'")
    }
    integrity = query(db, "PRAGMA integrity_check")[0][0]
    # The re-run downloads only what the killed run had not stored. The articles spider reads its feeds
    # first (issue 17), so a late kill leaves mostly listing and sitemap pages, among them the
    # snapshot's two pages without a title or date: 2 of 9-14 pages is too small a sample to judge
    # shares (coverage, dropped pages, agreement) by, and they are not what this test is about. The
    # other checks (finish reason, ERROR lines, robots.txt) still decide the exit status asserted below.
    rerun = crawl(server, workdir, NEWSBOT_HEALTH_MIN_SAMPLE=len(EXPECTED))
    after = {urlsplit(row[0]).path for row in query(db, "SELECT url FROM articles")}
    return KillTrial(
        target,
        served_before,
        stored_paths,
        (fetched & GOOD_PATHS) - stored_paths,
        integrity,
        finished,
        rerun,
        after,
    )


@pytest.fixture(scope="module")
def kill_trials(tmp_path_factory):
    rnd = random.Random(KILL_SEED)
    with FaultServer(SNAPSHOT) as server:
        clean_dir = tmp_path_factory.mktemp("clean")
        clean = crawl(server, clean_dir)
        assert clean.returncode == 0, clean.log[-3000:]
        clean_set = {
            urlsplit(row[0]).path for row in query(clean_dir / "newsbot.db", "SELECT url FROM articles")
        }
        trials = []
        for number in range(KILL_TRIALS):
            server.reset()
            trials.append(_kill_at_random_moment(server, tmp_path_factory.mktemp(f"kill{number}"), rnd))
    yield clean_set, trials


@pytest.mark.slow
def test_kill_9_leaves_an_intact_store_missing_at_most_one_batch(kill_trials):
    clean_set, trials = kill_trials
    assert clean_set == GOOD_PATHS
    for number, trial in enumerate(trials):
        assert not trial.finished_before_kill, f"trial {number}: the crawl ended before the kill"
        assert trial.integrity == "ok", f"trial {number}"
        assert trial.stored <= trial.served, f"trial {number}: a row for a page never served"
        unsaved = trial.served - trial.stored
        assert len(unsaved) <= KILL_BATCH + IN_FLIGHT, f"trial {number}: {len(unsaved)} extracted pages lost"
        figure(
            f"kill -9, trial {number + 1}",
            killed_after_pages=trial.target,
            pages_served=len(trial.served),
            rows_stored=len(trial.stored),
            lost=len(unsaved),
            bound=KILL_BATCH + IN_FLIGHT,
            fetched_without_row=len(trial.orphans),
            integrity=trial.integrity,
        )


@pytest.mark.slow
def test_a_rerun_after_kill_9_misses_no_article(kill_trials):
    clean_set, trials = kill_trials
    for number, trial in enumerate(trials):
        figure(
            f"kill -9, trial {number + 1}, re-run",
            exit_status=trial.rerun.returncode,
            articles=len(trial.after_rerun & GOOD_PATHS),
            missing=len(clean_set - trial.after_rerun),
        )
    for number, trial in enumerate(trials):
        assert trial.rerun.returncode == 0, f"trial {number}: {trial.rerun.log[-2000:]}"
        assert trial.after_rerun == clean_set, (
            f"trial {number}: missing {sorted(clean_set - trial.after_rerun)}"
        )


# --- 7: an `articles` and an `opinion` run on one store at the same time ---


CONTENT_COLUMNS = (
    "genre, title, section, authors, published_at, updated_at, description, body, images, related_editorials"
)


def _content(db: Path) -> tuple[set, set]:
    """What a reader sees: every article's content (its hash left out, see the next test) and every teaser."""
    articles = set(query(db, f"SELECT url, {CONTENT_COLUMNS} FROM articles"))  # noqa: S608 (constant)
    teasers = set(query(db, "SELECT index_url, url, content_hash FROM teasers"))
    return articles, teasers


def _together(servers: dict, db: Path, workdir: Path, number: int, extra: dict) -> dict[str, str]:
    """Start an `articles` and an `opinion` run on one store at once (each on its own mirror); their logs."""
    processes = {}
    for spider, server in servers.items():
        settings = {
            "NEWSBOT_MIRROR": server.url,
            "NEWSBOT_DB": str(db),
            **FAST,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
            "NEWSBOT_BATCH_SIZE": 1,  # one write transaction per item: the most contention
            **extra,
        }
        log = workdir / f"{spider}-{number}.log"
        command = scrapy_command(["crawl", spider], settings, workdir / f"stats-{spider}-{number}.json")
        with log.open("w") as out:
            processes[spider] = (log, subprocess.Popen(command, cwd=ROOT, env=ENV, stdout=out, stderr=out))
    logs = {}
    for spider, (log, process) in processes.items():  # reap every run before judging any
        process.wait(timeout=150)
        logs[spider] = log.read_text()
    for spider, (_, process) in processes.items():
        assert process.returncode == 0, f"{spider}, round {number}: {logs[spider][-3000:]}"
    return logs


@pytest.mark.slow
def test_articles_and_opinion_runs_together_on_one_store_lose_nothing(tmp_path):
    """Different spiders may run at once on one store: no "database is locked", nothing lost or doubled.

    Each spider gets its own mirror server (same snapshot), so each server's log is one run's requests
    and the test can check that the runs really overlapped. Round 2 revisits every stored article
    (a 50-year revisit window), so both runs write to rows that already exist.
    """
    reference, shared = tmp_path / "reference", tmp_path / "shared"
    reference.mkdir()
    shared.mkdir()
    with FaultServer(SNAPSHOT) as articles_site, FaultServer(SNAPSHOT) as opinion_site:
        for spider, server in (("articles", articles_site), ("opinion", opinion_site)):
            assert crawl(server, reference, spider=spider).returncode == 0
        expected_articles, expected_teasers = _content(reference / "newsbot.db")

        servers = {"articles": articles_site, "opinion": opinion_site}
        overlaps = []
        for number, extra in enumerate(({}, {"NEWSBOT_REVISIT_HOURS": 24 * 365 * 50})):
            for server in servers.values():
                server.reset()
                server.delay = 0.1  # stretch both crawls (2-3 s each) so they overlap
            logs = _together(servers, shared / "newsbot.db", shared, number, extra)
            for spider, text in logs.items():
                assert "database is locked" not in text, f"{spider}, round {number}"
                assert "Traceback" not in text and "] ERROR:" not in text, f"{spider}, round {number}"
            spans = {spider: [entry.started for entry in server.log()] for spider, server in servers.items()}
            overlap = min(max(times) for times in spans.values()) - max(
                min(times) for times in spans.values()
            )
            assert overlap > 0, "the two runs did not overlap"
            overlaps.append(round(overlap, 2))

    db = shared / "newsbot.db"
    assert query(db, "PRAGMA integrity_check") == [("ok",)]
    articles, teasers = _content(db)
    assert articles == expected_articles
    assert teasers == expected_teasers
    counts = query(db, "SELECT count(*), count(DISTINCT url), count(DISTINCT change_seq) FROM articles")
    assert counts == [(len(expected_articles),) * 3]
    assert query(db, "SELECT count(*) FROM teasers") == [(len(expected_teasers),)]
    runs = query(db, "SELECT spider, status FROM crawl_runs ORDER BY id")
    assert sorted(runs) == sorted([("articles", "ok"), ("opinion", "ok")] * 2)
    # How finely the two runs' writes interleaved: spider switches along change_seq (round 1 order).
    by_articles = {url(article_id) for article_id in EXPECTED}
    order = [u in by_articles for (u,) in query(db, "SELECT url FROM articles ORDER BY change_seq")]
    switches = sum(1 for a, b in zip(order, order[1:], strict=False) if a != b)
    figure(
        "articles + opinion at the same time, one store",
        rounds=len(overlaps),
        overlap_s=overlaps,
        writer_switches_along_change_seq=switches,
        articles=len(articles),
        expected_articles=len(expected_articles),
        teasers=len(teasers),
        expected_teasers=len(expected_teasers),
        database_is_locked=0,
    )


SHARED = (1990011, 1990040, 1990041)  # pieces both spiders reach (news, or opinion/editorial)


def _same_as_current(db: Path) -> int:
    """article_versions rows whose content equals their article's current content: no change recorded."""
    same = " AND ".join(f"v.{name} IS a.{name}" for name in CONTENT_COLUMNS.split(", "))
    sql = f"SELECT count(*) FROM article_versions AS v JOIN articles AS a USING (url) WHERE {same}"  # noqa: S608
    return query(db, sql)[0][0]


@pytest.mark.slow
def test_a_piece_both_spiders_store_ends_the_same_whichever_stores_it_last(tmp_path):
    """Overlapping runs of both spiders store a shared piece in either order: the result must be the same."""
    results = {}
    with FaultServer(SNAPSHOT) as server:
        for order in (("articles", "opinion"), ("opinion", "articles")):
            workdir = tmp_path / "-then-".join(order)
            workdir.mkdir()
            for spider in order:
                args = ("-a", "urls=" + ",".join(map(url, SHARED))) if spider == "articles" else ()
                run = crawl(server, workdir, *args, spider=spider)
                assert run.returncode == 0, run.log[-3000:]
            db = workdir / "newsbot.db"
            rows = {
                article_id: row for article_id, row in stored_articles(db).items() if article_id in SHARED
            }
            results[order] = {
                article_id: (row["genre"], row["content_hash"], article_row(row)["content_hash"])
                for article_id, row in rows.items()
            }
            figure(
                f"shared pieces stored by {' then '.join(order)}",
                genres={article_id: row["genre"] for article_id, row in rows.items()},
                versions=query(db, "SELECT count(*) FROM article_versions")[0][0],
                versions_without_change=_same_as_current(db),
                hash_mismatches=sum(1 for _, stored, actual in results[order].values() if stored != actual),
            )
            assert _same_as_current(db) == 0, f"{order}: a version that records no change"
            assert all(stored == actual for _, stored, actual in results[order].values()), (
                f"{order}: stale hash"
            )
    first, second = results.values()
    assert first == second


# --- 8: older, corrupt and unusable store files ---


def _old_store(path: Path) -> dict:
    """A store as schema version 2 left it (MIGRATIONS[1] and [2] only), with one article and one teaser."""
    row = {
        "url": url(1000001),
        "article_id": 1000001,
        "title": "An article stored by an older newsbot",
        "section": "Pakistan",
        "genre": "news",
        "authors": '["A. Writer"]',
        "published_at": "2024-01-02T03:04:05+05:00",
        "body": "Kept across the migration.",
        "content_hash": "0" * 64,
        "first_seen": "2024-01-02T00:00:00Z",
        "last_seen": "2024-01-03T00:00:00Z",
        "changed_at": "2024-01-02T00:00:00Z",
    }
    with closing(sqlite3.connect(path)) as connection:
        connection.executescript(MIGRATIONS[1])
        connection.executescript(MIGRATIONS[2])
        connection.execute(
            "INSERT INTO articles (url, article_id, title, section, genre, authors, published_at, body,"
            " content_hash, first_seen, last_seen, changed_at, change_seq) VALUES (:url, :article_id,"
            " :title, :section, :genre, :authors, :published_at, :body, :content_hash, :first_seen,"
            " :last_seen, :changed_at, 1)",
            row,
        )
        connection.execute(
            "INSERT INTO teasers (index_url, url, article_id, title, content_hash, first_seen, last_seen)"
            " VALUES ('https://www.dawn.com/opinion', ?, 1000001, 'Old card', 'h', 'x', 'x')",
            (url(1000001),),
        )
        connection.commit()
        assert connection.execute("PRAGMA user_version").fetchone()[0] == 2
    return row


@pytest.mark.slow
def test_an_older_store_is_migrated_in_place_and_keeps_its_rows(tmp_path):
    db = tmp_path / "newsbot.db"
    old = _old_store(db)
    inode = db.stat().st_ino
    with FaultServer(SNAPSHOT) as server:
        run = crawl(server, tmp_path)
    assert run.returncode == 0, run.log[-3000:]
    assert db.stat().st_ino == inode, "migrated in place, not replaced"
    assert query(db, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert query(db, "PRAGMA integrity_check") == [("ok",)]
    tables = {name for (name,) in query(db, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"fetches", "crawl_runs", "article_versions"} <= tables
    with closing(sqlite3.connect(db)) as connection:
        connection.row_factory = sqlite3.Row
        kept = dict(connection.execute("SELECT * FROM articles WHERE url = ?", (old["url"],)).fetchone())
    assert {name: kept[name] for name in old} == old
    assert query(db, "SELECT title FROM teasers") == [("Old card",)]
    stored = stored_articles(db)
    assert set(stored) == set(EXPECTED) | {1000001}
    for article_id in EXPECTED:
        assert_oracle(stored[article_id], article_id)
    figure(
        "store of schema version 2",
        migrated_to=SCHEMA_VERSION,
        old_rows_kept="1 article, 1 teaser",
        articles_after_crawl=len(stored),
        expected=len(EXPECTED) + 1,
    )


def _real_store(path: Path) -> None:
    store = Store.open(path)
    try:
        store.save_articles(list(EXPECTED.values()), seen_at="2026-01-01T00:00:00Z")
        store.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        store.close()


def _corrupt_table_root(path: Path) -> None:
    _real_store(path)
    with closing(sqlite3.connect(path)) as connection:
        root = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = 'articles'").fetchone()[0]
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    data = bytearray(path.read_bytes())
    rnd = random.Random(8)
    data[(root - 1) * page_size : root * page_size] = bytes(rnd.getrandbits(8) for _ in range(page_size))
    path.write_bytes(bytes(data))


def _truncated(path: Path) -> None:
    _real_store(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _header_wiped(path: Path) -> None:
    _real_store(path)
    data = path.read_bytes()
    path.write_bytes(bytes(100) + data[100:])


CORRUPT = {
    "random_bytes": lambda path: path.write_bytes(random.Random(3).randbytes(16384)),
    "text_file": lambda path: path.write_text("id,title\n1,not a database\n"),
    "header_wiped": _header_wiped,
    "truncated_to_half": _truncated,
    "articles_table_page_garbled": _corrupt_table_root,
}
CORRUPT_BROKEN: dict[str, str] = {}  # case -> why it fails today (strict xfail); empty: every case passes


@pytest.mark.slow
@pytest.mark.parametrize(
    "case",
    [
        pytest.param(case, marks=pytest.mark.xfail(strict=True, reason=CORRUPT_BROKEN[case]))
        if case in CORRUPT_BROKEN
        else case
        for case in CORRUPT
    ],
)
def test_a_corrupt_store_is_refused_with_a_clear_error_and_left_untouched(tmp_path, case):
    db = tmp_path / "newsbot.db"
    CORRUPT[case](db)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    with FaultServer(SNAPSHOT) as server:
        run = crawl(server, tmp_path)
        requests = server.paths()
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before, "the store file was written to"
    assert run.returncode == 2, run.log[-3000:]
    assert "not a usable newsbot SQLite store" in run.log and "left untouched" in run.log
    assert "Traceback" not in run.log
    assert not requests, "the crawl started"
    message = [line for line in run.log.splitlines() if "not a usable newsbot SQLite store" in line]
    figure(f"corrupt store: {case}", exit_status=run.returncode, message=message[0], file_unchanged=True)


@pytest.mark.slow
def test_an_unreadable_store_path_is_refused_with_a_clear_error(tmp_path):
    db = tmp_path / "newsbot.db"
    db.mkdir()  # a directory where the file should be (chmod 000 does not stop root)
    (db / "keep.txt").write_text("mine")
    with FaultServer(SNAPSHOT) as server:
        run = crawl(server, tmp_path)
        requests = server.paths()
    assert run.returncode == 2, run.log[-3000:]
    assert "is a directory" in run.log and "Traceback" not in run.log
    assert db.is_dir() and [p.name for p in db.iterdir()] == ["keep.txt"]
    assert (db / "keep.txt").read_text() == "mine"
    assert not requests
    figure("store path is a directory", exit_status=run.returncode, left_untouched=True)


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() == 0, reason="file permissions do not stop root")
def test_a_store_without_read_permission_is_refused(tmp_path):
    db = tmp_path / "newsbot.db"
    _real_store(db)
    db.chmod(0)
    try:
        with FaultServer(SNAPSHOT) as server:
            run = crawl(server, tmp_path)
        assert run.returncode == 2, run.log[-3000:]
        assert "Traceback" not in run.log
    finally:
        db.chmod(0o644)


# --- security: parameterised SQL only; no remote control, no local-file downloads ---
#
# ruff's S608 (on in pyproject, run by .ci/run) flags a string built by an f-string, %, + or .format()
# whose text reads as a whole statement: SELECT ... FROM, DELETE FROM, INSERT/REPLACE ... VALUES,
# UPDATE ... SET. The check below covers only what S608 misses (the self-test names every form):
# - a statement handed to .execute/.executemany/.executescript that is built at run time whatever its
#   text (`c.execute(head + where)`, `c.execute(f"{stmt} ...")`), also through a local variable or
#   `sql += ...`;
# - a string built at run time with an SQL word S608 does not read as a statement: CREATE, DROP, ALTER,
#   PRAGMA, a WHERE or VALUES fragment, a SELECT with no FROM.
# Strings S608 flags are left to it. `# noqa: S608 (why)` on a line is the review of a deliberate
# builder for both checks, and must still have something to review.

SQL_METHODS = {"execute", "executemany", "executescript"}
SQL_WORDS = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|PRAGMA|WHERE|VALUES)\b")
REVIEWED = "noqa: S608"


def _formatting(node: ast.AST) -> str | None:
    """How `node` builds a string at run time: f-string, % or + expression, .format() call; else None."""
    if isinstance(node, ast.JoinedStr):
        return "f-string"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
        return "% or + expression"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return ".format() call"
    return None


def _literal_text(node: ast.AST) -> str:
    return " ".join(
        child.value
        for child in ast.walk(node)
        if isinstance(child, ast.Constant) and isinstance(child.value, str)
    )


def _scopes(tree: ast.Module):
    """(function, or None for the module, and the nodes in its own scope) for every scope of a module."""
    functions = ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
    for scope in [tree, *(node for node in ast.walk(tree) if isinstance(node, functions))]:
        nodes, stack = [], list(ast.iter_child_nodes(scope))
        while stack:
            node = stack.pop()
            nodes.append(node)
            if not isinstance(node, functions):
                stack.extend(ast.iter_child_nodes(node))
        yield (None if scope is tree else scope), nodes


Span = tuple[tuple[int, int], tuple[int, int]]


def _s608_spans(paths: list[Path]) -> dict[Path, list[Span]]:
    """What ruff's S608 flags in `paths`, noqa comments or not: {file: [((row, column), (row, column))]},
    rows and character columns 1-based, the end exclusive."""
    command = [sys.executable, "-m", "ruff", "check", "--isolated", "--select", "S608", "--ignore-noqa"]
    run = subprocess.run(
        [*command, "--exit-zero", "--output-format", "json", *map(str, paths)],
        capture_output=True,
        text=True,
        check=True,
    )
    spans: dict[Path, list[Span]] = {}
    for found in json.loads(run.stdout):
        start, end = found["location"], found["end_location"]
        spans.setdefault(Path(found["filename"]).resolve(), []).append(
            ((start["row"], start["column"]), (end["row"], end["column"]))
        )
    return spans


def _sql_findings(paths: list[Path], root: Path) -> tuple[list[str], set[tuple[str, int]]]:
    """String-built SQL in `paths` that S608 misses, and the (file, row) of each `noqa: S608` review
    with nothing to review (neither S608 nor this check flags its line)."""
    findings, idle_reviews = [], set()
    s608 = _s608_spans(paths)
    for path in paths:
        name = path.resolve().relative_to(root).as_posix()
        found, idle = _file_sql_findings(path.read_bytes(), name, s608.get(path.resolve(), []))
        findings += found
        idle_reviews |= {(name, row) for row in idle}
    return findings, idle_reviews


def _file_sql_findings(source: bytes, name: str, spans: list[Span]) -> tuple[list[str], set[int]]:
    findings, lines = [], source.split(b"\n")
    reviews = {row for row, line in enumerate(lines, 1) if REVIEWED.encode() in line}
    used = {row for (start, _), (end, _) in spans for row in range(start, end + 1)}

    def position(row: int, offset: int) -> tuple[int, int]:
        return row, len(lines[row - 1][:offset].decode("utf-8")) + 1  # ast counts bytes, ruff characters

    def left_to_s608(node: ast.AST) -> bool:
        first, last = position(node.lineno, node.col_offset), position(node.end_lineno, node.end_col_offset)
        return any(start <= first and last <= end for start, end in spans)

    def reviewed(node: ast.AST) -> bool:
        rows = set(range(node.lineno, node.end_lineno + 1)) & reviews
        used.update(rows)
        return bool(rows)

    for function, nodes in _scopes(ast.parse(source, filename=name)):
        where = getattr(function, "name", "<lambda>") if function else "<module>"
        local = {}
        for node in nodes:
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                    if isinstance(target, ast.Name):
                        local.setdefault(target.id, []).append(node.value)
            elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
                grown = ast.BinOp(ast.Name(node.target.id), ast.Add(), node.value)
                local.setdefault(node.target.id, []).append(ast.copy_location(grown, node.value))
        for node in nodes:
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in SQL_METHODS
            ):
                sql = (
                    node.args[0]
                    if node.args
                    else next((k.value for k in node.keywords if k.arg == "sql"), None)
                )
                values = [sql]
                if isinstance(sql, ast.Name) and function is not None:
                    values = local.get(sql.id, [sql])  # a local variable: how it was assigned
                for value in values:
                    kind = value is not None and _formatting(value)
                    if kind and not left_to_s608(value) and not reviewed(value):
                        findings.append(f"{name}:{node.lineno} {where}: .{node.func.attr}() of an {kind}")
            kind = _formatting(node)
            if (
                kind
                and SQL_WORDS.search(_literal_text(node))
                and not left_to_s608(node)
                and not reviewed(node)
            ):
                findings.append(f"{name}:{node.lineno} {where}: SQL built by an {kind}")
    return findings, reviews - used


def test_no_sql_in_newsbot_is_built_by_string_formatting():
    paths = sorted((ROOT / "newsbot").rglob("*.py"))
    findings, idle_reviews = _sql_findings(paths, ROOT)
    assert not findings, "\n".join(findings)
    assert not idle_reviews, f"`# {REVIEWED}` with nothing flagged on its line: remove it"
    reviewed = [path.relative_to(ROOT).as_posix() for path in paths if REVIEWED in path.read_text()]
    figure("string-built SQL", statements_flagged=0, files_with_reviewed_builders=reviewed)


# Every form the hand-written checker caught before S608 took over part of its job: each function
# builds SQL from a value it does not control, `reviewed` is a reviewed builder, `ok` is safe.
SQL_FORMS = '''\
QUERY = "SELECT * FROM articles WHERE url = ?"
MODULE_LEVEL = "SELECT * FROM t WHERE a = '%s'" % QUERY
def fstring(c, u):
    c.execute(f"SELECT * FROM articles WHERE url = '{u}'")
def percent(c, u):
    c.execute("DELETE FROM articles WHERE url = '%s'" % u)
def plus(c, u):
    c.executemany("UPDATE articles SET title = '" + u + "'", [])
def format_via_local(c, u):
    sql = "INSERT INTO t VALUES ({})".format(u)
    c.execute(sql)
def replace_into(c, u):
    c.execute(f"REPLACE INTO t VALUES ('{u}')")
def insert_columns(c, u):
    c.execute(f"INSERT INTO t (a) VALUES ('{u}')")
def where_appended(c, u):
    c.execute("SELECT * FROM t " + f"WHERE a = '{u}'")
def sql_keyword(c, u):
    c.execute(sql=f"SELECT * FROM t WHERE a = '{u}'")
def executescript(c, u):
    c.executescript(f"DELETE FROM t WHERE a = '{u}';")
def lowercase(c, u):
    c.execute(f"select * from t where a = '{u}'")
def multiline(c, u):
    c.execute(f"""
        SELECT *
        FROM t
        WHERE a = '{u}'
    """)
def create(c, u):
    c.execute(f"CREATE TABLE {u} (x)")
def drop(c, u):
    c.execute(f"DROP TABLE {u}")
def alter(c, u):
    c.execute(f"ALTER TABLE {u} ADD COLUMN y")
def pragma(c, u):
    c.execute(f"PRAGMA user_version = {u}")
def pragma_percent(c, u):
    c.execute("PRAGMA user_version = %d" % u)
def select_without_from(c, u):
    c.execute(f"SELECT {u}")
def where_fragment(u):
    return f"WHERE a = '{u}'"
def values_fragment(u):
    return f"VALUES ('{u}')"
def augmented(c, u):
    sql = "SELECT * FROM t WHERE a = "
    sql += u
    c.execute(sql)
def augmented_fstring(c, u):
    sql = "SELECT * FROM t"
    sql += f" WHERE a = '{u}'"
    c.execute(sql)
def statement_from_a_variable(c, stmt, u):
    c.execute(f"{stmt} '{u}'")
def concatenated_names(c, head, u):
    c.execute(head + u)
def concatenated_names_via_local(c, head, u):
    sql = head + u
    c.execute(sql)
def reviewed(c, u):
    c.execute(f"DROP TABLE {u}")  # noqa: S608 (reviewed: u is one of our table names)
def ok(c, u):
    c.execute(QUERY, (u,))
    c.execute("SELECT 1 WHERE ? = 1", (u,))
'''
S608_CATCHES = {
    "<module>", "fstring", "percent", "plus", "format_via_local", "replace_into", "insert_columns",
    "where_appended", "sql_keyword", "executescript", "lowercase", "multiline",
}  # fmt: skip
CHECK_CATCHES = {
    "create", "drop", "alter", "pragma", "pragma_percent", "select_without_from", "where_fragment",
    "values_fragment", "augmented", "augmented_fstring", "statement_from_a_variable", "concatenated_names",
    "concatenated_names_via_local",
}  # fmt: skip


def _caught(source: str, tmp_path: Path) -> tuple[set[str], set[str], list[int]]:
    """Functions S608 flags, functions the check flags, rows of idle reviews, in `source`."""
    path = tmp_path / "forms.py"
    path.write_text(source)
    functions = [node for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)]

    def scope(row: int) -> str:
        return next((node.name for node in functions if node.lineno <= row <= node.end_lineno), "<module>")

    by_s608 = {scope(start[0]) for start, _ in _s608_spans([path]).get(path.resolve(), [])}
    findings, idle_reviews = _sql_findings([path], tmp_path)
    return {finding.split(" ")[1].rstrip(":") for finding in findings}, by_s608, [r for _, r in idle_reviews]


def test_s608_and_the_sql_check_together_catch_every_form_and_never_the_same_one(tmp_path):
    """Each form of string-built SQL is caught by exactly one of ruff's S608 and `_sql_findings`; a bound
    parameter and a constant by neither. Fails when a ruff upgrade changes what S608 sees: then move
    the form from one set to the other (and the check's comment above)."""
    by_check, by_s608, idle_reviews = _caught(SQL_FORMS, tmp_path)
    assert by_s608 == S608_CATCHES
    assert by_check == CHECK_CATCHES
    assert idle_reviews == []
    # The review is what keeps `reviewed` quiet; a review with nothing to review is reported.
    unreviewed = SQL_FORMS.replace("  # noqa: S608 (reviewed: u is one of our table names)", "")
    assert _caught(unreviewed, tmp_path)[0] == CHECK_CATCHES | {"reviewed"}
    idle = SQL_FORMS + "def quiet(c):\n    c.execute(QUERY)  # noqa: S608 (nothing to review)\n"
    assert _caught(idle, tmp_path)[2] == [len(idle.splitlines())]


def test_project_settings_turn_off_remote_control_and_local_file_downloads():
    settings = Settings()
    settings.setmodule("newsbot.settings", priority="project")
    assert settings.getbool("TELNETCONSOLE_ENABLED") is False
    assert settings.getbool("REMOTE_CONTROL_ENABLED") is False
    handlers = settings.getwithbase("DOWNLOAD_HANDLERS")
    assert handlers["file"] is None and handlers["data"] is None
    assert (
        project_settings.TELNETCONSOLE_ENABLED is False and project_settings.REMOTE_CONTROL_ENABLED is False
    )
