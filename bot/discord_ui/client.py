"""The Discord bot: connects, syncs the slash commands (bot/discord_ui/cogs.py) and sends their Answers."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.ext import commands

from bot import texts
from bot.answers.commands import run
from bot.answers.context import AnswerContext
from bot.answers.film_arg import error
from bot.answers.model import Answer, fit
from bot.discord_ui.cogs import Reglages, member_of, topic_cogs
from bot.discord_ui.posting import post_digest, post_due_digests
from bot.discord_ui.translations import EnglishTranslator
from bot.discord_ui.views import Pager, Picker, attach, embed_for
from bot.scheduler import MISFIRE_GRACE, Schedule
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
        self.tree.error(self.on_app_command_error)
        self.schedule = Schedule(
            ctx,
            settings,
            post_digest=lambda guild_id, now, day: post_digest(
                self, ctx.engine, guild_id, now=now, settings=settings, day=day
            ),
            catch_up=lambda now: post_due_digests(
                self, ctx.engine, now=now, settings=settings, grace=timedelta(seconds=MISFIRE_GRACE)
            ),
        )
        self.scheduled = scheduled

    async def setup_hook(self) -> None:
        self.ctx.index_loop = asyncio.get_running_loop()  # where a film read on demand joins the index
        await self.tree.set_translator(EnglishTranslator())
        for cog in (*topic_cogs(self), Reglages(self)):
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
        """Run command `name` for `interaction` in a worker thread, and send its Answer. When AlloCiné
        must be asked (a film the catalogue lacks), the asker is told at once."""
        scope = f"channel:{interaction.channel_id}"
        member = member_of(interaction)
        loop = asyncio.get_running_loop()
        consulting = asyncio.Event()

        def consult() -> None:  # from the answering thread
            loop.call_soon_threadsafe(consulting.set)

        work = asyncio.to_thread(
            run, self.ctx, name, arguments, scope=scope, member=member, consulting=consult
        )
        await self.reply(interaction, work, consulting=consulting, origin=(name, arguments))

    async def reply(
        self,
        interaction: discord.Interaction,
        work: Any,
        *,
        consulting: asyncio.Event | None = None,
        origin: tuple[str, dict[str, Any]] | None = None,
    ) -> None:
        """Send the Answer that `work` (an awaitable) produces, deferring first if it is slow. When
        `consulting` is set first (AlloCiné is being asked), "Je consulte AlloCiné…" is shown to the asker
        at once, and removed once the answer is there. `origin`: the command and arguments that `work`
        runs, for the buttons of a "Vouliez-vous dire…" to run again on the film picked."""

        async def prepared() -> tuple[Answer, discord.File | None]:
            # The chart is drawn before the deadline too: a slow first drawing defers the reply as well.
            return await attach(fit(await work))

        task = asyncio.ensure_future(prepared())
        signal = asyncio.ensure_future(consulting.wait()) if consulting is not None else None
        waiting: set[asyncio.Future[Any]] = {task} if signal is None else {task, signal}
        done, _pending = await asyncio.wait(waiting, timeout=DEFER_AFTER, return_when=asyncio.FIRST_COMPLETED)
        noted = False
        if task not in done:
            if signal is not None and signal in done:
                await interaction.response.send_message(texts.ONDEMAND_CONSULTING, ephemeral=True)
                noted = True
            else:
                await interaction.response.defer(thinking=True)
        if signal is not None:
            signal.cancel()
        answer, picture = await task
        await self.send(interaction, answer, origin=origin, picture=picture)
        if noted:
            try:
                await interaction.delete_original_response()
            except discord.HTTPException as problem:  # already gone: nothing to tidy
                log.info("message « je consulte AlloCiné » non supprimé : %s", problem)

    async def send(
        self,
        interaction: discord.Interaction,
        answer: Answer,
        *,
        origin: tuple[str, dict[str, Any]] | None = None,
        picture: discord.File | None = None,
    ) -> None:
        """`picture`: the answer's chart already drawn (`attach`); drawn here when it is not."""
        if picture is None:
            answer, picture = await attach(answer)
        view: Pager | Picker | None = None
        if len(answer.pages) > 1:
            view = Pager(answer, interaction.user.id)
        elif answer.picks and origin is not None:
            view = Picker(self, answer.picks, *origin)
        extra: dict[str, Any] = {"view": view} if view else {}
        if picture is not None:
            extra["file"] = picture
        if interaction.response.is_done():
            message = await interaction.followup.send(
                embed=embed_for(answer), ephemeral=answer.ephemeral, wait=True, **extra
            )
            if view:
                view.message = message
            return
        await interaction.response.send_message(embed=embed_for(answer), ephemeral=answer.ephemeral, **extra)
        if view:
            view.message = await interaction.original_response()

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


class ShardedCritibot(Critibot, commands.AutoShardedBot):
    """Critibot holding several shards in one process (`settings.shard_ids` out of `shard_count`)."""


def make_bot(ctx: AnswerContext, settings: Settings, **options: Any) -> Critibot:
    """The bot the settings ask for: one connection, or the shards `shard_ids` (all when None) out of
    `shard_count` when there are several (AutoShardedBot, whose connections share the process)."""
    if settings.shard_count <= 1:
        return Critibot(ctx, settings, **options)
    shard_ids = settings.shard_ids if settings.shard_ids is not None else list(range(settings.shard_count))
    return ShardedCritibot(ctx, settings, shard_count=settings.shard_count, shard_ids=shard_ids, **options)


async def run_bot(ctx: AnswerContext, settings: Settings, token: str) -> None:
    """Connect and serve until SIGTERM or Ctrl-C, then close cleanly."""
    import signal

    point_at(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    ctx.enable_ondemand(settings, loop=loop)  # on the bot's loop: one client, shared with the refresh
    bot = make_bot(ctx, settings)
    if settings.shard_count > 1:
        log.info("shards %s sur %d", settings.shard_ids or "tous", settings.shard_count)
    async with bot:
        serving = asyncio.create_task(bot.start(token))
        stopping = asyncio.create_task(stop.wait())
        done, _pending = await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
        log.info("arrêt de critibot")
        await bot.close()
        stopping.cancel()
        if ctx.ondemand is not None:
            await ctx.ondemand.aclose()
        if serving in done:
            serving.result()  # a refused token or a lost connection surfaces here
        else:
            await asyncio.gather(serving, return_exceptions=True)
