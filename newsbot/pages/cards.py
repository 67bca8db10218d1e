"""The card component every Dawn listing uses (`article.story` with title, excerpt and time)."""

from __future__ import annotations

from urllib.parse import urljoin

from parsel import Selector, SelectorList

from newsbot.pages.common import has_class, text_of

CARD = f"article[{has_class('story')}]"


def read_time(time_box: Selector | None) -> list[dict]:
    """The labelled timestamps of a `span.story__time` (or any box holding timestamp spans).

    Returns [{label, date}] in page order, where `date` is the most precise text found for that label:
    the ISO `timeago@title` when present, else the shown date plus its clock time ("19 Jun, 2025 04:30pm").
    Timestamp parts seen before any label belong to an unlabelled ("Published") group. Dawn nests these
    spans in several ways, so they are read as one flat sequence rather than by position.
    """
    if time_box is None:
        return []
    groups: list[dict] = []
    current: dict | None = None
    for span in time_box.xpath("descendant-or-self::span"):
        classes = f" {span.attrib.get('class', '')} "
        if " timestamp--label " in classes:
            current = {"label": text_of(span), "iso": None, "date": None, "clock": None}
            groups.append(current)
            continue
        if current is None:
            current = {"label": None, "iso": None, "date": None, "clock": None}
            groups.append(current)
        if " timestamp--time " in classes and span.attrib.get("title"):
            current["iso"] = current["iso"] or span.attrib["title"]
        elif " timestamp--date " in classes or " timestamp__calendar " in classes:
            current["date"] = current["date"] or text_of(span)
        elif " timestamp__time " in classes:
            current["clock"] = current["clock"] or text_of(span)
    results = []
    for group in groups:
        shown = " ".join(part for part in (group["date"], group["clock"]) if part)
        date = group["iso"] or shown or None
        if date:
            results.append({"label": group["label"], "date": date})
    return results


def read_byline(byline: SelectorList) -> list[str]:
    """Names in a `span.story__byline`: one per link; the plain text when it has no links (e.g. "AFP")."""
    if not byline:
        return []
    names = [name for name in (text_of(link) for link in byline.xpath(".//a")) if name and name.strip()]
    if names:
        return names
    plain = text_of(byline)
    return [plain] if plain and plain.strip() else []


def read_card(card: Selector, base_url: str) -> dict:
    """A raw card: {url, title, teaser, authors, label, date}; uncleaned text for the loaders."""
    link = card.xpath(f".//*[{has_class('story__title')}]//a[@href]")
    if not link:
        link = card.xpath(".//a[@href]")
    link = link[:1]
    times = read_time(card.xpath(f".//span[{has_class('story__time')}]")[:1] or None)
    first = times[0] if times else {"label": None, "date": None}
    excerpt = card.xpath(f".//*[{has_class('story__excerpt')}]")[:1]
    return {
        "url": urljoin(base_url, link.attrib["href"].strip()) if link else None,
        "title": text_of(link) if link else None,
        "teaser": text_of(excerpt, skip_class="story__time") if excerpt else None,
        "authors": read_byline(card.xpath(f".//span[{has_class('story__byline')}]")[:1]),
        "label": first["label"],
        "date": first["date"],
    }
