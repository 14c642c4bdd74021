"""Engines for SQLite (default) and PostgreSQL, and schema creation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import BigInteger, Engine, Integer, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from storage.db import models  # noqa: F401  (registers the tables on SQLModel.metadata)


def normalise_url(url: str) -> str:
    """Accept plain `postgresql://` URLs and use psycopg 3 for them."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, *, create: bool = True) -> Engine:
    """An engine for `url`, with the schema created unless `create` is False."""
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    if create:
        SQLModel.metadata.create_all(engine)
        add_missing_columns(engine)
    return engine


def add_missing_columns(engine: Engine) -> list[str]:
    """Add the columns a newer critibot defines to the tables of an older database (nullable or defaulted),
    and widen to BIGINT on PostgreSQL the integer columns it now declares 64-bit.

    create_all makes missing tables but leaves existing ones alone; this keeps a database made by an
    earlier version usable without a migration tool, for the additive changes critibot makes.
    """
    added = []
    inspector = inspect(engine)
    with engine.begin() as conn:
        for table in SQLModel.metadata.sorted_tables:
            if not inspector.has_table(table.name):
                continue
            present = {column["name"]: column["type"] for column in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name in present:
                    if _needs_widening(column.type, present[column.name], engine):
                        # Discord ids stored as 32-bit INTEGER by an earlier version overflow.
                        conn.exec_driver_sql(
                            f'ALTER TABLE {table.name} ALTER COLUMN "{column.name}" TYPE BIGINT'
                        )
                        added.append(f"{table.name}.{column.name} (BIGINT)")
                    continue
                kind = column.type.compile(dialect=engine.dialect)
                default = ""
                if column.server_default is not None:
                    value = column.server_default.arg  # type: ignore[attr-defined]
                    default = " DEFAULT " + str(value.compile(dialect=engine.dialect))
                conn.exec_driver_sql(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}{default}')
                added.append(f"{table.name}.{column.name}")
    return added


def _needs_widening(declared: object, found: object, engine: Engine) -> bool:
    return (
        engine.dialect.name == "postgresql"
        and isinstance(declared, BigInteger)
        and isinstance(found, Integer)
        and not isinstance(found, BigInteger)
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the bot read while the refresher writes; NORMAL sync is safe with WAL.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
