"""What the benchmarks share: the machine line, statistics, one table printer, and one way to run a
command (a crawl, an export) and read its own figures."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIBRARIES = ("scrapy", "twisted", "parsel", "lxml", "selectolax", "itemloaders", "trafilatura", "psutil")
EXIT_HEALTH_FAILED = 3  # `scrapy crawl` exit status when newsbot's end-of-run health checks fail
FAST = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "LOG_LEVEL": "INFO"}  # fmt: skip


def machine() -> str:
    """What the figures were measured on: cores, CPU, Python, SQLite, library versions, the tree."""
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    cpu = re.search(r"model name\s*:\s*(.*)", cpuinfo)
    versions = []
    for name in LIBRARIES:
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions.append(f"{name} {metadata.version(name)}")
    git = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True)
    return (
        f"{os.cpu_count()} cores ({cpu[1] if cpu else '?'}), Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}; {', '.join(versions)}; newsbot tree {git.stdout.strip() or '?'}"
    )


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (p99 of 200 values is the 198th smallest)."""
    ordered = sorted(values)
    return ordered[max(1, min(len(ordered), round(fraction * len(ordered) + 0.5))) - 1]


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def table(header: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Print rows as a Markdown table, the form docs/benchmarks.md records them in."""
    print("| " + " | ".join(header) + " |\n|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(str(cell) for cell in row) + " |")
    print()


def db_bytes(path: Path) -> int:
    """An SQLite file's size with its write-ahead log."""
    return sum(part.stat().st_size for part in (path, Path(f"{path}-wal")) if part.exists())


@dataclass
class Run:
    """A command's figures. CPU and peak RSS are the command's own, measured by bench/peak_rss.py in a
    fresh interpreter: a child of this process would report this process's peak (docs/benchmarks.md)."""

    returncode: int
    seconds: float
    cpu_seconds: float
    max_rss_mib: float
    log: str
    stats: dict = field(default_factory=dict)
    """A crawl's final Scrapy stats."""
    samples: list[tuple[int, float]] = field(default_factory=list)
    """(requests served so far, RSS MiB) every 0.5 s while it ran, when `progress` was given (psutil)."""

    @property
    def responses(self) -> int:
        return int(self.stats.get("downloader/response_count", 0))

    @property
    def pages_per_second(self) -> float:
        """Responses per second of Scrapy's own crawl time (engine start to close, no interpreter start)."""
        return self.responses / float(self.stats["elapsed_time_seconds"])

    @property
    def cpu_ms_per_response(self) -> float:
        return 1000 * self.cpu_seconds / max(1, self.responses)


def measure(
    command: list[str],
    workdir: Path,
    tag: str,
    env: dict,
    timeout: float = 900,
    stats_file: Path | None = None,
    progress: Callable[[], int] | None = None,
    cwd: Path = ROOT,
) -> Run:
    """Run `command` under bench/peak_rss.py, its output in workdir/TAG.log; `progress()` -> requests
    served, sampled with the command's RSS."""
    peak, log = workdir / f"{tag}.peak.json", workdir / f"{tag}.log"
    launcher = [sys.executable, str(ROOT / "bench" / "peak_rss.py"), str(peak), "--"]
    samples: list[tuple[int, float]] = []
    started = time.monotonic()
    with open(log, "wb") as output:
        process = subprocess.Popen(
            launcher + command, cwd=cwd, env=env, stdout=output, stderr=output, start_new_session=True
        )
        stop = threading.Event()
        sampler = threading.Thread(target=_sample, args=(process.pid, stop, samples, progress), daemon=True)
        sampler.start()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        finally:
            stop.set()
            sampler.join()
    text = log.read_text(errors="replace")
    if not peak.exists():
        raise RuntimeError(f"{tag}: killed after {timeout:.0f} s:\n{text[-3000:]}")
    figures = json.loads(peak.read_text())
    stats = json.loads(stats_file.read_text()) if stats_file and stats_file.exists() else {}
    return Run(
        process.returncode, time.monotonic() - started, figures["cpu_seconds"], figures["max_rss_kib"] / 1024,
        text[-3000:], stats, samples,
    )  # fmt: skip


def _sample(launcher: int, stop: threading.Event, samples: list, progress: Callable[[], int] | None) -> None:
    try:
        import psutil
    except ImportError:
        return
    with contextlib.suppress(psutil.Error):
        children: list = []
        while progress and not stop.wait(0.5):
            children = children or psutil.Process(launcher).children()  # the command, once it has started
            if children:
                samples.append((progress(), children[0].memory_info().rss / 2**20))


def project_env() -> dict:
    """The environment of a newsbot command run as a user would: the project's settings and code."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SCRAPY_")}
    return env | {"SCRAPY_SETTINGS_MODULE": "newsbot.settings", "PYTHONPATH": str(ROOT)}


def _checked(run: Run, tag: str, reasons: tuple[str, ...]) -> Run:
    """The run, unless it did not end for one of `reasons`; a failed health check (exit 3) is noted."""
    reason = run.stats.get("finish_reason")
    if reason not in reasons or run.returncode not in (0, EXIT_HEALTH_FAILED):
        raise RuntimeError(f"{tag} failed (exit {run.returncode}, finish reason {reason}):\n{run.log}")
    if run.returncode == EXIT_HEALTH_FAILED:
        print(f"  note: {tag} exited {EXIT_HEALTH_FAILED} (newsbot's health checks failed)")
    return run


def newsbot_crawl(
    site_url: str,
    workdir: Path,
    tag: str,
    timeout: float = 900,
    progress: Callable[[], int] | None = None,
    reasons: tuple[str, ...] = ("finished",),
    **settings,
) -> Run:
    """`scrapy crawl articles` through NEWSBOT_MIRROR=site_url, into a fresh workdir/TAG.db and a JSONL
    feed workdir/TAG.jsonl, with FAST settings (and `settings` on top)."""
    stats = workdir / f"{tag}.stats.json"
    feed = ["crawl", "articles", "-O", str(workdir / f"{tag}.jsonl")]
    command = [sys.executable, "-m", "scrapy", *feed]
    settings = FAST | {"NEWSBOT_MIRROR": site_url, "NEWSBOT_DB": workdir / f"{tag}.db", **settings}
    command += [f"-s{name}={value}" for name, value in (settings | {"NEWSBOT_STATS_FILE": stats}).items()]
    run = measure(command, workdir, tag, project_env(), timeout, stats, progress)
    return _checked(run, tag, reasons)


def bare_crawl(site_url: str, urls_file: Path, workdir: Path, tag: str, timeout: float = 900) -> Run:
    """bench/bare_spider.py with no project settings: the same URLs, FAST settings and robots.txt, no
    cookies; it parses nothing and yields nothing."""
    stats = workdir / f"{tag}.stats.json"
    command = [sys.executable, "-m", "scrapy", "runspider", str(ROOT / "bench" / "bare_spider.py")]
    command += [f"-aurls_file={urls_file}", f"-astats_file={stats}", f"-abase={site_url}"]
    off = ("TELNETCONSOLE_ENABLED", "REMOTE_CONTROL_ENABLED", "COOKIES_ENABLED")  # as newsbot's settings
    settings = FAST | {"ROBOTSTXT_OBEY": True} | dict.fromkeys(off, False)
    command += [f"-s{name}={value}" for name, value in settings.items()]
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SCRAPY_", "PYTHONPATH"))}
    run = measure(command, workdir, tag, env, timeout, stats, cwd=workdir)  # away from newsbot's scrapy.cfg
    return _checked(run, tag, ("finished",))
