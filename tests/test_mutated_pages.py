"""Mutated pages: a page object gives an item or a PageError (a counted drop), never a crash; a crawl of a
mutated snapshot finishes without a traceback.

A fixed-seed mutator cuts, deletes, doubles and splices the real and golden pages, and inserts the
kinds of junk real markup carries: stray tags, NULs and broken UTF-8, out-of-range character
references, unclosed scripts and comments, JSON-LD with objects where text belongs, impossible dates,
hrefs urllib cannot split. What it found were real crashes, each fixed with its own test: JSON-LD
`headline` as an object (a loader ValueError), a card or pagination link `http://[::1` (urllib's
ValueError), a sitemap element `<url35:50>` kept by lxml's recovering parser (parsel's
remove_namespaces raised), a date whose shift to +05:00 leaves datetime's range (OverflowError);
JSON-LD `@type` as an object was found just before by reading the code.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Request, XmlResponse

from newsbot.pages import ArticlePage, FeedPage, ListingPage, OpinionIndexPage, PageError, SitemapPage

GOLDEN = Path(__file__).parent / "golden"
MUTATIONS = 1500
JUNK = [
    b"<",
    b">",
    b"</div>",
    b"<p>",
    b"\x00",
    b"\xff\xfe",
    b"\xe2\x80",
    b"&#0;",
    b"&#x110000;",
    b"<script>",
    b"<!--",
    b'<script type="application/ld+json">{"@type": {"a": 1}, "headline": "x"}</script>',
    b'<script type="application/ld+json">{"@type": "NewsArticle", "author": {"name": 7}, '
    b'"datePublished": [1], "headline": {"a": 1}, "description": 3}</script>',
    b'<script type="application/ld+json">[[[]]]</script>',
    b"<span class='story__time'>Updated 99 Foo, 20261</span>",
    b"<span class='timestamp--date'>31 Feb, 2026</span>",
    b"<meta property='article:published_time' content='2026-99-99'>",
    b"<meta property='article:modified_time' content='0001-01-01T00:00:00+14:00'>",
    b"<figure class='media'><img data-src=''></figure>",
    b"<a href='javascript:x'>",
    b"<a href='http://[::1'>",
    b"<link rel='canonical' href='http://%zz'>",
    b"<h3>Editorial</h3>",
    b"<article class='story'><h2 class='story__title'><a href='http://[::1'>x</a></h2></article>",
    b"<ul class='pagination'><li><a href='http://[::1'>2</a></li></ul>",
    b"<span class='story__byline'><a></a></span>",
]
XML_JUNK = [
    b"<",
    b"]]>",
    b"<![CDATA[",
    b"&bogus;",
    b"\x00",
    b"\xff",
    b"<item>",
    b"</channel>",
    b"<url>",
    b"<url35:50>",
    b"<loc>http://[::1</loc>",
    b"<link>http://[::1</link>",
    b"<guid>javascript:x</guid>",
    b"<pubDate>Mon, 99 Foo 2026</pubDate>",
    b"<lastmod>9999-99-99</lastmod>",
    b"<lastmod>9999-12-31T23:59:59-12:00</lastmod>",
    b"<sitemap><loc> </loc></sitemap>",
    b"<media:content url='http://[::1'/>",
    b"<content:encoded><![CDATA[<p>x</p><figure class='media'><img data-src='http://[::1'></figure>]]></content:encoded>",
    b"<description><![CDATA[<p>" + b"<b>" * 3000 + b"deep</p>]]></description>",
]


def golden_pages() -> list[tuple[str, str, bytes]]:
    pages = []
    for page in sorted(GOLDEN.glob("*/*/page.*")):
        kind = page.parent.parent.name
        url = json.loads((page.parent / "meta.json").read_text(encoding="utf-8"))["url"]
        pages.append((kind, url, page.read_bytes()))
    return pages


def golden(folder: str) -> tuple[str, bytes]:
    """(url, page bytes) of a golden fixture."""
    path = GOLDEN / folder
    page = next(path.glob("page.*")).read_bytes()
    return json.loads((path / "meta.json").read_text(encoding="utf-8"))["url"], page


def mutate(body: bytes, rng: random.Random, junk: list[bytes]) -> bytes:
    for _ in range(rng.randint(1, 6)):
        choice = rng.random()
        start = rng.randrange(len(body) + 1)
        end = min(len(body), start + rng.randint(1, 2000))
        if choice < 0.2:
            body = body[:start]
        elif choice < 0.45:
            body = body[:start] + body[end:]
        elif choice < 0.75:
            body = body[:start] + rng.choice(junk) + body[start:]
        elif choice < 0.9:
            body = body[:start] + body[start:end] * 2 + body[end:]
        else:
            body = body[:start] + rng.randbytes(20) + body[start:]
    return body


def read(kind: str, url: str, body: bytes, rng: random.Random):
    if kind in ("feed", "sitemap"):
        response = XmlResponse(url=url, body=mutate(body, rng, XML_JUNK), request=Request(url))
        if kind == "feed":
            page = FeedPage(response)
            return page.links(), page.copies()
        page = SitemapPage(response)
        return page.sitemaps(), page.links()
    response = HtmlResponse(url=url, body=mutate(body, rng, JUNK), encoding="utf-8", request=Request(url))
    if kind.startswith("article"):
        return ArticlePage(response, genre_hint=rng.choice([None, "opinion", "editorial"])).item()
    if kind == "listing":
        return ListingPage(response).links()
    return OpinionIndexPage(response).read()


@pytest.mark.parametrize("seed", [20261126, 7])
def test_mutated_pages_give_an_item_or_a_page_error_never_a_crash(seed):
    rng = random.Random(seed)
    pages = golden_pages()
    assert {kind for kind, _, _ in pages} == {"article", "article_bad", "listing", "index", "feed", "sitemap"}
    outcomes = {"read": 0, "page_error": 0}
    for _ in range(MUTATIONS // 2):
        kind, url, body = rng.choice(pages)
        try:
            read(kind, url, body, rng)
        except PageError:
            outcomes["page_error"] += 1
        else:
            outcomes["read"] += 1
    # Both outcomes occur: the mutations neither leave every page intact nor break every page.
    assert outcomes["read"] > 0 and outcomes["page_error"] > 0, outcomes


def test_jsonld_values_that_are_not_text_are_ignored():
    url, page = golden("article/jsonld-only")
    expected = json.loads((GOLDEN / "article/jsonld-only/expected.json").read_text(encoding="utf-8"))
    odd = b'<script type="application/ld+json">{"@type": "NewsArticle", "headline": {"@value": "x"}}</script>'
    changed = page.replace(b"<head>", b"<head>" + odd, 1)
    assert changed != page
    item = ArticlePage(HtmlResponse(url=url, body=changed, encoding="utf-8", request=Request(url))).item()
    # The odd block comes first and is the article object now; its headline is not text, so the title
    # comes from the markup and meta tags as on a page without JSON-LD.
    assert item.title == expected["title"]


def test_a_card_link_urllib_cannot_split_is_skipped_and_the_other_cards_read():
    url, page = golden("listing/latest-news-real")
    plain = ListingPage(HtmlResponse(url=url, body=page, encoding="utf-8")).links()
    story = "https://www.dawn.com/news/1918162"
    assert story in [link["url"] for link in plain]
    broken = page.replace(f"href='{story}".encode(), b"href='http://[::1/news/1918162")
    assert broken != page
    links = ListingPage(HtmlResponse(url=url, body=broken, encoding="utf-8")).links()
    assert [link["url"] for link in links] == [link["url"] for link in plain if link["url"] != story]


def sitemap_links_before_and_after(old: bytes, new: bytes) -> list[list[dict]]:
    """The golden news sitemap's links as it is, and with its first `old` replaced by `new`."""
    url, body = golden("sitemap/news-sitemap")
    changed = body.replace(old, new, 1)
    assert changed != body
    return [SitemapPage(XmlResponse(url=url, body=page)).links() for page in (body, changed)]


def test_a_sitemap_element_with_an_unusable_name_loses_only_its_entry():
    """lxml keeps `<url35:50>` when recovering broken XML; parsel's remove_namespaces raised on it."""
    plain, links = sitemap_links_before_and_after(b"<url>", b"<url35:50>")
    assert [link["url"] for link in links] == [link["url"] for link in plain[1:]]


def test_one_lastmod_out_of_datetime_range_costs_only_its_date():
    plain, links = sitemap_links_before_and_after(
        b"<url>", b"<url><lastmod>9999-12-31T23:59:59-12:00</lastmod>"
    )
    assert [link["url"] for link in links] == [link["url"] for link in plain]
    assert links[0]["updated_at"] is None


def test_a_pagination_label_int_cannot_read_is_skipped():
    """'²' passes str.isdigit() but int() refuses it: the index page raised ValueError."""
    url, body = golden("index/author-page-1")
    plain = OpinionIndexPage(HtmlResponse(url=url, body=body, encoding="utf-8")).read()
    odd = "<li class='page-item'><a class='page-link' href='/authors/322/mahir-ali/2'>²</a></li>"
    gap = b"<li class='page-item disabled'>"
    broken = body.replace(gap, odd.encode() + gap, 1)
    assert broken != body
    read = OpinionIndexPage(HtmlResponse(url=url, body=broken, encoding="utf-8")).read()
    assert read.pages == plain.pages and [page for page, _ in read.pages] == [1, 2, 3, 9]
    assert read.teasers == plain.teasers


@pytest.mark.slow
@pytest.mark.parametrize(("spider", "seed"), [("articles", 1), ("articles", 4), ("opinion", 11)])
def test_a_crawl_of_a_mutated_snapshot_finishes_without_a_traceback(tmp_path, spider, seed):
    """Every crawl path at once (start points, indexes, articles, pipelines, store) on a copy of the
    bundled snapshot with 70% of its pages mutated: the run finishes, each bad page is a counted drop
    or failure, and what is stored has the fields the contract requires."""
    import shutil
    import sqlite3

    from tests.conftest import SNAPSHOT, run_scrapy

    rng = random.Random(seed)
    site = tmp_path / "snapshot"
    shutil.copytree(SNAPSHOT, site)
    manifest = json.loads((site / "manifest.json").read_text(encoding="utf-8"))
    mutated = 0
    for entry in manifest["entries"]:
        if entry["file"] == "robots.txt" or rng.random() < 0.3:
            continue
        page = site / entry["file"]
        junk = XML_JUNK if "xml" in entry.get("content_type", "") else JUNK
        page.write_bytes(mutate(page.read_bytes(), rng, junk))
        mutated += 1
    assert mutated > 20
    db = tmp_path / "mutated.db"
    result = run_scrapy(["crawl", spider], tmp_path, {"NEWSBOT_MIRROR": site, "NEWSBOT_DB": db})
    assert "Traceback" not in result.log, result.log[-4000:]
    assert result.stats["finish_reason"] == "finished"
    # Exit 0, or 3 when the end-of-run health checks fail on so many bad pages: never a crash.
    assert result.returncode in (0, 3), result.log[-3000:]
    errors = [line for line in result.log.splitlines() if " ERROR: " in line]
    assert all("Health check failed" in line for line in errors), errors
    connection = sqlite3.connect(db)
    try:
        incomplete = connection.execute(
            "SELECT count(*) FROM articles WHERE title = '' OR published_at = '' OR url NOT LIKE "
            "'https://www.dawn.com/news/%'"
        ).fetchone()[0]
    finally:
        connection.close()
    assert incomplete == 0
