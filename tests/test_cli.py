"""What a user can get wrong on the command line fails before any request: one line, exit 2, no traceback."""

import sqlite3

import pytest

from tests.conftest import run_scrapy

pytestmark = pytest.mark.slow  # every test runs `scrapy crawl` in a subprocess


@pytest.mark.parametrize(
    ("args", "settings", "message"),
    [
        (["-a", "since=2026-13-40"], {}, "since='2026-13-40' is not a date in the form YYYY-MM-DD"),
        (
            ["-a", "since=2026-03-12", "-a", "until=2026-03-01"],
            {},
            "since=2026-03-12 is after until=2026-03-01",
        ),
        (["-a", "urls=https://herald.dawn.com/news/1"], {}, "not www.dawn.com article URLs"),
        (["-a", "sinse=2026-03-01"], {}, "unknown argument(s) for spider 'articles': sinse"),
        ([], {"NEWSBOT_MIRROR": "no/such/dir"}, "neither an http(s) URL nor a snapshot directory"),
        ([], {"NEWSBOT_BATCH_SIZE": "many"}, "NEWSBOT_BATCH_SIZE='many' is not a whole number"),
        ([], {"NEWSBOT_DB": "/no/such/dir/x.db"}, "does not exist"),
        # Each of these gave a traceback, crashed at the end of the run, or was accepted silently.
        ([], {"NEWSBOT_HEALTH_MAX_ERRORS": "abc"}, "NEWSBOT_HEALTH_MAX_ERRORS='abc' is not a whole number"),
        (
            [],
            {"NEWSBOT_HEALTH_MIN_LINKS_RATIO": "abc"},
            "NEWSBOT_HEALTH_MIN_LINKS_RATIO='abc' is not a number",
        ),
        ([], {"NEWSBOT_HEALTH_COVERAGE": "{bad json"}, "NEWSBOT_HEALTH_COVERAGE='{bad json' is not JSON"),
        ([], {"NEWSBOT_HEALTH_COVERAGE": "[1,2]"}, "NEWSBOT_HEALTH_COVERAGE='[1,2]' is not an object"),
        ([], {"NEWSBOT_HEALTH_COVERAGE": '{"title":"x"}'}, "title must be a share between 0 and 1, not 'x'"),
        ([], {"NEWSBOT_HEALTH_COVERAGE": '{"titel":0.9}'}, "NEWSBOT_HEALTH_COVERAGE: unknown field(s) titel"),
        ([], {"NEWSBOT_HEALTH_MIN_SAMPLE": "-3"}, "NEWSBOT_HEALTH_MIN_SAMPLE='-3': must be at least 0"),
        ([], {"NEWSBOT_HEALTH_MAX_DROPPED_SHARE": "2"}, "must be between 0 and 1"),
        ([], {"NEWSBOT_RETRY_AFTER_MAX": "nan"}, "NEWSBOT_RETRY_AFTER_MAX='nan' is not a number"),
        ([], {"NEWSBOT_REVISIT_HOURS": "nan"}, "NEWSBOT_REVISIT_HOURS='nan' is not a number"),
        ([], {"NEWSBOT_REVISIT_HOURS": "inf"}, "NEWSBOT_REVISIT_HOURS='inf' is not a number"),
        (
            [],
            {"NEWSBOT_STATS_FILE": "/no/such/dir/stats.json"},
            "NEWSBOT_STATS_FILE='/no/such/dir/stats.json'",
        ),
        ([], {"NEWSBOT_STATS_FILE": "/tmp"}, "NEWSBOT_STATS_FILE='/tmp' is a directory"),
        ([], {"NEWSBOT_SEEDS": "{bad_toml}"}, "cannot be read"),
        ([], {"NEWSBOT_SEEDS": "{no_pattern}"}, "[articles] needs dated_listing"),
        ([], {"NEWSBOT_SEEDS": "{no_section}"}, "has no [articles] section"),
        (["-a", "since="], {}, "since='' is not a date in the form YYYY-MM-DD"),
        (["-a", "urls="], {}, "urls= is empty"),
        (["-a", "urls= , "], {}, "urls= is empty"),
        (
            [],
            {"NEWSBOT_HEALTH_AGREEMENT": '{"summary": 0.9}'},
            "NEWSBOT_HEALTH_AGREEMENT: unknown field(s) summary; known: title, published_at, body,",
        ),
        ([], {"NEWSBOT_HEALTH_AGREEMENT": '{"body": 2}'}, "body must be a share between 0 and 1, not 2"),
        ([], {"NEWSBOT_FEED_COPY_HOURS": "-1"}, "NEWSBOT_FEED_COPY_HOURS='-1': must be at least 0"),
    ],
)
def test_bad_input_fails_with_one_clear_line(tmp_path, args, settings, message):
    seeds = {
        "{bad_toml}": "[articles\nlistings = [",
        "{no_pattern}": '[articles]\nlistings = ["https://www.dawn.com/latest-news"]\n',
        "{no_section}": '[opinion]\ndated_editorial = "https://www.dawn.com/newspaper/editorial/{date}"\n',
    }
    if settings.get("NEWSBOT_SEEDS") in seeds:
        path = tmp_path / "seeds.toml"
        path.write_text(seeds[settings["NEWSBOT_SEEDS"]], encoding="utf-8")
        settings = {**settings, "NEWSBOT_SEEDS": str(path)}
    settings = {"NEWSBOT_DB": str(tmp_path / "x.db"), **settings}
    result = run_scrapy(["crawl", "articles", *args], tmp_path, settings)
    assert result.returncode == 2
    assert message in result.log
    assert result.log.count("\n") == 1, result.log  # one line: no banner, no usage block, no traceback
    assert "Spider opened" not in result.log  # nothing was crawled
    assert (
        not (tmp_path / "x.db").exists()
        or not sqlite3.connect(tmp_path / "x.db")
        .execute("SELECT count(*) FROM sqlite_master WHERE name = 'crawl_runs'")
        .fetchone()[0]
        or not sqlite3.connect(tmp_path / "x.db").execute("SELECT count(*) FROM crawl_runs").fetchone()[0]
    )  # no run was started (and none left 'running')


def test_unusable_store_is_refused_and_kept(tmp_path):
    db = tmp_path / "notes.db"
    db.write_bytes(b"not a database " * 200)
    result = run_scrapy(["crawl", "articles"], tmp_path, {"NEWSBOT_DB": str(db)})
    assert result.returncode == 2
    assert "not a usable newsbot SQLite store" in result.log
    assert "Traceback" not in result.log
    assert result.log.count("\n") == 1, result.log
    assert db.read_bytes() == b"not a database " * 200


def test_unknown_spider_is_a_usage_error(tmp_path):
    result = run_scrapy(["crawl", "artcles"], tmp_path, {"NEWSBOT_DB": str(tmp_path / "x.db")})
    assert result.returncode == 2
    assert "no spider named 'artcles'" in result.log
    assert "Traceback" not in result.log
    assert result.log.count("\n") == 1, result.log


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export"], "give the output file with -o FILE, or -o - for standard output"),
        (["export", "-o", "x.csv", "--genre", "sport"], "unknown genre 'sport'"),
        (["export", "-o", "x.csv", "extra"], "unexpected argument(s): extra"),
    ],
)
def test_export_mistakes_are_one_line_too(tmp_path, args, message):
    result = run_scrapy(args, tmp_path, {"NEWSBOT_DB": str(tmp_path / "x.db")})
    assert result.returncode == 2
    assert message in result.log
    assert result.log.count("\n") == 1, result.log
