"""Listing pages (`/latest-news`, `/latest-news/YYYY-MM-DD`): the story cards of the main column."""

from __future__ import annotations

from scrapy.http import Response

from newsbot.loaders import CardListLoader
from newsbot.pages.cards import CARD, read_card
from newsbot.pages.common import has_class, page_selector

# The Sponsored block is a heading (h2#sponsored) followed by a slideshow of ordinary-looking cards:
# only its position tells it apart, so cards inside a slideshow right after that heading are skipped.
IN_SPONSORED_BLOCK = (
    f"ancestor::div[{has_class('slideshow')}]"
    "[preceding-sibling::*[1][descendant-or-self::*[@id='sponsored']]]"
)
MAIN_CARDS = f"//{CARD}[not(ancestor::aside)][not(ancestor::header)][not(ancestor::footer)]"


def main_cards(selector):
    """The cards of the main column: not the aside, header or footer, not the Sponsored block."""
    return selector.xpath(f"{MAIN_CARDS}[not({IN_SPONSORED_BLOCK})]")


class ListingPage:
    """Every tab pane in order, repeated stories collapsed, Sponsored block and aside widgets skipped."""

    def __init__(self, response: Response):
        self.response = response

    def links(self) -> list[dict]:
        selector = page_selector(self.response)
        panes = selector.xpath(f"//div[{has_class('tabs__pane')}][not(ancestor::aside)]")
        if panes:
            cards = panes.xpath(f".//{CARD}[not({IN_SPONSORED_BLOCK})]")
        else:
            cards = main_cards(selector)
        loader = CardListLoader()
        for card in cards:
            loader.add_value("links", read_card(card, self.response.url))
        return loader.load_item().get("links", [])
