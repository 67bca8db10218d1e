"""Peak memory of `scrapy export` on a 100k-row archive, against a 1k-row baseline in the same run.

    python bench/export_memory.py [--rows 100000] [--baseline-rows 1000] [--body-bytes 1500]

Builds two archives in a temporary directory with Store.save_articles (realistic rows: a body of
about --body-bytes, two images, authors, related editorials), then runs `scrapy export` in a child
process per format and size and reads the child's own peak RSS (ru_maxrss from os.wait4, so each
figure is one child's, not the maximum over all children). Flat memory means the 100k figure stays
within a few MiB of the 1k one. Timings are printed for information only. Results: docs/export.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newsbot.store import Store  # noqa: E402

SEEN = "2026-03-20T00:00:00+00:00"


def article(article_id: int, body_bytes: int) -> dict:
    day = f"2026-{1 + article_id % 12:02d}-{1 + article_id % 28:02d}"
    sentence = f'Para {article_id}: the quick brown fox, "quoted", jumps — اردو متن. '
    body = "\n\n".join([sentence * 4] * max(1, body_bytes // (len(sentence) * 4)))
    return {
        "type": "article",
        "url": f"https://www.dawn.com/news/{article_id}",
        "article_id": article_id,
        "title": f'Headline number {article_id}, with a comma and "quotes"',
        "section": ("Pakistan", "World", "Business", "Opinion")[article_id % 4],
        "genre": ("news", "news", "opinion", "editorial")[article_id % 4],
        "authors": ["Jane Doe", "John Roe"][: article_id % 3],
        "published_at": day if article_id % 5 == 0 else f"{day}T{article_id % 24:02d}:15:00+05:00",
        "updated_at": None,
        "description": f"Standfirst of story {article_id}.",
        "body": body,
        "images": [
            {
                "url": f"https://i.dawn.com/large/{article_id}-{n}.jpg",
                "caption": "A caption.",
                "credit": "AFP",
            }
            for n in range(2)
        ],
        "related_editorials": [
            {
                "url": f"https://www.dawn.com/news/{article_id + 1}",
                "title": "Editorial",
                "teaser": "An excerpt...",
                "published_at": None,
                "updated_at": "2026-03-12",
            }
        ],
    }


def build(path: Path, rows: int, body_bytes: int) -> Path:
    store = Store.open(path)
    batch = 1000
    for start in range(1, rows + 1, batch):
        ids = range(start, min(start + batch, rows + 1))
        store.save_articles([article(n, body_bytes) for n in ids], seen_at=SEEN)
    store.close()
    return path


def peak_rss(args: list[str]) -> tuple[int, float, int]:
    """Run `scrapy <args>` in a child; its peak RSS in KiB, wall seconds and exit status."""
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "newsbot.settings", "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "scrapy", *args], cwd=ROOT, env=env)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    peak = usage.ru_maxrss if sys.platform != "darwin" else usage.ru_maxrss // 1024
    return peak, time.perf_counter() - started, child.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--baseline-rows", type=int, default=1_000)
    parser.add_argument("--body-bytes", type=int, default=1_500)
    options = parser.parse_args()
    cases = [
        ("csv", []),
        ("json", []),
        ("jsonl", []),
        ("csv", ["--since", "2026-03-01", "--until", "2026-09-30", "--genre", "news"]),
        ("jsonl", ["--new"]),
    ]
    with tempfile.TemporaryDirectory(prefix="export-bench-") as directory:
        work = Path(directory)
        started = time.perf_counter()
        small = build(work / "small.db", options.baseline_rows, options.body_bytes)
        big = build(work / "big.db", options.rows, options.body_bytes)
        print(
            f"built archives of {options.baseline_rows} and {options.rows} rows "
            f"({big.stat().st_size / 2**20:.0f} MiB) in {time.perf_counter() - started:.0f} s",
            file=sys.stderr,
        )
        print(f"Python {platform.python_version()}, {platform.system()} {platform.machine()}\n")
        columns = ("format", "options", "archive rows", "peak RSS, baseline", "peak RSS, full", "difference")
        print("| " + " | ".join((*columns, "output", "time")) + " |")
        print("|---|---|---|---|---|---|---|---|")
        for export_format, extra in cases:
            figures = []
            for db in (small, big):
                output = work / f"{db.stem}.{export_format}"
                peak, seconds, status = peak_rss(["export", "--db", str(db), "-o", str(output), *extra])
                if status != 0:
                    sys.exit(f"scrapy export {export_format} {extra} on {db.name} exited with {status}")
                figures.append((peak, seconds, output.stat().st_size))
            (base, _, _), (full, seconds, size) = figures
            print(
                f"| {export_format} | {' '.join(extra) or '-'} | {options.rows:,} | {base / 1024:.1f} MiB "
                f"| {full / 1024:.1f} MiB | {(full - base) / 1024:+.1f} MiB | {size / 2**20:.0f} MiB "
                f"| {seconds:.1f} s |"
            )


if __name__ == "__main__":
    main()
