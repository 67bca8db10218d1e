"""The pure policies as tables: when to download an article again, and how a run is judged."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from newsbot.config import Thresholds
from newsbot.monitoring.health import evaluate
from newsbot.spiders.revisit import later_than, revisit_reason

PKT = timezone(timedelta(hours=5))
NOW = datetime(2026, 3, 14, 12, 0, tzinfo=PKT)
WINDOW = timedelta(hours=48)


@pytest.mark.parametrize(
    ("declared", "held", "later"),
    [
        ("2026-03-12T10:00:00+05:00", "2026-03-12T09:00:00+05:00", True),
        ("2026-03-12T09:00:00+05:00", "2026-03-12T09:00:00+05:00", False),  # the same moment
        ("2026-03-12T08:00:00+05:00", "2026-03-12T09:00:00+05:00", False),
        ("2026-03-12T04:30:00+00:00", "2026-03-12T09:00:00+05:00", True),  # 09:30 PKT
        ("2026-03-12", "2026-03-11T23:00:00+05:00", True),  # a later day
        ("2026-03-12", "2026-03-12T10:00:00+05:00", False),  # same day: a date says nothing finer
        ("2026-03-12T10:00:00+05:00", "2026-03-12", False),
        ("2026-03-13T01:00:00+05:00", "2026-03-12", True),
        ("2026-03-12T20:00:00+00:00", "2026-03-12", True),  # 01:00 on the 13th in site time
        ("2026-03-12T18:00:00+00:00", "2026-03-12", False),  # 23:00 on the 12th in site time
        ("2026-03-12", "2026-03-12", False),
        (None, "2026-03-12", False),
        ("2026-03-12", None, False),
        ("yesterday", "2026-03-12", False),
        ("2026-03-13", "not a date", False),
    ],
)
def test_later_than_compares_at_the_precision_both_carry(declared, held, later):
    assert later_than(declared, held) is later


def stored(**values) -> dict:
    """seen_state of a stored article published long ago, fetched today (our clock: never compared)."""
    return {
        "stored": 1,
        "published_at": "2026-03-01T10:00:00+05:00",
        "updated_at": None,
        "first_seen": "2026-03-01T06:00:00+00:00",
        "genre": "news",
        "fetched_at": "2026-12-06T10:00:00+00:00",
        "declared_at": None,
        **values,
    }


def dropped(**values) -> dict:
    """seen_state of a page downloaded but dropped (no article stored: no dates of its own)."""
    return {"stored": 0, "published_at": None, "updated_at": None, "first_seen": None, "genre": None,
            "fetched_at": "2026-03-10T10:00:00+00:00", "declared_at": None, **values}  # fmt: skip


@pytest.mark.parametrize(
    ("declared", "state", "hint", "reason"),
    [
        (None, None, None, "new"),
        ("2026-03-12T10:00:00+05:00", None, "editorial", "new"),
        # A change the site declares after what the copy says of itself, however late we fetched it.
        ("2026-03-05T10:00:00+05:00", stored(), None, "changed"),
        ("2026-03-05T10:00:00+05:00", stored(updated_at="2026-03-06T10:00:00+05:00"), None, None),
        ("2026-03-06", stored(updated_at="2026-03-06T10:00:00+05:00"), None, None),  # same day
        ("2026-03-07", stored(updated_at="2026-03-06T10:00:00+05:00"), None, "changed"),
        # The site declared a lastmod later than the page shows; we downloaded it then: not again.
        ("2026-03-05T10:00:00+05:00", stored(declared_at="2026-03-05T10:00:00+05:00"), None, None),
        ("2026-03-05T11:00:00+05:00", stored(declared_at="2026-03-05T10:00:00+05:00"), None, "changed"),
        # A dropped page has no dates of its own: its declaration, else the day we fetched it.
        ("2026-03-11T10:00:00+05:00", dropped(), None, "changed"),
        ("2026-03-09T10:00:00+05:00", dropped(), None, None),
        ("2026-03-11T10:00:00+05:00", dropped(declared_at="2026-03-11T10:00:00+05:00"), None, None),
        # Young stories are revisited (conditionally) inside the window; old ones are not.
        (None, stored(published_at="2026-03-13T20:00:00+05:00"), None, "window"),
        (None, stored(published_at="2026-03-12T11:00:00+05:00"), None, None),
        (None, stored(published_at=None, first_seen="2026-03-14T05:00:00+00:00"), None, "window"),
        # A more specific genre needs the page; a weaker one does not.
        (None, stored(), "editorial", "genre"),
        (None, stored(genre="editorial"), "opinion", None),
        (None, stored(genre="opinion"), "opinion", None),
        (None, stored(), None, None),
    ],
)
def test_revisit_reason(declared, state, hint, reason):
    assert revisit_reason(declared, state, NOW, WINDOW, hint) == reason


LIMITS = Thresholds(
    coverage={"title": 0.95, "body": 0.95, "image_captions": 0.5},
    min_sample=5,
    min_links_ratio=0.5,
    max_errors=0,
    max_dropped_share=0.2,
)
HEALTHY = {
    "finish_reason": "finished",
    "newsbot/articles/responses": 10,
    "newsbot/coverage/articles": 10,
    "newsbot/coverage/title": 10,
    "newsbot/coverage/body": 10,
    "newsbot/coverage/images_total": 4,
    "newsbot/coverage/image_captions": 3,
    "newsbot/links/discovered": 66,
}


@pytest.mark.parametrize(
    ("changes", "recent", "failing"),
    [
        ({}, [60, 70, 66], []),
        ({}, [], []),  # no comparable earlier run: no volume check
        ({"finish_reason": "shutdown"}, [], ["finish_reason"]),
        ({"log_count/ERROR": 1}, [], ["errors"]),
        ({"newsbot/robots/unreachable": 1, "newsbot/robots/why/www.dawn.com": "503"}, [], ["robots_txt"]),
        ({"newsbot/dropped/missing_title": 3}, [], ["dropped_share"]),  # 3 of 10 > 0.2
        ({"newsbot/dropped/missing_title": 2}, [], []),  # 2 of 10 = 0.2
        ({"newsbot/dropped/duplicate_article": 9, "newsbot/dropped/teaser_missing_title": 9}, [], []),
        ({"newsbot/articles/responses": 4, "newsbot/dropped/missing_title": 4}, [], []),  # sample < 5
        ({"newsbot/coverage/body": 9}, [], ["coverage/body"]),  # 0.9 < 0.95
        ({"newsbot/coverage/articles": 4, "newsbot/coverage/body": 0}, [], []),  # sample < 5
        ({"newsbot/coverage/image_captions": 1}, [], ["coverage/image_captions"]),  # 1 of 4 images
        ({"newsbot/coverage/images_total": 0, "newsbot/coverage/image_captions": 0}, [], []),
        ({}, [348, 348, 348], ["links_discovered"]),  # 66 vs a median of 348
        ({"newsbot/links/discovered": 30}, [60, 70, 66], ["links_discovered"]),
        ({"newsbot/links/discovered": 33}, [66], []),  # exactly half
        ({"newsbot/links/discovered": 0}, [0, 0], []),  # nothing to compare with
    ],
)
def test_health_evaluation(changes, recent, failing):
    checks = evaluate(HEALTHY | changes, recent, LIMITS)
    assert [check.name for check in checks if not check.ok] == failing
    if recent:
        assert "links_discovered" in [check.name for check in checks]
