"""The schedule: triggers checked at fixed instants (DST days too), jobs run without waiting for the clock."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio
from sqlalchemy import Engine

from bot.answers.context import AnswerContext
from bot.discord_ui.client import Critibot
from bot.scheduler import FIRST_REFRESH_DELAY, REFRESH_JOB, Schedule, digest_job_id, digest_trigger
from config import Settings
from storage import digest_ledger, guild_settings
from storage.db.engine import make_engine
from storage.pages.text import parse_text
from storage.refresher import FileRefresh, RefreshReport, _finish_run
from storage.run_log import start_run
from storage.store import Counts, FilmHint, store_page
from tests.conftest import SPECTATOR_SEED
from tests.doubles.fakediscord import FakeDiscord

PARIS = ZoneInfo("Europe/Paris")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("time", "now", "expected"),
    [
        ("09:00", utc(2026, 1, 15, 12, 0), utc(2026, 1, 16, 8, 0)),  # winter: UTC+1
        ("09:00", utc(2026, 7, 15, 6, 0), utc(2026, 7, 15, 7, 0)),  # summer: UTC+2, later the same day
        ("09:00", utc(2026, 3, 28, 12, 0), utc(2026, 3, 29, 7, 0)),  # the spring change day: 09:00 CEST
        ("09:00", utc(2026, 10, 24, 12, 0), utc(2026, 10, 25, 8, 0)),  # the autumn change day: 09:00 CET
        ("18:30", utc(2026, 3, 29, 16, 0), utc(2026, 3, 29, 16, 30)),
    ],
)
def test_digest_hours_are_paris_wall_clock_hours(time: str, now: datetime, expected: datetime) -> None:
    fire = digest_trigger(time, PARIS).get_next_fire_time(None, now)
    assert fire is not None and fire.astimezone(UTC) == expected


def test_an_hour_dst_repeats_fires_once_and_an_hour_it_skips_still_fires() -> None:
    trigger = digest_trigger("02:30", PARIS)
    # 25 October 2026: 02:30 happens twice in Paris (00:30 and 01:30 UTC); one digest.
    first = trigger.get_next_fire_time(None, utc(2026, 10, 24, 12, 0))
    assert first is not None and first.astimezone(UTC) == utc(2026, 10, 25, 0, 30)
    following = trigger.get_next_fire_time(first, first)
    assert following is not None and following.astimezone(UTC) == utc(2026, 10, 26, 1, 30)
    # 29 March 2026: 02:30 does not exist in Paris; that day's digest still comes, once.
    spring = trigger.get_next_fire_time(None, utc(2026, 3, 28, 12, 0))
    assert spring is not None and spring.astimezone(PARIS).date().isoformat() == "2026-03-29"
    after = trigger.get_next_fire_time(spring, spring)
    assert after is not None and after.astimezone(UTC) == utc(2026, 3, 30, 0, 30)


class Recorder:
    def __init__(self, fail_for: set[int] = frozenset()) -> None:  # type: ignore[assignment]
        self.posted: list[int] = []
        self.caught_up: list[datetime] = []
        self.fail_for = fail_for
        self.done = asyncio.Event()

    async def post(self, guild_id: int, _now: datetime, _day: date) -> None:
        if guild_id in self.fail_for:
            raise RuntimeError(f"le serveur {guild_id} a tout cassé")
        self.posted.append(guild_id)
        self.done.set()

    async def catch_up(self, now: datetime) -> None:
        self.caught_up.append(now)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, watchlist=tmp_path / "films.toml", refresh_every_hours=6)


@pytest_asyncio.fixture
async def schedule(engine: Engine, settings: Settings) -> AsyncIterator[tuple[Schedule, Recorder]]:
    recorder = Recorder(fail_for={1})
    schedule = Schedule(
        AnswerContext.open(engine), settings, post_digest=recorder.post, catch_up=recorder.catch_up
    )
    yield schedule, recorder
    schedule.shutdown()


async def test_jobs_follow_the_servers_settings(engine: Engine, schedule: tuple[Schedule, Recorder]) -> None:
    sched, _ = schedule
    guild_settings.update(engine, 11, channel_id=21, enabled=True, time="08:15")
    guild_settings.update(engine, 12, channel_id=22, enabled=False)
    sched.start(paused=True)
    jobs = {job.id: job for job in sched.scheduler.get_jobs()}
    assert set(jobs) == {REFRESH_JOB, digest_job_id(11)}
    assert all(job.max_instances == 1 for job in jobs.values())  # never two runs of one job at once
    fire = jobs[digest_job_id(11)].trigger.get_next_fire_time(None, utc(2026, 1, 15, 12, 0))
    assert fire.astimezone(PARIS).strftime("%H:%M") == "08:15"

    guild_settings.update(engine, 11, time="19:45")
    await asyncio.to_thread(sched.sync_guild, 11)  # what /reglages does after a change
    fire = sched.scheduler.get_job(digest_job_id(11)).trigger.get_next_fire_time(
        None, utc(2026, 1, 15, 12, 0)
    )
    assert fire.astimezone(PARIS).strftime("%H:%M") == "19:45"

    guild_settings.update(engine, 11, enabled=False)
    sched.sync_guild(11)
    assert sched.scheduler.get_job(digest_job_id(11)) is None


async def test_a_paused_job_moved_to_now_runs_when_resumed(
    engine: Engine, schedule: tuple[Schedule, Recorder]
) -> None:
    sched, recorder = schedule
    guild_settings.update(engine, 2, channel_id=20, enabled=True, time="23:59")
    sched.start(paused=True)
    sched.scheduler.get_job(digest_job_id(2)).modify(next_run_time=datetime.now(UTC))
    assert recorder.posted == []
    sched.scheduler.resume()
    await asyncio.wait_for(recorder.done.wait(), 5)
    assert recorder.posted == [2]


async def test_a_job_that_raises_is_logged_and_the_others_still_run(
    engine: Engine, schedule: tuple[Schedule, Recorder], caplog: pytest.LogCaptureFixture
) -> None:
    sched, recorder = schedule
    for guild in (1, 2):
        guild_settings.update(engine, guild, channel_id=guild * 10, enabled=True)
    sched.start(paused=True)
    now = datetime.now(UTC)
    sched.scheduler.get_job(digest_job_id(1)).modify(next_run_time=now)
    sched.scheduler.get_job(digest_job_id(2)).modify(next_run_time=now + timedelta(milliseconds=50))
    with caplog.at_level(logging.ERROR, logger="bot.scheduler"):
        sched.scheduler.resume()
        await asyncio.wait_for(recorder.done.wait(), 5)
    assert recorder.posted == [2]
    assert "la tâche digest:1 a échoué" in caplog.text
    assert "le serveur 1 a tout cassé" in caplog.text  # the traceback is kept
    assert sched.scheduler.running and sched.scheduler.get_job(digest_job_id(1)) is not None


async def test_the_first_refresh_comes_soon_unless_a_recent_one_ran(
    engine: Engine, schedule: tuple[Schedule, Recorder], settings: Settings
) -> None:
    sched, _ = schedule
    now = utc(2026, 11, 23, 10, 0)
    assert sched._first_refresh(now) == now + FIRST_REFRESH_DELAY
    report = RefreshReport(started_at=now - timedelta(hours=2), finished_at=now - timedelta(hours=2))
    report.run_id = start_run(engine, report.started_at)
    _finish_run(engine, report)
    assert sched._first_refresh(now) == now + timedelta(hours=4)


async def test_no_refresh_job_when_the_refresh_runs_elsewhere(engine: Engine, tmp_path: Path) -> None:
    recorder = Recorder()
    settings = Settings(data_dir=tmp_path, watchlist=tmp_path / "films.toml", refresh_every_hours=0)
    sched = Schedule(
        AnswerContext.open(engine), settings, post_digest=recorder.post, catch_up=recorder.catch_up
    )
    sched.start(paused=True)
    try:
        assert sched.scheduler.get_job(REFRESH_JOB) is None
    finally:
        sched.shutdown()


async def test_a_refresh_that_adds_films_refreshes_the_title_index(
    engine: Engine, settings: Settings
) -> None:
    ctx = AnswerContext.open(engine)
    assert ctx.titles.exact("Derrière le masque") is None

    async def fake_refresh() -> RefreshReport:
        raw = SPECTATOR_SEED.read_text(encoding="utf-8")
        report = store_page(
            engine, parse_text(raw), location="x", raw=raw, hint=FilmHint("Derrière le masque")
        )
        result = RefreshReport(started_at=datetime.now(UTC))
        result.files.append(FileRefresh(path="x", counts=report.counts))
        return result

    recorder = Recorder()
    sched = Schedule(
        ctx, settings, post_digest=recorder.post, catch_up=recorder.catch_up, run_refresh=fake_refresh
    )
    report = await sched.refresh_job()
    assert report.totals()["spectateurs"] == Counts(new=15)
    assert ctx.titles.exact("derriere le masque") is not None


async def test_the_bot_catches_up_a_missed_digest_once_across_restarts(tmp_path: Path) -> None:
    """The digest hour passed while the bot was down: posted at start-up, and not again after a restart."""
    engine = make_engine(f"sqlite:///{tmp_path / 'bot.db'}")
    async with FakeDiscord() as fake:
        with fake.patch_discord():
            settings = Settings(
                discord_api_base=fake.api_base,
                discord_gateway_url=fake.gateway_url,
                data_dir=tmp_path,
                watchlist=tmp_path / "films.toml",
                refresh_every_hours=0,
            )
            guild_settings.update(
                engine, fake.guild_id, channel_id=fake.channel_id, enabled=True, time="00:00"
            )
            for _restart in range(2):
                bot = Critibot(
                    AnswerContext.open(engine),
                    settings,
                    guild_ready_timeout=0.05,
                    chunk_guilds_at_startup=False,
                )
                task = asyncio.create_task(bot.start("fake-token"))
                try:
                    await asyncio.wait_for(bot.wait_until_ready(), 5)
                    await asyncio.wait_for(bot._catching_up, 5)
                    assert bot.schedule.scheduler.get_job(digest_job_id(fake.guild_id)) is not None
                finally:
                    await bot.close()
                    await task
    assert len(fake.channel_messages(fake.channel_id)) == 1
    today = datetime.now(PARIS).date()
    assert digest_ledger.posted_today(engine, fake.guild_id, today)
    engine.dispose()
