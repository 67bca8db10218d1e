"""RSS 2.0 feeds (`/feeds/latest-news/`, ...): one link per `<item>`."""

from __future__ import annotations

import contextlib

from lxml import etree
from parsel import Selector
from scrapy.http import Response

from newsbot.loaders import card_links
from newsbot.pages.common import PageError, is_empty_body
from newsbot.processors import canonical_article_url


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
    def __init__(self, response: Response):
        self.response = response

    def links(self) -> list[dict]:
        selector = xml_selector(self.response)
        if not selector.xpath("/rss/channel"):
            raise PageError("not_a_feed", "no RSS <rss><channel> document element")
        return card_links(self._card(entry) for entry in selector.xpath("//channel/item"))

    @staticmethod
    def _card(entry: Selector) -> dict:
        # guid is slug-less but may be a non-URL id; link carries the slug and sometimes utm queries
        candidates = [entry.xpath("guid/text()").get(), entry.xpath("link/text()").get()]
        url = next(filter(None, (canonical_article_url((c or "").strip()) for c in candidates)), None)
        return {
            "url": url,
            "title": entry.xpath("title/text()").get(),
            "label": "Published",
            "date": entry.xpath("pubDate/text()").get(),
        }
