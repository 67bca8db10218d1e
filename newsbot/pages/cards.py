"""The card component every Dawn listing uses (`article.story` with title, excerpt and time)."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser, LexborNode

from newsbot.pages.common import ancestors, has_class, text_of
from newsbot.processors import join_url, parse_shown_day

CARD = "article.story"


def read_time(time_box: LexborNode | None) -> list[dict]:
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
    for span in time_box.css("span"):  # the box itself first when it is a span, then in page order
        classes = f" {span.attributes.get('class') or ''} "
        if " timestamp--label " in classes:
            current = {"label": text_of(span), "iso": None, "date": None, "clock": None}
            groups.append(current)
            continue
        if current is None:
            current = {"label": None, "iso": None, "date": None, "clock": None}
            groups.append(current)
        if " timestamp--time " in classes and span.attributes.get("title"):
            current["iso"] = current["iso"] or span.attributes["title"]
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


def read_byline(byline: LexborNode | None) -> list[str]:
    """Names in a `span.story__byline`: one per link; the plain text when it has no links (e.g. "AFP")."""
    if byline is None:
        return []
    names = [name for name in (text_of(link) for link in byline.css("a")) if name and name.strip()]
    if names:
        return names
    plain = text_of(byline)
    return [plain] if plain and plain.strip() else []


def read_byline_links(byline: LexborNode | None, base_url: str) -> list[tuple[str, str]]:
    """(name, absolute URL) of each byline link that leads somewhere (an author page, usually)."""
    if byline is None:
        return []
    links = []
    for link in byline.css("a[href]"):
        name, url = text_of(link), join_url(base_url, (link.attributes["href"] or "").strip())
        if name and name.strip() and url:
            links.append((" ".join(name.split()), url))
    return links


def shown_day(tree: LexborHTMLParser) -> str | None:
    """The day a listing or index page says it shows: its date picker's text ("Thursday, June 19, 2025"
    on the real /latest-news), as YYYY-MM-DD; None when the page has none."""
    picker = tree.css_first("input#datepicker[placeholder]")
    return parse_shown_day(picker.attributes.get("placeholder")) if picker is not None else None


def read_card(card: LexborNode, base_url: str) -> dict:
    """A raw card: {url, title, teaser, authors, label, date, author_pages}; uncleaned text for the
    loaders, and the (name, URL) of its byline links."""
    link = card.css_first(".story__title a[href]")
    if link is None:
        link = card.css_first("a[href]")
    times = read_time(card.css_first("span.story__time"))
    first = times[0] if times else {"label": None, "date": None}
    excerpt = card.css_first(".story__excerpt")
    byline = card.css_first("span.story__byline")
    return {
        "url": join_url(base_url, (link.attributes["href"] or "").strip()) if link is not None else None,
        "title": text_of(link),
        "teaser": text_of(excerpt, skip_class="story__time"),
        "authors": read_byline(byline),
        "label": first["label"],
        "date": first["date"],
        "author_pages": read_byline_links(byline, base_url),
    }


def in_sponsored_block(card: LexborNode) -> bool:
    """True for a card inside a slideshow that directly follows the Sponsored heading (h2#sponsored).

    The Sponsored block's cards look like any other: only their position tells them apart.
    """
    for parent in ancestors(card):
        if parent.tag == "div" and has_class(parent, "slideshow"):
            before = parent.prev
            while before is not None and not before.is_element_node:
                before = before.prev
            if before is not None and before.css_first("#sponsored") is not None:
                return True
    return False
