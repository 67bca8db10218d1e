"""Where the time and memory go: the profiles behind the hot spots in docs/benchmarks.md.

    /work/venv/bin/python -m bench.profile_hotspots [--variants 2] [--crawl 500] [--no-store]

1. Extraction: cProfile of ArticlePage(...).item() over the padded corpus, per page: newsbot's
   functions by cumulative and own time (a function's own time includes the Lexbor calls it makes).
2. Extraction memory: how many responses (with their parsed trees) are still alive after their page
   was extracted and every reference dropped, before and after gc.collect() - i.e. kept by reference
   cycles, which only the cyclic garbage collector frees.
3. Store: cProfile of Store.save_articles over 5,000 rows in batches of 100.
4. With --crawl N: cProfile of `scrapy crawl articles` over an N-article generated site on
   127.0.0.1; the newsbot functions by cumulative time, and the top functions by own time.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import sys
import tempfile
import time
import weakref
from pathlib import Path

from bench.common import ROOT, crawl_env, machine_line, run_crawl
from bench.corpus import HTML_HEADERS, article_url, cached_corpus, write_pages, write_site


def _where(filename: str, line: int, function: str) -> str:
    return f"{filename.split(str(ROOT) + '/')[-1]}:{line}({function})"


def extraction_profile(pages) -> None:
    """cProfile of ArticlePage(...).item(), newsbot's functions by cumulative and own time.

    selectolax's Cython methods (the parse, css(), css_first()) are not seen by cProfile: their time is
    the own time of the newsbot function calling them (page_tree's own time is the parse).
    """
    from scrapy.http import HtmlResponse, Request

    from newsbot.pages import ArticlePage, PageError

    responses = [
        HtmlResponse(url=page.url, body=page.body, headers=HTML_HEADERS, request=Request(page.url))
        for page in pages
    ]
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for response in responses:
        try:
            ArticlePage(response).item()
        except PageError:
            pass
    profiler.disable()
    total = time.perf_counter() - started
    count = len(pages)
    print(f"-- extraction, {count} pages: {1000 * total / count:.2f} ms per page under cProfile")
    stats = pstats.Stats(profiler, stream=io.StringIO()).stats
    newsbot = [
        (cumulative, own, _where(filename, line, function))
        for (filename, line, function), (_, _, own, cumulative, _) in stats.items()
        if "/newsbot/" in filename
    ]
    print(f"   {'cum ms':>8} {'own ms':>8}  newsbot function (per page)")
    for cumulative, own, name in sorted(newsbot, reverse=True)[:15]:
        print(f"   {1000 * cumulative / count:8.3f} {1000 * own / count:8.3f}  {name}")


def extraction_memory(pages) -> None:
    from scrapy.http import HtmlResponse, Request

    from newsbot.pages import ArticlePage, PageError

    gc.collect()
    gc.disable()
    alive = []
    try:
        for page in pages:
            response = HtmlResponse(
                url=page.url, body=page.body, headers=HTML_HEADERS, request=Request(page.url)
            )
            alive.append(weakref.ref(response))
            try:
                ArticlePage(response).item()
            except PageError:
                pass
            del response
        before = sum(ref() is not None for ref in alive)
    finally:
        gc.enable()
    gc.collect()
    after = sum(ref() is not None for ref in alive)
    print(
        f"-- extraction memory: of {len(pages)} responses extracted and dropped, {before} were still alive "
        f"(with their parsed trees) until gc.collect(), {after} after it"
    )
    if before:
        print(
            "   they are kept by a reference cycle: response._cached_selector -> scrapy Selector -> "
            ".response -> response (scrapy/selector/unified.py), freed only by the cyclic GC"
        )


def store_profile(rows: int = 5000) -> None:
    from bench.memory_storage import SEEN, oracle_items
    from newsbot.store import Store

    items = oracle_items(rows)
    with tempfile.TemporaryDirectory(prefix="newsbot-bench-") as temporary:
        store = Store.open(Path(temporary) / "profile.db")
        profiler = cProfile.Profile()
        profiler.enable()
        for at in range(0, rows, 100):
            store.save_articles(items[at : at + 100], seen_at=SEEN)
        profiler.disable()
        store.close()
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats("tottime").print_stats(10)
    print(f"-- Store.save_articles, {rows} rows in batches of 100 (cProfile, own time):")
    print("\n".join("   " + line for line in stream.getvalue().splitlines()[6:20] if line.strip()))


def crawl_profile(pages: int, variants: int) -> None:
    from tests.sites import SiteServer

    corpus = cached_corpus(variants)
    with tempfile.TemporaryDirectory(prefix="newsbot-bench-") as temporary:
        root = Path(temporary)
        files = write_pages(corpus, root / "pages")
        ids = list(range(2_300_001, 2_300_001 + pages))
        site = write_site(root / "site", corpus, files, ids)
        profile = root / "crawl.prof"
        stats_file = root / "stats.json"
        with SiteServer(site.directory) as server:
            command = [
                sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "scrapy", "crawl", "articles",
                "-O", str(root / "out.jsonl"), "-s", f"NEWSBOT_MIRROR={server.url}",
                "-s", f"NEWSBOT_DB={root / 'crawl.db'}", "-s", f"NEWSBOT_STATS_FILE={stats_file}",
                "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CONCURRENT_REQUESTS=16",
                "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16", "-s", "LOG_LEVEL=WARNING",
            ]  # fmt: skip
            run = run_crawl(command, ROOT, crawl_env(), stats_file, timeout=900)
        stats = pstats.Stats(str(profile))
        responses = max(1, run.responses)
        print(f"-- scrapy crawl articles under cProfile, {responses} responses ({article_url(ids[0])}...):")
        rows = []
        for (filename, line, function), (_, _, own, cumulative, _) in stats.stats.items():
            if "/newsbot/" in filename:
                rows.append((cumulative, own, f"{filename.split(str(ROOT) + '/')[-1]}:{line}({function})"))
        print(f"   {'cum ms/resp':>11} {'own ms/resp':>11}  newsbot function")
        for cumulative, own, name in sorted(rows, reverse=True)[:20]:
            print(f"   {1000 * cumulative / responses:11.3f} {1000 * own / responses:11.3f}  {name}")
        stream = io.StringIO()
        pstats.Stats(str(profile), stream=stream).sort_stats("tottime").print_stats(12)
        print("   top functions by own time:")
        print("\n".join("   " + line for line in stream.getvalue().splitlines()[6:22] if line.strip()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variants", type=int, default=2, help="padded pages per fixture (34 fixtures)")
    parser.add_argument("--crawl", type=int, default=0, help="also profile a crawl of this many articles")
    parser.add_argument("--no-store", action="store_true")
    args = parser.parse_args(argv)
    print(machine_line())
    corpus = cached_corpus(args.variants)
    extraction_profile(corpus.pages)
    extraction_memory(corpus.pages)
    if not args.no_store:
        store_profile()
    if args.crawl:
        crawl_profile(args.crawl, args.variants)
    return 0


if __name__ == "__main__":
    sys.exit(main())
