"""Benchmark: what WARC capture costs per response and on disk, and how fast `scrapy reextract` runs with one
and with two worker processes (issue 14).

    .venv/bin/python -m bench.warc [--pages 1200] [--rounds 3] [--variants 6] [--quick]

Over the Dawn-sized padded corpus (bench/corpus.py: 34 fixture pages x `variants`, 150-550 KB each):

1. Capture CPU per response: exactly what WarcCapture.response_downloaded does for one article response
   (exchange_of, RecordMaker.pair, WarcFiles.write) plus one fsync per 100 responses (StorePipeline's
   batch), timed with time.process_time over the whole corpus, per transfer encoding: `identity` (a
   mirror or a server that does not compress), `gzip` (level 6) and `br` (quality 5): what Dawn,
   behind Cloudflare, sends a client that accepts them (Scrapy asks for gzip, deflate, br, zstd).
   Scrapy Request/Response objects are built outside the timer. Baseline, same pages, same run:
   ArticlePage(response).item() (the extraction every article response pays). Goal: <= 1 ms.
2. Bytes on disk per article page: the response + request records' gzip members, per encoding (mean).
3. Re-extraction: a WARC of `pages` captures (gzip transfer, distinct URLs) is re-extracted into a fresh
   archive by newsbot.reextract.run.reextract (the command's engine, in this process) with jobs=1 and
   jobs=2, alternately, `rounds` times. pages/s = captures / wall seconds (the scan, the worker pool's
   start-up and every SQLite write included); the speed-up is jobs2 / jobs1 within a round, then the
   median. The CPU of this process, of its WARC scan and of the workers is recorded too, and the
   speed-up two free cores would give is computed from it (Rate.free_cores_seconds), since on a shared
   machine more processes need not get more CPU. Goal: >= 1.8 with two processes on two cores. The
   load average is printed with the figures.
4. Extraction vs the Lexbor parse floor (the issue's second goal): per page, the least CPU time of 5
   calls of ArticlePage(response).item() over the least of 5 LexborHTMLParser(body) plus one CSS query
   (what any selectolax page object pays first); the figure is the median ratio. Goal: <= 1.5.
"""

from __future__ import annotations

import argparse
import gzip
import os
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import brotli
from scrapy import Request
from scrapy.http import HtmlResponse
from selectolax.lexbor import LexborHTMLParser

from bench.common import machine, median, verdict
from bench.corpus import Page, corpus
from newsbot.downloader.capture import exchange_of
from newsbot.monitoring.progressbar import ProgressBar
from newsbot.pages import ArticlePage
from newsbot.reextract.run import Extraction, Job, reextract
from newsbot.store import Store
from newsbot.warc.files import WarcFiles
from newsbot.warc.reader import warc_files
from newsbot.warc.records import warc_date

GOAL_CAPTURE_MS = 1.0
GOAL_SPEEDUP = 1.8
GOAL_PARSE_RATIO = 1.5
ENCODINGS = {
    "identity": lambda body: body,
    "gzip": lambda body: gzip.compress(body, 6),
    "br": lambda body: brotli.compress(body, quality=5),  # a CDN's on-the-fly level, not the slow 11
}
HTML = {"Content-Type": "text/html; charset=utf-8"}
REQUEST_HEADERS = {
    "User-Agent": "newsbot/0.1 (research archive crawler of www.dawn.com; obeys robots.txt)",
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en",
    "Accept-Encoding": "gzip, deflate, br, zstd",
}


def fmt(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}"


def exchange(page: Page, url: str, encoding: str) -> tuple[Request, HtmlResponse]:
    """A request and its response as the download handler hands them over (body as transferred)."""
    body = ENCODINGS[encoding](page.body)
    headers = {
        "Content-Type": "text/html; charset=utf-8",
        "Content-Length": str(len(body)),
        "Date": "Sat, 14 Mar 2026 09:30:00 GMT",
        "Server": "cloudflare",
        "Cache-Control": "max-age=60",
        "ETag": '"5f3a1c"',
        "Vary": "Accept-Encoding",
    }
    if encoding != "identity":
        headers["Content-Encoding"] = encoding
    request = Request(url, headers=REQUEST_HEADERS)
    return request, HtmlResponse(
        url, status=200, headers=headers, body=body, request=request, protocol="HTTP/1.1"
    )


def write_captures(
    directory: Path, pages: list[Page], count: int, encoding: str
) -> tuple[float, int, int, list[int]]:
    """Capture `count` responses (pages cycled, distinct URLs) into `directory`; (CPU seconds, bytes
    written, responses, body sizes as transferred)."""
    files = WarcFiles(directory, "newsbot-bench", 10**12, lambda name: {"software": "newsbot bench"})
    prepared = [
        exchange(pages[number % len(pages)], f"https://www.dawn.com/news/{3_000_000 + number}", encoding)
        for number in range(count)
    ]
    written = 0
    started = time.process_time()
    for number, (request, response) in enumerate(prepared, start=1):
        records = files.maker.pair(exchange_of(request, response, warc_date(), mirrored=False))
        written += sum(part.length for part in files.write(list(records)))
        if number % 100 == 0:
            files.sync()
    files.sync()
    cpu = time.process_time() - started
    files.close()
    return cpu, written, count, [len(response.body) for _, response in prepared]


def cpu_ms(call, rounds: int) -> float:
    """The least CPU time of `rounds` calls, in ms: time.process_time, so the time other processes of a
    shared machine take is not counted, and the least, so a call slowed by a cache flush is not either."""
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        call()
        best = min(best, time.process_time() - started)
    return best * 1000


def extract_fresh(response: HtmlResponse) -> None:
    ArticlePage(response.replace()).item()


def parse_floor(body: bytes) -> None:
    LexborHTMLParser(body).css_first("h2.story__title")


def extraction_and_floor(pages: list[Page], rounds: int = 5) -> tuple[list[float], list[float]]:
    """Per page: ArticlePage(response).item() and the Lexbor parse floor (LexborHTMLParser plus one CSS
    query), CPU ms. Each extraction gets a fresh response (page objects remember per response)."""
    extraction, floor = [], []
    for page in pages:
        response = HtmlResponse(page.url, body=page.body, headers=HTML)
        extraction.append(cpu_ms(partial(extract_fresh, response), rounds))
        floor.append(cpu_ms(partial(parse_floor, page.body), rounds))
    return extraction, floor


class Silent(ProgressBar):
    """No output; remembers this process's CPU time when the WARC scan (the first stage) finished."""

    scan_cpu = 0.0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, stream=open(os.devnull, "w"), **kwargs)  # noqa: SIM115

    def finish(self) -> None:
        super().finish()
        if self.label == "reading WARC":
            Silent.scan_cpu = time.process_time()


@dataclass
class Rate:
    pages: int
    wall: float
    main_cpu: float
    scan_cpu: float
    workers_cpu: float

    @property
    def per_second(self) -> float:
        return self.pages / self.wall

    def free_cores_seconds(self, jobs: int) -> float:
        """The wall time this run would take with `jobs` + 1 free cores: the scan, then the slower of
        this process's remaining work and the workers' share (work splits evenly in 8-page batches)."""
        if jobs == 1:
            return self.main_cpu
        return self.scan_cpu + max(self.main_cpu - self.scan_cpu, self.workers_cpu / jobs)


def reextract_rate(warc: Path, workdir: Path, jobs: int) -> Rate:
    """One re-extraction of `warc` into a fresh archive: wall time and CPU of this process and its workers."""
    db = workdir / f"reextract-{jobs}.db"
    for leftover in workdir.glob(db.name + "*"):
        leftover.unlink()
    Store.open(db).close()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu, started = time.process_time(), time.perf_counter()
    with Extraction(jobs) as extraction:  # as `scrapy reextract` does: fork, then open the archive
        store = Store.open(db)
        try:
            report = reextract(Job(db, warc_files(warc), jobs=jobs), store, extraction, progress=Silent)
        finally:
            store.close()
    wall, main_cpu = time.perf_counter() - started, time.process_time() - cpu
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    workers = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    pages = report.captures["article"]
    assert report.articles["new"] == pages, report
    return Rate(pages, wall, main_cpu, Silent.scan_cpu - cpu, workers)


def run(pages: int = 1200, rounds: int = 3, variants: int = 6) -> list[tuple]:
    """Prints the figures; returns the summary rows of bench.run_all (figure, this run, baseline, goal)."""
    sample = corpus(variants)
    print(f"machine: {machine()}")
    print(f"load average before: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    results: dict = {"pages": pages, "corpus": len(sample)}
    with tempfile.TemporaryDirectory(dir="/var/tmp") as temporary:
        workdir = Path(temporary)
        extract, floor = extraction_and_floor(sample)
        results["extraction_ms"] = median(extract)
        size = median([len(page.body) for page in sample]) / 1024
        print(f"\n1-2. capture, {len(sample)} Dawn-sized pages (median {size:.0f} KB)")
        print(f"  baseline: ArticlePage extraction of the same pages, median {fmt(median(extract), 2)} ms")
        sizes: dict[str, list[int]] = {}
        for encoding in ENCODINGS:
            directory = workdir / f"capture-{encoding}"
            directory.mkdir()
            cpu, written, count, sizes[encoding] = write_captures(directory, sample, len(sample), encoding)
            per_ms = cpu / count * 1000
            transferred = statistics.mean(sizes[encoding])
            results[f"capture_ms_{encoding}"] = per_ms
            results[f"bytes_per_page_{encoding}"] = written / count
            print(
                f"  {encoding:8} CPU {fmt(per_ms, 3)} ms/response (goal <= {GOAL_CAPTURE_MS}: "
                f"{verdict(per_ms <= GOAL_CAPTURE_MS)}); on disk {written / count / 1024:.1f} KB per page "
                f"(mean; {transferred / 1024:.1f} KB transferred)"
            )
        warc = workdir / "reextract-warc"
        warc.mkdir()
        write_captures(warc, sample, pages, "gzip")
        print(f"\n3. re-extraction of {pages} captures (gzip transfer), {rounds} rounds, jobs 1 then 2")
        speedups, estimates, rates = [], [], {1: [], 2: []}
        for number in range(rounds):
            one, two = reextract_rate(warc, workdir, 1), reextract_rate(warc, workdir, 2)
            rates[1].append(one.per_second)
            rates[2].append(two.per_second)
            speedups.append(two.per_second / one.per_second)
            estimates.append(one.free_cores_seconds(1) / two.free_cores_seconds(2))
            print(
                f"  round {number + 1}: jobs 1 {fmt(one.per_second)} pages/s ({fmt(one.main_cpu, 2)} s CPU), "
                f"jobs 2 {fmt(two.per_second)} pages/s ({fmt(two.main_cpu, 2)} s CPU here of which "
                f"{fmt(two.scan_cpu, 2)} s scan, {fmt(two.workers_cpu, 2)} s in workers): wall x"
                f"{fmt(two.per_second / one.per_second, 2)}, on free cores x{fmt(estimates[-1], 2)}"
            )
        speedup, estimate = median(speedups), median(estimates)
        results.update(
            reextract_jobs1=median(rates[1]),
            reextract_jobs2=median(rates[2]),
            speedup=speedup,
            speedup_free_cores=estimate,
        )
        print(
            f"  median: jobs 1 {fmt(median(rates[1]))} pages/s, jobs 2 {fmt(median(rates[2]))} pages/s; "
            f"speed-up measured x{fmt(speedup, 2)}, on free cores (from CPU times) x{fmt(estimate, 2)} "
            f"(goal >= {GOAL_SPEEDUP}: measured {verdict(speedup >= GOAL_SPEEDUP)}, "
            f"estimated {verdict(estimate >= GOAL_SPEEDUP)})"
        )
        ratios = [full / least for full, least in zip(extract, floor, strict=True)]
        results["parse_floor_ratio"] = median(ratios)
        results["parse_floor_ratio_total"] = sum(extract) / sum(floor)
        print(
            f"\n4. extraction {fmt(median(extract), 2)} ms / Lexbor parse floor {fmt(median(floor), 2)} ms "
            f"(medians, CPU): per page median x{fmt(median(ratios), 2)}, range x{fmt(min(ratios), 2)}-"
            f"x{fmt(max(ratios), 2)}, all pages x{fmt(sum(extract) / sum(floor), 2)} "
            f"(goal <= {GOAL_PARSE_RATIO}: {verdict(median(ratios) <= GOAL_PARSE_RATIO)})"
        )
    print(f"load average after: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    capture = ", ".join(f"{name} {fmt(results[f'capture_ms_{name}'], 2)}" for name in ENCODINGS)
    on_disk = ", ".join(f"{name} {results[f'bytes_per_page_{name}'] / 1024:.1f}" for name in ENCODINGS)
    compressed_ok = max(results["capture_ms_gzip"], results["capture_ms_br"]) <= GOAL_CAPTURE_MS
    identity_ok = results["capture_ms_identity"] <= GOAL_CAPTURE_MS
    one, two = results["reextract_jobs1"], results["reextract_jobs2"]
    measured, estimated = results["speedup"], results["speedup_free_cores"]
    ratio = results["parse_floor_ratio"]
    return [
        ("WARC capture CPU per response, ms", capture, f"extraction {fmt(results['extraction_ms'], 2)} ms",
         f"<= {GOAL_CAPTURE_MS} ms: {verdict(compressed_ok)} compressed, {verdict(identity_ok)} identity"),
        ("WARC KB on disk per article page", on_disk, "", "reported"),
        ("reextract pages/s, --jobs 1 / 2", f"{fmt(one)} / {fmt(two)}",
         f"x{fmt(measured, 2)} measured, x{fmt(estimated, 2)} on free cores",
         f">= x{GOAL_SPEEDUP}: {verdict(measured >= GOAL_SPEEDUP)} measured, "
         f"{verdict(estimated >= GOAL_SPEEDUP)} on free cores"),
        ("extraction / Lexbor parse floor", f"x{fmt(ratio, 2)}", f"floor {fmt(median(floor), 2)} ms",
         f"<= x{GOAL_PARSE_RATIO}: {verdict(ratio <= GOAL_PARSE_RATIO)}"),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--variants", type=int, default=6)
    parser.add_argument("--quick", action="store_true", help="small corpus, one round: checks the script")
    args = parser.parse_args()
    if args.quick:
        run(pages=200, rounds=1, variants=2)
    else:
        run(args.pages, args.rounds, args.variants)


if __name__ == "__main__":
    sys.exit(main())
