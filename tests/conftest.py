from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from uuid import uuid4

import pytest

from tests.sites import SiteServer

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT / "seeds" / "snapshot"


SCRAPY_PROGRAMS = {"scrapy", "scrapyd", "scrapyd-deploy"}


def _runs_scrapy(args) -> bool:
    argv = [args] if isinstance(args, str | bytes | os.PathLike) else list(args)
    return any(Path(os.fsdecode(arg)).name in SCRAPY_PROGRAMS for arg in argv[:3])


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """The fast tier (`pytest -m "not slow"`) starts no scrapy or scrapyd process: a test that does,
    in its body or in a fixture it sets up, fails until it is marked `@pytest.mark.slow`."""
    if item.get_closest_marker("slow"):
        yield
        return
    start = subprocess.Popen.__init__

    def refuse_scrapy(self, args, *more, **options):
        __tracebackhide__ = True
        if _runs_scrapy(args):
            self._child_created = False  # what Popen.__del__ looks at
            raise RuntimeError(f"{item.nodeid} runs {args[:3]!r}: mark it @pytest.mark.slow")
        start(self, args, *more, **options)

    subprocess.Popen.__init__ = refuse_scrapy
    try:
        yield
    finally:
        subprocess.Popen.__init__ = start


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


@pytest.fixture
def site_copy(tmp_path):
    """A private copy of the snapshot, served on 127.0.0.1, that a test may change between crawls."""
    directory = tmp_path / "site"
    shutil.copytree(SNAPSHOT, directory)
    with SiteServer(directory) as site:
        yield directory, site


@pytest.fixture
def read_only_storage(tmp_path):
    """(source, mounted, seal): files written to `source` appear under `mounted`; after `seal()` the
    mount is read-only storage (a read-only bind mount, as a read-only disk or share would be)."""
    source, mounted = tmp_path / "rw", tmp_path / "ro"
    source.mkdir()
    mounted.mkdir()
    bound = subprocess.run(["mount", "--bind", str(source), str(mounted)], capture_output=True, check=False)
    if bound.returncode != 0:
        pytest.skip(f"cannot make a read-only mount here: {bound.stderr.decode().strip()}")

    def seal() -> None:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(mounted)], check=True, capture_output=True)

    try:
        yield source, mounted, seal
    finally:
        subprocess.run(["umount", str(mounted)], check=False, capture_output=True)


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


def stored_articles(db: Path, key: str = "article_id") -> dict:
    """Every article stored in the archive at `db` (nested fields decoded), by `key`."""
    from newsbot.store import Store

    store = Store.open(db)
    try:
        return {row[key]: row for row in store.articles()}
    finally:
        store.close()


def locate(directory: Path, name: str) -> Path:
    """A WARC file named in the archive (its final name): still `.open` if its writer died unrecovered."""
    from newsbot.warc.reader import OPEN_SUFFIX

    path = directory / name
    opened = directory / (name + OPEN_SUFFIX)
    return opened if not path.exists() and opened.exists() else path


FAST = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS_PER_DOMAIN": 8}
