"""Which bylines name a writer (a columnist whose author page is worth reading) and which name a news
agency or a desk of the paper ("Reuters", "Dawn.com", "Editorial", "The Newspaper's Staff Reporter").

The rule, by name (and by the author page's slug, which spells the same name: /authors/2677/editorial):
- an agency's name as a whole: Reuters, AFP, AP, APP, PPI, NNI, INP, Xinhua, Bloomberg, ...;
- or any word that only a desk uses: correspondent, reporter, report, desk, staff, agency/agencies,
  bureau, editorial, newspaper, dawn, dawn.com, news, monitor/monitoring, web.
A person's name has none of these words (a reader's "Our Correspondent" and a "Web Desk" do), so the
rule needs no list of columnists, and a desk the list misses costs a few index pages, not a wrong row.
"""

from __future__ import annotations

import re

AGENCIES = frozenset(
    {
        "afp",
        "agence france-presse",
        "al jazeera",
        "anadolu",
        "ani",
        "ap",
        "app",
        "associated press",
        "bloomberg",
        "dpa",
        "efe",
        "ians",
        "inp",
        "nni",
        "ppi",
        "pti",
        "reuters",
        "the associated press",
        "xinhua",
    }
)
DESK_WORDS = frozenset(
    {
        "agencies",
        "agency",
        "bureau",
        "correspondent",
        "correspondents",
        "dawn",
        "dawn.com",
        "dawncom",
        "desk",
        "editorial",
        "monitor",
        "monitoring",
        "news",
        "newspaper",
        "report",
        "reporter",
        "reporters",
        "staff",
        "web",
    }
)
_WORD = re.compile(r"[a-z0-9]+(?:\.[a-z0-9]+)*")


def _normalise(text: str) -> str:
    """Case folded, hyphens (slugs) and apostrophes as spaces, "newspaper's" as "newspaper"."""
    text = text.replace("\u2019", "'").replace("'s ", " ").replace("-", " ").replace("'", " ").casefold()
    return " ".join(text.split()).strip(" .")


_AGENCY_NAMES = frozenset(_normalise(name) for name in AGENCIES)


def is_desk_byline(name: str | None, page_slug: str | None = None) -> bool:
    """True when a byline (its name, or the slug of its author page) names an agency or a desk, not a
    writer; such author pages are never read."""
    for text in (name, page_slug):
        if not text:
            continue
        normalised = _normalise(text)
        if normalised in _AGENCY_NAMES or set(_WORD.findall(normalised)) & DESK_WORDS:
            return True
    return False
