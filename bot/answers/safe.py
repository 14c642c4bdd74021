"""Make quoted text show literally in Discord: no markdown effects, no pings."""

from __future__ import annotations

import re

import discord.utils

_MENTION = re.compile(r"<(@[!&]?\d+|#\d+|/[^>]+:\d+|t:\d+(?::\w)?)>")
_MASS_MENTION = re.compile(r"@(everyone|here)", re.IGNORECASE)
_LINE_START = re.compile(r"^(#{1,3} |-# |\d+\. |[-*+] )", re.MULTILINE)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def literal(text: str) -> str:
    """`**x** @everyone <@123>` → text that Discord shows exactly as written, pinging nobody."""
    text = _CONTROL.sub("", text)
    text = discord.utils.escape_markdown(text)
    text = _LINE_START.sub(r"\\\1", text)
    text = _MENTION.sub(r"\\<\1>", text)
    return _MASS_MENTION.sub("@\u200b\\1", text)


def unescape(text: str) -> str:
    """The reverse for a terminal, where markdown means nothing: drop escapes and zero-width spaces."""
    return re.sub(r"\\([\\*_`~|>#<\-\d+.:])", r"\1", text).replace("\u200b", "")
