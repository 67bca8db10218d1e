"""Getting at the archive file: who may write it, whether it is ours, and reading it read-only.

Nothing here writes to a file before it is known to be a newsbot store (or a new, empty file): a
foreign SQLite file is left byte for byte as it was.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from newsbot.store.schema import SCHEMA_VERSION


def unusable(path: Path, error: Exception) -> str:
    return (
        f"{path} is not a usable newsbot SQLite store ({error}); it was left untouched — "
        "move it aside or point NEWSBOT_DB at another file"
    )


def not_writable(path: Path, error: Exception | str) -> str:
    return (
        f"{path} cannot be written ({error}): the file or its directory is read-only or not writable "
        "by this user; fix the permissions or point NEWSBOT_DB at writable storage"
    )


def check_writable(path: Path) -> None:
    """A clear StoreError when the archive (or, for a new one, its directory) cannot be written."""
    if path.exists():
        if not os.access(path, os.R_OK | os.W_OK):
            raise StoreError(not_writable(path, "permission denied or read-only storage"))
        target = path.parent
    else:
        target = path.parent if str(path.parent) else Path(".")
        if not os.access(target, os.W_OK | os.X_OK):
            raise StoreError(not_writable(path, f"cannot create a file in {target}"))
    # SQLite writes its -wal and -shm files beside the archive.
    if not os.access(target, os.W_OK | os.X_OK):
        raise StoreError(not_writable(path, f"cannot create its -wal/-shm files in {target}"))


class StoreError(Exception):
    """The store file cannot be used; the message says why and what to do."""


class OlderSchema(StoreError):
    """An archive of an earlier schema, opened read-only: it needs a writable open to be migrated."""


def identify(connection: sqlite3.Connection, path: Path, check: bool = False) -> int:
    """The file's newsbot schema version (0: a new, empty file), reading only; StoreError for an SQLite
    file that is not a newsbot store or is newer than this newsbot. `check` verifies every page first.
    Anything that is not an SQLite file at all raises sqlite3.DatabaseError here."""
    if check:
        problems = [row[0] for row in connection.execute("PRAGMA quick_check(3)")]
        if problems != ["ok"]:
            raise sqlite3.DatabaseError("damaged: " + "; ".join(problems))
    # One statement, so one snapshot: read apart, another process could commit its migration of a new
    # file in between, and the file would look like version 0 with tables (someone else's).
    version, tables = connection.execute(
        "SELECT (SELECT user_version FROM pragma_user_version),"
        " (SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%')"
    ).fetchone()
    if version == 0 and tables:
        raise StoreError(f"{path} is an SQLite file, but not a newsbot store; it was left untouched")
    if version > SCHEMA_VERSION:
        newer = f"newer than this newsbot ({SCHEMA_VERSION})"
        raise StoreError(f"{path} has schema version {version}, {newer}; upgrade newsbot")
    return version


@contextmanager
def closed_on_failure(connection: sqlite3.Connection, path: Path, retry_locked: bool) -> Iterator[None]:
    """Close the connection if the block fails; a file SQLite cannot read is a StoreError saying so.
    With `retry_locked`, operational errors (a lock, a read-only file) pass as they are, for the caller
    to retry or to explain."""
    try:
        yield
    except sqlite3.DatabaseError as error:
        connection.close()
        if retry_locked and isinstance(error, sqlite3.OperationalError):
            raise
        raise StoreError(unusable(path, error)) from None
    except BaseException:
        connection.close()
        raise


def connect_readonly(path: Path) -> sqlite3.Connection:
    """A read-only connection. A WAL archive on read-only storage cannot get its -shm file, so it is
    opened immutable there, which read-only storage is."""
    for mode in ("mode=ro", "immutable=1"):
        uri = f"file:{quote(str(path.resolve()))}?{mode}"
        connection = sqlite3.connect(uri, uri=True, isolation_level=None)
        connection.row_factory = sqlite3.Row
        try:
            connection.execute("PRAGMA user_version").fetchone()
            return connection
        except sqlite3.OperationalError as error:
            connection.close()
            if mode == "immutable=1" or "unable to open" not in str(error):
                raise
    raise AssertionError("unreachable")
