"""One capture re-extracted: its record read back, its Content-Encoding decoded as a crawl decodes it, and
the page object a crawl runs on such a page, with the crawl's checks. Runs in worker processes
(`--jobs`), so it takes and gives plain picklable values; it never touches the archive.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from scrapy.http import Response

from newsbot.compat import decode_content
from newsbot.pages import ArticlePage, OpinionIndexPage, PageError
from newsbot.pages.common import unreadable_reason
from newsbot.pipelines import missing_required
from newsbot.reextract.captures import Capture
from newsbot.settings import DOWNLOAD_MAXSIZE
from newsbot.warc.reader import read_record, to_response


@dataclass
class Outcome:
    article: dict | None = None
    """The article item, as a dict."""
    teasers: list[dict] = field(default_factory=list)
    dropped: list[tuple[str, str]] = field(default_factory=list)
    """(reason, detail) for the page, or each card, that gave nothing, with a crawl's drop reasons."""


def unforeseen(error: Exception) -> Outcome:
    return Outcome(dropped=[("extraction_error", f"{type(error).__name__}: {error}")])


def extract(capture: Capture) -> Outcome:
    try:
        response = decode_content(to_response(read_record(capture.path, capture.offset)), DOWNLOAD_MAXSIZE)
    except (OSError, ValueError, EOFError) as error:  # the record or its payload cannot be read back
        return Outcome(dropped=[("unreadable_capture", f"{type(error).__name__}: {error}")])
    try:
        return _article(response) if capture.kind == "article" else _index(response)
    except PageError as error:
        return Outcome(dropped=[(error.reason, error.detail)])
    except Exception as error:  # noqa: BLE001 - markup the page object did not foresee, as in a crawl
        return unforeseen(error)


def extract_batch(captures: list[Capture]) -> list[Outcome]:
    return [extract(capture) for capture in captures]


def _article(response: Response) -> Outcome:
    """The item as the page object gives it: whether it has its required fields is judged by the writer,
    after the repair from the feed copy a crawl would make (CrossCheckPipeline)."""
    return Outcome(article=asdict(ArticlePage(response).item()))


def _index(response: Response) -> Outcome:
    reason = unreadable_reason(response)
    if reason:
        return Outcome(dropped=[(reason, "")])
    result = OpinionIndexPage(response).read()
    outcome = Outcome(dropped=list(result.rejected))
    for teaser in map(asdict, result.teasers):
        reason = missing_required(teaser)
        if reason:
            outcome.dropped.append((reason, teaser.get("url") or ""))
        else:
            outcome.teasers.append(teaser)
    return outcome
