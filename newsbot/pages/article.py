"""The article page object: one Dawn article/column/editorial page -> one ArticleItem."""

from __future__ import annotations

from scrapy.http import Response, TextResponse
from selectolax.lexbor import LexborNode

from newsbot.items import ArticleItem, stronger_genre
from newsbot.loaders import ArticleLoader
from newsbot.pages.cards import CARD, read_byline, read_card, read_time
from newsbot.pages.common import (
    PageError,
    ancestors,
    failure_page_reason,
    has_class,
    head_meta,
    inside,
    jsonld_article,
    jsonld_names,
    meta_content,
    page_tree,
    same_node,
    text_of,
)
from newsbot.pages.story import figure_image, story_blocks
from newsbot.processors import absolute_url, canonical_article_url, split_page_title

NOT_IN_ASIDE = ":not(aside *)"
HEADINGS = "h1, h2, h3, h4, h5, h6"
SITE_DEFAULT_IMAGE = "/_img/"


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
        self.tree = page_tree(response)
        self.genre_hint = genre_hint
        self.root = self._story_root()
        header = self.root.css_first(".template__header")
        self.header = self.root if header is None else header
        self.meta = head_meta(self.tree)
        self.ld = jsonld_article(self.tree)

    def _story_root(self) -> LexborNode:
        story = self.tree.css_first(f"article.story:has(.story__content){NOT_IN_ASIDE}")
        if story is not None:
            return story
        body = self.tree.body
        if body is None or body.child is None:
            raise PageError("no_body", "the page has no <body> content (cut off or not an article page)")
        return body

    def item(self) -> ArticleItem:
        loader = ArticleLoader()
        url = self._url()
        loader.add_value("url", url)
        loader.add_value("article_id", int(url.rsplit("/", 1)[1]))
        page_title, section = split_page_title(self._head_text("title"))
        loader.add_value("title", text_of(self._headline()))
        loader.add_value("title", meta_content(self.meta, "og:title", "title", "twitter:title"))
        loader.add_value("title", self._ld_text("headline"))
        loader.add_value("title", page_title)
        loader.add_value("section", section)
        authors = self._byline()
        loader.add_value("authors", authors or jsonld_names(self.ld.get("author")))
        self._add_dates(loader)
        loader.add_value("description", meta_content(self.meta, "og:description", "description"))
        loader.add_value("description", self._ld_text("description"))
        loader.add_value("body", self._body_blocks())
        loader.add_value("images", self._images())
        loader.add_value("related_editorials", self._related_editorials())
        item = loader.load_item()
        item.genre = self._genre(item.authors)
        return item

    # --- fields --------------------------------------------------------------------------------

    def _ld_text(self, key: str) -> str | None:
        """A JSON-LD value that is text; anything else (an object, a list, a number) is ignored."""
        value = self.ld.get(key)
        return value if isinstance(value, str) else None

    def _head_text(self, tag: str) -> str | None:
        node = self.tree.head.css_first(tag) if self.tree.head is not None else None
        return text_of(node)

    def _url(self) -> str:
        canonical = self.tree.css_first('head link[rel="canonical"][href]')
        for candidate in (
            self.response.url,
            canonical.attributes["href"] if canonical is not None else None,
            meta_content(self.meta, "og:url"),
        ):
            url = canonical_article_url(candidate, base=self.response.url)
            if url:
                return url
        raise PageError("not_an_article_url", self.response.url)

    def _headline(self) -> LexborNode | None:
        title = self.header.css_first(f".story__title{NOT_IN_ASIDE}")
        if title is None:
            return None
        link = title.css_first("a.story__link")
        return title if link is None else link

    def _byline(self) -> list[str]:
        return read_byline(self.header.css_first(f"span.story__byline{NOT_IN_ASIDE}"))

    def _add_dates(self, loader: ArticleLoader) -> None:
        for stamp in read_time(self.header.css_first(f"span.story__time{NOT_IN_ASIDE}")):
            label = (stamp["label"] or "").strip().lower()
            loader.add_value("updated_at" if label.startswith("updated") else "published_at", stamp["date"])
        loader.add_value("published_at", meta_content(self.meta, "article:published_time"))
        loader.add_value("published_at", self._ld_text("datePublished"))
        loader.add_value("updated_at", meta_content(self.meta, "article:modified_time"))
        loader.add_value("updated_at", self._ld_text("dateModified"))

    def _body_blocks(self) -> list[str]:
        return story_blocks(self.root.css_first(f"div.story__content{NOT_IN_ASIDE}"))

    def _images(self) -> list[dict]:
        images = [image for figure in self._figures() if (image := figure_image(figure, self.response.url))]
        if not images:
            og_image = absolute_url(meta_content(self.meta, "og:image"), self.response.url)
            if og_image and SITE_DEFAULT_IMAGE not in og_image:
                images.append({"url": og_image, "caption": None})
        return images

    def _figures(self) -> list[LexborNode]:
        """`figure.media` of the story: those in a `div.story__content`, and those outside any content
        block and any aside (the lead image in the header)."""
        figures = []
        for figure in self.root.css("figure.media"):
            in_content = in_content_div = in_aside = False
            below_root = True
            for parent in ancestors(figure):
                below_root = below_root and not same_node(parent, self.root)
                if parent.is_element_node and has_class(parent, "story__content"):
                    in_content = True
                    in_content_div = in_content_div or (below_root and parent.tag == "div")
                in_aside = in_aside or parent.tag == "aside"
            if in_content_div or not (in_content or in_aside):
                figures.append(figure)
        return figures

    def _related_editorials(self) -> list[dict]:
        """Cards of the widget box under an "Editorial" heading (outside the story itself).

        The box is the heading's nearest ancestor holding cards; within it, a card belongs to the widget
        while "Editorial" is the last heading before it (a later heading starts another widget).
        """
        heading = next(
            (
                node
                for node in self.tree.css(HEADINGS)
                if " ".join(node.text().split()) == "Editorial" and not inside(node, "article")
            ),
            None,
        )
        if heading is None:
            return []
        box = heading.parent
        while box is not None and box.css_first(CARD) is None:
            box = box.parent
        if box is None:
            return []
        # One walk of the box in document order, remembering the last heading seen.
        owner, cards = None, []
        for node in box.css(f"{HEADINGS}, {CARD}"):
            if node.tag == "article":
                if same_node(owner, heading):
                    cards.append(read_card(node, self.response.url))
            elif not inside(node, "article"):
                owner = node
        return cards

    def _genre(self, authors: list[str]) -> str:
        byline = "editorial" if any(name.strip().lower() == "editorial" for name in authors) else None
        return stronger_genre(self.genre_hint, byline)
