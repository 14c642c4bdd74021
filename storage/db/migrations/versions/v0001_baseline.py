"""Baseline: the schema as it stood when migrations began, and the adoption of older databases.

On an empty database this creates every table. On a database made before migrations (tables, no
alembic_version) it adds what that older critibot lacked: tables, columns, indexes, unique
constraints, foreign keys, NOT NULL where critibot's old add_missing_columns left a defaulted column
nullable, and 64-bit Discord ids where 32-bit ones were stored; it drops and rewrites nothing else, so
the rows stay. The schema is frozen here, not read from storage.db.models: later changes belong to
later revisions.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.engine.reflection import Inspector

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None

# Each table's columns, constraints and indexes, made anew at each call (a Column belongs to one Table).
# Types: str is VARCHAR, datetime is a time-zone-aware DATETIME (SQLModel's UTCDateTime).
SchemaItems = Callable[[], list[Any]]


def _film() -> list[Any]:
    return [
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("title_folded", sa.String(), nullable=False),
        sa.Column("original_title", sa.String(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("allocine_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("site_average", sa.Float(), nullable=True),
        sa.Column("site_ratings_count", sa.Integer(), nullable=True),
        sa.Column("site_reviews_count", sa.Integer(), nullable=True),
        sa.Column("site_press_average", sa.Float(), nullable=True),
        sa.UniqueConstraint("title_folded", "year", name="uq_film_title_year"),
        sa.UniqueConstraint("allocine_id"),
        sa.Index("ix_film_title_folded", "title_folded"),
        sa.Index("ix_film_site_average", "site_average"),
    ]


def _film_alias() -> list[Any]:
    return [
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("film_id", sa.Integer(), sa.ForeignKey("film.id"), nullable=False),
        sa.Column("alias", sa.String(), nullable=False),
        sa.Column("alias_folded", sa.String(), nullable=False),
        sa.UniqueConstraint("film_id", "alias_folded", name="uq_alias"),
        sa.Index("ix_film_alias_film_id", "film_id"),
        sa.Index("ix_film_alias_alias_folded", "alias_folded"),
    ]


def _source() -> list[Any]:
    return [
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("content_hash", sa.String(), nullable=False),
        sa.Column("location", sa.String(), nullable=False),
        sa.Column("page_kind", sa.String(), nullable=False),
        sa.Column("film_id", sa.Integer(), sa.ForeignKey("film.id"), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("content_hash"),
    ]


def _rating_snapshot() -> list[Any]:
    stars = [sa.Column(f"stars_{n}", sa.Integer(), nullable=True) for n in (5, 4, 3, 2, 1, 0)]
    return [
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("film_id", sa.Integer(), sa.ForeignKey("film.id"), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("average", sa.Float(), nullable=True),
        sa.Column("ratings_count", sa.Integer(), nullable=True),
        sa.Column("reviews_count", sa.Integer(), nullable=True),
        *stars,
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source_id", sa.Integer(), sa.ForeignKey("source.id"), nullable=False),
        sa.UniqueConstraint("film_id", "kind", "source_id", name="uq_snapshot_source"),
        sa.Index("ix_snapshot_film_time", "film_id", "kind", "taken_at"),
    ]


def _review_bookkeeping() -> list[Any]:
    """The columns both review tables keep about a review's place, page and news."""
    return [
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), sa.ForeignKey("source.id"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("backlog", sa.Boolean(), server_default=sa.false(), nullable=False),
    ]


def _spectator_review() -> list[Any]:
    return [
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("film_id", sa.Integer(), sa.ForeignKey("film.id"), nullable=False),
        sa.Column("review_key", sa.String(), nullable=False),
        sa.Column("author", sa.String(), nullable=True),
        sa.Column("followers", sa.Integer(), nullable=True),
        sa.Column("author_reviews", sa.Integer(), nullable=True),
        sa.Column("rating", sa.Float(), nullable=True),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("spoiler", sa.Boolean(), nullable=False),
        sa.Column("site_id", sa.String(), nullable=True),
        *_review_bookkeeping(),
        sa.UniqueConstraint("film_id", "review_key", name="uq_spectator_review"),
        sa.Index("ix_spectator_film_position", "film_id", "position"),
        sa.Index("ix_spectator_film_published", "film_id", "published"),
        sa.Index("ix_spectator_film_rating", "film_id", "rating"),
    ]


def _press_review() -> list[Any]:
    return [
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("film_id", sa.Integer(), sa.ForeignKey("film.id"), nullable=False),
        sa.Column("outlet", sa.String(), nullable=False),
        sa.Column("outlet_key", sa.String(), nullable=False),
        sa.Column("critic", sa.String(), nullable=True),
        sa.Column("quote", sa.Text(), nullable=True),
        sa.Column("link", sa.String(), nullable=True),
        sa.Column("rating", sa.Float(), nullable=True),
        sa.Column("site_id", sa.String(), nullable=True),
        *_review_bookkeeping(),
        sa.UniqueConstraint("film_id", "outlet_key", name="uq_press_review"),
        sa.Index("ix_press_film_position", "film_id", "position"),
    ]


def _guild_settings() -> list[Any]:
    return [
        sa.Column("guild_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("digest_channel_id", sa.BigInteger(), nullable=True),
        sa.Column("digest_time", sa.String(), nullable=False),
        sa.Column("digest_enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def _fetched_page() -> list[Any]:
    return [
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("url", sa.String(), nullable=False),
        sa.Column("etag", sa.String(), nullable=True),
        sa.Column("last_modified", sa.String(), nullable=True),
        sa.Column("content_hash", sa.String(), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("url"),
    ]


def _refresh_run() -> list[Any]:
    return [
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.Index("ix_refresh_run_started_at", "started_at"),
    ]


def _digest_post() -> list[Any]:
    return [
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("spectator_upto", sa.Integer(), nullable=True),
        sa.Column("press_upto", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(), nullable=True),
        sa.UniqueConstraint("guild_id", "channel_id", "day", name="uq_digest_day"),
        sa.Index("ix_digest_post_guild_id", "guild_id"),
    ]


# In foreign-key order: a table comes after those it refers to.
TABLES: dict[str, SchemaItems] = {
    "film": _film,
    "film_alias": _film_alias,
    "source": _source,
    "rating_snapshot": _rating_snapshot,
    "spectator_review": _spectator_review,
    "press_review": _press_review,
    "guild_settings": _guild_settings,
    "fetched_page": _fetched_page,
    "refresh_run": _refresh_run,
    "digest_post": _digest_post,
}


def upgrade() -> None:
    bind = op.get_bind()
    baseline = sa.MetaData()  # the whole schema at once: foreign keys resolve against it
    for name, items in TABLES.items():
        sa.Table(name, baseline, *items())
    for name, items in TABLES.items():
        inspector = sa.inspect(bind)  # anew each time: reflection is cached, and the schema changes
        if inspector.has_table(name):
            _adopt(inspector, baseline.tables[name], items)
        else:
            op.create_table(name, *items())


def downgrade() -> None:
    raise NotImplementedError("the baseline is not undone: it would drop every table and its rows")


def _adopt(inspector: Inspector, table: sa.Table, items: SchemaItems) -> None:
    """Bring an existing table of an older critibot up to the baseline's, keeping its rows."""
    name = table.name
    fresh = {item.name: item for item in items() if isinstance(item, sa.Column)}
    found = {column["name"]: column for column in inspector.get_columns(name)}
    for column in table.columns:
        if column.name not in found:
            # Every column added after a table's birth is nullable or has a server default, so the
            # rows already there get a value.
            op.add_column(name, fresh[column.name])

    # Discord ids were 32-bit INTEGER in early versions: snowflakes overflow them on PostgreSQL.
    widen = [
        column.name
        for column in table.columns
        if column.name in found
        and isinstance(column.type, sa.BigInteger)
        and not isinstance(found[column.name]["type"], sa.BigInteger)
    ]
    # add_missing_columns (critibot before migrations) added NOT NULL columns as nullable ones.
    tighten = [
        column
        for column in table.columns
        if column.name in found
        and not column.nullable
        and found[column.name]["nullable"]
        and isinstance(column.server_default, sa.DefaultClause)
    ]
    for column in tighten:
        assert isinstance(column.server_default, sa.DefaultClause)
        op.execute(table.update().where(column.is_(None)).values({column.name: column.server_default.arg}))
    unique_found = {tuple(u["column_names"]) for u in inspector.get_unique_constraints(name)}
    uniques = [
        u
        for u in table.constraints
        if isinstance(u, sa.UniqueConstraint) and tuple(u.columns.keys()) not in unique_found
    ]
    keys_found = {
        (tuple(fk["constrained_columns"]), fk["referred_table"], tuple(fk["referred_columns"]))
        for fk in inspector.get_foreign_keys(name)
    }
    keys = [
        fk
        for fk in table.foreign_key_constraints
        if (tuple(fk.column_keys), fk.referred_table.name, tuple(e.column.name for e in fk.elements))
        not in keys_found
    ]
    if op.get_bind().dialect.name == "sqlite":
        if widen or tighten or uniques or keys:
            # SQLite alters no type and adds no constraint: the table is copied into one of the
            # baseline's shape (batch mode), its rows with it.
            with op.batch_alter_table(name, copy_from=_shape(table, items, found), recreate="always"):
                pass
    else:
        for column_name in widen:
            op.alter_column(
                name,
                column_name,
                type_=sa.BigInteger(),
                existing_type=found[column_name]["type"],
                existing_nullable=found[column_name]["nullable"],
            )
        for column in tighten:
            op.alter_column(name, column.name, nullable=False, existing_type=found[column.name]["type"])
        for unique in uniques:
            op.create_unique_constraint(_name(unique), name, list(unique.columns.keys()))
        for fk in keys:
            op.create_foreign_key(
                _name(fk),
                name,
                fk.referred_table.name,
                list(fk.column_keys),
                [e.column.name for e in fk.elements],
            )

    indexes_found = {index["name"] for index in sa.inspect(op.get_bind()).get_indexes(name)}
    for index in table.indexes:
        if index.name not in indexes_found:
            columns = [column.name for column in index.columns]
            op.create_index(_name(index), name, columns, unique=bool(index.unique))


def _shape(table: sa.Table, items: SchemaItems, found: dict[str, Any]) -> sa.Table:
    """The baseline's table, plus any column the database has beyond it (kept, not dropped)."""
    extra = [
        sa.Column(column["name"], column["type"], nullable=column["nullable"])
        for column in found.values()
        if column["name"] not in table.columns
    ]
    if not extra:
        return table
    metadata = sa.MetaData()  # its own, with the tables its foreign keys name
    for other in table.metadata.sorted_tables:
        if other is not table:
            other.to_metadata(metadata)
    return sa.Table(table.name, metadata, *items(), *extra)


def _name(item: sa.Index | sa.Constraint) -> str | None:
    # Unnamed constraints stay unnamed: the database names them as it would have at CREATE TABLE.
    return None if item.name is None else str(item.name)
