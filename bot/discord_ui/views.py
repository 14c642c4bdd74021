"""Answer → discord.Embed, and the ◀ ▶ buttons that page through a long answer."""

from __future__ import annotations

import logging

import discord

from bot import render, texts
from bot.answers.model import Answer

log = logging.getLogger(__name__)
PAGER_TIMEOUT = 180.0  # seconds of inactivity before the buttons stop


def embed_for(answer: Answer, page: int = 0) -> discord.Embed:
    return discord.Embed.from_dict(render.embed(answer, page))


class Pager(discord.ui.View):
    """◀ ▶ for the person who asked; others get a polite refusal. Buttons go grey after a timeout."""

    def __init__(self, answer: Answer, owner_id: int, *, timeout: float = PAGER_TIMEOUT) -> None:
        super().__init__(timeout=timeout)
        self.answer = answer
        self.owner_id = owner_id
        self.page = 0
        self.message: discord.InteractionMessage | discord.Message | None = None
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

    async def on_timeout(self) -> None:
        for item in self.children:
            if isinstance(item, discord.ui.Button):
                item.disabled = True
        if self.message is not None:
            try:
                await self.message.edit(view=self)
            except discord.HTTPException as problem:  # message deleted, token expired…
                log.info("pages : boutons non désactivés (%s)", problem)
