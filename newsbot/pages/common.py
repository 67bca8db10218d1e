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
    """An XPath predicate matching one class token, robust to Dawn's space-padded class attributes.

    The plain contains() first rejects most elements cheaply; the token test then rules out
    look-alikes ("story" in "story__title").
    """
    return f"contains(@class, '{name}') and contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def page_selector(response) -> Selector:
    """A parsel selector of its own for a page object.

    Not `response.selector`: that one is cached on the response and points back at it, a reference
    cycle that keeps every response and its parsed tree alive until a full garbage collection
    (544 MiB peak over a 10,000-page crawl; 153 MiB without it, docs/benchmarks.md).
    """
    return Selector(body=response.body, encoding=response.encoding, base_url=response.url, type="html")


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
        value = selector.xpath(
            "/html/head/meta[@property=$n or @name=$n or @itemprop=$n]/@content", n=name
        ).get()
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


_CHALLENGE_LITERALS = (
    b"cf-browser-verification",
    b"challenge-platform",
    b"cf_chl_opt",
    b"cf-challenge",
    b"__cf_chl_",
)
_CHALLENGE_TITLE = re.compile(
    rb"<title>\s*(?:just a moment\.\.\.|attention required!|access denied|please wait\.\.\.)"
)


def failure_page_reason(response) -> str | None:
    """ "empty_response" or "bot_challenge" for a 2xx that is not the page (worth retrying), else None.

    One check for both the article page object (which drops such a page) and the fetch recorder
    (which records it as a failed download).
    """
    if not response.body or response.body.isspace():  # isspace: no copy of a 300 KB body
        return "empty_response"
    mitigated = (response.headers.get(b"cf-mitigated") or b"").decode("latin-1")
    if is_bot_challenge(response.body, {"cf-mitigated": mitigated}):
        return "bot_challenge"
    return None


def is_bot_challenge(body: bytes, headers: dict | None = None) -> bool:
    """True for Cloudflare-style challenge/interstitial pages, which can arrive with status 200."""
    if headers and (headers.get("cf-mitigated") or "").lower() == "challenge":
        return True
    # Literal markers with `in` (a case-insensitive regex alternation costs ~10 ms on a 300 KB page).
    head = body[:200_000].lower()
    return any(marker in head for marker in _CHALLENGE_LITERALS) or bool(_CHALLENGE_TITLE.search(head))
