"""newsbot's own Datasette hooks, registered by newsbot.browse.app (never by entry point, so a plain
`datasette` in the same environment is unaffected)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from datasette import hookimpl
from datasette.utils import tilde_encode
from datasette.utils.asgi import Response

COLUMN_SEARCH_REFUSED = (
    "Searching one column (?_search_COLUMN=) is not supported here: Datasette 0.65 would match it "
    "against the wrong rows of this archive's search index. Use ?_search= (the search box)."
)


def from_json(text: str | None) -> Any:
    """A JSON column's value (authors, images, related_editorials) for a template; [] when empty."""
    return json.loads(text) if text else []


def web_link(url: Any) -> str | None:
    """`url` when it is an http(s) address a page may link to or load an image from, else None: a
    crawled value never becomes a javascript: or data: link."""
    if isinstance(url, str) and url.startswith(("https://", "http://")):
        return url
    return None


@hookimpl
def prepare_jinja2_environment(env) -> None:
    env.filters["from_json"] = from_json
    env.filters["tilde_encode"] = tilde_encode
    env.filters["web_link"] = web_link


def _column_search(scope) -> bool:
    query = scope.get("query_string", b"").decode("latin-1")
    return any(name.startswith("_search_") for name, _ in parse_qsl(query, keep_blank_values=True))


@hookimpl
def asgi_wrapper(datasette):
    """Refuse ?_search_COLUMN=: Datasette 0.65 looks such a search up by rowid, but the articles index is
    keyed by article_id (see the migration in newsbot.store.schema), so it would answer with wrong rows."""

    def wrap(app):
        async def refuse_column_search(scope, receive, send):
            if scope["type"] == "http" and _column_search(scope):
                await Response.text(COLUMN_SEARCH_REFUSED, status=400).asgi_send(send)
                return
            await app(scope, receive, send)

        return refuse_column_search

    return wrap
