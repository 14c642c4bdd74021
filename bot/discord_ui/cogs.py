"""The slash commands: one cog per topic built from bot/answers/commands.py, and /reglages.

The commands that the terminal knows too are not written here: each is built from its declaration in
COMMANDS, so Discord gets exactly the names, descriptions, choices and ranges that the console parses.
/reglages is Discord's alone (a channel option, a permission): declared here, its logic in
bot/answers/settings.py.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import types
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

from bot.answers import settings as settings_answers
from bot.answers.commands import COMMANDS, Command
from bot.answers.context import Member
from bot.discord_ui.options import transformer_for

if TYPE_CHECKING:
    from bot.discord_ui.client import Critibot

log = logging.getLogger(__name__)


def slash_command(bot: Critibot, command: Command) -> app_commands.Command[Any, ..., None]:
    """`command` as Discord sees it; its answer comes from bot/answers like the terminal's."""

    async def callback(interaction: discord.Interaction, **arguments: Any) -> None:
        await bot.answer(interaction, command.name, arguments)

    # discord.py reads the options off the callback's signature: give it the declared ones.
    parameters = [
        inspect.Parameter(
            "interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=discord.Interaction
        )
    ]
    parameters += [
        inspect.Parameter(
            option.name,
            inspect.Parameter.KEYWORD_ONLY,
            annotation=transformer_for(option),
            default=inspect.Parameter.empty if option.required else None,
        )
        for option in command.options
    ]
    callback.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    if command.options:
        app_commands.describe(**{option.name: _(option.description) for option in command.options})(callback)
    slash: app_commands.Command[Any, ..., None] = app_commands.command(
        name=_(command.name), description=_(command.description)
    )(callback)
    if command.server:
        slash.guild_only = True
    if command.manage:
        # Hidden from the other members by default; the answer checks the permission again (a server
        # may show the command to anyone in its integration settings).
        slash.default_permissions = discord.Permissions(manage_guild=True)
    return slash


def member_of(interaction: discord.Interaction) -> Member:
    """Who asks, on which server, and whether they may *Gérer le serveur* there (as /reglages checks)."""
    guild_id = interaction.guild_id
    return Member(guild_id, interaction.user.id, bool(guild_id) and interaction.permissions.manage_guild)


class Topic(commands.Cog):
    """The commands of one topic (Command.topic), on the command tree while the cog is loaded."""

    def __init__(self, bot: Critibot, topic: str) -> None:
        self.bot = bot
        self.slash = [slash_command(bot, c) for c in COMMANDS.values() if c.topic == topic]

    async def cog_load(self) -> None:
        for command in self.slash:
            self.bot.tree.add_command(command)

    async def cog_unload(self) -> None:
        for command in self.slash:
            self.bot.tree.remove_command(command.name)


def topic_cogs(bot: Critibot) -> list[Topic]:
    """One cog per topic, in the order COMMANDS first names them; each cog class is named by its topic."""
    topics = dict.fromkeys(command.topic for command in COMMANDS.values())
    return [types.new_class(topic.capitalize(), (Topic,), {"name": topic})(bot, topic) for topic in topics]


class Reglages(commands.Cog, name="reglages"):
    """Server settings: only members with *Gérer le serveur* may change them (checked again at run time)."""

    def __init__(self, bot: Critibot) -> None:
        self.bot = bot

    reglages = app_commands.Group(
        name=_("reglages"),
        description=_("Réglages de critibot sur ce serveur"),
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )
    digest = app_commands.Group(
        name=_("digest"), description=_("Le résumé quotidien des critiques"), parent=reglages
    )

    def _can_manage(self, interaction: discord.Interaction) -> bool:
        return member_of(interaction).can_manage

    async def _apply(self, interaction: discord.Interaction, work: Any) -> None:
        """Answer a settings change, then move the server's digest job at once (a refusal moves nothing)."""
        await self.bot.reply(interaction, work)
        if interaction.guild_id and self._can_manage(interaction):
            await asyncio.to_thread(self.bot.schedule.sync_guild, interaction.guild_id)

    @digest.command(name=_("salon"), description=_("Le salon où poster le résumé quotidien"))
    @app_commands.rename(salon=_("salon"))
    @app_commands.describe(salon=_("Le salon"))
    async def salon(self, interaction: discord.Interaction, salon: discord.TextChannel) -> None:
        missing = _missing_permission(interaction, salon)
        if missing:
            log.warning("salon %s : il manque la permission %s pour le résumé", salon.id, missing)
        work = asyncio.to_thread(
            settings_answers.set_channel,
            self.bot.ctx,
            interaction.guild_id,
            salon.id,
            can_manage=self._can_manage(interaction),
            zone=self.bot.settings.timezone,
            missing_permission=missing,
        )
        await self._apply(interaction, work)

    @digest.command(name=_("heure"), description=_("L'heure du résumé quotidien"))
    @app_commands.rename(heure=_("heure"))
    @app_commands.describe(heure=_("L'heure, par exemple 09:00"))
    async def heure(self, interaction: discord.Interaction, heure: str) -> None:
        work = asyncio.to_thread(
            settings_answers.set_time,
            self.bot.ctx,
            interaction.guild_id,
            heure,
            can_manage=self._can_manage(interaction),
            zone=self.bot.settings.timezone,
        )
        await self._apply(interaction, work)

    @digest.command(name=_("off"), description=_("Arrêter le résumé quotidien"))
    async def off(self, interaction: discord.Interaction) -> None:
        work = asyncio.to_thread(
            settings_answers.turn_off,
            self.bot.ctx,
            interaction.guild_id,
            can_manage=self._can_manage(interaction),
        )
        await self._apply(interaction, work)

    @reglages.command(name=_("voir"), description=_("Voir les réglages"))
    async def voir(self, interaction: discord.Interaction) -> None:
        work = asyncio.to_thread(
            settings_answers.show, self.bot.ctx, interaction.guild_id, self.bot.settings.timezone
        )
        await self.bot.reply(interaction, work)


def _missing_permission(interaction: discord.Interaction, channel: discord.TextChannel) -> str | None:
    """The first permission the bot lacks to post the digest in `channel`, in Discord's French wording."""
    guild = interaction.guild
    me = guild.me if guild else None
    if me is None:
        return None  # unknown (members not cached): the digest job will find out and log it
    allowed = channel.permissions_for(me)
    for flag, label in (
        ("view_channel", "« Voir le salon »"),
        ("send_messages", "« Envoyer des messages »"),
        ("embed_links", "« Intégrer des liens »"),
    ):
        if not getattr(allowed, flag):
            return label
    return None
