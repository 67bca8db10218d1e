"""Opinion and editorial index pages (`/opinion`, `/newspaper/editorial[/YYYY-MM-DD]`, `/authors/...`).

One teaser per card of the main column (the aside repeats unrelated stories), and the numbered pages
of `ul.pagination`. Cards that cannot give a teaser are reported, not guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from scrapy.http import Response

from newsbot.items import TeaserItem
from newsbot.loaders import normalise_card
from newsbot.pages.cards import read_card, shown_day
from newsbot.pages.common import page_tree, text_of
from newsbot.pages.listing import main_cards
from newsbot.processors import join_url


@dataclass
class IndexResult:
    teasers: list[TeaserItem] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)
    """(reason, detail) for each card that gave no teaser or lost a value."""
    pages: list[tuple[int, str]] = field(default_factory=list)
    """(page number, URL) of the numbered pages this index links to."""
    day: str | None = None
    """The day the page says it shows (the date picker of an editorial list), YYYY-MM-DD, or None."""
    bylines: list[tuple[str, str]] = field(default_factory=list)
    """(name, URL) of the byline links of the cards, in page order, each once."""


class OpinionIndexPage:
    def __init__(self, response: Response):
        self.response = response

    def read(self) -> IndexResult:
        result = IndexResult()
        seen: set[str] = set()
        tree = page_tree(self.response)
        for number, card in enumerate(main_cards(tree), start=1):
            raw = read_card(card, self.response.url)
            result.bylines.extend(link for link in raw["author_pages"] if link not in result.bylines)
            normalised = normalise_card(raw, extra=("teaser", "authors"))
            if normalised is None:
                result.rejected.append(("teaser_no_link", f"card {number}: {raw.get('url') or 'no link'}"))
                continue
            if normalised["url"] in seen:
                continue
            seen.add(normalised["url"])
            if raw.get("date") and not (normalised["published_at"] or normalised["updated_at"]):
                result.rejected.append(("teaser_bad_date", f"{normalised['url']}: {raw['date']!r}"))
            result.teasers.append(TeaserItem(**normalised, index_url=self.response.url))
        result.pages = self._pages(tree)
        result.day = shown_day(tree)
        return result

    def _pages(self, tree) -> list[tuple[int, str]]:
        pages: dict[int, str] = {}
        for link in tree.css("ul.pagination li a[href]"):
            label = (text_of(link) or "").strip()
            if label.isdecimal():  # what int() reads; isdigit() also passes "²", which int() refuses
                url = join_url(self.response.url, (link.attributes["href"] or "").strip())
                if url:
                    pages.setdefault(int(label), url)
        return sorted(pages.items())
