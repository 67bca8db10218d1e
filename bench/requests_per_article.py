"""Benchmark 3: requests per new article on a re-crawl.

    /work/venv/bin/python -m bench.requests_per_article [--articles 1000] [--new 10] [--runs 3]

A generated site (bench/corpus.py) of `articles` stories, all published long ago (March 2026 and
earlier: outside any revisit window), is crawled once into a fresh NEWSBOT_DB. Then `new` stories are
added, newest first, to /latest-news, the five feeds and the sitemap, and served as pages; the site is
crawled again into the same DB. The server's request log of the second crawl is the count.

floor = robots.txt + /latest-news + 5 feeds + the sitemap page(s) + one request per new story: what a
crawler must fetch to learn of and store the new stories. The figure is requests / floor (goal 1.0)
and requests / new story; the second crawl's requests are broken down into discovery pages, new
stories, known stories fetched again (and how many of those answered 304 to a conditional request).
Each run starts from a fresh DB; the figures are medians over runs (they are deterministic counts, so
the runs should agree).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from bench.common import check_crawl, fmt, machine, machine_line, median, newsbot_crawl, verdict
from bench.corpus import cached_corpus, write_pages, write_site

FIRST_ID = 2_100_001
OLD = "2026-03-12T10:00:00+05:00"
NEW = "2026-03-12T16:30:00+05:00"


def run(articles: int = 1000, new: int = 10, runs: int = 3, variants: int = 6, timeout: float = 600) -> dict:
    from newsbot.downloader.mirror import Snapshot
    from tests.sites import SiteServer

    info = machine()
    print("== 3. Requests per new article: crawl, add stories, crawl again into the same DB ==")
    print(machine_line(info))
    started = time.monotonic()
    corpus = cached_corpus(variants)
    results = []
    with tempfile.TemporaryDirectory(prefix="newsbot-bench-") as temporary:
        root = Path(temporary)
        files = write_pages(corpus, root / "pages")
        old_ids = list(range(FIRST_ID, FIRST_ID + articles))
        new_ids = list(range(FIRST_ID + articles, FIRST_ID + articles + new))
        before = write_site(root / "before", corpus, files, old_ids, dict.fromkeys(old_ids, OLD))
        stamps = dict.fromkeys(old_ids, OLD) | dict.fromkeys(new_ids, NEW)
        after = write_site(root / "after", corpus, files, old_ids + new_ids, stamps)
        floor = len(after.discovery_paths) + new
        new_paths = {f"/news/{i}" for i in new_ids}
        for number in range(runs):
            db = root / f"run-{number}.db"
            with SiteServer(before.directory) as server:
                first = newsbot_crawl(server.url, root, db, f"first-{number}", timeout)
                check_crawl(first, "first crawl")
                first_requests = len(server.paths())
                server.snapshot = Snapshot(after.directory)
                server.reset()
                second = newsbot_crawl(server.url, root, db, f"second-{number}", timeout)
                check_crawl(second, "second crawl")
                paths = server.paths()
            discovery = [path for path in paths if not path.startswith("/news/")]
            fetched_new = [path for path in paths if path in new_paths]
            known = [path for path in paths if path.startswith("/news/") and path not in new_paths]
            not_modified = int(second.stats.get("downloader/response_status_count/304", 0))
            stored_new = int(second.stats.get("newsbot/articles/new", 0))
            results.append(
                {
                    "first_requests": first_requests,
                    "requests": len(paths),
                    "discovery": len(discovery),
                    "new_fetched": len(fetched_new),
                    "known_refetched": len(known),
                    "not_modified_304": not_modified,
                    "stored_new": stored_new,
                    "ratio_to_floor": len(paths) / floor,
                    "per_new_story": len(paths) / new,
                }
            )
            print(
                f"  run {number + 1}: first crawl {first_requests} requests; second crawl {len(paths)} "
                f"requests = {len(discovery)} discovery + {len(fetched_new)} new stories + {len(known)} "
                f"known stories again ({not_modified} answered 304); new rows stored {stored_new}"
            )
    summary = {
        "machine": info,
        "articles": articles,
        "new": new,
        "floor": floor,
        "runs": results,
        "requests": median([r["requests"] for r in results]),
        "ratio_to_floor": median([r["ratio_to_floor"] for r in results]),
        "per_new_story": median([r["per_new_story"] for r in results]),
        "seconds": time.monotonic() - started,
    }
    summary["met"] = summary["ratio_to_floor"] <= 1.0
    print(
        f"floor = {floor} ({len(after.discovery_paths)} discovery incl. robots.txt + {new} new stories); "
        f"second crawl {fmt(summary['requests'], 0)} requests = {fmt(summary['per_new_story'], 1)} per new "
        f"story; ratio to floor {summary['ratio_to_floor']:.2f}"
    )
    print(f"goal ratio to floor 1.0: {summary['ratio_to_floor']:.2f} -> {verdict(summary['met'])}")
    print(f"(took {fmt(summary['seconds'], 0)} s)\n")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000, help="stories on the site before")
    parser.add_argument("--new", type=int, default=10, help="stories added before the second crawl")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--variants", type=int, default=6)
    parser.add_argument("--quick", action="store_true", help="300 articles, 1 run")
    args = parser.parse_args(argv)
    if args.quick:
        args.articles, args.runs = 300, 1
    run(args.articles, args.new, args.runs, args.variants)
    return 0


if __name__ == "__main__":
    sys.exit(main())
