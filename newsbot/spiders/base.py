"""What every newsbot spider shares: configuration, the article request and callback, failure counting."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from scrapy import Request, Spider
from scrapy.http import Response
from twisted.python.failure import Failure

from newsbot.config import Config, ConfigError
from newsbot.drops import count_drop
from newsbot.pages import ArticlePage, PageError

logger = logging.getLogger(__name__)
ARTICLE_PRIORITY = 10  # articles before more listings keeps the request queue short


def parse_day(name: str, value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ConfigError(f"{name}={value!r} is not a date in the form YYYY-MM-DD") from None


def parse_day_range(since: str | None, until: str | None, today: date) -> tuple[date | None, date | None]:
    """(since, until) for a back-fill; until defaults to today, and neither may be in the future."""
    since_day = parse_day("since", since)
    until_day = parse_day("until", until) or (today if since_day else None)
    if until_day and not since_day:
        raise ConfigError("until is only meaningful with since=YYYY-MM-DD")
    if since_day and since_day > until_day:
        raise ConfigError(f"since={since_day} is after until={until_day}")
    if until_day and until_day > today:
        raise ConfigError(f"until={until_day} is in the future")
    return since_day, until_day


def days_newest_first(since: date | None, until: date | None) -> list[date]:
    if not since:
        return []
    return [until - timedelta(days=offset) for offset in range((until - since).days + 1)]


def split_urls(value: str | None) -> tuple[str, ...]:
    return tuple(url.strip() for url in (value or "").split(",") if url.strip())


class NewsbotSpider(Spider):
    allowed_domains = ["www.dawn.com"]

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.config = Config.from_settings(crawler.settings)
        if spider.config.contact:
            spider.user_agent = f"{crawler.settings.get('USER_AGENT')} contact: {spider.config.contact}"
        elif not (spider.config.mirror_url or spider.config.mirror_dir):
            logger.warning("NEWSBOT_CONTACT is not set: the site cannot reach whoever runs this crawl")
        return spider

    def article_request(self, url: str, genre_hint: str | None = None) -> Request:
        return Request(
            url,
            callback=self.parse_article,
            errback=self.article_failed,
            priority=ARTICLE_PRIORITY,
            cb_kwargs={"genre_hint": genre_hint},
        )

    def parse_article(self, response: Response, genre_hint: str | None = None):
        try:
            item = ArticlePage(response, genre_hint=genre_hint).item()
        except PageError as error:
            count_drop(self.crawler.stats, error.reason, response.url, error.detail)
            return
        self.crawler.stats.inc_value("newsbot/articles/extracted")
        yield item

    def article_failed(self, failure: Failure):
        self._count_failure("article", failure)

    def start_point_failed(self, failure: Failure):
        self._count_failure("start_point", failure)

    def _count_failure(self, kind: str, failure: Failure) -> None:
        response = getattr(failure.value, "response", None)
        reason = f"http_{response.status}" if response is not None else type(failure.value).__name__
        self.crawler.stats.inc_value(f"newsbot/failed/{kind}/{reason}")
        logger.warning("Failed %s (%s): %s", kind, reason, failure.request.url)
