"""Post the daily digest: exactly once per server and day, whatever restarts, retries or twin processes.

The ledger (storage/digest_ledger.py) is claimed in the database before posting and completed after.
At most once wins over at least once: if the process dies between the claim and the completion, the
row stays 'claimed' and that day's digest is not posted again (its reviews go to the next digest).
Database work runs in threads (`asyncio.to_thread`): it never blocks the event loop.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Literal
from zoneinfo import ZoneInfo

import discord
from sqlalchemy import Engine

from bot.digest.compose import Digest, compose_digest
from bot.discord_ui.views import embed_for
from config import Settings
from storage import digest_ledger, guild_settings

log = logging.getLogger(__name__)

Status = Literal["posted", "already", "empty-silent", "skipped", "failed", "off"]


@dataclass(frozen=True)
class DigestOutcome:
    guild_id: int
    status: Status
    message_id: int | None = None
    error: str | None = None
    channel_id: int | None = None


async def post_digest(
    client: discord.Client, engine: Engine, guild_id: int, *, now: datetime, settings: Settings
) -> DigestOutcome:
    """Post `guild_id`'s digest for the local day of `now`, unless the day already has one.

    Statuses: posted; already (the day was claimed before, here or by another process); empty-silent
    (nothing new and settings.digest_when_empty == "nothing"); skipped (channel gone or forbidden: the
    other servers are not concerned); failed (another error, logged); off (no digest for this server).
    """
    chosen = await asyncio.to_thread(guild_settings.get, engine, guild_id)
    if not chosen.enabled or chosen.channel_id is None:
        return DigestOutcome(guild_id, "off")
    channel_id = chosen.channel_id
    zone = ZoneInfo(settings.timezone)
    day = now.astimezone(zone).date()
    # One digest per server and day even if its channel changed since this morning's.
    if await asyncio.to_thread(digest_ledger.posted_today, engine, guild_id, day):
        return DigestOutcome(guild_id, "already", channel_id=channel_id)
    ledger_id = await asyncio.to_thread(digest_ledger.claim, engine, guild_id, channel_id, day, now)
    if ledger_id is None:  # another process (or a retried job) claimed it between the check and here
        return DigestOutcome(guild_id, "already", channel_id=channel_id)

    async def finish(
        status: str, digest: Digest | None, *, message_id: int | None = None, error: str | None = None
    ) -> None:
        await asyncio.to_thread(
            digest_ledger.complete,
            engine,
            ledger_id,
            status=status,
            message_id=message_id,
            error=error,
            spectator_upto=digest.spectator_upto if digest else None,
            press_upto=digest.press_upto if digest else None,
            now=datetime.now(UTC),
        )

    try:
        digest = await asyncio.to_thread(compose_digest, engine, guild_id, now=now, zone=zone)
    except Exception as problem:
        log.exception("résumé du serveur %s : composition impossible", guild_id)
        await finish("failed", None, error=repr(problem))
        return DigestOutcome(guild_id, "failed", error=repr(problem), channel_id=channel_id)

    if digest.is_empty and settings.digest_when_empty == "nothing":
        await finish("empty", digest)
        return DigestOutcome(guild_id, "empty-silent", channel_id=channel_id)

    try:
        channel = client.get_channel(channel_id) or await client.fetch_channel(channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            raise TypeError(f"le salon {channel_id} ne reçoit pas de messages ({type(channel).__name__})")
        message = await channel.send(
            embeds=[embed_for(digest.answer)], allowed_mentions=discord.AllowedMentions.none()
        )
    except (discord.NotFound, discord.Forbidden) as problem:
        # The channel was deleted, or the bot may no longer see or write in it: the server must fix it.
        error = f"{problem.status} {problem.text}"
        log.warning("résumé du serveur %s : salon %s inaccessible (%s)", guild_id, channel_id, error)
        await finish("skipped", digest, error=error)
        return DigestOutcome(guild_id, "skipped", error=error, channel_id=channel_id)
    except Exception as problem:
        log.exception("résumé du serveur %s : envoi impossible dans le salon %s", guild_id, channel_id)
        await finish("failed", digest, error=repr(problem))
        return DigestOutcome(guild_id, "failed", error=repr(problem), channel_id=channel_id)

    await finish("posted", digest, message_id=message.id)
    log.info("résumé du serveur %s posté dans le salon %s (message %s)", guild_id, channel_id, message.id)
    return DigestOutcome(guild_id, "posted", message_id=message.id, channel_id=channel_id)


def is_due(digest_time: str, local: datetime) -> bool:
    """Whether a digest set for `digest_time` ("HH:MM", local) is due at the local time `local`."""
    try:
        hour, minute = (int(part) for part in digest_time.split(":"))
        due = time(hour, minute)
    except ValueError:
        log.warning("heure de résumé illisible : %r (09:00 par défaut)", digest_time)
        due = time(9, 0)
    return local.time() >= due  # .time() of an aware datetime is naive: wall-clock comparison


async def post_due_digests(
    client: discord.Client, engine: Engine, *, now: datetime, settings: Settings
) -> list[DigestOutcome]:
    """Post every enabled server's digest whose hour has passed today and that has none yet today.

    Run at start-up, it catches up the digests missed while the bot was down (the same day only).
    One server failing never stops the others.
    """
    zone = ZoneInfo(settings.timezone)
    local = now.astimezone(zone)
    outcomes = []
    for chosen in await asyncio.to_thread(guild_settings.all_enabled, engine):
        try:
            if not is_due(chosen.time, local):
                continue
            if await asyncio.to_thread(digest_ledger.posted_today, engine, chosen.guild_id, local.date()):
                continue
            outcomes.append(await post_digest(client, engine, chosen.guild_id, now=now, settings=settings))
        except Exception as problem:
            log.exception("résumé du serveur %s : échec", chosen.guild_id)
            outcomes.append(DigestOutcome(chosen.guild_id, "failed", error=repr(problem)))
    return outcomes
