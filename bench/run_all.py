"""Run every newsbot benchmark (docs/benchmarks.md) and print a summary table.

    /work/venv/bin/python -m bench.run_all [--quick] [--json results.json] [--only extraction,throughput,...]

1. extraction            bench/extraction.py            ArticlePage vs trafilatura, ms per page, fields right
2. throughput            bench/throughput.py            scrapy crawl articles vs a bare spider, pages/s
3. requests_per_article  bench/requests_per_article.py  requests of a re-crawl per new story, vs the floor
4. memory_storage        bench/memory_storage.py        peak RSS of a 20,000-page crawl, rows/s, bytes/row

Everything runs on this machine against servers on 127.0.0.1 only, in temporary directories that are
removed afterwards. The full run takes about 20 minutes on 2 cores; --quick about 4 minutes (smaller
corpus and sites, one run each: for checking the scripts, not for quoting figures).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from bench import extraction, memory_storage, requests_per_article, throughput
from bench.common import fmt, machine, machine_line, verdict

FULL = {
    "extraction": {"variants": 6, "rounds": 5},
    "throughput": {"pages": 2000, "runs": 3},
    "requests_per_article": {"articles": 1000, "new": 10, "runs": 1},
    "memory_storage": {"pages": 20_000, "budget": 540, "rows": 20_000, "runs": 3},
}
QUICK = {
    "extraction": {"variants": 2, "rounds": 3},
    "throughput": {"pages": 600, "runs": 1, "variants": 2},
    "requests_per_article": {"articles": 200, "new": 10, "runs": 1, "variants": 2},
    "memory_storage": {"pages": 2000, "budget": 60, "rows": 5000, "runs": 1, "variants": 2},
}
RUNNERS = {
    "extraction": extraction.run,
    "throughput": throughput.run,
    "requests_per_article": requests_per_article.run,
    "memory_storage": memory_storage.run,
}


def summary_rows(results: dict) -> list[tuple[str, str, str, str]]:
    """(figure, result, goal, verdict) rows for the summary table."""
    rows = []
    ex = results.get("extraction")
    if ex:
        nb = ex["newsbot"]
        rows.append(
            (
                "extraction median / p99 per page",
                f"{fmt(nb['median_ms'], 2)} / {fmt(nb['p99_ms'], 2)} ms",
                "median <= 3 ms",
                verdict(ex["met_median"]),
            )  # fmt: skip
        )
        for label in ("trafilatura", "trafilatura fast"):
            if label in ex:
                rows.append(
                    (
                        f"speed-up vs {label} ({fmt(ex[label]['median_ms'], 1)} ms)",
                        f"{fmt(ex[label]['speedup'], 1)}x",
                        ">= 10x",
                        verdict(ex[label]["speedup"] >= 10),
                    )  # fmt: skip
                )
        if "more_fields_right" in ex:
            fields = ex["fields"]
            got = " vs ".join(
                f"{label} {fmt(fields[label]['_mean_strict'], 2)}" for label in fields
            )  # fmt: skip
            rows.append(("contract fields right per page (of 9)", got, "more than trafilatura",
                         verdict(ex["more_fields_right"])))  # fmt: skip
    tp = results.get("throughput")
    if tp:
        rows.append(
            (
                "end-to-end pages/s, newsbot / bare",
                f"{fmt(tp['newsbot_pps'])} / {fmt(tp['bare_pps'])} = {tp['ratio']:.3f}",
                ">= 0.85",
                verdict(tp["met"]),
            )  # fmt: skip
        )
        rows.append(
            (
                "CPU added per response over the bare spider",
                f"{fmt(tp['added_cpu_ms'], 2)} ms (bare {fmt(tp['bare_cpu_ms'], 2)} ms)",
                f"<= {fmt(tp['allowed_added_cpu_ms'], 2)} ms (what 0.85 allows)",
                verdict(tp["met"]),
            )  # fmt: skip
        )
    rq = results.get("requests_per_article")
    if rq:
        rows.append(
            (
                "re-crawl requests / floor",
                f"{fmt(rq['requests'], 0)} / {rq['floor']} = {rq['ratio_to_floor']:.2f}"
                f" ({fmt(rq['per_new_story'], 1)} per new story)",
                "1.0",
                verdict(rq["met"]),
            )  # fmt: skip
        )
    ms = results.get("memory_storage")
    if ms:
        crawl, store = ms["crawl"], ms["store"]
        label = "extrapolated" if crawl["extrapolated"] else "measured"
        rss = crawl["rss_20k_mib"]
        rows.append(
            (
                f"peak RSS, {crawl['pages']}-page crawl ({label})",
                f"{fmt((rss or 0) * 2**20 / 1e6)} MB",
                "<= 200 MB",
                verdict(crawl["met"]),
            )  # fmt: skip
        )
        rows.append(
            (
                "store writes, batched",
                f"{fmt(store['store_rows_per_s'], 0)} rows/s (raw executemany "
                f"{fmt(store['baseline_rows_per_s'], 0)}, ratio {store['ratio']:.2f}; no disk: raw "
                f"{fmt(store['in_memory_raw_rows_per_s'], 0)}, "
                f"store {fmt(store['in_memory_store_rows_per_s'], 0)})",
                ">= 20,000 rows/s",
                verdict(store["met"]),
            )  # fmt: skip
        )
        rows.append(
            (
                "bytes per stored article",
                f"{fmt(crawl['bytes_per_article'] or 0, 0)} (crawl DB), "
                f"{fmt(store['bytes_per_article'], 0)} (store bench)",
                "(reported)",
                "-",
            )  # fmt: skip
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, one run each (~4 min)")
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    parser.add_argument("--only", help="comma-separated benchmark names: " + ", ".join(RUNNERS))
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    names = args.only.split(",") if args.only else list(RUNNERS)
    unknown = [name for name in names if name not in RUNNERS]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    info = machine()
    print(machine_line(info) + ("  [--quick: sizes too small to quote]" if args.quick else "") + "\n")
    started = time.monotonic()
    results: dict = {"machine": info, "quick": args.quick}
    for name in names:
        results[name] = RUNNERS[name](**plan[name])
    results["seconds"] = time.monotonic() - started
    rows = summary_rows(results)
    print("== Summary ==")
    print(machine_line(info))
    print("| figure | result | goal | verdict |\n|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(f"\n(all benchmarks took {fmt(results['seconds'] / 60, 1)} min)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
