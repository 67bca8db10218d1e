"""Scheduled, incremental crawls: what a repeated run downloads, versions, run records, health, overlap."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import time
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.conftest import FAST, ROOT, run_scrapy, scrapy_command
from tests.sites import SiteServer

# Every test runs `scrapy crawl` in subprocesses (repeated, overlapping, killed).
pytestmark = pytest.mark.slow

DATA = Path(__file__).parent / "data"
EXPECTED = json.loads((DATA / "snapshot_expected.json").read_text(encoding="utf-8"))
META = json.loads((DATA / "snapshot_expected_meta.json").read_text(encoding="utf-8"))
PKT = timezone(timedelta(hours=5))
STORY_CONTENT = re.compile(r"(<div[^>]*class='[^']*story__content[^>]*>)")


def crawl(site, workdir: Path, *args: str, **settings):
    return run_scrapy(
        ["crawl", "articles", *args],
        workdir,
        {"NEWSBOT_MIRROR": site.url, "NEWSBOT_DB": str(workdir / "newsbot.db"), **FAST, **settings},
    )


def sitemap_ids(directory: Path) -> list[int]:
    text = (directory / "feeds" / "sitemap.xml").read_text(encoding="utf-8")
    return [int(found) for found in re.findall(r"<loc>https://www\.dawn\.com/news/(\d+)", text)]


def change_story(directory: Path, article_id: int, lastmod: str) -> None:
    page = directory / "news" / f"{article_id}.html"
    html = page.read_text(encoding="utf-8")
    page.write_text(
        STORY_CONTENT.sub(r"\1<p>Correction: this story was updated.</p>", html, count=1), "utf-8"
    )
    sitemap = directory / "feeds" / "sitemap.xml"
    text = sitemap.read_text(encoding="utf-8")
    entry = re.compile(
        rf"(<loc>https://www\.dawn\.com/news/{article_id}[^<]*</loc>\s*<lastmod>)[^<]*(</lastmod>)"
    )
    sitemap.write_text(entry.sub(rf"\g<1>{lastmod}\g<2>", text, count=1), encoding="utf-8")


def add_story(directory: Path, source_id: int, new_id: int, lastmod: str) -> None:
    shutil.copy(directory / "news" / f"{source_id}.html", directory / "news" / f"{new_id}.html")
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    manifest["entries"].append({"url": f"https://www.dawn.com/news/{new_id}", "file": f"news/{new_id}.html"})
    (directory / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    sitemap = directory / "feeds" / "sitemap.xml"
    entry = f"<url><loc>https://www.dawn.com/news/{new_id}</loc><lastmod>{lastmod}</lastmod></url></urlset>"
    sitemap.write_text(sitemap.read_text(encoding="utf-8").replace("</urlset>", entry), encoding="utf-8")


def article_paths(site: SiteServer) -> set[str]:
    return {path for path in site.paths() if path.startswith("/news/")}


CHALLENGE = {f"/news/{bad['article_id']}" for bad in META["bad_pages"] if bad["reason"] == "bot_challenge"}


def test_second_run_downloads_only_new_and_changed_stories_and_keeps_versions(site_copy, tmp_path):
    directory, site = site_copy
    first = crawl(site, tmp_path)
    assert first.returncode == 0, first.log[-3000:]
    good = {item["article_id"] for item in EXPECTED}
    changed = [article_id for article_id in sitemap_ids(directory) if article_id in good][:3]
    now = datetime.now(UTC).astimezone(PKT).replace(microsecond=0).isoformat()
    for article_id in changed:
        change_story(directory, article_id, lastmod=now)
    add_story(directory, changed[0], 1995001, now)
    add_story(directory, changed[1], 1995002, now)
    site.snapshot = type(site.snapshot)(directory)  # reload the manifest
    site.reset()

    second = crawl(site, tmp_path)
    assert second.returncode == 0, second.log[-3000:]
    wanted = {f"/news/{article_id}" for article_id in (*changed, 1995001, 1995002)} | CHALLENGE
    assert article_paths(site) == wanted
    assert second.stats["newsbot/requests/changed"] == 3
    assert second.stats["newsbot/articles/new"] == 2
    assert second.stats["newsbot/articles/updated"] == 3

    db = sqlite3.connect(tmp_path / "newsbot.db")
    bodies = dict(db.execute("SELECT article_id, body FROM articles").fetchall())
    versions = db.execute("SELECT url, version, body FROM article_versions ORDER BY url").fetchall()
    assert sorted(url for url, _, _ in versions) == sorted(f"https://www.dawn.com/news/{i}" for i in changed)
    old_bodies = {item["url"]: item["body"] for item in EXPECTED}
    for url, version, body in versions:
        assert version == 1
        assert body == old_bodies[url], "the previous text is kept whole"
    for article_id in changed:
        assert bodies[article_id].startswith("Correction: this story was updated.")


DISCOVERY = ["/robots.txt", "/latest-news", "/feeds/latest-news/", "/feeds/home/", "/feeds/pakistan",
             "/feeds/world/", "/feeds/business", "/feeds/sitemap"]  # fmt: skip
"""What every run of the articles spider reads (seeds/start-points.toml), once each."""


def test_requests_per_new_article_are_the_floor(site_copy, tmp_path):
    """The request count of a scheduled run (formerly bench/requests_per_article.py): a first crawl
    downloads every linked article exactly once; a second, after new stories appear, downloads only
    those (and retries the one failed download, the bot challenge): the discovery pages plus one
    request per new story, nothing for the stored, unchanged stories."""
    directory, site = site_copy
    first = crawl(site, tmp_path)
    assert first.returncode == 0, first.log[-3000:]
    linked = [item["article_id"] for item in EXPECTED] + [bad["article_id"] for bad in META["bad_pages"]]
    assert Counter(site.paths()) == Counter(DISCOVERY + [f"/news/{i}" for i in linked])

    new = [1995101, 1995102, 1995103]
    now = datetime.now(UTC).astimezone(PKT).replace(microsecond=0).isoformat()
    for article_id, source in zip(new, linked, strict=False):
        add_story(directory, source, article_id, now)
    site.snapshot = type(site.snapshot)(directory)  # reload the manifest
    site.reset()
    second = crawl(site, tmp_path)
    assert second.returncode == 0, second.log[-3000:]
    assert Counter(site.paths()) == Counter(DISCOVERY + [f"/news/{i}" for i in new] + sorted(CHALLENGE))
    assert second.stats["newsbot/articles/new"] == len(new)
    assert second.stats["newsbot/skipped/known"] > len(EXPECTED)


def test_revisits_inside_the_window_are_conditional_and_a_304_only_bumps_last_seen(site_copy, tmp_path):
    _, site = site_copy
    assert crawl(site, tmp_path).returncode == 0
    db = tmp_path / "newsbot.db"
    before = sqlite3.connect(db).execute("SELECT url, last_seen, change_seq, body FROM articles").fetchall()
    time.sleep(1.1)  # last_seen has one-second resolution
    site.reset()
    result = crawl(site, tmp_path, NEWSBOT_REVISIT_HOURS=24 * 365 * 50)
    assert result.returncode == 0, result.log[-3000:]
    conditional = [h for _, path, h in site.requests if path.startswith("/news/") and "If-None-Match" in h]
    assert len(conditional) == len(EXPECTED)
    assert result.stats["newsbot/articles/not_modified"] == len(EXPECTED)
    after = {
        row[0]: row[1:]
        for row in sqlite3.connect(db)
        .execute("SELECT url, last_seen, change_seq, body FROM articles")
        .fetchall()
    }
    for url, last_seen, change_seq, body in before:
        assert after[url][0] > last_seen
        assert after[url][1:] == (change_seq, body)
    assert sqlite3.connect(db).execute("SELECT count(*) FROM article_versions").fetchone()[0] == 0


def test_run_records_and_a_broken_layout_fails_the_run(site_copy, tmp_path):
    directory, site = site_copy
    ok = crawl(site, tmp_path)
    assert ok.returncode == 0
    # The site's article template changes: every date is gone (markup, meta and JSON-LD).
    for page in (directory / "news").glob("*.html"):
        html = page.read_text(encoding="utf-8")
        html = re.sub(r"<span class='story__time.*?</span></span>", "", html, flags=re.S)
        html = re.sub(r"<meta property='article:(published|modified)_time'[^>]*>", "", html)
        html = re.sub(r'"date(Published|Modified)":\s*"[^"]*",?', "", html)
        page.write_text(html, encoding="utf-8")
    broken = crawl(site, tmp_path / "fresh") if (tmp_path / "fresh").mkdir() is None else None
    assert broken.returncode == 3, broken.log[-3000:]
    assert "Health check failed: coverage/published_at" in broken.log
    [run] = (
        sqlite3.connect(tmp_path / "fresh" / "newsbot.db")
        .execute("SELECT status, finish_reason, message, health FROM crawl_runs")
        .fetchall()
    )
    status, finish_reason, message, health = run
    assert (status, finish_reason) == ("failed", "finished")
    assert "coverage/published_at" in message
    assert any(check["name"] == "coverage/published_at" and not check["ok"] for check in json.loads(health))

    runs = (
        sqlite3.connect(tmp_path / "newsbot.db")
        .execute("SELECT spider, status, pages_fetched, items_new, dropped FROM crawl_runs")
        .fetchall()
    )
    assert len(runs) == 1
    spider, status, pages, new, dropped = runs[0]
    assert (spider, status, new) == ("articles", "ok", len(EXPECTED))
    assert pages > len(EXPECTED)
    # 1990092 lacks a date but its feed copy is complete: stored from the feed, not dropped (issue 17).
    assert json.loads(dropped) == {"bot_challenge": 1, "missing_title": 1}


def slow_crawl_settings(site, workdir: Path, delay: float) -> dict:
    """A crawl of the site copy that lasts long enough to be overlapped or killed."""
    return {
        "NEWSBOT_MIRROR": site.url,
        "NEWSBOT_DB": workdir / "newsbot.db",
        "DOWNLOAD_DELAY": delay,
        "AUTOTHROTTLE_ENABLED": False,
    }


def test_overlapping_runs_one_completes_the_other_exits_cleanly(site_copy, tmp_path):
    _, site = site_copy
    command = scrapy_command(["crawl", "articles"], slow_crawl_settings(site, tmp_path, delay=0.1))
    runs = [subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    logs = [run.communicate(timeout=300)[1] for run in runs]
    outcomes = sorted((run.returncode, log) for run, log in zip(runs, logs, strict=True))
    codes = [code for code, _ in outcomes]
    assert codes == [0, 75], outcomes[-1][1][-2000:]
    assert "already in progress" in outcomes[1][1]
    assert "Traceback" not in outcomes[1][1] and "database is locked" not in outcomes[0][1]
    db = sqlite3.connect(tmp_path / "newsbot.db")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("SELECT count(*), count(DISTINCT url) FROM articles").fetchone() == (len(EXPECTED),) * 2
    assert db.execute("SELECT count(*) FROM crawl_runs").fetchone()[0] == 1
    assert not list(tmp_path.glob("*.lock"))  # no lock file left behind with a stale pid
    assert outcomes[1][1].count("\n") == 1, outcomes[1][1]  # the exit-75 message is one line


def test_a_run_killed_mid_crawl_is_marked_interrupted_by_the_next(site_copy, tmp_path):
    _, site = site_copy
    command = scrapy_command(["crawl", "articles"], slow_crawl_settings(site, tmp_path, delay=0.5))
    process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not any(path.startswith("/news/") for path in site.paths()) and time.monotonic() < deadline:
        time.sleep(0.1)
    process.kill()
    process.wait()
    result = crawl(site, tmp_path)
    assert result.returncode == 0, result.log[-3000:]
    statuses = (
        sqlite3.connect(tmp_path / "newsbot.db")
        .execute("SELECT status FROM crawl_runs ORDER BY id")
        .fetchall()
    )
    assert statuses == [("interrupted",), ("ok",)]
    # The killed run left its lock file (with its pid); the next run took it over and removed it.
    assert not list(tmp_path.glob("*.lock"))
