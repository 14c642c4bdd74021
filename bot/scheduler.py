"""The bot's clock (APScheduler 3): a refresh every N hours, each server's digest at its hour.

Hours are wall-clock times in `settings.timezone` (Europe/Paris): the cron triggers follow the DST
changes. Jobs never overlap (max_instances=1) and one that raises is logged while the scheduler goes on.
Exactly-once posting is not the scheduler's job: the digest ledger (bot/answers/digest.py) makes a second
run, a retry or a second bot process harmless, and `catch_up` posts the digests missed while the bot was
down. A job that runs late posts the digest of the day it was scheduled for (a 23:30 job run at 00:10
posts the day before's). With shards, a process schedules the digests of its own servers only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.events import EVENT_JOB_ERROR, JobExecutionEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.answers.context import AnswerContext
from bot.answers.digest import scheduled_day
from config import Settings
from storage import guild_settings
from storage.guild_settings import DigestSettings
from storage.refresher import RefreshReport, refresh
from storage.run_log import last_runs
from storage.sources.allocine import AllocineClient

log = logging.getLogger(__name__)

REFRESH_JOB = "refresh"
MISFIRE_GRACE = 3600  # seconds: a digest delayed by a busy loop is still posted within the hour
FIRST_REFRESH_DELAY = timedelta(seconds=30)  # after start-up, when the last refresh is older than the period

DigestPoster = Callable[[int, datetime, date], Awaitable[Any]]  # (guild id, now, day) → outcome
CatchUp = Callable[[datetime], Awaitable[Any]]


def digest_job_id(guild_id: int) -> str:
    return f"digest:{guild_id}"


class OncePerDay(CronTrigger):
    """A daily cron trigger that fires once per local day, even when DST repeats the hour.

    On the autumn change, 02:30 happens twice in Paris and CronTrigger would fire at both; on the
    spring change, a missing 02:30 fires once, an hour later by the wall clock.
    """

    def get_next_fire_time(self, previous: datetime | None, now: datetime) -> datetime | None:
        fire = super().get_next_fire_time(previous, now)
        while fire is not None and previous is not None and self._day(fire) == self._day(previous):
            # In UTC: wall-clock arithmetic on the repeated hour would step back into its first pass.
            fire = super().get_next_fire_time(fire, fire.astimezone(UTC) + timedelta(seconds=1))
        return fire

    def _day(self, moment: datetime) -> date:
        return moment.astimezone(self.timezone).date()


def digest_trigger(time: str, zone: ZoneInfo) -> OncePerDay:
    """Every day at `time` ("HH:MM") local time in `zone`."""
    hour, minute = (int(part) for part in time.split(":"))
    return OncePerDay(hour=hour, minute=minute, timezone=zone)


def refresh_trigger(hours: float, zone: ZoneInfo) -> IntervalTrigger:
    return IntervalTrigger(seconds=round(hours * 3600), timezone=zone)


class Schedule:
    """The jobs of one bot process, on the running asyncio loop."""

    def __init__(
        self,
        ctx: AnswerContext,
        settings: Settings,
        *,
        post_digest: DigestPoster,
        catch_up: CatchUp,
        run_refresh: Callable[[], Awaitable[RefreshReport]] | None = None,
    ) -> None:
        self.ctx = ctx
        self.settings = settings
        self.zone = ZoneInfo(settings.timezone)
        self._post_digest = post_digest
        self._catch_up = catch_up
        self._run_refresh = run_refresh or (
            lambda: refresh(ctx.engine, settings, client=self._shared_client())
        )
        self.scheduler = AsyncIOScheduler(
            timezone=self.zone,
            job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": MISFIRE_GRACE},
        )
        self.scheduler.add_listener(self._on_error, EVENT_JOB_ERROR)

    # --- life cycle ------------------------------------------------------------------------------------

    def start(self, *, paused: bool = False, now: datetime | None = None) -> None:
        now = now or datetime.now(UTC)
        if self.settings.refresh_every_hours > 0:
            self.scheduler.add_job(
                self.refresh_job,
                refresh_trigger(self.settings.refresh_every_hours, self.zone),
                id=REFRESH_JOB,
                name="rafraîchissement",
                next_run_time=self._first_refresh(now),
                replace_existing=True,
            )
        self.sync_digests()
        self.scheduler.start(paused=paused)

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    def _first_refresh(self, now: datetime) -> datetime:
        """Soon after start-up if the last refresh is older than the period, else one period after it."""
        period = timedelta(hours=self.settings.refresh_every_hours)
        soon = now + FIRST_REFRESH_DELAY
        runs = last_runs(self.ctx.engine, limit=1)
        return max(runs[0].started_at + period, soon) if runs else soon

    # --- digests ---------------------------------------------------------------------------------------

    def sync_digests(self) -> None:
        """One digest job per server that asked for one; jobs of servers that stopped are removed."""
        wanted = {
            s.guild_id: s
            for s in guild_settings.all_enabled(self.ctx.engine)
            if self.settings.serves(s.guild_id)
        }
        for job in self.scheduler.get_jobs():
            if job.id.startswith("digest:") and int(job.id.split(":")[1]) not in wanted:
                job.remove()
        for settings in wanted.values():
            self.schedule_digest(settings)

    def sync_guild(self, guild_id: int) -> None:
        """After /reglages: read the server's settings and schedule accordingly (sync: call in a thread)."""
        self.schedule_digest(guild_settings.get(self.ctx.engine, guild_id))

    def schedule_digest(self, settings: DigestSettings) -> None:
        """Add, move or remove a server's digest job after its settings changed."""
        job_id = digest_job_id(settings.guild_id)
        # Removed first: before start, replace_existing would queue a second job rather than replace.
        if self.scheduler.get_job(job_id):
            self.scheduler.remove_job(job_id)
        if not (settings.enabled and settings.channel_id and self.settings.serves(settings.guild_id)):
            return
        self.scheduler.add_job(
            self.digest_job,
            digest_trigger(settings.time, self.zone),
            args=[settings.guild_id, settings.time],
            id=job_id,
            name=f"résumé du serveur {settings.guild_id}",
            replace_existing=True,
        )

    async def digest_job(self, guild_id: int, time: str = "09:00") -> None:
        """Post the digest of the day this run was scheduled for (`time`: the server's hour)."""
        now = datetime.now(UTC)
        await self._post_digest(guild_id, now, scheduled_day(time, now, self.zone))

    async def catch_up(self, now: datetime | None = None) -> None:
        """Post today's digests whose hour passed while the bot was down (the ledger skips the rest)."""
        try:
            await self._catch_up(now or datetime.now(UTC))
        except Exception:  # start-up goes on; the next day's jobs are scheduled anyway
            log.exception("rattrapage des résumés impossible")

    # --- refresh ---------------------------------------------------------------------------------------

    def _shared_client(self) -> AllocineClient | None:
        """On-demand reading's client when it lives on this loop: one polite client for the process, so
        the refresh and the answers never ask AlloCiné at once (None: the refresh makes its own)."""
        ondemand = self.ctx.ondemand
        return ondemand.client_on(asyncio.get_running_loop()) if ondemand is not None else None

    async def refresh_job(self) -> RefreshReport:
        report = await self._run_refresh()
        if report.films_added:
            # Built off the loop, then swapped in: autocomplete keeps answering from the old index meanwhile.
            await asyncio.to_thread(self.ctx.reload_titles)
        return report

    def _on_error(self, event: JobExecutionEvent) -> None:
        log.error("la tâche %s a échoué", event.job_id, exc_info=event.exception)
