"""Discord's side of the options declared in bot/answers/commands.py: one Transformer per option.

Each Transformer tells Discord the option's type, choices and range straight from its declaration. The
film option's also autocompletes from the in-memory title index and resolves what arrives (a picked
suggestion or typed text) into the film, or the answer that says why not, before the command runs.
"""

from __future__ import annotations

import asyncio
from typing import Any

import discord
from discord import AppCommandOptionType, app_commands
from discord.app_commands import locale_str

from bot.answers.autocomplete import film_choices
from bot.answers.commands import Option
from bot.answers.context import AnswerContext
from bot.answers.film_arg import Resolved, clean_query, resolve_local

_TYPES = {
    str: AppCommandOptionType.string,
    int: AppCommandOptionType.integer,
    float: AppCommandOptionType.number,
}


def answer_context(interaction: discord.Interaction) -> AnswerContext:
    """The context of the bot serving `interaction` (bot/discord_ui/client.py's Critibot carries one)."""
    ctx = getattr(interaction.client, "ctx", None)
    if not isinstance(ctx, AnswerContext):
        raise TypeError(f"{type(interaction.client).__name__} has no AnswerContext to answer with")
    return ctx


class DeclaredOption(app_commands.Transformer):
    """An option as bot/answers/commands.py declares it; the value arrives as the terminal would pass it."""

    def __init__(self, option: Option) -> None:
        self.option = option

    @property
    def type(self) -> AppCommandOptionType:
        return _TYPES[self.option.type]

    @property
    def min_value(self) -> float | None:
        return self.option.min_value

    @property
    def max_value(self) -> float | None:
        return self.option.max_value

    @property
    def choices(self) -> list[app_commands.Choice[int | float | str]] | None:
        if not self.option.choices:
            return None
        choices: list[app_commands.Choice[int | float | str]] = [
            app_commands.Choice(name=locale_str(choice), value=choice) for choice in self.option.choices
        ]
        return choices

    async def transform(self, interaction: discord.Interaction, value: Any, /) -> Any:
        # Discord sends a whole number as an int even for a "number" option: floats stay floats.
        return float(value) if self.option.type is float else value


class FilmOption(DeclaredOption):
    """A film title: suggestions while typing, and the film resolved once, here, when the command runs."""

    async def autocomplete(
        self, interaction: discord.Interaction, value: int | float | str, /
    ) -> list[app_commands.Choice[int | float | str]]:
        """From memory only (the title index, AlloCiné's answers kept for autocomplete): milliseconds on
        every keystroke, never the network (a search it lacks is begun in the background for the next
        keystrokes: bot/answers/autocomplete.py)."""
        choices = film_choices(answer_context(interaction), str(value))
        return [app_commands.Choice(name=label, value=choice) for label, choice in choices]

    async def transform(self, interaction: discord.Interaction, value: Any, /) -> Resolved | None:
        if not clean_query(str(value)):
            return None  # blank: as if the option were not given
        command = interaction.command.name if interaction.command else self.option.name
        ctx = answer_context(interaction)
        # The catalogue only: asking AlloCiné takes seconds, and Discord wants an answer within 3. When
        # the catalogue is not sure, the command asks AlloCiné itself, its reply deferred at once.
        return await asyncio.to_thread(resolve_local, ctx, str(value), command)


def transformer_for(option: Option) -> DeclaredOption:
    return FilmOption(option) if option.film else DeclaredOption(option)
