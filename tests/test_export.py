"""`scrapy export` on real SQLite files: round trips through real readers, filters, --new, atomicity, errors.

Quick paths call build_request/run_export directly; the command line is exercised as a user runs it,
`scrapy export` in a subprocess (tests.conftest.run_scrapy).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import newsbot.items
from newsbot.commands.export import build_request
from newsbot.config import ConfigError
from newsbot.exporters import EXPORT_FORMATS, FORMULA_STARTS, ExportRequest, run_export
from newsbot.store import Store
from newsbot.store.export import EXPORT_FIELDS, export_mark
from newsbot.store.schema import MIGRATIONS
from tests.conftest import ROOT, run_scrapy
from tests.test_store import article as store_article

SEEN = "2026-03-20T00:00:00+00:00"
NESTED = ("authors", "images", "related_editorials", "sources")
TRICKY = 'He said "yes, no", then\nleft — اردو خبر: ‘قیمتیں’ بڑھ گئیں, 50% "off"\r\nend'


def article(article_id=1, **changes):
    """The store tests' article, with a title per id and a description holding a comma."""
    defaults = {"title": f"Title {article_id}", "description": "Standfirst, with a comma."}
    return store_article(article_id, **(defaults | changes))


def make_db(path, items):
    store = Store.open(path)
    store.save_articles(items, seen_at=SEEN)
    store.close()
    return path


def add_teasers(path, teasers):
    store = Store.open(path)
    if not hasattr(store, "save_teasers"):
        store.close()
        pytest.skip("this tree's store has no teaser writer yet (issue 3)")
    store.save_teasers(teasers, seen_at=SEEN)
    store.close()


def teaser(article_id, index_url="https://www.dawn.com/newspaper/editorial", **changes):
    return {
        "type": "teaser",
        "url": f"https://www.dawn.com/news/{article_id}",
        "title": f"Teaser {article_id}",
        "teaser": "An excerpt...",
        "authors": ["Editorial"],
        "published_at": "2026-03-12",
        "updated_at": None,
        "index_url": index_url,
    } | changes


def options(**given):
    """The command's options as argparse gives them (every option absent unless given)."""
    defaults = dict.fromkeys(
        (
            "output",
            "format",
            "type",
            "since",
            "until",
            "genre",
            "section",
            "author",
            "search",
            "target",
            "fields",
            "db",
        )
    )
    return argparse.Namespace(**(defaults | {"new": False, "excel": False} | given))


def export(db, output, **given) -> tuple[ExportRequest, bytes]:
    """Run an export in-process; returns the request and the bytes written (file or stdout)."""
    request = build_request(options(output=str(output), db=str(db), **given), {})
    stdout = io.BytesIO()
    run_export(request, stdout=stdout)
    return request, stdout.getvalue() if str(output) == "-" else output.read_bytes()


def read(data: bytes, export_format: str) -> list[dict]:
    """Parse an export with the standard library's own readers."""
    if export_format == "json":
        return json.loads(data.decode("utf-8"))
    if export_format == "jsonl":
        return [json.loads(line) for line in data.decode("utf-8").splitlines()]
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def from_csv(row: dict) -> dict:
    """Undo the documented CSV mapping: JSON text in nested cells, '' for null, ints as digits, and a
    `'` before a text starting with = + - @ tab or CR."""
    item = {}
    for name, cell in row.items():
        if name in NESTED:
            item[name] = json.loads(cell)
        elif cell == "":
            item[name] = None
        elif name == "article_id":
            item[name] = int(cell)
        elif cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS):
            item[name] = cell[1:]
        else:
            item[name] = cell
    return item


def ids(items: list[dict]) -> list[int]:
    return [int(item["article_id"]) for item in items]


# --- fields and values are the contract's ----------------------------------------------------------


def test_default_fields_are_the_item_contract_in_order():
    assert EXPORT_FIELDS["article"] == newsbot.items.ARTICLE_FIELDS
    teaser_fields = getattr(newsbot.items, "TEASER_FIELDS", None)
    if teaser_fields is not None:
        assert EXPORT_FIELDS["teaser"] == teaser_fields


@pytest.mark.parametrize("export_format", ["csv", "json", "jsonl"])
def test_round_trip_through_real_readers_gives_the_stored_values(tmp_path, export_format):
    items = [
        article(1),
        article(2, authors=[], images=[], related_editorials=[], description=None, section=None),
        article(3, genre="editorial", authors=["Editorial"], updated_at="2026-03-12T09:00:00+05:00"),
        article(4, title="-5% = a fall", body="=SUM(A1)\n\n+1", description="@handle"),
        article(5, images=[], sources={"body": "rss", "images": "rss"}),
    ]
    db = make_db(tmp_path / "a.db", items)
    _, data = export(db, tmp_path / f"out.{export_format}")
    rows = read(data, export_format)
    if export_format == "csv":
        rows = [from_csv(row) for row in rows]
    store = Store.open(db)
    stored = [{name: row[name] for name in EXPORT_FIELDS["article"]} for row in store.articles()]
    store.close()
    assert rows == stored
    assert rows == items  # and the store kept what the crawl gave it
    assert [list(row) for row in rows] == [list(EXPORT_FIELDS["article"])] * 5


@pytest.mark.parametrize("export_format", ["csv", "json", "jsonl"])
def test_quotes_commas_newlines_and_urdu_come_back_byte_for_byte(tmp_path, export_format):
    db = make_db(tmp_path / "a.db", [article(1, title=TRICKY, authors=["مصنف", 'A "B", C'])])
    _, data = export(db, tmp_path / f"out.{export_format}")
    [row] = read(data, export_format)
    assert row["title"].encode("utf-8") == TRICKY.encode("utf-8")
    authors = json.loads(row["authors"]) if export_format == "csv" else row["authors"]
    assert authors == ["مصنف", 'A "B", C']
    if export_format != "csv":  # UTF-8 text, not \u escapes
        assert json.dumps(TRICKY, ensure_ascii=False).encode("utf-8") in data


@pytest.mark.parametrize("start", FORMULA_STARTS)
@pytest.mark.parametrize("export_format", ["csv", "json", "jsonl"])
def test_formula_like_text_is_exact_in_json_and_quoted_once_in_csv(tmp_path, export_format, start):
    title = start + 'HYPERLINK("http://evil.example","click")'
    db = make_db(tmp_path / "a.db", [article(1, title=title)])
    _, data = export(db, tmp_path / f"out.{export_format}")
    [row] = read(data, export_format)
    assert row["title"] == ("'" + title if export_format == "csv" else title)


def test_csv_is_rfc4180_utf8_with_a_header_and_excel_adds_only_a_bom(tmp_path):
    db = make_db(tmp_path / "a.db", [article(1, title=TRICKY)])
    _, plain = export(db, tmp_path / "plain.csv")
    _, excel = export(db, tmp_path / "excel.csv", excel=True)
    assert plain.startswith(b"type,url,article_id,title,")
    assert plain.split(b"\r\n")[0] == ",".join(EXPORT_FIELDS["article"]).encode()
    assert plain.endswith(b"\r\n")
    assert b'"He said ""yes, no"", then\nleft' in plain  # quotes doubled, newline kept inside quotes
    assert excel == b"\xef\xbb\xbf" + plain
    [row] = csv.DictReader(io.StringIO(excel.decode("utf-8-sig"), newline=""))
    assert row["title"] == TRICKY


def test_pandas_reads_every_format_if_installed(tmp_path):
    pandas = pytest.importorskip("pandas")
    db = make_db(tmp_path / "a.db", [article(1, title=TRICKY), article(2)])
    for export_format in ("csv", "json", "jsonl"):
        output = tmp_path / f"out.{export_format}"
        export(db, output)
        if export_format == "csv":
            frame = pandas.read_csv(output)
        else:
            frame = pandas.read_json(output, lines=export_format == "jsonl")
        assert list(frame["title"]) == [TRICKY, "Title 2"]


def test_fields_choose_and_order_columns_in_every_format(tmp_path):
    db = make_db(tmp_path / "a.db", [article(1)])
    for export_format in ("csv", "json", "jsonl"):
        _, data = export(db, tmp_path / f"out.{export_format}", fields="title, url,first_seen,images")
        [row] = read(data, export_format)
        assert list(row) == ["title", "url", "first_seen", "images"]
        assert row["first_seen"] == SEEN
    _, data = export(db, tmp_path / "out.csv", fields="url")
    assert data == b"url\r\nhttps://www.dawn.com/news/1\r\n"


def test_empty_exports_are_valid_files(tmp_path):
    db = make_db(tmp_path / "a.db", [article(1, genre="news")])
    for export_format, expected in (("csv", None), ("json", []), ("jsonl", [])):
        _, data = export(db, tmp_path / f"out.{export_format}", genre="editorial")
        if export_format == "csv":
            assert data == (",".join(EXPORT_FIELDS["article"]) + "\r\n").encode()
        else:
            assert read(data, export_format) == expected


def test_teasers_export_with_their_own_fields_and_filters(tmp_path):
    db = make_db(tmp_path / "a.db", [article(1)])
    add_teasers(
        db,
        [
            teaser(7, authors=["Jane Doe"], published_at="2026-03-12T08:00:00+05:00"),
            teaser(7, index_url="https://www.dawn.com/authors/1/jane-doe", authors=["Jane Doe"]),
            teaser(8, published_at=None, updated_at="2026-03-12"),
        ],
    )
    _, data = export(db, tmp_path / "t.json", type="teaser")
    rows = read(data, "json")
    assert [list(row) for row in rows] == [list(EXPORT_FIELDS["teaser"])] * 3
    assert rows[0] == {
        "type": "teaser",
        "url": "https://www.dawn.com/news/7",
        "title": "Teaser 7",
        "teaser": "An excerpt...",
        "authors": ["Jane Doe"],
        "published_at": "2026-03-12",
        "updated_at": None,
        "index_url": "https://www.dawn.com/authors/1/jane-doe",
    }
    _, data = export(db, tmp_path / "t.jsonl", type="teaser", author="jane doe", fields="index_url,last_seen")
    assert read(data, "jsonl") == [
        {"index_url": "https://www.dawn.com/authors/1/jane-doe", "last_seen": SEEN},
        {"index_url": "https://www.dawn.com/newspaper/editorial", "last_seen": SEEN},
    ]
    # A teaser without published_at never matches a date filter.
    _, data = export(db, tmp_path / "t.jsonl", type="teaser", since="2026-03-01")
    assert [row["url"] for row in read(data, "jsonl")] == ["https://www.dawn.com/news/7"] * 2


# --- filters ---------------------------------------------------------------------------------------

DATED = [
    article(1, published_at="2026-03-11T23:59:59+05:00"),
    article(2, published_at="2026-03-12"),
    article(3, published_at="2026-03-12T00:00:00+05:00"),
    article(4, published_at="2026-03-12T10:00:00+05:00"),
    article(5, published_at="2026-03-12T23:59:59+05:00"),
    article(6, published_at="2026-03-13"),
    article(7, published_at="2026-03-13T00:00:00+05:00"),
]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"since": "2026-03-12"}, [2, 3, 4, 5, 6, 7]),
        ({"until": "2026-03-12"}, [1, 2, 3, 4, 5]),  # a date-only --until includes that whole day
        ({"since": "2026-03-12", "until": "2026-03-12"}, [2, 3, 4, 5]),
        ({"until": "2026-03-11"}, [1]),
        ({"since": "2026-03-13"}, [6, 7]),
        # datetimes: exact for timed rows; a date-only row counts when its day overlaps the range
        ({"since": "2026-03-12T10:00:00+05:00"}, [2, 4, 5, 6, 7]),
        ({"since": "2026-03-12T10:00:01"}, [2, 5, 6, 7]),  # no offset: site time (+05:00)
        ({"since": "2026-03-12T05:00:00Z"}, [2, 4, 5, 6, 7]),  # other offsets converted
        ({"since": "2026-03-11T19:00:00+00:00"}, [2, 3, 4, 5, 6, 7]),
        ({"until": "2026-03-12T10:00"}, [1, 2, 3, 4]),
        ({"until": "2026-03-12T09:59:59+05:00"}, [1, 2, 3]),
        ({"until": "2026-03-11T23:59:59+05:00"}, [1]),
        ({"since": "2026-03-12T00:00:00+05:00", "until": "2026-03-12T23:59:59+05:00"}, [2, 3, 4, 5]),
        ({"since": "2026-03-12T10:00:00+05:00", "until": "2026-03-12T10:00:00+05:00"}, [2, 4]),
        ({"since": "2026-03-12", "until": "2026-03-12T00:00:00+05:00"}, [2, 3]),
    ],
)
def test_since_and_until_boundaries(tmp_path, given, expected):
    db = make_db(tmp_path / "a.db", DATED)
    _, data = export(db, tmp_path / "out.jsonl", **given)
    assert ids(read(data, "jsonl")) == expected


PEOPLE = [
    article(1, genre="news", section="Pakistan", authors=["Jane Doe"]),
    article(2, genre="opinion", section="Opinion", authors=["Jane Doe", "John Roe"]),
    article(3, genre="editorial", section="Editorial", authors=["Editorial"]),
    article(4, genre="news", section="World", authors=["Jane Doe-Smith"]),
    article(5, genre="news", section=None, authors=["عباس ناصر"]),
    article(6, genre="opinion", section="Opinion", authors=[], published_at="2026-03-01"),
]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"genre": "opinion"}, [2, 6]),
        ({"genre": "Editorial"}, [3]),
        ({"section": "pakistan"}, [1]),
        ({"section": "Opinion"}, [2, 6]),
        ({"author": "Jane Doe"}, [1, 2]),  # one whole list element, never a substring
        ({"author": "  JANE DOE "}, [1, 2]),
        ({"author": "Jane"}, []),
        ({"author": "عباس ناصر"}, [5]),
        ({"author": "Editorial", "genre": "editorial"}, [3]),
        ({"genre": "opinion", "since": "2026-03-05"}, [2]),
        ({"section": "Opinion", "author": "john roe"}, [2]),
    ],
)
def test_genre_section_and_author_filters(tmp_path, given, expected):
    db = make_db(tmp_path / "a.db", PEOPLE)
    _, data = export(db, tmp_path / "out.json", **given)
    assert ids(read(data, "json")) == expected


# --- --new -----------------------------------------------------------------------------------------


def test_new_exports_only_what_was_stored_or_changed_since_the_last_new_export(tmp_path):
    db = make_db(tmp_path / "a.db", [article(1), article(2), article(3)])
    output = tmp_path / "new.csv"

    def new_ids(**given):
        _, data = export(db, output, new=True, **given)
        return ids(read(data, "csv"))

    assert new_ids() == [1, 2, 3]
    assert new_ids() == []
    assert output.read_bytes() == (",".join(EXPORT_FIELDS["article"]) + "\r\n").encode()
    make_db(db, [article(2), article(3, title="Corrected"), article(4)])  # 2 re-crawled unchanged
    assert new_ids() == [3, 4]
    assert new_ids() == []
    _, data = export(db, tmp_path / "new.json", new=True)  # another target has its own mark
    assert ids(read(data, "json")) == [1, 2, 3, 4]
    _, data = export(db, tmp_path / "new.json", new=True)
    assert read(data, "json") == []


def test_new_marks_are_per_target_name_and_type_and_need_a_target_for_stdout(tmp_path):
    db = make_db(tmp_path / "a.db", [article(1), article(2)])
    add_teasers(db, [teaser(1), teaser(2)])
    _, data = export(db, "-", format="jsonl", new=True, target="daily")
    assert ids(read(data, "jsonl")) == [1, 2]
    _, data = export(db, "-", format="jsonl", new=True, target="daily")
    assert data == b""
    _, data = export(db, "-", format="jsonl", new=True, target="daily", type="teaser")
    assert [row["url"] for row in read(data, "jsonl")] == [
        "https://www.dawn.com/news/1",
        "https://www.dawn.com/news/2",
    ]
    store = Store.open(db)
    assert export_mark(store, "daily", "article") == 2
    assert export_mark(store, "daily", "teaser") == 2
    assert export_mark(store, "weekly", "article") == 0
    store.close()
    with pytest.raises(ConfigError, match="needs --target"):
        export(db, "-", format="jsonl", new=True)


def test_new_with_a_filter_skips_rows_outside_it_for_good(tmp_path):
    db = make_db(tmp_path / "a.db", PEOPLE)
    _, data = export(db, tmp_path / "eds.json", new=True, genre="editorial")
    assert ids(read(data, "json")) == [3]
    make_db(db, [article(7, genre="editorial"), article(8)])
    _, data = export(db, tmp_path / "eds.json", new=True, genre="editorial")
    assert ids(read(data, "json")) == [7]


# --- atomic output ---------------------------------------------------------------------------------


@pytest.mark.parametrize("export_format", ["csv", "json", "jsonl"])
def test_a_row_failing_mid_way_leaves_the_target_and_the_mark_unchanged(tmp_path, monkeypatch, export_format):
    db = make_db(tmp_path / "a.db", [article(n) for n in range(1, 6)])
    output = tmp_path / f"out.{export_format}"
    output.write_bytes(b"the previous export")
    exporter = EXPORT_FORMATS[export_format]
    original = exporter.export_item

    def export_item(self, item):
        if item["article_id"] == 4:
            raise RuntimeError("a row that cannot be written")
        original(self, item)

    monkeypatch.setattr(exporter, "export_item", export_item)
    with pytest.raises(RuntimeError, match="cannot be written"):
        export(db, output, new=True)
    assert output.read_bytes() == b"the previous export"
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(["a.db", output.name])
    store = Store.open(db)
    assert export_mark(store, str(output), "article") == 0
    store.close()


KILL_AFTER = """
import os, signal, sys
from newsbot.exporters import EXPORT_FORMATS
from scrapy.cmdline import execute

for exporter in EXPORT_FORMATS.values():
    def export_item(self, item, original=exporter.export_item, count=[0]):
        count[0] += 1
        if count[0] > int(os.environ["KILL_AFTER"]):
            os.kill(os.getpid(), signal.SIGKILL)
        original(self, item)
    exporter.export_item = export_item
execute(["scrapy", *sys.argv[1:]])
"""


@pytest.mark.slow
@pytest.mark.parametrize("export_format", ["csv", "json"])
def test_an_export_killed_mid_way_leaves_no_partial_file_and_the_mark_unchanged(tmp_path, export_format):
    db = make_db(tmp_path / "a.db", [article(n, body="Para. " * 200) for n in range(1, 1001)])
    output = tmp_path / f"out.{export_format}"
    assert run_scrapy(["export", "--db", str(db), "-o", str(output), "--new"], tmp_path).returncode == 0
    before = output.read_bytes()
    make_db(db, [article(n, body="Para. " * 200) for n in range(1001, 4001)])
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "newsbot.settings", "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-c", KILL_AFTER, "export", "--db", str(db), "-o", str(output), "--new"]
    killed = subprocess.run(
        command, cwd=ROOT, env=env | {"KILL_AFTER": "2000"}, capture_output=True, timeout=120, check=False
    )
    assert killed.returncode == -signal.SIGKILL
    assert output.read_bytes() == before
    [leftover] = [path for path in tmp_path.iterdir() if path.name.endswith(".tmp")]
    assert leftover.name.startswith(f".{output.name}.") and leftover.stat().st_size > 0  # killed mid-write
    store = Store.open(db)
    assert export_mark(store, str(output), "article") == 1000
    store.close()
    leftover.unlink()
    result = run_scrapy(["export", "--db", str(db), "-o", str(output), "--new"], tmp_path)
    assert result.returncode == 0
    assert ids(read(output.read_bytes(), export_format)) == list(range(1001, 4001))


def test_new_files_get_the_usual_mode_and_replaced_files_keep_theirs(tmp_path):
    db = make_db(tmp_path / "a.db", [article(1)])
    umask = os.umask(0o022)
    os.umask(umask)
    export(db, tmp_path / "new.csv")
    assert (tmp_path / "new.csv").stat().st_mode & 0o777 == 0o666 & ~umask
    (tmp_path / "old.csv").write_text("x")
    os.chmod(tmp_path / "old.csv", 0o640)
    export(db, tmp_path / "old.csv")
    assert (tmp_path / "old.csv").stat().st_mode & 0o777 == 0o640


# --- the command line ------------------------------------------------------------------------------


@pytest.mark.slow
def test_command_writes_files_and_stdout_and_advances_the_mark(tmp_path):
    db = make_db(tmp_path / "a.db", [article(1, title=TRICKY), article(2, genre="editorial")])
    output = tmp_path / "eds.csv"
    result = run_scrapy(
        ["export", "-o", str(output), "--genre", "editorial", "--new"], tmp_path, {"NEWSBOT_DB": db}
    )
    assert result.returncode == 0, result.log
    assert ids(read(output.read_bytes(), "csv")) == [2]
    assert f"exported 1 article(s) to {output} (csv)" in result.log
    result = run_scrapy(["export", "--db", str(db), "-o", "-", "--format", "jsonl"], tmp_path)
    assert result.returncode == 0, result.log
    assert [row["title"] for row in read(result.stdout.encode("utf-8"), "jsonl")] == [TRICKY, "Title 2"]
    result = run_scrapy(
        ["export", "--db", str(db), "-o", str(output), "--genre", "editorial", "--new"], tmp_path
    )
    assert result.returncode == 0, result.log
    assert read(output.read_bytes(), "csv") == []


@pytest.mark.slow
def test_a_reader_closing_stdout_early_ends_the_export_quietly_and_the_mark_stays(tmp_path):
    """`scrapy export -o - ... | head` is the README's own example: the reader has what it wanted, so
    the export ends with status 0 and says nothing; a --new mark does not move."""
    db = make_db(tmp_path / "a.db", [article(n, body="Para. " * 200) for n in range(1, 2001)])
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "newsbot.settings", "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "scrapy", "export", "--db", str(db), "-o", "-", "--format", "jsonl"]
    with subprocess.Popen(
        [*command, "--new", "--target", "pipe"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as child:
        assert child.stdout.read(100)  # like `| head -c 100`
        child.stdout.close()
        log = child.stderr.read().decode()
        assert child.wait(timeout=120) == 0
    assert log == ""
    store = Store.open(db)
    assert export_mark(store, "pipe", "article") == 0
    store.close()


def test_an_older_schema_archive_is_migrated_and_exported(tmp_path):
    db = tmp_path / "v1.db"
    connection = sqlite3.connect(db)
    connection.executescript(MIGRATIONS[1])
    connection.execute(
        "INSERT INTO articles (url, article_id, title, published_at, content_hash, first_seen, last_seen,"
        " changed_at) VALUES ('https://www.dawn.com/news/5', 5, 'Old', '2026-01-01', 'h', 'x', 'x', 'x')"
    )
    connection.commit()
    connection.close()
    _, data = export(db, tmp_path / "out.jsonl", new=True)
    assert [row["title"] for row in read(data, "jsonl")] == ["Old"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["-o", "{tmp}/x.csv", "--fields", "url,titel"],
            "unknown field(s) for article: titel; known: type, url",
        ),
        (["-o", "{tmp}/x.csv", "--fields", "url,,title"], "has an empty name"),
        (["-o", "{tmp}/x.csv", "--fields", "url,url"], "--fields names url more than once"),
        (["-o", "{tmp}/x.csv", "--since", "2026-13-40"], "--since '2026-13-40' is not a date (YYYY-MM-DD)"),
        (["-o", "{tmp}/x.csv", "--until", "yesterday"], "--until 'yesterday' is not a date"),
        (["-o", "{tmp}/x.csv", "--since", "2026-03-12", "--until", "2026-03-11"], "is after --until"),
        (["-o", "{tmp}/x.csv", "--type", "teasers"], "unknown type 'teasers'; use article or teaser"),
        (["-o", "{tmp}/x.csv", "--genre", "sport"], "unknown genre 'sport'; use news, opinion, editorial"),
        (["-o", "{tmp}/x.csv", "--type", "teaser", "--genre", "news"], "teaser rows have no genre"),
        (["-o", "{tmp}/x.csv", "--format", "xml"], "unknown format 'xml'; use csv, json, jsonl"),
        (["-o", "{tmp}/x.txt"], "cannot tell the format of"),
        (["-o", "-"], "-o - (standard output) needs --format"),
        (["--format", "csv"], "give the output file with -o FILE"),
        (["-o", "-", "--format", "csv", "--new"], "--new with -o - needs --target NAME"),
        (["-o", "{tmp}/x.csv", "--target", "t"], "--target only names the mark of a --new export"),
        (["-o", "{tmp}/x.json", "--excel"], "--excel only applies to CSV"),
        (["-o", "{tmp}/x.csv", "--author", " "], "--author is empty"),
        (["-o", "{tmp}/no/such/dir/x.csv"], "does not exist"),
        (["-o", "{tmp}"], "is a directory; give a file path"),
        (["-o", "{tmp}/a.db", "--format", "csv"], "is the database itself"),
        (["-o", "{tmp}/x.csv", "--sinse", "2026-03-01"], "unexpected argument(s): --sinse 2026-03-01"),
    ],
)
def test_user_errors_end_with_one_clear_line_and_exit_2(tmp_path, args, message):
    db = make_db(tmp_path / "a.db", [article(1)])
    before = db.read_bytes()
    result = run_scrapy(["export", "--db", str(db), *(arg.format(tmp=tmp_path) for arg in args)], tmp_path)
    assert result.returncode == 2
    assert message in result.log
    assert "Traceback" not in result.log
    assert db.read_bytes() == before
    assert not [path for path in tmp_path.iterdir() if not path.name.startswith(("a.db", "stats-"))]


@pytest.mark.slow
def test_a_missing_database_is_an_error_and_is_not_created(tmp_path):
    missing = tmp_path / "nothing.db"
    result = run_scrapy(["export", "-o", str(tmp_path / "x.csv")], tmp_path, {"NEWSBOT_DB": str(missing)})
    assert result.returncode == 2
    assert f"no database at '{missing}'" in result.log
    assert "Traceback" not in result.log
    assert not missing.exists()
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.slow
def test_a_file_that_is_not_an_archive_is_refused_and_kept(tmp_path):
    db = tmp_path / "notes.db"
    db.write_bytes(b"not a database " * 200)
    result = run_scrapy(["export", "--db", str(db), "-o", str(tmp_path / "x.csv")], tmp_path)
    assert result.returncode == 2
    assert "not a usable newsbot SQLite store" in result.log
    assert "Traceback" not in result.log
    assert db.read_bytes() == b"not a database " * 200


def test_an_unwritable_directory_is_a_user_error(tmp_path, monkeypatch):
    db = make_db(tmp_path / "a.db", [article(1)])
    request = build_request(options(output=str(tmp_path / "x.csv"), db=str(db)), {})

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("tempfile.mkstemp", refuse)  # root ignores directory modes, so simulate
    with pytest.raises(ConfigError, match=r"cannot write '.*x\.csv': Permission denied"):
        run_export(request)


def test_new_exports_named_by_time_each_go_to_their_own_file_and_lose_nothing(tmp_path):
    """Two --new exports to one fixed file before its consumer reads it lose the first batch; with
    Scrapy's %(time)s placeholder each export is a new file, and the mark is kept under the pattern."""
    from datetime import UTC, datetime

    db = make_db(tmp_path / "a.db", [article(1), article(2)])
    (tmp_path / "exports").mkdir()
    pattern = str(tmp_path / "exports" / "%(type)s-%(time)s.jsonl")

    def new_export(now: datetime):
        request = build_request(options(output=pattern, db=str(db), new=True), {}, now=now)
        return request, run_export(request)

    first, result = new_export(datetime(2026, 3, 12, 9, 0, 1, 500, tzinfo=UTC))
    assert first.output == str(tmp_path / "exports" / "article-2026-03-12T09-00-01+00-00.jsonl")
    assert (first.target, result.rows) == (pattern, 2)
    store = Store.open(db)
    store.save_articles([article(3)], seen_at=SEEN)
    store.close()
    second, result = new_export(datetime(2026, 3, 12, 10, 0, 0, tzinfo=UTC))
    assert result.rows == 1
    exported = [read(Path(request.output).read_bytes(), "jsonl") for request in (first, second)]
    assert [[row["article_id"] for row in rows] for rows in exported] == [[1, 2], [3]]  # nothing lost
    store = Store.open(db)
    store.save_articles([article(4)], seen_at=SEEN)
    mark = export_mark(store, pattern, "article")
    store.close()
    with pytest.raises(ConfigError, match="already exists; nothing was written or marked"):
        new_export(datetime(2026, 3, 12, 10, 0, 0, 900, tzinfo=UTC))  # the same second: never replaced
    assert read(Path(second.output).read_bytes(), "jsonl")[0]["article_id"] == 3
    store = Store.open(db)
    assert export_mark(store, pattern, "article") == mark
    store.close()


@pytest.mark.slow
def test_placeholders_on_the_command_line(tmp_path):
    db = make_db(tmp_path / "a.db", [article(1)])
    made = run_scrapy(["export", "--db", str(db), "-o", str(tmp_path / "x-%(time)s.csv"), "--new"], tmp_path)
    assert made.returncode == 0, made.log
    [written] = tmp_path.glob("x-*.csv")
    assert re.fullmatch(r"x-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\+00-00\.csv", written.name)
    wrong = run_scrapy(["export", "--db", str(db), "-o", str(tmp_path / "x-%(date)s.csv")], tmp_path)
    assert wrong.returncode == 2 and wrong.log.count("\n") == 1, wrong.log
    assert "unknown placeholder; use %(time)s or %(type)s" in wrong.log
