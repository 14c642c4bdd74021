"""Post the daily digest: once per server and local day, and at least once, whatever restarts, retries,
twin processes or a flaky connection.

The day is claimed in the ledger with a lease (bot/answers/digest.py, storage/digest_ledger.py), renewed
while posting. Every post of a day's digest carries the same nonce (from server and day) with
`enforce_nonce`, so Discord itself returns the first message for a repeated post within its window, and
the same reference in the embed's footer, so a digest that reached Discord is found in the channel's
history. Before posting again (a transient failure, or a claim taken over from a process that died) the
history is read: a digest found there is recorded, not reposted. The marks of what the message announces
are written with the claim before the post and recorded with it, retried until the database takes them.
Database work runs in threads (`asyncio.to_thread`): it never blocks the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal, ParamSpec, TypeVar
from zoneinfo import ZoneInfo

import aiohttp
import discord
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from bot import texts
from bot.answers.digest import (
    Claimed,
    Digest,
    DigestSettings,
    Marks,
    Settled,
    claim_day,
    due_day,
    enabled_servers,
    prepare,
    record,
    renew_lease,
    server_digest,
    unsettled_day,
)
from bot.discord_ui.views import attach, embed_for, may_attach
from config import Settings

log = logging.getLogger(__name__)

Status = Literal["posted", "already", "empty-silent", "skipped", "failed", "off"]
# This process, as the ledger's leases name it.
OWNER = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
# Failures after which the same post may succeed: Discord's 5xx, a timeout, a connection lost.
TRANSIENT = (discord.DiscordServerError, discord.RateLimited, aiohttp.ClientError, OSError, TimeoutError)
HISTORY_LIMIT = 100  # recent messages read when looking for the day's digest
CATCH_UP_AT_ONCE = 8  # servers posted concurrently by the catch-up
LEDGER_PATIENCE = 3600.0  # seconds a ledger write is retried (a busy or unreachable database)
WAIT_PATIENCE = 6 * 3600.0  # seconds spent waiting for another process's claim before giving up

P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True)
class DigestOutcome:
    guild_id: int
    status: Status
    message_id: int | None = None
    error: str | None = None
    channel_id: int | None = None


def day_key(guild_id: int, day: date) -> str:
    return hashlib.sha256(f"critibot-digest:{guild_id}:{day.isoformat()}".encode()).hexdigest()


def day_nonce(guild_id: int, day: date) -> str:
    """The nonce of every post of `guild_id`'s digest of `day` (Discord allows 25 characters)."""
    return f"critibot-{day_key(guild_id, day)[:16]}"


def day_ref(guild_id: int, day: date) -> str:
    """The reference the digest's footer carries, found again in the channel's history."""
    return day_key(guild_id, day)[:10]


async def post_digest(
    client: discord.Client,
    engine: Engine,
    guild_id: int,
    *,
    now: datetime,
    settings: Settings,
    day: date | None = None,
) -> DigestOutcome:
    """Post `guild_id`'s digest of `day` (default: the local day of `now`), composed as of `now`, unless
    the day has one. While another process holds the day, wait: it posts, or its lease runs out and
    the day is taken over here.

    Statuses: posted; already (the day was settled before, here or by another process); empty-silent
    (nothing new and settings.digest_when_empty == "nothing"); skipped (channel gone or forbidden: the
    other servers are not concerned); failed (another error, or transient ones past the retries,
    logged); off (no digest for this server).
    """
    zone = ZoneInfo(settings.timezone)
    day = day or now.astimezone(zone).date()
    lease = timedelta(seconds=settings.digest_lease_seconds)
    loop = asyncio.get_running_loop()
    began = loop.time()
    while True:
        claimed = await _ledger(
            claim_day,
            engine,
            guild_id,
            now=now,
            zone=zone,
            day=day,
            owner=OWNER,
            lease=lease,
            wall=datetime.now(UTC),
        )
        channel_id, state = claimed.channel_id, claimed.state
        if channel_id is None:
            return DigestOutcome(guild_id, "off")
        if isinstance(state, Settled):
            return DigestOutcome(guild_id, "already", message_id=state.message_id, channel_id=channel_id)
        if isinstance(state, Claimed):
            break
        assert state is not None
        if loop.time() - began > WAIT_PATIENCE:
            return DigestOutcome(guild_id, "already", channel_id=channel_id)
        # Held elsewhere: look again when its lease would run out (or sooner: it may finish first).
        left = (state.lease_until - datetime.now(UTC)).total_seconds()
        await asyncio.sleep(min(max(left, 0.0) + 0.05, lease.total_seconds() / 4))

    keeper = asyncio.create_task(_keep_lease(engine, state.ledger_id, lease))
    try:
        await _settle_earlier(client, engine, guild_id, day, now=now, settings=settings)
        return await _post_claimed(
            client, engine, guild_id, day, channel_id, state, now=now, settings=settings
        )
    finally:
        keeper.cancel()


async def _settle_earlier(
    client: discord.Client, engine: Engine, guild_id: int, day: date, *, now: datetime, settings: Settings
) -> None:
    """An earlier day left unsettled (its process died and nobody took it over that day): taken over
    now, and recorded if its digest is in the channel, so this one does not announce it again."""
    earlier = await _ledger(unsettled_day, engine, guild_id, day)
    if earlier is None:
        return
    claimed = await _ledger(
        claim_day,
        engine,
        guild_id,
        now=now,
        zone=ZoneInfo(settings.timezone),
        day=earlier,
        owner=OWNER,
        lease=timedelta(seconds=settings.digest_lease_seconds),
        wall=datetime.now(UTC),
    )
    state = claimed.state
    if not isinstance(state, Claimed):
        return  # settled meanwhile, or held by a live process
    for where in dict.fromkeys(c for c in (state.channel_id, claimed.channel_id) if c is not None):
        found = await find_digest(client, where, day_ref(guild_id, earlier))
        if found is not None:
            marks = Marks(state.spectator_upto, state.press_upto)
            await _ledger(record, engine, state.ledger_id, "posted", marks, message_id=found.id, owner=OWNER)
            log.info("résumé du serveur %s du %s retrouvé (message %s)", guild_id, earlier, found.id)
            return
    # Not posted: its reviews go to this digest (a failed day covers nothing).
    await _ledger(record, engine, state.ledger_id, "failed", None, error="abandonné", owner=OWNER)


async def _post_claimed(
    client: discord.Client,
    engine: Engine,
    guild_id: int,
    day: date,
    channel_id: int,
    state: Claimed,
    *,
    now: datetime,
    settings: Settings,
) -> DigestOutcome:
    ledger_id, ref = state.ledger_id, day_ref(guild_id, day)

    async def finish(
        status: str,
        marks: Digest | Marks | None,
        *,
        message_id: int | None = None,
        error: str | None = None,
        channel: int | None = None,
    ) -> None:
        mine = await _ledger(
            record,
            engine,
            ledger_id,
            status,
            marks,
            message_id=message_id,
            error=error,
            owner=OWNER,
            channel_id=channel,
        )
        if not mine:
            log.warning(
                "résumé du serveur %s : la journée %s a été reprise par un autre processus", guild_id, day
            )

    if state.taken_over:
        # Its holder may have posted before dying: a digest found in the channel is recorded as it is.
        for channel in dict.fromkeys(c for c in (state.channel_id, channel_id) if c is not None):
            found = await find_digest(client, channel, ref)
            if found is not None:
                await finish(
                    "posted",
                    Marks(state.spectator_upto, state.press_upto),
                    message_id=found.id,
                    channel=channel,
                )
                log.info(
                    "résumé du serveur %s retrouvé dans le salon %s (message %s)", guild_id, channel, found.id
                )
                return DigestOutcome(guild_id, "posted", message_id=found.id, channel_id=channel)

    zone = ZoneInfo(settings.timezone)
    try:
        digest = await asyncio.to_thread(
            server_digest, engine, guild_id, now=now, zone=zone, watchlist=settings.watchlist, day=day
        )
    except Exception as problem:
        log.exception("résumé du serveur %s : composition impossible", guild_id)
        await finish("failed", None, error=repr(problem))
        return DigestOutcome(guild_id, "failed", error=repr(problem), channel_id=channel_id)

    if digest.is_empty and settings.digest_when_empty == "nothing":
        await finish("empty", digest)
        return DigestOutcome(guild_id, "empty-silent", channel_id=channel_id)

    delay = settings.digest_retry_delay
    lease = settings.digest_lease_seconds
    message: discord.Message | None = None
    for attempt in range(settings.digest_retries + 1):
        # Before each try, what the message announces is written with the claim (whoever records the
        # post records it) and the lease renewed, so it outlasts the try (at most half of it); a claim
        # that ran out meanwhile (this process was held up) may have been taken over: the other posts.
        until = datetime.now(UTC) + timedelta(seconds=lease)
        if not await _ledger(prepare, engine, ledger_id, OWNER, channel_id, digest, until):
            log.warning(
                "résumé du serveur %s : la journée %s a été reprise par un autre processus", guild_id, day
            )
            return DigestOutcome(guild_id, "already", channel_id=channel_id)
        try:
            target = client.get_channel(channel_id) or await client.fetch_channel(channel_id)
            if not isinstance(target, discord.abc.Messageable):
                raise TypeError(f"le salon {channel_id} ne reçoit pas de messages ({type(target).__name__})")
            answer = digest.answer
            if answer.image is not None and not may_attach(target):  # the words say it all the same
                log.info(
                    "résumé du serveur %s : sans graphique (pas le droit de joindre des fichiers)", guild_id
                )
                answer = replace(answer, image=None)
            # The moves' chart, when two films or more moved: an upload is read once, so anew each try.
            answer, picture = await attach(answer)
            extra: dict[str, Any] = {"file": picture} if picture else {}
            embed = embed_for(answer)
            embed.set_footer(text=texts.DIGEST_FOOTER_REF.format(footer=embed.footer.text or "", ref=ref))
            message = await asyncio.wait_for(
                target.send(
                    embeds=[embed],
                    allowed_mentions=discord.AllowedMentions.none(),
                    nonce=day_nonce(guild_id, day),  # discord.py adds enforce_nonce
                    **extra,
                ),
                timeout=min(settings.digest_post_timeout, lease / 2),
            )
            break
        except (discord.NotFound, discord.Forbidden) as problem:
            # The channel was deleted, or the bot may no longer see or write in it: the server must fix it.
            error = f"{problem.status} {problem.text}"
            log.warning("résumé du serveur %s : salon %s inaccessible (%s)", guild_id, channel_id, error)
            await finish("skipped", digest, error=error)
            return DigestOutcome(guild_id, "skipped", error=error, channel_id=channel_id)
        except TRANSIENT as problem:
            if attempt == settings.digest_retries:
                log.error(
                    "résumé du serveur %s : envoi impossible, %d essais (%r)", guild_id, attempt + 1, problem
                )
                await finish("failed", digest, error=repr(problem))
                return DigestOutcome(guild_id, "failed", error=repr(problem), channel_id=channel_id)
            log.warning(
                "résumé du serveur %s : envoi interrompu (%r), nouvel essai dans %.0f s",
                guild_id,
                problem,
                delay,
            )
            await asyncio.sleep(delay)
            delay = min(delay * 2, settings.digest_retry_max_delay)
            # The message may have been created before the failure: found, it is not posted again.
            if (message := await find_digest(client, channel_id, ref)) is not None:
                break
        except Exception as problem:
            log.exception("résumé du serveur %s : envoi impossible dans le salon %s", guild_id, channel_id)
            await finish("failed", digest, error=repr(problem))
            return DigestOutcome(guild_id, "failed", error=repr(problem), channel_id=channel_id)

    assert message is not None
    await finish("posted", digest, message_id=message.id, channel=channel_id)
    log.info("résumé du serveur %s posté dans le salon %s (message %s)", guild_id, channel_id, message.id)
    return DigestOutcome(guild_id, "posted", message_id=message.id, channel_id=channel_id)


async def find_digest(client: discord.Client, channel_id: int, ref: str) -> discord.Message | None:
    """The bot's message in the channel's recent history whose footer carries `ref`, if any (None too
    when the history cannot be read: the day's nonce still guards a post that follows)."""
    me = client.user.id if client.user else None
    try:
        channel = client.get_channel(channel_id) or await client.fetch_channel(channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            return None
        async for message in channel.history(limit=HISTORY_LIMIT):
            if message.author.id == me and any(ref in (e.footer.text or "") for e in message.embeds):
                return message
    except (discord.HTTPException, *TRANSIENT) as problem:
        log.warning("historique du salon %s illisible : %r", channel_id, problem)
    return None


async def _keep_lease(engine: Engine, ledger_id: int, lease: timedelta) -> None:
    """Renew this process's lease on the day while it posts (a third of the lease apart)."""
    while True:
        await asyncio.sleep(lease.total_seconds() / 3)
        try:
            mine = await asyncio.to_thread(renew_lease, engine, ledger_id, OWNER, datetime.now(UTC) + lease)
        except DBAPIError as problem:
            log.warning("bail du résumé %s non renouvelé : %r", ledger_id, problem)
            continue
        if not mine:
            return


async def _ledger(action: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """A ledger step in a thread, tried again with backoff while the database is busy or unreachable
    (a post that Discord took must be recorded, or the next digest would announce it again)."""
    loop = asyncio.get_running_loop()
    began, delay = loop.time(), 0.1
    while True:
        try:
            return await asyncio.to_thread(action, *args, **kwargs)
        except DBAPIError as problem:
            if loop.time() - began > LEDGER_PATIENCE:
                raise
            log.warning("registre des résumés indisponible (%r), nouvel essai dans %.1f s", problem, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)


async def post_due_digests(
    client: discord.Client,
    engine: Engine,
    *,
    now: datetime,
    settings: Settings,
    grace: timedelta = timedelta(hours=1),
) -> list[DigestOutcome]:
    """Post every digest due and not settled: today's once its hour has passed, yesterday's within
    `grace` of its hour, for the servers of this process's shards.

    Run at start-up, it catches up the digests missed while the bot was down (or left unfinished by a
    process that died). One server failing never stops the others.
    """
    zone = ZoneInfo(settings.timezone)
    servers = [s for s in await asyncio.to_thread(enabled_servers, engine) if settings.serves(s.guild_id)]
    gate = asyncio.Semaphore(CATCH_UP_AT_ONCE)

    async def one(chosen: DigestSettings) -> DigestOutcome | None:
        async with gate:
            try:
                day = await asyncio.to_thread(due_day, engine, chosen, now, zone, grace)
                if day is None:
                    return None
                return await post_digest(client, engine, chosen.guild_id, now=now, settings=settings, day=day)
            except Exception as problem:
                log.exception("résumé du serveur %s : échec", chosen.guild_id)
                return DigestOutcome(chosen.guild_id, "failed", error=repr(problem))

    outcomes = await asyncio.gather(*(one(chosen) for chosen in servers))
    return [o for o in outcomes if o is not None]
