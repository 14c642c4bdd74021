"""The daily digest: composed exactly, fitted to Discord, posted once per server and day through the real
discord.py client against the fake Discord, previewed without claiming anything."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio
from sqlalchemy import Engine, Row, func, select
from typer.testing import CliRunner

from bot import render, texts
from bot.answers.context import AnswerContext
from bot.answers.digest import READ_MAX, Digest, compose_digest, server_digest, server_films
from bot.answers.model import Answer, Field
from bot.cli import app as cli
from bot.cli.digest import preview
from bot.discord_ui.client import Critibot
from bot.discord_ui.posting import post_digest, post_due_digests
from config import Settings
from config.settings import CONFIG_DIR
from storage import changes, digest_ledger, follows, guild_settings
from storage.db.engine import make_engine
from storage.digest_ledger import TABLE as LEDGER
from storage.pages import PressReview, SiteFigures
from storage.queries import find_films
from storage.store import FilmHint
from tests.doubles.fakediscord import FakeDiscord
from tests.storage.test_changes import (
    BACKSTAGE,
    MASQUE,
    T0,
    review,
    seed_masque,
    store_press,
    store_spectators,
)

PARIS = ZoneInfo("Europe/Paris")
WATCHLIST = CONFIG_DIR / "films.toml"  # the samples' two films: Derrière le masque, Backstage
NOW = T0 + timedelta(hours=1, minutes=30)  # 25 January 2025, 10:30 in Paris: a 09:00 digest is due


def compose(engine: Engine, guild_id: int | None = 1, now: datetime = NOW, **kwargs: Any) -> Digest:
    return compose_digest(engine, guild_id, now=now, zone=PARIS, **kwargs)


def fields(answer: Answer) -> dict[str, str]:
    return {f.name: f.value for f in answer.fields}


def assert_fits_discord(answer: Answer) -> None:
    """Discord's limits, measured on the embed the bot sends."""
    assert len(answer.pages) == 1  # one embed per message, well under the 10 allowed
    embed = render.embed(answer)
    assert len(embed["title"]) <= 256
    assert len(embed.get("description", "")) <= 4096
    assert len(embed.get("fields", [])) <= 25
    for f in embed.get("fields", []):
        assert 0 < len(f["name"]) <= 256 and 0 < len(f["value"]) <= 1024
    footer = embed.get("footer", {}).get("text", "")
    assert len(footer) <= 2048
    total = len(embed["title"]) + len(embed.get("description", "")) + len(footer)
    total += sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", []))
    assert total <= 6000


def ledger_rows(engine: Engine) -> list[Row[Any]]:
    with engine.connect() as conn:
        return list(conn.execute(select(LEDGER).order_by(LEDGER.c.id)))


def new_reviews(engine: Engine) -> None:
    """The backlog of Derrière le masque (2,3/5, 158 ratings), then three new reviews on two films."""
    seed_masque(engine, now=T0 - timedelta(days=3))
    store_spectators(
        engine,
        MASQUE,
        [
            review("Alice", 3.0, "Très drôle. Mais bien trop long pour ce qu'il raconte."),
            review(None, 4.5, "Un régal du début à la fin ! Je le reverrai."),
        ],
        now=T0 - timedelta(hours=1),
        backlog=False,
    )
    store_spectators(
        engine, BACKSTAGE, [review("Bob", 1.0, "Raté de bout en bout. Dommage.")], now=T0, backlog=False
    )


# --- composing -------------------------------------------------------------------------------------------


def test_new_reviews_are_grouped_by_film_with_rating_author_and_one_sentence(engine: Engine) -> None:
    new_reviews(engine)
    digest = compose(engine)
    answer = digest.answer
    assert not digest.is_empty and digest.first
    assert answer.title == "Le résumé du jour — 25 janvier 2025"
    assert answer.description == "**3 nouvelles critiques** de spectateurs sur 2 films"
    assert answer.footer == "Les dernières 24 heures"
    assert answer.fields[:2] == (
        Field(
            "Derrière le masque (2006) — 2 nouvelles critiques",
            "**Alice** · 3,0/5 : « Très drôle. »\n**Un visiteur** · 4,5/5 : « Un régal du début à la fin ! »",
        ),
        Field("Backstage (2005) — 1 nouvelle critique", "**Bob** · 1,0/5 : « Raté de bout en bout. »"),
    )
    # The quote of the day, from the catalogue, the same all day for a server.
    quote = fields(answer)["La citation du jour"]
    assert quote.startswith("« ") and "à propos de **" in quote
    assert fields(compose(engine, now=NOW + timedelta(hours=5)).answer)["La citation du jour"] == quote
    assert (digest.new_spectator, digest.new_press, digest.moved) == (3, 0, 0)
    assert (digest.spectator_upto, digest.press_upto) == (changes.max_ids(engine).spectator, None)
    assert_fits_discord(answer)


def test_new_press_and_a_moved_average(engine: Engine) -> None:
    store_spectators(
        engine, MASQUE, [], now=T0 - timedelta(days=2), backlog=True, figures=SiteFigures(2.2, 146)
    )
    seed_masque(engine, now=T0)  # the backlog of a film just added: not announced; its figures moved
    store_press(
        engine,
        BACKSTAGE,
        [
            PressReview("Le Canard", "Jean Dupont", None),
            PressReview("Les Inrocks", None, "(...) Une merveille. Vraiment.", rating=4.0),
        ],
        now=T0,
        backlog=False,
    )
    answer = compose(engine).answer
    assert answer.description == "**2 nouvelles critiques** de presse · 1 film dont la note a bougé"
    shown = fields(answer)
    assert shown["Presse — Backstage (2005)"] == (
        "**Les Inrocks** · 4,0/5 : « Une merveille. »\n"
        "**Le Canard, Jean Dupont** : critique en lien seulement"
    )
    assert shown["Les notes qui bougent"] == "**Derrière le masque (2006)** : 2,2 → 2,3, +12 notes"
    assert not any("nouvelles critiques" in name for name in shown)  # the 15 backlog reviews stay quiet


def test_five_hundred_new_reviews_fit_discord_with_the_most_notable_first(engine: Engine) -> None:
    long_name = "Critique au pseudonyme interminable " * 3
    sentence = "Une phrase très longue qui ne s'arrête pas " * 8
    films = [FilmHint(title=f"Film {n:02d} au titre assez long pour peser", year=2020) for n in range(41)]
    for n, film in enumerate(films):
        count = 20 if n == 0 else 12
        reviews = [
            review(f"{n}-{k} {long_name}", (k % 11) / 2, f"@everyone {sentence}. Fin.", followers=k)
            for k in range(count)
        ]
        store_spectators(
            engine, film, [], now=T0 - timedelta(days=2), backlog=True, figures=SiteFigures(2.0, 100)
        )
        store_spectators(engine, film, reviews, now=T0, backlog=False, figures=SiteFigures(2.5, 100 + n + 1))
        outlets = [
            PressReview(f"Journal {k} {long_name}", long_name, sentence + ".", rating=3.0) for k in range(5)
        ]
        store_press(engine, film, outlets, now=T0, backlog=False)

    digest = compose(engine)
    answer = digest.answer
    assert (digest.new_spectator, digest.new_press, digest.moved) == (500, 205, 41)
    assert answer.description.startswith("**500 nouvelles critiques** de spectateurs sur 41 films")
    assert_fits_discord(answer)
    first = answer.fields[0]
    assert first.name == "Film 00 au titre assez long pour peser (2020) — 20 nouvelles critiques"
    lines = first.value.split("\n")
    assert lines[0].startswith("**0-19 Critique") and lines[1].startswith("**0-18 Critique")  # most followed
    assert "@\u200beveryone" in lines[0]
    assert lines[-1] == "et 17 autres…"
    also = fields(answer)["Et aussi"]
    assert "autres films avec de nouvelles critiques" in also and "autres films avec de la presse" in also
    assert "@everyone" not in answer.text()
    moved = fields(answer)["Les notes qui bougent"]
    assert moved.startswith("**Film 40") and moved.endswith("autres…")  # the biggest move first


def test_a_flood_beyond_what_is_read_is_counted(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.answers.digest.READ_MAX", 2)
    assert READ_MAX > 2
    new_reviews(engine)
    answer = compose(engine).answer
    assert answer.description == "**3 nouvelles critiques** de spectateurs sur 2 films"
    assert fields(answer)["Derrière le masque (2006) — 2 nouvelles critiques"].count("\n") == 1
    assert "Et aussi" not in fields(answer)  # Bob (the 2nd most notable) was read: both films shown


def test_nothing_new_says_so_briefly(engine: Engine) -> None:
    seed_masque(engine, now=T0 - timedelta(days=3))  # backlog only
    digest = compose(engine)
    assert digest.is_empty
    assert digest.answer.description == texts.DIGEST_EMPTY_DAY
    assert digest.answer.fields == ()
    assert digest.spectator_upto == changes.max_ids(engine).spectator


def test_the_second_digest_starts_after_the_first_ones_marks(engine: Engine) -> None:
    new_reviews(engine)
    first = compose(engine)
    ledger_id = digest_ledger.claim(engine, 1, 10, NOW.date(), NOW)
    assert ledger_id is not None
    digest_ledger.complete(
        engine,
        ledger_id,
        status="posted",
        message_id=5,
        spectator_upto=first.spectator_upto,
        press_upto=first.press_upto,
        now=NOW,
    )
    assert compose(engine).is_empty  # the same moment: everything was covered
    assert compose(engine).answer.description == texts.DIGEST_EMPTY

    # A review stored long ago in clock terms but after the marks is still announced: ids, not clocks.
    store_spectators(
        engine,
        BACKSTAGE,
        [review("Zoé", 2.5, "Inégal. Mais touchant.")],
        now=T0 - timedelta(days=9),
        backlog=False,
    )
    second = compose(engine, now=NOW + timedelta(days=1))
    assert second.answer.footer == "Depuis le résumé précédent"
    assert second.answer.description == "**1 nouvelle critique** de spectateurs sur 1 film"
    assert fields(second.answer)["Backstage (2005) — 1 nouvelle critique"] == "**Zoé** · 2,5/5 : « Inégal. »"
    # Another server never had a digest: its first one covers the last 24 hours only.
    assert compose(engine, guild_id=2, now=NOW + timedelta(days=1)).is_empty


def test_a_given_rng_picks_the_quote(engine: Engine) -> None:
    new_reviews(engine)
    one = fields(compose(engine, rng=random.Random(1)).answer)["La citation du jour"]
    assert one == fields(compose(engine, rng=random.Random(1)).answer)["La citation du jour"]


# --- each server its films ------------------------------------------------------------------------------

FOLLOWS_MASQUE, FOLLOWS_BACKSTAGE, FOLLOWS_NOTHING = 101, 202, 303


def film_id(engine: Engine, hint: FilmHint) -> int:
    (film,) = find_films(engine, hint.title or "", hint.year)
    return int(film.id)


def server(engine: Engine, guild_id: int, watchlist: Path = WATCHLIST) -> Digest:
    return server_digest(engine, guild_id, now=NOW, zone=PARIS, watchlist=watchlist)


def test_each_server_gets_the_films_it_follows_or_the_watchlist(engine: Engine, tmp_path: Path) -> None:
    new_reviews(engine)  # two new reviews of Derrière le masque (after its backlog), one of Backstage
    other = FilmHint(title="Un film que personne ne suit", year=2020)
    store_spectators(engine, other, [review("Zoé", 5.0, "Hors sujet. Vraiment.")], now=T0, backlog=False)
    masque, backstage = film_id(engine, MASQUE), film_id(engine, BACKSTAGE)
    follows.follow(engine, FOLLOWS_MASQUE, masque, None, T0)  # followed after being read: backlog stays
    follows.follow(engine, FOLLOWS_BACKSTAGE, backstage, None, T0)

    only_masque = server(engine, FOLLOWS_MASQUE).answer
    assert only_masque.description == "**2 nouvelles critiques** de spectateurs sur 1 film"
    assert only_masque.fields[0].name == "Derrière le masque (2006) — 2 nouvelles critiques"
    assert "Backstage" not in only_masque.text() and "Zoé" not in only_masque.text()
    assert "à propos de **Derrière le masque (2006)**" in fields(only_masque)["La citation du jour"]
    only_backstage = server(engine, FOLLOWS_BACKSTAGE).answer
    assert only_backstage.description == "**1 nouvelle critique** de spectateurs sur 1 film"
    assert "Alice" not in only_backstage.text() and "Bob" in only_backstage.text()
    # Following nothing: the operator's watchlist (config/films.toml names both), not the other film.
    watchlist = server(engine, FOLLOWS_NOTHING).answer
    assert watchlist.description == "**3 nouvelles critiques** de spectateurs sur 2 films"
    assert "Zoé" not in watchlist.text()
    assert fields(server(engine, FOLLOWS_NOTHING, tmp_path / "absent.toml").answer) == {}
    # Following it makes a film part of that server's digest at once.
    follows.follow(engine, FOLLOWS_NOTHING, film_id(engine, other), None, NOW)
    assert server(engine, FOLLOWS_NOTHING).answer.description == (
        "**1 nouvelle critique** de spectateurs sur 1 film"
    )


def test_a_server_follows_moves_and_press_of_its_films_only(engine: Engine) -> None:
    store_spectators(
        engine, MASQUE, [], now=T0 - timedelta(days=2), backlog=True, figures=SiteFigures(2.2, 146)
    )
    seed_masque(engine, now=T0)  # 2,3/5 from 158 ratings: its average moved
    press = [PressReview("Le Monde", None, "Un film habile.", rating=3.0)]
    store_press(engine, BACKSTAGE, press, now=T0, backlog=False)
    follows.follow(engine, FOLLOWS_BACKSTAGE, film_id(engine, BACKSTAGE), None, T0)
    follows.follow(engine, FOLLOWS_MASQUE, film_id(engine, MASQUE), None, T0)
    backstage = server(engine, FOLLOWS_BACKSTAGE)
    masque = server(engine, FOLLOWS_MASQUE)
    assert (backstage.new_press, backstage.moved) == (1, 0)
    assert (masque.new_press, masque.moved) == (0, 1)


def test_a_watchlist_that_cannot_be_read_leaves_the_digest_whole(engine: Engine, tmp_path: Path) -> None:
    broken = tmp_path / "films.toml"
    broken.write_text("[[film]\ntitle = ", encoding="utf-8")
    new_reviews(engine)
    assert server_films(engine, FOLLOWS_NOTHING, broken) is None
    assert server(engine, FOLLOWS_NOTHING, broken).new_spectator == 3


# --- preview ---------------------------------------------------------------------------------------------


def test_preview_prints_without_claiming(engine: Engine) -> None:
    new_reviews(engine)
    text = preview(engine, Settings(), guild_id=None, now=NOW)
    assert text.startswith("Le résumé du jour — 25 janvier 2025\n")
    assert "▸ Derrière le masque (2006) — 2 nouvelles critiques\nAlice · 3,0/5 : « Très drôle. »" in text
    assert ledger_rows(engine) == []

    url = engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(cli, ["digest", "--preview", "--server", "77", "--db", url])
    assert result.exit_code == 0, result.output
    assert texts.DIGEST_PREVIEW_NOTE in result.output and "Le résumé du jour" in result.output
    assert ledger_rows(engine) == []
    refused = CliRunner().invoke(cli, ["digest", "--db", url])
    assert refused.exit_code == 2


def test_preview_says_when_nothing_would_be_posted(engine: Engine) -> None:
    text = preview(engine, Settings(digest_when_empty="nothing"), guild_id=3, now=NOW)
    assert texts.DIGEST_EMPTY_DAY in text and texts.DIGEST_PREVIEW_SILENT in text


# --- posting through the fake Discord --------------------------------------------------------------------


@dataclass
class Env:
    fake: FakeDiscord
    settings: Settings
    engine: Engine
    start_bot: Callable[..., Awaitable[Critibot]]  # (engine, settings = the env's) → a ready bot


@asynccontextmanager
async def bot_env(engine: Engine, **settings: Any) -> AsyncIterator[Env]:
    """The fake Discord, and real bots started on it at will (closed at the end); `settings` beyond the
    fake's addresses."""
    tasks: list[tuple[Critibot, asyncio.Task[None]]] = []
    async with FakeDiscord() as fake:
        with fake.patch_discord():
            env_settings = Settings(
                discord_api_base=fake.api_base, discord_gateway_url=fake.gateway_url, **settings
            )

            async def start_bot(db: Engine, bot_settings: Settings = env_settings) -> Critibot:
                bot = Critibot(
                    AnswerContext.open(db, seed=3),
                    bot_settings,
                    # These tests post at a fixed NOW; a running schedule would also catch up at the
                    # wall clock's hour, so the outcome would depend on when the suite runs.
                    scheduled=False,
                    guild_ready_timeout=0.05,
                    chunk_guilds_at_startup=False,
                )
                tasks.append((bot, asyncio.create_task(bot.start("fake-token"))))
                await asyncio.wait_for(bot.wait_until_ready(), 5)
                return bot

            try:
                yield Env(fake, env_settings, engine, start_bot)
            finally:
                for bot, task in tasks:
                    await bot.close()
                    await task


@pytest_asyncio.fixture(loop_scope="session")
async def env(engine: Engine) -> AsyncIterator[Env]:
    async with bot_env(engine) as started:
        yield started


async def test_posted_once_even_when_run_twice_and_pings_nobody(env: Env) -> None:
    fake, engine = env.fake, env.engine
    new_reviews(engine)
    trap = "Un film pour @everyone et <@&123> vraiment. La suite est sans intérêt."
    store_spectators(engine, BACKSTAGE, [review("Piégeur", 4.0, trap)], now=T0, backlog=False)
    guild_settings.update(engine, fake.guild_id, channel_id=fake.channel_id, enabled=True)
    bot = await env.start_bot(engine)

    first = await post_digest(bot, engine, fake.guild_id, now=NOW, settings=env.settings)
    again = await post_digest(bot, engine, fake.guild_id, now=NOW + timedelta(hours=2), settings=env.settings)
    assert (first.status, again.status) == ("posted", "already")
    (message,) = fake.channel_messages(fake.channel_id)
    assert int(message["id"]) == first.message_id
    posts = [
        r for r in fake.requests if r.method == "POST" and r.path == f"/channels/{fake.channel_id}/messages"
    ]
    assert len(posts) == 1
    assert posts[0].json["allowed_mentions"] == {"parse": []}
    (embed,) = posts[0].json["embeds"]
    assert embed["title"] == "Le résumé du jour — 25 janvier 2025"
    backstage = next(f["value"] for f in embed["fields"] if f["name"].startswith("Backstage"))
    assert "« Un film pour @\u200beveryone et \\<@&123> vraiment. »" in backstage
    (row,) = ledger_rows(engine)
    assert (row.status, row.message_id, row.channel_id, row.day) == (
        "posted",
        first.message_id,
        fake.channel_id,
        NOW.date(),
    )
    assert row.spectator_upto == changes.max_ids(engine).spectator

    # The next day starts after these marks: only the new review, none twice.
    store_spectators(
        engine, MASQUE, [review("Nina", 3.5, "Malin. Et drôle.")], now=NOW + timedelta(hours=3), backlog=False
    )
    later = await post_digest(bot, engine, fake.guild_id, now=NOW + timedelta(days=1), settings=env.settings)
    assert later.status == "posted" and later.message_id is not None
    second = fake.messages[later.message_id]["embeds"][0]
    assert second["description"] == "**1 nouvelle critique** de spectateurs sur 1 film"
    assert second["fields"][0]["name"] == "Derrière le masque (2006) — 1 nouvelle critique"
    # (The quote of the day may quote any review of the server's films: it is no announcement.)
    announced = str([f for f in second["fields"] if f["name"] != "La citation du jour"])
    assert "Alice" not in announced and "Piégeur" not in announced


async def test_two_bot_processes_sharing_the_database_post_once(env: Env) -> None:
    fake, engine = env.fake, env.engine
    new_reviews(engine)
    guild_settings.update(engine, fake.guild_id, channel_id=fake.channel_id, enabled=True)
    twin_engine = make_engine(engine.url.render_as_string(hide_password=False), create=False)
    try:
        one = await env.start_bot(engine)
        two = await env.start_bot(twin_engine)
        outcomes = await asyncio.gather(
            post_due_digests(one, engine, now=NOW, settings=env.settings),
            post_due_digests(two, twin_engine, now=NOW, settings=env.settings),
            post_digest(two, twin_engine, fake.guild_id, now=NOW, settings=env.settings),
        )
    finally:
        twin_engine.dispose()
    statuses = sorted(o.status for group in outcomes for o in (group if isinstance(group, list) else [group]))
    assert statuses.count("posted") == 1 and set(statuses) <= {"posted", "already"}
    assert len(fake.channel_messages(fake.channel_id)) == 1
    assert len(ledger_rows(engine)) == 1


async def test_a_forbidden_or_missing_channel_does_not_stop_other_servers(env: Env) -> None:
    fake, engine = env.fake, env.engine
    new_reviews(engine)
    # Three servers (ledger keys): the fake's guild, whose channel forbids the bot, one posting in
    # "other", and one whose channel was deleted.
    gone = 1_200_000_000_000_999_999
    fake.forbidden_channels.add(fake.channel_id)
    guild_settings.update(engine, fake.guild_id, channel_id=fake.channel_id, enabled=True)
    guild_settings.update(engine, 4242, channel_id=fake.other_channel_id, enabled=True, time="10:00")
    guild_settings.update(engine, 4343, channel_id=gone, enabled=True, time="08:15")
    guild_settings.update(
        engine, 4444, channel_id=fake.other_channel_id, enabled=True, time="11:00"
    )  # not yet
    guild_settings.update(engine, 4545, channel_id=fake.other_channel_id, enabled=False)  # off
    bot = await env.start_bot(engine)

    outcomes = {o.guild_id: o for o in await post_due_digests(bot, engine, now=NOW, settings=env.settings)}
    assert {g: o.status for g, o in outcomes.items()} == {
        fake.guild_id: "skipped",
        4242: "posted",
        4343: "skipped",
    }
    assert (outcomes[fake.guild_id].error or "").startswith("403")
    assert (outcomes[4343].error or "").startswith("404")
    assert len(fake.channel_messages(fake.other_channel_id)) == 1
    assert fake.channel_messages(fake.channel_id) == []
    rows = {row.guild_id: row for row in ledger_rows(engine)}
    assert rows[fake.guild_id].status == "skipped" and "Missing Permissions" in rows[fake.guild_id].error
    assert (
        rows[fake.guild_id].spectator_upto == changes.max_ids(engine).spectator
    )  # the next one starts after
    assert (await post_digest(bot, engine, 4545, now=NOW, settings=env.settings)).status == "off"
    # A retried job posts nothing more.
    assert await post_due_digests(bot, engine, now=NOW + timedelta(minutes=5), settings=env.settings) == []


async def test_other_http_errors_mark_the_digest_failed(env: Env) -> None:
    fake, engine = env.fake, env.engine
    new_reviews(engine)
    fake.add_route(
        "POST",
        rf"/channels/{fake.channel_id}/messages",
        lambda r, m: (400, {"message": "Invalid Form Body", "code": 50035}),
    )
    guild_settings.update(engine, fake.guild_id, channel_id=fake.channel_id, enabled=True)
    bot = await env.start_bot(engine)
    outcome = await post_digest(bot, engine, fake.guild_id, now=NOW, settings=env.settings)
    assert outcome.status == "failed" and "Invalid Form Body" in (outcome.error or "")
    (row,) = ledger_rows(engine)
    assert row.status == "failed"
    assert digest_ledger.last_digest(engine, fake.guild_id) is None  # its reviews go to the next digest


async def test_nothing_new_posts_a_short_message_or_nothing(env: Env) -> None:
    fake, engine = env.fake, env.engine
    seed_masque(engine, now=T0 - timedelta(days=3))
    guild_settings.update(engine, fake.guild_id, channel_id=fake.channel_id, enabled=True)
    guild_settings.update(engine, 4242, channel_id=fake.other_channel_id, enabled=True)
    bot = await env.start_bot(engine)
    silent = env.settings.model_copy(update={"digest_when_empty": "nothing"})
    quiet = await post_digest(bot, engine, fake.guild_id, now=NOW, settings=silent)
    spoken = await post_digest(bot, engine, 4242, now=NOW, settings=env.settings)
    assert (quiet.status, spoken.status) == ("empty-silent", "posted")
    assert fake.channel_messages(fake.channel_id) == []
    (message,) = fake.channel_messages(fake.other_channel_id)
    assert message["embeds"][0]["description"] == texts.DIGEST_EMPTY_DAY
    statuses = {row.guild_id: (row.status, row.spectator_upto) for row in ledger_rows(engine)}
    top = changes.max_ids(engine).spectator
    assert statuses == {fake.guild_id: ("empty", top), 4242: ("posted", top)}
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(LEDGER)).scalar_one() == 2


async def test_two_servers_following_different_films_are_posted_different_digests(env: Env) -> None:
    fake, engine = env.fake, env.engine
    new_reviews(engine)
    guild_settings.update(engine, fake.guild_id, channel_id=fake.channel_id, enabled=True)
    guild_settings.update(engine, 4242, channel_id=fake.other_channel_id, enabled=True)
    follows.follow(engine, fake.guild_id, film_id(engine, MASQUE), None, T0)
    follows.follow(engine, 4242, film_id(engine, BACKSTAGE), None, T0)
    bot = await env.start_bot(engine)

    outcomes = await post_due_digests(bot, engine, now=NOW, settings=env.settings)
    assert sorted(o.status for o in outcomes) == ["posted", "posted"]
    (masque,) = fake.channel_messages(fake.channel_id)
    (backstage,) = fake.channel_messages(fake.other_channel_id)
    assert [f["name"] for f in masque["embeds"][0]["fields"]][:1] == [
        "Derrière le masque (2006) — 2 nouvelles critiques"
    ]
    assert [f["name"] for f in backstage["embeds"][0]["fields"]][:1] == [
        "Backstage (2005) — 1 nouvelle critique"
    ]
    assert "Backstage" not in str(masque["embeds"]) and "masque" not in str(backstage["embeds"])
