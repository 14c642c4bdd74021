"""/suivre, /ne-plus-suivre and /suivis through bot/answers, as the console and Discord run them; and
`critibot ask … --server ID`. The Discord permission itself is tested in tests/bot/test_discord.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from bot import terminal, texts
from bot.answers import settings as settings_answers
from bot.answers.commands import answer_line
from bot.answers.context import AnswerContext, Member
from bot.answers.model import Answer
from bot.cli import app as cli
from config import get_settings
from storage import follows, guild_settings
from storage import refresh_queue as rq
from storage.importer import import_files
from storage.pages import ParsedSpectatorPage, SiteFigures
from storage.queries import find_films
from storage.store import FilmHint, store_page
from storage.watchlist import load_watchlist
from tests.conftest import SAMPLES

GUILD, OTHER = 900_000_000_000_000_001, 900_000_000_000_000_002
MANAGER = Member(GUILD, user_id=42, can_manage=True)


@pytest.fixture
def ctx(engine: Engine) -> AnswerContext:
    assert not import_files(engine, [SAMPLES], watchlist=load_watchlist(get_settings().watchlist)).failed
    return AnswerContext.open(engine, seed=7)


def ask(ctx: AnswerContext, line: str, member: Member | None = MANAGER) -> Answer:
    return answer_line(ctx, line, scope="test", member=member)


def titles(ctx: AnswerContext, guild_id: int = GUILD) -> list[str]:
    return [f.label for f in follows.followed_films(ctx.engine, guild_id)]


def test_follow_then_list_then_unfollow(ctx: AnswerContext) -> None:
    empty = ask(ctx, "/suivis")
    assert empty.description == texts.FOLLOW_NONE and empty.tone == "info"

    added = ask(ctx, "/suivre derriere le masqe")  # the same forgiving titles as /note
    assert added.tone == "info" and not added.ephemeral
    assert added.description.startswith("C'est noté : ce serveur suit **Derrière le masque (2006)**.")
    assert texts.FOLLOW_NO_ADDRESS in added.description  # the samples have no AlloCiné id
    assert texts.FOLLOW_NO_CHANNEL in added.description  # and the server no digest channel yet
    assert titles(ctx) == ["Derrière le masque (2006)"]
    assert ask(ctx, "/suivre Derrière le masque").description == (
        "Ce serveur suit déjà **Derrière le masque (2006)**."
    )
    guild_settings.update(ctx.engine, GUILD, channel_id=5, enabled=True)
    backstage = ask(ctx, "/suivre Backstage (2005)")
    assert texts.FOLLOW_NO_CHANNEL not in backstage.description
    assert titles(ctx) == ["Backstage (2005)", "Derrière le masque (2006)"]
    assert titles(ctx, OTHER) == []  # another server's list is its own

    listed = ask(ctx, "/suivis", Member(GUILD))  # anyone may read the list
    assert listed.description == (
        texts.FOLLOW_DIGEST + "\n\n• **Backstage (2005)**\n• **Derrière le masque (2006)**"
    )
    assert listed.footer == "2 films suivis"

    removed = ask(ctx, "/ne-plus-suivre backstage")
    assert removed.description == "Ce serveur ne suit plus **Backstage (2005)**."
    again = ask(ctx, "/ne-plus-suivre backstage")
    assert again.description == "Ce serveur ne suivait pas **Backstage (2005)**."
    last = ask(ctx, "/ne-plus-suivre Derrière le masque")
    assert texts.FOLLOW_NOW_NONE in last.description
    assert titles(ctx) == []


def test_only_managers_change_the_list(ctx: AnswerContext) -> None:
    member = Member(GUILD, user_id=7, can_manage=False)
    for line in ("/suivre Backstage", "/ne-plus-suivre Backstage"):
        refused = ask(ctx, line, member)
        assert refused.tone == "error" and refused.ephemeral
        assert refused.description == texts.FOLLOW_REFUSED
    assert titles(ctx) == []


def test_without_a_server_the_commands_say_where_they_work(ctx: AnswerContext) -> None:
    for line in ("/suivre Backstage", "/ne-plus-suivre Backstage", "/suivis"):
        for member in (None, Member(None, user_id=7, can_manage=True)):  # console; private message
            answer = ask(ctx, line, member)
            assert answer.tone == "error" and answer.description == texts.FOLLOW_GUILD_ONLY
    assert follows.all_followed(ctx.engine) == []


def test_an_unknown_or_ambiguous_film_is_answered_as_note_does(ctx: AnswerContext) -> None:
    unknown = ask(ctx, "/suivre Inception")
    assert unknown.title == texts.FILM_NONE_TITLE and unknown.ephemeral
    missing = ask(ctx, "/suivre")
    assert missing.description == texts.FILM_MISSING
    store_page(
        ctx.engine,
        ParsedSpectatorPage(title="Backstage", figures=SiteFigures(), reviews=[]),
        location="remake",
        raw="remake",
        hint=FilmHint(title="Backstage", year=2017),
    )
    ctx.reload_titles()
    ambiguous = ask(ctx, "/suivre Backstage")
    assert ambiguous.title == texts.FILM_AMBIGUOUS_TITLE
    assert "`/suivre Backstage (2005)`" in ambiguous.description
    assert follows.all_followed(ctx.engine) == []
    for odd in ("/suivre @everyone", "/suivre ../../etc/passwd", "/suivre " + "é" * 500, "/suivre 🎬"):
        assert ask(ctx, odd).tone in {"info", "error"}
    assert follows.all_followed(ctx.engine) == []


def test_the_list_links_to_allocine_and_turns_pages(ctx: AnswerContext) -> None:
    for number in range(40):
        hint = FilmHint(title=f"Film numéro {number:02d}", year=2000 + number % 20, allocine_id=1000 + number)
        page = ParsedSpectatorPage(title=hint.title, figures=SiteFigures(), reviews=[])
        film = store_page(ctx.engine, page, location=hint.title or "", raw=hint.title or "", hint=hint)
        follows.follow(ctx.engine, GUILD, film.film_id, None, datetime.now(UTC))
    listed = ask(ctx, "/suivis", Member(GUILD))
    assert len(listed.pages) == 3 and listed.footer == "40 films suivis"
    assert listed.pages[0].description.splitlines()[2] == (
        "• **Film numéro 00 (2000)** · https://www.allocine.fr/film/fichefilm_gen_cfilm=1000.html"
    )
    assert "(page 1/3)" in terminal.to_text(listed)


def test_the_terminal_takes_a_server(engine: Engine) -> None:
    url = engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    assert runner.invoke(cli, ["demo", "--db", url]).exit_code == 0
    refused = runner.invoke(cli, ["ask", "/suivre Backstage", "--db", url])
    assert refused.exit_code == 1 and "--server ID" in refused.output
    added = runner.invoke(cli, ["ask", "/suivre Backstage", "--server", str(GUILD), "--db", url])
    assert added.exit_code == 0, added.output
    assert "ce serveur suit Backstage (2005)" in added.output
    listed = runner.invoke(cli, ["ask", "/suivis", "--server", str(GUILD), "--db", url])
    assert "• Backstage (2005)" in listed.output
    assert [f.label for f in follows.followed_films(engine, GUILD)] == ["Backstage (2005)"]


def _film_with_id(engine: Engine, title: str, allocine_id: int) -> int:
    page = ParsedSpectatorPage(title=title, figures=SiteFigures(average=3.0, ratings_count=4), reviews=[])
    hint = FilmHint(title=title, year=2012, allocine_id=allocine_id)
    return store_page(engine, page, location=title, raw=title, hint=hint, now=NOW).film_id


NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def test_settings_tell_how_current_the_followed_films_are(ctx: AnswerContext) -> None:
    engine = ctx.engine

    def shown(now: datetime = NOW) -> str:
        return settings_answers.show(ctx, GUILD, "Europe/Paris", now=now).description.splitlines()[-1]

    assert shown() == "Films suivis : aucun pour l'instant (`/suivre <film>` en ajoute un)."
    first = _film_with_id(engine, "Le Premier", 7001)
    second = _film_with_id(engine, "Le *Second*", 7002)
    for film_id in (first, second):
        assert follows.follow(engine, GUILD, film_id, None, NOW)  # queued, not read yet
    assert shown() == "Films suivis : 2, pas encore relus sur AlloCiné."

    claims = rq.claim_due(engine, "w", now=NOW, limit=2, lease_seconds=60)
    assert rq.finish(engine, claims[0], next_read_at=NOW + timedelta(hours=6), outcome="new", now=NOW)
    later = NOW + timedelta(hours=2, minutes=10)
    assert shown(later) == (
        "Films suivis : 2, à jour il y a 2 h au plus (le moins récent : *Le Premier*) ; "
        "1 film pas encore relu, en premier au prochain rafraîchissement."
    )
    assert rq.finish(engine, claims[1], next_read_at=later + timedelta(hours=1), outcome="failed", now=later)
    masque = follows.followed_films(engine, OTHER)  # another server's follows do not count
    assert masque == []
    (sample,) = [f for f in find_films(engine, "Derrière le masque")]
    assert follows.follow(engine, GUILD, sample.id, None, NOW)  # no AlloCiné id: never read online
    assert shown(NOW + timedelta(days=3)) == (
        "Films suivis : 3, à jour il y a 3 j au plus (le moins récent : *Le Premier*) ; "
        "1 film en échec à sa dernière lecture, réessayé bientôt ; "
        "1 film sans adresse AlloCiné, nourri seulement par des imports."
    )
    assert shown(NOW + timedelta(minutes=12)).startswith("Films suivis : 3, à jour il y a 12 min au plus")
