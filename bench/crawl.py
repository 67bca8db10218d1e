"""End-to-end throughput against a bare Scrapy spider, and the peak memory of a long crawl.

Both crawl a site of Dawn-sized articles (bench/corpus.py served_site) on 127.0.0.1 with FAST settings
(no delay, no AutoThrottle, 16 concurrent requests). newsbot runs `scrapy crawl articles -O FEED`, the
full pipeline into a fresh DB; bench/bare_spider.py fetches the same URLs and parses nothing. CPU and
peak RSS are each crawl process's own (bench/peak_rss.py). Method in full: docs/benchmarks.md.
"""

from __future__ import annotations

from bench.common import bare_crawl, db_bytes, median, newsbot_crawl, table, verdict
from bench.corpus import served_site

GOAL_RATIO, GOAL_RSS_MB = 0.85, 200


def throughput(pages: int = 2000, runs: int = 3) -> list[tuple]:
    rounds = []
    with served_site(pages) as (server, site, root):
        urls = root / "bare-urls.txt"
        urls.write_text("\n".join(site.discovery[1:] + site.articles))  # robots.txt is the spider's own
        for number in range(runs):
            server.reset()
            bare = bare_crawl(server.url, urls, root, f"bare-{number}")
            server.reset()
            newsbot = newsbot_crawl(server.url, root, f"newsbot-{number}")
            if newsbot.stats.get("newsbot/articles/new") != pages:
                raise RuntimeError(
                    f"newsbot stored {newsbot.stats.get('newsbot/articles/new')} of {pages} articles"
                )
            rounds.append((bare, newsbot))
    ratios = [newsbot.pages_per_second / bare.pages_per_second for bare, newsbot in rounds]
    bare_pps, newsbot_pps = (median([r[i].pages_per_second for r in rounds]) for i in (0, 1))
    bare_cpu, newsbot_cpu = (median([r[i].cpu_ms_per_response for r in rounds]) for i in (0, 1))
    rows = [
        (number + 1, f"{bare.pages_per_second:.1f}", f"{newsbot.pages_per_second:.1f}", f"{ratio:.3f}",
         f"{bare.cpu_ms_per_response:.2f} / {newsbot.cpu_ms_per_response:.2f}")
        for number, ((bare, newsbot), ratio) in enumerate(zip(rounds, ratios, strict=True))
    ]  # fmt: skip
    rows.append(("**median**", f"**{bare_pps:.1f}**", f"**{newsbot_pps:.1f}**", f"**{median(ratios):.3f}**",
                 f"**{bare_cpu:.2f} / {newsbot_cpu:.2f}**"))  # fmt: skip
    print(f"{pages} articles + {len(site.discovery)} discovery pages; every newsbot run stored all {pages}")
    table(["run", "bare pages/s", "newsbot pages/s", "ratio", "CPU ms per response, bare / newsbot"], rows)
    added = median([newsbot.cpu_ms_per_response - bare.cpu_ms_per_response for bare, newsbot in rounds])
    allowed = bare_cpu * (1 / GOAL_RATIO - 1)  # both are CPU-bound on one core
    return [
        (f"end-to-end pages/s ({pages} pages, median of {runs})", f"{newsbot_pps:.1f}",
         f"bare spider {bare_pps:.1f} (ratio {median(ratios):.3f})",
         f"ratio >= {GOAL_RATIO}: {verdict(median(ratios) >= GOAL_RATIO)}"),
        ("CPU per response, added over the bare spider", f"{newsbot_cpu:.2f} ms (+{added:.2f})",
         f"bare spider {bare_cpu:.2f} ms", f"ratio {GOAL_RATIO} allows +{allowed:.2f} ms"),
    ]  # fmt: skip


def memory(pages: int = 20_000, budget: int = 540) -> list[tuple]:
    """A crawl still running after `budget` seconds is stopped cleanly (CLOSESPIDER_TIMEOUT): its peak
    is then that of the pages fetched, labelled so; the RSS growth over the run says how it would go on."""
    with served_site(pages, first_id=2_200_001) as (server, site, root):
        run = newsbot_crawl(
            server.url, root, "memory", budget + 300, progress=lambda: len(server.requests),
            reasons=("finished", "closespider_timeout"), CLOSESPIDER_TIMEOUT=budget,
        )  # fmt: skip
        fetched = len(server.requests) - len(site.discovery)
        stored = int(run.stats["newsbot/articles/new"])
        db, feed = db_bytes(root / "memory.db") / stored, (root / "memory.jsonl").stat().st_size / stored
    points = [(served, rss) for served, rss in run.samples if served > 0]
    growth = _slope(points[len(points) // 2 :]) * 1000 if len(points) >= 8 else None  # MiB per 1,000 requests
    early = next((rss for served, rss in points if served >= 1000), None)
    table(
        ["articles fetched", "seconds", "pages/s", "finish reason", "peak RSS MiB", "RSS at 1,000 pages",
         "growth MiB per 1,000 (second half)", "bytes per stored article: DB / JSONL feed"],
        [(fetched, f"{run.seconds:.0f}", f"{run.pages_per_second:.1f}", run.stats["finish_reason"],
          f"{run.max_rss_mib:.1f}", f"{early:.1f}" if early else "?",
          f"{growth:+.2f}" if growth is not None else "?", f"{db:,.0f} / {feed:,.0f}")],
    )  # fmt: skip
    mb = run.max_rss_mib * 2**20 / 1e6
    shape = "no RSS samples (psutil missing)"
    if early is not None and growth is not None:
        shape = f"RSS at 1,000 pages {early:.1f} MiB, then {growth:+.2f} MiB per 1,000"
    return [
        (f"peak RSS of a crawl of {fetched} of {pages} pages", f"{run.max_rss_mib:.1f} MiB ({mb:.1f} MB)",
         shape, f"<= {GOAL_RSS_MB} MB: {verdict(mb <= GOAL_RSS_MB)}"),
        ("bytes per stored article, crawl DB / JSONL feed", f"{db:,.0f} / {feed:,.0f}", "", "reported"),
    ]  # fmt: skip


def _slope(points: list[tuple[int, float]]) -> float:
    """Least-squares slope of y over x."""
    mean_x, mean_y = (sum(p[i] for p in points) / len(points) for i in (0, 1))
    variance = sum((x - mean_x) ** 2 for x, _ in points)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / variance if variance else 0.0
