"""One film per identity, unknown years included: UNIQUE(title_folded, year) becomes a unique index on
(title_folded, coalesce(year, 0), coalesce(allocine_id, 0)).

NULL years never collided, so writers racing to create the same film could both insert it. The films
such races left behind are merged first (the oldest kept; its reviews win a clash, the others' follow
in page order), as storage.store.identity merges films a page proves to be one.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None

_KEY = "title_folded, coalesce(year, 0), coalesce(allocine_id, 0)"


def upgrade() -> None:
    conn = op.get_bind()
    groups = conn.execute(
        sa.text(f"SELECT min(id), {_KEY} FROM film GROUP BY {_KEY} HAVING count(*) > 1")
    ).all()
    for kept, folded, year, allocine_id in groups:
        duplicates = conn.execute(
            sa.text(
                "SELECT id, title FROM film WHERE title_folded = :folded AND coalesce(year, 0) = :year "
                "AND coalesce(allocine_id, 0) = :allocine_id AND id <> :kept ORDER BY id"
            ),
            {"folded": folded, "year": year, "allocine_id": allocine_id, "kept": kept},
        ).all()
        for duplicate, title in duplicates:
            _merge(conn, kept, duplicate, title)
    with op.batch_alter_table("film") as batch:
        batch.drop_constraint("uq_film_title_year", type_="unique")
    op.create_index(
        "uq_film_identity",
        "film",
        ["title_folded", sa.text("coalesce(year, 0)"), sa.text("coalesce(allocine_id, 0)")],
        unique=True,
    )


def _merge(conn: sa.Connection, kept: int, other: int, title: str) -> None:
    """Move what `other` holds to `kept`, then delete `other` (same folded title: no alias to keep)."""
    ids = {"kept": kept, "other": other}
    for table, key in (("spectator_review", "review_key"), ("press_review", "outlet_key")):
        conn.execute(
            sa.text(
                f"DELETE FROM {table} WHERE film_id = :other "
                f"AND {key} IN (SELECT {key} FROM {table} WHERE film_id = :kept)"
            ),
            ids,
        )
        after = conn.execute(
            sa.text(f"SELECT coalesce(max(position) + 1, 0) FROM {table} WHERE film_id = :kept"), ids
        ).scalar_one()
        conn.execute(
            sa.text(
                f"UPDATE {table} SET film_id = :kept, position = position + :after WHERE film_id = :other"
            ),
            {**ids, "after": after},
        )
    conn.execute(
        sa.text(
            "DELETE FROM rating_snapshot WHERE film_id = :other AND EXISTS (SELECT 1 FROM rating_snapshot k"
            " WHERE k.film_id = :kept AND k.kind = rating_snapshot.kind"
            " AND k.source_id = rating_snapshot.source_id)"
        ),
        ids,
    )
    for table in ("rating_snapshot", "source"):
        conn.execute(sa.text(f"UPDATE {table} SET film_id = :kept WHERE film_id = :other"), ids)
    conn.execute(
        sa.text(
            "DELETE FROM film_alias WHERE film_id = :other "
            "AND alias_folded IN (SELECT alias_folded FROM film_alias WHERE film_id = :kept)"
        ),
        ids,
    )
    conn.execute(sa.text("UPDATE film_alias SET film_id = :kept WHERE film_id = :other"), ids)
    conn.execute(sa.text("DELETE FROM film WHERE id = :other"), ids)


def downgrade() -> None:
    op.drop_index("uq_film_identity", "film")
    with op.batch_alter_table("film") as batch:
        batch.create_unique_constraint("uq_film_title_year", ["title_folded", "year"])
