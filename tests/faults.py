"""A fault-injecting HTTP server on 127.0.0.1 for the reliability tests (tests/test_faults.py).

It serves a snapshot directory (seeds/README.md format) like tests.sites.SiteServer — with ETags and
304s — but a path can be scripted to misbehave at the socket level first:

    server.script("/news/1990001", Status(503), Status(429, {"Retry-After": "2"}))  # then the page
    server.always("/news/1990003", Stall())                                           # every time

Answers: `Status` (any status, headers and body), `Stall` (headers and half the body, then silence),
`Reset` (half the body, then a TCP RST), `Short` (fewer bytes than Content-Length, then a clean
close), `Huge` (a body of any size streamed in 64 KiB writes, never held in memory, with or without
Content-Length) and `GzipFile` (a pre-compressed file sent with Content-Encoding: gzip, e.g. a gzip
bomb made by `write_gzip_bomb`). Every request is logged with server-side timestamps and whether
its body was sent in full.
"""

from __future__ import annotations

import hashlib
import select
import socket
import struct
import threading
import time
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from newsbot.downloader.mirror import Snapshot

CHUNK = 64 * 1024


@dataclass
class Served:
    """One request as the server saw it."""

    path: str
    headers: dict
    answer: str
    started: float  # time.time() when the request line was read
    finished: float | None = None  # when the last byte was handed to the kernel (None: not sent in full)
    status: int | None = None
    sent: int = 0  # bytes written to the socket, headers included

    @property
    def complete(self) -> bool:
        return self.finished is not None


class Answer:
    """How to answer one request. `write` sends everything; it returns True when the body went out whole."""

    name = "answer"

    def write(self, handler: BaseHTTPRequestHandler, page: tuple[int, dict, bytes]) -> bool:
        raise NotImplementedError


@dataclass
class Status(Answer):
    """A plain answer: this status, these headers, this body (Content-Length is added)."""

    status: int
    headers: dict = field(default_factory=dict)
    body: bytes = b""

    @property
    def name(self) -> str:
        return f"status_{self.status}"

    def write(self, handler, page) -> bool:
        handler.send_response(self.status)
        for name, value in {"Content-Type": "text/html; charset=utf-8", **self.headers}.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(self.body)))
        handler.end_headers()
        handler.wfile.write(self.body)
        return True


def _start_page(handler, page, length: int | None = None) -> bytes:
    """Send the status line and headers of the real page (length: the Content-Length to claim)."""
    status, headers, body = page
    handler.send_response(status)
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body) if length is None else length))
    handler.end_headers()
    return body


def _abort(handler, reset: bool) -> None:
    """End the connection now: with a TCP RST (reset) or a plain FIN."""
    connection: socket.socket = handler.connection
    handler.close_connection = True
    if reset:
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    else:
        try:
            connection.shutdown(socket.SHUT_WR)
        except OSError:
            pass
    connection.close()


@dataclass
class Stall(Answer):
    """The real page's headers and half its body, then nothing until the client gives up (or `seconds`)."""

    seconds: float = 60.0
    name = "stall"

    def write(self, handler, page) -> bool:
        body = _start_page(handler, page)
        handler.wfile.write(body[: len(body) // 2])
        deadline = time.monotonic() + self.seconds
        connection = handler.connection
        while time.monotonic() < deadline:
            readable, _, _ = select.select([connection], [], [], 0.1)
            if readable:
                try:
                    if not connection.recv(4096):
                        break  # the client closed the connection: it timed out
                except OSError:
                    break
        _abort(handler, reset=False)
        return False


@dataclass
class Reset(Answer):
    """The real page's headers and half its body, then a TCP reset (RST)."""

    name = "reset"

    def write(self, handler, page) -> bool:
        body = _start_page(handler, page)
        handler.wfile.write(body[: len(body) // 2])
        time.sleep(0.05)  # let the first half reach the client before the RST
        _abort(handler, reset=True)
        return False


@dataclass
class Short(Answer):
    """Content-Length of the real page, but only half the body, then a clean close."""

    name = "short"

    def write(self, handler, page) -> bool:
        body = _start_page(handler, page)
        handler.wfile.write(body[: len(body) // 2])
        _abort(handler, reset=False)
        return False


@dataclass
class Huge(Answer):
    """A `size`-byte HTML body streamed in 64 KiB writes (nothing held in memory).

    With `declare` the Content-Length is sent up front; without it the body simply runs until the
    connection closes (HTTP/1.0 style), so only counting the bytes received can stop it.
    """

    size: int
    declare: bool = True

    @property
    def name(self) -> str:
        return "huge_declared" if self.declare else "huge_streamed"

    def write(self, handler, page) -> bool:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        if self.declare:
            handler.send_header("Content-Length", str(self.size))
        handler.end_headers()
        block = (b"<p>" + b"x" * 1017 + b"</p>\n") * (CHUNK // 1024)
        sent = 0
        try:
            while sent < self.size:
                piece = block[: self.size - sent]
                handler.wfile.write(piece)
                sent += len(piece)
        except OSError:
            return False  # the client hung up, as it should
        return True


@dataclass
class GzipFile(Answer):
    """A file sent as-is with Content-Encoding: gzip (Content-Type text/html)."""

    path: Path
    name = "gzip"

    def write(self, handler, page) -> bool:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Encoding", "gzip")
        handler.send_header("Content-Length", str(self.path.stat().st_size))
        handler.end_headers()
        try:
            with self.path.open("rb") as stream:
                while piece := stream.read(CHUNK):
                    handler.wfile.write(piece)
        except OSError:
            return False
        return True


def write_gzip_bomb(path: Path, unpacked: int = 1 << 30) -> Path:
    """A gzip file of `unpacked` zero bytes (default 1 GiB) that is about 1 MB on disk, built in a second.

    Each 1 MiB of zeros is deflated once and ended with a full flush, which resets the compressor, so
    every following MiB compresses to the same bytes and is simply repeated; the CRC-32 is computed.
    """
    mebibyte = bytes(1 << 20)
    assert unpacked % len(mebibyte) == 0
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = compressor.compress(mebibyte) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert compressor.compress(mebibyte) + compressor.flush(zlib.Z_FULL_FLUSH) == piece
    end = compressor.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(unpacked // len(mebibyte)):
        crc = zlib.crc32(mebibyte, crc)
    with path.open("wb") as out:
        out.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff")  # gzip header: deflate, no name, mtime 0
        for _ in range(unpacked // len(mebibyte)):
            out.write(piece)
        out.write(end)
        out.write(struct.pack("<II", crc, unpacked & 0xFFFFFFFF))
    return path


class _Counting:
    """A file-like wrapper that counts the bytes written through it (into Served.sent)."""

    def __init__(self, stream, entry: Served):
        self.stream = stream
        self.entry = entry

    def write(self, data) -> int:
        written = self.stream.write(data)
        self.entry.sent += len(data)
        return written

    def flush(self) -> None:
        self.stream.flush()

    def __getattr__(self, name):
        return getattr(self.stream, name)


class FaultServer:
    """Serves a snapshot on 127.0.0.1 with scripted faults per path and a request log (`served`).

    `script(path, *answers)` queues answers used in turn before the snapshot answers again;
    `always(path, answer)` answers every request for the path that way. `delay` adds a pause before
    every answer (to stretch a crawl in time).
    """

    def __init__(self, snapshot_dir: Path):
        self.snapshot = Snapshot(snapshot_dir)
        self.served: list[Served] = []
        self.scripts: dict[str, list[Answer]] = {}
        self.forever: dict[str, Answer] = {}
        self.delay = 0.0
        self.etags = True
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                server.answer(self)

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            block_on_close = False

            def handle_error(self, request, client_address):
                pass  # a client that hangs up mid-answer is what these tests are about

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # --- scripting ---

    def script(self, path: str, *answers: Answer) -> None:
        with self.lock:
            self.scripts.setdefault(path, []).extend(answers)

    def always(self, path: str, answer: Answer) -> None:
        with self.lock:
            self.forever[path] = answer

    def heal(self) -> None:
        """Forget every scripted fault: from now on the snapshot answers."""
        with self.lock:
            self.scripts.clear()
            self.forever.clear()

    def reset(self) -> None:
        """Forget the faults and the request log."""
        with self.lock:
            self.scripts.clear()
            self.forever.clear()
            self.served.clear()

    # --- the log ---

    def log(self, path: str | None = None) -> list[Served]:
        with self.lock:
            return [entry for entry in self.served if path is None or entry.path == path]

    def paths(self) -> list[str]:
        return [entry.path for entry in self.log()]

    # --- answering ---

    def page(self, path: str, request_headers) -> tuple[int, dict, bytes]:
        status, headers, body = self.snapshot.lookup("https://www.dawn.com" + path)
        if status == 200 and self.etags:
            etag = '"' + hashlib.sha1(body).hexdigest() + '"'
            headers = {**headers, "ETag": etag}
            if request_headers.get("If-None-Match") == etag:
                status, body = 304, b""
        return status, headers, body

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path
        with self.lock:
            script = self.scripts.get(path)
            answer = script.pop(0) if script else self.forever.get(path)
            entry = Served(path, dict(handler.headers), answer.name if answer else "page", time.time())
            self.served.append(entry)
        if self.delay:
            time.sleep(self.delay)
        page = self.page(path, handler.headers)
        handler.wfile = _Counting(handler.wfile, entry)
        try:
            if answer is None:
                entry.status = page[0]
                complete = Status(page[0], page[1], page[2]).write(handler, page)
            else:
                entry.status = getattr(answer, "status", 200)
                complete = answer.write(handler, page)
            if complete:
                handler.wfile.flush()
        except OSError:
            complete = False
        if complete:
            with self.lock:
                entry.finished = time.time()

    def __enter__(self) -> FaultServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
