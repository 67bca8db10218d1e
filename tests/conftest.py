from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from uuid import uuid4

import pytest

from tests.sites import SiteServer

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT / "seeds" / "snapshot"


@pytest.fixture
def store(tmp_path):
    """A new archive (a real SQLite file) for store tests."""
    from newsbot.store import Store

    store = Store.open(tmp_path / "archive.db")
    yield store
    store.close()


@pytest.fixture(scope="session")
def snapshot_site():
    with SiteServer(SNAPSHOT) as site:
        yield site


@pytest.fixture(autouse=True)
def _scripts_do_not_leak(request):
    """Scripted answers a test left unused on the shared snapshot site must not reach the next test."""
    yield
    if "snapshot_site" in request.fixturenames:
        request.getfixturevalue("snapshot_site").reset()


class CrawlResult:
    def __init__(self, completed: subprocess.CompletedProcess, stats_file: Path):
        self.returncode = completed.returncode
        self.log = completed.stderr
        self.stdout = completed.stdout
        self.stats = json.loads(stats_file.read_text()) if stats_file.exists() else {}


def scrapy_command(args: list[str], settings: dict, stats_file: Path | None = None) -> list[str]:
    """`python -m scrapy <args> -s NAME=value ...`, with the final stats written to `stats_file`."""
    command = [sys.executable, "-m", "scrapy", *args]
    if stats_file is not None:
        command += ["-s", f"NEWSBOT_STATS_FILE={stats_file}"]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    return command


def run_scrapy(
    args: list[str], workdir: Path, settings: dict | None = None, timeout: int = 300
) -> CrawlResult:
    """Run `scrapy <args>` as a user would, in a subprocess from the project directory.

    The crawl's final stats are written to a JSON file in `workdir` (NEWSBOT_STATS_FILE).
    """
    stats_file = workdir / f"stats-{uuid4().hex}.json"
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "newsbot.settings", "PYTHONPATH": str(ROOT)}
    completed = subprocess.run(
        scrapy_command(args, settings or {}, stats_file),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return CrawlResult(completed, stats_file)


def newsbot_crawler(spidercls, **settings):
    """A crawler with the project's settings (its extensions built, CrawlState among them) and `settings`
    on top, its stats open: for component and spider tests that run no crawl."""
    from scrapy.utils.test import get_crawler

    from newsbot import settings as project_settings

    project = {name: getattr(project_settings, name) for name in dir(project_settings) if name.isupper()}
    crawler = get_crawler(spidercls, {**project, **settings})
    crawler.stats.open_spider()
    return crawler


FAST = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS_PER_DOMAIN": 8}
