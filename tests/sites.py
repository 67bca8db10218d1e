"""Real HTTP servers on 127.0.0.1 for crawl tests: a snapshot site and scripted fault responses."""

from __future__ import annotations

import hashlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from newsbot.downloader.mirror import Snapshot


class SiteServer:
    """Serves a snapshot directory (seeds/README.md format) and logs every request path.

    `scripts` maps a path to a list of (status, headers, body) answers used in turn before the
    snapshot answers, so a test can make a URL fail a few times first (status None: stall, then
    close). Pages carry an ETag and a matching If-None-Match gets a 304.
    """

    def __init__(self, snapshot_dir: Path):
        self.snapshot = Snapshot(snapshot_dir)
        self.requests: list[tuple[float, str, dict]] = []
        self.scripts: dict[str, list[tuple[int, dict, bytes]]] = {}
        self.etags = True  # send ETags and answer If-None-Match with 304, as a real server would
        self.lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                with site.lock:
                    site.requests.append((time.monotonic(), self.path, dict(self.headers)))
                    script = site.scripts.get(self.path)
                    answer = script.pop(0) if script else None
                status, headers, body = answer or site.snapshot.lookup("https://www.dawn.com" + self.path)
                if status is None:  # a scripted stall: say nothing for headers["stall"] seconds, then hang up
                    time.sleep(headers["stall"])
                    return
                if status == 200 and site.etags:
                    etag = '"' + hashlib.sha1(body).hexdigest() + '"'
                    headers = {**headers, "ETag": etag}
                    if self.headers.get("If-None-Match") == etag:
                        status, body = 304, b""
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def paths(self) -> list[str]:
        with self.lock:
            return [path for _, path, _ in self.requests]

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
            self.scripts.clear()

    def __enter__(self) -> SiteServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
