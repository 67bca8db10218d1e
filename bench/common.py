"""Shared by the benchmarks: machine description, statistics, crawl subprocesses, the loopback site."""

from __future__ import annotations

import json
import os
import platform
import signal
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

LIBRARIES = ("scrapy", "twisted", "parsel", "lxml", "selectolax", "itemloaders", "trafilatura", "psutil")


def machine() -> dict:
    """What the figures were measured on: cores, CPU, Python, SQLite and library versions."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    import lxml.etree

    versions["libxml2"] = ".".join(map(str, lxml.etree.LIBXML_VERSION))
    versions["sqlite"] = sqlite3.sqlite_version
    try:
        tree = subprocess.run(
            ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        tree = ""
    return {
        "tree": tree,
        "cores": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "libraries": versions,
    }


def machine_line(info: dict | None = None) -> str:
    info = info or machine()
    libs = ", ".join(f"{name} {version}" for name, version in info["libraries"].items() if version)
    return (
        f"machine: {info['cores']} cores ({info['cpu']}), Python {info['python']}; {libs}; "
        f"newsbot tree {info.get('tree') or '?'}"
    )


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (p99 of 200 values is the 198th smallest)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.5)))
    return ordered[rank - 1]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def verdict(ok: bool) -> str:
    return "MET" if ok else "MISSED"


# --- subprocess crawls ------------------------------------------------------------------------


@dataclass
class CrawlRun:
    returncode: int
    seconds: float
    """Wall time of the whole subprocess (interpreter start to exit)."""
    cpu_seconds: float
    """User + system CPU of the crawl process (from wait4, in bench/peak_rss.py)."""
    max_rss_mib: float
    """Peak resident set of the crawl process itself (ru_maxrss, measured by bench/peak_rss.py)."""
    stats: dict
    log_tail: str
    samples: list[tuple[float, int, float]] = field(default_factory=list)
    """(seconds since start, requests served so far, RSS MiB) while it ran, when psutil is available."""

    @property
    def responses(self) -> int:
        return int(self.stats.get("downloader/response_count", 0))

    @property
    def elapsed(self) -> float:
        """Scrapy's own crawl time (engine start to close), excluding interpreter and import time."""
        return float(self.stats.get("elapsed_time_seconds") or self.seconds)

    @property
    def pages_per_second(self) -> float:
        return self.responses / self.elapsed if self.elapsed else float("nan")


def run_crawl(
    command: list[str],
    cwd: Path,
    env: dict,
    stats_file: Path,
    timeout: float,
    progress=None,
) -> CrawlRun:
    """Run a crawl subprocess under bench/peak_rss.py (its own peak RSS and CPU, not this process's);
    `progress()` -> requests served."""
    log_path = stats_file.with_suffix(".log")
    peak_path = stats_file.with_suffix(".peak.json")
    launcher = [sys.executable, str(ROOT / "bench" / "peak_rss.py"), str(peak_path), "--"]
    started = time.monotonic()
    samples: list[tuple[float, int, float]] = []
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            launcher + command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        stop = threading.Event()
        sampler = threading.Thread(target=_sample, args=(process.pid, stop, started, samples, progress))
        sampler.daemon = True
        sampler.start()
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                os.killpg(process.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.05)
        process.returncode = os.waitstatus_to_exitcode(status)
        stop.set()
        sampler.join()
    seconds = time.monotonic() - started
    stats = json.loads(stats_file.read_text()) if stats_file.exists() else {}
    tail = log_path.read_text(errors="replace")[-3000:]
    # Killed at the deadline, the launcher wrote nothing: fall back to wait4 on it (an upper bound).
    peak = json.loads(peak_path.read_text()) if peak_path.exists() else {}
    return CrawlRun(
        returncode=process.returncode,
        seconds=seconds,
        cpu_seconds=peak.get("cpu_seconds", usage.ru_utime + usage.ru_stime),
        max_rss_mib=peak.get("max_rss_kib", usage.ru_maxrss) / 1024,
        stats=stats,
        log_tail=tail,
        samples=samples,
    )


def _sample(pid: int, stop: threading.Event, started: float, samples: list, progress) -> None:
    try:
        import psutil
    except ImportError:
        return
    try:
        launcher = psutil.Process(pid)
        process = None
        while not stop.wait(0.5):
            if process is None:  # the crawl is the launcher's one child (bench/peak_rss.py)
                children = launcher.children()
                if not children:
                    continue
                process = children[0]
            rss = process.memory_info().rss / 2**20
            samples.append((time.monotonic() - started, progress() if progress else 0, rss))
    except psutil.Error:
        return


def crawl_env() -> dict:
    """The environment for `scrapy crawl` in the project: newsbot settings, project on the path."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SCRAPY_")}
    env["SCRAPY_SETTINGS_MODULE"] = "newsbot.settings"
    env["PYTHONPATH"] = str(ROOT)
    return env


def bare_env() -> dict:
    """The environment for the bare spider: no project settings at all."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SCRAPY_")}
    env.pop("PYTHONPATH", None)
    return env


FAST_CRAWL = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "LOG_LEVEL": "INFO",
}


def newsbot_crawl(
    site_url: str, workdir: Path, db: Path, tag: str, timeout: float, progress=None, extra: dict | None = None
) -> CrawlRun:
    """`scrapy crawl articles` against the loopback mirror, with a JSONL feed and the given DB."""
    stats_file = workdir / f"stats-{tag}.json"
    settings = {
        **FAST_CRAWL,
        "NEWSBOT_MIRROR": site_url,
        "NEWSBOT_DB": str(db),
        "NEWSBOT_STATS_FILE": str(stats_file),
        **(extra or {}),
    }
    command = [sys.executable, "-m", "scrapy", "crawl", "articles", "-O", str(workdir / f"{tag}.jsonl")]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    return run_crawl(command, ROOT, crawl_env(), stats_file, timeout, progress)


def bare_crawl(site_url: str, urls_file: Path, workdir: Path, tag: str, timeout: float) -> CrawlRun:
    """The bare spider (bench/bare_spider.py): fetches the same URLs and yields nothing."""
    stats_file = workdir / f"stats-{tag}.json"
    command = [
        sys.executable, "-m", "scrapy", "runspider", str(ROOT / "bench" / "bare_spider.py"),
        "-a", f"urls_file={urls_file}", "-a", f"stats_file={stats_file}", "-a", f"base={site_url}",
        "-s", "ROBOTSTXT_OBEY=True", "-s", "TELNETCONSOLE_ENABLED=False",
        "-s", "REMOTE_CONTROL_ENABLED=False",
        "-s", "COOKIES_ENABLED=False",
    ]  # fmt: skip
    for name, value in FAST_CRAWL.items():
        command += ["-s", f"{name}={value}"]
    return run_crawl(command, workdir, bare_env(), stats_file, timeout)


EXIT_HEALTH_FAILED = 3  # newsbot's `scrapy crawl` exit status when its end-of-run health checks fail


def check_crawl(run: CrawlRun, label: str, reasons: tuple[str, ...] = ("finished",)) -> None:
    """Raise unless the crawl ended for one of `reasons`; a failed health check (exit 3) is only noted."""
    if run.stats.get("finish_reason") not in reasons or run.returncode not in (0, EXIT_HEALTH_FAILED):
        raise RuntimeError(
            f"{label} failed (exit {run.returncode}, finish reason {run.stats.get('finish_reason')}):\n"
            + run.log_tail
        )
    if run.returncode == EXIT_HEALTH_FAILED and run.stats.get("finish_reason") == "finished":
        print(f"  note: {label} exited {EXIT_HEALTH_FAILED} (newsbot's health checks failed)")


def fmt(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}"
