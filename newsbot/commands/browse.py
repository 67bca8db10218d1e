"""`scrapy browse`: the archive in a web page, served by Datasette (search, facets, queries, charts).

    scrapy browse [--db PATH] [--host 127.0.0.1] [--port 8001] [--public]

The archive is opened read-only (SQLite mode=ro, not immutable), so a crawl can write to it meanwhile
and the page shows each committed batch; the page never writes. A missing or foreign file, a busy port
or a bad option ends with one line and exit status 2. newsbot.browse builds the Datasette instance from
the package's own files; this module checks the options, binds the socket and serves until stopped.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.settings import BaseSettings

from newsbot.commands import DB_OPTION, ArchiveCommand, archive_path
from newsbot.config import ConfigError
from newsbot.exporters import open_archive

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8001


@dataclass(frozen=True)
class BrowseRequest:
    db: Path
    host: str
    port: int
    public: bool


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise ConfigError(f"--port {value!r} is not a port number (0-65535; 0 picks a free one)")
    return port


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def build_request(opts: argparse.Namespace, settings: BaseSettings) -> BrowseRequest:
    """Check every option; ConfigError says what to fix."""
    db = archive_path(opts.db, settings).resolve()
    if any(char in str(db) for char in "?#%"):
        # Datasette opens the file as a file: URI, where these characters mean something else.
        raise ConfigError(
            f"--db {str(db)!r}: a path with ?, # or % cannot be served; rename or link the file"
        )
    host = (opts.host or "").strip()
    if not host:
        raise ConfigError("--host is empty")
    if not opts.public and not _is_loopback(host):
        raise ConfigError(
            f"--host {host} serves the archive beyond this machine: add --public (no arbitrary SQL, "
            "robots blocked, short time limits), or keep 127.0.0.1 and put a proxy in front"
        )
    return BrowseRequest(db=db, host=host, port=_port(opts.port), public=opts.public)


def _listen(host: str, port: int) -> socket.socket:
    """The listening socket, bound before serving so a busy port is one clear line, not a traceback."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as error:
        raise ConfigError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    return sock


async def _serve(app, sock: socket.socket) -> None:
    import uvicorn

    await app.invoke_startup()
    server = uvicorn.Server(uvicorn.Config(app.app(), log_level="info", server_header=False))
    await server.serve(sockets=[sock])


class Command(ArchiveCommand, ScrapyCommand):
    summary = "Browse and search the archive in a web page (Datasette: search, facets, queries, charts)"
    description = (
        "Serve the SQLite archive (NEWSBOT_DB or --db) read-only as a web page, on 127.0.0.1:8001 by "
        "default. --public serves beyond this machine safely: no arbitrary SQL, robots blocked, short "
        "time limits. Needs the browse extra: pip install -e '.[browse]'."
    )

    options_title = "Browse Options"
    options = (
        DB_OPTION,
        (("--host",), "HOST", f"default {DEFAULT_HOST}"),
        (("--port",), "PORT", f"default {DEFAULT_PORT}; 0 = any free"),
        (
            ("--public",),
            None,
            "serve beyond this machine: no arbitrary SQL, robots blocked, short time limits",
        ),
    )
    option_defaults = {"host": DEFAULT_HOST, "port": str(DEFAULT_PORT)}

    def perform(self, opts: argparse.Namespace, settings: BaseSettings) -> None:
        request = build_request(opts, settings)
        try:
            from newsbot.browse.app import datasette
        except ImportError as error:
            raise ConfigError(
                f"scrapy browse needs Datasette ({error.name} is missing): pip install -e '.[browse]'"
            ) from None
        # Refuses a missing or foreign file (as export does); reads a current archive without
        # writing, and brings an older one up to date first (search needs it).
        open_archive(request.db, writable=False).close()
        app = datasette(request.db, public=request.public)
        sock = _listen(request.host, request.port)
        host, port = sock.getsockname()[:2]
        shown_host = f"[{host}]" if ":" in host else host
        mode = "public: no arbitrary SQL, robots blocked" if request.public else "local"
        print(
            f"newsbot: serving {request.db} read-only at http://{shown_host}:{port}/ ({mode}); Ctrl+C stops",
            file=sys.stderr,
            flush=True,
        )
        try:
            asyncio.run(_serve(app, sock))
        except KeyboardInterrupt:
            pass
        finally:
            sock.close()
