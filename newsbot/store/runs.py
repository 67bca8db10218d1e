"""crawl_runs: one row per run — started, finished or failed, with its figures and health checks."""

from __future__ import annotations

import json

from newsbot.store.core import Store

RUN_FIGURES = (
    "finished_at",
    "status",
    "finish_reason",
    "pages_fetched",
    "links_discovered",
    "items_new",
    "items_updated",
    "items_unchanged",
    "items_not_modified",
    "dropped",
    "failed",
    "errors",
    "health",
    "crosscheck",
    "message",
    "summary",
)
_FINISH = """
UPDATE crawl_runs SET finished_at = :finished_at, status = :status, finish_reason = :finish_reason,
    pages_fetched = :pages_fetched, links_discovered = :links_discovered, items_new = :items_new,
    items_updated = :items_updated, items_unchanged = :items_unchanged,
    items_not_modified = :items_not_modified, dropped = :dropped, failed = :failed, errors = :errors,
    health = :health, crosscheck = :crosscheck, message = :message, summary = :summary
WHERE id = :id
"""


def start_run(store: Store, spider: str, arguments: dict, kind: str, started_at: str) -> int:
    """Insert a 'running' row; rows of this spider still 'running' are from runs that died: 'interrupted'.

    Only one run of a spider per store holds the run lock (newsbot.runlock), so a 'running' row found
    here cannot belong to a live run.
    """
    with store.connection:
        store.connection.execute("BEGIN IMMEDIATE")
        store.connection.execute(
            "UPDATE crawl_runs SET status = 'interrupted', message = 'the process ended without finishing'"
            " WHERE spider = ? AND status = 'running'",
            (spider,),
        )
        cursor = store.connection.execute(
            "INSERT INTO crawl_runs (spider, arguments, kind, started_at) VALUES (?, ?, ?, ?)",
            (spider, json.dumps(arguments, sort_keys=True, default=str), kind, started_at),
        )
    assert cursor.lastrowid is not None  # an INSERT into a rowid table always sets it
    return cursor.lastrowid


def finish_run(store: Store, run_id: int, figures: dict) -> None:
    values = {name: figures.get(name) for name in RUN_FIGURES}
    for name in ("dropped", "failed", "health", "crosscheck"):
        if values[name] is not None:
            values[name] = json.dumps(values[name], sort_keys=True)
    with store.connection:
        store.connection.execute("BEGIN IMMEDIATE")
        store.connection.execute(_FINISH, values | {"id": run_id})


_BASELINE = """
SELECT * FROM crawl_runs AS run
WHERE spider = :spider AND kind = :kind AND id < :before AND finish_reason = 'finished'
  AND status IN ('ok', 'failed')
  AND NOT EXISTS (SELECT 1 FROM json_each(coalesce(run.health, '[]')) AS checked
                  WHERE json_extract(checked.value, '$.name') = 'links_discovered'
                    AND NOT json_extract(checked.value, '$.ok'))
ORDER BY id DESC LIMIT :limit
"""


def baseline_runs(store: Store, spider: str, kind: str, limit: int, before_id: int) -> list[dict]:
    """The earlier runs a run's volume is judged against, newest first: same spider and same kind
    (discovery, backfill or targeted), finished normally, and not themselves failed on volume.

    A run that failed another check (an ERROR line, robots.txt unreachable) still counts: its volume was
    real. A run that failed the links check does not, so a layout break keeps failing until it is fixed.
    """
    values = {"spider": spider, "kind": kind, "before": before_id, "limit": limit}
    return [dict(row) for row in store.connection.execute(_BASELINE, values)]
