"""Commands about a film the catalogue lacks, answered through AlloCiné on demand (the fake one on
127.0.0.1), as the console asks them: SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from bot import texts
from bot.answers.commands import answer_line, run
from bot.answers.context import AnswerContext, Member
from bot.answers.model import Answer
from config.settings import Settings
from storage import follows
from storage.db.tables import FILM, ONDEMAND_REQUEST, SPECTATOR
from storage.ondemand import OnDemand
from storage.sources import search as search_module
from storage.sources.search import search_query
from tests.doubles.fakeallocine import FakeAllocine, Status, autocomplete_path, movie_result, series_result
from tests.doubles.films import (
    INCEPTION,
    ORIGINE,
    ORIGINE_2019,
    main_path,
    press_path,
    serve_film,
    spectator_path,
)

GUILD = 4242


@pytest.fixture(autouse=True)
def fresh_incident() -> Iterator[None]:
    search_module._incident.open = False
    yield
    search_module._incident.open = False


def settings_for(site: FakeAllocine | None, **changes: Any) -> Settings:
    base = site.base_url if site is not None else "http://127.0.0.1:9"  # nothing listens on port 9
    options: dict[str, Any] = {
        "allocine_base_url": base,
        "allocine_delay": 0.0,
        "allocine_retries": 0,
        "allocine_timeout": 5.0,
        "ondemand_deadline": 5.0,
    }
    return Settings(**(options | changes))


@pytest.fixture
async def ctx(engine: Engine, fake_allocine: FakeAllocine) -> AsyncIterator[AnswerContext]:
    ondemand = OnDemand(engine, settings_for(fake_allocine))
    yield AnswerContext.open(engine, seed=1, ondemand=ondemand)
    await asyncio.to_thread(ondemand.close)


async def ask(ctx: AnswerContext, line: str, *, server: int | None = None) -> Answer:
    member = Member(server, can_manage=True) if server is not None else None
    return await asyncio.to_thread(answer_line, ctx, line, scope="console", member=member)


def films(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(FILM)) or 0


async def test_note_on_an_unknown_film_reads_it_and_a_second_note_reads_nothing(
    ctx: AnswerContext, fake_allocine: FakeAllocine
) -> None:
    promoted = movie_result(1_000_999, "Un film à l'affiche", year=2025)
    fake_allocine.set_autocomplete("Inception", [promoted, serve_film(fake_allocine, INCEPTION, "Inception")])
    answer = await ask(ctx, "/note Inception")
    assert answer.title == "Inception (2010)", answer.text()
    assert "4,4/5" in answer.description and "51\u202f234 notes" in answer.description
    assert "Rêveuse" in answer.text() and "4,1/5" in answer.text()  # its reviews and the press
    asked = len(fake_allocine.requests)
    assert asked == 4  # the search, then the film's three pages
    again = await ask(ctx, "/note inception")  # the title index knows it now
    assert again.title == "Inception (2010)" and len(fake_allocine.requests) == asked
    presse = await ask(ctx, "/presse Inception")
    assert "Le Quotidien du Cinéma" in presse.text() and len(fake_allocine.requests) == asked
    assert films(ctx.engine) == 1


async def test_a_fresh_install_reads_the_film_asked_and_the_index_knows_it_at_once(
    ctx: AnswerContext, fake_allocine: FakeAllocine
) -> None:
    assert len(ctx.titles) == 0
    fake_allocine.set_autocomplete("Inceptoin", [serve_film(fake_allocine, INCEPTION, "Inception")])
    answer = await ask(ctx, "/critiques Inceptoin")  # one typo: still clearly that film
    assert answer.title.startswith("Inception (2010)"), answer.text()
    assert ctx.titles.exact("Inception") == answer.film_id


async def test_several_films_ask_which_and_title_with_year_picks_one(
    ctx: AnswerContext, fake_allocine: FakeAllocine
) -> None:
    first = serve_film(fake_allocine, ORIGINE, "Origine", year=2010, director="Christophe Nolant")
    second = serve_film(fake_allocine, ORIGINE_2019, "Origine", year=2019, director="Anne Autre")
    fake_allocine.set_autocomplete("Origine", [first, second])
    question = await ask(ctx, "/note Origine")
    assert question.title == "Vouliez-vous dire… ?" and question.ephemeral
    assert "Origine (2010) — de Christophe Nolant" in question.description
    assert "Origine (2019) — de Anne Autre" in question.description
    assert "`/note Origine (2010)`" in question.description
    assert [p.value for p in question.picks] == [f"allocine:{ORIGINE}", f"allocine:{ORIGINE_2019}"]
    assert films(ctx.engine) == 0  # nothing read yet
    picked = await ask(ctx, "/note Origine (2019)")  # the same search, from the cache
    assert picked.title == "Origine (2019)", picked.text()
    assert len(fake_allocine.requests_for(autocomplete_path("Origine"))) == 1
    chosen = await asyncio.to_thread(run, ctx, "note", {"film": f"allocine:{ORIGINE}"})  # a button's value
    assert chosen.title == "Origine (2010)"


async def test_nothing_found_and_series_only_are_said_plainly(
    ctx: AnswerContext, fake_allocine: FakeAllocine
) -> None:
    fake_allocine.set_autocomplete("Zorglub", [])
    none = await ask(ctx, "/note Zorglub")
    assert none.title == "Film introuvable" and "ni AlloCiné" in none.description
    fake_allocine.set_autocomplete("Les Bureaux", [series_result(5555, "Les Bureaux", year=2015)])
    series = await ask(ctx, "/note Les Bureaux")
    assert "série" in series.description and films(ctx.engine) == 0


async def test_film_lists_alloCine_candidates_beside_the_catalogue(
    ctx: AnswerContext, fake_allocine: FakeAllocine
) -> None:
    first = serve_film(fake_allocine, ORIGINE, "Origine", year=2010)
    second = serve_film(fake_allocine, ORIGINE_2019, "Origine", year=2019, director="Anne Autre")
    fake_allocine.set_autocomplete("Origine", [first, second])
    await asyncio.to_thread(run, ctx, "note", {"film": f"allocine:{ORIGINE}"})
    listed = await ask(ctx, "/film Origine")
    text = listed.text()
    assert text.startswith("Origine (2010)")  # the catalogue's, one clear match: its card
    assert "pas encore lus" in text and "Origine (2019) — de Anne Autre · AlloCiné" in text
    assert "Origine (2010) — de" not in text  # read already: listed once, as the catalogue's


async def test_following_an_unknown_film_reads_it_as_backlog(
    ctx: AnswerContext, fake_allocine: FakeAllocine
) -> None:
    fake_allocine.set_autocomplete("Inception", [serve_film(fake_allocine, INCEPTION, "Inception")])
    answer = await ask(ctx, "/suivre Inception", server=GUILD)
    assert "Inception (2010)" in answer.description and answer.tone == "info", answer.text()
    assert follows.followed_ids(ctx.engine, GUILD) == {answer.film_id}
    with ctx.engine.connect() as conn:
        assert set(conn.scalars(select(SPECTATOR.c.backlog))) == {True}  # never announced


async def test_the_budget_refuses_politely_and_cached_searches_cost_nothing(
    engine: Engine, fake_allocine: FakeAllocine
) -> None:
    ondemand = OnDemand(engine, settings_for(fake_allocine, ondemand_searches_per_hour_per_server=2))
    ctx = AnswerContext.open(engine, ondemand=ondemand)
    try:
        for word in ("Alpha", "Beta", "Gamma"):
            fake_allocine.set_autocomplete(word, [])
        await ask(ctx, "/note Alpha", server=GUILD)
        await ask(ctx, "/note Alpha", server=GUILD)  # cached: free
        await ask(ctx, "/note Beta", server=GUILD)
        refused = await ask(ctx, "/note Gamma", server=GUILD)
        assert refused.title == "Trop de recherches" and refused.ephemeral
        assert "réessayez dans 60 minutes" in refused.description
        assert not fake_allocine.requests_for(autocomplete_path("Gamma"))
        other = await ask(ctx, "/note Gamma", server=GUILD + 1)  # another server has its own budget
        assert other.title == "Film introuvable"
        with engine.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(ONDEMAND_REQUEST)) == 3
    finally:
        await asyncio.to_thread(ondemand.close)


async def test_a_read_failing_halfway_answers_in_french_and_stores_nothing(
    ctx: AnswerContext, fake_allocine: FakeAllocine
) -> None:
    fake_allocine.set_autocomplete("Inception", [serve_film(fake_allocine, INCEPTION, "Inception")])
    fake_allocine.script(press_path(INCEPTION), Status(500))
    answer = await ask(ctx, "/note Inception")
    assert answer.title == "AlloCiné indisponible" and "Rien n'a été gardé" in answer.description
    assert films(ctx.engine) == 0 and ctx.titles.exact("Inception") is None
    assert fake_allocine.requests_for(main_path(INCEPTION)) and fake_allocine.requests_for(
        spectator_path(INCEPTION)
    )
    again = await ask(ctx, "/note Inception")  # the site is back: read in full
    assert again.title == "Inception (2010)"


async def test_an_unreachable_site_is_said_in_french_within_the_timeout(engine: Engine) -> None:
    ondemand = OnDemand(engine, settings_for(None, allocine_retries=3, ondemand_deadline=4.0))
    ctx = AnswerContext.open(engine, ondemand=ondemand)
    try:
        started = time.monotonic()
        answer = await ask(ctx, "/note Inception")
        assert time.monotonic() - started < 5
        assert answer.title == "AlloCiné indisponible" and "ne répond pas" in answer.description
        assert films(engine) == 0
    finally:
        await asyncio.to_thread(ondemand.close)


@pytest.mark.parametrize(
    ("line", "asks"),
    [
        ("/note ../../etc/passwd", True),
        ("/note %00", True),
        ("/note " + "x" * 500, True),
        ("/note 🎬🍿", False),
        ("/note     ", False),
        ("/note @everyone", True),
    ],
)
async def test_odd_input_gets_a_french_answer_and_an_empty_query_no_request(
    ctx: AnswerContext, fake_allocine: FakeAllocine, line: str, asks: bool
) -> None:
    sent = search_query(line.removeprefix("/note "))
    if sent:
        fake_allocine.set_autocomplete(sent, [])
    answer = await ask(ctx, line)
    assert answer.ephemeral and answer.title in {"Film introuvable", texts.ERROR_TITLE}, answer.text()
    assert "@everyone" not in answer.text()  # never a ping
    assert bool(fake_allocine.requests) == asks
    assert films(ctx.engine) == 0


async def test_one_search_and_a_read_take_under_ten_seconds_at_the_default_delay(
    engine: Engine, fake_allocine: FakeAllocine
) -> None:
    defaults = Settings()
    ondemand = OnDemand(
        engine, settings_for(fake_allocine, allocine_delay=defaults.allocine_delay, ondemand_deadline=20.0)
    )
    ctx = AnswerContext.open(engine, ondemand=ondemand)
    fake_allocine.set_autocomplete("Inception", [serve_film(fake_allocine, INCEPTION, "Inception")])
    try:
        started = time.monotonic()
        answer = await ask(ctx, "/note Inception")
        elapsed = time.monotonic() - started
        assert answer.title == "Inception (2010)"
        assert len(fake_allocine.requests) == 4
        gaps = [
            b.time - a.time for a, b in zip(fake_allocine.requests, fake_allocine.requests[1:], strict=False)
        ]
        assert min(gaps) >= defaults.allocine_delay * 0.95  # politeness first
        assert elapsed < 10, elapsed
        print(f"on-demand /note, 1 search + 3 pages at {defaults.allocine_delay} s: {elapsed:.2f} s")
    finally:
        await asyncio.to_thread(ondemand.close)
