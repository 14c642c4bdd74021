"""The charts on Discord, through the real discord.py client and the fake Discord: /note's reply is a
multipart request carrying the PNG, the embed's image points at it and the upload has its alt text; the
daily digest posts its moves' chart the same way."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import discord
import pytest
import pytest_asyncio
from PIL import Image as PILImage
from sqlalchemy import Engine

from bot import charts
from bot.answers.context import AnswerContext
from bot.discord_ui.client import Critibot, point_at
from bot.discord_ui.posting import post_digest
from config import Settings, get_settings
from storage import follows, guild_settings
from storage.db.engine import make_engine
from storage.importer import import_files
from storage.pages import ParsedSpectatorPage, SiteFigures
from storage.queries import find_films
from storage.store import FilmHint, store_page
from storage.watchlist import load_watchlist
from tests.conftest import SAMPLES
from tests.doubles.fakediscord import FakeDiscord


class Running:
    def __init__(self, fake: FakeDiscord, bot: Critibot, engine: Engine, settings: Settings) -> None:
        self.fake, self.bot, self.engine, self.settings = fake, bot, engine, settings


@pytest_asyncio.fixture(loop_scope="session")
async def running(tmp_path: Path) -> AsyncIterator[Running]:
    engine = make_engine(f"sqlite:///{tmp_path / 'bot.db'}")
    assert not import_files(engine, [SAMPLES], watchlist=load_watchlist(get_settings().watchlist)).failed
    async with FakeDiscord() as fake:
        with fake.patch_discord():
            settings = Settings(discord_api_base=fake.api_base, discord_gateway_url=fake.gateway_url)
            point_at(settings)
            bot = Critibot(
                AnswerContext.open(engine, seed=3),
                settings,
                scheduled=False,
                guild_ready_timeout=0.05,
                chunk_guilds_at_startup=False,
            )
            task = asyncio.create_task(bot.start("fake-token"))
            await fake.wait_ready()
            await bot.wait_until_ready()
            try:
                yield Running(fake, bot, engine, settings)
            finally:
                await bot.close()
                await task
    engine.dispose()


def decoded(png: bytes) -> PILImage.Image:
    picture = PILImage.open(io.BytesIO(png))
    picture.load()
    return picture


async def test_note_sends_the_chart_as_the_embeds_image_with_its_alt_text(running: Running) -> None:
    fake = running.fake
    (film,) = find_films(running.engine, "Derrière le masque")
    name = f"note-{film.id}.png"
    iid = await fake.send_interaction(name="note", options={"film": "Derrière le masque"})
    # The first picture of a process imports matplotlib: the reply may be deferred, then sent as a
    # follow-up. Either way one request carries the file.
    sent = await fake.wait_for(lambda r: r.interaction_id == iid and bool(r.files), timeout=20)
    assert sent.headers["Content-Type"].startswith("multipart/form-data")
    ((filename, png),) = sent.files
    assert filename == name
    assert decoded(png).size == (900, 500)
    data = sent.json.get("data", sent.json)  # a callback wraps the message, a follow-up is it
    (embed,) = data["embeds"]
    assert embed["title"] == "Derrière le masque (2006)"
    assert embed["image"] == {"url": f"attachment://{name}"}
    assert any(f["name"] == "Répartition des critiques" for f in embed["fields"])  # the text bars stay
    (attachment,) = data["attachments"]
    assert attachment["filename"] == name
    assert attachment["description"].startswith(
        "Graphique : répartition des 39 critiques de spectateurs sur AlloCiné pour Derrière le masque "
        "(2006). 5 étoiles : 3 (8 %) ; 4 étoiles : 7 (18 %) ; 3 étoiles : 8 (21 %) ; 2 étoiles : 10 (26 %)"
    )
    # The message Discord keeps: the upload, with its description.
    (message,) = [m for m in fake.messages.values() if m["attachments"]]
    (kept,) = message["attachments"]
    assert kept["filename"] == name and kept["size"] == len(png)
    assert kept["description"] == attachment["description"]


async def test_a_film_without_histogram_is_answered_as_json_without_file(running: Running) -> None:
    iid = await running.fake.send_interaction(name="note", options={"film": "Backstage"})
    callback = await running.fake.wait_callback(iid)
    assert callback.files == [] and "image" not in callback.json["data"]["embeds"][0]
    assert callback.headers["Content-Type"].startswith("application/json")


def two_moved_films(running: Running, now: datetime) -> None:
    fake, engine = running.fake, running.engine
    for title, old, new in (("Alpha", 2.2, 2.6), ("Beta", 4.1, 3.8)):
        for moment, average, count in (
            (now - timedelta(hours=30), old, 100),
            (now - timedelta(hours=2), new, 120),
        ):
            page = ParsedSpectatorPage(
                title=title, figures=SiteFigures(average=average, ratings_count=count), reviews=[]
            )
            report = store_page(
                engine,
                page,
                location=f"{title}-{count}",
                raw=f"{title}-{count}",
                hint=FilmHint(title=title),
                now=moment,
            )
        follows.follow(engine, fake.guild_id, report.film_id, None, now)
    guild_settings.update(engine, fake.guild_id, channel_id=fake.channel_id, enabled=True)


async def test_the_digest_posts_the_moves_chart(running: Running) -> None:
    fake, engine = running.fake, running.engine
    now = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)
    two_moved_films(running, now)
    outcome = await post_digest(running.bot, engine, fake.guild_id, now=now, settings=running.settings)
    assert outcome.status == "posted"
    (post,) = [
        r for r in fake.requests if r.method == "POST" and r.path == f"/channels/{fake.channel_id}/messages"
    ]
    ((filename, png),) = post.files
    assert filename == "resume-2026-11-30.png" and decoded(png).size == (900, 500)
    (embed,) = post.json["embeds"]
    assert embed["image"] == {"url": "attachment://resume-2026-11-30.png"}
    assert "**Alpha** : 2,2 → 2,6" in str(embed["fields"])  # the words stay beside the picture
    (attachment,) = post.json["attachments"]
    assert attachment["description"] == (
        "Graphique : les notes qui bougent. Alpha passe de 2,2 à 2,6 sur 5 ; Beta passe de 4,1 à 3,8 sur 5."
    )


async def test_a_chart_that_cannot_be_drawn_is_left_out_not_an_error(
    running: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(chart: object, **_options: object) -> bytes:
        raise RuntimeError(f"pas de police pour {chart!r:.20}")

    monkeypatch.setattr(charts, "png", broken)
    iid = await running.fake.send_interaction(name="note", options={"film": "Derrière le masque"})
    callback = await running.fake.wait_callback(iid)
    (embed,) = callback.json["data"]["embeds"]
    assert embed["title"] == "Derrière le masque (2006)" and "image" not in embed
    assert callback.files == [] and "attachments" not in callback.json["data"]


async def test_without_attach_files_the_digest_is_posted_without_its_chart(running: Running) -> None:
    fake = running.fake
    # The server takes *Joindre des fichiers* from critibot's role: a post with a file would be refused.
    allowed = discord.Permissions(fake.bot_permissions)
    allowed.attach_files = False
    role = {"id": str(fake.bot_role_id), "name": "critibot", "permissions": str(allowed.value)}
    await fake.dispatch("GUILD_ROLE_UPDATE", {"guild_id": str(fake.guild_id), "role": role})
    guild = running.bot.get_guild(fake.guild_id)
    assert guild is not None
    for _ in range(50):  # the event reaches the client's cache
        if guild.me is not None and not guild.me.guild_permissions.attach_files:
            break
        await asyncio.sleep(0.02)
    now = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)
    two_moved_films(running, now)
    bot, engine, settings = running.bot, running.engine, running.settings
    outcome = await post_digest(bot, engine, fake.guild_id, now=now, settings=settings)
    assert outcome.status == "posted"
    (post,) = [
        r for r in fake.requests if r.method == "POST" and r.path == f"/channels/{fake.channel_id}/messages"
    ]
    assert post.files == [] and "image" not in post.json["embeds"][0]
    assert "**Alpha** : 2,2 → 2,6" in str(post.json["embeds"][0]["fields"])
