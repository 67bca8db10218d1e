"""End-of-run health checks: the field-coverage and volume checks a person would otherwise do by eye.

A silent layout change shows up here: dates that vanish make published_at coverage collapse, a new
listing template makes the number of discovered links fall far below the recent runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from statistics import median

from newsbot.config import COVERAGE_FIELDS, Thresholds

COVERED_FIELDS = tuple(name for name in COVERAGE_FIELDS if name != "image_captions")


@dataclass(frozen=True)
class Check:
    name: str
    value: float
    threshold: float
    ok: bool
    detail: str

    def as_dict(self) -> dict:
        return asdict(self)


def coverage_stats(item: Mapping) -> dict[str, int]:
    """Stat increments for one extracted article (counted before validation, so drops count too)."""
    increments = {"newsbot/coverage/articles": 1}
    for name in COVERED_FIELDS:
        if item.get(name):
            increments[f"newsbot/coverage/{name}"] = 1
    images = item.get("images") or []
    if images:
        increments["newsbot/coverage/images_total"] = len(images)
        increments["newsbot/coverage/image_captions"] = sum(1 for image in images if image.get("caption"))
    return increments


def evaluate(stats: dict, recent_links: list[int], thresholds: Thresholds) -> list[Check]:
    checks = [
        Check(
            "finish_reason",
            1.0 if stats.get("finish_reason") == "finished" else 0.0,
            1.0,
            stats.get("finish_reason") == "finished",
            f"finish reason {stats.get('finish_reason')!r}",
        ),
    ]
    if stats.get("newsbot/robots/unreachable"):
        why = "; ".join(str(v) for k, v in stats.items() if k.startswith("newsbot/robots/why/"))
        checks.append(Check("robots_txt", 0.0, 1.0, False, f"{why}: the site was treated as disallowed"))
    errors = stats.get("log_count/ERROR", 0)
    checks.append(
        Check(
            "errors",
            errors,
            thresholds.max_errors,
            errors <= thresholds.max_errors,
            f"{errors} ERROR log lines",
        )
    )
    responses = stats.get("newsbot/articles/responses", 0)
    if responses >= thresholds.min_sample:
        dropped = sum(
            value
            for key, value in stats.items()
            if key.startswith("newsbot/dropped/")
            and not key.startswith(("newsbot/dropped/teaser_", "newsbot/dropped/duplicate"))
        )
        share = dropped / responses
        checks.append(
            Check(
                "dropped_share",
                round(share, 4),
                thresholds.max_dropped_share,
                share <= thresholds.max_dropped_share,
                f"{dropped} of {responses} article pages dropped",
            )
        )
    extracted = stats.get("newsbot/coverage/articles", 0)
    if extracted >= thresholds.min_sample:
        for name, minimum in thresholds.coverage.items():
            if name == "image_captions":
                total = stats.get("newsbot/coverage/images_total", 0)
                if not total:
                    continue
                share = stats.get("newsbot/coverage/image_captions", 0) / total
                detail = f"{share:.1%} of {total} images have a caption"
            else:
                share = stats.get(f"newsbot/coverage/{name}", 0) / extracted
                detail = f"{share:.1%} of {extracted} extracted articles have {name}"
            checks.append(Check(f"coverage/{name}", round(share, 4), minimum, share >= minimum, detail))
    checks.extend(agreement_checks(stats, thresholds))
    if recent_links:
        typical = median(recent_links)
        links = stats.get("newsbot/links/discovered", 0)
        share = links / typical if typical else 1.0
        checks.append(
            Check(
                "links_discovered",
                round(share, 4),
                thresholds.min_links_ratio,
                share >= thresholds.min_links_ratio,
                f"{links} links vs a median of {typical:g} in the last {len(recent_links)} runs",
            )
        )
    return checks


def agreement_checks(stats: Mapping, thresholds: Thresholds) -> list[Check]:
    """Page-vs-feed agreement per field (newsbot.monitoring.crosscheck), judged when at least
    `min_sample` articles were compared on that field. A failure names the field whose page value
    drifted from what the site's own feed says: fix the page object, then re-extract."""
    checks = []
    for name, minimum in thresholds.agreement.items():
        compared = stats.get(f"newsbot/crosscheck/compared/{name}", 0)
        if compared < thresholds.min_sample:
            continue
        agreed = stats.get(f"newsbot/crosscheck/agreed/{name}", 0)
        share = agreed / compared
        detail = f"{agreed} of {compared} articles agree with their feed copy on {name}"
        checks.append(Check(f"agreement/{name}", round(share, 4), minimum, share >= minimum, detail))
    return checks
