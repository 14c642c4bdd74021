"""The daily digest exactly once and at least once (issue 15): each window where a digest was lost,
doubled or announced twice, reproduced with the real discord.py client against the fake Discord."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio
from apscheduler.events import EVENT_JOB_EXECUTED
from sqlalchemy import Engine, create_engine, event

from bot import texts
from bot.answers.context import AnswerContext
from bot.answers.digest import due_day, scheduled_day
from bot.discord_ui.client import Critibot, ShardedCritibot, make_bot
from bot.discord_ui.posting import day_nonce, day_ref, post_digest, post_due_digests
from bot.scheduler import digest_job_id
from config import Settings
from storage import changes, digest_ledger, guild_settings
from storage.db.engine import make_engine
from storage.guild_settings import DigestSettings
from tests.bot.test_digest import NOW, Env, bot_env, ledger_rows, new_reviews
from tests.doubles.fakediscord import FakeDiscord, PostFault, RecordedRequest

PARIS = ZoneInfo("Europe/Paris")


@pytest_asyncio.fixture(loop_scope="session")
async def env(engine: Engine) -> AsyncIterator[Env]:
    async with bot_env(engine, digest_retry_delay=0.05, digest_lease_seconds=2.0) as started:
        yield started


def posts(fake: FakeDiscord) -> list[RecordedRequest]:
    return [r for r in fake.requests if r.method == "POST" and r.path.endswith("/messages")]


async def next_day_is_news_free(env: Env, bot: Critibot) -> None:
    """The next day's digest announces none of the reviews the first one did."""
    later = await post_digest(
        bot, env.engine, env.fake.guild_id, now=NOW + timedelta(days=1), settings=env.settings
    )
    assert later.status == "posted" and later.message_id is not None
    assert env.fake.messages[later.message_id]["embeds"][0]["description"] == texts.DIGEST_EMPTY


# --- a post whose reply was lost ---------------------------------------------------------------------------


@pytest.mark.parametrize("fault", [PostFault("drop"), PostFault("status", status=503)], ids=["drop", "503"])
async def test_a_post_created_before_its_reply_was_lost_is_recorded_not_reposted(
    env: Env, fault: PostFault
) -> None:
    """Discord created the message, then the connection dropped (or it answered 503): on main the day
    was recorded 'failed', and the next digest announced the same reviews again."""
    fake, engine = env.fake, env.engine
    new_reviews(engine)
    guild_settings.update(engine, fake.guild_id, channel_id=fake.channel_id, enabled=True)
    bot = await env.start_bot(engine)
    fake.post_faults.append(fault)

    outcome = await post_digest(bot, engine, fake.guild_id, now=NOW, settings=env.settings)

    (message,) = fake.channel_messages(fake.channel_id)
    assert (outcome.status, outcome.message_id) == ("posted", int(message["id"]))
    assert len(posts(fake)) == 1  # found in the history: not posted again
    assert message["embeds"][0]["footer"]["text"].endswith(f"réf. {day_ref(fake.guild_id, NOW.date())}")
    (row,) = ledger_rows(engine)
    assert (row.status, row.message_id, row.spectator_upto) == (
        "posted",
        int(message["id"]),
        changes.max_ids(engine).spectator,
    )
    assert row.lease_owner is None and row.lease_until is None
    await next_day_is_news_free(env, bot)


async def test_a_transient_failure_is_retried_with_the_days_nonce(env: Env) -> None:
    """A 503 before anything was created: tried again (after a look at the history), with the same
    nonce and enforce_nonce each time, so Discord itself would refuse a double."""
    fake, engine = env.fake, env.engine
    new_reviews(engine)
    guild_settings.update(engine, fake.guild_id, channel_id=fake.channel_id, enabled=True)
    bot = await env.start_bot(engine)
    fake.post_faults += [PostFault("status", created=False, status=503), PostFault("drop", created=False)]

    outcome = await post_digest(bot, engine, fake.guild_id, now=NOW, settings=env.settings)

    assert outcome.status == "posted"
    (message,) = fake.channel_messages(fake.channel_id)
    tries = posts(fake)
    assert len(tries) == 3
    assert {(r.json["nonce"], r.json["enforce_nonce"]) for r in tries} == {
        (day_nonce(fake.guild_id, NOW.date()), True)
    }
    history = [r for r in fake.requests if r.method == "GET" and r.path.endswith("/messages")]
    assert len(history) == 2  # looked before each new try
    assert fake.nonce_of[int(message["id"])] == day_nonce(fake.guild_id, NOW.date())


async def test_discord_returns_the_first_message_for_a_repeated_nonce(env: Env) -> None:
    """discord.py retries a 500 by itself, with the same nonce: the fake, like Discord, answers with
    the message it created the first time."""
    fake, engine = env.fake, env.engine
    new_reviews(engine)
    guild_settings.update(engine, fake.guild_id, channel_id=fake.channel_id, enabled=True)
    bot = await env.start_bot(engine)
    fake.post_faults.append(PostFault("status", status=500))
    patient = env.settings.model_copy(update={"digest_lease_seconds": 10.0})  # its retry waits 1 s
    outcome = await post_digest(bot, engine, fake.guild_id, now=NOW, settings=patient)
    (message,) = fake.channel_messages(fake.channel_id)
    assert (outcome.status, outcome.message_id, len(posts(fake))) == ("posted", int(message["id"]), 2)


async def test_transient_failures_past_the_retries_are_recorded_failed(env: Env) -> None:
    fake, engine = env.fake, env.engine
    new_reviews(engine)
    guild_settings.update(engine, fake.guild_id, channel_id=fake.channel_id, enabled=True)
    bot = await env.start_bot(engine)
    settings = env.settings.model_copy(update={"digest_retries": 2})
    fake.post_faults += [PostFault("status", created=False, status=503)] * 3
    outcome = await post_digest(bot, engine, fake.guild_id, now=NOW, settings=settings)
    assert outcome.status == "failed" and "503" in (outcome.error or "")
    assert len(posts(fake)) == 3 and fake.channel_messages(fake.channel_id) == []
    (row,) = ledger_rows(engine)
    assert row.status == "failed" and row.lease_owner is None
    # Failed is not settled: a later attempt the same day (the catch-up after a restart) posts it.
    again = await post_digest(bot, engine, fake.guild_id, now=NOW, settings=env.settings)
    assert again.status == "posted" and len(fake.channel_messages(fake.channel_id)) == 1


# --- a ledger that cannot be written ---------------------------------------------------------------------


async def test_a_post_whose_ledger_write_fails_is_recorded_once_the_database_answers(
    env: Env, tmp_path: Path
) -> None:
    """The post succeeded, then completing the ledger met a busy SQLite: on main the row stayed
    'claimed' and the next day's digest announced the same reviews again."""
    fake, engine = env.fake, env.engine
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's write lock")
    new_reviews(engine)
    guild_settings.update(engine, fake.guild_id, channel_id=fake.channel_id, enabled=True)
    path = engine.url.database
    assert path is not None
    impatient = create_engine(f"sqlite:///{path}", connect_args={"timeout": 0.1})  # busy after 0,1 s
    locker = sqlite3.connect(path, isolation_level=None, timeout=5)
    loop = asyncio.get_running_loop()

    def post_while_locked(request: RecordedRequest, match: Any) -> tuple[int, Any]:
        # Discord creates the message while another writer (a refresh) holds the database for 1,5 s.
        locker.execute("BEGIN IMMEDIATE")
        loop.call_later(1.5, locker.execute, "COMMIT")
        return fake._post_message(request, match)

    fake.add_route("POST", rf"/channels/(?P<cid>{fake.channel_id})/messages", post_while_locked)
    try:
        bot = await env.start_bot(impatient)
        outcome = await post_digest(bot, impatient, fake.guild_id, now=NOW, settings=env.settings)
    finally:
        impatient.dispose()
    fake._routes.pop(0)
    locker.close()

    (message,) = fake.channel_messages(fake.channel_id)
    assert (outcome.status, outcome.message_id) == ("posted", int(message["id"]))
    (row,) = ledger_rows(engine)
    assert (row.status, row.message_id, row.spectator_upto) == (
        "posted",
        int(message["id"]),
        changes.max_ids(engine).spectator,
    )
    await next_day_is_news_free(env, bot)


# --- two processes, one server ----------------------------------------------------------------------------


async def test_a_channel_changed_between_two_processes_reads_still_gets_one_digest(env: Env) -> None:
    """Process one reads the channel and the ledger, the server's channel changes, process two posts
    in the new one: on main, process one then claimed its (server, channel, day) too and posted again."""
    fake, engine = env.fake, env.engine
    new_reviews(engine)
    guild_settings.update(engine, fake.guild_id, channel_id=fake.channel_id, enabled=True)
    one_engine = make_engine(engine.url.render_as_string(hide_password=False), create=False)
    two_engine = make_engine(engine.url.render_as_string(hide_password=False), create=False)
    paused, resume = threading.Event(), threading.Event()

    def pause_at_the_ledger(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "digest_post" in statement and not paused.is_set():
            paused.set()
            resume.wait(timeout=6)  # until process two is done, or 6 s (past the lease) if it waits

    event.listen(one_engine, "after_cursor_execute", pause_at_the_ledger)
    settings = env.settings.model_copy(update={"digest_lease_seconds": 5.0})  # a slow machine posts in time
    try:
        one = await env.start_bot(one_engine)
        two = await env.start_bot(two_engine)
        first = asyncio.create_task(post_digest(one, one_engine, fake.guild_id, now=NOW, settings=settings))
        await asyncio.to_thread(paused.wait, 5)
        await asyncio.to_thread(
            guild_settings.update, two_engine, fake.guild_id, channel_id=fake.other_channel_id
        )
        second = await post_digest(two, two_engine, fake.guild_id, now=NOW, settings=settings)
        resume.set()
        outcomes = [await first, second]
    finally:
        resume.set()
        one_engine.dispose()
        two_engine.dispose()

    assert sorted(o.status for o in outcomes) == ["already", "posted"]
    messages = fake.channel_messages(fake.channel_id) + fake.channel_messages(fake.other_channel_id)
    assert len(messages) == 1
    (row,) = ledger_rows(engine)
    assert (row.status, row.message_id) == ("posted", int(messages[0]["id"]))


async def test_a_claim_held_by_a_live_process_is_waited_for_and_a_dead_ones_taken_over(env: Env) -> None:
    fake, engine = env.fake, env.engine
    new_reviews(engine)
    guild_settings.update(engine, fake.guild_id, channel_id=fake.channel_id, enabled=True)
    bot = await env.start_bot(engine)
    wall = datetime.now(UTC)
    # A process that died 1 s after claiming the day, its lease (2 s) about to run out.
    held = digest_ledger.take(
        engine,
        fake.guild_id,
        fake.channel_id,
        NOW.date(),
        NOW,
        owner="dead",
        lease=timedelta(seconds=1),
        wall=wall,
    )
    assert isinstance(held, digest_ledger.Claimed)
    busy = digest_ledger.take(engine, fake.guild_id, fake.channel_id, NOW.date(), NOW, owner="me", wall=wall)
    assert isinstance(busy, digest_ledger.Busy)
    outcome = await post_digest(bot, engine, fake.guild_id, now=NOW, settings=env.settings)
    assert outcome.status == "posted" and len(fake.channel_messages(fake.channel_id)) == 1
    # Taken over: the history was read first.
    history = [r for r in fake.requests if r.method == "GET" and r.path.endswith("/messages")]
    assert len(history) == 1
    settled = digest_ledger.take(engine, fake.guild_id, fake.channel_id, NOW.date(), NOW, owner="me")
    assert isinstance(settled, digest_ledger.Settled) and settled.message_id == outcome.message_id


# --- a late job ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("time", "now", "day"),
    [
        ("23:30", datetime(2026, 1, 16, 0, 10, tzinfo=PARIS), date(2026, 1, 15)),  # late past midnight
        ("09:00", datetime(2026, 1, 16, 9, 5, tzinfo=PARIS), date(2026, 1, 16)),
        ("09:00", datetime(2026, 1, 16, 8, 0, tzinfo=PARIS), date(2026, 1, 15)),
        ("02:30", datetime(2026, 3, 29, 3, 30, tzinfo=PARIS), date(2026, 3, 29)),  # an hour DST skipped
    ],
)
def test_a_job_posts_the_day_it_was_scheduled_for(time: str, now: datetime, day: date) -> None:
    assert scheduled_day(time, now, PARIS) == day


def test_the_catch_up_posts_yesterdays_digest_within_the_grace_only(engine: Engine) -> None:
    chosen = DigestSettings(7, 70, "23:30", True)
    grace = timedelta(hours=1)
    assert due_day(engine, chosen, datetime(2026, 1, 16, 0, 10, tzinfo=PARIS), PARIS, grace) == date(
        2026, 1, 15
    )
    assert due_day(engine, chosen, datetime(2026, 1, 16, 0, 40, tzinfo=PARIS), PARIS, grace) is None
    morning = DigestSettings(7, 70, "09:00", True)
    assert due_day(engine, morning, datetime(2026, 1, 16, 8, 0, tzinfo=PARIS), PARIS, grace) is None
    assert due_day(engine, morning, datetime(2026, 1, 16, 9, 0, tzinfo=PARIS), PARIS, grace) == date(
        2026, 1, 16
    )


def just_after_midnight() -> ZoneInfo:
    """A time zone where it is now between 00:00 and 00:59 (Etc/GMT-X is UTC+X, by whole hours)."""
    offset = -datetime.now(UTC).hour % 24
    offset = offset - 24 if offset > 14 else offset
    return ZoneInfo("Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}")


async def test_a_2359_job_run_after_midnight_posts_the_day_before(env: Env) -> None:
    """APScheduler runs a job up to an hour late (misfire grace): on main, a 23:59 job run at 00:10
    claimed the new day, so the day before had no digest and the new day's own job found it taken."""
    fake, engine = env.fake, env.engine
    zone = just_after_midnight()
    local = datetime.now(zone)
    assert local.hour == 0
    yesterday = local.date() - timedelta(days=1)
    new_reviews(engine)
    guild_settings.update(engine, fake.guild_id, channel_id=fake.channel_id, enabled=True, time="23:59")
    settings = env.settings.model_copy(update={"timezone": zone.key})
    bot = await env.start_bot(engine, settings)
    bot.schedule.start(paused=True)
    try:
        job = bot.schedule.scheduler.get_job(digest_job_id(fake.guild_id))
        fired = datetime.combine(yesterday, datetime.min.time(), tzinfo=zone).replace(hour=23, minute=59)
        # It should have run at 23:59: it runs now, late (a grace of 2 h: the hour may turn meanwhile).
        job.modify(next_run_time=fired, misfire_grace_time=7200)
        ran = asyncio.Event()
        bot.schedule.scheduler.add_listener(lambda _event: ran.set(), EVENT_JOB_EXECUTED)
        bot.schedule.scheduler.resume()
        await asyncio.wait_for(ran.wait(), 10)
    finally:
        bot.schedule.shutdown()
    (row,) = ledger_rows(engine)
    assert (row.day, row.status) == (yesterday, "posted")
    (message,) = fake.channel_messages(fake.channel_id)
    assert str(yesterday.day) in message["embeds"][0]["title"]
    # Today's digest is still to come.
    assert (
        due_day(
            engine,
            DigestSettings(fake.guild_id, fake.channel_id, "00:00", True),
            datetime.now(UTC),
            zone,
            timedelta(hours=1),
        )
        == local.date()
    )


async def test_the_catch_up_leaves_a_day_settled_elsewhere(env: Env) -> None:
    fake, engine = env.fake, env.engine
    new_reviews(engine)
    guild_settings.update(engine, fake.guild_id, channel_id=fake.channel_id, enabled=True)
    bot = await env.start_bot(engine)
    assert [o.status for o in await post_due_digests(bot, engine, now=NOW, settings=env.settings)] == [
        "posted"
    ]
    assert await post_due_digests(bot, engine, now=NOW + timedelta(minutes=5), settings=env.settings) == []
    assert len(fake.channel_messages(fake.channel_id)) == 1


# --- shards -------------------------------------------------------------------------------------------------


def test_a_process_serves_the_servers_of_its_shards(engine: Engine) -> None:
    first, second = 1_200_000_000_000_000_010, 1_200_000_000_000_000_010 + (1 << 22)
    assert (first >> 22) % 2 == 1 and (second >> 22) % 2 == 0
    assert Settings().serves(first) and Settings().serves(second)  # one process: every server
    assert Settings(shard_count=2, shard_ids=[1]).serves(first)
    assert not Settings(shard_count=2, shard_ids=[1]).serves(second)
    assert Settings(shard_count=2).serves(second)  # no ids: this process holds every shard

    ctx = AnswerContext.open(engine)
    assert type(make_bot(ctx, Settings())) is Critibot
    both = make_bot(ctx, Settings(shard_count=2))
    assert isinstance(both, ShardedCritibot) and (both.shard_count, both.shard_ids) == (2, [0, 1])
    one = make_bot(ctx, Settings(shard_count=3, shard_ids=[2]))
    assert isinstance(one, ShardedCritibot) and (one.shard_count, one.shard_ids) == (3, [2])


def test_a_holder_whose_claim_was_taken_over_may_not_post(engine: Engine) -> None:
    """A process slowed past its lease (a long pause, a busy database) finds, when it prepares its post,
    that the day is no longer its own: the process that took it over posts (or records) it."""
    wall = datetime.now(UTC)
    slow = digest_ledger.take(
        engine, 7, 70, NOW.date(), NOW, owner="slow", lease=timedelta(seconds=1), wall=wall
    )
    assert isinstance(slow, digest_ledger.Claimed)
    later = wall + timedelta(seconds=2)
    other = digest_ledger.take(engine, 7, 71, NOW.date(), NOW, owner="other", wall=later)
    assert isinstance(other, digest_ledger.Claimed) and other.taken_over and other.channel_id == 70
    until = later + timedelta(minutes=3)

    def prepare(owner: str, ledger_id: int) -> bool:
        return digest_ledger.prepare(
            engine, ledger_id, owner, channel_id=70, spectator_upto=5, press_upto=None, until=until
        )

    def complete(owner: str, ledger_id: int) -> bool:
        return digest_ledger.complete(
            engine,
            ledger_id,
            status="posted",
            message_id=9,
            spectator_upto=5,
            press_upto=None,
            now=later,
            owner=owner,
        )

    assert not prepare("slow", slow.ledger_id)
    assert not digest_ledger.renew(engine, slow.ledger_id, "slow", until)
    assert prepare("other", other.ledger_id)
    assert not complete("slow", slow.ledger_id)
    assert complete("other", other.ledger_id)
    row = digest_ledger.day_row(engine, 7, NOW.date())
    assert row is not None and (row.status, row.message_id, row.lease_owner) == ("posted", 9, None)


@pytest.mark.parametrize("posted", [True, False], ids=["posted", "never-posted"])
async def test_a_day_whose_process_died_is_settled_by_the_next_days_digest(env: Env, posted: bool) -> None:
    """The process died after Discord created the day's digest, and no process took the day over that
    day (none was restarted): the next day's digest finds it in the channel and records it, rather than
    announcing its reviews again; a digest that never reached Discord is recorded failed, covering
    nothing."""
    fake, engine = env.fake, env.engine
    new_reviews(engine)
    guild_settings.update(engine, fake.guild_id, channel_id=fake.channel_id, enabled=True)
    bot = await env.start_bot(engine)
    top = changes.max_ids(engine).spectator
    dead = digest_ledger.take(
        engine,
        fake.guild_id,
        fake.channel_id,
        NOW.date(),
        NOW,
        owner="dead",
        wall=datetime.now(UTC) - timedelta(hours=1),
    )
    assert isinstance(dead, digest_ledger.Claimed)
    until = datetime.now(UTC) - timedelta(minutes=50)  # its lease ran out long ago
    assert digest_ledger.prepare(
        engine,
        dead.ledger_id,
        "dead",
        channel_id=fake.channel_id,
        spectator_upto=top,
        press_upto=None,
        until=until,
    )
    if posted:  # what it posted before dying, as Discord keeps it
        footer = texts.DIGEST_FOOTER_REF.format(
            footer="Les dernières 24 heures", ref=day_ref(fake.guild_id, NOW.date())
        )
        fake._new_message(
            fake.channel_id, {"embeds": [{"title": "Le résumé du jour", "footer": {"text": footer}}]}, []
        )

    later = await post_digest(bot, engine, fake.guild_id, now=NOW + timedelta(days=1), settings=env.settings)

    assert later.status == "posted" and later.message_id is not None
    first, second = ledger_rows(engine)
    if posted:
        assert (first.status, first.spectator_upto) == ("posted", top)
        assert fake.messages[later.message_id]["embeds"][0]["description"] == texts.DIGEST_EMPTY
    else:
        assert (first.status, first.error, first.spectator_upto) == ("failed", "abandonné", None)
    assert second.status == "posted"
