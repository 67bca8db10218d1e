"""Pages that would stall the HTML parser are refused before it; normal pages are not affected."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from newsbot.pages import ArticlePage, PageError
from newsbot.pages.limits import MAX_DEPTH, nesting_depth, parse_cost_problem
from tests.conftest import FAST, run_scrapy

SNAPSHOT_ARTICLE = Path(__file__).parent.parent / "seeds" / "snapshot" / "news" / "1990001.html"
DEEP_DIVS = b"<html><body>" + b"<div>" * 100_000 + b"x</body></html>"  # 1.1 MB, 21 s of parse unguarded


@pytest.mark.parametrize(
    ("markup", "depth"),
    [
        (b"<div>" * 10, 10),
        (b"<div></div>" * 100, 1),
        (b"<p>a<p>b<P>c", 1),  # a <p> closes the open <p> before it
        (b"<ul><li>a<li>b</ul><ul><li>c</li></ul>", 2),
        (b"<div>" + b"<br><img src=x><hr/>" * 100 + b"</div>", 1),  # void elements do not nest
        (b"<!-- <div><div><div> --><div>", 1),
        (b"<!-- <div><div> never closed", 0),
        (b"<script>" + b"<div>" * 50 + b"</SCRIPT><div>", 1),  # raw text holds no tags
        (b"<div><span></b></span></div><div>", 2),  # a stray end tag is ignored
        (b"<div><span></div><div><div>", 2),  # an end tag closes up to its element
        (b"<DIV><Div><div>", 3),
        (b"", 0),
    ],
)
def test_nesting_depth(markup, depth):
    assert nesting_depth(markup, stop_above=1_000) == depth


def test_the_depth_scan_stops_once_past_the_limit():
    assert nesting_depth(b"<div>" * 50_000, stop_above=100) == 101


@pytest.mark.parametrize(
    ("markup", "reason"),
    [
        (SNAPSHOT_ARTICLE.read_bytes(), None),
        (b"<div>" * (MAX_DEPTH + 1), None),  # under SCAN_FROM tags: parses in well under a second
        (DEEP_DIVS, "too_deeply_nested"),
        (b"<div></span>" * 30_000, "too_deeply_nested"),  # stray end tags do not hide the depth
        (b"<p>x</p>" * 30_000, None),  # many tags, flat
        (b"<i>" * 250_000, "too_many_elements"),
    ],
)
def test_parse_cost_problem(markup, reason):
    problem = parse_cost_problem(markup)
    assert (problem[0] if problem else None) == reason


def test_an_article_page_that_would_stall_the_parser_is_a_counted_drop():
    response = HtmlResponse("https://www.dawn.com/news/1990001", body=DEEP_DIVS, encoding="utf-8")
    with pytest.raises(PageError) as dropped:
        ArticlePage(response)
    assert dropped.value.reason == "too_deeply_nested"


@pytest.mark.slow
def test_the_crawl_drops_a_pathological_page_and_goes_on(site_copy, tmp_path):
    directory, site = site_copy
    listing = (directory / "pages" / "latest-news.html").read_text(encoding="utf-8")
    ids = re.findall(r"data-id='(\d+)'", listing)
    victim = next(found for found in ids if (directory / "news" / f"{found}.html").exists())
    (directory / "news" / f"{victim}.html").write_bytes(DEEP_DIVS)
    result = run_scrapy(
        ["crawl", "articles"],
        tmp_path,
        {"NEWSBOT_MIRROR": site.url, "NEWSBOT_DB": str(tmp_path / "newsbot.db"), **FAST},
    )
    assert result.returncode == 0, result.log[-3000:]
    assert result.stats["newsbot/dropped/too_deeply_nested"] == 1
    assert f"Dropped (too_deeply_nested): https://www.dawn.com/news/{victim}" in result.log
    stored = {
        row[0] for row in sqlite3.connect(tmp_path / "newsbot.db").execute("SELECT article_id FROM articles")
    }
    assert int(victim) not in stored and len(stored) >= 20


def test_a_feed_item_whose_body_would_stall_the_parser_costs_only_that_copy():
    """The feed's copies were parsed without the guard (a 1.4 MB item body: 4.5 s of CPU), and one copy
    that failed cost every link of the feed."""
    from scrapy.http import XmlResponse

    from newsbot.pages import FeedPage

    deep = "<div>" * 60_000
    items = "".join(
        f"<item><title>Story {n}</title><link>https://www.dawn.com/news/{n}</link>"
        f"<pubDate>Thu, 12 Mar 2026 10:00:00 +0500</pubDate>"
        f"<description><![CDATA[{deep if n == 2 else f'<p>Body {n}.</p>'}]]></description></item>"
        for n in (1, 2, 3)
    )
    body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Dawn</title>{items}</channel></rss>'
    page = FeedPage(XmlResponse("https://www.dawn.com/feeds/latest-news/", body=body.encode()))
    assert [link["url"] for link in page.links()] == [f"https://www.dawn.com/news/{n}" for n in (1, 2, 3)]
    copies = page.copies()
    assert [copy["url"] for copy in copies] == ["https://www.dawn.com/news/1", "https://www.dawn.com/news/3"]
    assert [reason for reason, _ in page.refused] == ["too_deeply_nested"]
    assert "https://www.dawn.com/news/2" in page.refused[0][1]
