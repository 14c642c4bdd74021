"""Any film on demand: a film's details from its main page, AlloCiné's search answers kept a while, the
films each Discord server follows, and the on-demand requests that budgets count.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None

_FILM_DETAILS = (
    sa.Column("kind", sa.String(), server_default="film", nullable=False),
    sa.Column("release_date", sa.Date(), nullable=True),
    sa.Column("directors", sa.String(), nullable=True),
    sa.Column("genres", sa.String(), nullable=True),
    sa.Column("duration_minutes", sa.Integer(), nullable=True),
    sa.Column("poster_url", sa.String(), nullable=True),
    sa.Column("synopsis", sa.Text(), nullable=True),
    sa.Column("details_at", sa.DateTime(timezone=True), nullable=True),
)


def upgrade() -> None:
    for column in _FILM_DETAILS:
        op.add_column("film", column)
    op.create_table(
        "search_cache",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("query_folded", sa.String(), nullable=False, unique=True),
        sa.Column("results", sa.Text(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_search_cache_expires_at", "search_cache", ["expires_at"])
    op.create_table(
        "guild_follow",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("film_id", sa.Integer(), sa.ForeignKey("film.id"), nullable=False),
        sa.Column("followed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("followed_by", sa.BigInteger(), nullable=True),
        sa.UniqueConstraint("guild_id", "film_id", name="uq_guild_follow"),
    )
    op.create_index("ix_guild_follow_guild_id", "guild_follow", ["guild_id"])
    op.create_index("ix_guild_follow_film_id", "guild_follow", ["film_id"])
    op.create_table(
        "ondemand_request",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("scope", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_ondemand_scope_time", "ondemand_request", ["scope", "at"])


def downgrade() -> None:
    for table in ("ondemand_request", "guild_follow", "search_cache"):
        op.drop_table(table)
    with op.batch_alter_table("film") as batch:
        for column in _FILM_DETAILS:
            batch.drop_column(column.name)
