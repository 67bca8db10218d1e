"""Files that appear whole or not at all."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO


@contextmanager
def atomic_file(path: Path, replace: bool = True) -> Iterator[BinaryIO]:
    """A binary file that appears at `path` whole or not at all.

    Writes go to a hidden temporary file in the same directory (`.NAME.XXXX.tmp`), which is fsynced
    and renamed over `path` only when the block ends without an exception; on an exception it is
    removed and `path` keeps what it had. A process killed outright can leave the temporary file
    behind, never a partial `path`. With `replace=False` an existing `path` is never replaced:
    FileExistsError, and nothing is written. The result gets the mode an existing `path` had, else the
    usual one for new files (0666 less the umask).
    """
    directory = path.parent
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(descriptor, "wb") as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, _mode_for(path))
        if replace:
            os.replace(temporary, path)
        else:
            os.link(temporary, path)  # fails if path exists, unlike a rename
            os.unlink(temporary)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _fsync_directory(directory)


def _mode_for(path: Path) -> int:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (where the platform allows opening a directory)."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
