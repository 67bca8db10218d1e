"""Processor tables: each normalising rule of the item contract, input -> output."""

import pytest

from newsbot.processors import (
    canonical_article_url,
    clean_block,
    clean_text,
    collapse_repeat,
    more_precise_date,
    parse_datetime,
    parse_dawn_date,
    split_caption_credit,
    split_page_title,
    strip_trailers,
)


@pytest.mark.parametrize(
    ("text", "clock", "expected"),
    [
        ("Published June 5, 2025", None, "2025-06-05"),
        ("June 5, 2025", None, "2025-06-05"),
        ("May 05, 2015", None, "2015-05-05"),
        ("Updated 12 Mar, 2026", None, "2026-03-12"),
        ("12 Mar, 2026", None, "2026-03-12"),
        ("19 Jun, 2025", "04:30pm", "2025-06-19T16:30:00+05:00"),
        ("19 Jun, 2025 04:30pm", None, "2025-06-19T16:30:00+05:00"),
        ("19 Jun, 2025", "12:05am", "2025-06-19T00:05:00+05:00"),
        ("19 Jun, 2025", "12:05pm", "2025-06-19T12:05:00+05:00"),
        ("2025-06-19T16:30:21+05:00", None, "2025-06-19T16:30:21+05:00"),
        ("2026-03-12T05:15:00Z", None, "2026-03-12T10:15:00+05:00"),
        ("2026-03-12T05:15:00+00:00", None, "2026-03-12T10:15:00+05:00"),
        ("Sat, 25 Apr 2026 14:27:13 +0500", None, "2026-04-25T14:27:13+05:00"),
        ("Sat, 25 Apr 2026 09:27:13 GMT", None, "2026-04-25T14:27:13+05:00"),
        ("2026-03-12", None, "2026-03-12"),
        ("March 11th, 2026", None, "2026-03-11"),
        # garbage never becomes a guess
        ("garbage", None, None),
        ("June 35, 2025", None, None),
        ("31 Feb, 2025", None, None),
        ("Smarch 5, 2025", None, None),
        ("19 Jun, 2025", "25:99pm", None),
        ("", None, None),
        (None, None, None),
    ],
)
def test_parse_dawn_date(text, clock, expected):
    assert parse_dawn_date(text, clock) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-06-19T16:30:21+05:00", "2025-06-19T16:30:21+05:00"),
        ("2025-06-19T11:30:21.123Z", "2025-06-19T16:30:21+05:00"),
        ("2025-06-19 16:30", "2025-06-19T16:30:00+05:00"),
        ("Thu, 19 Jun 2025 16:30:21 +0500", "2025-06-19T16:30:21+05:00"),
        ("19 Jun, 2025", None),
        ("not a date", None),
        # Shifted to +05:00 these leave datetime's years 1-9999: no date, not an OverflowError.
        ("9999-12-31T23:59:59-12:00", None),
        ("0001-01-01T00:00:00+14:00", None),
        ("Fri, 31 Dec 9999 23:59:59 -1200", None),
    ],
)
def test_parse_datetime(text, expected):
    assert parse_datetime(text) == expected


@pytest.mark.parametrize(
    ("shown", "others", "expected"),
    [
        ("2025-06-05", ("2025-06-05T14:03:00+05:00",), "2025-06-05T14:03:00+05:00"),
        ("2025-06-05", ("2025-06-06T01:00:00+05:00",), "2025-06-05"),
        ("2025-06-05T09:00:00+05:00", ("2025-06-05T14:03:00+05:00",), "2025-06-05T09:00:00+05:00"),
        (None, (None, "2025-06-05T14:03:00+05:00"), "2025-06-05T14:03:00+05:00"),
        ("2025-06-05", (), "2025-06-05"),
        (None, (), None),
    ],
)
def test_more_precise_date_never_invents_a_time(shown, others, expected):
    assert more_precise_date(shown, *others) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Putin ready to\n  ‘help resolve’  ", "Putin ready to ‘help resolve’"),
        ("Soft\u00adhy\u00adphen", "Softhyphen"),
        ("zero\u200bwidth\u200c\u200d\u2060\ufeff", "zerowidth"),
        ("Q&amp;A &rsquo;quoted&rsquo; &#8220;x&#8221;", "Q&A ’quoted’ “x”"),
        ("“Typographic” quotes kept", "“Typographic” quotes kept"),
        ("   ", None),
        (None, None),
        # Control characters and ANSI escape sequences are not text a reader sees.
        ("Red \x1b[31;1mAlert\x1b[0m!", "Red Alert!"),
        ("Cursor\x1b[2K moved\x1bM", "Cursor moved"),
        ("8-bit \x9b1mCSI", "8-bit CSI"),
        ("Bold\x07 bell\x1b", "Bold bell"),
        ("nul\x00 del\x7f c1\x80\x9f end", "nul del c1 end"),
        ("tab\tand\rreturn\x85next", "tab and return next"),
        ("\x1b[0m", None),
    ],
)
def test_clean_text(text, expected):
    assert clean_text(text) == expected


def test_clean_block_keeps_line_breaks_but_not_controls():
    assert clean_block("first \x1b[1mline\x1b[0m\x07\nsecond\tline") == "first line\nsecond line"


def test_clean_block_keeps_line_breaks():
    assert clean_block("• one \n  • two\n\n") == "• one\n• two"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (
            "Putin ready to ‘help resolve’ Iran nuclear stand-off: Kremlin - World - DAWN.COM",
            ("Putin ready to ‘help resolve’ Iran nuclear stand-off: Kremlin", "World"),
        ),
        ("Budget 2026 - a - b - Pakistan - DAWN.COM", ("Budget 2026 - a - b", "Pakistan")),
        ("Headline &amp; more - Newspaper - DAWN.COM", ("Headline & more", "Newspaper")),
        ("Latest - DAWN.COM", ("Latest", None)),
        ("A headline without suffix", ("A headline without suffix", None)),
        (None, (None, None)),
    ],
)
def test_split_page_title(title, expected):
    assert split_page_title(title) == expected


@pytest.mark.parametrize(
    ("caption", "expected"),
    [
        ("Protesters gather in Karachi. — Reuters/File", ("Protesters gather in Karachi.", "Reuters/File")),
        ("Protesters gather in Karachi. – AFP", ("Protesters gather in Karachi.", "AFP")),
        ("A view of the site. — All photos by author", ("A view of the site.", "All photos by author")),
        ("Farmers at work. — PPI Images", ("Farmers at work.", "PPI Images")),
        (
            "Russian President Vladimir Putin and Iranian President Masoud Pezeshkian shake hands as they "
            "meet in Moscow, Russia on January 17. Reuters/File",
            (
                "Russian President Vladimir Putin and Iranian President Masoud Pezeshkian shake hands as "
                "they meet in Moscow, Russia on January 17.",
                "Reuters/File",
            ),
        ),
        ("Students in class. White Star", ("Students in class.", "White Star")),
        (
            "Rescue workers at the scene. Photo by Jane Doe",
            ("Rescue workers at the scene.", "Photo by Jane Doe"),
        ),
        ("A caption with no credit at all.", ("A caption with no credit at all.", None)),
        ("The AFP office in Paris.", ("The AFP office in Paris.", None)),
        ("Flood waters. — AFPFlood waters. — AFP", ("Flood waters.", "AFP")),
        ("Flood waters. — AFP Flood waters. — AFP", ("Flood waters.", "AFP")),
        ("", (None, None)),
        (None, (None, None)),
    ],
)
def test_split_caption_credit(caption, expected):
    assert split_caption_credit(caption) == expected


def test_collapse_repeat_leaves_single_text_alone():
    assert collapse_repeat("abcabd") == "abcabd"
    assert collapse_repeat("ab ab") == "ab"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.dawn.com/news/1918168/greenpeace-warns", "https://www.dawn.com/news/1918168"),
        ("https://www.dawn.com/news/1918168", "https://www.dawn.com/news/1918168"),
        ("https://www.dawn.com/news/amp/1918168", "https://www.dawn.com/news/1918168"),
        (
            "https://www.dawn.com/news/1918168/slug?utm_source=x#:~:text=y",
            "https://www.dawn.com/news/1918168",
        ),
        ("http://www.dawn.com/news/1918168/", "https://www.dawn.com/news/1918168"),
        ("https://images.dawn.com/news/1193556/x", None),
        ("https://herald.dawn.com/news/1398/x", None),
        ("https://aurora.dawn.com/news/1145/x", None),
        ("https://www.dawn.com/live/israel-iran-conflict", None),
        ("https://www.dawn.com/news/1918168/slug/print", None),
        ("https://www.dawn.com/authors/153/x", None),
        ("https://evil.example/news/1918168", None),
        ("javascript:alert(1)", None),
        (None, None),
    ],
)
def test_canonical_article_url(url, expected):
    assert canonical_article_url(url) == expected


def test_canonical_article_url_resolves_relative_links():
    assert canonical_article_url("/news/55/x", base="https://www.dawn.com/latest-news") == (
        "https://www.dawn.com/news/55"
    )


def test_strip_trailers_only_removes_the_trailing_run():
    blocks = [
        "Published in Dawn is the subject of this sentence? No: it is story text.",
        "Story text.",
        "Header image: A view. — AFP/File",
        "An abridged version of this article was published in Dawn on March 1.",
        "Published in Dawn, March 12th, 2026",
    ]
    assert strip_trailers(blocks) == blocks[:2]
