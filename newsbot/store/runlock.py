"""One run of a spider per store at a time: an advisory lock file beside the SQLite file.

The operating system drops the lock when the process ends, however it ends (kill -9 included), so a
crashed run never blocks the next one.
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
        handle = open(self.path, "a+")  # noqa: SIM115 (held for the life of the run)
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.close()
                    return False
                time.sleep(0.2)
                continue
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()}\n")
            handle.flush()
            self.handle = handle
            return True

    def holder(self) -> str:
        """The pid written by the run holding the lock (for the message), or "?"."""
        try:
            return self.path.read_text().strip() or "?"
        except OSError:
            return "?"

    def release(self) -> None:
        if self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None
