"""Real-browser helpers: `scrapy browse` in a subprocess on a free 127.0.0.1 port, and Debian's headless
chromium driven by Selenium through Debian's chromedriver (no browser or driver is downloaded)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import ROOT, SNAPSHOT, run_scrapy

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SERVING = re.compile(r"newsbot: serving .* at (http://\S+)/ ")


def need_chromium() -> None:
    """Skip on a developer's machine without Debian's chromium; in CI (.ci/run installs it) fail."""
    if shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER):
        return
    message = "needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def crawl_snapshot(db: Path, workdir: Path) -> None:
    """The quick start's archive: `scrapy crawl articles` answered from seeds/snapshot."""
    result = run_scrapy(
        ["crawl", "articles"], workdir, {"NEWSBOT_MIRROR": str(SNAPSHOT), "NEWSBOT_DB": str(db)}
    )
    assert result.returncode == 0, result.log[-3000:]


@contextmanager
def browse_server(db: Path, log: Path, *args: str, timeout: float = 60.0) -> Iterator[str]:
    """Run `scrapy browse --port 0` over `db`; yields its base URL (no trailing slash).

    The command binds its socket before it prints the address, so the server accepts connections from
    the moment the line is there. Its log goes to a file, never a pipe nobody reads (a full pipe would
    stall the server).
    """
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "newsbot.settings", "PYTHONPATH": str(ROOT)}
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "scrapy", "browse", "--db", str(db), "--port", "0", *args],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + timeout
        while not (match := SERVING.search(log.read_text())):
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"scrapy browse did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.05)
        yield match.group(1)
    finally:
        process.terminate()
        process.wait(timeout=30)


def chromium(width: int = 1280, height: int = 1000):
    """Headless chromium under Selenium, offline: no background networking or component updates."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    arguments = [
        "--headless",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--hide-scrollbars",
        f"--window-size={width},{height}",
    ]
    if os.geteuid() == 0:
        arguments.append("--no-sandbox")  # chromium refuses to run as root with its sandbox
    for argument in arguments:
        options.add_argument(argument)
    return webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
