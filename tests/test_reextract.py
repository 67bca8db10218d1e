"""`scrapy reextract`: real crawls of the snapshot served on 127.0.0.1 with a page object broken on purpose
(or an archive whose stored fields were damaged); re-extraction from their WARC restores every field to
the hand-written oracle, keeps each wrong state as a version, and downloads nothing."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest

from newsbot.items import ARTICLE_FIELDS, TEASER_FIELDS
from newsbot.store.history import moment
from newsbot.store.rows import CONTENT_FIELDS as CONTENT
from tests.conftest import FAST, ROOT, SNAPSHOT, run_scrapy, scrapy_command, stored_articles
from tests.sites import SiteServer

pytestmark = pytest.mark.slow  # every test runs `scrapy crawl` or `scrapy reextract` in a subprocess

DATA = Path(__file__).parent / "data"
EXPECTED = {item["url"]: item for item in json.loads((DATA / "snapshot_expected.json").read_text("utf-8"))}
OPINION = json.loads((DATA / "opinion_expected.json").read_text(encoding="utf-8"))
META = json.loads((DATA / "snapshot_expected_meta.json").read_text(encoding="utf-8"))
STORY_CONTENT = re.compile(r"(<div[^>]*class='[^']*story__content[^>]*>)")
DROPPED_BY_THE_BREAK = "https://www.dawn.com/news/1990072"  # in no RSS feed: no feed copy rescues it
ENV = {**os.environ, "SCRAPY_SETTINGS_MODULE": "newsbot.settings", "PYTHONPATH": str(ROOT)}

# A selector break, as a test page object: images and the editorial sidebar come out empty (the crawl's
# cross-check fills images back from the feed copy where a feed carries the story), one page loses its
# headline (so it is dropped, as missing_title), and teaser cards lose their excerpt.
BROKEN_CRAWL = f"""
import sys
from newsbot.pages import article, opinion
from scrapy.cmdline import execute

real_item, real_read = article.ArticlePage.item, opinion.OpinionIndexPage.read

def item(self):
    found = real_item(self)
    found.images, found.related_editorials = [], []
    if found.url == {DROPPED_BY_THE_BREAK!r}:
        found.title = None
    return found

def read(self):
    result = real_read(self)
    for teaser in result.teasers:
        teaser.teaser = None
    return result

article.ArticlePage.item, opinion.OpinionIndexPage.read = item, read
sys.argv = ["scrapy", *sys.argv[1:]]
execute()
"""


def broken_crawl(site: SiteServer, workdir: Path, spider: str, *args: str) -> None:
    settings = {"NEWSBOT_MIRROR": site.url, "NEWSBOT_DB": str(workdir / "newsbot.db"), **FAST}
    command = [sys.executable, "-c", BROKEN_CRAWL, *scrapy_command(["crawl", spider, *args], settings)[3:]]
    done = subprocess.run(command, cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=300)
    assert done.returncode in (0, 3), done.stderr[-3000:]  # 3: the health check saw the break


def reextract(workdir: Path, *args: str):
    return run_scrapy(["reextract", "--db", str(workdir / "newsbot.db"), *args], workdir)


def query(db: Path, sql: str, params=()) -> list[dict]:
    with closing(sqlite3.connect(db)) as connection:
        connection.row_factory = sqlite3.Row
        return [dict(row) for row in connection.execute(sql, params)]


def table_digest(db: Path) -> str:
    """Every row of every table, as a reader sees them."""
    with closing(sqlite3.connect(db)) as connection:
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        dump = {
            table: connection.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()  # noqa: S608
            for table in tables
        }
    return hashlib.sha256(repr(sorted(dump.items())).encode()).hexdigest()


@pytest.fixture(scope="module")
def broken(snapshot_site, tmp_path_factory):
    """An `articles` crawl with the broken page object: its archive, before any re-extraction."""
    workdir = tmp_path_factory.mktemp("broken")
    snapshot_site.reset()
    broken_crawl(snapshot_site, workdir, "articles")
    assert snapshot_site.paths(), "the crawl downloaded pages"
    return workdir


@pytest.fixture
def archive(broken, tmp_path):
    """A private copy of the broken crawl's archive and WARC."""
    shutil.copy(broken / "newsbot.db", tmp_path / "newsbot.db")
    shutil.copytree(broken / "warc", tmp_path / "warc")
    return tmp_path


def _by_url(db: Path) -> dict[str, dict]:
    return stored_articles(db, "url")


def damaged(stored: dict[str, dict]) -> set[str]:
    """The stored articles whose content differs from the oracle."""
    return {url for url, row in stored.items() if any(row[name] != EXPECTED[url][name] for name in CONTENT)}


def test_the_break_damaged_the_archive(broken):
    stored = _by_url(broken / "newsbot.db")
    assert DROPPED_BY_THE_BREAK not in stored
    assert set(stored) == set(EXPECTED) - {DROPPED_BY_THE_BREAK}
    assert all(row["related_editorials"] == [] for row in stored.values())
    assert {url for url in stored if EXPECTED[url]["related_editorials"]} <= damaged(stored)
    assert any(row["images"] == [] and EXPECTED[url]["images"] for url, row in stored.items())


def test_reextract_restores_every_field_and_keeps_the_damaged_states_as_versions(archive, snapshot_site):
    db = archive / "newsbot.db"
    before = _by_url(db)
    top = max(row["change_seq"] for row in before.values())
    snapshot_site.reset()
    result = reextract(archive)
    assert result.returncode == 0, result.log[-3000:]
    assert snapshot_site.paths() == [], "re-extraction downloaded something"
    after = _by_url(db)
    assert set(after) == set(EXPECTED)
    for url, item in EXPECTED.items():
        for name in ARTICLE_FIELDS:
            assert after[url][name] == item[name], f"{url}: {name}"
    wrong = damaged(before)
    versions = {row["url"]: row for row in query(db, "SELECT * FROM article_versions")}
    assert wrong and set(versions) == wrong
    for url in wrong:
        kept = versions[url]
        assert (kept["related_editorials"], kept["version"]) == ("[]", 1)
        assert kept["content_hash"] == before[url]["content_hash"]
        assert kept["warc_record_id"] == before[url]["warc_record_id"], "the version names its capture"
        assert after[url]["change_seq"] > top
    for url in set(EXPECTED) - wrong - {DROPPED_BY_THE_BREAK}:
        assert after[url]["change_seq"] == before[url]["change_seq"]  # unchanged rows keep their place
    new = after[DROPPED_BY_THE_BREAK]
    assert new["first_seen"] <= new["changed_at"] and new["warc_file"] and new["change_seq"] > top
    report = result.stdout
    assert f"articles: 1 new, {len(wrong)} updated ({len(wrong)} earlier state(s) kept as versions)" in report
    gained = [url for url in EXPECTED if EXPECTED[url]["images"] and not before.get(url, {}).get("images")]
    assert any(line.split()[:2] == ["images", str(len(gained))] for line in report.splitlines())
    # The real page objects drop the snapshot's bad pages, for the crawl's reasons, and nothing else.
    drops = sorted(f"{bad['reason']} 1" for bad in META["bad_pages"])
    assert f"dropped, as a crawl would: {', '.join(drops)}" in report


def test_a_second_reextract_changes_nothing(archive):
    assert reextract(archive).returncode == 0
    digest = table_digest(archive / "newsbot.db")
    again = reextract(archive)
    assert again.returncode == 0, again.log[-3000:]
    assert "0 new, 0 updated" in again.stdout
    assert table_digest(archive / "newsbot.db") == digest


def test_dry_run_writes_nothing_and_reports_what_a_run_would(archive):
    db = archive / "newsbot.db"
    digest, files = table_digest(db), sorted(path.name for path in archive.iterdir())
    size, mtime = db.stat().st_size, db.stat().st_mtime_ns
    dry = reextract(archive, "--dry-run")
    assert dry.returncode == 0, dry.log[-3000:]
    assert "dry run: nothing was written" in dry.stdout
    assert table_digest(db) == digest and (db.stat().st_size, db.stat().st_mtime_ns) == (size, mtime)
    assert sorted(path.name for path in archive.iterdir()) == files, "no lock file, no journal"
    real = reextract(archive)
    assert real.returncode == 0
    assert dry.stdout.replace("dry run: nothing was written\n", "") == real.stdout


def test_two_jobs_give_the_same_archive_as_one(archive, tmp_path_factory):
    other = tmp_path_factory.mktemp("two-jobs")
    shutil.copy(archive / "newsbot.db", other / "newsbot.db")
    shutil.copytree(archive / "warc", other / "warc")
    one, two = reextract(archive, "--jobs", "1"), reextract(other, "--jobs", "2")
    assert one.returncode == two.returncode == 0, two.log[-3000:]
    assert one.stdout == two.stdout
    columns = ", ".join([*ARTICLE_FIELDS[1:], "content_hash", "change_seq", "warc_offset"])
    sql = f"SELECT url, {columns} FROM articles ORDER BY url"  # noqa: S608
    assert query(archive / "newsbot.db", sql) == query(other / "newsbot.db", sql)
    sql = "SELECT url, version, content_hash FROM article_versions ORDER BY url, version"
    assert query(archive / "newsbot.db", sql) == query(other / "newsbot.db", sql)


def test_url_and_window_choose_what_is_reextracted(archive):
    db = archive / "newsbot.db"
    one = "https://www.dawn.com/news/1990005"
    result = reextract(archive, "--url", one + "/some-slug", "--url", DROPPED_BY_THE_BREAK)
    assert result.returncode == 0, result.log[-3000:]
    after = _by_url(db)
    assert after[one]["images"] == EXPECTED[one]["images"]
    assert after[DROPPED_BY_THE_BREAK]["title"] == EXPECTED[DROPPED_BY_THE_BREAK]["title"]
    assert [url for url, row in after.items() if row["images"] != EXPECTED[url]["images"]]  # others not
    before = table_digest(db)
    assert "re-extracted 0 article" in reextract(archive, "--since", "2999-01-01").stdout
    assert "re-extracted 0 article" in reextract(archive, "--until", "2000-01-01").stdout
    assert table_digest(db) == before


def test_an_opinion_crawl_gets_its_teasers_and_the_pieces_it_dropped_back_with_their_genres(
    snapshot_site, tmp_path
):
    snapshot_site.reset()
    broken_crawl(snapshot_site, tmp_path, "opinion")
    db = tmp_path / "newsbot.db"
    assert all(row["teaser"] is None for row in query(db, "SELECT teaser FROM teasers"))
    result = reextract(tmp_path, "--jobs", "2")
    assert result.returncode == 0, result.log[-3000:]
    fields = [name for name in TEASER_FIELDS if name != "type"]
    rows = query(db, "SELECT * FROM teasers")
    teasers = [{name: row[name] for name in fields} | {"authors": json.loads(row["authors"])} for row in rows]
    # A default opinion crawl also walks two dated lists and reads the columnists bylines name (issue 15).
    every = [row for key in ("teasers", "teasers_with_since", "teasers_discovered") for row in OPINION[key]]
    want = [{name: row[name] for name in fields} for row in every]
    assert sorted(teasers, key=repr) == sorted(want, key=repr)
    stored = {row["article_id"]: row for row in _by_url(db).values()}
    pieces = {**OPINION["articles"], **OPINION["articles_with_since"], **OPINION["articles_discovered"]}
    assert sorted(stored) == sorted(int(article_id) for article_id in pieces)
    for article_id, values in pieces.items():
        for name, value in values.items():
            assert stored[int(article_id)][name] == value, f"{article_id}: {name}"
    assert f"teaser cards: 0 new, {len(want)} updated" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--db", "{tmp}/none.db"], "--db '{tmp}/none.db': no such archive"),
        (["--warc", "{tmp}/nowhere"], "--warc '{tmp}/nowhere': no such file or folder"),
        (["--warc", "{tmp}"], "no .warc.gz files there"),
        (["--warc", "{tmp}/plain.warc"], "no .warc.gz files there"),  # uncompressed: read 0 records, exit 0
        (["--since", "2026-13-01"], "--since '2026-13-01' is not a date"),
        (
            ["--since", "2026-03-02", "--until", "2026-03-01"],
            "--since 2026-03-02 is after --until 2026-03-01",
        ),
        (["--jobs", "0"], "--jobs '0': give a number of worker processes from 1 to 64"),
        (["--jobs", "two"], "--jobs 'two': give a number"),
        (["--url", "https://herald.dawn.com/news/1"], "is neither a www.dawn.com article nor"),
        (["extra"], "unexpected argument(s): extra"),
    ],
)
def test_a_mistake_on_the_command_line_is_one_line_and_exit_2(broken, tmp_path, args, message):
    args = [arg.format(tmp=tmp_path) for arg in args]
    (tmp_path / "plain.warc").write_bytes(b"WARC/1.1\r\n")
    if "--db" not in args:
        args = ["--db", str(broken / "newsbot.db"), *args]
    if "--warc" not in args:
        args += ["--warc", str(broken / "warc")]
    result = run_scrapy(["reextract", *args], tmp_path)
    assert result.returncode == 2, result.log[-2000:]
    assert message.format(tmp=tmp_path) in result.log
    assert "Traceback" not in result.log and len(result.log.strip().splitlines()) == 1


def test_a_second_reextract_of_one_archive_waits_its_turn(archive):
    from newsbot.store.runlock import RunLock

    lock = RunLock(archive / "newsbot.db", "reextract")
    assert lock.acquire()
    try:
        result = reextract(archive)
    finally:
        lock.release()
    assert result.returncode == 75
    assert "a re-extraction of" in result.log and "is already running" in result.log


def test_reextract_does_not_run_while_a_crawl_writes_the_archive(archive):
    """A crawl storing a newer capture between re-extraction's plan and its write would be overwritten
    by the older state: a real re-extraction waits for the crawls (their run locks), and they for it."""
    from newsbot.store.runlock import RunLock

    db = archive / "newsbot.db"
    before = sqlite3.connect(db).execute("SELECT count(*) FROM article_versions").fetchone()[0]
    crawl = RunLock(db, "opinion")
    assert crawl.acquire()
    try:
        result = reextract(archive)
        dry = reextract(archive, "--dry-run")  # a dry run writes nothing: it does not wait
    finally:
        crawl.release()
    assert result.returncode == 75 and len(result.log.strip().splitlines()) == 1, result.log
    assert "a 'opinion' crawl on" in result.log and "re-extract when it has ended" in result.log
    assert sqlite3.connect(db).execute("SELECT count(*) FROM article_versions").fetchone()[0] == before
    assert not (archive / "newsbot.db.reextract.lock").exists()  # its own lock was let go
    assert dry.returncode == 0, dry.log


def test_older_captures_become_versions_in_time_order_and_a_window_never_rolls_back(tmp_path):
    site_dir = tmp_path / "site"
    shutil.copytree(SNAPSHOT, site_dir)
    workdir = tmp_path / "run"
    workdir.mkdir()
    url = "https://www.dawn.com/news/1990061"  # in no RSS feed: its broken images stay empty
    with SiteServer(site_dir) as site:
        site.etags = False
        broken_crawl(site, workdir, "articles")
        time.sleep(2)  # the second capture is at least two seconds after the first
        page = site_dir / "news" / "1990061.html"
        page.write_text(
            STORY_CONTENT.sub(r"\1<p>Correction: updated.</p>", page.read_text("utf-8"), 1), "utf-8"
        )
        broken_crawl(site, workdir, "articles", "-a", f"urls={url}")
    db = workdir / "newsbot.db"
    first_capture = query(db, "SELECT warc_date FROM article_versions WHERE url = ?", (url,))[0]["warc_date"]
    window_end = (moment(first_capture) + timedelta(seconds=1)).replace(microsecond=0).isoformat()
    before = table_digest(db)
    windowed = reextract(workdir, "--until", window_end, "--url", url)
    assert windowed.returncode == 0, windowed.log[-3000:]
    assert "1 left as stored (stored from a later capture)" in windowed.stdout
    assert table_digest(db) == before, "an older capture never replaces a newer state"
    result = reextract(workdir, "--url", url)
    assert result.returncode == 0, result.log[-3000:]
    [current] = query(db, "SELECT * FROM articles WHERE url = ?", (url,))
    versions = query(db, "SELECT * FROM article_versions WHERE url = ? ORDER BY version", (url,))
    assert [json.loads(version["images"]) for version in versions] == [[], [], EXPECTED[url]["images"]]
    assert [version["body"].startswith("Correction") for version in versions] == [False, True, False]
    assert versions[2]["warc_record_id"] == versions[0]["warc_record_id"], "the first capture, re-extracted"
    assert json.loads(current["images"]) == EXPECTED[url]["images"]
    assert current["body"] == "Correction: updated.\n\n" + EXPECTED[url]["body"]
    assert current["warc_record_id"] == versions[1]["warc_record_id"], "the newest capture is current"
