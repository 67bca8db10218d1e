"""WARC capture in real crawls of the snapshot served on 127.0.0.1: one response record per download the
server logged, digests that verify, the site's real URLs, and archive rows that point at the response
each article state was extracted from (current rows and versions)."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
import sqlite3
import subprocess
import sys
from collections import Counter
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from newsbot import __version__
from newsbot.compat import decode_content
from newsbot.items import ARTICLE_FIELDS
from newsbot.pages import ArticlePage
from newsbot.warc.reader import read_record, read_records, to_response, warc_files
from newsbot.warc.records import SERVER_NOT_MODIFIED
from tests.conftest import FAST, locate, run_scrapy
from tests.sites import SiteServer

pytestmark = pytest.mark.slow  # every test runs `scrapy crawl` in a subprocess

STORY_CONTENT = re.compile(r"(<div[^>]*class='[^']*story__content[^>]*>)")
WARC_NAME = re.compile(r"^newsbot-(articles|opinion)-\d{14}-(\d{5})-[A-Za-z0-9._]+\.warc\.gz$")


def crawl(site: SiteServer, workdir: Path, spider: str = "articles", *args: str, **settings):
    base = {"NEWSBOT_MIRROR": site.url, "NEWSBOT_DB": str(workdir / "newsbot.db"), **FAST}
    return run_scrapy(["crawl", spider, *args], workdir, base | settings)


def records(directory: Path) -> list:
    return [located for path in warc_files(directory) for located in read_records(path)]


def rows(db: Path, sql: str, params=()) -> list[dict]:
    with closing(sqlite3.connect(db)) as connection:
        connection.row_factory = sqlite3.Row
        return [dict(row) for row in connection.execute(sql, params)]


def sha1_base32(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


@pytest.fixture(scope="module")
def captured(snapshot_site, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("capture")
    snapshot_site.reset()
    result = crawl(snapshot_site, workdir, "articles", "-O", str(workdir / "articles.jsonl"))
    assert result.returncode == 0, result.log[-3000:]
    return workdir, result, snapshot_site.paths()


def test_a_crawl_leaves_warc_beside_the_archive_one_response_per_download(captured):
    workdir, result, served = captured
    directory = workdir / "warc"
    files = warc_files(directory)
    assert len(files) == 1 and WARC_NAME.match(files[0].name), [file.name for file in files]
    assert not list(directory.glob("*.open")), "the file was renamed when the crawl closed"
    found = records(directory)
    assert found[0].record.rec_type == "warcinfo"
    responses = [located for located in found if located.record.rec_type == "response"]
    assert Counter(urlsplit(located.url).path for located in responses) == Counter(served)
    assert {urlsplit(located.url).netloc for located in responses} == {"www.dawn.com"}
    assert all(located.url.startswith("https://") for located in responses), "the real URL, not the mirror's"
    assert result.stats["newsbot/warc/records"] == len(found) - 1  # all but the warcinfo
    assert result.stats["newsbot/warc/files"] == 1
    assert "newsbot.downloader.capture.WarcCapture" in result.log  # among the enabled extensions


def test_each_response_has_its_request_and_digests_verify(captured):
    workdir, _, _ = captured
    found = records(workdir / "warc")
    by_id = {located.record_id: located for located in found}
    requests = [located for located in found if located.record.rec_type == "request"]
    assert len(requests) == len([located for located in found if located.record.rec_type == "response"])
    for request in requests:
        response = by_id[request.record.rec_headers.get_header("WARC-Concurrent-To")]
        assert response.url == request.url and response.date == request.date
        assert request.record.http_headers.protocol == "GET"
        assert request.record.http_headers.get_header("Host") == "www.dawn.com"
        assert request.record.http_headers.get_header("User-Agent").startswith("newsbot/")
    for located in found:
        if located.record.rec_type == "response":
            payload = located.record.raw_stream.read()
            assert located.record.rec_headers.get_header("WARC-Payload-Digest") == sha1_base32(payload)
    checked = subprocess.run(
        [str(Path(sys.executable).parent / "warcio"), "check", "-v", *map(str, warc_files(workdir / "warc"))],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "digest pass" in checked.stdout and "fail" not in checked.stdout


def test_the_warcinfo_record_names_newsbot_and_its_settings(captured):
    workdir, _, _ = captured
    info = records(workdir / "warc")[0].record
    fields = dict(
        line.split(": ", 1) for line in info.content_stream().read().decode("utf-8").splitlines() if line
    )
    assert fields["software"].startswith(f"newsbot/{__version__} (Scrapy ")
    assert fields["format"] == "WARC File Format 1.1"
    assert json.loads(fields["newsbot-settings"])["NEWSBOT_MIRROR"].startswith("http://127.0.0.1:")
    assert fields["isPartOf"] == "newsbot articles run 1"
    assert info.rec_headers.get_header("WARC-Filename") == warc_files(workdir / "warc")[0].name


def test_every_stored_article_points_at_the_response_it_was_extracted_from(captured):
    workdir, _, _ = captured
    stored = rows(workdir / "newsbot.db", "SELECT * FROM articles")
    assert stored
    for row in stored:
        located = read_record(locate(workdir / "warc", row["warc_file"]), row["warc_offset"])
        assert located.record.rec_type == "response"
        assert (located.url, located.record_id, located.date) == (
            row["url"],
            row["warc_record_id"],
            row["warc_date"],
        )
        item = ArticlePage(decode_content(to_response(located), 1 << 25)).item()
        from_feed = json.loads(row["sources"])  # fields the crawl filled from the site's feed copy
        for name in set(ARTICLE_FIELDS[3:]) - {"sources", *from_feed}:
            value = getattr(item, name)
            kept = json.loads(row[name]) if name in ("authors", "images", "related_editorials") else row[name]
            assert kept == value, f"{row['url']}: {name}"


def test_feeds_carry_only_the_contract_fields(captured):
    workdir, _, _ = captured
    lines = (workdir / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    assert lines
    assert all(set(json.loads(line)) == set(ARTICLE_FIELDS) for line in lines)


def test_teaser_cards_point_at_the_index_page_capture_they_were_read_from(snapshot_site, tmp_path):
    snapshot_site.reset()
    result = crawl(snapshot_site, tmp_path, "opinion")
    assert result.returncode == 0, result.log[-3000:]
    teasers = rows(tmp_path / "newsbot.db", "SELECT * FROM teasers")
    assert teasers
    for row in teasers:
        located = read_record(locate(tmp_path / "warc", row["warc_file"]), row["warc_offset"])
        assert located.record.rec_type == "response"
        assert (located.url, located.record_id) == (row["index_url"], row["warc_record_id"])


def test_a_304_is_a_revisit_record_pointing_at_the_earlier_capture(site_copy, tmp_path):
    directory, site = site_copy
    workdir = tmp_path / "run"
    workdir.mkdir()
    first = crawl(site, workdir, "articles", NEWSBOT_REVISIT_HOURS=1e9)
    assert first.returncode == 0, first.log[-3000:]
    before = {row["url"]: row for row in rows(workdir / "newsbot.db", "SELECT * FROM articles")}
    site.reset()
    second = crawl(site, workdir, "articles", NEWSBOT_REVISIT_HOURS=1e9)
    assert second.returncode == 0, second.log[-3000:]
    assert second.stats["newsbot/articles/not_modified"] >= 1
    revisits = [located for located in records(workdir / "warc") if located.record.rec_type == "revisit"]
    assert len(revisits) == second.stats["newsbot/articles/not_modified"]
    for located in revisits:
        headers = located.record.rec_headers
        earlier = before[located.url]
        assert located.status == 304
        assert headers.get_header("WARC-Profile") == SERVER_NOT_MODIFIED
        assert headers.get_header("WARC-Refers-To") == earlier["warc_record_id"]
        assert headers.get_header("WARC-Refers-To-Date") == earlier["warc_date"]
        assert headers.get_header("WARC-Refers-To-Target-URI") == located.url
    after = {row["url"]: row for row in rows(workdir / "newsbot.db", "SELECT * FROM articles")}
    for located in revisits:  # a 304 leaves the state, and where it came from, as it was
        assert after[located.url]["warc_record_id"] == before[located.url]["warc_record_id"]
    assert len(warc_files(workdir / "warc")) == 2


def test_a_changed_article_keeps_its_earlier_capture_in_its_version(site_copy, tmp_path):
    directory, site = site_copy
    workdir = tmp_path / "run"
    workdir.mkdir()
    site.etags = False
    assert crawl(site, workdir, "articles", "-a", "urls=https://www.dawn.com/news/1990040").returncode == 0
    [first] = rows(workdir / "newsbot.db", "SELECT * FROM articles")
    page = directory / "news" / "1990040.html"
    page.write_text(STORY_CONTENT.sub(r"\1<p>Correction: updated.</p>", page.read_text("utf-8"), 1), "utf-8")
    assert crawl(site, workdir, "articles", "-a", "urls=https://www.dawn.com/news/1990040").returncode == 0
    [current] = rows(workdir / "newsbot.db", "SELECT * FROM articles")
    [version] = rows(workdir / "newsbot.db", "SELECT * FROM article_versions")
    assert current["body"].startswith("Correction: updated.") and version["body"] == first["body"]
    assert {name: version[name] for name in ("warc_file", "warc_offset", "warc_record_id", "warc_date")} == {
        name: first[name] for name in ("warc_file", "warc_offset", "warc_record_id", "warc_date")
    }
    assert current["warc_record_id"] != first["warc_record_id"]
    located = read_record(locate(workdir / "warc", current["warc_file"]), current["warc_offset"])
    assert b"Correction: updated." in located.record.raw_stream.read()


def test_a_gzip_transfer_is_kept_compressed_as_it_came(site_copy, tmp_path):
    directory, site = site_copy
    body = (directory / "news" / "1990040.html").read_bytes()
    compressed = gzip.compress(body)
    headers = {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"}
    site.scripts["/news/1990040"] = [(200, headers, compressed)]
    result = crawl(site, tmp_path, "articles", "-a", "urls=https://www.dawn.com/news/1990040")
    assert result.returncode == 0, result.log[-3000:]
    found = records(tmp_path / "warc")
    [located] = [one for one in found if one.url.endswith("/1990040") and one.record.rec_type == "response"]
    assert located.record.http_headers.get_header("Content-Encoding") == "gzip"
    assert located.record.raw_stream.read() == compressed
    [row] = rows(tmp_path / "newsbot.db", "SELECT title, warc_offset FROM articles")
    assert row["title"] and row["warc_offset"] == located.offset


def test_files_rotate_by_size_each_with_its_warcinfo(snapshot_site, tmp_path):
    snapshot_site.reset()
    result = crawl(snapshot_site, tmp_path, "articles", NEWSBOT_WARC_MAX_MB=0.1)
    assert result.returncode == 0, result.log[-3000:]
    files = warc_files(tmp_path / "warc")
    assert len(files) >= 3
    assert [int(WARC_NAME.match(file.name).group(2)) for file in files] == list(range(1, len(files) + 1))
    for file in files:
        found = list(read_records(file))
        assert found[0].record.rec_type == "warcinfo"
        kinds = [located.record.rec_type for located in found[1:]]
        assert kinds == ["response", "request"] * (len(kinds) // 2), f"{file.name}: a pair was split"
        assert file.stat().st_size < 100 * 1024 + 200 * 1024  # passes the limit by at most one pair
    with open(files[0], "rb") as handle:  # warcio reads every file whole, in one pass
        assert len(list(ArchiveIterator(handle))) == len(list(read_records(files[0])))
    stored = rows(tmp_path / "newsbot.db", "SELECT warc_file FROM articles")
    assert len({row["warc_file"] for row in stored}) > 1


def test_an_empty_warc_dir_turns_capture_off(snapshot_site, tmp_path):
    snapshot_site.reset()
    result = crawl(snapshot_site, tmp_path, "articles", NEWSBOT_WARC_DIR="")
    assert result.returncode == 0, result.log[-3000:]
    assert not (tmp_path / "warc").exists()
    assert "newsbot/warc/records" not in result.stats
    assert "newsbot.downloader.capture.WarcCapture" not in result.log  # not among the enabled extensions
    stored = rows(tmp_path / "newsbot.db", "SELECT title, warc_file FROM articles")
    assert stored and all(row["title"] and row["warc_file"] is None for row in stored)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"NEWSBOT_WARC_DIR": "{tmp}/a-file"}, "NEWSBOT_WARC_DIR='{tmp}/a-file' is not a folder"),
        ({"NEWSBOT_WARC_DIR": "{tmp}/no/such/warc"}, "directory '{tmp}/no/such' does not exist"),
        ({"NEWSBOT_WARC_MAX_MB": "0"}, "NEWSBOT_WARC_MAX_MB='0': must be at least 0.01"),
        ({"NEWSBOT_WARC_MAX_MB": "lots"}, "NEWSBOT_WARC_MAX_MB='lots' is not a number"),
    ],
)
def test_a_bad_warc_setting_fails_before_the_crawl_with_one_line(tmp_path, settings, message):
    (tmp_path / "a-file").write_text("x")
    settings = {name: value.format(tmp=tmp_path) for name, value in settings.items()}
    result = run_scrapy(["crawl", "articles"], tmp_path, {"NEWSBOT_DB": str(tmp_path / "x.db"), **settings})
    assert result.returncode == 2
    assert message.format(tmp=tmp_path) in result.log
    assert "Traceback" not in result.log and "Spider opened" not in result.log


def test_a_warc_folder_that_cannot_be_made_fails_the_run_with_one_error_and_loses_no_article(
    snapshot_site, tmp_path
):
    snapshot_site.reset()
    # /proc refuses a new folder even to root (who may write anywhere else): what a read-only or
    # foreign folder does to an ordinary user.
    result = crawl(snapshot_site, tmp_path, "articles", NEWSBOT_WARC_DIR="/proc/newsbot-warc")
    assert result.returncode == 3, result.log[-3000:]  # the health check counted the ERROR
    errors = [line for line in result.log.splitlines() if "] ERROR:" in line]
    assert (
        "[newsbot.downloader.capture] ERROR: WARC capture is off for this run: /proc/newsbot-warc: "
        in errors[0]
    )
    assert "Traceback" not in result.log
    stored = rows(tmp_path / "newsbot.db", "SELECT url FROM articles")
    assert stored and len(stored) == result.stats["newsbot/articles/new"]
