"""The bounds on work (issue 13): memory of a crawl given a huge sitemap, and the cost of the page guard.

sitemap_memory: the served corpus site crawled twice in the same run, once as it is (baseline) and once
with /feeds/sitemap replaced by one 100,000-URL sitemap; peak RSS of each crawl process (peak_rss.py),
with the default bounds (NEWSBOT_MAX_SITEMAP_URLS, NEWSBOT_MAX_ARTICLE_REQUESTS).

page_guard: newsbot.pages.limits.parse_cost_problem per corpus page against what the same page costs
already, measured in the same loop: Lexbor's parse alone, and the whole article extraction.
"""

from __future__ import annotations

import json
import time

from scrapy.http import HtmlResponse
from selectolax.lexbor import LexborHTMLParser

from bench.common import median, newsbot_crawl, table, verdict
from bench.corpus import corpus, served_site
from newsbot.pages import ArticlePage
from newsbot.pages.limits import parse_cost_problem

GOAL_RSS_MB = 200
GOAL_GUARD_SHARE = 0.05


def sitemap_memory(articles: int = 300, urls: int = 100_000) -> list[tuple]:
    runs = {}
    with served_site(articles, first_id=2_400_001) as (server, site, root):
        server.reset()
        runs["as served"] = newsbot_crawl(server.url, root, "baseline", NEWSBOT_HEALTH_COVERAGE="{}")
        manifest = json.loads((site.directory / "manifest.json").read_text())
        [entry] = [e for e in manifest["entries"] if e["url"] == "https://www.dawn.com/feeds/sitemap"]
        entries = "".join(
            f"<url><loc>https://www.dawn.com/news/{5_000_000 + n}/a-slug-like-dawns</loc>"
            f"<lastmod>2026-03-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:00+05:00</lastmod></url>"
            for n in range(urls)
        )
        body = f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
        (site.directory / entry["file"]).write_text(body, encoding="utf-8")
        entry["content_type"] = "application/xml; charset=utf-8"
        (site.directory / "manifest.json").write_text(json.dumps(manifest))
        server.snapshot = type(server.snapshot)(site.directory)
        server.reset()
        huge = runs[f"{urls:,}-URL sitemap"] = newsbot_crawl(
            server.url, root, "huge", 1800, NEWSBOT_HEALTH_COVERAGE="{}", NEWSBOT_HEALTH_MAX_DROPPED_SHARE=1
        )
        sitemap_mb = len(body) / 1e6
    table(
        ["crawl", "requests", "deferred to the backlog", "seconds", "peak RSS MiB"],
        [(name, run.responses, run.stats.get("newsbot/deferred/sitemap_urls", 0), f"{run.seconds:.0f}",
          f"{run.max_rss_mib:.1f}") for name, run in runs.items()],
    )  # fmt: skip
    mb = huge.max_rss_mib * 2**20 / 1e6
    baseline = runs["as served"]
    return [
        (f"peak RSS of a crawl given a {urls:,}-URL sitemap ({sitemap_mb:.0f} MB)",
         f"{huge.max_rss_mib:.1f} MiB ({mb:.1f} MB), {huge.responses} requests",
         f"the same site as served: {baseline.max_rss_mib:.1f} MiB, {baseline.responses} requests",
         f"<= {GOAL_RSS_MB} MB: {verdict(mb <= GOAL_RSS_MB)}"),
    ]  # fmt: skip


def page_guard(rounds: int = 5) -> list[tuple]:
    pages = corpus()
    guard, parse, extract = [], [], []
    for _ in range(rounds):
        for page in pages:
            response = HtmlResponse(page.url, body=page.body, encoding="utf-8")
            started = time.perf_counter()
            problem = parse_cost_problem(page.body)
            guarded = time.perf_counter()
            LexborHTMLParser(page.body)
            parsed = time.perf_counter()
            ArticlePage(response).item()  # everything an article page costs, the guard included
            extracted = time.perf_counter()
            if problem is not None:
                raise RuntimeError(f"the guard refused a corpus page: {problem}")
            guard.append(guarded - started)
            parse.append(parsed - guarded)
            extract.append(extracted - parsed)
    of_parse, of_extraction = median(guard) / median(parse), median(guard) / median(extract)
    size = median([len(page.body) for page in pages]) / 1000
    table(
        ["pages x rounds", "median page KB", "guard median us", "Lexbor parse median ms",
         "whole extraction median ms", "guard / parse", "guard / extraction"],
        [(f"{len(pages)} x {rounds}", f"{size:.0f}", f"{median(guard) * 1e6:.1f}",
          f"{median(parse) * 1e3:.2f}", f"{median(extract) * 1e3:.2f}", f"{of_parse:.1%}",
          f"{of_extraction:.1%}")],
    )  # fmt: skip
    return [
        ("page guard per article page (Dawn-sized corpus)", f"{median(guard) * 1e6:.1f} us",
         f"the whole extraction {median(extract) * 1e3:.2f} ms ({of_extraction:.1%}); "
         f"Lexbor's parse alone {median(parse) * 1e3:.2f} ms ({of_parse:.1%})",
         f"<= {GOAL_GUARD_SHARE:.0%} of the extraction: {verdict(of_extraction <= GOAL_GUARD_SHARE)}"),
    ]  # fmt: skip
