"""Reading a film on demand against the fake AlloCiné (SQLite and PostgreSQL): stored whole or not at all,
as backlog; budgets; one read for two askers; the service's loop thread."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from config.settings import Settings
from storage.db.tables import FILM, ONDEMAND_REQUEST, PRESS, SOURCE, SPECTATOR
from storage.ondemand import (
    Budgets,
    OnDemand,
    OverBudget,
    charge,
    film_by_allocine_id,
    read_film,
    title_entry,
)
from storage.sources import AllocineClient, FetchError
from storage.sources.film_pages import PageRefused
from tests.doubles.fakeallocine import (
    Body,
    FakeAllocine,
    Hold,
    Status,
    autocomplete_path,
    challenge_html,
    spectator_html,
)
from tests.doubles.films import INCEPTION, main_path, press_path, serve_film, spectator_path

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


async def no_wait(seconds: float) -> None:
    await asyncio.sleep(0)


@pytest.fixture
async def client(fake_allocine: FakeAllocine) -> AsyncIterator[AllocineClient]:
    options: dict[str, Any] = {"user_agent": "critibot-test", "delay": 0.0, "timeout": 5.0, "retries": 1}
    async with AllocineClient(fake_allocine.base_url, sleep=no_wait, backoff=0.0, **options) as client:
        yield client


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            name: conn.scalar(select(func.count()).select_from(table)) or 0
            for name, table in (
                ("films", FILM),
                ("spectators", SPECTATOR),
                ("press", PRESS),
                ("sources", SOURCE),
            )
        }


async def test_a_film_is_read_whole_and_its_reviews_are_backlog(
    engine: Engine, fake_allocine: FakeAllocine, client: AllocineClient
) -> None:
    serve_film(fake_allocine, INCEPTION, "Inception")
    read = await read_film(engine, client, INCEPTION, now=T0)
    assert read.read and read.title == "Inception" and read.year == 2010
    assert counts(engine) == {"films": 1, "spectators": 2, "press": 2, "sources": 3}
    with engine.connect() as conn:
        film = conn.execute(select(FILM).where(FILM.c.id == read.film_id)).one()
        assert film.allocine_id == INCEPTION and film.site_average == 4.4 and film.site_press_average == 4.1
        assert film.poster_url and "Christophe Nolant" in film.directors
        assert set(conn.scalars(select(SPECTATOR.c.backlog))) == {True}
        assert set(conn.scalars(select(PRESS.c.backlog))) == {True}
    assert film_by_allocine_id(engine, INCEPTION) == read.__class__(**{**read.__dict__, "read": False})
    entry = title_entry(engine, read.film_id)
    assert entry is not None and entry.title == "Inception" and entry.year == 2010


async def test_a_film_without_press_page_is_read(
    engine: Engine, fake_allocine: FakeAllocine, client: AllocineClient
) -> None:
    serve_film(fake_allocine, INCEPTION, "Inception", press=False)
    await read_film(engine, client, INCEPTION, now=T0)
    assert counts(engine) == {"films": 1, "spectators": 2, "press": 0, "sources": 2}


@pytest.mark.parametrize(
    ("path", "behaviour", "error"),
    [
        (press_path(INCEPTION), Status(500), FetchError),
        (spectator_path(INCEPTION), Body(challenge_html().encode()), FetchError),
        (spectator_path(INCEPTION), Body(b"<html><body>rien</body></html>"), PageRefused),
        (main_path(INCEPTION), Status(503), FetchError),
    ],
    ids=["press-500", "spectators-challenge", "spectators-unreadable", "main-503"],
)
async def test_a_read_failing_halfway_stores_nothing_of_the_film(
    engine: Engine,
    fake_allocine: FakeAllocine,
    client: AllocineClient,
    path: str,
    behaviour: Any,
    error: type[Exception],
) -> None:
    serve_film(fake_allocine, INCEPTION, "Inception")
    fake_allocine.script(path, behaviour, behaviour)  # past the one retry
    with pytest.raises(error):
        await read_film(engine, client, INCEPTION, now=T0)
    assert counts(engine) == {"films": 0, "spectators": 0, "press": 0, "sources": 0}


async def test_another_films_review_page_is_refused(
    engine: Engine, fake_allocine: FakeAllocine, client: AllocineClient
) -> None:
    serve_film(fake_allocine, INCEPTION, "Inception")
    other = spectator_html(
        "Autre chose",
        average=2.0,
        ratings_count=3,
        reviews_count=1,
        histogram={},
        reviews=[],
        allocine_id=INCEPTION + 1,
    )
    fake_allocine.set_page(spectator_path(INCEPTION), other)
    with pytest.raises(PageRefused) as refused:
        await read_film(engine, client, INCEPTION, now=T0)
    assert refused.value.code == "other_film_page"
    assert counts(engine)["films"] == 0


# --- budgets ---------------------------------------------------------------------------------------


def test_budgets_per_server_and_in_all(engine: Engine) -> None:
    budgets = Budgets(searches_per_server=2, reads_per_server=1, requests_total=6)
    charge(engine, budgets, "guild:1", "search", T0)
    charge(engine, budgets, "guild:1", "search", T0 + timedelta(minutes=10))
    with pytest.raises(OverBudget) as refused:
        charge(engine, budgets, "guild:1", "search", T0 + timedelta(minutes=20))
    assert (
        refused.value.which == "server" and refused.value.seconds == 40 * 60
    )  # the first one leaves at 13:00
    charge(engine, budgets, "guild:2", "search", T0 + timedelta(minutes=20))  # another server's own
    charge(engine, budgets, "guild:1", "read", T0 + timedelta(minutes=20))  # reads are counted apart
    with pytest.raises(OverBudget) as total:  # 3 searches + 1 read (3 requests) = 6: nothing more anywhere
        charge(engine, budgets, "guild:3", "search", T0 + timedelta(minutes=30))
    assert total.value.which == "total" and total.value.seconds == 30 * 60
    charge(engine, budgets, "guild:1", "search", T0 + timedelta(minutes=61))  # an hour later: free again
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(ONDEMAND_REQUEST)) == 5


# --- the service -----------------------------------------------------------------------------------


def service_settings(**changes: Any) -> Settings:
    return Settings(
        **{
            "allocine_delay": 0.0,
            "allocine_retries": 0,
            "allocine_timeout": 5.0,
            "ondemand_deadline": 5.0,
            **changes,
        }
    )


async def test_two_askers_at_once_cause_one_read_and_the_second_reads_nothing(
    engine: Engine, fake_allocine: FakeAllocine
) -> None:
    result = serve_film(fake_allocine, INCEPTION, "Inception")
    fake_allocine.set_autocomplete("Inception", [result])
    release = asyncio.Event()
    fake_allocine.script(main_path(INCEPTION), Hold(release))
    service = OnDemand(engine, service_settings(allocine_base_url=fake_allocine.base_url))
    try:
        outcomes: list[Any] = []

        def ask() -> None:
            outcomes.append(service.read(INCEPTION, scope="guild:1"))

        askers = [threading.Thread(target=ask) for _ in range(2)]
        for asker in askers:
            asker.start()
        while not fake_allocine.requests_for(main_path(INCEPTION)):
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.1)  # the second asker has joined by now
        release.set()
        while any(asker.is_alive() for asker in askers):
            await asyncio.sleep(0.01)
        assert [o.film_id for o in outcomes] == [outcomes[0].film_id] * 2
        assert len(fake_allocine.requests_for(main_path(INCEPTION))) == 1
        again = await asyncio.to_thread(service.read, INCEPTION, scope="guild:1")
        assert not again.read and len(fake_allocine.requests) == 3
        found = await asyncio.to_thread(service.search, "Inception", scope="guild:1")
        await asyncio.to_thread(service.search, "inception", scope="guild:2")  # cached: free
        assert [c.allocine_id for c in found.candidates] == [INCEPTION]
        assert len(fake_allocine.requests_for(autocomplete_path("Inception"))) == 1
        with engine.connect() as conn:
            kinds = sorted(conn.scalars(select(ONDEMAND_REQUEST.c.kind)))
        assert kinds == ["read", "search"]  # one read, one search: the rest cost nothing
    finally:
        await asyncio.to_thread(service.close)


async def test_an_unreachable_site_fails_within_the_deadline(engine: Engine) -> None:
    service = OnDemand(
        engine,
        service_settings(allocine_base_url="http://127.0.0.1:9", allocine_retries=3, ondemand_deadline=3.0),
    )
    try:
        started = time.monotonic()
        with pytest.raises(FetchError):
            await asyncio.to_thread(service.read, INCEPTION, scope="console")
        assert time.monotonic() - started < 3.5
        assert counts(engine)["films"] == 0
    finally:
        await asyncio.to_thread(service.close)


async def test_the_service_refuses_to_wait_on_its_own_loop(engine: Engine) -> None:
    service = OnDemand(engine, service_settings(), loop=asyncio.get_running_loop())
    with pytest.raises(RuntimeError):
        service.read(INCEPTION, scope="console")
