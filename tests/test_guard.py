"""Requests never leave the site; robots.txt per RFC 9309 (missing: allow; unreachable: disallow)."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from newsbot.downloader.guard import block_reason
from tests.conftest import FAST, run_scrapy

EXPECTED = json.loads((Path(__file__).parent / "data" / "snapshot_expected.json").read_text(encoding="utf-8"))
SITE = {"www.dawn.com"}


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://www.dawn.com/news/1", None),
        ("http://www.dawn.com/news/1", None),
        ("https://WWW.DAWN.COM/news/1", None),
        ("file:///etc/passwd", "scheme"),
        ("data:text/html,<p>x</p>", "scheme"),
        ("ftp://www.dawn.com/x", "scheme"),
        ("http://127.0.0.1:8080/", "ip_address"),
        ("http://10.1.2.3/", "ip_address"),
        ("http://172.16.0.1/", "ip_address"),
        ("http://192.168.1.1/", "ip_address"),
        ("http://169.254.169.254/latest/meta-data/", "ip_address"),
        ("http://[::1]/", "ip_address"),
        ("http://[::ffff:127.0.0.1]/", "ip_address"),
        ("http://8.8.8.8/", "ip_address"),
        ("https://evil.example/news/1", "offsite"),
        ("https://www.dawn.com.evil.example/", "offsite"),
        ("https://images.dawn.com/news/1", "offsite"),
        ("https://localhost/", "offsite"),
        ("https://user:pw@www.dawn.com/news/1", "userinfo"),
        ("https://www.dawn.com:8443/news/1", "port"),
    ],
)
def test_block_reason(url, reason):
    assert block_reason(url, SITE) == reason


def crawl(site, workdir, *args, **settings):
    return run_scrapy(
        ["crawl", "articles", *args],
        workdir,
        {"NEWSBOT_MIRROR": site.url, "NEWSBOT_DB": str(workdir / "db.db"), **FAST, **settings},
    )


@pytest.mark.slow
def test_redirects_off_site_or_to_internal_addresses_are_blocked_and_counted(snapshot_site, tmp_path):
    first, second, third, fourth, good = (item["url"] for item in EXPECTED[:5])
    snapshot_site.reset()
    snapshot_site.scripts = {
        urlsplit(first).path: [(302, {"Location": f"{snapshot_site.url}/news/1"}, b"")],
        urlsplit(second).path: [(301, {"Location": "http://169.254.169.254/latest/meta-data/"}, b"")],
        urlsplit(third).path: [(302, {"Location": "https://evil.example/news/1"}, b"")],
        urlsplit(fourth).path: [(302, {"Location": "file:///etc/passwd"}, b"")],
    }
    result = crawl(snapshot_site, tmp_path, "-a", f"urls={first},{second},{third},{fourth},{good}")
    assert result.returncode == 0, result.log[-3000:]
    assert result.stats["newsbot/blocked/ip_address"] == 2
    assert result.stats["newsbot/blocked/offsite"] == 1
    assert result.stats["newsbot/blocked/scheme"] == 1
    assert "Traceback" not in result.log
    assert "/news/1" not in snapshot_site.paths()  # the loopback redirect target was never fetched
    rows = sqlite3.connect(tmp_path / "db.db").execute("SELECT url FROM articles").fetchall()
    assert rows == [(good,)]


@pytest.mark.slow
def test_robots_txt_404_allows_the_site(snapshot_site, tmp_path):
    snapshot_site.reset()
    snapshot_site.scripts = {"/robots.txt": [(404, {"Content-Type": "text/html"}, b"<h1>Not found</h1>")]}
    result = crawl(snapshot_site, tmp_path, "-a", f"urls={EXPECTED[0]['url']}")
    assert result.returncode == 0, result.log[-3000:]
    assert result.stats.get("newsbot/robots/unreachable") is None
    assert sqlite3.connect(tmp_path / "db.db").execute("SELECT count(*) FROM articles").fetchone()[0] == 1


@pytest.mark.slow
@pytest.mark.parametrize(
    ("answer", "why"),
    [
        ((503, {"Content-Type": "text/html"}, b"down"), "robots.txt answered 503"),
        ((None, {"stall": 4}, b""), "robots.txt could not be fetched"),
    ],
    ids=["5xx", "timeout"],
)
def test_unreachable_robots_txt_disallows_the_site_and_fails_the_run(snapshot_site, tmp_path, answer, why):
    snapshot_site.reset()
    snapshot_site.scripts = {"/robots.txt": [answer] * 10}
    result = crawl(snapshot_site, tmp_path, "-a", f"urls={EXPECTED[0]['url']}", DOWNLOAD_TIMEOUT=1)
    assert result.returncode == 3, result.log[-3000:]
    assert not [path for path in snapshot_site.paths() if path.startswith("/news/")]
    assert result.stats["newsbot/robots/unreachable"] == 1
    assert why in result.log and "treating the site as disallowed for this run" in result.log
    assert "Traceback" not in result.log
    status, message = (
        sqlite3.connect(tmp_path / "db.db").execute("SELECT status, message FROM crawl_runs").fetchone()
    )
    assert status == "failed"
    assert "robots_txt" in message and why in message


def test_a_redirect_to_a_location_urllib_cannot_split_is_blocked_as_a_bad_url(tmp_path):
    """`Location: http://[::1` made urljoin raise ValueError inside the middleware (a traceback)."""
    from scrapy import Request
    from scrapy.exceptions import IgnoreRequest
    from scrapy.http import Response

    from newsbot.downloader.guard import RedirectGuardMiddleware
    from newsbot.spiders.articles import ArticlesSpider
    from tests.conftest import newsbot_crawler

    crawler = newsbot_crawler(ArticlesSpider, NEWSBOT_DB=str(tmp_path / "g.db"))
    crawler.spider = ArticlesSpider.from_crawler(crawler)
    guard = RedirectGuardMiddleware.from_crawler(crawler)
    request = Request("https://www.dawn.com/news/1")
    response = Response(request.url, status=302, headers={"Location": "http://[::1/news/2"})
    with pytest.raises(IgnoreRequest, match="bad_url"):
        guard.process_response(request, response)
    assert crawler.stats.get_value("newsbot/blocked/bad_url") == 1


@pytest.mark.slow
def test_an_off_site_meta_refresh_or_sitemap_child_is_blocked_and_counted(site_copy, tmp_path):
    """Scrapy's offsite filter dropped these at scheduling time, logged at DEBUG and counted nowhere."""
    directory, site = site_copy
    listing = (directory / "pages" / "latest-news.html").read_text(encoding="utf-8")
    stored = {str(item["article_id"]) for item in EXPECTED}
    listed = next(found for found in re.findall(r"data-id='(\d+)'", listing) if found in stored)
    page = directory / "news" / f"{listed}.html"
    page.write_text(
        '<html><head><meta http-equiv="refresh" content="0; url=https://evil.example/news/1"></head>'
        "<body></body></html>",
        encoding="utf-8",
    )
    sitemap = directory / "feeds" / "sitemap.xml"
    sitemap.write_text(
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<sitemap><loc>https://sitemaps.evil.example/news.xml</loc></sitemap></sitemapindex>",
        encoding="utf-8",
    )
    result = crawl(site, tmp_path, NEWSBOT_HEALTH_COVERAGE="{}")  # fewer stories here by design
    assert result.returncode == 0, result.log[-3000:]
    assert result.stats["newsbot/blocked/offsite"] == 2
    assert "Blocked request (offsite): https://evil.example/news/1" in result.log
    assert "Blocked request (offsite): https://sitemaps.evil.example/news.xml" in result.log
