"""The story itself, wherever it is printed: its text blocks and its figures.

One reading for both copies of an article: the article page's `div.story__content` and the body HTML
an RSS item carries. Both give raw values that the same loader (newsbot.loaders.ArticleLoader) cleans.
"""

from __future__ import annotations

from selectolax.lexbor import LexborNode

from newsbot.pages.common import has_class, text_of, walk
from newsbot.processors import absolute_url

BODY_BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6"}
INLINE_WRAPPERS = {"a", "b", "big", "em", "font", "i", "s", "small", "span", "strike", "strong", "tt", "u"}


def story_blocks(content: LexborNode | None) -> list[str]:
    """The text of the content's own paragraphs and headings, and of paragraphs quoted in it
    (not embedded tweets), in order; <br> kept as a line break. An inline tag wrapped around
    paragraphs (`<b><p>..</p><p>..</p></b>`, seen in old markup) is looked through."""
    if content is None:
        return []
    blocks = []
    for child in walk(content, lambda element: element.tag in INLINE_WRAPPERS):
        if child.tag in BODY_BLOCK_TAGS:
            blocks.append(child)
        elif child.tag == "blockquote" and not has_class(child, "twitter-tweet"):
            blocks.extend(quoted for quoted in child.iter() if quoted.tag == "p")
    return [text_of(block, line_breaks=True) or "" for block in blocks]


def figure_image(figure: LexborNode, base_url: str) -> dict | None:
    """A figure's raw image {url, caption}, or None for an embed (tweet, video, audio: no <img>).

    url: `img@data-src` (lazy loading), else `img@src` unless a `data:` placeholder, else
    `figure@data-original-src`. caption: the figcaption text (printed twice, it counts once), else
    the `img@alt`.
    """
    classes = f" {figure.attributes.get('class') or ''} "
    img = figure.css_first("img")
    if " media--embed " in classes or " media--tweet " in classes or img is None:
        return None
    url = (
        absolute_url(img.attributes.get("data-src"), base_url)
        or absolute_url(img.attributes.get("src"), base_url)
        or absolute_url(figure.attributes.get("data-original-src"), base_url)
    )
    texts = [text_of(caption) for caption in figure.css("figcaption")]
    captions = list(dict.fromkeys(" ".join(c.split()) for c in texts if c and c.strip()))
    caption = " ".join(captions) if captions else img.attributes.get("alt")
    return {"url": url, "caption": caption}
