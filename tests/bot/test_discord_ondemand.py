"""On-demand reading through the real discord.py client, against a fake Discord and a fake AlloCiné on
127.0.0.1: the reply is deferred at once with "Je consulte AlloCiné…", and a "Vouliez-vous dire…" offers
buttons that read the film picked."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
from sqlalchemy import func, select

from bot import texts
from bot.answers.context import AnswerContext
from bot.discord_ui.client import Critibot, point_at
from config import Settings
from storage.db.engine import make_engine
from storage.db.tables import FILM
from storage.ondemand import OnDemand
from tests.doubles.fakeallocine import FakeAllocine
from tests.doubles.fakediscord import FakeDiscord, RecordedRequest
from tests.doubles.films import INCEPTION, ORIGINE, ORIGINE_2019, main_path, serve_film


class Running:
    def __init__(self, fake: FakeDiscord, bot: Critibot, site: FakeAllocine) -> None:
        self.fake = fake
        self.bot = bot
        self.site = site

    async def final(self, iid: str) -> RecordedRequest:
        """The answer itself: the followup carrying an embed."""
        return await self.fake.wait_for(
            lambda r: (
                r.interaction_id == iid
                and r.method == "POST"
                and "webhooks" in r.path
                and bool((r.json or {}).get("embeds"))
            ),
            timeout=10,
        )


@pytest_asyncio.fixture(loop_scope="session")
async def running(tmp_path: Path, fake_allocine: FakeAllocine) -> AsyncIterator[Running]:
    engine = make_engine(f"sqlite:///{tmp_path / 'bot.db'}")
    loop = asyncio.get_running_loop()
    settings = Settings(
        allocine_base_url=fake_allocine.base_url,
        allocine_delay=0.0,
        allocine_retries=0,
        ondemand_deadline=5.0,
    )
    ondemand = OnDemand(engine, settings, loop=loop)  # the bot's loop, as run_bot does
    async with FakeDiscord() as fake:
        with fake.patch_discord():
            settings = settings.model_copy(
                update={"discord_api_base": fake.api_base, "discord_gateway_url": fake.gateway_url}
            )
            point_at(settings)
            bot = Critibot(
                AnswerContext.open(engine, ondemand=ondemand),
                settings,
                scheduled=False,
                guild_ready_timeout=0.05,
                chunk_guilds_at_startup=False,
            )
            task = asyncio.create_task(bot.start("fake-token"))
            await fake.wait_ready()
            await bot.wait_until_ready()
            await fake.wait_for(lambda r: r.method == "PUT" and r.path.endswith("/commands"))
            try:
                yield Running(fake, bot, fake_allocine)
            finally:
                await bot.close()
                await task
                await ondemand.aclose()
    engine.dispose()


async def test_note_on_an_unknown_film_says_it_consults_alloCine_at_once_then_answers(
    running: Running,
) -> None:
    running.site.set_autocomplete("Inception", [serve_film(running.site, INCEPTION, "Inception")])
    fake = running.fake
    iid = await fake.send_interaction(name="note", options={"film": "Inception"})
    first = await fake.wait_callback(iid)
    assert first.json["type"] == 4 and first.json["data"]["content"] == texts.ONDEMAND_CONSULTING
    assert first.json["data"]["flags"] & 64  # for the asker only
    final = await running.final(iid)
    (embed,) = final.json["embeds"]
    assert embed["title"] == "Inception (2010)" and "4,4/5" in embed["description"]
    assert not final.json.get("flags", 0) & 64  # the answer itself is for everyone
    await fake.wait_for(lambda r: r.interaction_id == iid and r.method == "DELETE", timeout=5)
    assert running.bot.ctx.titles.exact("Inception") is not None  # joined the index at once

    again = await fake.send_interaction(name="note", options={"film": "Inception"})
    reply = await fake.wait_callback(again)
    assert reply.json["type"] == 4 and reply.json["data"]["embeds"][0]["title"] == "Inception (2010)"
    assert len(running.site.requests_for(main_path(INCEPTION))) == 1


async def test_two_members_asking_at_once_cause_one_read(running: Running) -> None:
    running.site.set_autocomplete("Inception", [serve_film(running.site, INCEPTION, "Inception")])
    fake = running.fake
    first, second = await asyncio.gather(
        fake.send_interaction(name="note", options={"film": "Inception"}),
        fake.send_interaction(name="presse", options={"film": "Inception"}, user_id=fake.user_id + 1),
    )
    note, presse = await asyncio.gather(running.final(first), running.final(second))
    assert note.json["embeds"][0]["title"] == "Inception (2010)"
    assert presse.json["embeds"][0]["title"].startswith("Inception (2010)")
    assert len(running.site.requests_for(main_path(INCEPTION))) == 1
    with running.bot.ctx.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(FILM)) == 1


async def test_several_films_are_offered_as_buttons_and_a_click_reads_the_one_picked(
    running: Running,
) -> None:
    first = serve_film(running.site, ORIGINE, "Origine", year=2010)
    second = serve_film(running.site, ORIGINE_2019, "Origine", year=2019, director="Anne Autre")
    running.site.set_autocomplete("Origine", [first, second])
    fake = running.fake
    iid = await fake.send_interaction(name="critiques", options={"film": "Origine", "tri": "récentes"})
    question = await running.final(iid)
    assert question.json["embeds"][0]["title"] == "Vouliez-vous dire… ?"
    buttons = [c for row in question.json["components"] for c in row["components"]]
    assert [b["label"] for b in buttons] == ["Origine (2010)", "Origine (2019)"]
    message = next(m for m in fake.messages.values() if m.get("components"))
    click = await fake.click(message, buttons[1]["custom_id"])
    consulting = await fake.wait_callback(click)
    assert consulting.json["data"]["content"] == texts.ONDEMAND_CONSULTING
    answer = await running.final(click)  # the same command, its other options kept
    assert answer.json["embeds"][0]["title"] == "Origine (2019) — critiques spectateurs (récentes)"
    assert not running.site.requests_for(main_path(ORIGINE))  # only the film picked was read
