"""Writing WARC files the way web archives do, and crash-safe the way the SQLite archive is.

- Files are named `{prefix}-{YYYYMMDDhhmmss}-{serial}-{host}.warc.gz` (start time in UTC, the serial
  counting the files of one writer), written as `NAME.open` and renamed to NAME when closed (rotated
  once they pass `max_bytes`, or at the end of the crawl). Each starts with a warcinfo record.
- Every record is one gzip member appended with a single write() on an unbuffered descriptor, so a
  kill -9 leaves at most the member being written incomplete; every member before it reads back.
- sync() fsyncs: whoever commits a row pointing at an offset calls it first (the rows are written in
  batches, so one fsync per batch, not per record).
- A writer holds an flock on its .open file. A later writer (recover_open_files) takes over a .open
  file nobody holds: it cuts an incomplete last member off and renames the file to its final name.
  A folder lock keeps that from racing with a writer creating its file.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsbot.warc.reader import OPEN_SUFFIX, complete_length
from newsbot.warc.records import RecordMaker

logger = logging.getLogger(__name__)
FOLDER_LOCK = ".newsbot-warc.lock"


@dataclass(frozen=True)
class Written:
    """Where one record went: the file's final name (without .open), its offset and length in bytes."""

    file: str
    offset: int
    length: int


@contextmanager
def folder_lock(directory: Path) -> Iterator[None]:
    with open(directory / FOLDER_LOCK, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9.]+", "_", socket.gethostname()) or "host"


class WarcFiles:
    """Appends records to the current file of one writer, opening (with its warcinfo), rotating and
    closing files as needed. Not thread-safe: one writer per crawl, on the reactor thread."""

    def __init__(
        self,
        directory: Path,
        prefix: str,
        max_bytes: int,
        warcinfo: Callable[[str], dict[str, Any]],
        maker: RecordMaker | None = None,
    ):
        self.directory = directory
        self.prefix = prefix
        self.max_bytes = max_bytes
        self.warcinfo = warcinfo
        self.maker = maker or RecordMaker()
        self.serial = 0
        self.fd: int | None = None
        self.name = ""
        self.size = 0
        self.dirty = False
        self.files_written = 0

    def write(self, records: list[Any]) -> list[Written]:
        """Append these records (a request/response pair stays in one file); where each went."""
        members = [self.maker.member(record) for record in records]
        if self.fd is None:
            self._open()
        assert self.fd is not None
        start = self.size
        written = []
        try:
            for member in members:
                written.append(Written(self.name, self.size, len(member)))
                self._append(member)
        except OSError:
            # A partial pair (a full disk) is cut off, and the file closed: the next write starts a new
            # one, so no record ever follows garbage.
            try:
                os.ftruncate(self.fd, start)
                self.size = start
            finally:
                self.close()
            raise
        if self.size >= self.max_bytes:
            self.close()
        return written

    def sync(self) -> None:
        """Make every record written so far durable (before a row that points at one commits)."""
        if self.fd is not None and self.dirty:
            os.fsync(self.fd)
            self.dirty = False

    def close(self) -> None:
        """fsync the current file and give it its final name."""
        if self.fd is None:
            return
        fd, self.fd = self.fd, None
        try:
            os.fsync(fd)
        finally:
            os.close(fd)  # closing drops the flock
        os.rename(self.directory / (self.name + OPEN_SUFFIX), self.directory / self.name)
        self.dirty = False

    def _append(self, data: bytes) -> None:
        assert self.fd is not None
        view = memoryview(data)
        while view:
            done = os.write(self.fd, view)
            view = view[done:]
        self.size += len(data)
        self.dirty = True

    def _open(self) -> None:
        stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime())
        with folder_lock(self.directory):
            while True:
                self.serial += 1
                name = f"{self.prefix}-{stamp}-{self.serial:05d}-{_host()}.warc.gz"
                if (self.directory / name).exists():
                    continue
                try:
                    fd = os.open(
                        self.directory / (name + OPEN_SUFFIX), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644
                    )
                except FileExistsError:
                    continue
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
        self.fd, self.name, self.size = fd, name, 0
        try:
            self._append(self.maker.member(self.maker.warcinfo(name, self.warcinfo(name))))
        except OSError:
            # A file whose warcinfo did not go in whole is given up whole (a half-written first member
            # would make every record after it unreadable); the next write starts another.
            self.fd = None
            os.close(fd)
            (self.directory / (name + OPEN_SUFFIX)).unlink(missing_ok=True)
            raise
        self.files_written += 1


@dataclass(frozen=True)
class Recovered:
    name: str
    kept: int
    cut: int


def recover_open_files(directory: Path) -> list[Recovered]:
    """Finish the .open files of writers that died (kill -9, power loss): cut the incomplete last
    member, fsync, rename. A file another live writer holds is left alone; an empty one is removed."""
    recovered = []
    with folder_lock(directory):
        for path in sorted(directory.glob("*" + OPEN_SUFFIX)):
            with open(path, "r+b") as handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # a running crawl is writing it
                size = os.fstat(handle.fileno()).st_size
                kept = complete_length(handle)
                if kept < size:
                    handle.truncate(kept)
                os.fsync(handle.fileno())
            final = path.with_name(path.name[: -len(OPEN_SUFFIX)])
            if kept:
                os.rename(path, final)
            else:
                path.unlink()
            recovered.append(Recovered(final.name, kept, size - kept))
    return recovered
