"""AlloCiné film ids in 64 bits: ids have reached 10 digits, and INTEGER stops at 2 147 483 647 on
PostgreSQL. SQLite's INTEGER holds 64 bits already: nothing to do there.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("film", "allocine_id", type_=sa.BigInteger(), existing_type=sa.Integer())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("film", "allocine_id", type_=sa.Integer(), existing_type=sa.BigInteger())
