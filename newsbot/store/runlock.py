"""One run of a spider per store at a time: an advisory lock file beside the SQLite file.

The operating system drops the lock when the process ends, however it ends (kill -9 included), so a
crashed run never blocks the next one. A run that ends normally removes the file; one killed outright
leaves it with its pid, and the next run takes it over and removes it in turn.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from typing import TextIO


class RunLock:
    def __init__(self, db: Path, spider: str):
        self.path = db.with_name(f"{db.name}.{spider}.lock")
        self.handle: TextIO | None = None

    def acquire(self, wait: float = 0.0) -> bool:
        """Take the lock, waiting up to `wait` seconds; False if another run still holds it."""
        deadline = time.monotonic() + wait
        while True:
            handle = open(self.path, "a+")  # noqa: SIM115 (held for the life of the run)
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                if time.monotonic() >= deadline:
                    return False
                time.sleep(0.2)
                continue
            if not self._still_at_path(handle):
                # The holder removed the file between our open and our lock: lock the new one instead.
                handle.close()
                continue
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()}\n")
            handle.flush()
            self.handle = handle
            return True

    def _still_at_path(self, handle: TextIO) -> bool:
        try:
            return os.fstat(handle.fileno()).st_ino == os.stat(self.path).st_ino
        except FileNotFoundError:
            return False

    def holder(self) -> str:
        """The pid written by the run holding the lock (for the message), or "?"."""
        try:
            return self.path.read_text().strip() or "?"
        except OSError:
            return "?"

    def release(self) -> None:
        """Remove the lock file, then let go (removing it while still holding it keeps the next run
        from locking a file that is about to vanish)."""
        if self.handle is not None:
            self.path.unlink(missing_ok=True)
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None
