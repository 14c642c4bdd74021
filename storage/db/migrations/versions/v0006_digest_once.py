"""The digest ledger keyed by server and day, whatever the channel, with a lease: one digest per server
and local day even when its channel changes, and a claim whose holder died can be taken over.

Existing rows: a day with several rows (one per channel) keeps its best one (posted, then empty,
skipped, failed, claimed; the latest among equals); a 'claimed' row gets no lease, so it counts as
abandoned (its process is gone since the upgrade) and today's may be taken over after a look at the
channel's history.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None

_RANK = {"posted": 0, "empty": 1, "skipped": 2, "failed": 3, "claimed": 4}


def upgrade() -> None:
    ledger = sa.table(
        "digest_post",
        sa.column("id", sa.Integer()),
        sa.column("guild_id", sa.BigInteger()),
        sa.column("day", sa.Date()),
        sa.column("status", sa.String()),
    )
    bind = op.get_bind()
    best: dict[tuple[int, object], tuple[int, int]] = {}  # (guild, day) -> (rank, -id) of the row kept
    for row in bind.execute(sa.select(ledger.c.id, ledger.c.guild_id, ledger.c.day, ledger.c.status)):
        key, mine = (row.guild_id, row.day), (_RANK.get(row.status, 5), -row.id)
        best[key] = min(best.get(key, mine), mine)
    keep = {-rank_id[1] for rank_id in best.values()}
    dropped = [row.id for row in bind.execute(sa.select(ledger.c.id)) if row.id not in keep]
    for start in range(0, len(dropped), 500):
        bind.execute(ledger.delete().where(ledger.c.id.in_(dropped[start : start + 500])))

    with op.batch_alter_table("digest_post") as batch:
        batch.add_column(sa.Column("lease_owner", sa.String(), nullable=True))
        batch.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
        batch.drop_constraint("uq_digest_day", type_="unique")
        batch.create_unique_constraint("uq_digest_guild_day", ["guild_id", "day"])


def downgrade() -> None:
    with op.batch_alter_table("digest_post") as batch:
        batch.drop_constraint("uq_digest_guild_day", type_="unique")
        batch.create_unique_constraint("uq_digest_day", ["guild_id", "channel_id", "day"])
        batch.drop_column("lease_until")
        batch.drop_column("lease_owner")
