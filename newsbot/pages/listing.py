"""Listing pages (`/latest-news`, `/latest-news/YYYY-MM-DD`): the story cards of the main column."""

from __future__ import annotations

from dataclasses import dataclass

from scrapy.http import Response
from selectolax.lexbor import LexborHTMLParser, LexborNode

from newsbot.loaders import card_links
from newsbot.pages.cards import CARD, in_sponsored_block, read_card, shown_day
from newsbot.pages.common import page_tree

MAIN_CARDS = f"{CARD}:not(aside *):not(header *):not(footer *)"


def main_cards(tree: LexborHTMLParser) -> list[LexborNode]:
    """The cards of the main column: not the aside, header or footer, not the Sponsored block."""
    return [card for card in tree.css(MAIN_CARDS) if not in_sponsored_block(card)]


@dataclass(frozen=True)
class Listing:
    links: list[dict]
    """The cards as links {url, title, published_at, updated_at}, one per article URL."""
    day: str | None
    """The day the page says it shows (its date picker), YYYY-MM-DD, or None."""


class ListingPage:
    """Every tab pane in order, repeated stories collapsed, Sponsored block and aside widgets skipped."""

    def __init__(self, response: Response):
        self.response = response

    def links(self) -> list[dict]:
        return self.read().links

    def read(self) -> Listing:
        tree = page_tree(self.response)
        panes = tree.css("div.tabs__pane:not(aside *)")
        if panes:
            cards = [card for pane in panes for card in pane.css(CARD) if not in_sponsored_block(card)]
        else:
            cards = main_cards(tree)
        links = card_links(read_card(card, self.response.url) for card in cards)
        return Listing(links, shown_day(tree))
