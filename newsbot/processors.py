"""Pure value normalisers for Dawn pages: text, dates, URLs, captions.

No Scrapy here: every function takes plain values and returns plain values, so the rules can be
tested as tables (tests/test_processors.py) and reused by every item loader.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from html import unescape
from urllib.parse import urljoin, urlsplit

from w3lib.html import strip_html5_whitespace
from w3lib.url import safe_url_string

from newsbot.dawn import CANONICAL_ARTICLE, SITE_HOST, SITE_OFFSET

_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
_SPACES = re.compile(r"\s+")


def clean_text(value: str | None) -> str | None:
    """Decode entities, drop soft hyphens and zero-width characters, collapse whitespace."""
    if value is None:
        return None
    text = _SPACES.sub(" ", unescape(value).translate(_INVISIBLE)).strip()
    return text or None


def clean_block(value: str | None) -> str | None:
    """Like clean_text, but keeps line breaks (a `<br>` rendered as "\\n") as single newlines."""
    if value is None:
        return None
    lines = (clean_text(line) for line in value.split("\n"))
    text = "\n".join(line for line in lines if line)
    return text or None


# --- URLs --------------------------------------------------------------------------------------

_SQLITE_INTEGER_LIMIT = 2**63
_ARTICLE_PATH = re.compile(r"^/news/(?:amp/)?(\d+)(?:/[^/]*)?/?$")


def join_url(base: str, url: str) -> str | None:
    """An href resolved against its page, trimmed as a browser trims it (HTML5 whitespace only);
    None for a link urllib cannot split (it raises ValueError on `http://[::1`)."""
    try:
        return urljoin(base, strip_html5_whitespace(url))
    except ValueError:
        return None


def article_id_from_url(url: str | None) -> int | None:
    """The numeric id of a www.dawn.com article URL (slug, amp/, query and fragment ignored)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # a bracketed host that is not an IPv6 address
        return None
    if parts.scheme not in ("http", "https") or (parts.hostname or "").lower() != SITE_HOST:
        return None
    match = _ARTICLE_PATH.match(parts.path)
    if not match:
        return None
    article_id = int(match.group(1))
    # An id beyond SQLite's 64-bit INTEGER is no Dawn article (ids have 7 digits); it could not be stored.
    return article_id if article_id < _SQLITE_INTEGER_LIMIT else None


def canonical_article_url(url: str | None, base: str | None = None) -> str | None:
    """`https://www.dawn.com/news/{id}` for any form of a www.dawn.com article link, else None."""
    if url and base:
        url = join_url(base, url.strip())
    article_id = article_id_from_url(url)
    return CANONICAL_ARTICLE.format(id=article_id) if article_id is not None else None


def absolute_url(url: str | None, base: str | None = None) -> str | None:
    """An absolute http(s) URL, escaped as a browser would request it (spaces and non-ASCII
    percent-encoded), or None for empty values and `data:`/`javascript:` placeholders."""
    if not url:
        return None
    url = unescape(strip_html5_whitespace(url))
    if base:
        url = join_url(base, url)
    try:
        return safe_url_string(url) if url and urlsplit(url).scheme in ("http", "https") else None
    except ValueError:
        return None


# --- Dates -------------------------------------------------------------------------------------

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_LABEL = re.compile(r"^(?:published|updated|last updated)\s*:?\s*", re.I)
_MONTH_DAY_YEAR = re.compile(r"^([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap])\.?m\.?$", re.I)
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_RFC822 = re.compile(r"^[A-Za-z]{3},?\s+\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{2}:\d{2}")


def _calendar_date(text: str) -> date | None:
    for pattern, order in ((_MONTH_DAY_YEAR, "mdy"), (_DAY_MONTH_YEAR, "dmy")):
        match = pattern.match(text)
        if not match:
            continue
        first, second, year = match.groups()
        month_name, day = (first, second) if order == "mdy" else (second, first)
        month = _MONTHS.get(month_name.lower())
        if month is None:
            return None
        try:
            return date(int(year), month, int(day))
        except ValueError:
            return None
    match = _ISO_DATE.match(text)
    if match:
        try:
            return date(*map(int, match.groups()))
        except ValueError:
            return None
    return None


def _site_iso(moment: datetime) -> str | None:
    """An aware datetime as ISO 8601 seconds in the site offset; a naive one is taken as site time.

    None when the shift to +05:00 leaves datetime's years 1-9999 (`9999-12-31T23:59:59-12:00`): such a
    value is no date, and one bad sitemap <lastmod> must not cost the whole sitemap."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SITE_OFFSET)
    try:
        moment = moment.astimezone(SITE_OFFSET)
    except OverflowError:
        return None
    return moment.replace(microsecond=0, tzinfo=None).isoformat() + "+05:00"


def parse_datetime(text: str | None) -> str | None:
    """A full timestamp (ISO 8601 or RFC 822) as ISO 8601 in +05:00; a bare ISO date stays a date."""
    text = clean_text(text)
    if not text:
        return None
    if _ISO_DATE.match(text):
        parsed = _calendar_date(text)
        return parsed.isoformat() if parsed else None
    if _ISO_DATETIME.match(text):
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        return _site_iso(moment)
    if _RFC822.match(text):
        try:
            return _site_iso(parsedate_to_datetime(text))
        except (TypeError, ValueError):
            return None
    return None


_TRAILING_CLOCK = re.compile(
    r"^(?P<date>.*?\d{4})\s*(?:at\s+)?(?P<clock>\d{1,2}:\d{2}(?::\d{2})?\s*[ap]\.?m\.?)$", re.I
)


def _split_clock(text: str) -> tuple[str, str | None]:
    """ "19 Jun, 2025 04:30pm" -> ("19 Jun, 2025", "04:30pm"); text without a clock is returned whole."""
    match = _TRAILING_CLOCK.match(text)
    return (match.group("date"), match.group("clock")) if match else (text, None)


def parse_dawn_date(text: str | None, clock: str | None = None) -> str | None:
    """A date as Dawn prints it, optionally with a separate clock time, in the contract's form.

    "Published June 5, 2025" -> "2025-06-05"; "19 Jun, 2025" + "04:30pm" -> "2025-06-19T16:30:00+05:00".
    Full ISO/RFC 822 timestamps are accepted too. Anything else is None: never a guess.
    """
    text = clean_text(text)
    if not text:
        return None
    text = _LABEL.sub("", text)
    full = parse_datetime(text)
    if full:
        return full
    if clock is None:
        text, clock = _split_clock(text)
    day = _calendar_date(text)
    if day is None:
        return None
    clock = clean_text(clock)
    if not clock:
        return day.isoformat()
    match = _CLOCK.match(clock)
    if not match:
        return None
    hour, minute, second, meridiem = match.groups()
    hour = int(hour)
    if not 1 <= hour <= 12 or int(minute) > 59:
        return None
    hour = hour % 12 + (12 if meridiem.lower() == "p" else 0)
    moment = datetime(day.year, day.month, day.day, hour, int(minute), int(second or 0))
    return _site_iso(moment)


def more_precise_date(shown: str | None, *others: str | None) -> str | None:
    """The shown value, upgraded to a full timestamp from another source on the same site-time day.

    A date-only value from the page markup is made precise only when another source (meta tags,
    JSON-LD) gives a full timestamp on that same calendar day; the shown date always wins a conflict.
    """
    if shown is None:
        return next((value for value in others if value), None)
    if "T" in shown:
        return shown
    for other in others:
        if other and "T" in other and other[:10] == shown:
            return other
    return shown


# --- Titles and sections -----------------------------------------------------------------------

_SITE_SUFFIX = re.compile(r"\s+-\s+DAWN\.COM\s*$", re.I)


def split_page_title(text: str | None) -> tuple[str | None, str | None]:
    """`{Headline} - {Section} - DAWN.COM` -> (headline, section); either may be None."""
    text = clean_text(text)
    if not text:
        return None, None
    stripped = _SITE_SUFFIX.sub("", text)
    if stripped == text:
        return text, None
    headline, sep, section = stripped.rpartition(" - ")
    if not sep:
        return stripped or None, None
    return headline.strip() or None, section.strip() or None


# --- Captions and credits ----------------------------------------------------------------------

_DASH_CREDIT = re.compile(r"^(?P<caption>.*?)\s+[\u2014\u2013]\s*(?P<credit>[^\u2014\u2013]+)$", re.S)
_CREDIT_WORDS = (
    r"Reuters|AFP|AP|APP|PPI|INP|NNI|Online|EPA|Xinhua|Anadolu|Bloomberg|White\s*Star|Dawn|DawnNewsTV"
    r"|File|Photo|Photos|Courtesy|Screengrab|Screenshot|Twitter|Facebook|Instagram"
)
# A credit that simply ends the caption: "... January 17. Reuters/File" / "... today. Photo by Jane Doe"
_TRAILING_CREDIT = re.compile(
    r"^(?P<caption>.*[.!?\u201d\"')])\s+(?P<credit>"
    rf"(?:(?:{_CREDIT_WORDS})(?:\s*/\s*[A-Z][\w.]*(?:\s[A-Z][\w.]*)?)*"
    r"|(?:All\s+)?[Pp]hotos?\s+(?:by|courtesy|:)\s*[^.]{1,60}"
    r"|(?:Courtesy|Screengrab)\s*:?\s+[^.]{1,60}))\.?$",
    re.S,
)


def collapse_repeat(text: str | None) -> str | None:
    """A caption printed twice back to back ("A. B/FileA. B/File") appears once."""
    if not text:
        return text
    half, rest = divmod(len(text), 2)
    for cut in (half, half + 1, half - 1):
        first, second = text[:cut].strip(), text[cut:].strip()
        if first and first == second:
            return first
    return text


def split_caption_credit(text: str | None) -> tuple[str | None, str | None]:
    """Split a credit off a caption: "X. — Reuters/File" or "X. Reuters/File" -> ("X.", "Reuters/File")."""
    text = collapse_repeat(clean_text(text))
    if not text:
        return None, None
    for pattern in (_DASH_CREDIT, _TRAILING_CREDIT):
        match = pattern.match(text)
        if match:
            return (match.group("caption").strip() or None), match.group("credit").strip()
    return text, None


# --- Body trailers -----------------------------------------------------------------------------

_TRAILER = re.compile(
    r"^(?:Published in Dawn\b|Header image\s*:|An abridged version of this (?:article|piece|story)\b)", re.I
)


def strip_trailers(blocks: list[str]) -> list[str]:
    """Drop the run of non-story paragraphs ("Published in Dawn, ...", ...) at the end of a body."""
    end = len(blocks)
    while end and _TRAILER.match(blocks[end - 1]):
        end -= 1
    return blocks[:end]


def unique(values, key=None) -> list:
    """Values in order with later duplicates removed (by `key` when given); None values dropped."""
    seen, kept = set(), []
    for value in values:
        if value is None:
            continue
        marker = key(value) if key else value
        if marker in seen:
            continue
        seen.add(marker)
        kept.append(value)
    return kept
