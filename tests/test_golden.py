"""Golden page tests: tests/golden/<kind>/<case>/{page.html|page.xml, meta.json, expected.json}.

Each field of each case is its own test (`article/seed/title`, `listing/dated/link.title`), plus one
"no extra fields" test per case, so one failure names the field that changed and hides no other.
tests/golden/README.md says how each expected.json was made; to print what the code produces for a
case (a draft to review as a diff), run: python -m tests.test_golden tests/golden/<kind>/<case>
"""

from __future__ import annotations

import gc
import json
import re
import sys
import weakref
from dataclasses import asdict
from functools import cache
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.responsetypes import responsetypes
from selectolax.lexbor import LexborHTMLParser

from newsbot.items import ARTICLE_FIELDS, FEED_COPY_FIELDS, TEASER_FIELDS
from newsbot.pages import ArticlePage, FeedPage, ListingPage, OpinionIndexPage, PageError, SitemapPage
from newsbot.pages.common import is_bot_challenge, jsonld_article

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden"
LINK_PAGES = {"listing": ListingPage, "feed": FeedPage, "sitemap": SitemapPage}
KINDS = ("article", "article_bad", "listing", "feed", "sitemap", "index")
# Pages that yield a list of records: (key of the list, name of one record in test ids).
RECORDS = {kind: ("links", "link") for kind in LINK_PAGES} | {"index": ("teasers", "teaser")}
# Fields the contract requires, whatever expected.json holds.
CONTRACT = {"article": ARTICLE_FIELDS, "index": tuple(f"teaser.{name}" for name in TEASER_FIELDS)}
REQUIRED = ("url", "title", "published_at")  # the validate pipeline's order of missing_<field> reasons


class _Missing:
    def __repr__(self) -> str:
        return "<no such field>"


MISSING = _Missing()


def load_case(folder: Path):
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    page = next(folder.glob("page.*"))
    body = page.read_bytes()
    headers = meta.get("headers") or {"Content-Type": "text/html; charset=utf-8"}
    cls = responsetypes.from_args(headers=headers, url=meta["url"], body=body)
    response = cls(url=meta["url"], body=body, headers=headers, request=Request(meta["url"]))
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    return meta, response, expected


def extract(kind: str, folder: Path):
    meta, response, _ = load_case(folder)
    return read(kind, meta, response)


def read(kind: str, meta: dict, response):
    """What the page object of `kind` makes of the response, as plain data."""
    if kind in ("article", "article_bad"):
        try:
            item = asdict(ArticlePage(response, genre_hint=meta.get("genre_hint")).item())
        except PageError as error:
            return {"error": error.reason}
        # Missing required fields are the validation pipeline's job: the page gives None for them.
        missing = [f"missing_{name}" for name in REQUIRED if not item[name]]
        return {"error": missing[0]} if kind == "article_bad" and missing else item
    if kind == "index":
        result = OpinionIndexPage(response).read()
        return {
            "teasers": [asdict(teaser) for teaser in result.teasers],
            "rejected": [reason for reason, _ in result.rejected],
            "pages": [list(page) for page in result.pages],
        }
    if kind == "feed":  # a feed also gives each item's copy of its article (tested as one field)
        page = FeedPage(response)
        return {"links": page.links(), "copies": page.copies()}
    return {"links": LINK_PAGES[kind](response).links()}


@cache
def actual(folder: Path) -> dict:
    """What the code gives for a case, computed once for all of its field tests (never mutated)."""
    return extract(folder.parent.name, folder)


@cache
def expected(folder: Path) -> dict:
    return json.loads((folder / "expected.json").read_text(encoding="utf-8"))


def by_url(kind: str, output: dict) -> dict:
    """The records (links, teasers) of a page's output, by url."""
    return {row.get("url", MISSING): row for row in output.get(RECORDS[kind][0], [])}


def field_names(kind: str, output: dict) -> list[str]:
    """The fields of `output` tested one by one: an item's own fields; for a page of records, its other
    keys, `<record>.url` (the urls in page order) and `<record>.<field>` for every field of a record."""
    if kind not in RECORDS:
        return sorted(output)
    key, record = RECORDS[kind]
    fields = {name for row in by_url(kind, output).values() for name in row} - {"url"}
    return [f"{record}.url", *sorted(name for name in output if name != key)] + [
        f"{record}.{name}" for name in sorted(fields)
    ]


def field_value(kind: str, output: dict, name: str, urls: list | None = None):
    """One named field of `output`; a record field is {url: value} for the records at `urls`."""
    record, _, field = name.partition(".")
    if kind not in RECORDS or not field:
        return output.get(name, MISSING)
    if field == "url":
        return [row.get("url", MISSING) for row in output.get(RECORDS[kind][0], [])]
    rows = by_url(kind, output)
    return {url: rows[url].get(field, MISSING) for url in urls or ()}


def case_folders(*kinds: str) -> list[Path]:
    return [
        folder
        for kind in kinds
        for folder in sorted((GOLDEN / kind).glob("*/"))
        if (folder / "expected.json").exists()
    ]


def case_id(folder: Path) -> str:
    return f"{folder.parent.name}/{folder.name}"


def cases(*kinds: str):
    return [pytest.param(folder, id=case_id(folder)) for folder in case_folders(*kinds)]


def field_cases():
    params = []
    for folder in case_folders(*KINDS):
        kind = folder.parent.name
        names = list(CONTRACT.get(kind, ()))
        names += [name for name in field_names(kind, expected(folder)) if name not in names]
        params += [pytest.param(folder, name, id=f"{case_id(folder)}/{name}") for name in names]
    return params


def differs(folder: Path, what: str) -> str:
    return (
        f"{case_id(folder)}: {what} differ(s) from expected.json; print a draft of the actual output: "
        f"python -m tests.test_golden {folder.relative_to(ROOT)}"
    )


def common_urls(kind: str, got: dict, want: dict) -> list:
    """Records are compared field by field where both have them; `<record>.url` reports the others."""
    have = by_url(kind, got)
    return [url for url in by_url(kind, want) if url in have]


@pytest.mark.parametrize(("folder", "name"), field_cases())
def test_golden_field(folder, name):
    kind, got, want = folder.parent.name, actual(folder), expected(folder)
    urls = common_urls(kind, got, want) if kind in RECORDS else None
    got_value, want_value = field_value(kind, got, name, urls), field_value(kind, want, name, urls)
    assert got_value == want_value, differs(folder, name)


def shape(kind: str, output: dict, urls: list | None = None) -> dict:
    """Which fields `output` has: its own, and for a page of records those of each record at `urls`."""
    fields = {"(page)" if kind in RECORDS else "(item)": sorted(output)}
    rows = by_url(kind, output) if kind in RECORDS else {}
    return fields | {url: sorted(rows[url]) for url in urls or ()}


@pytest.mark.parametrize("folder", cases(*KINDS))
def test_golden_no_extra_fields(folder):
    kind, got, want = folder.parent.name, actual(folder), expected(folder)
    urls = common_urls(kind, got, want) if kind in RECORDS else None
    got_fields, want_fields = shape(kind, got, urls), shape(kind, want, urls)
    assert got_fields == want_fields, differs(folder, "fields")
    if kind == "article":
        assert sorted(want) == sorted(ARTICLE_FIELDS), "expected.json has exactly the contract's fields"
    if kind == "article_bad":
        assert sorted(want) == ["error"]
    if kind == "index":
        assert all(sorted(row) == sorted(TEASER_FIELDS) for row in want["teasers"])
    if kind == "feed":
        assert all(sorted(row) == sorted(FEED_COPY_FIELDS) for row in want["copies"])


def test_golden_cases_exist():
    assert len(cases("article")) >= 10
    assert cases("listing") and len(cases("feed")) >= 2 and cases("sitemap") and len(cases("index")) >= 3
    assert len(cases("article_bad")) >= 4
    assert {folder.parent.name for folder in GOLDEN.glob("*/*/")} == set(KINDS), "a kind with no tests"


def test_golden_readme_says_how_every_case_was_made():
    """Every case folder has a row in its kind's table in tests/golden/README.md whose `made` column is
    one of the README's provenance labels: a hand-written oracle and reviewed output of the code look
    the same, so the README is the only record of which expected.json is independent of the code."""
    readme = (GOLDEN / "README.md").read_text(encoding="utf-8")
    labels = set(re.findall(r"^- \*\*(\w+)\*\* — ", readme, re.MULTILINE))
    made = {}
    for section in re.split(r"^## ", readme, flags=re.MULTILINE)[1:]:
        kind = section.split("/", 1)[0]
        for case, label in re.findall(r"^\| `([^`]+)` \| (\w+) \|", section, re.MULTILINE):
            made[f"{kind}/{case}"] = label
    folders = {case_id(folder) for folder in GOLDEN.glob("*/*/")}
    assert labels >= {"hand", "code"}, "the README defines its provenance labels"
    assert sorted(folders - set(made)) == [], "case folders with no row in tests/golden/README.md"
    assert sorted(set(made) - folders) == [], "README rows with no case folder"
    assert {case: label for case, label in made.items() if label not in labels} == {}, "unknown labels"


def test_real_latest_news_page_excludes_sponsored_and_offsite():
    folder = GOLDEN / "listing" / "latest-news-real"
    urls = [link["url"] for link in extract("listing", folder)["links"]]
    assert len(urls) == len(set(urls))
    for sponsored in ("1918110", "1917892", "1914059"):
        assert f"https://www.dawn.com/news/{sponsored}" not in urls
    assert all(url.startswith("https://www.dawn.com/news/") for url in urls)


# --- the same page, delivered differently: the item must not change ---------------------------

CLOUDFLARE_JS_DETECTIONS = (
    b"<script>(function(){var a=document.createElement('script');"
    b"a.src='/cdn-cgi/challenge-platform/scripts/jsd/main.js';document.body.appendChild(a);})();</script>"
)


TRACKING_PIXEL = (
    b'<noscript><img height="1" width="1" style="display:none" '
    b'src="https://www.facebook.com/tr?id=1&ev=PageView&noscript=1"/></noscript>'
)


def _seed_variant(body: bytes, content_type: str) -> dict:
    folder = GOLDEN / "article" / "seed"
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    headers = {"Content-Type": content_type}
    response = responsetypes.from_args(headers=headers, url=meta["url"], body=body)(
        url=meta["url"], body=body, headers=headers, request=Request(meta["url"])
    )
    return asdict(ArticlePage(response).item())


@pytest.mark.parametrize(
    ("variant", "content_type", "transform"),
    [
        # Curly quotes are single bytes in windows-1252: read as UTF-8 they would be lost.
        (
            "windows-1252 body and header",
            "text/html; charset=windows-1252",
            lambda page: (
                page.decode("utf-8").replace('charset="utf-8"', 'charset="windows-1252"').encode("cp1252")
            ),
        ),
        ("UTF-8 with a byte-order mark", "text/html; charset=utf-8", lambda page: b"\xef\xbb\xbf" + page),
        # Cloudflare's JavaScript detections put a /cdn-cgi/challenge-platform/ script into ordinary
        # pages: that is not a challenge page.
        (
            "Cloudflare JS-detections script",
            "text/html; charset=utf-8",
            lambda page: page.replace(b"</body>", CLOUDFLARE_JS_DETECTIONS + b"</body>"),
        ),
        # An inline SVG icon's <title> in the body is not the page's title, whatever it says.
        (
            "SVG icon titled 'Access denied' in the body",
            "text/html; charset=utf-8",
            lambda page: page.replace(
                b"<body", b'<svg aria-hidden="true"><title>Access denied</title></svg><body', 1
            ).replace(b"</body>", b"<svg><title>Just a moment...</title></svg></body>", 1),
        ),
        # A malformed JSON-LD block (an object where @type should be a string) is skipped, not a crash.
        (
            "malformed JSON-LD @type in the head",
            "text/html; charset=utf-8",
            lambda page: page.replace(
                b"<head>", b'<head><script type="application/ld+json">{"@type": {"oops": 1}}</script>', 1
            ),
        ),
        # A tracking pixel in a head <noscript> must not end the head (title, metas, canonical link).
        (
            "tracking pixel in a head noscript",
            "text/html; charset=utf-8",
            lambda page: page.replace(b"<head>", b"<head>" + TRACKING_PIXEL, 1),
        ),
        # Old markup wraps paragraphs in an inline tag; the paragraphs are still the story.
        (
            "paragraphs wrapped in <strong>",
            "text/html; charset=utf-8",
            lambda page: page.replace(b"<p>Russian President", b"<strong><p>Russian President", 1).replace(
                b"Peskov told reporters.</p>", b"Peskov told reporters.</p></strong>", 1
            ),
        ),
        # Thousands of unclosed tags in one paragraph: read, not a RecursionError.
        (
            "3,000 unclosed <span> in a paragraph",
            "text/html; charset=utf-8",
            lambda page: page.replace(
                b"<p>Russian President", b"<p>" + b"<span>" * 3000 + b"Russian President", 1
            ),
        ),
    ],
)
def test_seed_page_delivered_differently_gives_the_same_item(variant, content_type, transform):
    folder = GOLDEN / "article" / "seed"
    page = (folder / "page.html").read_bytes()
    changed = transform(page)
    assert changed != page
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    assert _seed_variant(changed, content_type) == expected, variant


TWIN_HEADINGS_PAGE = """<!DOCTYPE html><html><head><title>A story - Pakistan - DAWN.COM</title>
<meta property="article:published_time" content="2026-03-11T10:00:00+05:00"></head><body>
<article class="story"><h2 class="story__title">A story</h2>
<div class="story__content"><p>Text.</p></div></article>
<aside><div class="box">
<h3 class="badge">Editorial</h3>
<article class="story"><h2 class="story__title"><a href="https://www.dawn.com/news/100">One</a></h2></article>
<article class="story"><h2 class="story__title"><a href="https://www.dawn.com/news/101">Two</a></h2></article>
<h3 class="badge">Opinion</h3>
<article class="story"><h2 class="story__title"><a href="https://www.dawn.com/news/200">Column</a></h2></article>
<h3 class="badge">Editorial</h3>
<article class="story"><h2 class="story__title"><a href="https://www.dawn.com/news/300">Three</a></h2></article>
</div></aside></body></html>"""


def test_only_the_first_editorial_heading_owns_widget_cards_even_with_an_identical_twin():
    """Lexbor nodes compare equal when their HTML is equal: ownership must be by identity."""
    url = "https://www.dawn.com/news/1"
    response = HtmlResponse(url=url, body=TWIN_HEADINGS_PAGE.encode(), encoding="utf-8", request=Request(url))
    item = ArticlePage(response).item()
    assert [card["url"] for card in item.related_editorials] == [
        "https://www.dawn.com/news/100",
        "https://www.dawn.com/news/101",
    ]


@pytest.mark.parametrize(
    ("body", "challenge"),
    [
        (b"<html><head><title>Just a moment...</title></head><body></body></html>", True),
        (b"<html><head><TITLE>Attention Required! | Cloudflare</TITLE></head></html>", True),
        (b"<html><head><Title>\n  Please wait...</Title></head></html>", True),
        (b"<head><title>Un instant...</title></head><body><script>window._cf_chl_opt={}</script>", True),
        (b'<form action="/news/1?__cf_chl_f_tk=abc"></form>', True),
        (b"<title>Access denied | www.dawn.com used Cloudflare to restrict access</title>", True),
        (b"<html><head><title>Access denied: the files - Pakistan - DAWN.COM</title></head></html>", False),
        (b"<html><head><title>Just a moment... - Opinion - DAWN.COM</title></head></html>", False),
        (b"<html><head><title>Karachi</title></head><body><p>Just a moment...</p></body></html>", False),
        (b"<html><head><title>Karachi</title></head><body><svg><title>Access denied</title></svg>", False),
        (b"<html><head><title>Karachi</title></head><body>" + b"x" * 70_000 + b"cf_chl_opt</body>", False),
    ],
)
def test_bot_challenge_is_told_by_markers_near_the_top_and_the_first_title(body, challenge):
    """Markers count in the first 64 KB (challenge pages are 4-30 KB); only the document's first
    <title> is read, so an SVG icon's title or a quote in the story does not make a challenge."""
    assert is_bot_challenge(body) is challenge


def _jsonld(markup: str) -> dict:
    return jsonld_article(LexborHTMLParser(markup))


def test_jsonld_article_is_the_first_article_object_in_document_order_head_or_body():
    website = '<script type="application/ld+json">{"@type": "WebSite", "name": "Dawn"}</script>'
    article = '<script type="application/ld+json">[{"@type": ["Thing", "NewsArticle"], "headline": "%s"}]'
    article += "</script>"
    in_body = f"<html><head>{website}</head><body><p>Text</p>{article % 'Body'}</body></html>"
    assert _jsonld(in_body)["headline"] == "Body"
    both = f"<html><head>{article % 'Head'}</head><body>{article % 'Body'}</body></html>"
    assert _jsonld(both)["headline"] == "Head"
    odd_types = '<script type="application/ld+json">{"@type": [{"x": 1}, 7], "headline": "Odd"}</script>'
    odd_first = f"<html><head>{odd_types}</head><body>{article % 'Body'}</body></html>"
    assert _jsonld(odd_first)["headline"] == "Body"
    assert _jsonld("<html><head></head><body><p>No JSON-LD</p></body></html>") == {}


# --- memory and page weight ---------------------------------------------------------------------


@pytest.mark.parametrize("folder", cases(*KINDS))
def test_a_page_and_its_parsed_tree_are_freed_without_the_cyclic_gc(folder):
    """A reference cycle through the response (a selector cached on it that points back) kept every
    page and its parsed tree alive until the cyclic GC ran: a crawl's RSS reached 544 MiB
    (docs/benchmarks.md, hot spot 2). With the GC off, dropping the response must free it."""
    meta, response, _ = load_case(folder)
    alive = weakref.ref(response)
    gc.collect()
    gc.disable()
    try:
        read(folder.parent.name, meta, response)
        del response
        assert alive() is None, "a reference cycle keeps the response (and its parsed tree)"
    finally:
        gc.enable()


def test_real_page_furniture_at_dawn_size_does_not_change_the_item():
    """The benchmark corpus (bench/corpus.py) grows every fixture article to 150-550 KB with the
    furniture of a real Dawn page (its scripts, menus, ad slots, story cards as "More stories" and
    aside widgets, its footer). Every field must still be the fixture's hand-written oracle, on every
    page the extraction and crawl benchmarks use."""
    from bench.corpus import VARIANTS, corpus, fixtures

    pages = corpus()
    assert len(pages) == len(fixtures()) * VARIANTS >= 34 * VARIANTS
    assert min(len(page.body) for page in pages) > 150 * 1024
    wrong = []
    for page in pages:
        headers = {"Content-Type": "text/html; charset=utf-8"}
        item = asdict(ArticlePage(HtmlResponse(page.url, body=page.body, headers=headers)).item())
        wrong += [f"{page.name}: {name}" for name in ARTICLE_FIELDS if item[name] != page.expected[name]]
    assert wrong == []


if __name__ == "__main__":
    target = Path(sys.argv[1]).resolve()
    print(json.dumps(extract(target.parent.name, target), indent=2, sort_keys=True, ensure_ascii=False))
