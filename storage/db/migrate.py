"""The schema's version: Alembic migrations (storage/db/migrations), applied once, under a lock.

- `current(engine)`: the revision a database is at (None: never migrated, empty or older than migrations).
- `head()`: the revision this code brings a database to.
- `upgrade(engine)`: bring a database to head. An empty one gets the tables of storage.db.models and the
  head stamp directly (the same schema as running every migration; a test holds the two together); one
  made before migrations is adopted by the baseline revision; one behind runs the revisions it lacks.
- `ensure_current(engine)`: `upgrade` when the database is not at head; one query when it is.

Two processes starting together must not both migrate: the upgrade runs on a connection holding the
database's migration lock (PostgreSQL: a session advisory lock, per schema; SQLite: the file's write
lock, taken by BEGIN IMMEDIATE), and the revision is read again once the lock is held.

A database at a revision this code does not know (written by a newer critibot) is refused with
SchemaTooNew and never altered.

A schema change is a model change in storage/db/models.py plus a revision: `new_revision("what")`
drafts it from the difference (read it, finish it by hand: data moves, defaults for existing rows).
tests/storage/db/test_migrations.py fails while the models and the revisions disagree.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, inspect, text
from sqlmodel import SQLModel

from storage.db import models  # noqa: F401  (registers the tables on SQLModel.metadata)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSIONS = MIGRATIONS / "versions"


class SchemaTooNew(Exception):
    """The database was migrated by a newer critibot: this code does not know its revision.
    `code` and `params` as StoreError's, for the edge to word it (bot/texts.py)."""

    code = "schema_too_new"

    def __init__(self, found: str, known: tuple[str, ...]) -> None:
        self.found = found
        self.known = known  # oldest first; the last is this code's head
        super().__init__(
            f"the database is at schema revision {found!r}, which this critibot does not know "
            f"(it knows {', '.join(known)}): it was upgraded by a newer critibot; "
            "run that version, or restore a backup made before the upgrade"
        )

    @property
    def params(self) -> dict[str, Any]:
        return {"found": self.found, "known": list(self.known), "head": self.known[-1]}


@dataclass(frozen=True)
class Upgrade:
    """What `upgrade` did: from which revision to which (None before: unversioned)."""

    before: str | None
    after: str
    created: bool = False  # the database was empty: tables created, then stamped
    adopted: bool = False  # it was made before migrations: brought to the baseline, then upgraded

    @property
    def changed(self) -> bool:
        return self.before != self.after


def config(connection: Connection | None = None, *, also: Path | None = None) -> Config:
    """Alembic's configuration for critibot's migrations, with the connection they must run on (and
    `also` a further folder of revisions: tests write drafts there)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", os.pathsep.join(str(p) for p in (VERSIONS, also) if p))
    cfg.set_main_option("file_template", "v%%(rev)s_%%(slug)s")
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@cache
def scripts() -> ScriptDirectory:
    # Loading the revision files costs milliseconds: once per process, not once per engine.
    return ScriptDirectory.from_config(config())


def head() -> str:
    """The revision this code brings a database to."""
    revision = scripts().get_current_head()
    assert revision is not None, "storage/db/migrations/versions holds no revision"
    return revision


def known() -> tuple[str, ...]:
    """Every revision this code knows, oldest first."""
    return tuple(reversed([script.revision for script in scripts().walk_revisions()]))


def current(engine: Engine) -> str | None:
    """The revision the database is at; None when it was never migrated (empty or made before)."""
    with engine.connect() as conn:
        return _revision(conn)


def ensure_current(engine: Engine) -> Upgrade | None:
    """Upgrade the database if it is behind, once across processes: None when this process changed
    nothing (it was at head, or another process brought it there while this one waited for the lock)."""
    with engine.connect() as conn:
        found = _revision(conn)
    if found == head():
        return None
    _refuse_unknown(found)
    done = upgrade(engine)
    return done if done.changed else None


def upgrade(engine: Engine) -> Upgrade:
    """Bring the database to head under the migration lock (a no-op, reported, when it is there)."""
    with _locked(engine) as conn:
        before = _revision(conn)  # again: another process may have migrated while this one waited
        _refuse_unknown(before)
        if before == head():
            return Upgrade(before, head())
        if before is None and not _has_any_table(conn):
            # Same schema as running the migrations from nothing, in a fraction of the time: tests and
            # first runs create many fresh databases.
            SQLModel.metadata.create_all(conn)
            MigrationContext.configure(conn).stamp(scripts(), "head")
            return Upgrade(None, head(), created=True)
        command.upgrade(config(conn), "head")
        return Upgrade(before, head(), adopted=before is None)


def new_revision(message: str, *, directory: Path = VERSIONS) -> Path:
    """Draft the next revision (numbered after head) from what the models have and head lacks, as
    Alembic's autogenerate sees it on SQLite; returns its file, to be read and completed by hand."""
    with tempfile.TemporaryDirectory() as scratch:
        engine = create_engine(f"sqlite:///{Path(scratch) / 'head.db'}")
        with engine.begin() as conn:
            cfg = config(conn, also=None if directory == VERSIONS else directory)
            command.upgrade(cfg, "head")
            script = command.revision(
                cfg, message, autogenerate=True, rev_id=f"{len(known()) + 1:04d}", version_path=directory
            )
        engine.dispose()
    assert script is not None and not isinstance(script, list)
    return Path(script.path)


def _revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def _refuse_unknown(revision: str | None) -> None:
    if revision is not None and revision not in known():
        raise SchemaTooNew(revision, known())


def _has_any_table(conn: Connection) -> bool:
    present = set(inspect(conn).get_table_names())
    return any(name in present for name in SQLModel.metadata.tables)


@contextmanager
def _locked(engine: Engine) -> Iterator[Connection]:
    """A connection holding the database's migration lock, in a transaction committed on success."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            yield from _advisory_locked(conn)
        elif conn.dialect.name == "sqlite":
            yield from _write_locked(conn)
        else:
            raise NotImplementedError(f"no migration lock for {conn.dialect.name}")


def _advisory_locked(conn: Connection) -> Iterator[Connection]:
    # One lock per schema: test runs (and installs) sharing a server in schemas of their own don't wait
    # on each other. A session lock outlives the transaction below and dies with the connection.
    schema = conn.exec_driver_sql("SELECT current_schema()").scalar_one()
    digest = hashlib.sha256(f"critibot migrations {schema}".encode()).digest()
    key = int.from_bytes(digest[:8], "big", signed=True)
    conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
    conn.commit()
    try:
        yield from _committed(conn)  # PostgreSQL's DDL is transactional: all of the upgrade or none
    finally:
        conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
        conn.commit()


def _write_locked(conn: Connection) -> Iterator[Connection]:
    # pysqlite opens no transaction for PRAGMA or DDL by itself, so this BEGIN IMMEDIATE is the
    # transaction SQLAlchemy (and Alembic after it) then commits or rolls back: the write lock is
    # held from before the revision is read until the upgrade is committed. Another process waits on
    # its own BEGIN IMMEDIATE (the engine's 30 s busy timeout), then finds the database at head.
    # Foreign keys are off meanwhile (it cannot change inside a transaction): SQLite alters a table
    # by copying it, and dropping the old copy must not touch the rows that refer to it.
    conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        yield from _committed(conn)
    finally:
        conn.exec_driver_sql("PRAGMA foreign_keys=ON")
        conn.commit()


def _committed(conn: Connection) -> Iterator[Connection]:
    try:
        yield conn
    except BaseException:
        conn.rollback()
        raise
    conn.commit()
