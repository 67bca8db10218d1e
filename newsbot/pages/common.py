"""Helpers shared by the HTML page objects: parsing, class tokens, text, meta and JSON-LD, page checks."""

from __future__ import annotations

import codecs
import json
import re
from weakref import WeakKeyDictionary

from scrapy.http import TextResponse
from selectolax.lexbor import LexborHTMLParser, LexborNode

from newsbot.pages.limits import parse_cost_problem

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


def page_tree(response) -> LexborHTMLParser:
    """The page parsed by Lexbor (selectolax): HTML5 tree building, as a browser does.

    Lexbor parses a Dawn-sized page (~320 KB) about four times faster than lxml/libxml2, and parsing
    was the largest cost of an article page (docs/benchmarks.md). Lexbor reads bytes as UTF-8 (bad
    sequences become U+FFFD, as in Scrapy's decoding), so a UTF-8 body is handed over as it is, saving
    a decode and re-encode; any other charset goes through Scrapy's decoding (header, BOM, <meta>).
    The tree references nothing else, so it is freed with the page object. Markup that would stall
    the parser is refused first (newsbot.pages.limits).
    """
    body = response.body
    if not (_is_utf8(response.encoding) and not body.startswith(codecs.BOM_UTF8)):
        body = response.text.encode("utf-8")
    return parse_html(_inert_head_noscripts(body))


def parse_html(markup: bytes) -> LexborHTMLParser:
    """Markup parsed by Lexbor, unless it would stall the parser (PageError, newsbot.pages.limits):
    every HTML parse of site content goes through here, pages and feed items alike."""
    problem = parse_cost_problem(markup)
    if problem:
        raise PageError(*problem)
    return LexborHTMLParser(markup)


def _inert_head_noscripts(markup: bytes) -> bytes:
    """<noscript> in the <head> made a <template>, which the head may hold and which is kept inert.

    Lexbor builds the tree with scripting off, where a head <noscript> may hold only link/meta/style:
    a tracking pixel's <img> in one (common on news sites) would close the head there and push every
    later <meta>, <title> and canonical <link> into the body, losing section, dates and description.
    A browser (scripting on) reads such a <noscript> as text and keeps the head whole, as this does.
    Pages without one pay two substring searches.
    """
    end = markup.find(b"</head")
    if end == -1 or markup.find(b"<noscript", 0, end) == -1:
        return markup
    head = markup[:end].replace(b"<noscript", b"<template").replace(b"</noscript", b"</template")
    return head + markup[end:]


def _is_utf8(encoding: str | None) -> bool:
    try:
        return codecs.lookup(encoding or "").name == "utf-8"
    except LookupError:
        return False


def has_class(node: LexborNode, name: str) -> bool:
    """True when the element's class attribute holds `name` as a whole token."""
    return name in (node.attributes.get("class") or "").split()


def ancestors(node: LexborNode):
    """The node's ancestors, nearest first, up to the document."""
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def inside(node: LexborNode, tag: str) -> bool:
    """True when an ancestor of the node is a `tag` element (like XPath's `ancestor::tag`)."""
    return any(parent.tag == tag for parent in ancestors(node))


def walk(node: LexborNode, descend, include_text: bool = False):
    """The node's descendants in document order; an element's children are visited only when
    `descend(element)` is true. An explicit stack, not recursion: a paragraph of a thousand unclosed
    tags must not hit the recursion limit."""
    stack = [iter(node.iter(include_text=include_text))]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            continue
        yield child
        if child.is_element_node and descend(child):
            stack.append(iter(child.iter(include_text=include_text)))


_NO_TEXT = {"script", "style"}


def text_of(node: LexborNode | None, skip_class: str | None = None, line_breaks: bool = False) -> str | None:
    """All text under the node, scripts and styles skipped; None when it holds no text at all.

    `skip_class` leaves out the subtrees of elements with that class; `line_breaks` turns <br> into "\n".
    """
    if node is None:
        return None

    def descend(element: LexborNode) -> bool:
        return element.tag not in _NO_TEXT and not (skip_class and has_class(element, skip_class))

    parts: list[str] = []
    for child in walk(node, descend, include_text=True):
        if child.is_text_node:
            parts.append(child.text_content)
        elif line_breaks and child.tag == "br":
            parts.append("\n")
    return "".join(parts) if parts else None


def same_node(a: LexborNode | None, b: LexborNode | None) -> bool:
    """Identity of two Lexbor nodes (their `==` compares serialised HTML, so equal-looking twins match)."""
    return a is not None and b is not None and a.mem_id == b.mem_id


def head_meta(tree: LexborHTMLParser) -> dict[str, str]:
    """The `content` of the <head>'s <meta> tags by property, name and itemprop (first one wins)."""
    metas: dict[str, str] = {}
    if tree.head is None:
        return metas
    for meta in tree.head.css("meta[content]"):
        attributes = meta.attributes
        for key in ("property", "name", "itemprop"):
            name = attributes.get(key)
            if name:
                metas.setdefault(name, attributes["content"] or "")
    return metas


def meta_content(metas: dict[str, str], *names: str) -> str | None:
    """The first non-empty meta `content` among names, in the order given (see head_meta)."""
    for name in names:
        value = metas.get(name)
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


JSONLD_SCRIPTS = 'script[type="application/ld+json"]'


def jsonld_article(tree: LexborHTMLParser) -> dict:
    """The first JSON-LD object of an article type, or {} (malformed blocks are skipped).

    The head is searched first: Dawn's pages carry JSON-LD blocks there, and when the article object
    is among them the walk of the whole tree (~0.1 ms on a Dawn-sized page) is saved. The head comes
    first in document order, so the answer is the same either way.
    """
    head = tree.head
    if head is not None:
        found = _first_article_object(head.css(JSONLD_SCRIPTS))
        if found:
            return found
    body = tree.body
    return _first_article_object(body.css(JSONLD_SCRIPTS)) if body is not None else {}


def _first_article_object(scripts) -> dict:
    for script in scripts:
        raw = script.text()
        try:
            data = json.loads(raw, strict=False)
        except ValueError:
            continue
        for node in _walk_jsonld(data):
            kinds = node.get("@type")
            kinds = kinds if isinstance(kinds, list) else [kinds]
            # Only string types count: a malformed block may put objects or numbers there.
            if any(isinstance(kind, str) and kind in ARTICLE_TYPES for kind in kinds):
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


# Identifiers Cloudflare's challenge pages carry (ids, JS variables, URL parameters): case-sensitive.
# Not "challenge-platform": Cloudflare's JavaScript detections inject a /cdn-cgi/challenge-platform/
# script into ordinary pages, so that path alone does not make a page a challenge.
_CHALLENGE_MARKERS = (b"cf-browser-verification", b"cf_chl_opt", b"cf-challenge", b"__cf_chl_")
# The whole title, or the phrase before Cloudflare's " | ..." suffix ("Access denied | www.dawn.com
# used Cloudflare to restrict access"): a story headlined "Access denied: ..." is not a challenge.
_CHALLENGE_TITLE = re.compile(
    rb"<title>\s*(?:just a moment\.\.\.|attention required!|access denied|please wait\.\.\.)"
    rb"\s*(?:</title|\|)",
    re.IGNORECASE,
)
_TITLE_TAGS = (b"<title", b"<TITLE", b"<Title")
# Challenge and block pages are 4-30 KB, their markers in the first few KB; an article page is
# 150-550 KB. Each substring search costs ~0.3 us per KB scanned, so the markers are looked for in
# the first 64 KB only, and the title is matched where the first <title> tag is, not searched for.
_CHALLENGE_SCAN_BYTES = 64 * 1024
_TITLE_SCAN_BYTES = 200_000
_failure_reasons: WeakKeyDictionary = WeakKeyDictionary()


def failure_page_reason(response) -> str | None:
    """ "empty_response" or "bot_challenge" for a 2xx that is not the page (worth retrying), else None.

    One check for both the fetch recorder (which records it as a failed download) and the article
    page object (which drops such a page); remembered per response, so a page is scanned once.
    """
    try:
        return _failure_reasons[response]
    except (KeyError, TypeError):
        pass
    reason = None
    if is_empty_body(response.body):
        reason = "empty_response"
    else:
        mitigated = (response.headers.get(b"cf-mitigated") or b"").decode("latin-1")
        if is_bot_challenge(response.body, {"cf-mitigated": mitigated}):
            reason = "bot_challenge"
    try:
        _failure_reasons[response] = reason
    except TypeError:  # not weak-referenceable: just not remembered
        pass
    return reason


def unreadable_reason(response, html: bool = True) -> str | None:
    """Why a listing, feed, sitemap or index page cannot be read at all (an empty body, a bot challenge,
    or a non-text answer where HTML is expected), or None when its page object may try."""
    reason = failure_page_reason(response)
    if reason is None and html and not isinstance(response, TextResponse):
        reason = "not_html"
    return reason


def is_empty_body(body: bytes) -> bool:
    return not body or body.isspace()  # isspace: no copy of a 300 KB body


def is_bot_challenge(body: bytes, headers: dict | None = None) -> bool:
    """True for Cloudflare-style challenge/interstitial pages, which can arrive with status 200."""
    if headers and (headers.get("cf-mitigated") or "").lower() == "challenge":
        return True
    # Literal markers with find() over the first bytes, no copy (a case-insensitive regex alternation
    # costs ~10 ms on a 300 KB page; lowercasing a copy first, ~0.1 ms).
    end = _CHALLENGE_SCAN_BYTES
    if any(body.find(marker, 0, end) != -1 for marker in _CHALLENGE_MARKERS):
        return True
    title = _first_title_tag(body)
    return title != -1 and _CHALLENGE_TITLE.match(body, title) is not None


def _first_title_tag(body: bytes) -> int:
    """Offset of the document's first <title> tag (in the usual spellings), or -1.

    Each other spelling is looked for only before the first one found (a title sits near the top)."""
    first = -1
    for tag in _TITLE_TAGS:
        at = body.find(tag, 0, _TITLE_SCAN_BYTES if first == -1 else first)
        if at != -1:
            first = at
    return first
