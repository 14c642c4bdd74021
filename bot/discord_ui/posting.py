"""Post the daily digest: exactly once per server and day, whatever restarts, retries or twin processes.

The day is claimed in the ledger (bot/answers/digest.py) before posting and recorded after.
At most once wins over at least once: if the process dies between the claim and the record, the
row stays 'claimed' and that day's digest is not posted again (its reviews go to the next digest).
Database work runs in threads (`asyncio.to_thread`): it never blocks the event loop.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

import discord
from sqlalchemy import Engine

from bot.answers.digest import Digest, claim_day, due_today, enabled_servers, record, server_digest
from bot.discord_ui.views import attach, embed_for, may_attach
from config import Settings

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
    zone = ZoneInfo(settings.timezone)
    claimed = await asyncio.to_thread(claim_day, engine, guild_id, now=now, zone=zone)
    channel_id, ledger_id = claimed.channel_id, claimed.ledger_id
    if channel_id is None:
        return DigestOutcome(guild_id, "off")
    if ledger_id is None:
        return DigestOutcome(guild_id, "already", channel_id=channel_id)

    async def finish(
        status: str, digest: Digest | None, *, message_id: int | None = None, error: str | None = None
    ) -> None:
        await asyncio.to_thread(record, engine, ledger_id, status, digest, message_id=message_id, error=error)

    try:
        digest = await asyncio.to_thread(
            server_digest, engine, guild_id, now=now, zone=zone, watchlist=settings.watchlist
        )
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
        answer = digest.answer
        if answer.image is not None and not may_attach(channel):  # the words say it all the same
            log.info("résumé du serveur %s : sans graphique (pas le droit de joindre des fichiers)", guild_id)
            answer = replace(answer, image=None)
        answer, picture = await attach(answer)  # the moves' chart, when two films or more moved
        extra: dict[str, Any] = {"file": picture} if picture else {}
        message = await channel.send(
            embeds=[embed_for(answer)], allowed_mentions=discord.AllowedMentions.none(), **extra
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


async def post_due_digests(
    client: discord.Client, engine: Engine, *, now: datetime, settings: Settings
) -> list[DigestOutcome]:
    """Post every enabled server's digest whose hour has passed today and that has none yet today.

    Run at start-up, it catches up the digests missed while the bot was down (the same day only).
    One server failing never stops the others.
    """
    local = now.astimezone(ZoneInfo(settings.timezone))
    outcomes = []
    for chosen in await asyncio.to_thread(enabled_servers, engine):
        try:
            if not await asyncio.to_thread(due_today, engine, chosen, local):
                continue
            outcomes.append(await post_digest(client, engine, chosen.guild_id, now=now, settings=settings))
        except Exception as problem:
            log.exception("résumé du serveur %s : échec", chosen.guild_id)
            outcomes.append(DigestOutcome(chosen.guild_id, "failed", error=repr(problem)))
    return outcomes
