"""A film's main page: the two real saved pages read exactly as expected.json says, and the fake site's
pages (invented values, both real shapes, with and without JSON-LD) read back what built them."""

from __future__ import annotations

import contextlib
import json
import random
import re
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.pages import PageError, SiteFigures
from storage.pages.film import SYNOPSIS_LENGTH, ParsedFilmPage, parse_film_page
from storage.pages.model import PageTooSlow
from tests.doubles.fakeallocine import challenge_html, film_html, press_html, series_html, spectator_html

REAL_PAGES = Path(__file__).resolve().parents[2] / ".." / "shared" / "realpages" / "html"
needs_real_pages = pytest.mark.skipif(
    not (REAL_PAGES / "expected.json").exists(), reason="the real pages are not beside the project"
)
REAL_FILM_PAGES = ["fichefilm_275220_2020.html", "fichefilm_275220_2024.html"]

ID = 1000045609  # ten digits, as newer films have
SYNOPSIS = (
    "Sur une île bretonne, une gardienne de phare voit revenir son frère disparu. "
    "Mais le revenant ne se souvient de rien…\nUn premier long métrage tourné en plein hiver."
)
DETAILS: dict[str, Any] = {
    "original_title": "The Lighthouse Shadows",
    "release": date(2019, 3, 6),
    "directors": ["Camille Rivaud", "Jonas Peyre"],
    "writers": ["Élise Marchand"],
    "genres": ["Drame", "Thriller"],
    "duration_minutes": 97,
    "poster_url": "https://images.example.org/pictures/19/02/01/ombres.jpg",
    "synopsis": SYNOPSIS,
    "spectators": {"average": 3.4, "ratings_count": 1234, "reviews_count": 56},
    "press": {"average": 3.8, "reviews_count": 17},
}
EXPECTED = ParsedFilmPage(
    title="Les Ombres du phare",
    original_title="The Lighthouse Shadows",
    year=2019,
    release_date=date(2019, 3, 6),
    directors=("Camille Rivaud", "Jonas Peyre"),
    genres=("Drame", "Thriller"),
    duration_minutes=97,
    poster_url="https://images.example.org/pictures/19/02/01/ombres.jpg",
    synopsis=SYNOPSIS.replace("\n", " "),
    allocine_id=ID,
    declared_ids=(ID,),
    kind="film",
    spectators=SiteFigures(average=3.4, ratings_count=1234, reviews_count=56),
    press=SiteFigures(average=3.8, reviews_count=17),
)
SHAPES = ["2020", "2024"]


def _page(shape: str = "2024", **changes: Any) -> str:
    return film_html("Les Ombres du phare", allocine_id=ID, shape=shape, **{**DETAILS, **changes})


# --- the real pages ----------------------------------------------------------------------------------


def _real(name: str) -> str:
    return (REAL_PAGES / name).read_text(encoding="utf-8")


def _without_json_ld(page: str) -> str:
    return re.sub(r'<script type="application/ld\+json">.*?</script>', "", page, flags=re.DOTALL)


@needs_real_pages
@pytest.mark.parametrize("name", REAL_FILM_PAGES)
def test_the_real_pages_read_as_expected_json_says(name: str) -> None:
    expected = json.loads((REAL_PAGES / "expected.json").read_text(encoding="utf-8"))[name]
    page = parse_film_page(_real(name), allocine_id=expected["allocine_id"])
    read: dict[str, Any] = {
        "allocine_id": page.allocine_id,
        "title": page.title,
        "original_title": page.original_title,
        "year": page.year,
        "release_date": page.release_date.isoformat() if page.release_date else None,
        "directors": list(page.directors),
        "genres": list(page.genres),
        "duration_minutes": page.duration_minutes,
        "poster": page.poster_url,
        "spectators": {
            "average": page.spectators.average,
            "ratings_count": page.spectators.ratings_count,
            "reviews_count": page.spectators.reviews_count,
        },
        "press": {"average": page.press.average, "reviews_count": page.press.reviews_count},
    }
    compared = [key for key in expected if key != "kind"]
    assert set(compared) <= set(read), "expected.json holds a field the test does not compare"
    for key in compared:
        assert read[key] == expected[key], key
    assert page.kind == "film" and page.declared_ids == (275220,)
    assert page.synopsis is not None and page.synopsis.startswith("Dans ce film post-apocalyptique")
    assert page.synopsis.endswith("imminente…") and len(page.synopsis) <= SYNOPSIS_LENGTH


@needs_real_pages
@pytest.mark.parametrize("name", REAL_FILM_PAGES)
def test_the_real_pages_markup_alone_gives_the_same_figures(name: str) -> None:
    with_ld = parse_film_page(_real(name))
    markup = parse_film_page(_without_json_ld(_real(name)))
    assert (markup.spectators, markup.press) == (with_ld.spectators, with_ld.press)
    assert (markup.title, markup.original_title, markup.year) == (with_ld.title, "The Midnight Sky", 2020)
    assert (markup.directors, markup.genres) == (with_ld.directors, with_ld.genres)
    assert markup.release_date == date(2020, 12, 23)


@needs_real_pages
def test_a_real_list_page_is_no_films_page() -> None:
    with pytest.raises(PageError):
        parse_film_page(_real("films_populaires_2024.html"))


@needs_real_pages
def test_a_real_page_asked_for_another_film_is_refused() -> None:
    with pytest.raises(PageError, match="275220"):
        parse_film_page(_real(REAL_FILM_PAGES[1]), allocine_id=275221)


# --- the fake site's pages -------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("json_ld", [True, False], ids=["json-ld", "markup"])
@pytest.mark.parametrize("friends_between", [False, True], ids=["friends-after", "friends-between"])
def test_both_shapes_read_back_what_built_them(shape: str, json_ld: bool, friends_between: bool) -> None:
    page = parse_film_page(_page(shape, json_ld=json_ld, friends_between=friends_between), allocine_id=ID)
    assert page == EXPECTED


@pytest.mark.parametrize("shape", SHAPES)
def test_the_friends_block_between_is_never_read_as_spectators(shape: str) -> None:
    spectators = {"average": None, "ratings_count": 2, "reviews_count": 0}
    page = parse_film_page(_page(shape, json_ld=False, friends_between=True, spectators=spectators))
    assert page.spectators == SiteFigures(average=None, ratings_count=2, reviews_count=0)
    assert page.press == SiteFigures(average=3.8, reviews_count=17)  # the friends' 3,5 is read by no one


@pytest.mark.parametrize("decimal", [",", "."])
def test_json_ld_averages_with_a_comma_or_a_dot(decimal: str) -> None:
    page = parse_film_page(_page(json_decimal=decimal))
    assert page.spectators.average == 3.4


def test_json_ld_comes_before_the_markup() -> None:
    html = _page().replace('<span class="stareval-note">3,4</span>', '<span class="stareval-note">1,0</span>')
    assert parse_film_page(html).spectators.average == 3.4
    assert parse_film_page(_without_json_ld(html)).spectators.average == 1.0


@pytest.mark.parametrize("shape", SHAPES)
def test_missing_pieces_are_tolerated(shape: str) -> None:
    page = parse_film_page(film_html("Sans rien", allocine_id=7, shape=shape, json_ld=False))
    assert page == ParsedFilmPage(
        title="Sans rien",
        original_title=None,
        year=None,
        release_date=None,
        directors=(),
        genres=(),
        duration_minutes=None,
        poster_url=None,
        synopsis=None,
        allocine_id=7,
        declared_ids=(7,),
        kind="film",
        spectators=SiteFigures(),
        press=SiteFigures(),
    )


@pytest.mark.parametrize("shape", SHAPES)
def test_no_press_block_takes_nothing_from_a_recommended_film(shape: str) -> None:
    # The fake page recommends another film whose Presse block (4,5) comes after the header.
    page = parse_film_page(_page(shape, press=None))
    assert page.press == SiteFigures() and page.spectators.average == 3.4


def test_the_writers_par_are_not_directors() -> None:
    page = parse_film_page(_page(json_ld=False, directors=[], writers=["Élise Marchand"]))
    assert page.directors == ()


def test_dates_in_words_give_a_year_without_a_day() -> None:
    page = parse_film_page(film_html("Vieux film", allocine_id=8, release="juin 1960", json_ld=False))
    assert (page.release_date, page.year) == (None, 1960)
    unknown = parse_film_page(film_html("Inédit", allocine_id=9, release="Date de sortie inconnue"))
    assert (unknown.release_date, unknown.year) == (None, None)


@pytest.mark.parametrize("json_ld", [True, False], ids=["json-ld", "markup"])
def test_a_series_page(json_ld: bool) -> None:
    html = series_html(
        "La Baie des brumes",
        allocine_id=261,
        creators=["Nora Delval"],
        release="2019 - 2023",
        genres=["Policier"],
        spectators={"average": 4.1, "ratings_count": 88, "reviews_count": 9},
        json_ld=json_ld,
    )
    page = parse_film_page(html, allocine_id=261)
    assert (page.kind, page.year, page.directors, page.genres) == (
        "series",
        2019,
        ("Nora Delval",),
        ("Policier",),
    )
    assert page.spectators == SiteFigures(average=4.1, ratings_count=88, reviews_count=9)
    assert page.press == SiteFigures()


def test_a_long_synopsis_is_cut_at_a_sentence() -> None:
    sentence = "Une phrase inventée qui dure un peu, pour remplir l'espace du résumé. "
    page = parse_film_page(_page(synopsis=sentence * 10))
    assert page.synopsis is not None and len(page.synopsis) <= SYNOPSIS_LENGTH
    assert page.synopsis.endswith("résumé.") and page.synopsis == (sentence * 4).strip()


def test_a_synopsis_of_one_long_sentence_is_cut_at_a_word() -> None:
    page = parse_film_page(_page(synopsis="mot " * 200))
    assert page.synopsis is not None and len(page.synopsis) <= SYNOPSIS_LENGTH
    assert page.synopsis.endswith("mot…")


def test_a_page_declaring_another_film_is_refused() -> None:
    with pytest.raises(PageError, match=str(ID)):
        parse_film_page(_page(), allocine_id=42)


@pytest.mark.parametrize(
    "html",
    [
        spectator_html(
            "Les Ombres du phare", average=3.4, ratings_count=1, reviews_count=0, histogram={}, reviews=[]
        ),
        press_html("Les Ombres du phare", reviews=[{"outlet": "Le Journal", "quote": "Bien."}]),
        challenge_html("moment"),
        "<html><body></body></html>",
        "Les Ombres du phare\nNote moyenne 3,4",
        "",
        "   ",
    ],
    ids=["spectators", "press", "challenge", "empty-body", "text", "empty", "spaces"],
)
def test_what_is_not_a_films_main_page_is_a_page_error(html: str) -> None:
    with pytest.raises(PageError):
        parse_film_page(html)


def test_a_page_without_any_title_is_a_page_error() -> None:
    html = '<html><body id="allocine__moviepage"><main id="content-layout"></main></body></html>'
    with pytest.raises(PageError, match="titre"):
        parse_film_page(html)


# --- hostile input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "filler",
    [
        '<span class="light">De</span>' * 20_000,
        '<span class="rating-title"> Presse </span><span class="stareval-note">2,4</span>' * 8_000,
        "<div>" * 20_000,
        '<span class="ACrL2ZACrpbG1zL2dlbnJlLTEzMDA4Lw==">Drame</span>' * 12_000,
        "2h " * 100_000,
    ],
    ids=["labels", "rating-blocks", "nesting", "genres", "durations"],
)
def test_reading_takes_linear_time(filler: str) -> None:
    html = _page().replace('<div class="meta-body">', f'<div class="meta-body"><div class="x">{filler}</div>')
    started = time.monotonic()
    with contextlib.suppress(PageError):
        parse_film_page(html)
    assert time.monotonic() - started < 10.0  # under 1 MB each; quadratic work would take minutes


def test_a_page_past_its_time_limit_is_refused() -> None:
    with pytest.raises(PageTooSlow):
        parse_film_page(_page(), seconds=0.0)


@pytest.mark.parametrize("json_ld", [True, False], ids=["json-ld", "markup"])
def test_control_characters_never_leave_the_parser(json_ld: bool) -> None:
    page = parse_film_page(
        _page(json_ld=json_ld, directors=["Camille\x00 Rivaud"], original_title="The\x07 Lighthouse"),
        allocine_id=ID,
    )
    assert (page.title, page.directors, page.original_title) == (
        "Les Ombres du phare",
        ("Camille Rivaud",),
        "The Lighthouse",
    )


FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SEEDS = [_page(shape, json_ld=ld) for shape in SHAPES for ld in (True, False)]


@st.composite
def _mutated(draw: st.DrawFn) -> str:
    lines = draw(st.sampled_from(SEEDS)).split("\n")
    rng = random.Random(draw(st.integers(0, 2**32)))
    for _ in range(draw(st.integers(1, 12))):
        i = rng.randrange(len(lines))
        action = rng.choice(["delete", "duplicate", "swap", "blank", "cut", "noise"])
        if action == "delete":
            del lines[i]
        elif action == "duplicate":
            lines.insert(i, lines[i])
        elif action == "swap":
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif action == "blank":
            lines[i] = ""
        elif action == "cut":
            lines[i] = lines[i][: rng.randrange(len(lines[i]) + 1)]
        else:
            lines[i] = draw(st.text(max_size=40))
        if not lines:
            break
    if draw(st.booleans()):
        lines = lines[: rng.randrange(len(lines) + 1)]
    return "\n".join(lines)


@FUZZ
@given(_mutated())
def test_mutated_pages_read_or_raise_page_error(html: str) -> None:
    try:
        page = parse_film_page(html)
    except PageError:
        return
    assert isinstance(page, ParsedFilmPage) and page.title
    for figures in (page.spectators, page.press):
        assert figures.average is None or 0 <= figures.average <= 5


@FUZZ
@given(st.text(max_size=300))
def test_any_text_reads_or_raises_page_error(text: str) -> None:
    with contextlib.suppress(PageError):
        parse_film_page('<body id="allocine__moviepage">' + text)
