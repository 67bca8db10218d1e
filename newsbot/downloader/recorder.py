"""The record of each article download (table `fetches`): what the next run's revisit policy reads."""

from __future__ import annotations

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.http.headers import Headers
from scrapy.statscollectors import StatsCollector

from newsbot.monitoring.log import crawl_stats
from newsbot.pages.common import failure_page_reason
from newsbot.store.fetches import Fetch
from newsbot.store.state import CrawlState


class FetchRecorder:
    """Records each article download's final outcome through the crawl state.

    Sits below the retry middleware, so it sees what is left after retries: a page ("fetched", with
    its ETag/Last-Modified for the next conditional revisit), a 304 ("not_modified": the article's
    last_seen moves and nothing else), or a failure ("failed": an error status, a download error, an
    empty body or a bot challenge; the next run retries it).
    """

    def __init__(self, state: CrawlState, stats: StatsCollector):
        self.state = state
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FetchRecorder:
        return cls(CrawlState.of(crawler), crawl_stats(crawler))

    def process_response(self, request: Request, response: Response) -> Response:
        if not request.meta.get("newsbot_article"):
            return response
        declared = request.meta.get("newsbot_declared")
        if response.status == 304:
            self.state.record_fetch(Fetch(request.url, 304, "not_modified", declared_at=declared))
            self.state.touch_article(request.url)
            self.stats.inc_value("newsbot/articles/not_modified")
        elif 200 <= response.status < 300 and not failure_page_reason(response):
            etag = _header(response.headers, b"ETag")
            last_modified = _header(response.headers, b"Last-Modified")
            fetch = Fetch(request.url, response.status, "fetched", etag, last_modified, declared)
            self.state.record_fetch(fetch)
        else:
            self.state.record_fetch(Fetch(request.url, response.status, "failed"))
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        if request.meta.get("newsbot_article") and not isinstance(exception, IgnoreRequest):
            self.state.record_fetch(Fetch(request.url, None, "failed"))


def _header(headers: Headers, name: bytes) -> str | None:
    value = headers.get(name)
    return value.decode("latin-1") if value else None
