"""RSS 2.0 feeds (`/feeds/latest-news/`, ...): one link per `<item>`."""

from __future__ import annotations

from parsel import Selector
from scrapy.http import Response

from newsbot.loaders import CardListLoader
from newsbot.pages.common import PageError
from newsbot.processors import canonical_article_url


def xml_selector(response: Response) -> Selector:
    """A namespace-free XML selector (entities unresolved: parsel's XML parser never expands them)."""
    selector = Selector(body=response.body, type="xml")
    selector.remove_namespaces()
    return selector


class FeedPage:
    def __init__(self, response: Response):
        self.response = response

    def links(self) -> list[dict]:
        selector = xml_selector(self.response)
        if not selector.xpath("/rss/channel"):
            raise PageError("not_a_feed", "no RSS <rss><channel> document element")
        loader = CardListLoader()
        for entry in selector.xpath("//channel/item"):
            # guid is slug-less but may be a non-URL id; link carries the slug and sometimes utm queries
            candidates = [entry.xpath("guid/text()").get(), entry.xpath("link/text()").get()]
            url = next(filter(None, (canonical_article_url((c or "").strip()) for c in candidates)), None)
            loader.add_value(
                "links",
                {
                    "url": url,
                    "title": entry.xpath("title/text()").get(),
                    "label": "Published",
                    "date": entry.xpath("pubDate/text()").get(),
                },
            )
        return loader.load_item().get("links", [])
