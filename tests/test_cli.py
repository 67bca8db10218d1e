"""What a user can get wrong on the command line fails before any request: one line, exit 2, no traceback."""

import pytest

from tests.conftest import run_scrapy


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
    settings = {"NEWSBOT_DB": str(tmp_path / "x.db"), **settings}
    result = run_scrapy(["crawl", "articles", *args], tmp_path, settings)
    assert result.returncode == 2
    assert message in result.log
    assert "Traceback" not in result.log
    assert "Spider opened" not in result.log  # nothing was crawled


def test_unusable_store_is_refused_and_kept(tmp_path):
    db = tmp_path / "notes.db"
    db.write_bytes(b"not a database " * 200)
    result = run_scrapy(["crawl", "articles"], tmp_path, {"NEWSBOT_DB": str(db)})
    assert result.returncode == 2
    assert "not a usable newsbot SQLite store" in result.log
    assert "Traceback" not in result.log
    assert db.read_bytes() == b"not a database " * 200


def test_unknown_spider_is_a_usage_error(tmp_path):
    result = run_scrapy(["crawl", "artcles"], tmp_path, {"NEWSBOT_DB": str(tmp_path / "x.db")})
    assert result.returncode == 2
    assert "no spider named 'artcles'" in result.log
    assert "Traceback" not in result.log
