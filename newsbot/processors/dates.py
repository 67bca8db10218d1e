"""Date rules: Dawn's printed dates and ISO/RFC 822 timestamps in the contract's form, never a guess."""

from __future__ import annotations

import re
from datetime import date, datetime
from email.utils import parsedate_to_datetime

from newsbot.dawn import SITE_OFFSET
from newsbot.processors.text import clean_text

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


_WEEKDAY = re.compile(r"^(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+", re.I)


def parse_shown_day(text: str | None) -> str | None:
    """The day a page says it shows ("Thursday, March 12, 2026", the date picker of a dated list or
    an index) as YYYY-MM-DD; None when it is no date."""
    text = clean_text(text)
    if not text:
        return None
    shown = parse_dawn_date(_WEEKDAY.sub("", text))
    return shown[:10] if shown else None


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
