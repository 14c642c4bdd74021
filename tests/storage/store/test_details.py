"""A film's main page stored: details and figures under the one film identity, idempotent, newer pages
update; what the answers read back (storage.queries.film_stats)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from storage.db.tables import ALIAS, FILM, SNAPSHOT, SOURCE
from storage.pages import ParsedPressPage, ParsedSpectatorPage, SiteFigures, SpectatorReview, decode
from storage.pages.film import ParsedFilmPage, parse_film_page
from storage.queries import film_stats
from storage.sources.allocine import AllocineClient
from storage.store import FilmHint, store_film_page, store_page
from tests.doubles.fakeallocine import FakeAllocine, film_html

NOW = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
ID = 1000045609
URL = f"https://www.allocine.fr/film/fichefilm_gen_cfilm={ID}.html"
DETAILS: dict[str, Any] = {
    "original_title": "The Lighthouse Shadows",
    "release": date(2019, 3, 6),
    "directors": ["Camille Rivaud", "Jonas Peyre"],
    "genres": ["Drame", "Thriller"],
    "duration_minutes": 97,
    "poster_url": "https://images.example.org/pictures/19/02/01/ombres.jpg",
    "synopsis": "Une gardienne de phare voit revenir son frère disparu.",
    "spectators": {"average": 3.4, "ratings_count": 1234, "reviews_count": 56},
    "press": {"average": 3.8, "reviews_count": 17},
}


def _parsed(shape: str = "2024", **changes: Any) -> tuple[ParsedFilmPage, str]:
    html = film_html("Les Ombres du phare", allocine_id=ID, shape=shape, **{**DETAILS, **changes})
    return parse_film_page(html, allocine_id=ID), html


def _rows(engine: Engine) -> dict[str, Any]:
    """Everything a film page writes, to compare before and after."""
    with engine.connect() as conn:
        return {
            "films": [dict(r._mapping) for r in conn.execute(select(FILM).order_by(FILM.c.id))],
            "aliases": sorted(tuple(r) for r in conn.execute(select(ALIAS.c.film_id, ALIAS.c.alias))),
            "sources": conn.scalar(select(func.count()).select_from(SOURCE)),
            "snapshots": sorted(
                tuple(r)
                for r in conn.execute(select(SNAPSHOT.c.kind, SNAPSHOT.c.average, SNAPSHOT.c.reviews_count))
            ),
        }


@pytest.mark.parametrize("shape", ["2020", "2024"])
def test_a_film_page_is_stored_with_its_details_and_figures(engine: Engine, shape: str) -> None:
    parsed, html = _parsed(shape)
    film = store_film_page(engine, parsed, allocine_id=ID, url=URL, now=NOW, raw=html)
    assert film.created and film.title == "Les Ombres du phare"

    stats = film_stats(engine, film.id)
    assert (stats.title, stats.year, stats.allocine_id, stats.url) == ("Les Ombres du phare", 2019, ID, URL)
    assert stats.original_title == "The Lighthouse Shadows"
    assert (stats.kind, stats.release_date, stats.duration_minutes) == ("film", date(2019, 3, 6), 97)
    assert stats.directors == ("Camille Rivaud", "Jonas Peyre") and stats.genres == ("Drame", "Thriller")
    assert stats.poster_url == DETAILS["poster_url"] and stats.synopsis == DETAILS["synopsis"]
    assert stats.details_at is not None and stats.details_at.replace(tzinfo=UTC) == NOW
    assert (stats.site_average, stats.site_ratings_count, stats.site_reviews_count) == (3.4, 1234, 56)
    assert (stats.site_press_average, stats.site_press_count) == (3.8, 17)
    json_data = stats.as_json()
    assert json_data["directors"] == ["Camille Rivaud", "Jonas Peyre"]
    assert json_data["release_date"] == "2019-03-06"
    json.dumps(json_data)  # what `critibot film --json` prints

    with engine.connect() as conn:
        row = conn.execute(select(FILM).where(FILM.c.id == film.id)).one()
        kinds = conn.execute(select(SNAPSHOT.c.kind).where(SNAPSHOT.c.film_id == film.id)).scalars().all()
        page_kind = conn.scalar(select(SOURCE.c.page_kind).where(SOURCE.c.film_id == film.id))
    assert json.loads(row.directors) == ["Camille Rivaud", "Jonas Peyre"]  # JSON lists in text columns
    assert json.loads(row.genres) == ["Drame", "Thriller"]
    assert (row.site_average, row.site_ratings_count, row.site_reviews_count) == (3.4, 1234, 56)
    assert row.site_press_average == 3.8
    assert sorted(kinds) == ["presse", "spectateurs"] and page_kind == "fiche"


@pytest.mark.parametrize("with_raw", [True, False], ids=["raw", "parsed-only"])
def test_storing_the_same_page_again_changes_nothing(engine: Engine, with_raw: bool) -> None:
    parsed, html = _parsed()
    raw = html if with_raw else None
    first = store_film_page(engine, parsed, allocine_id=ID, url=URL, now=NOW, raw=raw)
    stored = _rows(engine)
    again = store_film_page(engine, parsed, allocine_id=ID, url=URL, now=NOW, raw=raw)
    assert (again.id, again.created) == (first.id, False)
    assert _rows(engine) == stored

    # Read again later: only the time it was read moves.
    later = NOW + timedelta(days=1)
    store_film_page(engine, parsed, allocine_id=ID, url=URL, now=later, raw=raw)
    moved = _rows(engine)
    assert moved["films"][0].pop("details_at").replace(tzinfo=UTC) == later
    stored["films"][0].pop("details_at")
    assert moved == stored


def test_a_newer_page_updates_the_film(engine: Engine) -> None:
    parsed, html = _parsed()
    film = store_film_page(engine, parsed, allocine_id=ID, url=URL, now=NOW, raw=html)
    newer, newer_html = _parsed(
        spectators={"average": 3.6, "ratings_count": 1500, "reviews_count": 70},
        press={"average": 3.9, "reviews_count": 18},
        genres=["Drame", "Thriller", "Fantastique"],
        synopsis=None,  # no longer shown: the known synopsis stays
        poster_url="https://images.example.org/pictures/25/01/01/ombres-affiche.jpg",
    )
    later = NOW + timedelta(days=7)
    again = store_film_page(engine, newer, allocine_id=ID, url=URL, now=later, raw=newer_html)
    assert again.id == film.id

    stats = film_stats(engine, film.id)
    assert (stats.site_average, stats.site_ratings_count, stats.site_reviews_count) == (3.6, 1500, 70)
    assert (stats.site_press_average, stats.site_press_count) == (3.9, 18)
    assert stats.genres == ("Drame", "Thriller", "Fantastique")
    assert stats.poster_url == "https://images.example.org/pictures/25/01/01/ombres-affiche.jpg"
    assert stats.synopsis == DETAILS["synopsis"]
    assert stats.figures_at is not None and stats.figures_at.replace(tzinfo=UTC) == later
    assert _rows(engine)["snapshots"] == [
        ("presse", 3.8, 17),
        ("presse", 3.9, 18),
        ("spectateurs", 3.4, 56),
        ("spectateurs", 3.6, 70),
    ]


def test_a_film_known_from_its_reviews_gets_its_details(engine: Engine) -> None:
    review = SpectatorReview(author="Zoé", rating=4.0, published=date(2025, 1, 2), text="Beau.")
    reviews = ParsedSpectatorPage(
        title="Les Ombres du phare", figures=SiteFigures(average=3.3, ratings_count=1200), reviews=[review]
    )
    known = store_page(engine, reviews, location="inbox", raw="avis", hint=FilmHint(year=2019), now=NOW)

    parsed, html = _parsed()
    film = store_film_page(engine, parsed, allocine_id=ID, url=URL, now=NOW + timedelta(hours=1), raw=html)
    assert (film.id, film.created) == (known.film_id, False)
    stats = film_stats(engine, film.id)
    assert (stats.allocine_id, stats.directors, stats.spectator_reviews) == (ID, parsed.directors, 1)
    assert stats.site_average == 3.4  # the newest page's


def test_a_film_known_by_its_original_title_takes_its_french_one(engine: Engine) -> None:
    review = SpectatorReview(author="Zoé", rating=4.0, published=date(2025, 1, 2), text="Beau.")
    original = ParsedSpectatorPage(title="The Lighthouse Shadows", figures=SiteFigures(), reviews=[review])
    known = store_page(engine, original, location="inbox", raw="avis", now=NOW)
    parsed, html = _parsed()
    film = store_film_page(engine, parsed, allocine_id=ID, url=URL, now=NOW, raw=html)
    assert film.id == known.film_id and film_stats(engine, film.id).title == "Les Ombres du phare"


def test_missing_details_are_stored_as_unknown(engine: Engine) -> None:
    bare = parse_film_page(film_html("Sans rien", allocine_id=7, json_ld=False))
    film = store_film_page(engine, bare, allocine_id=7, url="https://www.allocine.fr/x", now=NOW)
    stats = film_stats(engine, film.id)
    assert (stats.kind, stats.directors, stats.genres, stats.release_date, stats.poster_url) == (
        "film",
        (),
        (),
        None,
        None,
    )
    assert (stats.site_average, stats.site_press_average, stats.figures_at) == (None, None, None)
    assert stats.details_at is not None


def test_a_series_is_stored_as_a_series(engine: Engine) -> None:
    parsed, _ = _parsed()
    series = replace(parsed, kind="series", title="La Baie des brumes", original_title=None)
    film = store_film_page(engine, series, allocine_id=ID, url=URL, now=NOW)
    assert film_stats(engine, film.id).kind == "series"


def test_a_page_of_another_id_is_refused_and_stores_nothing(engine: Engine) -> None:
    parsed, _ = _parsed()
    with pytest.raises(ValueError, match=str(ID)):
        store_film_page(engine, parsed, allocine_id=42, url=URL, now=NOW)
    assert _rows(engine)["films"] == []


async def test_a_film_page_served_by_the_fake_site_is_read_and_stored(
    engine: Engine, fake_allocine: FakeAllocine
) -> None:
    path = f"/film/fichefilm_gen_cfilm={ID}.html"
    fake_allocine.set_page(path, film_html("Les Ombres du phare", allocine_id=ID, shape="2020", **DETAILS))
    options: dict[str, Any] = {"user_agent": "critibot-tests", "delay": 0.0, "timeout": 5.0, "retries": 0}
    async with AllocineClient(fake_allocine.base_url, **options) as client:
        fetched = await client.fetch(fake_allocine.base_url + path)
    assert fetched.body is not None
    parsed = parse_film_page(decode(fetched.body), allocine_id=ID)
    film = store_film_page(engine, parsed, allocine_id=ID, url=fetched.url, now=NOW, raw=fetched.body)
    stats = film_stats(engine, film.id)
    assert (stats.title, stats.site_average, stats.site_press_count) == ("Les Ombres du phare", 3.4, 17)


def test_a_main_page_read_after_the_reviews_keeps_the_histogram(engine: Engine) -> None:
    """The main page has the figures but no histogram: /note keeps the last one a reviews page gave."""
    reviews = ParsedSpectatorPage(
        title="Les Ombres du phare",
        figures=SiteFigures(
            average=3.4, ratings_count=1200, reviews_count=2, histogram={"5": 1, "4": 0, "3": 1}
        ),
        reviews=[SpectatorReview(author="Lise", rating=5.0, published=None, text="Superbe.")],
    )
    hint = FilmHint(title="Les Ombres du phare", allocine_id=ID)
    store_page(engine, reviews, location="p1", raw="p1", hint=hint, now=NOW)
    parsed, html = _parsed()
    film = store_film_page(engine, parsed, allocine_id=ID, url=URL, now=NOW + timedelta(hours=1), raw=html)
    stats = film_stats(engine, film.id)
    assert stats.histogram is not None and stats.histogram["5"] == 1
    assert (stats.site_average, stats.site_ratings_count) == (3.4, 1234)  # the newer page's figures


def test_a_press_page_without_an_average_keeps_the_main_pages(engine: Engine) -> None:
    """Press pages often show only how many outlets wrote (no ratings): the main page's press average
    must survive them, whatever order the pages come in."""
    parsed, html = _parsed()
    film = store_film_page(engine, parsed, allocine_id=ID, url=URL, now=NOW, raw=html)
    press = ParsedPressPage(title="Les Ombres du phare", figures=SiteFigures(reviews_count=17), reviews=[])
    hint = FilmHint(title="Les Ombres du phare", allocine_id=ID)
    store_page(engine, press, location="presse", raw="presse", hint=hint, now=NOW + timedelta(hours=1))
    assert film_stats(engine, film.id).site_press_average == 3.8
