"""Make the screenshots of `scrapy browse` shown in the README (docs/browse-search.png,
docs/browse-chart.png): the snapshot crawled by both spiders, served, and photographed in Debian's
headless chromium.

    .venv/bin/python -m tests.screenshots
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from tests.browser import browse_server, chromium
from tests.conftest import ROOT, SNAPSHOT, run_scrapy

PAGES = {
    "browse-search.png": ("/newsbot/articles?_search=pakistan", 1280, 1000),
    "browse-chart.png": ("/newsbot/stories_per_day", 1000, 1010),
}


def main() -> None:
    with tempfile.TemporaryDirectory() as temporary:
        workdir = Path(temporary)
        db = workdir / "newsbot.db"
        for spider in ("articles", "opinion"):
            result = run_scrapy(
                ["crawl", spider], workdir, {"NEWSBOT_MIRROR": str(SNAPSHOT), "NEWSBOT_DB": str(db)}
            )
            assert result.returncode == 0, result.log[-3000:]
        with browse_server(db, workdir / "browse.log") as url:
            for name, (path, width, height) in PAGES.items():
                browser = chromium(width, height)
                try:
                    browser.get(url + path)
                    browser.find_element("css selector", "footer")
                    if "chart" in name:
                        browser.implicitly_wait(10)
                        browser.find_element("css selector", ".vega-embed canvas, .vega-embed svg")
                    browser.save_screenshot(str(ROOT / "docs" / name))
                finally:
                    browser.quit()
                print(f"docs/{name}")


if __name__ == "__main__":
    main()
