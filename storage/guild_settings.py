"""Per-server settings (the daily digest's channel and hour): read and written by the bot's /reglages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select

from storage.db.tables import GUILD_SETTINGS
from storage.db.upsert import upsert

TABLE = GUILD_SETTINGS


@dataclass(frozen=True)
class DigestSettings:
    guild_id: int
    channel_id: int | None = None
    time: str = "09:00"
    enabled: bool = False


def get(engine: Engine, guild_id: int) -> DigestSettings:
    with engine.connect() as conn:
        row = conn.execute(select(TABLE).where(TABLE.c.guild_id == guild_id)).first()
    if row is None:
        return DigestSettings(guild_id=guild_id)
    return DigestSettings(guild_id, row.digest_channel_id, row.digest_time, row.digest_enabled)


def update(engine: Engine, guild_id: int, **changes: Any) -> DigestSettings:
    """Change some of a server's settings (channel_id, time, enabled), creating its row if needed."""
    columns = {"channel_id": "digest_channel_id", "time": "digest_time", "enabled": "digest_enabled"}
    values = {columns[k]: v for k, v in changes.items()} | {"updated_at": datetime.now(UTC)}
    with engine.begin() as conn:
        upsert(conn, TABLE, [{"guild_id": guild_id, **values}], keys=("guild_id",), updates=values)
    return get(engine, guild_id)


def all_enabled(engine: Engine) -> list[DigestSettings]:
    query = select(TABLE).where(TABLE.c.digest_enabled.is_(True), TABLE.c.digest_channel_id.is_not(None))
    with engine.connect() as conn:
        return [
            DigestSettings(r.guild_id, r.digest_channel_id, r.digest_time, r.digest_enabled)
            for r in conn.execute(query)
        ]
