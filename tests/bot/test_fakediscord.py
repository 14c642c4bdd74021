"""Self-test of the fake Discord: a small discord.py bot logs in, syncs and answers interactions."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import discord
import pytest
import pytest_asyncio
from discord import app_commands
from discord.ext import commands

from tests.doubles.fakediscord import FakeDiscord, RecordedRequest

FRUITS = ["pomme", "poire", "prune", "cerise"]


class EditView(discord.ui.View):
    @discord.ui.button(label="Edit", custom_id="edit-button")
    async def edit(self, interaction: discord.Interaction, button: discord.ui.Button[EditView]) -> None:
        await interaction.response.edit_message(content="edited", view=None)


def make_bot() -> commands.Bot:
    bot = commands.Bot(
        command_prefix="!",
        intents=discord.Intents.default(),
        allowed_mentions=discord.AllowedMentions.none(),
        guild_ready_timeout=0.05,
        chunk_guilds_at_startup=False,
    )

    @bot.tree.command(description="Ping")
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pong", embed=discord.Embed(title="Pong"))

    async def fruit_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=f, value=f) for f in FRUITS if f.startswith(current)]

    @bot.tree.command(description="Fruit")
    @app_commands.autocomplete(name=fruit_choices)
    async def fruit(interaction: discord.Interaction, name: str) -> None:
        await interaction.response.send_message(f"fruit {name}")

    @bot.tree.command(description="Slow")
    async def slow(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.edit_original_response(content="done")
        await interaction.followup.send("more", ephemeral=True)

    @bot.tree.command(description="Button")
    async def button(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("click me", view=EditView())

    return bot


@pytest_asyncio.fixture(loop_scope="session")
async def running() -> AsyncIterator[tuple[FakeDiscord, commands.Bot]]:
    async with FakeDiscord() as fake:
        with fake.patch_discord():
            bot = make_bot()
            task = asyncio.create_task(bot.start("fake-token"))
            try:
                await fake.wait_ready()
                await asyncio.wait_for(bot.wait_until_ready(), 5)
                yield fake, bot
            finally:
                await bot.close()
                await asyncio.wait_for(task, 5)


async def test_login_ready_and_guild(running: tuple[FakeDiscord, commands.Bot]) -> None:
    fake, bot = running
    assert bot.user is not None and bot.user.id == fake.bot_user_id
    assert bot.application_id == fake.app_id
    assert [(r.method, r.path) for r in fake.requests[:2]] == [
        ("GET", "/users/@me"),
        ("GET", "/oauth2/applications/@me"),
    ]
    assert fake.requests[0].headers["Authorization"] == "Bot fake-token"
    guild = bot.get_guild(fake.guild_id)
    assert guild is not None and guild.default_role.id == fake.guild_id
    channel = guild.get_channel(fake.channel_id)
    assert isinstance(channel, discord.TextChannel)
    assert channel.permissions_for(guild.me).send_messages
    assert fake.gateway_received[0]["op"] == 2 and fake.gateway_received[0]["d"]["token"] == "fake-token"


async def test_sync_records_the_commands(running: tuple[FakeDiscord, commands.Bot]) -> None:
    fake, bot = running
    synced = await bot.tree.sync()
    put = await fake.wait_for(lambda r: r.method == "PUT")
    assert put.path == f"/applications/{fake.app_id}/commands"
    assert sorted(c["name"] for c in put.json) == ["button", "fruit", "ping", "slow"]
    assert sorted(c.name for c in synced) == ["button", "fruit", "ping", "slow"]
    assert all(c.id for c in synced)

    await bot.tree.sync(guild=discord.Object(fake.guild_id))  # empty guild set
    assert fake.commands[fake.guild_id] == []


async def test_ping_replies_with_content_embed_and_no_mentions(
    running: tuple[FakeDiscord, commands.Bot],
) -> None:
    fake, _ = running
    iid = await fake.send_interaction(name="ping")
    callback = await fake.wait_callback(iid)
    assert callback.json["type"] == 4
    data = callback.json["data"]
    assert data["content"] == "pong"
    assert data["embeds"][0]["title"] == "Pong"
    assert data["allowed_mentions"] == {"parse": []}
    assert fake.channel_messages()[-1]["content"] == "pong"
    assert fake.callbacks_for(iid) == [callback]


async def test_autocomplete_returns_choices(running: tuple[FakeDiscord, commands.Bot]) -> None:
    fake, _ = running
    choices = await fake.send_autocomplete("fruit", {"name": "p"})
    assert [c["value"] for c in choices] == ["pomme", "poire", "prune"]

    iid = await fake.send_interaction(name="fruit", options={"name": "cerise"})
    assert (await fake.wait_callback(iid)).json["data"]["content"] == "fruit cerise"


async def test_defer_then_edit_original(running: tuple[FakeDiscord, commands.Bot]) -> None:
    fake, _ = running
    iid = await fake.send_interaction(name="slow")
    assert (await fake.wait_callback(iid)).json["type"] == 5
    token = fake.token_of(iid)
    patch = await fake.wait_for(lambda r: r.interaction_id == iid and r.method == "PATCH")
    assert patch.path == f"/webhooks/{fake.app_id}/{token}/messages/@original"
    assert patch.json["content"] == "done"
    followup = await fake.wait_for(lambda r: r.path == f"/webhooks/{fake.app_id}/{token}")
    assert followup.json["content"] == "more" and followup.json["flags"] == 64
    assert [r.method for r in fake.interaction_requests(iid)] == ["POST", "PATCH", "POST"]
    assert [m["content"] for m in fake.channel_messages()[-2:]] == ["done", "more"]


async def test_button_click_updates_the_message(running: tuple[FakeDiscord, commands.Bot]) -> None:
    fake, _ = running
    iid = await fake.send_interaction(name="button")
    callback = await fake.wait_callback(iid)
    assert callback.json["data"]["components"][0]["components"][0]["custom_id"] == "edit-button"
    message = fake.channel_messages()[-1]
    assert message["content"] == "click me"

    click = await fake.click(message["id"])
    update = await fake.wait_callback(click)
    assert update.json["type"] == 7
    assert update.json["data"]["content"] == "edited"
    assert fake.messages[int(message["id"])]["content"] == "edited"
    assert fake.messages[int(message["id"])]["components"] == []


async def test_forbidden_channel_and_unknown_routes(running: tuple[FakeDiscord, commands.Bot]) -> None:
    fake, bot = running
    channel = bot.get_channel(fake.other_channel_id)
    assert isinstance(channel, discord.TextChannel)
    sent = await channel.send("hello")
    assert fake.messages[sent.id]["content"] == "hello"

    fake.forbidden_channels.add(fake.other_channel_id)
    with pytest.raises(discord.Forbidden) as raised:
        await channel.send("hello again")
    assert raised.value.code == 50013

    with pytest.raises(discord.NotFound):
        await bot.fetch_guild(fake.guild_id)
    assert [(r.method, r.path) for r in fake.unknown] == [("GET", f"/guilds/{fake.guild_id}")]


async def test_custom_route_and_dispatch(running: tuple[FakeDiscord, commands.Bot]) -> None:
    fake, bot = running
    fake.add_route("GET", r"/guilds/\d+", lambda req, m: (200, fake._guild()))
    assert (await bot.fetch_guild(fake.guild_id)).name == "Fake guild"

    seen: asyncio.Future[discord.Guild] = asyncio.get_running_loop().create_future()

    async def on_guild_remove(guild: discord.Guild) -> None:
        seen.set_result(guild)

    bot.add_listener(on_guild_remove)
    await fake.dispatch("GUILD_DELETE", {"id": str(fake.guild_id), "unavailable": False})
    assert (await asyncio.wait_for(seen, 5)).id == fake.guild_id


def test_recorded_request_is_a_plain_dataclass() -> None:
    request = RecordedRequest("GET", "/x")
    assert request.json is None and request.files == []
