"""Item loaders: wire the processors to each field, once, for every page kind that fills it."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from itemloaders import ItemLoader
from itemloaders.processors import Compose, MapCompose, TakeFirst

from newsbot.items import ArticleItem
from newsbot.processors import (
    canonical_article_url,
    clean_block,
    clean_text,
    more_precise_date,
    parse_dawn_date,
    split_caption_credit,
    strip_trailers,
    unique,
)


def _precise_date(values: list[str]) -> str | None:
    """Dates arrive in source order (markup, meta, JSON-LD): the first, made precise by the rest."""
    return more_precise_date(values[0], *values[1:]) if values else None


def _join_body(blocks: list[str]) -> str | None:
    return "\n\n".join(strip_trailers(blocks)) or None


def normalise_image(raw: dict) -> dict | None:
    """{url, caption (raw text)} -> {url, caption, credit}; None when there is no real image URL."""
    if not raw.get("url"):
        return None
    caption, credit = split_caption_credit(raw.get("caption"))
    return {"url": raw["url"], "caption": caption, "credit": credit}


def normalise_card(raw: dict, extra: tuple[str, ...] = ()) -> dict | None:
    """A listing/widget card {url, title, teaser, authors, label, date} -> the contract's card fields.

    Every card gives url, title, published_at and updated_at; `extra` names which of teaser and
    authors this kind of card also carries.

    `label` is the card's "Published"/"Updated" text; it decides which date field the card's date fills.
    """
    url = canonical_article_url(raw.get("url"))
    if url is None:
        return None
    when = parse_dawn_date(raw.get("date"))
    updated = (clean_text(raw.get("label")) or "").lower().startswith("updated")
    card: dict[str, Any] = {
        "url": url,
        "title": clean_text(raw.get("title")),
        "published_at": None if updated else when,
        "updated_at": when if updated else None,
    }
    if "teaser" in extra:
        card["teaser"] = clean_text(raw.get("teaser"))
    if "authors" in extra:
        card["authors"] = unique(map(clean_text, raw.get("authors") or []))
    return card


def _unique_urls(values: Iterable[dict | None]) -> list[dict]:
    return unique(values, key=lambda value: value["url"])


def card_links(raw_cards: Iterable[dict]) -> list[dict]:
    """The cards of a listing or feed as the links a spider follows: normalised, one per article URL."""
    return _unique_urls(normalise_card(raw) for raw in raw_cards)


class ArticleLoader(ItemLoader):
    default_item_class = ArticleItem
    default_output_processor = TakeFirst()

    url_in = MapCompose(canonical_article_url)
    title_in = MapCompose(clean_text)
    section_in = MapCompose(clean_text)
    description_in = MapCompose(clean_text)
    authors_in = MapCompose(clean_text)
    authors_out = Compose(unique)
    published_at_in = MapCompose(parse_dawn_date)
    published_at_out = Compose(_precise_date)
    updated_at_in = MapCompose(parse_dawn_date)
    updated_at_out = Compose(_precise_date)
    body_in = MapCompose(clean_block)
    body_out = Compose(_join_body)
    images_in = MapCompose(normalise_image)
    images_out = Compose(_unique_urls)
    related_editorials_in = MapCompose(partial(normalise_card, extra=("teaser",)))
    related_editorials_out = Compose(_unique_urls)
