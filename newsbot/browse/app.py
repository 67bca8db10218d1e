"""The Datasette instance of `scrapy browse`: the archive read-only, newsbot's metadata, templates and
canned queries, and the settings for serving on this machine or to the public."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from datasette.app import Datasette
from datasette.database import Database
from datasette.plugins import pm

from newsbot.browse import plugin
from newsbot.store.queries import BROWSE_QUERIES

DATABASE = "newsbot"
"""The name (and URL path) the archive is served under, whatever its file is called: the metadata and
the templates (row-newsbot-articles.html) refer to it."""

# Local: a researcher's own ad-hoc SQL on their own machine may take a few seconds.
LOCAL_SETTINGS: dict[str, Any] = {
    "sql_time_limit_ms": 5000,
    "facet_time_limit_ms": 500,
    "default_page_size": 50,
    "truncate_cells_html": 300,
    "suggest_facets": False,  # the useful facets are configured; suggestions offered JSON columns
}
# Public: no arbitrary SQL (canned queries, tables, facets and search still work), Datasette's default
# time limits, and nothing that streams a whole table per request.
PUBLIC_SETTINGS: dict[str, Any] = LOCAL_SETTINGS | {
    "sql_time_limit_ms": 1000,
    "facet_time_limit_ms": 200,
    "default_allow_sql": False,
    "allow_csv_stream": False,
}


def _package_file(name: str) -> Path:
    return Path(str(resources.files("newsbot.browse") / name))


def metadata() -> dict:
    """metadata.yml with the SQL of each canned query filled in from newsbot.store.queries."""
    data = yaml.safe_load(_package_file("metadata.yml").read_text(encoding="utf-8"))
    queries = data["databases"][DATABASE]["queries"]
    unmatched = sorted(set(queries) ^ set(BROWSE_QUERIES))
    if unmatched:
        raise RuntimeError(f"metadata.yml and newsbot.store.queries name different queries: {unmatched}")
    for name, query in queries.items():
        query["sql"] = BROWSE_QUERIES[name].strip()
    return data


def datasette(db: Path, public: bool) -> Datasette:
    """Datasette serving `db` read-only (mode=ro: it sees a running crawl's commits, never writes)."""
    if not pm.is_registered(plugin):
        pm.register(plugin, name="newsbot")
    app = Datasette(
        files=[],
        metadata=metadata(),
        settings=PUBLIC_SETTINGS if public else LOCAL_SETTINGS,
        template_dir=str(_package_file("templates")),
    )
    app.remove_database("_memory")  # Datasette adds a scratch database when given no files
    app.add_database(Database(app, path=str(db), is_mutable=True), name=DATABASE)
    return app
