"""Helpers shared by the page objects: class-token XPath, meta and JSON-LD access, page checks."""

from __future__ import annotations

import json
import re

from parsel import Selector, SelectorList

ARTICLE_TYPES = {
    "NewsArticle",
    "Article",
    "ReportageNewsArticle",
    "OpinionNewsArticle",
    "AnalysisNewsArticle",
}


class PageError(Exception):
    """A page that cannot give an item; `reason` is the stats key suffix (newsbot/dropped/<reason>)."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


def has_class(name: str) -> str:
    """An XPath predicate matching one class token, robust to Dawn's space-padded class attributes."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def text_of(selection: Selector | SelectorList | None, skip_class: str | None = None) -> str | None:
    """All text under the selection (scripts and styles skipped), optionally skipping a class's subtree."""
    if selection is None:
        return None
    skip = "ancestor::script or ancestor::style"
    if skip_class:
        skip += f" or ancestor::*[{has_class(skip_class)}]"
    parts = selection.xpath(f".//text()[not({skip})]").getall()
    return "".join(parts) if parts else None


def meta_content(selector: Selector, *names: str) -> str | None:
    """The first non-empty `content` of a `<meta>` whose property, name or itemprop is one of names."""
    for name in names:
        value = selector.xpath("//head/meta[@property=$n or @name=$n or @itemprop=$n]/@content", n=name).get()
        if value and value.strip():
            return value
    return None


def _walk_jsonld(node):
    if isinstance(node, list):
        for child in node:
            yield from _walk_jsonld(child)
    elif isinstance(node, dict):
        yield node
        yield from _walk_jsonld(node.get("@graph", []))


def jsonld_article(selector: Selector) -> dict:
    """The first JSON-LD object of an article type, or {} (malformed blocks are skipped)."""
    for raw in selector.xpath("//script[@type='application/ld+json']/text()").getall():
        try:
            data = json.loads(raw, strict=False)
        except ValueError:
            continue
        for node in _walk_jsonld(data):
            kinds = node.get("@type")
            kinds = set(kinds) if isinstance(kinds, list) else {kinds}
            if kinds & ARTICLE_TYPES:
                return node
    return {}


def jsonld_names(value) -> list[str]:
    """Author names from a JSON-LD author value: a string, an object, or a list of either."""
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and name.strip():
            names.append(name)
    return names


_CHALLENGE_MARKERS = re.compile(
    rb"cf-browser-verification|challenge-platform|cf_chl_opt|cf-challenge|__cf_chl_"
    rb"|<title>\s*(?:Just a moment\.\.\.|Attention Required!|Access denied|Please Wait\.\.\.)",
    re.I,
)


def is_bot_challenge(body: bytes, headers: dict | None = None) -> bool:
    """True for Cloudflare-style challenge/interstitial pages, which can arrive with status 200."""
    if headers and (headers.get("cf-mitigated") or "").lower() == "challenge":
        return True
    return bool(_CHALLENGE_MARKERS.search(body[:200_000]))
