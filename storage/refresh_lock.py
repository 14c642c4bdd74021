"""One refresh at a time per SQLite database; on PostgreSQL, one reader of the inbox folders at a time.

SQLite has one writer: a second refresher does not start while one runs. On PostgreSQL refreshers share
the films through the queue's leases (storage/refresh_queue.py); the lock then keeps to one of them
what the queue cannot share: the inbox folders, and the first read of a watched film not stored yet.
The lock belongs to the process that holds it, so a refresher that dies (even `kill -9`) frees it at
once; nothing in the schema changes:
- PostgreSQL: a session advisory lock (`pg_try_advisory_lock`) on a connection of its own, held for the
  run; its key comes from the schema's name, so databases that live in schemas of one server (the tests
  do so) do not lock each other out.
- SQLite: `flock` on a file beside the database (`critibot.db.refresh-lock`), which stays there between
  runs (removing it would let two processes lock two different files). An in-memory database is one
  process's own: no lock.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
from pathlib import Path
from typing import Protocol

from sqlalchemy import Connection, Engine, text

__all__ = ["HeldLock", "lock_file", "try_lock"]

log = logging.getLogger(__name__)


class HeldLock(Protocol):
    def release(self) -> None: ...


class _Nothing:
    def release(self) -> None:
        pass


class _FileLock:
    def __init__(self, fd: int) -> None:
        self._fd: int | None = fd

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)  # closing the file lets the lock go


class _AdvisoryLock:
    def __init__(self, conn: Connection, key: int) -> None:
        self._conn: Connection | None = conn
        self._key = key

    def release(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            try:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self._key})
            finally:
                conn.close()  # the session's end frees it anyway


def try_lock(engine: Engine) -> HeldLock | None:
    """The refresh lock of `engine`'s database, or None when another refresher holds it."""
    if engine.dialect.name == "postgresql":
        return _try_advisory(engine)
    if engine.dialect.name == "sqlite":
        path = lock_file(engine)
        return _try_file(path) if path is not None else _Nothing()
    log.warning("base %s : pas de verrou de rafraîchissement pour ce moteur", engine.dialect.name)
    return _Nothing()


def lock_file(engine: Engine) -> Path | None:
    """The file beside a SQLite database that its refreshers lock (None: an in-memory database)."""
    database = engine.url.database
    if not database or database == ":memory:" or engine.url.query.get("mode") == "memory":
        return None
    path = Path(database.removeprefix("file:"))
    return path.with_name(path.name + ".refresh-lock")


def _try_file(path: Path) -> HeldLock | None:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    except BaseException:
        os.close(fd)
        raise
    return _FileLock(fd)


def _try_advisory(engine: Engine) -> HeldLock | None:
    # Autocommit: the session holds the lock, and no transaction stays open through the run.
    conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        schema = conn.scalar(text("SELECT current_schema()")) or ""
        key = int.from_bytes(
            hashlib.sha256(f"critibot refresh {schema}".encode()).digest()[:8], "big", signed=True
        )
        if conn.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}):
            return _AdvisoryLock(conn, key)
    except BaseException:
        conn.close()
        raise
    conn.close()
    return None
