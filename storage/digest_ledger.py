"""The digest ledger: one row per server, channel and local day, so that a digest is posted at most once.

A digest is *claimed* (a row inserted with `INSERT … ON CONFLICT DO NOTHING` on the unique key
guild_id + channel_id + day) before anything is posted, and *completed* after. Whoever inserts the row
posts; a restart, a second bot process or a retried job finds the row and posts nothing. The database
arbitrates, so this holds across processes on SQLite and PostgreSQL alike.

At most once wins over at least once: a crash between claim and completion leaves a 'claimed' row and
that day's digest is not retried (a missed digest is better than a double one). Such a row's marks stay
empty, so the next digest simply covers the reviews it would have announced.

Statuses: claimed | posted | empty (nothing new, nothing posted) | skipped (channel gone or forbidden)
| failed (another error). The next digest starts after the marks of the last posted, empty or skipped one.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Engine, Row, select

from storage.db.tables import DIGEST_POST
from storage.db.upsert import upsert_statement

TABLE = DIGEST_POST
STATUSES = ("claimed", "posted", "empty", "skipped", "failed")
# Digests whose marks the next one starts after: what they covered was announced, or deliberately dropped
# (a channel that is gone must not make the next digest a flood).
COVERING = ("posted", "empty", "skipped")


def claim(engine: Engine, guild_id: int, channel_id: int, day: date, now: datetime) -> int | None:
    """Claim the day's digest for this server and channel: the ledger id, or None if already claimed."""
    row = {"guild_id": guild_id, "channel_id": channel_id, "day": day, "status": "claimed", "claimed_at": now}
    with engine.begin() as conn:
        stmt = upsert_statement(conn.dialect.name, TABLE, ("guild_id", "channel_id", "day"), (), "id")
        # RETURNING gives a row only to the insert that won; a conflicting one gets none.
        ledger_id: int | None = conn.execute(stmt, row).scalar_one_or_none()
        return ledger_id


def complete(
    engine: Engine,
    ledger_id: int,
    *,
    status: str,
    message_id: int | None = None,
    error: str | None = None,
    spectator_upto: int | None,
    press_upto: int | None,
    now: datetime,
) -> None:
    """Record how the claimed digest ended, and the high-water marks of what it covered."""
    if status not in STATUSES[1:]:
        raise ValueError(f"unknown digest status: {status}")
    values = {
        "status": status,
        "message_id": message_id,
        "error": error[:1000] if error else None,
        "spectator_upto": spectator_upto,
        "press_upto": press_upto,
        "finished_at": now,
    }
    with engine.begin() as conn:
        conn.execute(TABLE.update().where(TABLE.c.id == ledger_id).values(values))


def last_digest(engine: Engine, guild_id: int) -> Row | None:
    """The server's latest posted, empty or skipped digest: the next one starts after its marks."""
    query = (
        select(TABLE)
        .where(TABLE.c.guild_id == guild_id, TABLE.c.status.in_(COVERING))
        .order_by(TABLE.c.id.desc())
        .limit(1)
    )
    with engine.connect() as conn:
        return conn.execute(query).first()


def posted_today(engine: Engine, guild_id: int, day: date) -> bool:
    """Whether the server has a ledger row for `day`, whatever its channel or status."""
    query = select(TABLE.c.id).where(TABLE.c.guild_id == guild_id, TABLE.c.day == day).limit(1)
    with engine.connect() as conn:
        return conn.execute(query).first() is not None


def get(engine: Engine, ledger_id: int) -> Row | None:
    with engine.connect() as conn:
        return conn.execute(select(TABLE).where(TABLE.c.id == ledger_id)).first()
