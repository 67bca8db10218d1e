"""Run newsbot's benchmarks (docs/benchmarks.md); each prints its figures against a baseline measured in
the same run, and a summary table closes the run.

    python -m bench.run_all [NAME ...] [--quick] [--set PARAM=VALUE ...] [--json FILE]

Everything runs against servers on 127.0.0.1, in temporary directories removed afterwards. All six
take 12-21 minutes on 2 cores; --quick (small sizes, one run each) 1-2, to check the scripts.
`--set pages=500` sets that parameter of every chosen benchmark that takes it (see BENCHMARKS).
"""

from __future__ import annotations

import argparse
import ast
import inspect
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench import bounds, common, crawl, extraction, store, warc


@dataclass(frozen=True)
class Benchmark:
    name: str
    run: Callable[..., list[tuple]]
    """Prints its tables; returns summary rows (figure, this run, baseline in the same run, goal)."""
    quick: dict
    """Parameters for --quick; the full run uses the defaults of `run`."""


BENCHMARKS = [
    Benchmark("extraction", extraction.run, {"variants": 2, "rounds": 2}),
    Benchmark("throughput", crawl.throughput, {"pages": 500, "runs": 1}),
    Benchmark("memory", crawl.memory, {"pages": 2000, "budget": 60}),
    Benchmark("store", store.store, {"rows": 5000, "runs": 1}),
    Benchmark("export", store.export, {"rows": 10_000}),
    Benchmark("search", store.search, {"rows": 2000, "runs": 1}),
    Benchmark("sitemap_memory", bounds.sitemap_memory, {"articles": 100, "urls": 20_000}),
    Benchmark("page_guard", bounds.page_guard, {"rounds": 1}),
    Benchmark("warc", warc.run, {"pages": 200, "rounds": 1, "variants": 2}),
]


def parameters(chosen: list[Benchmark], quick: bool, settings: list[str]) -> dict[str, dict]:
    """Each chosen benchmark's parameters: the --quick sizes, then every --set PARAM=VALUE it takes
    (VALUE a Python literal: 500, 2.5, False)."""
    plans = {bench.name: dict(bench.quick) if quick else {} for bench in chosen}
    for setting in settings:
        name, _, value = setting.partition("=")
        taken = [bench for bench in chosen if name in inspect.signature(bench.run).parameters]
        if not taken:
            raise SystemExit(f"--set {setting}: no chosen benchmark takes {name!r}")
        for bench in taken:
            plans[bench.name][name] = ast.literal_eval(value)
    return plans


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    names = [bench.name for bench in BENCHMARKS]
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"any of {', '.join(names)} (default: all)")
    parser.add_argument("--quick", action="store_true", help="small sizes, one run each: not for quoting")
    parser.add_argument("--set", action="append", default=[], metavar="PARAM=VALUE", dest="settings")
    parser.add_argument("--json", type=Path, help="also write the summary rows to this JSON file")
    args = parser.parse_args(argv)
    if set(args.names) - set(names):
        parser.error(f"unknown benchmark(s): {', '.join(sorted(set(args.names) - set(names)))}")
    chosen = [bench for bench in BENCHMARKS if not args.names or bench.name in args.names]
    plans = parameters(chosen, args.quick, args.settings)
    print(f"machine: {common.machine()}" + ("  [--quick: sizes too small to quote]" if args.quick else ""))
    summary: dict[str, list[tuple]] = {}
    for bench in chosen:
        print(f"\n== {bench.name} {plans[bench.name] or ''} ==")
        started = time.monotonic()
        summary[bench.name] = bench.run(**plans[bench.name])
        print(f"({bench.name} took {time.monotonic() - started:.0f} s)")
    print("\n== summary ==")
    common.table(["figure", "this run", "baseline in the same run", "goal"], sum(summary.values(), []))
    if args.json:
        args.json.write_text(
            json.dumps({"machine": common.machine(), "quick": args.quick} | summary, indent=1)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
