"""The item schema, defined once. Field docs state each value's exact format (docs/contract.md)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class DawnItem:
    """What every item names: its kind, and the piece it is about."""

    type: str = ""
    """"article" or "teaser"."""
    url: str | None = None
    """Canonical `https://www.dawn.com/news/{id}` of the piece: no slug, query, fragment or `amp/`."""


@dataclass
class ArticleItem(DawnItem):
    """One Dawn article, column or editorial page."""

    type: str = "article"
    article_id: int | None = None
    """The numeric id from the URL."""
    title: str | None = None
    """Headline: whitespace collapsed, soft hyphens and zero-width characters removed, entities decoded."""
    section: str | None = None
    """Middle segment of `<title>` ("Pakistan", "World", "Newspaper", ...) or None."""
    genre: str = "news"
    """"news", "opinion" or "editorial"."""
    authors: list[str] = field(default_factory=list)
    """One name per byline link; [] when there is no byline."""
    published_at: str | None = None
    """ISO 8601 in +05:00 with seconds when the time is known, else `YYYY-MM-DD`."""
    updated_at: str | None = None
    """Same format as published_at, or None."""
    description: str | None = None
    """og/meta description, or None."""
    body: str | None = None
    """Story paragraphs joined by a blank line, without print-edition trailers."""
    images: list[dict] = field(default_factory=list)
    """`{url, caption, credit}` per image, lead image first; caption/credit None when absent."""
    related_editorials: list[dict] = field(default_factory=list)
    """Sidebar Opinion -> Editorial widget: `{url, title, teaser, published_at, updated_at}` in page order."""
    sources: dict[str, str] = field(default_factory=dict)
    """Fields whose value did not come from the article page, and where from: `{"body": "rss"}` when the
    page had no body and the site's RSS copy of the story supplied it. `{}`: every field is the page's."""


@dataclass
class TeaserItem(DawnItem):
    """One teaser card seen on an opinion or editorial index page (`url`: the piece it leads to)."""

    type: str = "teaser"
    title: str | None = None
    """Card headline, cleaned like an article title."""
    teaser: str | None = None
    """The excerpt text, without the timestamp opinion cards put inside it."""
    authors: list[str] = field(default_factory=list)
    """Byline names on the card; [] when there is none."""
    published_at: str | None = None
    """Card date under a "Published" label (or none): ISO with +05:00 when a time is given, else a date."""
    updated_at: str | None = None
    """Card date under an "Updated" label, same format."""
    index_url: str | None = None
    """The index page the card was found on."""


ARTICLE_FIELDS = tuple(ArticleItem.__dataclass_fields__)
"""The article contract's fields, in contract order (docs/contract.md); the store and exports use these."""
TEASER_FIELDS = tuple(TeaserItem.__dataclass_fields__)
FEED_COPY_FIELDS = ("url", "title", "published_at", "description", "body", "images")
"""What an RSS item carries of its article (docs/contract.md, "Feed copies"), by the article's rules."""

GENRES = ("news", "opinion", "editorial")
"""From least to most specific. A piece reached with two genres (an editorial also listed as news) is
the more specific one: this is the only place that rule is written."""
_GENRE_RANK = {genre: rank for rank, genre in enumerate(GENRES)}


def is_stronger_genre(genre: str | None, than: str | None) -> bool:
    """True when `genre` is more specific than `than` (None counts as "news")."""
    return _GENRE_RANK.get(genre or "news", 0) > _GENRE_RANK.get(than or "news", 0)


def stronger_genre(*genres: str | None) -> str:
    """The most specific of these genres; "news" when none is given."""
    strongest = "news"
    for genre in genres:
        if is_stronger_genre(genre, strongest):
            strongest = genre or "news"
    return strongest
