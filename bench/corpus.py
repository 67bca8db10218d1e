"""Dawn-sized benchmark pages and sites, generated from the repository's own fixture pages.

Real Dawn article pages weigh 150-550 KB; our fixtures (seeds/snapshot/news, tests/golden/article) are
25-70 KB. `padded_page` grows a fixture page to a target size with the furniture that makes real pages
heavy, in the places the site puts it, without touching the story itself:

- head: a Tailwind utility `<style>` block and inline scripts (ad slots, analytics, a site config);
- header: a mega-menu `<nav>` with long Tailwind class lists;
- main column, after the story: a "More stories" block of story cards (headline, image, time, and
  the first sentence of another fixture story as the excerpt);
- story body: ad wrappers (a div and a script, no text) after the first paragraph;
- aside: more card widgets (Most Popular, Videos, In Focus: headline, image and time, no excerpt),
  after the existing ones;
- footer and end of body: link columns, an inline SVG icon sprite, a JSON state script and more scripts.

The padding is neutral by construction (no new figures, headings named "Editorial", paragraphs or
story__content), and `build_corpus` checks it: newsbot's item for each padded page must equal its item
for the unpadded fixture (a difference is reported, never hidden). The expected item of a padded page
is the fixture's hand-written oracle (tests/data/snapshot_expected.json,
tests/golden/article/*/expected.json).

Sizes follow a triangular distribution on 150-550 KB with its mode at 250 KB (median about 300 KB).
Everything is seeded, so the corpus is the same on every run.
"""

from __future__ import annotations

import hashlib
import html
import json
import random
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT / "seeds" / "snapshot"
GOLDEN_ARTICLES = ROOT / "tests" / "golden" / "article"
SNAPSHOT_EXPECTED = ROOT / "tests" / "data" / "snapshot_expected.json"
HTML_HEADERS = {"Content-Type": "text/html; charset=utf-8"}

MIN_KB, MODE_KB, MAX_KB = 150, 250, 550
KB = 1024


@dataclass
class Template:
    """One fixture article page with its oracle item."""

    name: str
    url: str
    body: bytes
    expected: dict


@dataclass
class Page:
    """A padded page: served at `url`; `expected` is the contract item (oracle) for it."""

    name: str
    url: str
    body: bytes
    expected: dict
    template: str
    meta: dict = field(default_factory=dict)


def load_templates() -> list[Template]:
    """The 22 snapshot articles and the 12 golden article cases (34 templates).

    The page object's own items: the snapshot article stored thanks to its feed copy (1990092, its
    date from the feed: `sources` not empty) is not one, so it is left out."""
    templates = []
    for item in json.loads(SNAPSHOT_EXPECTED.read_text(encoding="utf-8")):
        if item["sources"]:
            continue
        article_id = item["article_id"]
        templates.append(
            Template(
                name=f"snapshot/{article_id}",
                url=f"https://www.dawn.com/news/{article_id}",
                body=(SNAPSHOT / "news" / f"{article_id}.html").read_bytes(),
                expected=item,
            )
        )
    for folder in sorted(GOLDEN_ARTICLES.glob("*/")):
        if not (folder / "expected.json").exists():
            continue
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        templates.append(
            Template(
                name=f"golden/{folder.name}",
                url=meta["url"],
                body=(folder / "page.html").read_bytes(),
                expected=json.loads((folder / "expected.json").read_text(encoding="utf-8")),
            )
        )
    return templates


# --- furniture --------------------------------------------------------------------------------

SECTIONS = [
    "Pakistan", "World", "Business", "Sport", "Opinion", "Editorial", "Magazines", "Prism", "Images",
    "Entertainment", "Sci-tech", "Tech", "Lifestyle", "Videos", "Podcasts", "Newspaper", "Karachi",
    "Lahore", "Islamabad", "Peshawar", "Cartoon", "Life & Style", "Multimedia", "Trending",
]  # fmt: skip
TW = [
    "flex", "flex-col", "flex-row", "items-center", "justify-between", "w-full", "sm:w-1/2", "md:w-1/3",
    "lg:w-1/4", "xl:pr-2", "px-2", "py-1", "sm:px-0", "mt-2", "mb-4", "text-3", "sm:text-3.5",
    "text-gray-700", "hover:text-red-400", "font-bold", "font-playfair-display", "uppercase",
    "leading-tight", "border-b", "border-gray-200", "overflow-hidden", "relative", "bg-white",
    "dark:bg-gray-900", "focus:outline-none", "transition-colors", "duration-150", "truncate",
    "tracking-wide", "rounded-md", "shadow-sm", "hidden", "sm:block", "md:inline-flex", "gap-2",
    "divide-y", "divide-gray-200", "object-cover", "object-center", "h-full", "text-2.75", "font-arial",
]  # fmt: skip


def _classes(rng: random.Random, low: int = 6, high: int = 16) -> str:
    return "  ".join(rng.sample(TW, rng.randint(low, high)))


class Words:
    """Card text as Dawn prints it: other stories' headlines and their first sentence as the excerpt,
    taken from the fixtures' own oracle items (so it reads like real copy, not word salad)."""

    def __init__(self, templates: list[Template]):
        self.titles = sorted({t.expected["title"] for t in templates if t.expected.get("title")})
        ledes = []
        for template in templates:
            for block in (template.expected.get("body") or "").split("\n\n"):
                words = block.split()
                if len(words) >= 12:
                    ledes.append(" ".join(words[:24]) + "...")
        self.ledes = sorted(set(ledes)) or ["The story in a sentence..."]

    def title(self, rng: random.Random) -> str:
        return rng.choice(self.titles)

    def lede(self, rng: random.Random) -> str:
        return rng.choice(self.ledes)


def _card(rng: random.Random, words: Words, card_id: int, excerpt: bool) -> str:
    title = html.escape(words.title(rng))
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60]
    lede = (
        f"\n    <div dir='auto' class='story__excerpt      text-3  font-georgia  text-gray-700  "
        f"{_classes(rng, 1, 4)}   '>{html.escape(words.lede(rng))}</div>"
        if excerpt
        else ""
    )
    image = hashlib.md5(str(card_id).encode()).hexdigest()[:15]
    day = rng.randint(1, 28)
    return f"""
        <article class='story relative overflow-hidden  box    py-3  ' data-id='{card_id}' id='{card_id}' data-layout='story' data-tags=''>        <div class="flex flex-row {_classes(rng, 2, 5)}">
          <div class="w-2/5 mr-2 {_classes(rng, 2, 6)}">
    <!-- box/image -->
    <figure class='media          media--fill  sm:w-full  w-full        mb-0  ' >
        <div class='media__item          '><a title="{title}" href="https://www.dawn.com/news/{card_id}/{slug}" target="_self"><picture><img src="https://i.dawn.com/medium/2026/03/{image}.jpg?r={rng.randint(100000, 999999)}"  alt="{title}" title="{title}" class="lazyload {_classes(rng, 3, 6)}" loading="lazy" width="400" height="225" /></picture></a></div>
    </figure>
          </div>
          <div class="w-3/5 {_classes(rng, 2, 6)}">
    <!-- box/title title-bold-playfairdisplay-text:3.5 -->
    <h2 dir='auto' data-layout='story' data-id='{card_id}'  class='story__title      text-3.5  font-bold  font-playfair-display      '><a  href='https://www.dawn.com/news/{card_id}/{slug}'  class='story__link  '>{title}</a></h2>
    <span class='story__time    text-2.5 text-gray-500   uppercase  font-arial  '><span class='timestamp--published'><span class='timestamp__calendar'>{day:02d} Mar, 2026</span></span></span>{lede}
          </div>
        </div>
        </article>"""  # noqa: E501


def _card_block(
    rng: random.Random, words: Words, budget: int, heading: str, excerpts: bool, tag: str = "h2"
) -> str:
    parts = [
        f"""
    <div class="overflow-hidden mb-6 pb-4 border-b border-gray-300 {_classes(rng, 2, 5)}">
    <{tag}  dir='auto'  class='badge  inline-flex    uppercase text-red-400 text-3 py-2    align-middle'>{heading}</{tag}>
        <div class="flex flex-col divide-y divide-gray-200">"""  # noqa: E501
    ]
    size = len(parts[0])
    while size < budget:
        card = _card(rng, words, rng.randint(1_700_000, 1_979_999), excerpts)
        parts.append(card)
        size += len(card)
    parts.append("\n        </div>\n    </div>\n")
    return "".join(parts)


def _widgets(rng: random.Random, words: Words, budget: int, headings: list[str]) -> str:
    chunks, size = [], 0
    while size < budget:
        block = _card_block(
            rng, words, min(budget - size, rng.randint(12, 30) * KB), rng.choice(headings), excerpts=False
        )
        chunks.append(block)
        size += len(block)
    return "".join(chunks)


def _nav(rng: random.Random, budget: int) -> str:
    parts = [f'\n<nav class="js-mega-menu {_classes(rng)}" aria-label="All sections">']
    size = len(parts[0])
    while size < budget:
        section = rng.choice(SECTIONS)
        slug = section.lower().replace(" & ", "-").replace(" ", "-")
        items = "".join(
            f'<li class="{_classes(rng, 4, 10)}"><a href="https://www.dawn.com/{slug}/{rng.randint(1, 99)}"'
            f' class="{_classes(rng, 6, 14)}">{section} {rng.randint(1, 99)}</a></li>'
            for _ in range(rng.randint(6, 14))
        )
        chunk = f'<div class="{_classes(rng)}"><span class="{_classes(rng)}">{section}</span><ul class="{_classes(rng)}">{items}</ul></div>'  # noqa: E501
        parts.append(chunk)
        size += len(chunk)
    parts.append("</nav>\n")
    return "".join(parts)


def _style(rng: random.Random, budget: int) -> str:
    rules, size = [], 0
    while size < budget:
        name = rng.choice(TW).replace(":", "\\:").replace(".", "\\.").replace("/", "\\/")
        rule = (
            f".{name}-{rng.randint(0, 999)}{{margin:{rng.randint(0, 64) / 4}rem;"
            f"color:#{rng.randint(0, 0xFFFFFF):06x};--tw-ring-offset-width:{rng.randint(0, 8)}px}}"
        )
        rules.append(rule)
        size += len(rule)
    return "<style>" + "".join(rules) + "</style>\n"


def _scripts(rng: random.Random, budget: int) -> str:
    chunks, size = [], 0
    while size < budget:
        kind = rng.randrange(3)
        if kind == 0:
            slots = "".join(
                f"googletag.defineSlot('/21799830913/Dawn/Responsive-{rng.choice(SECTIONS)}-{n}', "
                f"[[300, 250], [728, 90], [970, 250]], 'div-gpt-ad-{rng.randint(10**12, 10**13)}-{n}')"
                f".addService(googletag.pubads()).setTargeting('pos', '{n}');\n"
                for n in range(rng.randint(10, 40))
            )
            chunk = f"<script>window.googletag = window.googletag || {{cmd: []}};\ngoogletag.cmd.push(function() {{\n{slots}googletag.pubads().enableSingleRequest();\ngoogletag.enableServices();\n}});</script>\n"  # noqa: E501
        elif kind == 1:
            events = ",".join(
                json.dumps({"event": f"ev{n}", "section": rng.choice(SECTIONS), "id": rng.randint(1, 10**7)})
                for n in range(rng.randint(20, 80))
            )
            chunk = f"<script>window.dataLayer = window.dataLayer || []; dataLayer.push({events});</script>\n"
        else:
            config = {
                f"k{n}": {"url": f"https://www.dawn.com/{rng.choice(SECTIONS).lower()}", "v": rng.random()}
                for n in range(rng.randint(30, 120))
            }
            chunk = (
                '<script type="application/json" id="dawn-state-'
                f'{rng.randint(0, 10**6)}">{json.dumps(config)}</script>\n'
            )
        chunks.append(chunk)
        size += len(chunk)
    return "".join(chunks)


def _svg_sprite(rng: random.Random, budget: int) -> str:
    symbols, size = [], 0
    while size < budget:
        path = " ".join(
            f"{rng.choice('MLCQ')}{rng.uniform(0, 24):.3f} {rng.uniform(0, 24):.3f}"
            for _ in range(rng.randint(20, 80))
        )
        symbol = f'<symbol id="icon-{rng.randint(0, 10**6)}" viewBox="0 0 24 24"><path d="{path}Z"/></symbol>'
        symbols.append(symbol)
        size += len(symbol)
    return '<svg xmlns="http://www.w3.org/2000/svg" style="display:none">' + "".join(symbols) + "</svg>\n"


def _ad_wrapper(rng: random.Random) -> str:
    slot = f"div-gpt-ad-{rng.randint(10**12, 10**13)}-0"
    return f"""
            <div class='ad__wrapper  my-4  ' data-selector-mobile='.story__content > p:nth-of-type(2)'>
    <!-- advert:start {slot} -->
    <div id='{slot}' class='ad__wrapper__slot ' data-rendered-classes="" data-name="Dawn-Responsive-Middle-Leaderboard" data-height="250px" data-width="300px">
        <script>googletag.cmd.push(function() {{ googletag.display('{slot}'); }});</script>
    </div>
    <!-- advert:end -->
</div>"""  # noqa: E501


def _insert_before(text: str, marker: str, addition: str) -> str:
    at = text.rfind(marker)
    return text if at < 0 else text[:at] + addition + text[at:]


_STORY_CONTENT = re.compile(r"<div[^>]*class=['\"][^'\"]*\bstory__content\b[^'\"]*['\"][^>]*>")
_MAIN_BEFORE_ASIDE = re.compile(r"</div>\s*<aside\b")

# Share of the padding by place, roughly as on real pages.
SHARES = {"head": 0.20, "nav": 0.10, "more": 0.20, "aside": 0.30, "footer": 0.20}


def padded_page(template_html: str, target: int, rng: random.Random, words: Words) -> str:
    """The page grown to about `target` bytes (UTF-8) with site furniture; the story is untouched."""
    pad = max(0, target - len(template_html.encode("utf-8")))
    budget = {place: int(pad * share) for place, share in SHARES.items()}
    page = template_html
    page = _insert_before(
        page, "</head>", _style(rng, budget["head"] // 3) + _scripts(rng, budget["head"] * 2 // 3)
    )
    page = _insert_before(page, "</header>", _nav(rng, budget["nav"]))
    match = _STORY_CONTENT.search(page)
    if match:
        end = page.find("</p>", match.end())
        if end > 0:
            end += len("</p>")
            page = page[:end] + _ad_wrapper(rng) + page[end:]
    match = _MAIN_BEFORE_ASIDE.search(page)
    if match:
        more = _card_block(rng, words, budget["more"], "More stories", excerpts=True)
        page = page[: match.start()] + more + page[match.start() :]
    page = _insert_before(
        page, "</aside>", _widgets(rng, words, budget["aside"], ["Most Popular", "Videos", "In Focus"])
    )
    footer = _nav(rng, budget["footer"] // 4)
    page = _insert_before(page, "</footer>", footer)
    page = _insert_before(
        page,
        "</body>",
        _svg_sprite(rng, budget["footer"] // 4) + _scripts(rng, budget["footer"] // 2),
    )
    return page


def target_size(rng: random.Random) -> int:
    return int(rng.triangular(MIN_KB, MAX_KB, MODE_KB) * KB)


# --- the corpus ------------------------------------------------------------------------------


def newsbot_item(url: str, body: bytes, genre_hint: str | None = None) -> dict:
    """newsbot's item for a page, as a plain dict (or {"error": reason})."""
    from dataclasses import asdict

    from scrapy.http import HtmlResponse, Request

    from newsbot.pages import ArticlePage, PageError

    response = HtmlResponse(url=url, body=body, headers=HTML_HEADERS, request=Request(url))
    try:
        return asdict(ArticlePage(response, genre_hint=genre_hint).item())
    except PageError as error:
        return {"error": error.reason}


@dataclass
class Corpus:
    pages: list[Page]
    templates: list[Template]
    changed_by_padding: list[tuple[str, list[str]]]
    """(page, fields) where newsbot's item for the padded page differs from its unpadded item."""


def build_corpus(variants: int = 9, check: bool = True) -> Corpus:
    """`variants` padded pages per template (34 templates: 9 -> 306 pages), each checked for neutrality."""
    templates = load_templates()
    words = Words(templates)
    pages, changed = [], []
    for template in templates:
        text = template.body.decode("utf-8")
        plain = newsbot_item(template.url, template.body) if check else None
        for number in range(variants):
            rng = random.Random(f"{template.name}#{number}")
            body = padded_page(text, target_size(rng), rng, words).encode("utf-8")
            name = f"{template.name}#{number}"
            if check:
                padded = newsbot_item(template.url, body)
                differs = sorted(
                    key for key in plain.keys() | padded.keys() if plain.get(key) != padded.get(key)
                )
                if differs:
                    changed.append((name, differs))
            pages.append(Page(name, template.url, body, template.expected, template.name))
    return Corpus(pages, templates, changed)


# --- a site to crawl ---------------------------------------------------------------------------

SITEMAP_CHUNK = 1000
LISTING_SIZE = 100
FEED_SIZE = 30
FEEDS = ("latest-news/", "home/", "pakistan", "world/", "business")


def article_url(article_id: int) -> str:
    return f"https://www.dawn.com/news/{article_id}"


def _listing_html(ids: list[int], titles: dict[int, str]) -> str:
    panes = []
    for pane, share in (("all", ids), ("pakistan", ids[::3]), ("business", ids[1::4]), ("world", ids[2::5])):
        cards = "".join(
            f"""
      <article class='story relative overflow-hidden box py-3' data-id='{i}' id='{i}' data-layout='story'>
        <h2 dir='auto' class='story__title text-4 font-bold'><a href='https://www.dawn.com/news/{i}/story-{i}' class='story__link'>{titles[i]}</a></h2>
        <span class='story__time text-2.5 text-gray-500'><span class='timestamp--published'><span class='timestamp--label'>Published</span> <span class='timestamp__calendar'>12 Mar, 2026</span></span></span>
        <div dir='auto' class='story__excerpt text-3'>The story of article {i}, in a sentence or two.</div>
      </article>"""  # noqa: E501
            for i in share
        )
        panes.append(f"<div class='tabs__pane' id='tab-{pane}'>{cards}\n    </div>")
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Latest News - DAWN.COM</title>"
        "</head><body><div class='tabs my-2'>" + "\n".join(panes) + "</div></body></html>"
    )


def _rss(ids: list[int], copies: dict[int, dict]) -> str:
    """RSS items that are true copies of their articles (title, publish time, body paragraphs), as
    Dawn's are, so the crawl's page-vs-feed check agrees as on the live site when nothing drifted."""
    items = "".join(
        f"""
    <item><title>{html.escape(copies[i]["title"] or "")}</title><link>https://www.dawn.com/news/{i}/story-{i}</link>
      <guid>https://www.dawn.com/news/{i}</guid>{_pub_date(copies[i]["published_at"])}
      <description><![CDATA[{_paragraphs(copies[i]["body"])}]]></description></item>"""
        for i in ids
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Dawn</title>'
        f"<link>https://www.dawn.com/</link><description>Dawn</description>{items}\n</channel></rss>\n"
    )


def _pub_date(published_at: str | None) -> str:
    if not published_at or "T" not in published_at:
        return ""  # a date without a time has no RFC 822 form: the item carries none
    return f"<pubDate>{format_datetime(datetime.fromisoformat(published_at))}</pubDate>"


def _paragraphs(body: str | None) -> str:
    blocks = (html.escape(block).replace("\n", "<br>") for block in (body or "").split("\n\n"))
    return "".join(f"<p>{block}</p>" for block in blocks)


def _urlset(ids: list[int], titles: dict[int, str], lastmod: dict[int, str]) -> str:
    urls = "".join(
        f"""
  <url><loc>https://www.dawn.com/news/{i}/story-{i}</loc><lastmod>{lastmod[i]}</lastmod>
    <news:news><news:publication><news:name>Dawn</news:name><news:language>en</news:language></news:publication>
      <news:publication_date>{lastmod[i]}</news:publication_date><news:title>{titles[i]}</news:title></news:news></url>"""  # noqa: E501
        for i in ids
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}\n</urlset>\n'
    )


def _sitemap_index(children: list[str]) -> str:
    entries = "".join(f"\n  <sitemap><loc>{url}</loc></sitemap>" for url in children)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex '
        f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}\n</sitemapindex>\n'
    )


@dataclass
class Site:
    """A generated snapshot directory (seeds/README.md format) whose article files are shared pages."""

    directory: Path
    article_ids: list[int]
    discovery_paths: list[str]
    expected: dict[int, dict]


def write_pages(corpus: Corpus, directory: Path) -> list[Path]:
    """The corpus pages as files (written once, shared by every generated site)."""
    directory.mkdir(parents=True, exist_ok=True)
    files = []
    for number, page in enumerate(corpus.pages):
        path = directory / f"{number:04d}.html"
        path.write_bytes(page.body)
        files.append(path)
    return files


def write_site(
    directory: Path,
    corpus: Corpus,
    page_files: list[Path],
    article_ids: list[int],
    lastmod: dict[int, str] | None = None,
) -> Site:
    """A site of these articles (newest = last id first): robots.txt, /latest-news (newest 100),
    the five RSS feeds (newest 30 each), and /feeds/sitemap (a urlset, or a sitemap index of
    1,000-URL children when there are more), with every article at /news/{id}.

    Article i is served from corpus page i % len(pages); its expected item is that page's oracle item
    with the URL and id of i.
    """
    directory.mkdir(parents=True, exist_ok=True)
    newest = sorted(article_ids, reverse=True)
    titles = {i: f"Story number {i}" for i in newest}
    copies = {i: corpus.pages[i % len(page_files)].expected for i in newest[:FEED_SIZE]}
    stamps = {i: (lastmod or {}).get(i, "2026-03-12T15:45:02+05:00") for i in newest}
    entries = [{"url": "https://www.dawn.com/robots.txt", "file": str(SNAPSHOT / "robots.txt"),
                "content_type": "text/plain; charset=utf-8"}]  # fmt: skip
    discovery = ["/robots.txt"]

    def add(url: str, name: str, text: str, content_type: str) -> None:
        (directory / name).write_text(text, encoding="utf-8")
        entries.append({"url": url, "file": name, "content_type": content_type})
        discovery.append(url.removeprefix("https://www.dawn.com"))

    add("https://www.dawn.com/latest-news", "latest-news.html", _listing_html(newest[:LISTING_SIZE], titles),
        "text/html; charset=utf-8")  # fmt: skip
    for feed in FEEDS:
        add(f"https://www.dawn.com/feeds/{feed}", f"feed-{feed.strip('/')}.xml",
            _rss(newest[:FEED_SIZE], copies), "application/rss+xml; charset=utf-8")  # fmt: skip
    chunks = [newest[at : at + SITEMAP_CHUNK] for at in range(0, len(newest), SITEMAP_CHUNK)]
    xml = "application/xml; charset=utf-8"
    if len(chunks) == 1:
        add("https://www.dawn.com/feeds/sitemap", "sitemap.xml", _urlset(chunks[0], titles, stamps), xml)
    else:
        children = [f"https://www.dawn.com/feeds/sitemap-{n}.xml" for n in range(1, len(chunks) + 1)]
        add("https://www.dawn.com/feeds/sitemap", "sitemap.xml", _sitemap_index(children), xml)
        for url, chunk in zip(children, chunks, strict=True):
            add(url, url.rsplit("/", 1)[1], _urlset(chunk, titles, stamps), xml)
    expected = {}
    for i in article_ids:
        number = i % len(page_files)
        entries.append({"url": article_url(i), "file": str(page_files[number]),
                        "content_type": "text/html; charset=utf-8"})  # fmt: skip
        expected[i] = corpus.pages[number].expected | {"url": article_url(i), "article_id": i}
    manifest = {"site": "https://www.dawn.com", "entries": entries}
    (directory / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return Site(directory, list(article_ids), discovery, expected)


_CACHE: dict[int, Corpus] = {}


def cached_corpus(variants: int = 6) -> Corpus:
    """build_corpus, once per process (the benchmarks of one run share it)."""
    if variants not in _CACHE:
        _CACHE[variants] = build_corpus(variants)
    return _CACHE[variants]
