"""Alembic's environment for critibot: run against the connection storage.db.migrate hands over.

storage.db.migrate puts an open connection in `config.attributes["connection"]`, already holding the
migration lock and inside the transaction that the caller commits; the migrations run on it, so the
lock and the schema change are one. Offline (SQL script) mode is not supported: adopting a database
made before migrations needs to look at it.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection
from sqlmodel import SQLModel

from storage.db import models  # noqa: F401  (registers the tables on SQLModel.metadata)

config = context.config


def run_migrations_online(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        compare_type=True,
        # SQLite alters most things by copying the table: a generated migration must work on both engines.
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("critibot's migrations run online only (see storage/db/migrate.py)")
connection = config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("run critibot's migrations through storage.db.migrate, which gives them a connection")
run_migrations_online(connection)
