"""The baseline spider of the throughput benchmark: fetch the given URLs, parse nothing, yield nothing.

    scrapy runspider bench/bare_spider.py -a urls_file=URLS -a stats_file=OUT.json -a base=http://127.0.0.1:PORT

`urls_file` has one path per line (discovery pages first, then articles); each is fetched from `base`.
robots.txt is fetched and obeyed as in a newsbot crawl (ROBOTSTXT_OBEY=True). The final stats are written
to `stats_file` as JSON.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import scrapy


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, urls_file: str, stats_file: str, base: str, **kwargs):
        super().__init__(**kwargs)
        self.paths = [line.strip() for line in Path(urls_file).read_text().splitlines() if line.strip()]
        self.stats_file = Path(stats_file)
        self.base = base.rstrip("/")

    async def start(self):
        for path in self.paths:
            yield scrapy.Request(self.base + path, callback=self.parse)

    def parse(self, response):
        return None

    def closed(self, reason):
        stats = dict(self.crawler.stats.get_stats())
        stats["finish_reason"] = reason
        # Scrapy's core stats set elapsed_time_seconds after this hook runs: take it the same way here.
        started = stats.get("start_time")
        if "elapsed_time_seconds" not in stats and isinstance(started, datetime):
            stats["elapsed_time_seconds"] = (datetime.now(tz=UTC) - started).total_seconds()
        self.stats_file.write_text(json.dumps(stats, default=str, sort_keys=True))
