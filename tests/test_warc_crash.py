"""WARC files after a crash: kill -9 during a crawl leaves every complete record readable and every archive
row pointing at one; the next run finishes the dead run's file (cuts an incomplete last record, renames
it). A file a live writer holds is never touched."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import subprocess
import time
from contextlib import closing
from pathlib import Path

import pytest

from newsbot.warc.files import WarcFiles, recover_open_files
from newsbot.warc.reader import OPEN_SUFFIX, read_record, read_records, warc_files
from newsbot.warc.records import Exchange, RecordMaker, warc_date
from tests.conftest import ROOT, SNAPSHOT, locate, run_scrapy, scrapy_command
from tests.sites import SiteServer

ENV = {**os.environ, "SCRAPY_SETTINGS_MODULE": "newsbot.settings", "PYTHONPATH": str(ROOT)}
SLOW = {"DOWNLOAD_DELAY": 0.2, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}


def exchange(number: int) -> Exchange:
    body = f"<html><body><p>page {number}</p></body></html>".encode() * 50
    headers = [("Content-Type", "text/html")]
    return Exchange(f"https://www.dawn.com/news/{number}", warc_date(), 200, headers, body)


def warcio_check(files: list[Path]) -> subprocess.CompletedProcess:
    warcio = Path(ROOT / ".venv" / "bin" / "warcio")
    command = [str(warcio) if warcio.exists() else "warcio", "check", "-v", *map(str, files)]
    return subprocess.run(command, capture_output=True, text=True)


def test_an_incomplete_last_record_is_cut_and_the_file_renamed(tmp_path):
    files = WarcFiles(tmp_path, "newsbot-test", 10**9, lambda name: {"software": "test"})
    maker = files.maker
    for number in range(3):
        files.write(list(maker.pair(exchange(number))))
    files.sync()
    [opened] = tmp_path.glob("*" + OPEN_SUFFIX)
    complete = opened.stat().st_size
    partial = maker.member(maker.pair(exchange(9))[0])
    with open(opened, "ab") as handle:  # what a kill -9 in the middle of a write leaves
        handle.write(partial[: len(partial) // 2])
    os.close(files.fd)  # the writer "dies": its flock goes with its descriptor
    files.fd = None
    [recovered] = recover_open_files(tmp_path)
    final = opened.with_name(opened.name.removesuffix(OPEN_SUFFIX))
    assert (recovered.name, recovered.kept, recovered.cut) == (final.name, complete, len(partial) // 2)
    assert not opened.exists() and final.stat().st_size == complete
    kinds = [located.record.rec_type for located in read_records(final)]
    assert kinds == ["warcinfo"] + ["response", "request"] * 3
    checked = warcio_check([final])
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_file_a_live_writer_holds_is_left_alone_and_an_empty_one_removed(tmp_path):
    files = WarcFiles(tmp_path, "newsbot-live", 10**9, lambda name: {"software": "test"})
    files.write(list(files.maker.pair(exchange(1))))
    [live] = tmp_path.glob("*" + OPEN_SUFFIX)
    size = live.stat().st_size
    dead = "newsbot-dead-20260101000000-00001-h.warc.gz"
    (tmp_path / (dead + OPEN_SUFFIX)).write_bytes(b"")
    recovered = recover_open_files(tmp_path)
    assert [(done.name, done.kept) for done in recovered] == [(dead, 0)]
    assert not (tmp_path / (dead + OPEN_SUFFIX)).exists() and not (tmp_path / dead).exists()
    assert live.exists() and live.stat().st_size == size
    files.close()
    assert not live.exists() and live.with_name(live.name.removesuffix(OPEN_SUFFIX)).exists()


def test_a_write_that_fails_is_cut_off_and_the_next_record_starts_a_new_file(tmp_path):
    files = WarcFiles(tmp_path, "newsbot-full", 10**9, lambda name: {"software": "test"})
    files.write(list(files.maker.pair(exchange(1))))
    [first] = tmp_path.glob("*" + OPEN_SUFFIX)
    good = first.stat().st_size
    real_append = files._append
    calls = []

    def disk_full_on_second_member(data: bytes) -> None:
        calls.append(len(data))
        if len(calls) == 2:
            real_append(data[:100])  # part of the member reached the file, then the disk filled
            raise OSError(28, "No space left on device")
        real_append(data)

    files._append = disk_full_on_second_member
    try:
        files.write(list(files.maker.pair(exchange(2))))
    except OSError:
        pass
    else:
        raise AssertionError("the failed write was not reported")
    files._append = real_append
    closed = first.with_name(first.name.removesuffix(OPEN_SUFFIX))
    assert closed.stat().st_size == good, "the partial pair was cut off and the file closed"
    written = files.write(list(files.maker.pair(exchange(3))))
    assert written[0].file != closed.name
    files.close()
    for path in warc_files(tmp_path):
        assert warcio_check([path]).returncode == 0


def test_a_file_whose_warcinfo_fails_is_given_up_whole(tmp_path):
    """The disk filling during a new file's first record left half a member at offset 0, and every
    record written after it unreadable (the review's reproduction)."""
    files = WarcFiles(tmp_path, "newsbot-start", 10**9, lambda name: {"software": "test"})
    real_append = files._append
    calls = []

    def disk_full_during_warcinfo(data: bytes) -> None:
        calls.append(len(data))
        if len(calls) == 1:
            real_append(data[:100])
            raise OSError(28, "No space left on device")
        real_append(data)

    files._append = disk_full_during_warcinfo
    with pytest.raises(OSError):
        files.write(list(files.maker.pair(exchange(1))))
    assert not list(tmp_path.glob("*.warc.gz*")), "the broken file was left behind"
    written = files.write(list(files.maker.pair(exchange(2))))
    files.close()
    [path] = warc_files(tmp_path)
    assert written[0].file == path.name and written[0].offset > 0  # after the new file's warcinfo
    assert read_record(path, written[0].offset).record.rec_type == "response"
    assert warcio_check([path]).returncode == 0


def _rows(db: Path) -> list[tuple]:
    with closing(sqlite3.connect(db, timeout=10)) as connection:
        query = "SELECT url, warc_file, warc_offset, warc_record_id FROM articles"
        return connection.execute(query).fetchall()


def _stored_so_far(db: Path) -> int:
    try:
        return len(_rows(db)) if db.exists() else 0
    except sqlite3.OperationalError:  # the crawl is still creating the tables
        return 0


@pytest.mark.slow
def test_kill_9_leaves_a_readable_warc_every_row_points_into_and_the_next_run_finishes_it(tmp_path):
    db = tmp_path / "newsbot.db"
    with SiteServer(SNAPSHOT) as site:
        settings = {"NEWSBOT_MIRROR": site.url, "NEWSBOT_DB": str(db), **SLOW, "NEWSBOT_BATCH_SIZE": 1}
        process = subprocess.Popen(
            scrapy_command(["crawl", "articles"], settings),
            cwd=ROOT,
            env=ENV,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while process.poll() is None and time.monotonic() < deadline:
            if _stored_so_far(db) >= 4:
                break
            time.sleep(0.05)
        assert process.poll() is None, "the crawl ended before the kill"
        process.kill()
        process.wait()
        [opened] = (tmp_path / "warc").glob("*" + OPEN_SUFFIX)
        stored = _rows(db)
        assert len(stored) >= 4
        for url, name, offset, record_id in stored:
            located = read_record(locate(tmp_path / "warc", name), offset)
            assert located.path == opened
            assert (located.record.rec_type, located.url, located.record_id) == ("response", url, record_id)
        # A kill in the middle of a write leaves part of a record: append one, as if it had.
        complete = [located.offset for located in read_records(opened)]
        maker = RecordMaker()
        partial = maker.member(maker.pair(exchange(7))[0])
        with open(opened, "ab") as handle:
            handle.write(partial[:-20])
        assert [located.offset for located in read_records(opened)] == complete
        rerun = run_scrapy(["crawl", "articles"], tmp_path, settings | {"DOWNLOAD_DELAY": 0})
    assert rerun.returncode == 0, rerun.log[-3000:]
    assert "was left open by a run that died" in rerun.log
    assert not list((tmp_path / "warc").glob("*" + OPEN_SUFFIX))
    files = warc_files(tmp_path / "warc")
    assert len(files) == 2
    checked = warcio_check(files)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    for url, name, offset, record_id in _rows(db):
        located = read_record(locate(tmp_path / "warc", name), offset)
        assert (located.url, located.record_id) == (url, record_id)
    dead = opened.with_name(opened.name.removesuffix(OPEN_SUFFIX))
    assert [located.offset for located in read_records(dead)] == complete
    with open(dead, "rb") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # nobody holds it any more


def test_a_failed_capture_leaves_no_reference_to_the_download_before_it(tmp_path):
    """A retried or redirected request carries its predecessor's meta; when writing the final
    response failed, the article row pointed at the 503 or 301 captured before it."""
    from scrapy import Request
    from scrapy.http import HtmlResponse
    from scrapy.statscollectors import MemoryStatsCollector

    from newsbot.downloader.capture import CAPTURE_META, WarcCapture
    from newsbot.spiders.articles import ArticlesSpider
    from tests.conftest import newsbot_crawler

    crawler = newsbot_crawler(ArticlesSpider, NEWSBOT_DB=str(tmp_path / "c.db"))
    capture = WarcCapture(tmp_path, 10**9, MemoryStatsCollector(crawler), {}, mirrored=False)
    capture.files = WarcFiles(tmp_path, "newsbot-test", 10**9, lambda name: {"software": "test"})
    request = Request("https://www.dawn.com/news/1", meta={CAPTURE_META: "the 503 captured before"})
    response = HtmlResponse(request.url, body=b"<html></html>", request=request)
    capture.files.write = lambda records: (_ for _ in ()).throw(OSError(28, "No space left on device"))
    capture.response_downloaded(response, request, crawler.spider)
    assert CAPTURE_META not in request.meta
    capture.files = None
