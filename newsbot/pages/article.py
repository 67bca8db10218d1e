"""The article page object: one Dawn article/column/editorial page -> one ArticleItem."""

from __future__ import annotations

from parsel import Selector
from scrapy.http import Response, TextResponse

from newsbot.items import GENRE_RANK, ArticleItem
from newsbot.loaders import ArticleLoader
from newsbot.pages.cards import CARD, read_byline, read_card, read_time
from newsbot.pages.common import (
    PageError,
    failure_page_reason,
    has_class,
    jsonld_article,
    jsonld_names,
    meta_content,
    page_selector,
    text_of,
)
from newsbot.processors import absolute_url, canonical_article_url, split_page_title

OUTSIDE_ASIDE = "not(ancestor::aside)"
BODY_BLOCKS = "p|h1|h2|h3|h4|h5|h6|blockquote[not(" + has_class("twitter-tweet") + ")]/p"
SITE_DEFAULT_IMAGE = "/_img/"
HEADINGS = "//h1|//h2|//h3|//h4|//h5|//h6"  # a union of names: cheaper than self::h1 or ... per node


def check_response(response: Response) -> None:
    """Raise PageError for responses that cannot hold an article: non-HTML, empty, bot challenges."""
    if (
        not isinstance(response, TextResponse)
        or b"html" not in (response.headers.get(b"Content-Type") or b"text/html").lower()
    ):
        raise PageError("not_html", (response.headers.get(b"Content-Type") or b"").decode("latin-1"))
    reason = failure_page_reason(response)
    if reason:
        raise PageError(reason)


class ArticlePage:
    """Extracts an article item. Site markup first, then og:/meta tags, then JSON-LD.

    `genre_hint` is what the spider knows from where it found the link ("opinion", "editorial");
    the page's own evidence (an "Editorial" byline) can only make the genre more specific.
    """

    def __init__(self, response: Response, genre_hint: str | None = None):
        check_response(response)
        self.response = response
        self.selector: Selector = page_selector(response)
        self.genre_hint = genre_hint
        self.root = self._story_root()
        self.header = self.root.xpath(f".//*[{has_class('template__header')}]")[:1] or self.root
        self.ld = jsonld_article(self.selector)

    def _story_root(self) -> Selector:
        stories = self.selector.xpath(
            f"//article[{has_class('story')}][.//*[{has_class('story__content')}]][{OUTSIDE_ASIDE}]"
        )
        if stories:
            return stories[0]
        body = self.selector.xpath("//body")
        if not body:
            raise PageError("no_body", "the page has no <body> (cut off or not an article page)")
        return body[0]

    def item(self) -> ArticleItem:
        loader = ArticleLoader(selector=self.selector)
        url = self._url()
        loader.add_value("url", url)
        loader.add_value("article_id", int(url.rsplit("/", 1)[1]))
        page_title, section = split_page_title(self.selector.xpath("/html/head/title/text()").get())
        loader.add_value("title", text_of(self._headline()))
        loader.add_value("title", meta_content(self.selector, "og:title", "title", "twitter:title"))
        loader.add_value("title", self.ld.get("headline"))
        loader.add_value("title", page_title)
        loader.add_value("section", section)
        authors = self._byline()
        loader.add_value("authors", authors or jsonld_names(self.ld.get("author")))
        self._add_dates(loader)
        loader.add_value("description", meta_content(self.selector, "og:description", "description"))
        loader.add_value("description", self.ld.get("description"))
        loader.add_value("body", self._body_blocks())
        loader.add_value("images", self._images())
        loader.add_value("related_editorials", self._related_editorials())
        item = loader.load_item()
        item.genre = self._genre(item.authors)
        return item

    # --- fields --------------------------------------------------------------------------------

    def _url(self) -> str:
        for candidate in (
            self.response.url,
            self.selector.xpath("/html/head/link[@rel='canonical']/@href").get(),
            meta_content(self.selector, "og:url"),
        ):
            url = canonical_article_url(candidate, base=self.response.url)
            if url:
                return url
        raise PageError("not_an_article_url", self.response.url)

    def _headline(self):
        title = self.header.xpath(f".//*[{has_class('story__title')}][{OUTSIDE_ASIDE}]")[:1]
        return title.xpath(f".//a[{has_class('story__link')}]")[:1] or title or None

    def _byline(self) -> list[str]:
        return read_byline(self.header.xpath(f".//span[{has_class('story__byline')}][{OUTSIDE_ASIDE}]")[:1])

    def _add_dates(self, loader: ArticleLoader) -> None:
        time_box = self.header.xpath(f".//span[{has_class('story__time')}][{OUTSIDE_ASIDE}]")[:1]
        for stamp in read_time(time_box or None):
            label = (stamp["label"] or "").strip().lower()
            loader.add_value("updated_at" if label.startswith("updated") else "published_at", stamp["date"])
        loader.add_value("published_at", meta_content(self.selector, "article:published_time"))
        loader.add_value("published_at", self.ld.get("datePublished"))
        loader.add_value("updated_at", meta_content(self.selector, "article:modified_time"))
        loader.add_value("updated_at", self.ld.get("dateModified"))

    def _body_blocks(self) -> list[str]:
        content = self.root.xpath(f".//div[{has_class('story__content')}][{OUTSIDE_ASIDE}]")[:1]
        blocks = []
        for block in content.xpath(BODY_BLOCKS):
            parts = []
            for node in block.xpath(".//text()[not(ancestor::script or ancestor::style)] | .//br"):
                parts.append(node.get() if isinstance(node.root, str) else "\n")
            blocks.append("".join(parts))
        return blocks

    def _images(self) -> list[dict]:
        figures = self.root.xpath(
            f".//figure[{has_class('media')}][{OUTSIDE_ASIDE}]"
            f"[not(ancestor::*[{has_class('story__content')}])]"
            f" | .//div[{has_class('story__content')}]//figure[{has_class('media')}]"
        )
        images = [image for image in map(self._figure_image, figures) if image]
        if not images:
            og_image = absolute_url(meta_content(self.selector, "og:image"), self.response.url)
            if og_image and SITE_DEFAULT_IMAGE not in og_image:
                images.append({"url": og_image, "caption": None})
        return images

    def _figure_image(self, figure: Selector) -> dict | None:
        classes = f" {figure.attrib.get('class', '')} "
        img = figure.xpath(".//img")[:1]
        if " media--embed " in classes or " media--tweet " in classes or not img:
            return None
        url = (
            absolute_url(img.attrib.get("data-src"), self.response.url)
            or absolute_url(img.attrib.get("src"), self.response.url)
            or absolute_url(figure.attrib.get("data-original-src"), self.response.url)
        )
        captions = [text_of(caption) for caption in figure.xpath(".//figcaption")]
        captions = list(dict.fromkeys(" ".join(c.split()) for c in captions if c and c.strip()))
        caption = " ".join(captions) if captions else img.attrib.get("alt")
        return {"url": url, "caption": caption}

    def _related_editorials(self) -> list[dict]:
        """Cards of the widget box under an "Editorial" heading (outside the story itself).

        The box is the heading's nearest ancestor holding cards; within it, a card belongs to the widget
        while "Editorial" is the last heading before it (a later heading starts another widget).
        """
        heading = self.selector.xpath(
            f"({HEADINGS})[normalize-space(.)='Editorial'][not(ancestor::article)]"
        )[:1]
        if not heading:
            return []
        target, owner, cards = heading[0].root, None, []
        box = heading.xpath(f"ancestor::*[.//{CARD}][1]")
        # One walk of the box in document order, remembering the last heading seen.
        box_headings = "|".join(f".{step}[not(ancestor::article)]" for step in HEADINGS.split("|"))
        for node in box.xpath(f"{box_headings} | .//{CARD}"):
            if node.root.tag == "article":
                if owner is target:
                    cards.append(read_card(node, self.response.url))
            else:
                owner = node.root
        return cards

    def _genre(self, authors: list[str]) -> str:
        genres = ["news", self.genre_hint or "news"]
        if any(name.strip().lower() == "editorial" for name in authors):
            genres.append("editorial")
        return max(genres, key=GENRE_RANK.__getitem__)
