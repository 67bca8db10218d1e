"""Benchmark 5: what the full-text index (articles_fts, migration 5) costs the store, and what a search
costs.

    .venv/bin/python -m bench.search_index [--rows 20000] [--runs 3]

- Store writes: Store.save_articles in batches of 100 (as StorePipeline writes them) of `rows` distinct
  articles built from the fixtures' oracle items (bench.memory_storage.oracle_items), into a fresh
  store; then the same items again (the re-crawl path: every row unchanged). Baseline, in the same run:
  the same into a fresh store whose four articles_fts triggers were dropped (the store as it was before
  the index). Median rows/s over `runs`.
- Bytes per stored article, with and without the index: (database + WAL) / rows.
- A search: `scrapy export --search`'s selection (newsbot.store.export.select_rows) of article ids for a
  common, a rare and a two-word query, median of 20 runs each, on the indexed store of the last run.

Caveat: the oracle items repeat about twenty texts, so the index holds fewer distinct words than a real
archive of the same size would (its size is a lower bound there).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from bench.common import fmt, machine, machine_line
from bench.memory_storage import _save_batches, db_bytes, oracle_items

QUERIES = ("pakistan", "uranium", "oil prices")


def _without_index(path: Path):
    from newsbot.store import Store

    store = Store.open(path)
    triggers = store.connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'articles_fts_%'"
    ).fetchall()
    assert len(triggers) == 4, triggers
    for (name,) in triggers:
        store.connection.execute(f'DROP TRIGGER "{name}"')  # noqa: S608 (names read from the schema)
    return store


def _search_ms(store, text: str, repeat: int = 20) -> tuple[float, int]:
    from newsbot.store.export import Selection, select_rows

    timings, found = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        found = sum(1 for _ in select_rows(store, Selection(search=text), ("article_id",)))
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), found


def run(rows: int, runs: int) -> dict:
    from newsbot.store import Store

    items = oracle_items(rows)
    batches = [items[at : at + 100] for at in range(0, len(items), 100)]
    measured: list[dict] = []
    searches: dict = {}
    with tempfile.TemporaryDirectory(prefix="newsbot-bench-") as temporary:
        root = Path(temporary)
        for number in range(runs):
            base_path = root / f"no-index-{number}.db"
            base = _without_index(base_path)
            base_s, base_again_s = _save_batches(base, batches), _save_batches(base, batches)
            base.close()
            path = root / f"index-{number}.db"
            store = Store.open(path)
            store_s, again_s = _save_batches(store, batches), _save_batches(store, batches)
            if number == runs - 1:
                searches = {text: _search_ms(store, text) for text in QUERIES}
            store.close()
            measured.append(
                {
                    "indexed_rows_per_s": rows / store_s,
                    "indexed_unchanged_rows_per_s": rows / again_s,
                    "baseline_rows_per_s": rows / base_s,
                    "baseline_unchanged_rows_per_s": rows / base_again_s,
                    "indexed_bytes_per_article": db_bytes(path) / rows,
                    "baseline_bytes_per_article": db_bytes(base_path) / rows,
                }
            )
    result = {name: statistics.median(run[name] for run in measured) for name in measured[0]}
    result["searches"] = {
        text: {"median_ms": ms, "articles": found} for text, (ms, found) in searches.items()
    }
    result["rows"], result["runs"] = rows, runs
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    info = machine()
    print(machine_line(info))
    result = run(args.rows, args.runs)
    print(f"Store.save_articles, {args.rows:,} rows in batches of 100, median of {args.runs} runs:")
    print(
        f"  with the search index    {fmt(result['indexed_rows_per_s'], 0)} rows/s; "
        f"unchanged again {fmt(result['indexed_unchanged_rows_per_s'], 0)} rows/s"
    )
    print(
        f"  without (baseline)       {fmt(result['baseline_rows_per_s'], 0)} rows/s; "
        f"unchanged again {fmt(result['baseline_unchanged_rows_per_s'], 0)} rows/s"
    )
    print(
        f"  bytes per article        {fmt(result['indexed_bytes_per_article'], 0)} with the index, "
        f"{fmt(result['baseline_bytes_per_article'], 0)} without"
    )
    for text, figures in result["searches"].items():
        print(
            f"  search {text!r:14} {fmt(figures['median_ms'], 2)} ms median, {figures['articles']:,} articles"
        )
    print(json.dumps({"machine": info, **result}, default=str))


if __name__ == "__main__":
    main()
