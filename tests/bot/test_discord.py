"""The real discord.py client against a fake Discord on 127.0.0.1: login, gateway, interactions, replies."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import discord
import pytest
import pytest_asyncio
from apscheduler.job import Job
from sqlalchemy import select

from bot.answers.commands import COMMANDS
from bot.answers.context import AnswerContext
from bot.discord_ui.client import Critibot, point_at
from bot.scheduler import digest_job_id
from config import Settings, get_settings
from storage import follows, guild_settings
from storage.db.engine import make_engine
from storage.importer import import_files
from storage.pages import ParsedSpectatorPage, SiteFigures, SpectatorReview
from storage.sources import AllocineClient
from storage.store import FilmHint, store_page
from storage.watchlist import load_watchlist
from tests.conftest import SAMPLES
from tests.doubles.fakeallocine import FakeAllocine, movie_result
from tests.doubles.fakediscord import FakeDiscord

MANAGE_GUILD = discord.Permissions(manage_guild=True).value | discord.Permissions.general().value
NO_MANAGE = discord.Permissions(send_messages=True, view_channel=True).value
STRANGER = 555_000_000_000_000_001


class Running:
    def __init__(self, fake: FakeDiscord, bot: Critibot) -> None:
        self.fake = fake
        self.bot = bot

    async def command(self, name: str, options: object = (), **kwargs: object) -> dict:
        iid = await self.fake.send_interaction(name=name, options=options, **kwargs)  # type: ignore[arg-type]
        callback = await self.fake.wait_callback(iid)
        return callback.json


@pytest_asyncio.fixture(loop_scope="session")
async def running(tmp_path: Path) -> AsyncIterator[Running]:
    engine = make_engine(f"sqlite:///{tmp_path / 'bot.db'}")
    assert not import_files(engine, [SAMPLES], watchlist=load_watchlist(get_settings().watchlist)).failed
    # A review that tries to ping everyone, to prove that nothing critibot sends can.
    trap = "Un film pour @everyone et <@&123456> vraiment. Une merveille absolue que je recommande à tous."
    store_page(
        engine,
        ParsedSpectatorPage(
            title="Piège", figures=SiteFigures(), reviews=[SpectatorReview("x", 4.0, None, trap)]
        ),
        location="trap",
        raw="trap",
        hint=FilmHint(title="Piège"),
    )
    async with FakeDiscord() as fake:
        with fake.patch_discord():
            settings = Settings(discord_api_base=fake.api_base, discord_gateway_url=fake.gateway_url)
            point_at(settings)
            bot = Critibot(
                AnswerContext.open(engine, seed=3),
                settings,
                scheduled=False,  # the schedule has its own tests (tests/bot/test_scheduler.py)
                guild_ready_timeout=0.05,
                chunk_guilds_at_startup=False,
            )
            task = asyncio.create_task(bot.start("fake-token"))
            await fake.wait_ready()
            await bot.wait_until_ready()
            await fake.wait_for(lambda r: r.method == "PUT" and r.path.endswith("/commands"))
            try:
                yield Running(fake, bot)
            finally:
                await bot.close()
                await task
    engine.dispose()


async def test_note_answers_with_an_embed_and_pings_nobody(running: Running) -> None:
    reply = await running.command("note", {"film": "Derrière le masque"})
    assert reply["type"] == 4
    data = reply["data"]
    (embed,) = data["embeds"]
    assert embed["title"] == "Derrière le masque (2006)"
    assert "2,3/5" in embed["description"] and "158 notes" in embed["description"]
    assert data["allowed_mentions"] == {"parse": []}


async def test_autocomplete_offers_the_film_first_and_its_value_works(running: Running) -> None:
    choices = await running.fake.send_autocomplete("note", {"film": "derriere"})
    assert 0 < len(choices) <= 25
    assert choices[0]["name"].startswith("Derrière le masque")
    reply = await running.command("note", {"film": choices[0]["value"]})
    assert reply["data"]["embeds"][0]["title"] == "Derrière le masque (2006)"


async def test_autocomplete_offers_allocine_candidates_on_a_later_keystroke(running: Running) -> None:
    ctx = running.bot.ctx
    async with FakeAllocine() as site:
        site.set_autocomplete("incep", [movie_result(143692, "Inception", year=2010)])
        options: dict[str, Any] = {"user_agent": "critibot-test", "delay": 0.0, "timeout": 5.0, "retries": 0}
        async with AllocineClient(site.base_url, **options) as client:
            ctx.allocine = client
            try:
                first = await running.fake.send_autocomplete("note", {"film": "incep"})
                assert not any("AlloCiné" in c["name"] for c in first)  # answered before AlloCiné was
                await ctx.suggestions.drain()
                later = await running.fake.send_autocomplete("note", {"film": "incept"})
                assert later[0] == {"name": "Inception (2010) · AlloCiné", "value": "allocine:143692"}
                await ctx.suggestions.drain()
            finally:
                ctx.allocine = None
        assert [r.path for r in site.requests] == ["/_/autocomplete/incep", "/_/autocomplete/incept"]


async def test_a_typed_title_that_is_not_a_choice_still_works(running: Running) -> None:
    reply = await running.command("presse", {"film": "backstge"})
    assert reply["data"]["embeds"][0]["title"] == "Backstage (2005) — la presse"


async def test_pages_turn_for_the_asker_only(running: Running) -> None:
    fake = running.fake
    iid = await fake.send_interaction(name="presse", options={"film": "Backstage"})
    first = await fake.wait_callback(iid)
    assert first.json["data"]["embeds"][0]["footer"]["text"].startswith("Page 1/3")
    message = next(m for m in fake.messages.values() if m.get("interaction_id") == iid or m.get("components"))
    click = await fake.click(message, "critibot:next")
    turned = await fake.wait_callback(click)
    assert turned.json["type"] == 7
    assert turned.json["data"]["embeds"][0]["footer"]["text"].startswith("Page 2/3")

    refused_id = await fake.click(message, "critibot:next", user_id=STRANGER)
    refused = await fake.wait_callback(refused_id)
    assert refused.json["type"] == 4
    assert refused.json["data"]["flags"] & 64
    assert "personne qui a posé la question" in refused.json["data"]["content"]


async def test_quoted_text_pings_nobody(running: Running) -> None:
    reply = await running.command("citation", {"film": "Piège"})
    data = reply["data"]
    assert data["allowed_mentions"] == {"parse": []}
    description = data["embeds"][0]["description"]
    assert "@everyone" not in description and "@\u200beveryone" in description
    assert "\\<@&123456>" in description


async def test_synced_commands_are_french_with_english_localisations(running: Running) -> None:
    put = await running.fake.wait_for(lambda r: r.method == "PUT" and r.path.endswith("/commands"))
    commands = {c["name"]: c for c in put.json}
    assert set(commands) == {
        "note",
        "presse",
        "citation",
        "critiques",
        "tendance",
        "film",
        "top",
        "suivre",
        "ne-plus-suivre",
        "suivis",
        "aide",
        "reglages",
    }
    assert commands["note"]["description"] == "La note des spectateurs d'un film"
    assert commands["note"]["name_localizations"]["en-US"] == "rating"
    assert commands["note"]["description_localizations"]["en-US"] == "A film's audience rating"
    film_option = commands["note"]["options"][0]
    assert film_option["name"] == "film" and film_option["autocomplete"] is True
    assert commands["citation"]["options"][2]["name_localizations"]["en-GB"] == "min_rating"
    for managing in ("reglages", "suivre", "ne-plus-suivre"):
        assert (
            int(commands[managing]["default_member_permissions"])
            == discord.Permissions(manage_guild=True).value
        ), managing
    assert commands["suivis"].get("default_member_permissions") is None  # anyone may read the list
    assert commands["suivis"]["dm_permission"] is False and commands["suivre"]["dm_permission"] is False
    assert commands["ne-plus-suivre"]["name_localizations"]["en-US"] == "unfollow"


OPTION_TYPES = {str: 3, int: 4, float: 10}


async def test_discord_receives_the_commands_exactly_as_declared(running: Running) -> None:
    """bot/answers/commands.py is the one declaration: the console parses it, Discord is sent it."""
    put = await running.fake.wait_for(lambda r: r.method == "PUT" and r.path.endswith("/commands"))
    synced = {c["name"]: c for c in put.json}
    assert set(synced) == {*COMMANDS, "reglages"}  # /reglages is Discord's own (bot/discord_ui/cogs.py)
    for command in COMMANDS.values():
        sent = synced[command.name]
        assert sent["description"] == command.description
        options = [
            (
                o["name"],
                o["description"],
                o["type"],
                o["required"],
                tuple(c["value"] for c in o.get("choices", ())),
                o.get("min_value"),
                o.get("max_value"),
                o.get("autocomplete", False),
            )
            for o in sent.get("options", ())
        ]
        declared = sorted(command.options, key=lambda o: not o.required)  # Discord wants required first
        assert options == [
            (
                o.name,
                o.description,
                OPTION_TYPES[o.type],
                o.required,
                o.choices,
                o.min_value,
                o.max_value,
                o.film,
            )
            for o in declared
        ], command.name
    # The ranges that used to live only in the Discord decorators are the declaration's now.
    assert [(o["min_value"], o["max_value"]) for o in synced["top"]["options"] if o["name"] == "nombre"] == [
        (1, 50)
    ]
    assert (
        synced["citation"]["options"][2]["min_value"] == 0
        and synced["citation"]["options"][2]["max_value"] == 5
    )


async def test_the_film_option_resolves_an_ambiguous_title_into_the_question(running: Running) -> None:
    store_page(
        running.bot.ctx.engine,
        ParsedSpectatorPage(title=None, figures=SiteFigures(average=3.1), reviews=[]),
        location="remake",
        raw="remake",
        hint=FilmHint(title="Backstage", year=2017),
    )
    running.bot.ctx.reload_titles()
    reply = await running.command("critiques", {"film": "Backstage"})
    (embed,) = reply["data"]["embeds"]
    assert embed["title"] == "Vouliez-vous dire… ?" and reply["data"]["flags"] & 64
    assert "`/critiques Backstage (2005)`" in embed["description"]  # the hint names the command used
    picked = await running.fake.send_autocomplete("citation", {"film": "backstage"})
    assert {c["name"] for c in picked} >= {"Backstage (2005)", "Backstage (2017)"}
    chosen = next(c["value"] for c in picked if c["name"] == "Backstage (2017)")
    reply = await running.command("note", {"film": chosen})
    assert reply["data"]["embeds"][0]["title"] == "Backstage (2017)"
    blank = await running.command("citation", {"film": "   ", "source": "presse"})
    assert blank["data"]["embeds"][0]["title"] == "Citation"  # a blank film is no film: any film's quote


def _settings_options(channel_id: int) -> list[dict]:
    return [
        {
            "type": 2,
            "name": "digest",
            "options": [
                {
                    "type": 1,
                    "name": "salon",
                    "options": [{"type": 7, "name": "salon", "value": str(channel_id)}],
                }
            ],
        }
    ]


async def test_settings_need_manage_server(running: Running) -> None:
    fake = running.fake
    channel = fake.channels[fake.other_channel_id]
    resolved = {"channels": {str(fake.other_channel_id): {**channel, "permissions": str(MANAGE_GUILD)}}}
    refused = await running.command(
        "reglages", _settings_options(fake.other_channel_id), permissions=NO_MANAGE, resolved=resolved
    )
    assert refused["data"]["flags"] & 64
    assert "gérer le serveur" in refused["data"]["embeds"][0]["description"]
    assert guild_settings.get(running.bot.ctx.engine, fake.guild_id).channel_id is None

    accepted = await running.command(
        "reglages", _settings_options(fake.other_channel_id), permissions=MANAGE_GUILD, resolved=resolved
    )
    assert f"<#{fake.other_channel_id}>" in accepted["data"]["embeds"][0]["description"]
    stored = guild_settings.get(running.bot.ctx.engine, fake.guild_id)
    assert (stored.channel_id, stored.enabled, stored.time) == (fake.other_channel_id, True, "09:00")

    hour = [{"type": 2, "name": "digest", "options": [{"type": 1, "name": "heure", "options": [
        {"type": 3, "name": "heure", "value": "18h30"}]}]}]  # fmt: skip
    await running.command("reglages", hour, permissions=MANAGE_GUILD)
    assert guild_settings.get(running.bot.ctx.engine, fake.guild_id).time == "18:30"
    # The server's digest job follows at once: 18:30, Paris time.
    job = await _digest_job(
        running, lambda job: job is not None and "hour='18', minute='30'" in str(job.trigger)
    )
    assert job is not None and str(job.trigger.timezone) == "Europe/Paris"

    off = [{"type": 2, "name": "digest", "options": [{"type": 1, "name": "off", "options": []}]}]
    await running.command("reglages", off, permissions=MANAGE_GUILD)
    assert await _digest_job(running, lambda job: job is None) is None


async def test_following_needs_manage_server_and_the_list_is_for_everyone(running: Running) -> None:
    fake, engine = running.fake, running.bot.ctx.engine
    refused = await running.command("suivre", {"film": "Backstage"}, permissions=NO_MANAGE)
    assert refused["data"]["flags"] & 64
    assert "gérer le serveur" in refused["data"]["embeds"][0]["description"]
    assert follows.followed_films(engine, fake.guild_id) == []

    accepted = await running.command("suivre", {"film": "backstge"}, permissions=MANAGE_GUILD)
    assert "ce serveur suit **Backstage (2005)**" in accepted["data"]["embeds"][0]["description"]
    assert not accepted["data"].get("flags", 0) & 64  # the server sees what it now follows
    (followed,) = follows.followed_films(engine, fake.guild_id)
    assert followed.label == "Backstage (2005)"
    with engine.connect() as conn:
        (row,) = conn.execute(select(follows.TABLE)).all()
    assert row.followed_by == fake.user_id  # who asked, from the interaction

    listed = await running.command("suivis", permissions=NO_MANAGE)
    assert "• **Backstage (2005)**" in listed["data"]["embeds"][0]["description"]
    kept = await running.command("ne-plus-suivre", {"film": "Backstage"}, permissions=NO_MANAGE)
    assert kept["data"]["flags"] & 64 and len(follows.followed_films(engine, fake.guild_id)) == 1
    gone = await running.command("ne-plus-suivre", {"film": "Backstage"}, permissions=MANAGE_GUILD)
    assert "ne suit plus **Backstage (2005)**" in gone["data"]["embeds"][0]["description"]
    assert follows.followed_films(engine, fake.guild_id) == []


async def _digest_job(running: Running, ready: Callable[[Job | None], bool]) -> Job | None:
    """The server's digest job once `ready` says so (the reply is sent before the job is moved)."""
    for _ in range(100):
        job = running.bot.schedule.scheduler.get_job(digest_job_id(running.fake.guild_id))
        if ready(job):
            return job
        await asyncio.sleep(0.02)
    raise AssertionError(f"the digest job did not follow the settings: {job}, {job and job.trigger}")


async def test_a_failing_command_answers_in_french(running: Running, monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(*_args: object) -> None:
        raise RuntimeError("panne")

    monkeypatch.setattr(running.bot, "answer", broken)
    reply = await running.command("aide")
    assert reply["data"]["flags"] & 64
    assert "réessayez" in reply["data"]["embeds"][0]["description"]
    assert "Traceback" not in str(reply)


async def test_a_failing_answer_answers_in_french(running: Running, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError("base en panne")

    monkeypatch.setattr("bot.answers.film_answers.film_stats", broken)
    reply = await running.command("note", {"film": "Backstage"})
    assert reply["data"]["flags"] & 64
    assert "réessayez" in reply["data"]["embeds"][0]["description"]


async def test_a_slow_answer_is_deferred_then_edited(
    running: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.discord_ui.client as client
    from bot.answers.commands import run as run_command

    def slow_run(*args: object, **kwargs: object) -> object:
        import time

        time.sleep(0.3)
        return run_command(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(client, "DEFER_AFTER", 0.05)
    monkeypatch.setattr(client, "run", slow_run)
    fake = running.fake
    iid = await fake.send_interaction(name="note", options={"film": "Backstage"})
    first = await fake.wait_callback(iid)
    assert first.json["type"] == 5  # "critibot réfléchit…", within Discord's 3 s
    edit = await fake.wait_for(
        lambda r: r.interaction_id == iid and r.method in {"PATCH", "POST"} and "webhooks" in r.path
    )
    assert edit.json["embeds"][0]["title"] == "Backstage (2005)"
    assert edit.json["allowed_mentions"] == {"parse": []}
