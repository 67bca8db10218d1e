"""The Google News sitemap (`/feeds/sitemap`) and plain sitemaps: `loc`, `lastmod`, news fields.

Read as a stream (lxml iterparse, entities unresolved, broken XML recovered), each `<url>` discarded
once read, so a sitemap of 100,000 URLs costs no more memory than its links. `read(limit)` keeps the
`limit` newest links (by lastmod, else publication date) and hands the rest back as overflow.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from lxml import etree
from scrapy.http import Response

from newsbot.loaders import normalise_card
from newsbot.pages.common import PageError, is_empty_body
from newsbot.processors import parse_datetime


@dataclass
class SitemapRead:
    links: list[dict] = field(default_factory=list)
    """The links kept, one per article URL, in document order."""
    overflow: list[tuple[str, str, str | None]] = field(default_factory=list)
    """Links over the limit (the oldest), as (url, when, lastmod) — compact: a sitemap may hold 100,000.
    `when` is what ranked them: lastmod, else the publication date."""
    sitemaps: list[str] = field(default_factory=list)
    """Child sitemaps of a sitemap index."""


def _local(tag: object) -> str:
    """An element's name without its namespace ("" for comments and processing instructions)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _texts(element: Any) -> dict[str, str]:
    """The first text of each descendant by local name (loc, lastmod, publication_date, title)."""
    texts: dict[str, str] = {}
    for child in element.iter():
        name = _local(child.tag)
        if name and name not in texts and child.text:
            texts[name] = child.text
    return texts


class SitemapPage:
    def __init__(self, response: Response):
        if is_empty_body(response.body):
            raise PageError("empty_response")
        self.response = response

    def _elements(self) -> Iterator[tuple[str, dict[str, str]]]:
        """("url" | "sitemap", texts) per entry, in document order, each element freed once read."""
        events = etree.iterparse(
            BytesIO(self.response.body),
            events=("start", "end"),
            recover=True,
            resolve_entities=False,
            no_network=True,
            huge_tree=False,
        )
        root_seen = False
        try:
            for event, element in events:
                if not root_seen:
                    root_seen = True
                    if _local(element.tag) not in ("urlset", "sitemapindex"):
                        raise PageError("not_a_sitemap", "no <urlset> or <sitemapindex> document element")
                if event != "end" or _local(element.tag) not in ("url", "sitemap"):
                    continue
                yield _local(element.tag), _texts(element)
                element.clear()
                parent = element.getparent()
                while parent is not None and element.getprevious() is not None:
                    del parent[0]
        except etree.XMLSyntaxError as error:
            if not root_seen:
                raise PageError("not_a_sitemap", str(error)) from None
        if not root_seen:
            raise PageError("not_a_sitemap", "no XML document element")

    def read(self, limit: int | None = None) -> SitemapRead:
        """Every entry, or with `limit` the newest `limit` links plus the rest as overflow."""
        result = SitemapRead()
        kept: list[tuple[str, int, dict]] = []  # a min-heap on (when, position): the oldest on top
        seen: set[str] = set()  # canonical URLs (sys.intern'd by no one: kept only while reading)
        for position, (kind, texts) in enumerate(self._elements()):
            if kind == "sitemap":
                if (texts.get("loc") or "").strip():
                    result.sitemaps.append(texts["loc"].strip())
                continue
            link = self._link(texts)
            if link is None or link["url"] in seen:
                continue
            seen.add(link["url"])
            entry = (link["updated_at"] or link["published_at"] or "", position, link)
            if limit is None or len(kept) < limit:
                heapq.heappush(kept, entry)
            else:
                when, _, oldest = heapq.heappushpop(kept, entry)
                result.overflow.append((oldest["url"], when, oldest["updated_at"]))
        result.links = [link for _, _, link in sorted(kept, key=lambda entry: entry[1])]
        return result

    @staticmethod
    def _link(texts: dict[str, str]) -> dict | None:
        card = normalise_card(
            {
                "url": (texts.get("loc") or "").strip(),
                "title": texts.get("title"),
                "label": "Published",
                "date": texts.get("publication_date"),
            }
        )
        if card:
            card["updated_at"] = parse_datetime(texts.get("lastmod"))
        return card

    def links(self) -> list[dict]:
        return self.read().links

    def sitemaps(self) -> list[str]:
        """Child sitemaps of a sitemap index."""
        return self.read().sitemaps
