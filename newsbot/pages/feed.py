"""RSS 2.0 feeds (`/feeds/latest-news/`, ...): one link per `<item>`, and the item's copy of the article."""

from __future__ import annotations

import contextlib

from lxml import etree
from parsel import Selector
from scrapy.http import Response
from selectolax.lexbor import LexborNode

from newsbot.items import FEED_COPY_FIELDS
from newsbot.loaders import ArticleLoader, card_links
from newsbot.pages.common import PageError, is_empty_body, parse_html, text_of
from newsbot.pages.story import figure_image, story_blocks
from newsbot.processors import absolute_url, canonical_article_url, unique


def xml_selector(response: Response) -> Selector:
    """A namespace-free XML selector (entities unresolved: parsel's XML parser never expands them)."""
    if is_empty_body(response.body):
        raise PageError("empty_response")
    selector = Selector(body=response.body, type="xml")
    _remove_namespaces(selector.root)
    return selector


def _remove_namespaces(root) -> None:
    """parsel's remove_namespaces, tolerant of broken XML: lxml's recovering parser can keep an
    element such as `<url35:50>` whose local name is not a valid tag, where parsel stops with
    ValueError. Such an element keeps its name; every other one loses its namespace."""
    for element in root.iter("*"):
        if element.tag.startswith("{"):
            with contextlib.suppress(ValueError):
                element.tag = element.tag.split("}", 1)[1]
        for name in [name for name in element.attrib if name.startswith("{")]:
            with contextlib.suppress(ValueError):
                element.attrib[name.split("}", 1)[1]] = element.attrib.pop(name)
    etree.cleanup_namespaces(root)


class FeedPage:
    """An RSS 2.0 feed: the links a spider follows, and each item's own copy of its article."""

    def __init__(self, response: Response):
        self.response = response
        self.selector = xml_selector(response)
        if not self.selector.xpath("/rss/channel"):
            raise PageError("not_a_feed", "no RSS <rss><channel> document element")
        self.entries = self.selector.xpath("//channel/item")
        self.refused: list[tuple[str, str]] = []
        """(reason, detail) of the items whose copy copies() could not read."""

    def links(self) -> list[dict]:
        return card_links(self._card(entry) for entry in self.entries)

    def copies(self) -> list[dict]:
        """Each www.dawn.com article item as the feed prints it: the FEED_COPY_FIELDS of an article,
        read by the same rules as the article page (one per URL, first wins). An item whose copy cannot
        be read costs only that copy: (reason, detail) goes to `refused`."""
        copies = []
        self.refused = []
        for entry in self.entries:
            try:
                copies.append(self._copy(entry))
            except PageError as error:
                self.refused.append((error.reason, f"{self._url(entry)}: {error.detail}"))
        return unique(copies, key=lambda copy: copy["url"])

    @staticmethod
    def _url(entry: Selector) -> str | None:
        # guid is slug-less but may be a non-URL id; link carries the slug and sometimes utm queries
        candidates = [entry.xpath("guid/text()").get(), entry.xpath("link/text()").get()]
        return next(filter(None, (canonical_article_url((c or "").strip()) for c in candidates)), None)

    def _card(self, entry: Selector) -> dict:
        return {
            "url": self._url(entry),
            "title": entry.xpath("title/text()").get(),
            "label": "Published",
            "date": entry.xpath("pubDate/text()").get(),
        }

    def _copy(self, entry: Selector) -> dict | None:
        """The item's article. Its body is `content:encoded`, else `description` (Dawn's feeds put the
        whole body HTML there); a `description` beside a `content:encoded` is the summary. Images: the
        `media:content` lead (caption from `media:description` or `media:title`), then the body's figures."""
        url = self._url(entry)
        if url is None:
            return None
        encoded = entry.xpath("encoded/text()").get()
        description = entry.xpath("description/text()").get()
        body = fragment(encoded if encoded is not None else description)
        loader = ArticleLoader()
        loader.add_value("url", url)
        loader.add_value("title", entry.xpath("title/text()").get())
        loader.add_value("published_at", entry.xpath("pubDate/text()").get())
        if encoded is not None:
            loader.add_value("description", text_of(fragment(description)))
        content = body.css_first(".story__content") or body
        loader.add_value("body", story_blocks(content))
        loader.add_value("images", self._images(entry, body, url))
        item = loader.load_item()
        return {name: getattr(item, name) for name in FEED_COPY_FIELDS}

    @staticmethod
    def _images(entry: Selector, body: LexborNode, base_url: str) -> list[dict]:
        figures = [image for node in body.css("figure") if (image := figure_image(node, base_url))]
        lead_url = absolute_url(entry.xpath("content/@url").get(), base_url)
        if lead_url is None:
            return figures
        # The lead may be printed in the body too: that figure, with its caption, is the lead.
        in_body = [image for image in figures if image["url"] == lead_url]
        caption = entry.xpath("content/description/text()").get() or entry.xpath("content/title/text()").get()
        lead = in_body[0] if in_body else {"url": lead_url, "caption": caption}
        return [lead, *(image for image in figures if image["url"] != lead_url)]


def fragment(html: str | None) -> LexborNode:
    """The <body> of an HTML fragment (an RSS item's body or summary), parsed as a browser would;
    PageError for markup that would stall the parser."""
    body = parse_html(f"<body>{html or ''}</body>".encode()).body
    assert body is not None  # Lexbor always builds a <body> for a document that opens one
    return body
