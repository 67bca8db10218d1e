"""`scrapy browse` as a user meets it: the command's checks, then the page in a real browser (Debian's
headless chromium through Selenium) over the quick start's archive, crawled from seeds/snapshot.

Expectations come from the hand-written oracle of the snapshot (tests/data/snapshot_expected.json).
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import sqlite3
import urllib.error
import urllib.request
from datetime import date, timedelta

import pytest

from newsbot.browse.app import metadata
from newsbot.store import Store
from newsbot.store.queries import BROWSE_QUERIES
from tests.browser import browse_server, chromium, crawl_snapshot, need_chromium
from tests.conftest import run_scrapy
from tests.test_e2e import EXPECTED
from tests.test_store import article

pytestmark = pytest.mark.slow  # every test here runs scrapy (the crawl, the server) in a subprocess

SEARCHED = "uranium"


def searchable(item: dict) -> str:
    captions = " ".join(image["caption"] or "" for image in item["images"])
    return " ".join([item["title"], item["description"] or "", item["body"], *item["authors"], captions])


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("browse")
    db = workdir / "newsbot.db"
    crawl_snapshot(db, workdir)
    return db


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


# --- the command ------------------------------------------------------------------------------------


def test_canned_queries_have_metadata_and_run_on_a_read_only_archive(archive):
    queries = metadata()["databases"]["newsbot"]["queries"]
    assert set(queries) == set(BROWSE_QUERIES)
    connection = sqlite3.connect(f"file:{archive}?mode=ro", uri=True)
    results = {
        name: connection.execute(query["sql"], {"day": "", "author": "Editorial"}).fetchall()
        for name, query in queries.items()
    }
    editorials = [item for item in EXPECTED if item["genre"] == "editorial"]
    newest_day = max(item["published_at"][:10] for item in editorials)
    assert sorted(row[1] for row in results["todays_editorials"]) == sorted(
        item["title"] for item in editorials if item["published_at"].startswith(newest_day)
    )
    photos = [image for item in EXPECTED for image in item["images"]]
    credits = {row[0]: row[1] for row in results["credits_by_agency"]}
    assert credits["Reuters/File"] == sum(image["credit"] == "Reuters/File" for image in photos)
    newest = max(date.fromisoformat(item["published_at"][:10]) for item in EXPECTED)
    window = (newest - timedelta(days=60)).isoformat()  # the charts show the archive's last 60 days
    assert sum(row[2] for row in results["stories_per_day"]) == sum(
        item["published_at"][:10] > window for item in EXPECTED
    )
    assert [row[4] for row in results["last_runs"]] == ["ok"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--db", "{tmp}/missing.db"], "no database at"),
        (["--db", "{tmp}/notes.db"], "not a usable newsbot SQLite store"),
        (["--host", "0.0.0.0"], "--host 0.0.0.0 serves the archive beyond this machine: add --public"),
        (["--port", "http"], "--port 'http' is not a port number"),
        (["--port", "70000"], "--port '70000' is not a port number"),
        (["--port", "{busy}"], "cannot listen on 127.0.0.1:{busy}: Address already in use"),
        (["--db", "{tmp}/a?b.db"], "a path with ?, # or % cannot be served"),
        (["extra"], "unexpected argument(s): extra"),
    ],
)
def test_mistakes_end_with_one_line_and_exit_2(archive, tmp_path, args, message):
    (tmp_path / "notes.db").write_bytes(b"not a database " * 200)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        given = [arg.format(tmp=tmp_path, busy=port) for arg in args]
        if "--db" not in given:
            given += ["--db", str(archive)]
        result = run_scrapy(["browse", *given], tmp_path)
    assert result.returncode == 2
    assert message.format(busy=port) in result.log
    assert len(result.log.strip().splitlines()) == 1, result.log
    assert not (tmp_path / "missing.db").exists()
    assert (tmp_path / "notes.db").read_bytes() == b"not a database " * 200


def test_the_page_shows_what_a_running_crawl_commits_and_never_writes(archive, tmp_path):
    db = tmp_path / "live.db"
    shutil.copy(archive, db)
    with browse_server(db, tmp_path / "browse.log") as url:
        count = f"{url}/newsbot/articles.json?_shape=array&_col=article_id&_size=max"
        assert len(json.loads(get(count)[1])) == len(EXPECTED)
        store = Store.open(db)
        try:
            store.save_articles([article(1, title="Committed while serving")], seen_at="2026-03-20T00:00:00")
        finally:
            store.close()
        assert len(json.loads(get(count)[1])) == len(EXPECTED) + 1
        assert get(f"{url}/newsbot.json?sql=DELETE+FROM+articles")[0] == 400
        assert (
            get(f"{url}/newsbot/articles.json?_search_title=uranium")[0] == 400
        )  # see newsbot.browse.plugin
    assert sqlite3.connect(db).execute("SELECT count(*) FROM articles").fetchone()[0] == len(EXPECTED) + 1


# --- in the browser ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    need_chromium()
    driver = chromium()
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def local(archive, tmp_path_factory):
    with browse_server(archive, tmp_path_factory.mktemp("local") / "browse.log") as url:
        yield url


def wait_for(browser, css: str, timeout: float = 20):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, timeout).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css))
    )


def leave_page(browser, action) -> None:
    """Do `action` (a click, a submit) and wait until the page it leads to has replaced this one: the
    old page's elements are still there for a moment after a click, and must never be read as the
    new page's."""
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    old = browser.find_element("css selector", "html")
    action()
    WebDriverWait(browser, 20).until(expected_conditions.staleness_of(old))
    WebDriverWait(browser, 20).until(
        lambda driver: driver.execute_script("return document.readyState") == "complete"
    )


def count_shown(browser) -> int:
    heading = wait_for(browser, "form.filters").find_element("xpath", "preceding-sibling::h3[1]").text
    return int(re.match(r"([\d,]+) rows?", heading).group(1).replace(",", ""))


def titles_shown(browser) -> list[str]:
    return [
        cell.text for cell in browser.find_elements("css selector", "table.rows-and-columns td.col-title")
    ]


def test_search_finds_exactly_the_story_with_the_word(browser, local):
    having = [item for item in EXPECTED if SEARCHED in searchable(item).lower()]
    assert len(having) == 1, "the oracle must have exactly one story with the searched word"
    browser.get(f"{local}/newsbot/articles")
    assert count_shown(browser) == len(EXPECTED)
    box = wait_for(browser, "input#_search")
    box.send_keys(SEARCHED.upper())
    leave_page(browser, box.submit)
    assert count_shown(browser) == 1
    assert titles_shown(browser) == [having[0]["title"]]


def test_a_facet_narrows_the_rows(browser, local):
    browser.get(f"{local}/newsbot/articles")
    assert count_shown(browser) == len(EXPECTED)
    link = wait_for(browser, ".facet-info[data-column='genre'] a[href*='genre=editorial']")
    leave_page(browser, link.click)
    editorials = [item for item in EXPECTED if item["genre"] == "editorial"]
    assert count_shown(browser) == len(editorials)
    assert sorted(titles_shown(browser)) == sorted(item["title"] for item in editorials)


def test_an_article_reads_as_an_article_with_caption_and_credit(browser, local):
    item = next(item for item in EXPECTED if SEARCHED in searchable(item).lower())
    browser.get(f"{local}/newsbot/articles?_search={SEARCHED}")
    leave_page(browser, wait_for(browser, "td.col-url a").click)
    heading = wait_for(browser, ".newsbot-article h1")
    assert heading.text == item["title"]
    caption = browser.find_element("css selector", ".newsbot-article figure figcaption")
    assert caption.find_element("css selector", ".caption").text == item["images"][0]["caption"]
    assert caption.find_element("css selector", ".credit").text == f"— {item['images'][0]['credit']}"
    paragraphs = browser.find_elements("css selector", ".newsbot-article .body p")
    assert [p.text for p in paragraphs] == item["body"].split("\n\n")
    links = browser.find_elements("css selector", ".newsbot-article ul.editorials > li > a")
    assert [a.text for a in links] == [editorial["title"] for editorial in item["related_editorials"]]


def chart_pixels(browser) -> int:
    """How many pixels of the rendered vega chart are painted (its canvas, or its SVG's marks)."""
    wait_for(browser, ".vega-embed canvas, .vega-embed svg")
    return browser.execute_script(
        """
        const canvas = document.querySelector('.vega-embed canvas');
        if (!canvas) { return document.querySelectorAll('.vega-embed svg path').length; }
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) painted++; }
        return painted;
        """
    )


@pytest.mark.parametrize("query", ["stories_per_day", "runs_per_day"])
def test_charts_render(browser, local, query):
    browser.get(f"{local}/newsbot/{query}")  # no fragment: the page applies the query's own chart settings
    assert chart_pixels(browser) > 1000


def test_a_write_through_the_sql_box_is_refused(browser, local, archive):
    from selenium.webdriver.common.keys import Keys

    browser.get(f"{local}/newsbot")
    wait_for(browser, ".CodeMirror").click()  # Datasette's SQL box is a CodeMirror 5 editor
    editor = browser.find_element("css selector", ".CodeMirror textarea")
    editor.send_keys(Keys.CONTROL, "a")
    editor.send_keys(Keys.DELETE)
    editor.send_keys("DELETE FROM articles")
    assert browser.execute_script("return document.querySelector('.CodeMirror').CodeMirror.getValue()") == (
        "DELETE FROM articles"
    )
    leave_page(
        browser, browser.find_element("css selector", "form.sql input[type=submit][value='Run SQL']").click
    )
    heading = wait_for(browser, "section.content h1")
    assert heading.text == "Invalid SQL"
    assert "Statement must be a SELECT" in browser.find_element("css selector", "section.content").text
    assert sqlite3.connect(archive).execute("SELECT count(*) FROM articles").fetchone()[0] == len(EXPECTED)


@pytest.fixture(scope="module")
def public(archive, tmp_path_factory):
    """--public over a copy of the archive holding one story whose crawled text is hostile markup."""
    workdir = tmp_path_factory.mktemp("public")
    db = workdir / "hostile.db"
    shutil.copy(archive, db)
    store = Store.open(db)
    try:
        store.save_articles([HOSTILE], seen_at="2026-03-20T00:00:00")
    finally:
        store.close()
    with browse_server(db, workdir / "browse.log", "--public") as url:
        yield url


HOSTILE = article(
    7,
    title="<script>window.pwned = 1</script>Hostile",
    body='<img src=x onerror="window.pwned = 2">',
    authors=["<b onmouseover=window.pwned=3>Name</b>"],
    images=[
        {"url": "javascript:window.pwned=4", "caption": "<svg onload=window.pwned=5>", "credit": "<i>X</i>"}
    ],
)


def test_public_serving_has_no_sql_box_but_canned_queries_and_charts_work(browser, public):
    browser.get(f"{public}/newsbot")
    wait_for(browser, "h2")
    assert not browser.find_elements("css selector", "form.sql")
    assert get(f"{public}/newsbot.json?sql=select+1")[0] == 403
    assert get(f"{public}/newsbot/articles.json?_where=1")[0] == 403
    assert get(f"{public}/robots.txt") == (200, "User-agent: *\nDisallow: /")
    browser.get(f"{public}/newsbot/stories_per_day")
    assert chart_pixels(browser) > 1000


def test_crawled_markup_is_shown_as_text_never_run(browser, public):
    from selenium.common.exceptions import NoAlertPresentException

    row = f"{public}/newsbot/articles/https~3A~2F~2Fwww~2Edawn~2Ecom~2Fnews~2F7"
    for page in (row, f"{public}/newsbot/articles?_search=hostile"):
        browser.get(page)
        wait_for(browser, "footer")
        with pytest.raises(NoAlertPresentException):
            browser.switch_to.alert.text  # noqa: B018
        assert browser.execute_script("return window.pwned === undefined")
        assert HOSTILE["title"] in browser.find_element("css selector", "body").text
    browser.get(row)
    assert wait_for(browser, ".newsbot-article .caption").text == HOSTILE["images"][0]["caption"]
    assert not browser.find_elements("css selector", ".newsbot-article figure img")  # not an http(s) URL
