"""The Discord bot: slash commands grouped by topic, each rendering an Answer from bot/answers."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

from bot import texts
from bot.answers import settings as settings_answers
from bot.answers.commands import COMMANDS, run
from bot.answers.context import AnswerContext
from bot.answers.film_arg import error
from bot.answers.model import Answer, fit
from bot.discord_ui.posting import post_digest, post_due_digests
from bot.discord_ui.translations import EnglishTranslator
from bot.discord_ui.views import Pager, embed_for
from bot.scheduler import Schedule
from config import Settings

log = logging.getLogger(__name__)
DEFER_AFTER = 0.8  # seconds: past this, acknowledge first (Discord allows 3 s) and answer when ready


def point_at(settings: Settings) -> None:
    """Talk to the Discord-compatible server the settings name (discord.com by default)."""
    discord.http.Route.BASE = settings.discord_api_base.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


class Critibot(commands.Bot):
    def __init__(
        self, ctx: AnswerContext, settings: Settings, *, scheduled: bool = True, **options: Any
    ) -> None:
        """`scheduled`: run the refresh and the daily digests in this process (bot/scheduler.py)."""
        options.setdefault("guild_ready_timeout", 2.0)
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),
            allowed_mentions=discord.AllowedMentions.none(),  # quoted reviews never ping anyone
            help_command=None,
            **options,
        )
        self.ctx = ctx
        self.settings = settings
        self.tree.on_error = self.on_app_command_error
        self.schedule = Schedule(
            ctx,
            settings,
            post_digest=lambda guild_id, now: post_digest(
                self, ctx.engine, guild_id, now=now, settings=settings
            ),
            catch_up=lambda now: post_due_digests(self, ctx.engine, now=now, settings=settings),
        )
        self.scheduled = scheduled

    async def setup_hook(self) -> None:
        await self.tree.set_translator(EnglishTranslator())
        for cog in (Notes(self), Presse(self), Citations(self), Recherche(self), Reglages(self)):
            await self.add_cog(cog)
        if self.settings.discord_test_guild:
            guild = discord.Object(id=self.settings.discord_test_guild)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
        else:
            synced = await self.tree.sync()
        log.info("%d commandes synchronisées", len(synced))
        if self.scheduled:
            self.schedule.start()
            self._catching_up = asyncio.create_task(self._catch_up_when_ready())

    async def _catch_up_when_ready(self) -> None:
        await self.wait_until_ready()
        await self.schedule.catch_up()

    async def close(self) -> None:
        self.schedule.shutdown()
        await super().close()

    # --- answering ------------------------------------------------------------------------------------

    async def answer(self, interaction: discord.Interaction, name: str, arguments: dict[str, Any]) -> None:
        scope = f"channel:{interaction.channel_id}"
        await self.reply(interaction, asyncio.to_thread(run, self.ctx, name, arguments, scope=scope))

    async def reply(self, interaction: discord.Interaction, work: Any) -> None:
        """Send the Answer that `work` (an awaitable) produces, deferring first if it is slow."""
        task = asyncio.ensure_future(work)
        done, _pending = await asyncio.wait({task}, timeout=DEFER_AFTER)
        if not done:
            await interaction.response.defer(thinking=True)
        await self.send(interaction, fit(await task))

    async def send(self, interaction: discord.Interaction, answer: Answer) -> None:
        pager = Pager(answer, interaction.user.id) if len(answer.pages) > 1 else None
        extra: dict[str, Any] = {"view": pager} if pager else {}
        if interaction.response.is_done():
            message = await interaction.followup.send(
                embed=embed_for(answer), ephemeral=answer.ephemeral, wait=True, **extra
            )
            if pager:
                pager.message = message
            return
        await interaction.response.send_message(embed=embed_for(answer), ephemeral=answer.ephemeral, **extra)
        if pager:
            pager.message = await interaction.original_response()

    async def on_app_command_error(
        self, interaction: discord.Interaction, problem: app_commands.AppCommandError
    ) -> None:
        command = interaction.command.qualified_name if interaction.command else "?"
        options = interaction.data.get("options") if interaction.data else None
        log.error("commande /%s échouée, options %r", command, options, exc_info=problem)
        message = error(texts.INTERNAL_ERROR)
        try:
            await self.send(interaction, message)
        except discord.HTTPException as again:
            log.error("impossible de prévenir l'utilisateur : %s", again)

    async def film_choices(
        self, _interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Served from the in-memory title index: answers well within Discord's 3 s on every keystroke."""
        return [
            app_commands.Choice(name=label, value=value)
            for label, value in self.ctx.titles.autocomplete(current)
        ]


def _describe(command: str) -> _:
    return _(COMMANDS[command].description)


def _option(command: str, option: str) -> _:
    return _(next(o.description for o in COMMANDS[command].options if o.name == option))


SOURCE_CHOICES = [
    app_commands.Choice(name=_("spectateurs"), value="spectateurs"),
    app_commands.Choice(name=_("presse"), value="presse"),
]
SORT_CHOICES = [
    app_commands.Choice(name=_(s), value=s) for s in ("utiles", "récentes", "meilleures", "pires")
]


async def _film_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    bot = interaction.client
    assert isinstance(bot, Critibot)
    return await bot.film_choices(interaction, current)


class Topic(commands.Cog):
    def __init__(self, bot: Critibot) -> None:
        self.bot = bot


class Notes(Topic, name="notes"):
    @app_commands.command(name=_("note"), description=_describe("note"))
    @app_commands.rename(film=_("film"))
    @app_commands.describe(film=_option("note", "film"))
    @app_commands.autocomplete(film=_film_autocomplete)
    async def note(self, interaction: discord.Interaction, film: str) -> None:
        await self.bot.answer(interaction, "note", {"film": film})

    @app_commands.command(name=_("critiques"), description=_describe("critiques"))
    @app_commands.rename(film=_("film"), tri=_("tri"))
    @app_commands.describe(film=_option("critiques", "film"), tri=_option("critiques", "tri"))
    @app_commands.autocomplete(film=_film_autocomplete)
    @app_commands.choices(tri=SORT_CHOICES)
    async def critiques(self, interaction: discord.Interaction, film: str, tri: str | None = None) -> None:
        await self.bot.answer(interaction, "critiques", {"film": film, "tri": tri})


class Presse(Topic, name="presse"):
    @app_commands.command(name=_("presse"), description=_describe("presse"))
    @app_commands.rename(film=_("film"))
    @app_commands.describe(film=_option("presse", "film"))
    @app_commands.autocomplete(film=_film_autocomplete)
    async def presse(self, interaction: discord.Interaction, film: str) -> None:
        await self.bot.answer(interaction, "presse", {"film": film})


class Citations(Topic, name="citations"):
    @app_commands.command(name=_("citation"), description=_describe("citation"))
    @app_commands.rename(film=_("film"), source=_("source"), note_min=_("note_min"))
    @app_commands.describe(
        film=_option("citation", "film"),
        source=_option("citation", "source"),
        note_min=_option("citation", "note_min"),
    )
    @app_commands.autocomplete(film=_film_autocomplete)
    @app_commands.choices(source=SOURCE_CHOICES)
    async def citation(
        self,
        interaction: discord.Interaction,
        film: str | None = None,
        source: str | None = None,
        note_min: app_commands.Range[float, 0, 5] | None = None,
    ) -> None:
        await self.bot.answer(interaction, "citation", {"film": film, "source": source, "note_min": note_min})


class Recherche(Topic, name="recherche"):
    @app_commands.command(name=_("film"), description=_describe("film"))
    @app_commands.rename(recherche=_("recherche"))
    @app_commands.describe(recherche=_option("film", "recherche"))
    async def film(self, interaction: discord.Interaction, recherche: str) -> None:
        await self.bot.answer(interaction, "film", {"recherche": recherche})

    @app_commands.command(name=_("top"), description=_describe("top"))
    @app_commands.rename(nombre=_("nombre"), tri=_("tri"))
    @app_commands.describe(nombre=_option("top", "nombre"), tri=_option("top", "tri"))
    @app_commands.choices(tri=SOURCE_CHOICES)
    async def top(
        self,
        interaction: discord.Interaction,
        nombre: app_commands.Range[int, 1, 50] | None = None,
        tri: str | None = None,
    ) -> None:
        await self.bot.answer(interaction, "top", {"nombre": nombre, "tri": tri})

    @app_commands.command(name=_("aide"), description=_describe("aide"))
    async def aide(self, interaction: discord.Interaction) -> None:
        await self.bot.answer(interaction, "aide", {})


class Reglages(Topic, name="reglages"):
    """Server settings: only members with *Gérer le serveur* may change them (checked again at run time)."""

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
        return bool(interaction.guild_id) and interaction.permissions.manage_guild

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


async def run_bot(ctx: AnswerContext, settings: Settings, token: str) -> None:
    """Connect and serve until SIGTERM or Ctrl-C, then close cleanly."""
    import signal

    point_at(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    bot = Critibot(ctx, settings)
    async with bot:
        serving = asyncio.create_task(bot.start(token))
        stopping = asyncio.create_task(stop.wait())
        done, _pending = await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
        log.info("arrêt de critibot")
        await bot.close()
        stopping.cancel()
        if serving in done:
            serving.result()  # a refused token or a lost connection surfaces here
        else:
            await asyncio.gather(serving, return_exceptions=True)
