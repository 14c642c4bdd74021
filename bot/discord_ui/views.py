"""Answer → discord.Embed, the ◀ ▶ buttons that page through a long answer, and the buttons of a
"Vouliez-vous dire…" that run the command again on the film picked."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import discord

from bot import render, texts
from bot.answers.commands import COMMANDS
from bot.answers.model import Answer, Pick
from bot.answers.pictures import drawn

if TYPE_CHECKING:
    from bot.discord_ui.client import Critibot

log = logging.getLogger(__name__)
PAGER_TIMEOUT = 180.0  # seconds of inactivity before the buttons stop


def embed_for(answer: Answer, page: int = 0) -> discord.Embed:
    return discord.Embed.from_dict(render.embed(answer, page))


def may_attach(channel: object) -> bool:
    """Whether the bot may upload files in `channel` (*Joindre des fichiers*): a post with a file that it
    may not attach would be refused whole. Unknown (no server, or its member not cached): try."""
    guild = getattr(channel, "guild", None)
    me = guild.me if guild is not None else None
    if me is None or not isinstance(channel, discord.abc.GuildChannel):
        return True
    return channel.permissions_for(me).attach_files


async def attach(answer: Answer) -> tuple[Answer, discord.File | None]:
    """The answer's chart drawn (in a worker thread: drawing takes tens of ms) as an upload that its
    embed's image points at (attachment://name), its description the alt text. A chart that cannot be
    drawn is dropped from the answer, so that the embed points at nothing missing."""
    if answer.image is None:
        return answer, None
    png = await asyncio.to_thread(drawn, answer.image)
    if png is None:
        return replace(answer, image=None), None
    upload = discord.File(io.BytesIO(png), filename=answer.image.name, description=answer.image.description)
    return answer, upload


class _Expiring(discord.ui.View):
    """A view whose buttons go grey when it times out (on the message it was sent with)."""

    message: discord.InteractionMessage | discord.Message | None = None

    async def on_timeout(self) -> None:
        for item in self.children:
            if isinstance(item, discord.ui.Button):
                item.disabled = True
        if self.message is not None:
            try:
                await self.message.edit(view=self)
            except discord.HTTPException as problem:  # message deleted, token expired…
                log.info("boutons non désactivés (%s)", problem)


class Pager(_Expiring):
    """◀ ▶ for the person who asked; others get a polite refusal. Buttons go grey after a timeout."""

    def __init__(self, answer: Answer, owner_id: int, *, timeout: float = PAGER_TIMEOUT) -> None:
        super().__init__(timeout=timeout)
        self.answer = answer
        self.owner_id = owner_id
        self.page = 0
        self._sync_buttons()

    def _sync_buttons(self) -> None:
        self.previous.disabled = self.page == 0
        self.next.disabled = self.page >= len(self.answer.pages) - 1

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(texts.PAGER_NOT_YOURS, ephemeral=True)
        return False

    async def _show(self, interaction: discord.Interaction, page: int) -> None:
        self.page = max(0, min(page, len(self.answer.pages) - 1))
        self._sync_buttons()
        await interaction.response.edit_message(embed=embed_for(self.answer, self.page), view=self)

    @discord.ui.button(emoji="◀", style=discord.ButtonStyle.secondary, custom_id="critibot:previous")
    async def previous(self, interaction: discord.Interaction, _button: discord.ui.Button[Pager]) -> None:
        await self._show(interaction, self.page - 1)

    @discord.ui.button(emoji="▶", style=discord.ButtonStyle.secondary, custom_id="critibot:next")
    async def next(self, interaction: discord.Interaction, _button: discord.ui.Button[Pager]) -> None:
        await self._show(interaction, self.page + 1)


class Picker(_Expiring):
    """One button per film offered: a click runs `command` again with the film option set to the pick
    (an AlloCiné film is then read, its reply deferred like any). Sent with an ephemeral answer, so only
    the asker sees it; the buttons go grey after a timeout."""

    def __init__(
        self,
        bot: Critibot,
        picks: Sequence[Pick],
        command: str,
        arguments: dict[str, Any],
        *,
        timeout: float = PAGER_TIMEOUT,
    ) -> None:
        super().__init__(timeout=timeout)

        option = next((o.name for o in COMMANDS[command].options if o.film), None)
        for number, pick in enumerate(picks[:25]):
            chosen = {**arguments, **({option: pick.value} if option else {})}
            self.add_item(_PickButton(bot, pick.label, f"critibot:pick:{number}", command, chosen))


class _PickButton(discord.ui.Button[Picker]):
    def __init__(
        self, bot: Critibot, label: str, custom_id: str, command: str, arguments: dict[str, Any]
    ) -> None:
        super().__init__(label=label[:80], style=discord.ButtonStyle.primary, custom_id=custom_id)
        self.bot = bot
        self.command = command
        self.arguments = arguments

    async def callback(self, interaction: discord.Interaction) -> None:
        await self.bot.answer(interaction, self.command, self.arguments)
