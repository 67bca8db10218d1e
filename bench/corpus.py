"""Dawn-sized pages and sites for the benchmarks, grown from the repository's own fixture pages.

Real Dawn article pages weigh 150-550 KB; our fixtures (seeds/snapshot/news, tests/golden/article) are
25-70 KB. `padded_page` grows a fixture to a size drawn from a triangular distribution on 150-550 KB
(mode 250 KB) with the furniture of a real Dawn page (REAL_PAGE: its scripts, menus, ad slots, story
cards and footer), where the site puts such things, leaving the story alone. The padding adds no
figure, story paragraph or heading named "Editorial", so a padded page's item is its fixture's
hand-written oracle: tests/test_golden.py checks that on every page of the corpus. Everything is seeded.
"""

from __future__ import annotations

import functools
import html
import json
import random
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT / "seeds" / "snapshot"
GOLDEN_ARTICLES = ROOT / "tests" / "golden" / "article"
VARIANTS = 6
"""Padded pages per fixture: 34 fixtures x 6 = 204 pages."""
KB = 1024
REAL_PAGE = ROOT / "tests" / "golden" / "listing" / "latest-news-real" / "page.html"
"""A real Dawn page (/latest-news, saved 2025-06-19, 536 KB) whose furniture pads the fixtures."""
WIDGETS = ("Most Popular", "Videos", "In Focus")


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    body: bytes
    expected: dict
    """The contract item (the fixture's hand-written oracle)."""


def fixtures() -> list[Page]:
    """The 22 snapshot articles and the 12 golden article cases, each with its oracle item.

    Items of the page object alone: the snapshot article stored thanks to its feed copy (1990092, its
    date from the feed, `sources` not empty) is left out."""
    pages = []
    for item in json.loads((ROOT / "tests" / "data" / "snapshot_expected.json").read_text("utf-8")):
        if item["sources"]:
            continue
        body = (SNAPSHOT / "news" / f"{item['article_id']}.html").read_bytes()
        pages.append(Page(f"snapshot/{item['article_id']}", item["url"], body, item))
    for folder in sorted(GOLDEN_ARTICLES.glob("*/")):
        if (folder / "expected.json").exists():
            url = json.loads((folder / "meta.json").read_text("utf-8"))["url"]
            expected = json.loads((folder / "expected.json").read_text("utf-8"))
            pages.append(Page(f"golden/{folder.name}", url, (folder / "page.html").read_bytes(), expected))
    return pages


@functools.cache
def corpus(variants: int = VARIANTS) -> list[Page]:
    """`variants` padded pages per fixture, the same on every run (built once per process)."""
    pages = []
    for template in fixtures():
        for number in range(variants):
            rng = random.Random(f"{template.name}#{number}")
            size = int(rng.triangular(150, 550, 250) * KB)
            body = padded_page(template.body.decode("utf-8"), size, rng).encode("utf-8")
            pages.append(Page(f"{template.name}#{number}", template.url, body, template.expected))
    return pages


def archive_items(count: int, first_id: int = 3_000_000) -> list[dict]:
    """`count` distinct article items for store benchmarks: the oracle items under new URLs and ids."""
    templates = fixtures()
    return [
        templates[n % len(templates)].expected
        | {"url": f"https://www.dawn.com/news/{first_id + n}", "article_id": first_id + n}
        for n in range(count)
    ]


@functools.cache
def furniture() -> dict[str, list[str]]:
    """The blocks of REAL_PAGE that padding is made of: scripts (not JSON-LD), menus, ad slots, story
    cards (headline, image, time, excerpt) and the footer's parts."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(REAL_PAGE.read_bytes())
    selectors = {
        "scripts": "script:not([type='application/ld+json'])",
        "menus": "nav",
        "ads": "div.ad__wrapper__slot",
        "cards": "div.tabs__pane article.story",
        "footer": "footer > *",
    }
    return {name: [node.html or "" for node in tree.css(selector)] for name, selector in selectors.items()}


def _fill(rng: random.Random, blocks: list[str], budget: int) -> str:
    """Blocks picked at random until they make `budget` characters."""
    parts, size = [], 0
    while size < budget:
        parts.append(rng.choice(blocks))
        size += len(parts[-1])
    return "".join(parts)


def _widget(rng: random.Random, heading: str, budget: int) -> str:
    cards = _fill(rng, furniture()["cards"], budget)
    return f"<div class='box mb-6'><h2 class='badge uppercase text-red-400'>{heading}</h2>{cards}</div>\n"


def _before(text: str, marker: str, addition: str) -> str:
    at = text.rfind(marker)
    return text if at < 0 else text[:at] + addition + text[at:]


_FIRST_STORY_PARAGRAPH = re.compile(r"<div[^>]*class=['\"][^'\"]*\bstory__content\b[^>]*>.*?</p>", re.S)
_MAIN_BEFORE_ASIDE = re.compile(r"</div>\s*<aside\b")


def padded_page(page: str, target: int, rng: random.Random) -> str:
    """The page grown to about `target` bytes with a real page's furniture: 20% scripts in the head, 10%
    menus in the header, an ad slot after the story's first paragraph, 20% "More stories" cards after
    the story, 30% card widgets in the aside, 10% footer parts and 10% scripts at the end of the body."""
    blocks, pad = furniture(), max(0, target - len(page.encode("utf-8")))
    page = _before(page, "</head>", _fill(rng, blocks["scripts"], pad // 5))
    page = _before(page, "</header>", _fill(rng, blocks["menus"], pad // 10))
    page = _FIRST_STORY_PARAGRAPH.sub(lambda match: match.group(0) + rng.choice(blocks["ads"]), page, count=1)
    more = _widget(rng, "More stories", pad // 5)
    page = _MAIN_BEFORE_ASIDE.sub(lambda match: more + match.group(0), page, count=1)
    page = _before(page, "</aside>", "".join(_widget(rng, name, pad // 10) for name in WIDGETS))
    page = _before(page, "</footer>", _fill(rng, blocks["footer"], pad // 10))
    return _before(page, "</body>", _fill(rng, blocks["scripts"], pad // 10))


# --- a site to crawl ---------------------------------------------------------------------------

FEEDS = ("latest-news/", "home/", "pakistan", "world/", "business")
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_SITEMAP = "http://www.google.com/schemas/sitemap-news/0.9"
TEMPLATES = {  # kind: (head, one entry per story id `i`, tail)
    "listing": (
        "<html><head><title>Latest News - DAWN.COM</title></head><body><div class='tabs__pane'>",
        "<article class='story'><h2 class='story__title'><a href='https://www.dawn.com/news/{i}/story-{i}'>"
        "Story {i}</a></h2><span class='story__time'><span class='timestamp__calendar'>12 Mar, 2026</span>"
        "</span></article>",
        "</div></body></html>",
    ),
    "urlset": (
        f'<?xml version="1.0"?>\n<urlset xmlns="{SITEMAP}" xmlns:news="{NEWS_SITEMAP}">',
        "<url><loc>https://www.dawn.com/news/{i}/story-{i}</loc><lastmod>2026-03-12T15:45:02+05:00</lastmod>"
        "<news:news><news:publication_date>2026-03-12T15:45:02+05:00</news:publication_date></news:news></url>",
        "</urlset>",
    ),
    "index": (
        f'<sitemapindex xmlns="{SITEMAP}">',
        "<sitemap><loc>https://www.dawn.com/feeds/sitemap-{i}.xml</loc></sitemap>",
        "</sitemapindex>",
    ),  # fmt: skip
}


def _render(kind: str, ids) -> str:
    head, entry, tail = TEMPLATES[kind]
    return head + "\n".join(entry.format(i=i) for i in ids) + tail


def _rss(ids, items: dict[int, dict]) -> str:
    """RSS items that are true copies of their articles (title, publish time, body paragraphs), as
    Dawn's are, so the crawl's page-vs-feed check agrees as on the live site when nothing drifted."""
    entries = []
    for i in ids:
        item = items[i]
        stamp = item["published_at"] or ""
        date = f"<pubDate>{format_datetime(datetime.fromisoformat(stamp))}</pubDate>" if "T" in stamp else ""
        body = "".join(
            f"<p>{html.escape(block).replace(chr(10), '<br>')}</p>"
            for block in (item["body"] or "").split("\n\n")
        )
        entries.append(
            f"<item><title>{html.escape(item['title'] or '')}</title>"
            f"<link>https://www.dawn.com/news/{i}/story-{i}</link>{date}"
            f"<description><![CDATA[{body}]]></description></item>"
        )
    head = '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Dawn</title>'
    return head + "\n".join(entries) + "</channel></rss>"


@dataclass
class Site:
    directory: Path
    discovery: list[str]
    """Paths of robots.txt, /latest-news, the five feeds and the sitemap(s)."""
    articles: list[str]


def write_site(directory: Path, page_files: list[Path], ids: list[int], items: list[dict]) -> Site:
    """A snapshot directory (seeds/README.md format): robots.txt, /latest-news (newest 100 stories),
    the five feeds of seeds/start-points.toml (newest 30, each item the copy of its article), /feeds/sitemap
    (a sitemap index of 1,000-URL sitemaps above 1,000 stories), and article i at /news/{i}, served from
    page file i % len(files), whose item is items[i % len(files)]."""
    directory.mkdir(parents=True)
    newest = sorted(ids, reverse=True)
    robots = {"url": "https://www.dawn.com/robots.txt", "file": str(SNAPSHOT / "robots.txt")}
    entries = [robots | {"content_type": "text/plain; charset=utf-8"}]
    xml = "application/xml; charset=utf-8"

    def add(path: str, text: str, content_type: str) -> None:
        name = f"{len(entries)}.txt"
        (directory / name).write_text(text, encoding="utf-8")
        entries.append({"url": "https://www.dawn.com" + path, "file": name, "content_type": content_type})

    add("/latest-news", _render("listing", newest[:100]), "text/html; charset=utf-8")
    for feed in FEEDS:
        copies = {i: items[i % len(items)] for i in newest[:30]}
        add(f"/feeds/{feed}", _rss(newest[:30], copies), "application/rss+xml; charset=utf-8")
    chunks = [newest[at : at + 1000] for at in range(0, len(newest), 1000)]
    if len(chunks) == 1:
        add("/feeds/sitemap", _render("urlset", chunks[0]), xml)
    else:
        add("/feeds/sitemap", _render("index", range(len(chunks))), xml)
        for n, chunk in enumerate(chunks):
            add(f"/feeds/sitemap-{n}.xml", _render("urlset", chunk), xml)
    discovery = [entry["url"].removeprefix("https://www.dawn.com") for entry in entries]
    for i in ids:
        entries.append(
            {"url": f"https://www.dawn.com/news/{i}", "file": str(page_files[i % len(page_files)]),
             "content_type": "text/html; charset=utf-8"}
        )  # fmt: skip
    (directory / "manifest.json").write_text(json.dumps({"site": "https://www.dawn.com", "entries": entries}))
    return Site(directory, discovery, [f"/news/{i}" for i in ids])


@contextmanager
def served_site(articles: int, first_id: int = 2_000_001) -> Iterator[tuple]:
    """(server, site, scratch directory): a site of `articles` corpus pages in a temporary directory,
    served on 127.0.0.1 by tests.sites.SiteServer (reached through NEWSBOT_MIRROR=server.url)."""
    from tests.sites import SiteServer

    with tempfile.TemporaryDirectory(prefix="newsbot-bench-") as temporary:
        root = Path(temporary)
        (root / "pages").mkdir()
        files = []
        for number, page in enumerate(corpus()):
            files.append(root / "pages" / f"{number}.html")
            files[-1].write_bytes(page.body)
        items = [page.expected for page in corpus()]
        site = write_site(root / "site", files, list(range(first_id, first_id + articles)), items)
        with SiteServer(site.directory) as server:
            yield server, site, root
