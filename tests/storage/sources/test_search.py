"""AlloCiné's search against the fake site on 127.0.0.1: what is sent, how answers are read and ranked,
the cache (SQLite and PostgreSQL, across a new engine), and answers that are not the search's JSON."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select
from yarl import URL

from bot.wording import problem_text
from config.settings import Settings
from storage.db.engine import make_engine
from storage.db.tables import SEARCH_CACHE
from storage.problems import Problem
from storage.sources import AllocineClient, FetchError
from storage.sources import search as search_module
from storage.sources.search import (
    POSTER_HOST,
    SearchCandidate,
    cached_candidates,
    forget_expired,
    parse_answer,
    search,
    search_query,
    search_url,
)
from tests.doubles.fakeallocine import (
    Body,
    Delay,
    FakeAllocine,
    Status,
    autocomplete_path,
    challenge_html,
    movie_result,
    person_result,
    series_result,
)

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
SETTINGS = Settings(search_cache_days=7, search_cache_empty_days=1)
PROMO = movie_result(
    1000045609, "Avatar : de feu et de cendres", original_label="Avatar: Fire and Ash", year=2025
)
BACKSTAGE = movie_result(
    57289,
    "Backstage",
    year=2005,
    directors=["Emmanuelle Bercot"],
    poster_path="/medias/nmedia/18/35/backstage.jpg",
)
BACKSTAGE_2017 = movie_result(250001, "Backstage", year="2017", directors=["Une Autre"])
MASQUE = movie_result(
    110645, "Derrière le masque", original_label="Behind the Mask: The Rise of Leslie Vernon", year=2006
)


@pytest.fixture(autouse=True)
def fresh_incident() -> Iterator[None]:
    search_module._incident.open = False  # each test starts with the search working
    yield
    search_module._incident.open = False


async def no_wait(seconds: float) -> None:
    await asyncio.sleep(0)


def make_client(site: FakeAllocine, **options: Any) -> AllocineClient:
    settings: dict[str, Any] = {"user_agent": "critibot-test/1.0", "delay": 0.0, "timeout": 5.0, "retries": 1}
    return AllocineClient(site.base_url, sleep=no_wait, **(settings | options))


@pytest.fixture
async def client(fake_allocine: FakeAllocine) -> AsyncIterator[AllocineClient]:
    async with make_client(fake_allocine) as client:
        yield client


async def find(
    engine: Engine, client: AllocineClient, query: str, **options: Any
) -> search_module.SearchResult:
    return await search(engine, client, query, settings=SETTINGS, **({"now": T0} | options))


def ids(candidates: Any) -> list[int]:
    return [c.allocine_id for c in candidates]


# --- what is sent ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "path"),
    [
        ("Amélie", "/_/autocomplete/Am%C3%A9lie"),
        ("  Le   Masque \t", "/_/autocomplete/Le%20Masque"),
        ("AC/DC live", "/_/autocomplete/AC%20DC%20live"),
        ("100 %", "/_/autocomplete/100%20%25"),
        ("%00", "/_/autocomplete/%2500"),
        ("a\x00b", "/_/autocomplete/a%20b"),
        ("../../etc/passwd", "/_/autocomplete/..%20..%20etc%20passwd"),
        # quote() gives %27; the client's URL handling (yarl) sends `'` as it is, which RFC 3986 allows
        # in a path and the site's router decodes alike.
        ("Qu'est-ce qu'on a fait ?", "/_/autocomplete/Qu'est-ce%20qu'on%20a%20fait%20%3F"),
        ("Backstage (2005)", "/_/autocomplete/Backstage"),
        ("backstage 2005", "/_/autocomplete/backstage"),
        ("1917", "/_/autocomplete/1917"),
        ("🎬 Léon", "/_/autocomplete/%F0%9F%8E%AC%20L%C3%A9on"),
        ("x" * 500, "/_/autocomplete/" + "x" * 200),
    ],
)
async def test_the_query_is_sent_percent_encoded(
    engine: Engine, fake_allocine: FakeAllocine, client: AllocineClient, query: str, path: str
) -> None:
    fake_allocine.set_page(path, '{"results": []}', content_type="application/json")
    result = await find(engine, client, query)
    assert [r.path for r in fake_allocine.requests] == [path]
    assert result.requested and result.candidates == ()
    assert URL(search_url(client.base_url, query) or "") == URL(client.base_url + path)


@pytest.mark.parametrize("query", ["", "   ", "?!…", "/", "///", "%", "🎬🍿", "\x00", "« » — ·"])
async def test_a_query_with_nothing_to_search_is_never_sent(
    engine: Engine, fake_allocine: FakeAllocine, client: AllocineClient, query: str
) -> None:
    hook: list[str] = []

    async def on_request() -> None:
        hook.append(query)

    result = await find(engine, client, query, on_request=on_request)
    assert result == search_module.SearchResult("", (), from_cache=False, requested=False)
    assert fake_allocine.requests == [] and hook == []
    assert search_query(query) == "" and search_url(client.base_url, query) is None
    assert cached_candidates(engine, query) == []


# --- what is read and how it ranks -----------------------------------------------------------------


async def test_a_promoted_first_result_does_not_win(
    engine: Engine, fake_allocine: FakeAllocine, client: AllocineClient
) -> None:
    fake_allocine.set_autocomplete("Backstage", [PROMO, MASQUE, BACKSTAGE])
    result = await find(engine, client, "Backstage")
    assert ids(result.candidates) == [57289, 110645, 1000045609]
    best = result.candidates[0]
    assert best.score == 100.0 and all(c.score < 60 for c in result.candidates[1:])
    assert best == SearchCandidate(
        kind="film",
        allocine_id=57289,
        title="Backstage",
        original_title=None,
        year=2005,
        directors=("Emmanuelle Bercot",),
        poster_url=f"{POSTER_HOST}/c_310_420/medias/nmedia/18/35/backstage.jpg",
        url=f"{client.base_url}/film/fichefilm_gen_cfilm=57289.html",
        score=100.0,
    )


async def test_odd_spacing_ranks_as_it_is_sent(
    engine: Engine, fake_allocine: FakeAllocine, client: AllocineClient
) -> None:
    fake_allocine.set_autocomplete("Backstage", [PROMO, BACKSTAGE])
    result = await find(engine, client, " " * 500 + "Backstage\x00/")
    assert ids(result.candidates) == [57289, 1000045609]


async def test_the_original_title_matches_too(
    engine: Engine, fake_allocine: FakeAllocine, client: AllocineClient
) -> None:
    fake_allocine.set_autocomplete("behind the mask", [PROMO, BACKSTAGE, MASQUE])
    result = await find(engine, client, "behind the mask")
    assert ids(result.candidates)[0] == 110645


@pytest.mark.parametrize(("query", "first"), [("Backstage (2017)", 250001), ("backstage 2005", 57289)])
async def test_a_year_typed_in_the_query_breaks_the_tie(
    engine: Engine, fake_allocine: FakeAllocine, client: AllocineClient, query: str, first: int
) -> None:
    fake_allocine.set_autocomplete("Backstage", [PROMO, BACKSTAGE, BACKSTAGE_2017])
    fake_allocine.set_autocomplete("backstage", [PROMO, BACKSTAGE, BACKSTAGE_2017])
    result = await find(engine, client, query)
    assert ids(result.candidates)[:2] == [first, 57289 + 250001 - first]
    # The year only ranks: the search without it is the same request, now cached, and ranks alike.
    other = await find(engine, client, "Backstage" if "2017" in query else "Backstage (2017)")
    assert other.from_cache and not other.requested and len(fake_allocine.requests) == 1


async def test_series_are_kept_and_persons_dropped(
    engine: Engine, fake_allocine: FakeAllocine, client: AllocineClient
) -> None:
    fake_allocine.set_autocomplete(
        "Dark",
        [
            person_result(12345, "Dark Person"),
            series_result(
                20567,
                "Dark",
                year=2017,
                creators=["Baran bo Odar", "Jantje Friese"],
                poster_path="/p/dark.jpg",
            ),
            {"entity_type": "theater", "entity_id": "P0001", "label": "Dark Cinéma"},
            movie_result(4567, "Dark Water", year=2005),
            {"entity_type": "video", "entity_id": "99", "label": "Dark (bande-annonce)"},
        ],
    )
    result = await find(engine, client, "Dark")
    assert [(c.kind, c.allocine_id) for c in result.candidates] == [("series", 20567), ("film", 4567)]
    dark = result.candidates[0]
    assert dark.directors == ("Baran bo Odar", "Jantje Friese")
    assert dark.url == f"{client.base_url}/series/ficheserie_gen_cserie=20567.html"


def test_ids_years_names_and_posters_are_read_leniently() -> None:
    answer = {
        "results": [
            movie_result("1000045609", "Dix chiffres", year="2024", directors=["A", "A", " B "]),
            movie_result("abc", "Pas un nombre"),
            movie_result("12345678901", "Onze chiffres"),
            movie_result("0", "Zéro"),
            {"entity_type": "movie", "entity_id": 42, "label": "Un nombre", "data": {"year": "2019-05-02"}},
            {"entity_type": "movie", "entity_id": "43", "original_label": "Only Original"},
            {"entity_type": "movie", "entity_id": "44"},  # no name at all: nothing to offer
            {"entity_type": "movie", "data": {"id": "45"}, "label": "Id dans data"},
            {"entity_type": "movie", "entity_id": "46", "label": "Sans data", "data": None},
            movie_result(47, "Vignette", thumbnail="https://fr.web.img2.acsta.net/r_100/v.jpg", year=True),
            movie_result(48, "Chemin douteux", poster_path="/../../secret", year=1492),
            movie_result(49, "Chemin absolu", poster_path="https://cdn.example/p.jpg", year="vers 2000"),
            movie_result(50, "Réalisateur seul", directors="Agnès Varda"),  # type: ignore[arg-type]
            {"entity_type": "movie", "entity_id": "51", "label": "Sorti", "last_release": "2021-06-09"},
            movie_result("1000045609", "Doublon"),
        ]
    }
    found = {c.allocine_id: c for c in parse_answer(json_bytes(answer), base_url="https://www.allocine.fr/")}
    assert sorted(found) == [42, 43, 45, 46, 47, 48, 49, 50, 51, 1000045609]
    ten = found[1000045609]
    assert (ten.title, ten.year, ten.directors) == ("Dix chiffres", 2024, ("A", "B"))
    assert ten.url == "https://www.allocine.fr/film/fichefilm_gen_cfilm=1000045609.html"
    assert found[42].year == 2019 and found[51].year == 2021
    assert (found[43].title, found[43].original_title) == ("Only Original", None)
    assert found[46].directors == () and found[46].poster_url is None
    assert (found[47].poster_url, found[47].year) == ("https://fr.web.img2.acsta.net/r_100/v.jpg", None)
    assert (found[48].poster_url, found[48].year) == (None, None)
    assert (found[49].poster_url, found[49].year) == ("https://cdn.example/p.jpg", None)
    assert found[50].directors == ("Agnès Varda",)


def json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b'{"results": [{"entity_type": "movie", "entity_id": "4', "json"),  # truncated
        (b"{'results': []}", "json"),
        (b"<html><body>Backstage</body></html>", "json"),
        (b"", "json"),
        (b"\xff\xfe\xfa", "json"),
        (b"[" * 100_000 + b"]" * 100_000, "json"),
        (b"{}", "shape"),
        (b"[]", "shape"),
        (b"null", "shape"),
        (b'{"results": "Backstage"}', "shape"),
        (b'{"results": [1, 2]}', "shape"),
        (b'{"results": [{"entity_type": "movie"}, null]}', "shape"),
    ],
)
def test_what_is_not_the_search_json_is_a_bad_answer(body: bytes, problem: str) -> None:
    with pytest.raises(FetchError) as caught:
        parse_answer(body, base_url="https://www.allocine.fr", url="https://www.allocine.fr/_/autocomplete/x")
    assert (caught.value.code, caught.value.params, caught.value.status) == (
        "bad_search_answer",
        {"problem": problem},
        200,
    )


def test_an_empty_results_list_is_no_match() -> None:
    assert parse_answer(b'{"results": []}', base_url="https://www.allocine.fr") == []
    assert parse_answer(b'{"results": [{"entity_type": "person"}]}', base_url="https://www.allocine.fr") == []


# --- the cache ---------------------------------------------------------------------------------------


def same_database(engine: Engine) -> Engine:
    """Another engine on `engine`'s database: what a restart makes."""
    return make_engine(engine.url.render_as_string(hide_password=False))


async def test_a_search_typed_twice_costs_one_request_across_restarts(
    engine: Engine, fake_allocine: FakeAllocine, client: AllocineClient
) -> None:
    fake_allocine.set_autocomplete("Backstage", [PROMO, BACKSTAGE])
    first = await find(engine, client, "Backstage")
    assert (first.from_cache, first.requested) == (False, True)
    again = await find(engine, client, "backstage", now=T0 + timedelta(days=6, hours=23))
    assert (again.from_cache, again.requested, again.candidates) == (True, False, first.candidates)

    restarted = same_database(engine)
    try:
        async with make_client(fake_allocine) as new_client:
            after = await find(restarted, new_client, "BACKSTAGE !", now=T0 + timedelta(days=1))
        assert after.from_cache and ids(after.candidates) == [57289, 1000045609]
        assert cached_candidates(restarted, "Backstage", now=T0) == list(first.candidates)
    finally:
        restarted.dispose()
    assert len(fake_allocine.requests) == 1

    # Past seven days the entry is stale: asked again, and kept seven days more.
    fake_allocine.set_autocomplete("Backstage", [BACKSTAGE, BACKSTAGE_2017])
    later = T0 + timedelta(days=7, seconds=1)
    assert cached_candidates(engine, "Backstage", now=later) is None
    refreshed = await find(engine, client, "Backstage", now=later)
    assert refreshed.requested and ids(refreshed.candidates) == [57289, 250001]
    assert cached_candidates(engine, "Backstage", now=later + timedelta(days=6)) is not None
    assert len(fake_allocine.requests) == 2
    with engine.connect() as conn:
        assert conn.execute(select(SEARCH_CACHE.c.query_folded)).scalars().all() == ["backstage"]


async def test_nothing_found_is_kept_one_day_then_asked_again(
    engine: Engine, fake_allocine: FakeAllocine, client: AllocineClient
) -> None:
    fake_allocine.set_autocomplete("Introuvable", [person_result(1, "Introuvable Personne")])
    assert (await find(engine, client, "Introuvable")).candidates == ()
    kept = await find(engine, client, "Introuvable", now=T0 + timedelta(hours=23))
    assert kept.from_cache and kept.candidates == ()
    assert cached_candidates(engine, "introuvable", now=T0 + timedelta(hours=23)) == []
    assert cached_candidates(engine, "introuvable", now=T0 + timedelta(days=1)) is None

    fake_allocine.set_autocomplete("Introuvable", [movie_result(77, "Introuvable", year=2025)])
    found = await find(engine, client, "Introuvable", now=T0 + timedelta(days=1, minutes=1))
    assert found.requested and ids(found.candidates) == [77]
    assert len(fake_allocine.requests) == 2


async def test_the_cache_lengths_are_settings(
    engine: Engine, fake_allocine: FakeAllocine, client: AllocineClient
) -> None:
    fake_allocine.set_autocomplete("Backstage", [BACKSTAGE])
    short = Settings(search_cache_days=0.5, search_cache_empty_days=0.1)
    await search(engine, client, "Backstage", now=T0, settings=short)
    assert cached_candidates(engine, "Backstage", now=T0 + timedelta(hours=11)) is not None
    assert cached_candidates(engine, "Backstage", now=T0 + timedelta(hours=12)) is None
    assert Settings().search_cache_days == 7 and Settings().search_cache_empty_days == 1


async def test_expired_entries_can_be_forgotten(
    engine: Engine, fake_allocine: FakeAllocine, client: AllocineClient
) -> None:
    fake_allocine.set_autocomplete("Backstage", [BACKSTAGE])
    fake_allocine.set_autocomplete("Rien", [])
    await find(engine, client, "Backstage")
    await find(engine, client, "Rien")
    assert forget_expired(engine, now=T0 + timedelta(days=2)) == 1
    assert cached_candidates(engine, "Backstage", now=T0 + timedelta(days=2)) is not None
    assert forget_expired(engine, now=T0 + timedelta(days=8)) == 1


async def test_an_unreadable_cache_entry_is_a_miss(
    engine: Engine, fake_allocine: FakeAllocine, client: AllocineClient
) -> None:
    fake_allocine.set_autocomplete("Backstage", [BACKSTAGE])
    await find(engine, client, "Backstage")
    with engine.begin() as conn:
        conn.execute(SEARCH_CACHE.update().values(results='[{"kind": "film", "another": "version"}]'))
    assert cached_candidates(engine, "Backstage", now=T0) is None
    assert (await find(engine, client, "Backstage")).requested


# --- answers that are not the search's JSON -----------------------------------------------------------


def said(error: FetchError) -> str:
    return problem_text(Problem.of(error), "site")


@pytest.mark.parametrize(
    ("answer", "content_type", "code"),
    [
        ('{"results": [{"entity_type": "movie", "entity_id": "5', "application/json", "bad_search_answer"),
        ("{results: []}", "application/json", "bad_search_answer"),
        ('{"error": "quota"}', "application/json", "bad_search_answer"),
        ("<html><body><h1>Backstage</h1></body></html>", "application/json", "bad_search_answer"),
        ("<html><body><h1>Backstage</h1></body></html>", "text/html; charset=utf-8", "not_json"),
    ],
)
async def test_a_bad_answer_is_an_error_and_never_cached(
    engine: Engine,
    fake_allocine: FakeAllocine,
    client: AllocineClient,
    answer: str,
    content_type: str,
    code: str,
) -> None:
    fake_allocine.set_autocomplete("Backstage", answer, content_type=content_type)
    with pytest.raises(FetchError) as caught:
        await find(engine, client, "Backstage")
    assert caught.value.code == code
    assert said(caught.value).startswith(("la recherche AlloCiné a répondu", "réponse refusée"))
    assert cached_candidates(engine, "Backstage", now=T0) is None

    fake_allocine.set_autocomplete("Backstage", [BACKSTAGE])  # the site is well again: asked again
    assert ids((await find(engine, client, "Backstage")).candidates) == [57289]
    assert len(fake_allocine.requests) == 2


@pytest.mark.parametrize("kind", ["moment", "attention", "denied"])
async def test_a_challenge_page_with_status_200_is_a_block(
    engine: Engine, fake_allocine: FakeAllocine, client: AllocineClient, kind: str
) -> None:
    fake_allocine.set_autocomplete("Backstage", [BACKSTAGE])
    fake_allocine.script(autocomplete_path("Backstage"), Body(challenge_html(kind).encode(), status=200))
    with pytest.raises(FetchError) as caught:
        await find(engine, client, "Backstage")
    assert (caught.value.code, caught.value.status) == ("blocked", 200)
    with pytest.raises(FetchError) as again:  # the client leaves the site alone meanwhile
        await find(engine, client, "Backstage")
    assert again.value.code == "blocked_earlier"
    assert len(fake_allocine.requests) == 1
    with engine.connect() as conn:
        assert conn.execute(select(SEARCH_CACHE)).all() == []


async def test_a_site_down_is_an_error_never_cached(
    engine: Engine, fake_allocine: FakeAllocine, client: AllocineClient
) -> None:
    fake_allocine.set_autocomplete("Backstage", [BACKSTAGE])
    fake_allocine.script(autocomplete_path("Backstage"), Status(503), Status(503))
    with pytest.raises(FetchError) as caught:
        await find(engine, client, "Backstage")
    assert (caught.value.code, caught.value.params["attempts"]) == ("site_down", 2)
    assert (await find(engine, client, "Backstage")).requested


async def test_a_failing_search_is_logged_once_per_incident(
    engine: Engine, fake_allocine: FakeAllocine, client: AllocineClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="storage.sources.search")
    fake_allocine.set_autocomplete("Backstage", "<html></html>", content_type="text/html")
    fake_allocine.set_autocomplete("Backstag", "<html></html>", content_type="text/html")
    fake_allocine.set_autocomplete("Backsta", [BACKSTAGE])
    for query in ("Backstag", "Backstage", "Backstag"):
        with pytest.raises(FetchError):
            await find(engine, client, query)
    await find(engine, client, "Backsta")
    with pytest.raises(FetchError):
        await find(engine, client, "Backstage")

    def levels() -> list[str]:
        return [r.levelname for r in caplog.records if r.name == "storage.sources.search"]

    assert levels() == ["WARNING", "DEBUG", "DEBUG", "INFO", "WARNING"]


# --- budgets and several searches at once -----------------------------------------------------------


async def test_the_request_hook_counts_requests_and_may_refuse_them(
    engine: Engine, fake_allocine: FakeAllocine, client: AllocineClient
) -> None:
    fake_allocine.set_autocomplete("Backstage", [BACKSTAGE])
    calls: list[int] = []

    async def count() -> None:
        calls.append(len(fake_allocine.requests))

    await find(engine, client, "Backstage", on_request=count)
    await find(engine, client, "Backstage", on_request=count)  # cached: not counted
    assert calls == [0]

    class Spent(Exception):
        pass

    async def refuse() -> None:
        raise Spent

    with pytest.raises(Spent):
        await find(engine, client, "Masque", on_request=refuse)
    assert len(fake_allocine.requests) == 1


async def test_the_same_search_at_once_asks_once(
    engine: Engine, fake_allocine: FakeAllocine, client: AllocineClient
) -> None:
    # One folded key: whichever search starts first sends its own spelling (the site ignores case).
    fake_allocine.set_autocomplete("Backstage", [PROMO, BACKSTAGE])
    fake_allocine.set_autocomplete("backstage", [PROMO, BACKSTAGE])
    results = await asyncio.gather(
        *(find(engine, client, q) for q in ("Backstage", "backstage", "Backstage 2005"))
    )
    assert len(fake_allocine.requests) == 1
    assert sorted(r.requested for r in results) == [False, False, True]
    assert all(ids(r.candidates)[0] == 57289 for r in results)


async def test_a_caller_giving_up_does_not_stop_the_search(
    engine: Engine, fake_allocine: FakeAllocine, client: AllocineClient
) -> None:
    fake_allocine.set_autocomplete("Backstage", [BACKSTAGE])
    fake_allocine.script(autocomplete_path("Backstage"), Delay(0.2))
    caller = asyncio.create_task(find(engine, client, "Backstage"))
    while not fake_allocine.requests:  # the request is under way …
        await asyncio.sleep(0.005)
    caller.cancel()  # … when the member types another letter
    with pytest.raises(asyncio.CancelledError):
        await caller
    for _ in range(200):  # the next keystroke finds what the first one started
        if (found := cached_candidates(engine, "Backstage", now=T0)) is not None:
            break
        await asyncio.sleep(0.01)
    assert found is not None and ids(found) == [57289]
    assert len(fake_allocine.requests) == 1
