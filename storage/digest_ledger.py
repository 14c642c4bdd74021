"""The digest ledger: one row per server and local day, whatever its channel, so that each day gets its
digest once, and at least once.

A day is *claimed* before anything is posted: the row is inserted (`INSERT … ON CONFLICT DO NOTHING` on
the unique key guild_id + day) with a *lease* (an owner and a deadline, renewed while posting). The
database arbitrates, so this holds across processes on SQLite and PostgreSQL alike:
- no row: the caller claimed the day;
- a posted, empty or skipped row: the day is settled, nothing to do;
- a claim whose lease runs: another process is posting (wait for it);
- a claim past its lease (its holder died) or a failed attempt: taken over, atomically (the row is
  updated only if it is still as it was read). Whoever takes over a claim must first look at the
  channel for the digest its holder may have posted (bot/discord_ui/posting.py).

The marks (what the digest covers) are written into the claimed row before the post (`prepare`), so a
record made later, after a retry or by whoever takes over, records what the message announced.

Statuses: claimed | posted | empty (nothing new, nothing posted) | skipped (channel gone or forbidden)
| failed (another error). The next digest starts after the marks of the last posted, empty or skipped one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, Row, select

from storage.db.tables import DIGEST_POST
from storage.db.times import as_utc
from storage.db.upsert import upsert_statement

TABLE = DIGEST_POST
STATUSES = ("claimed", "posted", "empty", "skipped", "failed")
# Digests whose marks the next one starts after: what they covered was announced, or deliberately dropped
# (a channel that is gone must not make the next digest a flood). They also settle their day.
COVERING = ("posted", "empty", "skipped")


@dataclass(frozen=True)
class Claimed:
    """The caller holds the day. `taken_over`: it was claimed before (a holder that died, or a failed
    attempt): look for its message before posting. The previous holder's channel and marks, if any."""

    ledger_id: int
    taken_over: bool = False
    channel_id: int | None = None
    spectator_upto: int | None = None
    press_upto: int | None = None
    claimed_at: datetime | None = None


@dataclass(frozen=True)
class Busy:
    """Another process holds the day until `lease_until`."""

    ledger_id: int
    lease_until: datetime


@dataclass(frozen=True)
class Settled:
    """The day already has its digest (or deliberately none)."""

    ledger_id: int
    status: str
    message_id: int | None


Claim = Claimed | Busy | Settled


def take(
    engine: Engine,
    guild_id: int,
    channel_id: int,
    day: date,
    now: datetime,
    *,
    owner: str = "",
    lease: timedelta = timedelta(minutes=3),
    wall: datetime | None = None,
) -> Claim:
    """Claim `guild_id`'s digest of `day` (composed as of `now`) for `owner` until `wall + lease`, or
    say who has it. `wall`: the clock leases are read by, the same for every process (default `now`)."""
    wall = wall or now
    until = wall + lease
    row = {
        "guild_id": guild_id,
        "channel_id": channel_id,
        "day": day,
        "status": "claimed",
        "claimed_at": now,
        "lease_owner": owner,
        "lease_until": until,
    }
    with engine.begin() as conn:
        # Insert first: on SQLite this takes the write lock, on PostgreSQL it waits for a racing insert.
        stmt = upsert_statement(conn.dialect.name, TABLE, ("guild_id", "day"), (), "id")
        # RETURNING gives a row only to the insert that won; a conflicting one gets none.
        ledger_id: int | None = conn.execute(stmt, row).scalar_one_or_none()
        if ledger_id is not None:
            return Claimed(ledger_id)
        found = conn.execute(select(TABLE).where(TABLE.c.guild_id == guild_id, TABLE.c.day == day)).one()
        if found.status in COVERING:
            return Settled(found.id, found.status, found.message_id)
        lease_until = as_utc(found.lease_until) if found.lease_until is not None else None
        if found.status == "claimed" and lease_until is not None and lease_until > wall:
            return Busy(found.id, lease_until)
        # Taken over only if nobody changed the row since it was read (compare and set).
        taken = conn.execute(
            TABLE.update()
            .where(
                TABLE.c.id == found.id,
                TABLE.c.status == found.status,
                TABLE.c.lease_owner.is_not_distinct_from(found.lease_owner),
                TABLE.c.lease_until.is_not_distinct_from(found.lease_until),
            )
            .values(status="claimed", lease_owner=owner, lease_until=until)
        )
        if taken.rowcount != 1:
            return Busy(found.id, wall)
        return Claimed(
            found.id,
            taken_over=True,
            channel_id=found.channel_id,
            spectator_upto=found.spectator_upto,
            press_upto=found.press_upto,
            claimed_at=as_utc(found.claimed_at),
        )


def claim(engine: Engine, guild_id: int, channel_id: int, day: date, now: datetime) -> int | None:
    """`take` with the default lease, read by `now`: the ledger id when the caller holds the day."""
    taken = take(engine, guild_id, channel_id, day, now)
    return taken.ledger_id if isinstance(taken, Claimed) else None


def renew(engine: Engine, ledger_id: int, owner: str, until: datetime) -> bool:
    """Extend `owner`'s lease; False when the claim is no longer its own."""
    with engine.begin() as conn:
        done = conn.execute(
            TABLE.update()
            .where(TABLE.c.id == ledger_id, TABLE.c.lease_owner == owner, TABLE.c.status == "claimed")
            .values(lease_until=until)
        )
        return done.rowcount == 1


def prepare(
    engine: Engine,
    ledger_id: int,
    owner: str,
    *,
    channel_id: int,
    spectator_upto: int | None,
    press_upto: int | None,
    until: datetime,
) -> bool:
    """Before posting: the channel and the marks of what the message will announce, and the lease
    renewed to `until`; False when the claim is no longer `owner`'s (it must not post: another process
    took the day over, and posts or records it)."""
    values = {
        "channel_id": channel_id,
        "spectator_upto": spectator_upto,
        "press_upto": press_upto,
        "lease_until": until,
    }
    with engine.begin() as conn:
        done = conn.execute(
            TABLE.update()
            .where(TABLE.c.id == ledger_id, TABLE.c.lease_owner == owner, TABLE.c.status == "claimed")
            .values(values)
        )
        return done.rowcount == 1


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
    owner: str | None = None,
    channel_id: int | None = None,
) -> bool:
    """Record how the claimed digest ended and the marks of what it covered, in one statement, and let
    the lease go. With `owner`, only while the claim is still its own (False otherwise)."""
    if status not in STATUSES[1:]:
        raise ValueError(f"unknown digest status: {status}")
    values = {
        "status": status,
        "message_id": message_id,
        "error": error[:1000] if error else None,
        "spectator_upto": spectator_upto,
        "press_upto": press_upto,
        "finished_at": now,
        "lease_owner": None,
        "lease_until": None,
    }
    if channel_id is not None:
        values["channel_id"] = channel_id
    query = TABLE.update().where(TABLE.c.id == ledger_id)
    if owner is not None:
        query = query.where(TABLE.c.lease_owner == owner, TABLE.c.status == "claimed")
    with engine.begin() as conn:
        return conn.execute(query.values(values)).rowcount == 1


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


def unsettled_before(engine: Engine, guild_id: int, day: date) -> Row | None:
    """The server's latest day before `day` left unsettled after its marks were prepared (its process
    died, or its post failed), and after its last covering digest: its message may exist."""
    last = last_digest(engine, guild_id)
    query = (
        select(TABLE)
        .where(
            TABLE.c.guild_id == guild_id,
            TABLE.c.day < day,
            TABLE.c.status.in_(("claimed", "failed")),
            TABLE.c.spectator_upto.is_not(None) | TABLE.c.press_upto.is_not(None),
        )
        .order_by(TABLE.c.day.desc())
        .limit(1)
    )
    if last is not None:
        query = query.where(TABLE.c.day > last.day)
    with engine.connect() as conn:
        return conn.execute(query).first()


def day_row(engine: Engine, guild_id: int, day: date) -> Row | None:
    """The server's ledger row for `day`, if any."""
    query = select(TABLE).where(TABLE.c.guild_id == guild_id, TABLE.c.day == day)
    with engine.connect() as conn:
        return conn.execute(query).first()


def posted_today(engine: Engine, guild_id: int, day: date) -> bool:
    """Whether the server has a ledger row for `day`, whatever its status."""
    return day_row(engine, guild_id, day) is not None


def settled(engine: Engine, guild_id: int, day: date) -> bool:
    """Whether the server's `day` has its digest, or deliberately none (posted, empty or skipped)."""
    row = day_row(engine, guild_id, day)
    return row is not None and row.status in COVERING


def get(engine: Engine, ledger_id: int) -> Row | None:
    with engine.connect() as conn:
        return conn.execute(select(TABLE).where(TABLE.c.id == ledger_id)).first()
