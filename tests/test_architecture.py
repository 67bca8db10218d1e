"""The house rules that are not import contracts (those are in pyproject.toml, checked by lint-imports):
only the store (and the commands, outside a crawl) open the archive, and no module grows past 300 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

NEWSBOT = Path(__file__).resolve().parent.parent / "newsbot"
MODULES = sorted(NEWSBOT.rglob("*.py"))
OPENERS = {"Store.open", "Store.open_readonly", "sqlite3.connect", "connect_readonly"}


def archive_openers(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            name = ast.unparse(node.func)
            if name in OPENERS:
                found.append(f"{path.relative_to(NEWSBOT)}:{node.lineno} {name}")
    return found


def test_only_the_store_and_the_commands_open_the_archive():
    """During a crawl CrawlState (store/state.py) holds the one connection; spiders, downloader
    middlewares, pipelines and monitoring ask it. The commands open it before or outside a crawl."""
    allowed = ("store/", "commands/", "exporters.py")  # exporters: `scrapy export`'s job, no crawl
    openers = [found for path in MODULES for found in archive_openers(path)]
    assert openers, "the scan finds nothing: it no longer matches how the archive is opened"
    assert [found for found in openers if not found.startswith(allowed)] == []
    # Inside store/, the one place a crawl opens the archive is CrawlState's `store` property.
    in_store = {
        found.split(":")[0] for found in openers if found.startswith("store/") and "Store.open" in found
    }
    assert in_store == {"store/state.py"}


def test_crawl_components_never_hold_a_store():
    """No spider, middleware, pipeline or extension imports the Store class: they hold a CrawlState."""
    crawl_side = [path for path in MODULES if path.parent.name in ("spiders", "downloader", "monitoring")]
    crawl_side.append(NEWSBOT / "pipelines.py")
    for path in crawl_side:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("newsbot.store"):
                names = {alias.name for alias in node.names}
                assert "Store" not in names, f"{path.relative_to(NEWSBOT)} imports Store"


@pytest.mark.parametrize("path", MODULES, ids=[str(path.relative_to(NEWSBOT)) for path in MODULES])
def test_no_module_over_300_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 300
