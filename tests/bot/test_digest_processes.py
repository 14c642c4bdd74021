"""The daily digest across real `critibot run` processes: one killed while it posts, and two shards on
one PostgreSQL database."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator, Mapping
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.cli.importing import import_pages
from storage import guild_settings
from tests.bot.test_digest import ledger_rows
from tests.conftest import POSTGRES_URL, SAMPLES
from tests.doubles.fakediscord import FakeDiscord, PostFault, RecordedRequest, shard_of

CRITIBOT = Path(sys.executable).parent / "critibot"


def environment(fake: FakeDiscord, tmp_path: Path, database: str, **more: str) -> dict[str, str]:
    return {
        **os.environ,
        "DISCORD_TOKEN": "fake-token",
        "CRITIBOT_DISCORD_API_BASE": fake.api_base,
        "CRITIBOT_DISCORD_GATEWAY_URL": fake.gateway_url,
        "CRITIBOT_DATA_DIR": str(tmp_path),
        "CRITIBOT_DATABASE_URL": database,
        "CRITIBOT_REFRESH_EVERY_HOURS": "0",
        "CRITIBOT_DIGEST_LEASE_SECONDS": "6",  # a post may take 3 s (half of it)
        "CRITIBOT_DIGEST_RETRY_DELAY": "0.2",
        **more,
    }


async def start(env: Mapping[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        str(CRITIBOT), "run", env=dict(env), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )


async def stop(process: asyncio.subprocess.Process) -> str:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    output, _ = await asyncio.wait_for(process.communicate(), timeout=30)
    return output.decode()


def channel_posts(fake: FakeDiscord, channel_id: int) -> list[RecordedRequest]:
    return [r for r in fake.requests if r.method == "POST" and r.path == f"/channels/{channel_id}/messages"]


async def until(condition: object, timeout: float) -> None:
    async with asyncio.timeout(timeout):
        while not condition():  # type: ignore[operator]
            await asyncio.sleep(0.1)


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as server:
        yield server


@pytest.mark.parametrize("created", [False, True], ids=["before-discord", "after-discord"])
async def test_a_process_killed_while_posting_leaves_the_day_to_the_next_one(
    fake: FakeDiscord, engine: Engine, tmp_path: Path, created: bool
) -> None:
    """The bot dies between the claim and the post's reply: on main the claim stayed forever, and the
    restarted bot (its catch-up, its jobs) found the day taken: no digest that day, or one never
    recorded. Now the next process takes the day over once the lease ran out, looks at the channel,
    and posts, or records the digest Discord had already created."""
    import_pages(engine, [SAMPLES], None)
    guild_settings.update(engine, fake.guild_id, channel_id=fake.channel_id, enabled=True, time="00:00")
    env = environment(fake, tmp_path, engine.url.render_as_string(hide_password=False))
    fake.post_faults.append(PostFault("hold", created=created))

    first = await start(env)
    try:
        await fake.wait_held(timeout=60)
    finally:
        first.kill()  # SIGKILL: nothing runs on the way out
        await first.wait()
    fake.release_held()  # to a socket that is gone
    assert len(fake.channel_messages(fake.channel_id)) == (1 if created else 0)

    second = await start(env)
    try:
        await until(lambda: any(row.status == "posted" for row in ledger_rows(engine)), timeout=60)
    finally:
        log = await stop(second)
    (message,) = fake.channel_messages(fake.channel_id)
    (row,) = ledger_rows(engine)
    assert (row.status, row.message_id) == ("posted", int(message["id"])), log
    assert row.spectator_upto is not None
    assert len(channel_posts(fake, fake.channel_id)) == (1 if created else 2)


@pytest.mark.skipif(not POSTGRES_URL, reason="CRITIBOT_TEST_POSTGRES_URL is not set")
async def test_two_shard_processes_on_one_postgresql_post_their_own_servers_once(
    fake: FakeDiscord, engine: Engine, tmp_path: Path
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("the shards share a PostgreSQL database")
    shard_zero = fake.guild_id + (1 << 22)  # the next shard
    (zero_channel,) = fake.add_guild(shard_zero, {"films": None})
    assert shard_of(fake.guild_id, 2) == 1
    import_pages(engine, [SAMPLES], None)
    for guild, channel in ((fake.guild_id, fake.channel_id), (shard_zero, zero_channel)):
        guild_settings.update(engine, guild, channel_id=channel, enabled=True, time="00:00")
    url = engine.url.render_as_string(hide_password=False)
    processes = [
        await start(
            environment(
                fake, tmp_path / str(shard), url, CRITIBOT_SHARD_COUNT="2", CRITIBOT_SHARD_IDS=f"[{shard}]"
            )
        )
        for shard in (0, 1)
    ]
    logs: list[str] = []
    try:
        await until(lambda: len([r for r in ledger_rows(engine) if r.status == "posted"]) == 2, timeout=90)
        await asyncio.sleep(2)  # time for a double, were there one
    finally:
        for process in processes:
            logs.append(await stop(process))
    assert sorted(fake.identified) == [(0, 2), (1, 2)]
    assert len(fake.channel_messages(zero_channel)) == 1
    assert len(fake.channel_messages(fake.channel_id)) == 1
    assert len(channel_posts(fake, zero_channel)) == len(channel_posts(fake, fake.channel_id)) == 1
    # Each process posted (and even looked at) its own server only.
    assert f"résumé du serveur {shard_zero} posté" in logs[0] and str(fake.guild_id) not in logs[0]
    assert f"résumé du serveur {fake.guild_id} posté" in logs[1] and str(shard_zero) not in logs[1]
    assert {row.guild_id for row in ledger_rows(engine)} == {fake.guild_id, shard_zero}
