"""The film option's autocomplete: the catalogue at once, AlloCiné's candidates from memory, and the
searches that fill that memory in the background (against the fake AlloCiné on 127.0.0.1)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.answers.autocomplete import film_choices
from bot.answers.context import AnswerContext
from storage.sources import AllocineClient
from storage.sources import search as search_module
from storage.sources.search import search
from storage.sources.suggestions import SearchSuggestions
from storage.titles import AllocineRef, TitleEntry, TitleIndex, parse_allocine_value
from tests.doubles.fakeallocine import (
    Body,
    FakeAllocine,
    Hold,
    autocomplete_path,
    movie_result,
    person_result,
    series_result,
)

INCEPTION = movie_result(143692, "Inception", year=2010, directors=["Christopher Nolan"])
INCENDIES = movie_result(178014, "Incendies", year=2010, directors=["Denis Villeneuve"])
COBOL = movie_result(199999, "Inception: The Cobol Job", year=2010)
LUPIN = series_result(25813, "Lupin", year=2021)
PROMOTED = movie_result(1000045609, "Avatar : de feu et de cendres", year=2025)
CATALOGUE = [
    TitleEntry(1, "Derrière le masque", 2006, "Behind the Mask: The Rise of Leslie Vernon"),
    TitleEntry(2, "Backstage", 2005),
    TitleEntry(3, "Incendies", 2010),  # also on AlloCiné: offered once, from the catalogue
]


@pytest.fixture(autouse=True)
def fresh_incident() -> Iterator[None]:
    search_module._incident.open = False
    yield
    search_module._incident.open = False


async def no_wait(seconds: float) -> None:
    await asyncio.sleep(0)


@pytest.fixture
async def site() -> AsyncIterator[FakeAllocine]:
    async with FakeAllocine() as fake:
        fake.set_autocomplete("inc", [PROMOTED, INCENDIES, INCEPTION, person_result(1, "Incognito"), COBOL])
        fake.set_autocomplete("inception", [PROMOTED, INCEPTION, COBOL])
        fake.set_autocomplete("lupin", [LUPIN])
        yield fake


@pytest.fixture
async def client(site: FakeAllocine) -> AsyncIterator[AllocineClient]:
    options: dict[str, Any] = {"user_agent": "critibot-test/1.0", "delay": 0.0, "timeout": 5.0, "retries": 0}
    async with AllocineClient(site.base_url, sleep=no_wait, **options) as client:
        yield client


@pytest.fixture
def ctx(engine: Engine, client: AllocineClient) -> AnswerContext:
    return AnswerContext(engine, TitleIndex(CATALOGUE), allocine=client)


def searches(site: FakeAllocine) -> list[str]:
    return [r.path for r in site.requests if r.path.startswith("/_/autocomplete/")]


def timed(ctx: AnswerContext, query: str) -> tuple[list[tuple[str, str]], float]:
    start = time.perf_counter()
    choices = film_choices(ctx, query)
    return choices, time.perf_counter() - start


async def test_a_miss_answers_at_once_and_a_later_keystroke_offers_allocine(
    ctx: AnswerContext, site: FakeAllocine
) -> None:
    release = asyncio.Event()
    site.script(autocomplete_path("inc"), Hold(release))  # AlloCiné answers only when the test says
    choices, took = timed(ctx, "inc")
    assert [label for label, _ in choices] == ["Incendies (2010)"] and took < 0.5  # never waits
    for _ in range(3):  # the same query again while its search is under way: no second one
        assert film_choices(ctx, "inc")[0][0] == "Incendies (2010)"
        assert not ctx.background_search("inc")
        await asyncio.sleep(0.01)
    assert searches(site) == ["/_/autocomplete/inc"]
    release.set()
    await ctx.suggestions.drain()

    choices = film_choices(ctx, "ince")  # served from the answer for "inc", its own search begun
    labels = [label for label, _ in choices]
    assert labels[0] == "Incendies (2010)"  # the catalogue first, and once
    assert "Inception (2010) · AlloCiné" in labels and "Inception: The Cobol Job (2010) · AlloCiné" in labels
    assert not any("Incognito" in label or "Avatar" in label for label in labels)  # a person, a promotion
    value = dict(choices)["Inception (2010) · AlloCiné"]
    assert value == "allocine:143692" and parse_allocine_value(value) == AllocineRef("film", 143692)
    await ctx.suggestions.drain()
    assert searches(site) == ["/_/autocomplete/inc", "/_/autocomplete/ince"]

    # "incep" extends "ince", which AlloCiné did not know (404: no answer kept): the "inc" answer
    # still serves, filtered to the names that begin with what is typed.
    labels = [label for label, _ in film_choices(ctx, "incep")]
    assert labels[:2] == ["Inception (2010) · AlloCiné", "Inception: The Cobol Job (2010) · AlloCiné"]


async def test_a_series_is_never_offered(ctx: AnswerContext, site: FakeAllocine) -> None:
    """critibot reads films only (/aide says so): a series picked would only be refused."""
    assert film_choices(ctx, "lupin") == []
    await ctx.suggestions.drain()
    assert site.requests  # AlloCiné was asked, and answered a series
    assert film_choices(ctx, "Lupin") == []


@pytest.mark.parametrize("query", ["", "   ", "?!…", "/", "%", "🎬🍿🎬", "« » —", "in", "a b", "  ab  "])
async def test_no_search_for_a_query_with_too_little_to_search(
    ctx: AnswerContext, site: FakeAllocine, query: str
) -> None:
    film_choices(ctx, query)
    assert not ctx.background_search(query)
    await ctx.suggestions.drain()
    assert site.requests == []


async def test_enough_good_matches_in_the_catalogue_ask_nothing(
    engine: Engine, client: AllocineClient
) -> None:
    nights = ("Nuit noire", "Nuit blanche", "Nuit d'été", "Nuit et brouillard", "Nuit de Brest", "Nuit rouge")
    ctx = AnswerContext(
        engine, TitleIndex(TitleEntry(i, t, 2000) for i, t in enumerate(nights)), allocine=client
    )
    assert len(film_choices(ctx, "nuit")) == 6
    await ctx.suggestions.drain()
    assert ctx.suggestions.searches == 0 and not ctx.suggestions.has("nuit")


async def test_the_search_cache_serves_without_asking_alloCine(
    engine: Engine, client: AllocineClient, site: FakeAllocine
) -> None:
    await search(engine, client, "inception")  # cached in the database, by an earlier run say
    site.requests.clear()
    ctx = AnswerContext(engine, TitleIndex(CATALOGUE), allocine=client)
    assert film_choices(ctx, "inception") == []  # the cache is read in a thread, not here
    await ctx.suggestions.drain()
    assert film_choices(ctx, "Inception")[0] == ("Inception (2010) · AlloCiné", "allocine:143692")
    assert site.requests == []


async def test_without_a_client_only_the_cache_is_read(engine: Engine, site: FakeAllocine) -> None:
    ctx = AnswerContext(engine, TitleIndex(CATALOGUE))
    assert film_choices(ctx, "inception") == []
    await ctx.suggestions.drain()
    assert film_choices(ctx, "inception") == [] and site.requests == []


def test_off_the_event_loop_nothing_is_begun(engine: Engine) -> None:
    ctx = AnswerContext(engine, TitleIndex(CATALOGUE))
    assert not ctx.background_search("inception")
    assert [label for label, _ in film_choices(ctx, "incend")] == ["Incendies (2010)"]


async def test_while_one_search_runs_only_the_latest_query_waits(
    engine: Engine, client: AllocineClient, site: FakeAllocine
) -> None:
    release = asyncio.Event()
    site.script(autocomplete_path("inc"), Hold(release))
    suggestions = SearchSuggestions(engine, client, per_minute=10)
    for query in ("inc", "ince", "incep", "incept", "inception"):
        suggestions.start(query)
        await asyncio.sleep(0.05)  # each keystroke's cache read ends
    assert searches(site) == ["/_/autocomplete/inc"]
    release.set()
    await suggestions.drain()
    assert searches(site) == ["/_/autocomplete/inc", "/_/autocomplete/inception"]
    assert suggestions.has("inception") and not suggestions.has("incep")


async def test_background_searches_are_capped_per_minute(
    engine: Engine, client: AllocineClient, site: FakeAllocine
) -> None:
    now = [1000.0]
    suggestions = SearchSuggestions(engine, client, per_minute=2, clock=lambda: now[0])
    for query in ("aaa", "bbb", "ccc", "ddd"):
        site.set_autocomplete(query, [])
        suggestions.start(query)
        await suggestions.drain()
    assert len(searches(site)) == 2
    now[0] += 61
    suggestions.start("ddd")
    await suggestions.drain()
    assert len(searches(site)) == 3 and suggestions.has("ddd")


async def test_a_failed_search_keeps_nothing_and_waits_before_trying_again(
    engine: Engine, client: AllocineClient, site: FakeAllocine
) -> None:
    now = [1000.0]
    suggestions = SearchSuggestions(engine, client, retry_after=60, clock=lambda: now[0])
    site.script(autocomplete_path("inception"), Body(b'{"results": [', content_type="application/json"))
    suggestions.start("inception")
    await suggestions.drain()
    assert suggestions.known("inception") is None
    suggestions.start("inception")
    await suggestions.drain()
    assert len(searches(site)) == 1  # not again at once
    now[0] += 61
    suggestions.start("inception")
    await suggestions.drain()
    found = suggestions.known("inception") or []
    assert len(searches(site)) == 2 and found[0].allocine_id == 143692


async def test_a_long_title_being_typed_is_offered_and_the_promoted_film_is_not(
    ctx: AnswerContext, site: FakeAllocine
) -> None:
    long = movie_result(301, "Kamorvel et le secret de la nuit des temps perdus", year=2019)
    site.set_autocomplete("kamor", [PROMOTED, long])
    film_choices(ctx, "kamor")
    await ctx.suggestions.drain()
    assert [label for label, _ in film_choices(ctx, "kamor")] == [
        "Kamorvel et le secret de la nuit des temps perdus (2019) · AlloCiné"
    ]
