"""Benchmark 4: peak memory of a long crawl, store write throughput, bytes per stored article.

    /work/venv/bin/python -m bench.memory_storage [--pages 20000] [--budget 540] [--rows 20000] [--runs 3]

- Peak RSS: `scrapy crawl articles` (full pipeline, JSONL feed, fresh DB) over a generated site of
  `pages` Dawn-sized articles (sitemap index of 1,000-URL sitemaps) on 127.0.0.1, with the settings
  of benchmark 2. The figure is the crawl process's own ru_maxrss (os.wait4). While it runs, its RSS
  is sampled every 0.5 s against the number of requests served, which gives the growth per 1,000
  pages. If the crawl has not finished after `budget` seconds it is stopped cleanly
  (CLOSESPIDER_TIMEOUT) and the 20,000-page figure is EXTRAPOLATED linearly from the measured growth
  (printed as such). Goal: <= 200 MB.
- Store write throughput: Store.save_articles in batches of 100 (as StorePipeline writes them) of
  `rows` distinct articles built from the fixtures' oracle items, into a fresh store file; baseline:
  raw sqlite3 `executemany` of the same rows (already serialised, the same columns) into the same
  schema, one BEGIN/COMMIT per 100 rows, WAL + synchronous=NORMAL, in the same run; and the same
  into a plain table with only the url primary key (what the schema's indexes and CHECKs cost); and,
  for the ceiling with no disk at all, raw executemany and Store.save_articles into the same schema in
  an in-memory database.
  Median rows/s over `runs`. Goal: >= 20,000 rows/s.
- Bytes per stored article: (database + WAL file size) / rows, for the crawl's DB and the store
  benchmark's DB.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from bench.common import check_crawl, fmt, machine, machine_line, median, newsbot_crawl, verdict
from bench.corpus import article_url, cached_corpus, load_templates, write_pages, write_site

GOAL_RSS_MB = 200
GOAL_ROWS_PER_S = 20_000
FIRST_ID = 2_200_001
SEEN = "2026-03-12T12:00:00+00:00"


def db_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())


def rss_growth(samples: list[tuple[float, int, float]]) -> float | None:
    """MiB per 1,000 requests served: least-squares slope over the second half of the samples."""
    points = [(served, rss) for _, served, rss in samples if served > 0]
    points = points[len(points) // 2 :]
    if len(points) < 4 or points[-1][0] == points[0][0]:
        return None
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    covariance = sum((x - mean_x) * (y - mean_y) for x, y in points)
    variance = sum((x - mean_x) ** 2 for x, _ in points)
    return 1000 * covariance / variance if variance else None


def crawl_memory(pages: int, budget: float, variants: int) -> dict:
    from tests.sites import SiteServer

    corpus = cached_corpus(variants)
    with tempfile.TemporaryDirectory(prefix="newsbot-bench-") as temporary:
        root = Path(temporary)
        files = write_pages(corpus, root / "pages")
        ids = list(range(FIRST_ID, FIRST_ID + pages))
        site = write_site(root / "site", corpus, files, ids)
        db = root / "crawl.db"
        with SiteServer(site.directory) as server:
            run = newsbot_crawl(
                server.url,
                root,
                db,
                "memory",
                timeout=budget + 120,
                progress=lambda: len(server.requests),
                extra={"CLOSESPIDER_TIMEOUT": int(budget)},
            )
            served = len(server.paths())
        check_crawl(run, "memory crawl", reasons=("finished", "closespider_timeout"))
        connection = sqlite3.connect(db)
        try:
            rows = connection.execute("SELECT count(*) FROM articles").fetchone()[0]
        finally:
            connection.close()
        size = db_bytes(db)
        feed = root / "memory.jsonl"
        feed_bytes = feed.stat().st_size if feed.exists() else 0
    finished = run.stats.get("finish_reason") == "finished"
    growth = rss_growth(run.samples)
    article_responses = max(0, served - len(site.discovery_paths))
    result = {
        "pages": pages,
        "finished": finished,
        "finish_reason": run.stats.get("finish_reason"),
        "served": served,
        "articles_fetched": article_responses,
        "rows": rows,
        "max_rss_mib": run.max_rss_mib,
        "growth_mib_per_1000": growth,
        "elapsed": run.elapsed,
        "pages_per_second": run.pages_per_second,
        "db_bytes": size,
        "bytes_per_article": size / rows if rows else None,
        "feed_bytes_per_article": feed_bytes / rows if rows else None,
        "samples": run.samples[:: max(1, len(run.samples) // 60)],
    }
    if finished:
        result["rss_20k_mib"] = run.max_rss_mib * 1.0
        result["extrapolated"] = False
    elif growth is not None:
        # A peak never falls: a flat or shrinking RSS extrapolates to the peak already measured.
        result["rss_20k_mib"] = run.max_rss_mib + max(0.0, growth) * (pages - article_responses) / 1000
        result["extrapolated"] = True
    else:
        result["rss_20k_mib"] = None
        result["extrapolated"] = True
    return result


def oracle_items(count: int) -> list[dict]:
    """`count` distinct article items (fixture oracle items with new URLs and ids)."""
    templates = load_templates()
    items = []
    for number in range(count):
        article_id = 3_000_000 + number
        item = dict(templates[number % len(templates)].expected)
        item.update(url=article_url(article_id), article_id=article_id)
        items.append(item)
    return items


def _executemany(path: Path, insert: str, batches: list[list[dict]]) -> float:
    """Seconds to insert the prepared batches, one BEGIN IMMEDIATE/COMMIT each, WAL + NORMAL."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    seconds = _insert_batches(connection, insert, batches)
    connection.close()
    return seconds


def _insert_batches(connection: sqlite3.Connection, insert: str, batches: list[list[dict]]) -> float:
    started = time.perf_counter()
    for batch in batches:
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(insert, batch)
        connection.execute("COMMIT")
    return time.perf_counter() - started


def _save_batches(store, batches: list[list[dict]]) -> float:
    started = time.perf_counter()
    for batch in batches:
        store.save_articles(batch, seen_at=SEEN)
    return time.perf_counter() - started


def store_throughput(rows: int, runs: int) -> dict:
    from newsbot.store import Store
    from newsbot.store.rows import ARTICLE_COLUMNS, article_row

    items = oracle_items(rows)
    batches = [items[at : at + 100] for at in range(0, len(items), 100)]
    results = []
    with tempfile.TemporaryDirectory(prefix="newsbot-bench-") as temporary:
        root = Path(temporary)
        for number in range(runs):
            # Baseline: the same rows, serialised beforehand, executemany'd into the same schema.
            base_path = root / f"baseline-{number}.db"
            Store.open(base_path).close()
            prepared = [[article_row(item) | {"seen": SEEN} for item in batch] for batch in batches]
            columns = [*ARTICLE_COLUMNS, "first_seen", "last_seen", "changed_at"]
            values = ", ".join(f":{name}" for name in ARTICLE_COLUMNS) + ", :seen, :seen, :seen"
            insert = f"INSERT INTO articles ({', '.join(columns)}) VALUES ({values})"  # noqa: S608 (constants)
            baseline_s = _executemany(base_path, insert, prepared)
            # A second baseline without the schema's indexes and CHECKs: what the table design costs.
            plain_path = root / f"plain-{number}.db"
            connection = sqlite3.connect(plain_path)
            connection.execute(f"CREATE TABLE articles ({', '.join(columns)}, PRIMARY KEY (url))")
            connection.close()
            plain_s = _executemany(plain_path, insert, prepared)

            # The ceiling with no disk at all: the same schema in an in-memory database, raw rows and
            # through Store.save_articles.
            memory = Store.open(":memory:")
            memory_raw_s = _insert_batches(memory.connection, insert, prepared)
            memory.close()
            memory = Store.open(":memory:")
            memory_store_s = _save_batches(memory, batches)
            memory.close()

            store_path = root / f"store-{number}.db"
            store = Store.open(store_path)
            store_s = _save_batches(store, batches)
            # The same items again: the re-crawl path (every row found unchanged).
            again_s = _save_batches(store, batches)
            store.close()
            results.append(
                {
                    "store_rows_per_s": rows / store_s,
                    "baseline_rows_per_s": rows / baseline_s,
                    "plain_table_rows_per_s": rows / plain_s,
                    "in_memory_raw_rows_per_s": rows / memory_raw_s,
                    "in_memory_store_rows_per_s": rows / memory_store_s,
                    "unchanged_rows_per_s": rows / again_s,
                    "bytes_per_article": db_bytes(store_path) / rows,
                    "baseline_bytes_per_article": db_bytes(base_path) / rows,
                }
            )
    summary = {key: median([r[key] for r in results]) for key in results[0]}
    summary["runs"] = results
    summary["rows"] = rows
    summary["ratio"] = summary["store_rows_per_s"] / summary["baseline_rows_per_s"]
    summary["item_json_bytes"] = median(
        [len(json.dumps(item, ensure_ascii=False).encode()) for item in items]
    )
    return summary


def run(
    pages: int = 20_000, budget: float = 540, rows: int = 20_000, runs: int = 3, variants: int = 6
) -> dict:
    info = machine()
    print("== 4. Memory and storage ==")
    print(machine_line(info))
    started = time.monotonic()
    store = store_throughput(rows, runs)
    print(
        f"store writes, {rows} rows in batches of 100, median of {runs}: Store.save_articles "
        f"{fmt(store['store_rows_per_s'], 0)} rows/s vs raw executemany into the same schema "
        f"{fmt(store['baseline_rows_per_s'], 0)} rows/s (ratio {store['ratio']:.2f}), into a plain table "
        f"(url primary key only) {fmt(store['plain_table_rows_per_s'], 0)} rows/s; the same rows again "
        f"(unchanged) {fmt(store['unchanged_rows_per_s'], 0)} rows/s"
    )
    print(
        f"  with no disk (the same schema in an in-memory database): raw executemany "
        f"{fmt(store['in_memory_raw_rows_per_s'], 0)} rows/s, Store.save_articles "
        f"{fmt(store['in_memory_store_rows_per_s'], 0)} rows/s"
    )
    print(
        f"  bytes per stored article: {fmt(store['bytes_per_article'], 0)} (raw rows: "
        f"{fmt(store['baseline_bytes_per_article'], 0)}; the item as JSON: "
        f"{fmt(store['item_json_bytes'], 0)})"
    )
    store["met"] = store["store_rows_per_s"] >= GOAL_ROWS_PER_S
    print(
        f"goal >= {GOAL_ROWS_PER_S:,} rows/s: {fmt(store['store_rows_per_s'], 0)} -> {verdict(store['met'])}"
    )
    crawl = crawl_memory(pages, budget, variants)
    label = "EXTRAPOLATED" if crawl["extrapolated"] else "measured"
    growth = crawl["growth_mib_per_1000"]
    print(
        f"crawl of a {pages}-article site: {crawl['articles_fetched']} articles fetched in "
        f"{fmt(crawl['elapsed'], 0)} s ({fmt(crawl['pages_per_second'])} pages/s, "
        f"finish reason {crawl['finish_reason']}), {crawl['rows']} rows stored; peak RSS "
        f"{fmt(crawl['max_rss_mib'])} MiB; growth {fmt(growth, 2) if growth is not None else '?'} MiB per "
        "1,000 pages (second half of the run)"
    )
    rss = crawl["rss_20k_mib"]
    print(
        f"  peak RSS for {pages} pages ({label}): {fmt(rss) if rss else '?'} MiB; "
        f"bytes per stored article in the crawl DB: {fmt(crawl['bytes_per_article'] or 0, 0)}; "
        f"JSONL feed bytes per article: {fmt(crawl['feed_bytes_per_article'] or 0, 0)}"
    )
    crawl["met"] = rss is not None and rss * 2**20 / 1e6 <= GOAL_RSS_MB
    print(f"goal peak RSS <= {GOAL_RSS_MB} MB: {fmt((rss or 0) * 2**20 / 1e6)} MB -> {verdict(crawl['met'])}")
    summary = {"machine": info, "store": store, "crawl": crawl, "seconds": time.monotonic() - started}
    print(f"(took {fmt(summary['seconds'], 0)} s)\n")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=20_000)
    parser.add_argument("--budget", type=float, default=540, help="seconds before the crawl is stopped")
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--variants", type=int, default=6)
    parser.add_argument("--quick", action="store_true", help="2,000 pages, 120 s budget, 5,000 rows, 1 run")
    args = parser.parse_args(argv)
    if args.quick:
        args.pages, args.budget, args.rows, args.runs = 2000, 120, 5000, 1
    run(args.pages, args.budget, args.rows, args.runs, args.variants)
    return 0


if __name__ == "__main__":
    sys.exit(main())
