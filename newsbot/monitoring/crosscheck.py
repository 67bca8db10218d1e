"""Page against feed: does an article page say what the site's own RSS copy of the story says?

Pure: plain values in, plain values out (no Scrapy, no store, no clock).

Dawn's RSS items carry each recent story a second time: headline, publish time, body HTML and figures.
Both copies are read by the same rules (newsbot.pages.story, newsbot.loaders), so where they differ the
page object has most likely drifted from the site's markup: a selector that lost its element, or one that
still matches but picks the wrong block. Agreement per field is counted for every article that has a
feed copy; a field the page lacks and the feed has counts as a disagreement, and is then filled from
the feed (`repair`), with the item's `sources` saying so.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import dataclass

from newsbot.config import AGREEMENT_FIELDS

COMPARED_FIELDS = AGREEMENT_FIELDS
REPAIRED_FIELDS = ("title", "published_at", "description", "body", "images")
"""What the feed copy may supply when the page has no value for it."""
REQUIRED_FIELDS = ("title", "published_at")
"""Without these an article is not stored; the feed supplies them only when its copy is complete."""
COMPLETE_COPY = ("title", "published_at", "body")
BODY_MIN_F1 = 0.9
"""A body agrees when the token-overlap F1 of page and feed texts reaches this. Both are the story's
paragraphs by the same rules, so a drifted selector scores far lower (a teaser list: below 0.2)."""
SOURCE = "rss"

_TOKENS = re.compile(r"\w+")
_TYPOGRAPHY = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
    }
)


@dataclass(frozen=True)
class Comparison:
    field: str
    agreed: bool
    detail: str
    """What differs, for the log line: both values (shortened), or the F1 and word counts."""


def normalise(text: str | None) -> str:
    """Text as compared: Unicode NFKC, typographic quotes and dashes as ASCII, case and spacing folded."""
    folded = unicodedata.normalize("NFKC", text or "").translate(_TYPOGRAPHY).casefold()
    return " ".join(folded.split())


def tokens(text: str | None) -> Counter:
    return Counter(_TOKENS.findall(normalise(text)))


def token_f1(page: str | None, feed: str | None) -> float:
    """The F1 of the two texts' word multisets (1.0 when both are empty)."""
    return counts_f1(tokens(page), tokens(feed))


def counts_f1(a: Counter, b: Counter) -> float:
    if not a and not b:
        return 1.0
    common = sum((a & b).values())
    if not common:
        return 0.0
    precision, recall = common / sum(a.values()), common / sum(b.values())
    return 2 * precision * recall / (precision + recall)


def same_time(page: str | None, feed: str | None) -> bool:
    """Two contract dates at the precision both carry: the minute when both have a time, else the day."""
    if not page or not feed:
        return False
    precision = 16 if "T" in page and "T" in feed else 10
    return page[:precision] == feed[:precision]


def image_texts(images: Iterable[Mapping] | None, key: str) -> set[str]:
    """The set of images' captions (or credits), normalised; images without one add nothing."""
    return {normalise(image.get(key)) for image in images or () if image.get(key)}


def _short(value: object, width: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def compare(page: Mapping, feed: Mapping) -> list[Comparison]:
    """Each field the feed copy carries, compared with the page's value (a page without it disagrees).

    title: equal after `normalise`; published_at: `same_time`; body: token F1 >= BODY_MIN_F1;
    image_captions / image_credits: equal sets, compared when the feed copy has at least one.
    """
    results = []
    if feed.get("title"):
        agreed = normalise(page.get("title")) == normalise(feed["title"])
        results.append(
            Comparison("title", agreed, f"page {_short(page.get('title'))} vs feed {_short(feed['title'])}")
        )
    if feed.get("published_at"):
        agreed = same_time(page.get("published_at"), feed["published_at"])
        detail = f"page {page.get('published_at')} vs feed {feed['published_at']}"
        results.append(Comparison("published_at", agreed, detail))
    if feed.get("body"):
        words = tokens(page.get("body")), tokens(feed["body"])
        f1 = counts_f1(*words)
        detail = f"token F1 {f1:.2f} (page {words[0].total()} words, feed {words[1].total()} words)"
        results.append(Comparison("body", f1 >= BODY_MIN_F1, detail))
    for name, key in (("image_captions", "caption"), ("image_credits", "credit")):
        wanted = image_texts(feed.get("images"), key)
        if wanted:
            got = image_texts(page.get("images"), key)
            detail = f"page {_short(sorted(got))} vs feed {_short(sorted(wanted))}"
            results.append(Comparison(name, got == wanted, detail))
    return results


def repair(item: MutableMapping, feed: Mapping) -> list[str]:
    """Fill the fields the page left empty from the feed copy, and name them in `item["sources"]`.

    A page value always wins when both exist. Title and publish time, without which the article
    would be dropped, are taken only from a complete copy (title, publish time and body). Returns the
    names of the fields filled.
    """
    complete = all(feed.get(name) for name in COMPLETE_COPY)
    filled = []
    for name in REPAIRED_FIELDS:
        if item.get(name) or not feed.get(name) or (name in REQUIRED_FIELDS and not complete):
            continue
        value = feed[name]
        item[name] = [dict(image) for image in value] if name == "images" else value
        filled.append(name)
    if filled:
        item["sources"] = {**(item.get("sources") or {}), **dict.fromkeys(filled, SOURCE)}
    return filled


def run_record(stats: Mapping) -> dict:
    """The run's cross-check figures from its stats (crawl_runs.crosscheck)."""

    def count(key: str) -> int:
        return stats.get(f"newsbot/crosscheck/{key}", 0)

    return {
        "articles": count("articles"),
        "no_copy": count("no_copy"),
        "fields": {
            name: {"compared": count(f"compared/{name}"), "agreed": count(f"agreed/{name}")}
            for name in COMPARED_FIELDS
            if count(f"compared/{name}")
        },
        "repaired": {
            name: count(f"repaired/{name}") for name in REPAIRED_FIELDS if count(f"repaired/{name}")
        },
        "rescued": count("rescued"),
    }
