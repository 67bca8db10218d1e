"""Extraction cost and fields right: newsbot's ArticlePage against trafilatura and the parse floors.

newsbot is timed on a fresh response per page (built outside the timer) over `rounds` passes of the
padded corpus (bench/corpus.py); trafilatura (default and fast=True) only in the first pass, back to back
with newsbot on each page, so a burst of load hits all three alike and speed-ups are taken in that pass.
The parse floors are what an lxml-based (trafilatura) and a Lexbor-based (newsbot) extractor pay before
extracting anything. Fields right: each output on the contract's fields, scored against the fixture's
hand-written oracle by the same FIELD_RULES. Method and rules in full: docs/benchmarks.md.
"""

from __future__ import annotations

import gc
import re
import time
from collections.abc import Callable
from dataclasses import asdict

from bench.common import median, percentile, table, verdict
from bench.corpus import VARIANTS, Page, corpus, fixtures
from newsbot.monitoring.crosscheck import token_f1

GOAL_MS, GOAL_SPEEDUP = 3.0, 10.0
FIELDS = ("title", "section", "authors", "published_at", "updated_at", "description", "body", "images",
          "related_editorials")  # fmt: skip


def _clean(text) -> str | None:
    """Whitespace collapsed, soft hyphens dropped; None for nothing."""
    if text is None:
        return None
    return " ".join(str(text).replace("\u00ad", "").split()) or None


def trafilatura_view(document) -> dict:
    """trafilatura's output on the contract's fields, as generously as it allows: authors its `author`
    split on ";"; section its first category; published_at its `date`; no updated_at (it has none);
    images its <graphic> elements (src; alt or title as the caption), else its lead `image` (og:image,
    newsbot's fallback too); body its text without markdown image lines; no related_editorials."""
    data = document.as_dict()
    graphics = data["body"].iter("graphic") if data.get("body") is not None else ()
    images = [
        {"url": g.get("src"), "caption": g.get("alt") or g.get("title"), "credit": None}
        for g in graphics
        if g.get("src")
    ] or ([{"url": data["image"], "caption": None, "credit": None}] if data.get("image") else [])
    lines = (data.get("text") or "").split("\n")
    text = "\n".join(line for line in lines if not re.match(r"^!\[.*\]\(.*\)$", line.strip()))
    return {
        "title": data.get("title"),
        "section": (data.get("categories") or [None])[0],
        "authors": [name.strip() for name in (data.get("author") or "").split(";") if name.strip()],
        "published_at": data.get("date"),
        "updated_at": None,
        "description": data.get("description"),
        "body": text or None,
        "images": images,
        "related_editorials": [],
    }


# The word-overlap F1 the crawl's page-vs-feed check uses (symmetric: expected, got in either order).
body_f1 = token_f1


def _caption_text(image: dict) -> str:
    return _clean(" ".join(part for part in (image.get("caption"), image.get("credit")) if part)) or ""


def _captions_present(expected: list[dict], got: list[dict]) -> bool:
    """Every oracle image found by URL, with its caption and credit in that image's caption text."""
    if not expected:
        return not any(_caption_text(image) for image in got)
    found = {image["url"]: _caption_text(image) for image in got}
    return all(
        want["url"] in found
        and all(_clean(part) in found[want["url"]] for part in (want["caption"], want["credit"]) if part)
        for want in expected
    )


def _split(images: list[dict]) -> list[tuple]:
    return [(image["url"], _clean(image.get("caption")), _clean(image.get("credit"))) for image in images]


def _same(field: str, key: Callable = lambda value: value) -> Callable[[dict, dict], bool]:
    return lambda want, got: key(want[field]) == key(got[field])


FIELD_RULES: dict[str, Callable[[dict, dict], bool]] = {
    "title": _same("title", _clean),
    "section": _same("section", lambda value: (_clean(value) or "").lower()),
    "authors": _same("authors", lambda names: sorted(map(_clean, names))),
    "published_at (contract form)": _same("published_at"),
    "published_at (same day)": _same("published_at", lambda value: (value or "")[:10]),
    "updated_at": _same("updated_at"),
    "description": _same("description", _clean),
    "body (word F1 >= 0.95)": lambda want, got: body_f1(want["body"], got["body"]) >= 0.95,
    "body (exact, whitespace-insensitive)": _same("body", _clean),
    "images: URLs": _same("images", lambda images: sorted(image["url"] for image in images)),
    "images: caption and credit text": lambda want, got: _captions_present(want["images"], got["images"]),
    "images: caption/credit split exact": _same("images", _split),
    "related_editorials": _same("related_editorials"),
}
CONTRACT_FIELDS = (
    *("title", "section", "authors", "published_at (contract form)", "updated_at", "description"),
    *("body (exact, whitespace-insensitive)", "images: caption/credit split exact", "related_editorials"),
)
"""The strict rows, one per contract field (images: URL, caption and credit), for "fields right"."""


def newsbot_once(page: Page) -> tuple[float, dict | None]:
    """(ms, item) for one page, the response built outside the timer; None when newsbot refuses it."""
    from scrapy.http import HtmlResponse, Request

    from newsbot.pages import ArticlePage, PageError

    headers = {"Content-Type": "text/html; charset=utf-8"}
    response = HtmlResponse(page.url, body=page.body, headers=headers, request=Request(page.url))
    started = time.perf_counter()
    try:
        item: dict | None = asdict(ArticlePage(response).item())
    except PageError:
        item = None
    return (time.perf_counter() - started) * 1000, item


def trafilatura_once(fast: bool) -> Callable[[Page], tuple[float, dict | None]]:
    from trafilatura import bare_extraction

    def once(page: Page) -> tuple[float, dict | None]:
        text = page.body.decode("utf-8")
        started = time.perf_counter()
        document = bare_extraction(
            text, url=page.url, with_metadata=True, include_images=True, include_comments=False, fast=fast
        )
        elapsed = (time.perf_counter() - started) * 1000
        return elapsed, trafilatura_view(document) if document else None

    return once


def parse_floors(pages: list[Page]) -> dict[str, list[float]]:
    """ms to decode, parse and run one query, per page: with lxml (parsel) and with Lexbor (selectolax)."""
    from parsel import Selector
    from selectolax.lexbor import LexborHTMLParser

    parsers = {
        "lxml": lambda text: Selector(text=text).xpath("//title").get(),
        "Lexbor": lambda text: LexborHTMLParser(text).css_first("title"),
    }
    times: dict[str, list[float]] = {name: [] for name in parsers}
    for page in pages:
        for name, parse in parsers.items():
            started = time.perf_counter()
            parse(page.body.decode("utf-8"))
            times[name].append((time.perf_counter() - started) * 1000)
    return times


def _row(label: str, times: list[float], compared: str) -> tuple:
    return label, f"{median(times):.2f}", f"{percentile(times, 0.99):.2f}", compared


def fields_right(pages: list[Page], views: dict[str, list]) -> dict[str, float]:
    """Print the share of pages each extractor gets right, field by field; return each extractor's
    mean number of contract fields right per page (of 9)."""
    scores = {label: [_score(page.expected, view) for page, view in zip(pages, out, strict=True)]
              for label, out in views.items()}  # fmt: skip
    right = {label: sum(sum(s[name] for name in CONTRACT_FIELDS) for s in per_page) / len(pages)
             for label, per_page in scores.items()}  # fmt: skip
    rows = [(name, *(f"{100 * sum(s[name] for s in each) / len(pages):.1f}" for each in scores.values()))
            for name in FIELD_RULES]  # fmt: skip
    rows.append(
        ("**contract fields right per page (of 9), mean**", *(f"**{v:.1f}**" for v in right.values()))
    )
    table(["field right, % of pages", *scores], rows)
    return right


def _score(expected: dict, view: dict | None) -> dict[str, bool]:
    want = {name: expected[name] for name in FIELDS}
    return {name: bool(view) and rule(want, view) for name, rule in FIELD_RULES.items()}


def run(variants: int = VARIANTS, rounds: int = 5, trafilatura: bool = True) -> list[tuple]:
    pages = corpus(variants)
    sizes = sorted(len(page.body) // 1024 for page in pages)
    print(f"{len(pages)} pages, {sizes[0]}-{sizes[-1]} KB (median {median(sizes):.0f} KB)")
    extractors = {"newsbot": newsbot_once}
    try:
        if trafilatura:
            extractors |= {"trafilatura": trafilatura_once(False), "trafilatura fast": trafilatura_once(True)}
            extractors["trafilatura"](pages[0])  # warm-up: loads its stop lists
    except ImportError as error:
        print(f"trafilatura not importable ({error}): newsbot only (pip install -e '.[bench]')")
    gc.collect()
    first = [[once(page) for once in extractors.values()] for page in pages]  # back to back on each page
    times = {label: [results[n][0] for results in first] for n, label in enumerate(extractors)}
    passes = [times["newsbot"]]
    for _ in range(rounds - 1):
        gc.collect()
        passes.append([newsbot_once(page)[0] for page in pages])
    newsbot = median([median(p) for p in passes])
    newsbot_p99 = median([percentile(p, 0.99) for p in passes])
    same_pass = median(times["newsbot"])
    floors = parse_floors(pages)
    unpadded = [median([newsbot_once(page)[0] for page in fixtures()]) for _ in range(3)]
    rows = [
        (
            "newsbot",
            f"{newsbot:.2f}",
            f"{newsbot_p99:.2f}",
            "passes " + ", ".join(f"{median(p):.2f}" for p in passes),
        )
    ]
    for label in list(extractors)[1:]:
        rows.append(
            _row(label, times[label], f"{median(times[label]) / same_pass:.1f}x newsbot in the same pass")
        )
    for name, floor in floors.items():
        rows.append(_row(f"parse floor, {name}", floor, f"newsbot / floor {newsbot / median(floor):.2f}"))
    rows.append(_row("newsbot on the unpadded 25-70 KB fixtures", unpadded, ""))
    table(["extractor", "median ms", "p99 ms", "compared"], rows)
    right = fields_right(
        pages, {label: [results[n][1] for results in first] for n, label in enumerate(extractors)}
    )

    lexbor, lxml = median(floors["Lexbor"]), median(floors["lxml"])
    summary = [
        ("extraction median / p99 per page", f"{newsbot:.2f} / {newsbot_p99:.2f} ms",
         f"Lexbor parse floor {lexbor:.2f} ms ({newsbot / lexbor:.1f}x), lxml {lxml:.2f} ms",
         f"median <= {GOAL_MS:.0f} ms: {verdict(newsbot <= GOAL_MS)}"),
    ]  # fmt: skip
    if len(extractors) > 1:
        others = [median(times["trafilatura"]), median(times["trafilatura fast"])]
        best = max(right["trafilatura"], right["trafilatura fast"])
        summary += [
            ("speed-up vs trafilatura / fast=True", " / ".join(f"{ms / same_pass:.1f}x" for ms in others),
             " / ".join(f"{ms:.1f}" for ms in others) + f" ms; newsbot {same_pass:.2f} ms in the same pass",
             f">= {GOAL_SPEEDUP:.0f}x: {verdict(min(others) / same_pass >= GOAL_SPEEDUP)}"),
            ("contract fields right per page (of 9)", f"{right['newsbot']:.1f}",
             f"trafilatura {right['trafilatura']:.1f}, fast {right['trafilatura fast']:.1f}",
             f"more than trafilatura: {verdict(right['newsbot'] > best)}"),
        ]  # fmt: skip
    return summary
