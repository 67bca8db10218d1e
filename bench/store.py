"""Store write throughput against raw executemany, export memory against a small archive, and what the
full-text search index costs the store (against the same store without its triggers) and a search.

The rows are the fixtures' oracle items under new ids (bench/corpus.py archive_items). Store.save_articles
writes batches of 100, as StorePipeline does; the baselines write the same rows, serialised beforehand,
by raw executemany (one BEGIN IMMEDIATE/COMMIT per batch, WAL, synchronous=NORMAL). `scrapy export` runs
in a process of its own per format and size, its peak RSS its own (bench/peak_rss.py).
"""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from bench.common import db_bytes, measure, median, project_env, table, verdict
from bench.corpus import archive_items

GOAL_ROWS_PER_S = 20_000
SEEN = "2026-03-12T12:00:00+00:00"
SAVE, AGAIN, RAW = (
    "Store.save_articles",
    "Store.save_articles, the same rows again",
    "raw executemany, same schema",
)
URL_ONLY, MEMORY_RAW, MEMORY_SAVE = (
    "raw executemany, url-only table",
    "no disk: raw executemany",
    "no disk: save_articles",
)
EXPORTS = [("csv", []), ("json", []), ("jsonl", []), ("jsonl", ["--new"]),
           ("csv", ["--since", "2026-03-01", "--until", "2026-09-30", "--genre", "news"])]  # fmt: skip


def store(rows: int = 20_000, runs: int = 3) -> list[tuple]:
    from newsbot.store import Store
    from newsbot.store.rows import ARTICLE_COLUMNS, article_row

    items = archive_items(rows)
    batches = [items[at : at + 100] for at in range(0, rows, 100)]
    prepared = [[article_row(item) | {"seen": SEEN} for item in batch] for batch in batches]
    columns = ", ".join([*ARTICLE_COLUMNS, "first_seen", "last_seen", "changed_at"])
    values = ", ".join(f":{name}" for name in ARTICLE_COLUMNS) + ", :seen, :seen, :seen"
    insert = f"INSERT INTO articles ({columns}) VALUES ({values})"  # noqa: S608 (column names are constants)

    def save(store: Store) -> float:
        return _rate(batches, lambda batch: store.save_articles(batch, seen_at=SEEN))

    def executemany(connection: sqlite3.Connection) -> float:
        def write(batch: list) -> None:
            connection.execute("BEGIN IMMEDIATE")
            connection.executemany(insert, batch)
            connection.execute("COMMIT")

        return _rate(prepared, write)

    rates: dict[str, list[float]] = defaultdict(list)
    sizes = []
    with tempfile.TemporaryDirectory(prefix="newsbot-bench-") as temporary:
        for run in range(runs):
            stored, raw = Store.open(f"{temporary}/store-{run}.db"), Store.open(f"{temporary}/raw-{run}.db")
            rates[SAVE].append(save(stored))
            rates[AGAIN].append(save(stored))  # the re-crawl path: every row found unchanged
            rates[RAW].append(executemany(raw.connection))
            plain = sqlite3.connect(f"{temporary}/plain-{run}.db", isolation_level=None)  # no index, no CHECK
            for pragma in ("journal_mode = WAL", "synchronous = NORMAL"):
                plain.execute(f"PRAGMA {pragma}")
            plain.execute(f"CREATE TABLE articles ({columns}, PRIMARY KEY (url))")
            rates[URL_ONLY].append(executemany(plain))
            rates[MEMORY_RAW].append(executemany(Store.open(":memory:").connection))
            rates[MEMORY_SAVE].append(save(Store.open(":memory:")))
            for database in (stored, raw, plain):
                database.close()
            sizes.append(db_bytes(Path(f"{temporary}/store-{run}.db")) / rows)
    rate = {name: median(values) for name, values in rates.items()}
    table(
        [f"{rows:,} rows in batches of 100", f"rows/s, median of {runs}", "runs"],
        [
            (name, f"{rate[name]:,.0f}", ", ".join(f"{v:,.0f}" for v in values))
            for name, values in rates.items()
        ],
    )
    item_json = median([len(json.dumps(item, ensure_ascii=False).encode()) for item in items])
    baselines = f"{RAW} {rate[RAW]:,.0f} (ratio {rate[SAVE] / rate[RAW]:.2f}); " + ", ".join(
        f"{name} {rate[name]:,.0f}" for name in (URL_ONLY, MEMORY_RAW, MEMORY_SAVE)
    )
    return [
        ("store writes, Store.save_articles by 100", f"{rate[SAVE]:,.0f} rows/s", baselines,
         f">= {GOAL_ROWS_PER_S:,} rows/s: {verdict(rate[SAVE] >= GOAL_ROWS_PER_S)}"),
        ("bytes per stored article, store benchmark", f"{median(sizes):,.0f}",
         f"the item as JSON {item_json:,.0f}", "reported"),
    ]  # fmt: skip


SEARCHES = ("pakistan", "uranium", "oil prices")


def search(rows: int = 20_000, runs: int = 3) -> list[tuple]:
    """Store.save_articles (new rows, then the same rows again) with the articles_fts index, against a
    store whose four articles_fts triggers were dropped (the store as it was before the index), in the
    same run; bytes per article with and without; the selection of `scrapy export --search` for a common,
    a rare and a two-word query (median of 20), on the indexed store of the last run."""
    from newsbot.store import Store
    from newsbot.store.export import Selection, select_rows

    items = archive_items(rows)
    batches = [items[at : at + 100] for at in range(0, rows, 100)]
    rates: dict[str, list[float]] = defaultdict(list)
    sizes: dict[str, list[float]] = defaultdict(list)
    timings: dict[str, tuple[float, int]] = {}
    with tempfile.TemporaryDirectory(prefix="newsbot-bench-") as temporary:
        for run in range(runs):
            for label in ("with the index", "without (baseline)"):
                path = Path(f"{temporary}/{run}-{'bare' if label.startswith('without') else 'indexed'}.db")
                archive = Store.open(path)
                if label.startswith("without"):
                    for (name,) in archive.connection.execute(
                        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'articles_fts_%'"
                    ).fetchall():
                        archive.connection.execute(f'DROP TRIGGER "{name}"')  # noqa: S608 (names from the schema)
                for again in ("", ", same rows again"):
                    rates[label + again].append(
                        _rate(
                            batches, lambda batch, archive=archive: archive.save_articles(batch, seen_at=SEEN)
                        )
                    )
                if run == runs - 1 and not label.startswith("without"):
                    for text in SEARCHES:
                        found, spent = 0, []
                        for _ in range(20):
                            started = time.perf_counter()
                            found = sum(
                                1 for _ in select_rows(archive, Selection(search=text), ("article_id",))
                            )
                            spent.append((time.perf_counter() - started) * 1000)
                        timings[text] = (median(spent), found)
                archive.close()
                sizes[label].append(db_bytes(path) / rows)
    rate = {name: median(values) for name, values in rates.items()}
    table(
        [f"{rows:,} rows in batches of 100", f"rows/s, median of {runs}", "runs"],
        [
            (name, f"{rate[name]:,.0f}", ", ".join(f"{v:,.0f}" for v in values))
            for name, values in rates.items()
        ],
    )
    table(["search (export --search)", "median ms of 20", "articles found"],
          [(text, f"{ms:.1f}", f"{found:,}") for text, (ms, found) in timings.items()])  # fmt: skip
    indexed, bare = "with the index", "without (baseline)"
    slowest = max(ms for ms, _ in timings.values())
    return [
        ("store writes with the search index", f"{rate[indexed]:,.0f} rows/s",
         f"without it {rate[bare]:,.0f}; unchanged rows again {rate[indexed + ', same rows again']:,.0f} "
         f"vs {rate[bare + ', same rows again']:,.0f}", "reported"),
        ("bytes per stored article with the search index", f"{median(sizes[indexed]):,.0f}",
         f"without it {median(sizes[bare]):,.0f}", "reported"),
        ("a search over the archive (export --search)", f"{slowest:.1f} ms at most",
         ", ".join(f"{text!r} {ms:.1f} ms" for text, (ms, _) in timings.items()), "reported"),
    ]  # fmt: skip


def _rate(batches: list[list], write) -> float:
    """Rows per second of `write(batch)` over all the batches."""
    started = time.perf_counter()
    for batch in batches:
        write(batch)
    return sum(map(len, batches)) / (time.perf_counter() - started)


def export(rows: int = 100_000, baseline_rows: int = 1_000) -> list[tuple]:
    from newsbot.store import Store

    results = []
    with tempfile.TemporaryDirectory(prefix="newsbot-bench-") as temporary:
        root = Path(temporary)
        for count in (baseline_rows, rows):
            archive = Store.open(root / f"{count}.db")
            for at in range(0, count, 1000):
                archive.save_articles(archive_items(min(1000, count - at), 3_000_000 + at), seen_at=SEEN)
            archive.close()
        for number, (form, options) in enumerate(EXPORTS):
            small, big = (
                measure(
                    [sys.executable, "-m", "scrapy", "export", "--db", str(root / f"{count}.db"),
                     "-o", str(root / f"{number}-{count}.{form}"), *options],
                    root, f"export-{number}-{count}", project_env(),
                )
                for count in (baseline_rows, rows)
            )  # fmt: skip
            if small.returncode or big.returncode:
                raise RuntimeError(f"scrapy export {form} {options} failed:\n{small.log}\n{big.log}")
            size = (root / f"{number}-{rows}.{form}").stat().st_size / 2**20
            results.append(
                (form, " ".join(options) or "-", f"{small.max_rss_mib:.1f}", f"{big.max_rss_mib:.1f}",
                 f"{big.max_rss_mib - small.max_rss_mib:+.1f}", f"{size:.0f} MiB", f"{big.seconds:.1f} s")
            )  # fmt: skip
    header = ["format", "options", f"peak RSS MiB, {baseline_rows:,} rows", f"… {rows:,} rows", "difference"]
    table([*header, "output", "time"], results)
    worst = max(results, key=lambda row: float(row[4]))
    compared = f"{worst[2]} MiB for {baseline_rows:,} rows ({worst[0]} {worst[1]})"
    return [
        (
            f"export peak RSS, {rows:,} rows (largest difference)",
            f"{worst[3]} MiB",
            compared,
            "flat: reported",
        )
    ]
