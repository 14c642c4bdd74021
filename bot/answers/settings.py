"""/reglages: a server's digest channel and hour. The Discord layer says who may change them."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot import texts
from bot.answers.context import AnswerContext
from bot.answers.film_arg import error
from bot.answers.model import Answer, Page
from bot.answers.safe import literal
from bot.wording import ago, count
from storage import follows, guild_settings

_TIME = re.compile(r"^\s*([01]?\d|2[0-3])\s*(?:[:hH]\s*([0-5]\d)?)?\s*$")


def parse_time(value: str) -> str | None:
    """`9`, `09:00`, `9h`, `18h30` → `HH:MM`; anything else → None."""
    match = _TIME.match(value or "")
    if not match:
        return None
    return f"{int(match.group(1)):02d}:{match.group(2) or '00'}"


def show(ctx: AnswerContext, guild_id: int | None, zone: str, now: datetime | None = None) -> Answer:
    if guild_id is None:
        return error(texts.SETTINGS_GUILD_ONLY)
    current = guild_settings.get(ctx.engine, guild_id)
    channel = f"<#{current.channel_id}>" if current.channel_id else None
    if channel is None:
        line = texts.SETTINGS_DIGEST_NO_CHANNEL
    elif current.enabled:
        line = texts.SETTINGS_DIGEST_ON.format(time=current.time, zone=zone, channel=channel)
    else:
        line = texts.SETTINGS_DIGEST_OFF.format(time=current.time, channel=channel)
    lines = [line, freshness_line(follows.freshness(ctx.engine, guild_id), now or datetime.now(UTC))]
    return Answer(title=texts.SETTINGS_TITLE, pages=(Page("\n".join(lines)),), tone="info", ephemeral=True)


def freshness_line(fresh: follows.Freshness, now: datetime) -> str:
    """`Films suivis : 12, à jour il y a 2 h au plus (le moins récent : *Backstage*) ; …`"""
    if not fresh.films:
        return texts.SETTINGS_FOLLOWS_NONE
    if fresh.oldest_read is not None and fresh.oldest_title is not None:
        line = texts.SETTINGS_FOLLOWS_FRESH.format(
            films=count(fresh.films), ago=ago(now - fresh.oldest_read), title=literal(fresh.oldest_title)
        )
    else:
        line = texts.SETTINGS_FOLLOWS_UNREAD.format(films=count(fresh.films))
    details = [
        forms[0 if n == 1 else 1].format(count=count(n))
        for n, forms in (
            (fresh.never_read if fresh.oldest_read is not None else 0, texts.SETTINGS_FOLLOWS_NEVER_READ),
            (fresh.failing, texts.SETTINGS_FOLLOWS_FAILING),
            (fresh.offline, texts.SETTINGS_FOLLOWS_OFFLINE),
        )
        if n
    ]
    return f"{line[:-1]} ; {' ; '.join(details)}." if details else line


def set_channel(
    ctx: AnswerContext,
    guild_id: int | None,
    channel_id: int,
    *,
    can_manage: bool,
    zone: str,
    missing_permission: str | None = None,
) -> Answer:
    if refused := _refusal(guild_id, can_manage):
        return refused
    assert guild_id is not None
    current = guild_settings.update(ctx.engine, guild_id, channel_id=channel_id, enabled=True)
    line = texts.SETTINGS_CHANNEL_SET.format(channel=f"<#{channel_id}>", time=current.time, zone=zone)
    if missing_permission:
        line += "\n" + texts.SETTINGS_CHANNEL_CANNOT_POST.format(
            channel=f"<#{channel_id}>", missing=missing_permission
        )
    return Answer(title=texts.SETTINGS_TITLE, pages=(Page(line),), tone="info", ephemeral=True)


def set_time(ctx: AnswerContext, guild_id: int | None, value: str, *, can_manage: bool, zone: str) -> Answer:
    if refused := _refusal(guild_id, can_manage):
        return refused
    assert guild_id is not None
    time = parse_time(value)
    if time is None:
        return error(texts.SETTINGS_TIME_INVALID.format(value=literal(value[:20])))
    guild_settings.update(ctx.engine, guild_id, time=time)
    return Answer(
        title=texts.SETTINGS_TITLE,
        pages=(Page(texts.SETTINGS_TIME_SET.format(time=time, zone=zone)),),
        tone="info",
        ephemeral=True,
    )


def turn_off(ctx: AnswerContext, guild_id: int | None, *, can_manage: bool) -> Answer:
    if refused := _refusal(guild_id, can_manage):
        return refused
    assert guild_id is not None
    guild_settings.update(ctx.engine, guild_id, enabled=False)
    return Answer(title=texts.SETTINGS_TITLE, pages=(Page(texts.SETTINGS_OFF),), tone="info", ephemeral=True)


def _refusal(guild_id: int | None, can_manage: bool) -> Answer | None:
    if guild_id is None:
        return error(texts.SETTINGS_GUILD_ONLY)
    if not can_manage:
        return error(texts.SETTINGS_REFUSED)
    return None
