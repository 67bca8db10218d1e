"""Where the time and memory go: the profiles behind the hot spots in docs/benchmarks.md.

    /work/venv/bin/python -m bench.profile_hotspots [--variants 2] [--crawl 500] [--no-store]

1. Extraction, by call site: every parsel XPath call is timed and charged to the newsbot line that
   made it (file:line), next to the HTML parse (response.selector) and cProfile's per-function
   cumulative times for newsbot's functions; per page of the padded corpus.
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
from collections import defaultdict
from pathlib import Path

from bench.common import ROOT, crawl_env, machine_line, run_crawl
from bench.corpus import HTML_HEADERS, article_url, cached_corpus, write_pages, write_site


def _caller(frame) -> str:
    while frame is not None and "/newsbot/" not in frame.f_code.co_filename:
        frame = frame.f_back
    if frame is None:
        return "(outside newsbot)"
    return f"{frame.f_code.co_filename.split(str(ROOT) + '/')[-1]}:{frame.f_lineno}"


def extraction_by_call_site(pages) -> None:
    import parsel.selector
    from scrapy.http import HtmlResponse, Request, TextResponse

    from newsbot.pages import ArticlePage, PageError

    spent: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    original_xpath = parsel.selector.Selector.xpath
    original_selector = TextResponse.selector

    def timed_xpath(self, query, *args, **kwargs):
        started = time.perf_counter()
        try:
            return original_xpath(self, query, *args, **kwargs)
        finally:
            entry = spent["XPath at " + _caller(sys._getframe(1))]
            entry[0] += time.perf_counter() - started
            entry[1] += 1

    def timed_selector(self):
        started = time.perf_counter()
        try:
            return original_selector.fget(self)
        finally:
            entry = spent["HTML parse (response.selector, parsel + lxml)"]
            entry[0] += time.perf_counter() - started
            entry[1] += 1

    responses = [
        HtmlResponse(url=page.url, body=page.body, headers=HTML_HEADERS, request=Request(page.url))
        for page in pages
    ]
    parsel.selector.Selector.xpath = timed_xpath
    TextResponse.selector = property(timed_selector)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    try:
        profiler.enable()
        for response in responses:
            try:
                ArticlePage(response).item()
            except PageError:
                pass
        profiler.disable()
    finally:
        parsel.selector.Selector.xpath = original_xpath
        TextResponse.selector = original_selector
    total = time.perf_counter() - started
    count = len(pages)
    print(f"-- extraction, {count} pages: {1000 * total / count:.2f} ms per page with this instrumentation")
    print(f"   {'ms/page':>8} {'calls/page':>10}  call site")
    for name, (seconds, calls) in sorted(spent.items(), key=lambda kv: -kv[1][0])[:15]:
        print(f"   {1000 * seconds / count:8.3f} {calls / count:10.1f}  {name}")
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream)
    rows = []
    for (filename, line, function), (_, _, _, cumulative, _) in stats.stats.items():
        if "/newsbot/" in filename:
            rows.append((cumulative, f"{filename.split(str(ROOT) + '/')[-1]}:{line}({function})"))
    print("   newsbot functions by cumulative time (cProfile; includes profiler overhead):")
    for cumulative, name in sorted(rows, reverse=True)[:12]:
        print(f"   {1000 * cumulative / count:8.3f} ms/page  {name}")


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
    extraction_by_call_site(corpus.pages)
    extraction_memory(corpus.pages)
    if not args.no_store:
        store_profile()
    if args.crawl:
        crawl_profile(args.crawl, args.variants)
    return 0


if __name__ == "__main__":
    sys.exit(main())
