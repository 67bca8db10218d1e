"""The Google News sitemap (`/feeds/sitemap`) and plain sitemaps: `loc`, `lastmod`, news fields."""

from __future__ import annotations

from scrapy.http import Response

from newsbot.loaders import normalise_card
from newsbot.pages.common import PageError
from newsbot.pages.feed import xml_selector
from newsbot.processors import parse_datetime, unique


class SitemapPage:
    def __init__(self, response: Response):
        self.response = response
        self.selector = xml_selector(response)
        if not self.selector.xpath("/urlset | /sitemapindex"):
            raise PageError("not_a_sitemap", "no <urlset> or <sitemapindex> document element")

    def links(self) -> list[dict]:
        links = []
        for entry in self.selector.xpath("//urlset/url"):
            card = normalise_card(
                {
                    "url": (entry.xpath("loc/text()").get() or "").strip(),
                    "title": entry.xpath("news/title/text()").get(),
                    "label": "Published",
                    "date": entry.xpath("news/publication_date/text()").get(),
                }
            )
            if card:
                card["updated_at"] = parse_datetime(entry.xpath("lastmod/text()").get())
                links.append(card)
        return unique(links, key=lambda link: link["url"])

    def sitemaps(self) -> list[str]:
        """Child sitemaps of a sitemap index."""
        return [loc.strip() for loc in self.selector.xpath("//sitemapindex/sitemap/loc/text()").getall()]
