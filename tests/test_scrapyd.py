"""Deployment: a real scrapyd on 127.0.0.1, the project deployed with scrapyd-deploy, a crawl scheduled."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from newsbot.items import ARTICLE_FIELDS
from newsbot.store import Store
from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # a real scrapyd, scrapyd-deploy and a scheduled crawl

EXPECTED = json.loads((Path(__file__).parent / "data" / "snapshot_expected.json").read_text(encoding="utf-8"))
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def call(url: str, data: dict | list | None = None) -> dict:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with urllib.request.urlopen(url, data=body, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture
def scrapyd(tmp_path):
    port = free_port()
    home = tmp_path / "scrapyd"
    home.mkdir()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        f"bind_address = 127.0.0.1\nhttp_port = {port}\n"
        f"eggs_dir = {home / 'eggs'}\nlogs_dir = {home / 'logs'}\ndbs_dir = {home / 'dbs'}\nitems_dir =\n"
        "max_proc = 1\npoll_interval = 0.5\n",
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [str(BIN / "scrapyd")], cwd=home, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if call(f"{url}/daemonstatus.json")["status"] == "ok":
                break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise
            time.sleep(0.3)
    yield url, home
    process.terminate()
    process.wait(timeout=30)


def test_deploy_schedule_and_store(scrapyd, snapshot_site, tmp_path):
    url, home = scrapyd
    deployed = subprocess.run(
        [str(BIN / "scrapyd-deploy"), "env", "-p", "newsbot", "-v", "test"],
        cwd=ROOT,
        env={**os.environ, "NEWSBOT_SCRAPYD_URL": url},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    shutil.rmtree(ROOT / "build", ignore_errors=True)
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    assert call(f"{url}/listspiders.json?project=newsbot")["spiders"] == ["articles", "opinion"]
    refused = subprocess.run(
        ["bash", str(ROOT / "deploy" / "scrapyd-schedule.sh"), "bogus"],
        env={**os.environ, "NEWSBOT_SCRAPYD_URL": url},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert refused.returncode == 1, refused.stdout + refused.stderr  # scrapyd said "error": not a success
    assert "scrapyd did not schedule bogus" in refused.stderr and "error" in refused.stderr

    db = tmp_path / "newsbot.db"
    settings = {
        "NEWSBOT_MIRROR": snapshot_site.url,
        "NEWSBOT_DB": str(db),
        "NEWSBOT_SEEDS": str(ROOT / "seeds" / "start-points.toml"),
        "DOWNLOAD_DELAY": "0",
        "AUTOTHROTTLE_ENABLED": "False",
    }
    form = [("project", "newsbot"), ("spider", "articles")]
    form += [("setting", f"{name}={value}") for name, value in settings.items()]
    job = call(f"{url}/schedule.json", form)
    assert job["status"] == "ok", job

    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        jobs = call(f"{url}/listjobs.json?project=newsbot")
        if any(finished["id"] == job["jobid"] for finished in jobs["finished"]):
            break
        time.sleep(0.5)
    else:
        pytest.fail(f"scrapyd job did not finish: {jobs}")

    log = next((home / "logs").rglob("*.log")).read_text(encoding="utf-8")
    assert "Spider closed (finished)" in log, log[-3000:]
    store = Store.open(db)
    try:
        rows = store.articles()
    finally:
        store.close()
    assert [row["article_id"] for row in rows] == [item["article_id"] for item in EXPECTED]
    for row, item in zip(rows, EXPECTED, strict=True):
        assert {name: row[name] for name in ARTICLE_FIELDS} == item
