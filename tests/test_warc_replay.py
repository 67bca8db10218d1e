"""Replay: NEWSBOT_MIRROR naming a WARC file or folder answers the crawl from its captures, so a whole crawl
runs again offline, with the server stopped, and stores the same rows as the crawl that kept them."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from newsbot.items import ARTICLE_FIELDS, TEASER_FIELDS
from newsbot.warc.reader import warc_files
from tests.conftest import FAST, SNAPSHOT, run_scrapy
from tests.sites import SiteServer

pytestmark = pytest.mark.slow  # every test runs `scrapy crawl` in a subprocess

ARTICLE_COLUMNS = [
    *ARTICLE_FIELDS[1:],
    "content_hash",
    "warc_file",
    "warc_offset",
    "warc_record_id",
    "warc_date",
]
TEASER_COLUMNS = [name for name in TEASER_FIELDS if name != "type"] + ["content_hash", "warc_record_id"]


def table(db: Path, name: str, columns: list[str]) -> list[tuple]:
    with closing(sqlite3.connect(db)) as connection:
        sql = f"SELECT {', '.join(columns)} FROM {name}"  # noqa: S608 (constant names)
        return sorted(connection.execute(sql).fetchall(), key=repr)


def crawl_both(workdir: Path, mirror: str):
    settings = {"NEWSBOT_MIRROR": mirror, "NEWSBOT_DB": str(workdir / "newsbot.db"), **FAST}
    return [run_scrapy(["crawl", spider], workdir, settings) for spider in ("articles", "opinion")]


@pytest.fixture(scope="module")
def original(tmp_path_factory):
    """Both spiders crawl the snapshot from a server on 127.0.0.1, which is then stopped."""
    workdir = tmp_path_factory.mktemp("original")
    with SiteServer(SNAPSHOT) as site:
        runs = crawl_both(workdir, site.url)
        served = len(site.paths())
    assert all(run.returncode == 0 for run in runs), runs[-1].log[-3000:]
    return workdir, served


def test_a_replay_from_warc_with_the_server_stopped_stores_the_same_rows(original, tmp_path):
    source, served = original
    replays = crawl_both(tmp_path, str(source / "warc"))
    for run in replays:
        assert run.returncode == 0, run.log[-3000:]
        assert "Replaying" in run.log
        assert run.stats["downloader/request_count"] > 0
        assert not any(key.startswith("downloader/exception") for key in run.stats)
    assert sum(run.stats["downloader/request_count"] for run in replays) == served
    original_db, replay_db = source / "newsbot.db", tmp_path / "newsbot.db"
    articles = table(original_db, "articles", ARTICLE_COLUMNS)
    assert articles and table(replay_db, "articles", ARTICLE_COLUMNS) == articles
    teasers = table(original_db, "teasers", TEASER_COLUMNS)
    assert teasers and table(replay_db, "teasers", TEASER_COLUMNS) == teasers
    # A page captured twice (1990011: by both spiders) is replayed from its newest capture each time,
    # so its earlier state's version has the same content but names the newer capture.
    versions = ["url", "version", "content_hash"]
    kept = table(original_db, "article_versions", versions)
    assert kept and table(replay_db, "article_versions", versions) == kept
    assert not (tmp_path / "warc").exists(), "a replay keeps no new WARC"


def test_one_warc_file_is_a_mirror_too_and_what_it_lacks_is_a_404(original, tmp_path):
    source, _ = original
    [articles_file] = [path for path in warc_files(source / "warc") if "-articles-" in path.name]
    settings = {"NEWSBOT_MIRROR": str(articles_file), "NEWSBOT_DB": str(tmp_path / "newsbot.db"), **FAST}
    urls = "urls=https://www.dawn.com/news/1990040,https://www.dawn.com/news/1234567"
    run = run_scrapy(["crawl", "articles", "-a", urls], tmp_path, settings)
    assert run.returncode == 0, run.log[-3000:]
    assert run.stats["newsbot/articles/new"] == 1
    assert run.stats["newsbot/failed/article/http_404"] == 1
    [(title,)] = table(tmp_path / "newsbot.db", "articles", ["title"])
    assert title == "Spectrum leap"


def test_a_folder_without_warc_files_is_no_mirror(tmp_path):
    (tmp_path / "empty").mkdir()
    settings = {"NEWSBOT_MIRROR": str(tmp_path / "empty"), "NEWSBOT_DB": str(tmp_path / "x.db")}
    run = run_scrapy(["crawl", "articles"], tmp_path, settings)
    assert run.returncode == 2
    assert "nor a .warc.gz file or a folder holding some" in run.log
    assert "Traceback" not in run.log


def test_replay_answers_with_the_newest_usable_capture_not_a_later_error(tmp_path):
    """A later run that got a 503 for a page captured whole before must not make the replay a 503."""
    from datetime import UTC, datetime

    from scrapy import Request

    from newsbot.downloader.mirror import WarcReplay
    from newsbot.warc.files import WarcFiles
    from newsbot.warc.records import Exchange, warc_date

    url = "https://www.dawn.com/news/1"
    files = WarcFiles(tmp_path, "newsbot-replay", 10**9, lambda name: {"software": "test"})
    html = [("Content-Type", "text/html; charset=utf-8")]
    captures = [
        (datetime(2026, 3, 1, tzinfo=UTC), 200, b"<html><body><p>The story.</p></body></html>"),
        (datetime(2026, 3, 2, tzinfo=UTC), 503, b"busy"),
        (datetime(2026, 3, 3, tzinfo=UTC), 503, b"still busy"),
    ]
    for when, status, body in captures:
        files.write(list(files.maker.pair(Exchange(url, warc_date(when), status, html, body))))
    files.write(list(files.maker.pair(Exchange(url + "0", warc_date(), 503, html, b"only ever busy"))))
    files.close()
    replay = WarcReplay(tmp_path)
    answer = replay.answer(Request(url))
    assert (answer.status, answer.body) == (200, captures[0][2])
    assert replay.answer(Request(url + "0")).status == 503  # nothing usable: the error as captured
