"""What /note and /film show of a film's main page: poster, release, directors, genres, duration, link;
on Discord (the embed's thumbnail) and in the terminal (the poster's address)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine

from bot import render, terminal
from bot.answers.commands import answer_line
from bot.answers.context import AnswerContext
from bot.answers.model import Answer, web_url
from bot.wording import duration, joined
from config import get_settings
from storage.importer import import_files
from storage.pages import SiteFigures
from storage.pages.film import ParsedFilmPage
from storage.store.details import store_film_page
from storage.watchlist import load_watchlist
from tests.conftest import SAMPLES

POSTER = "https://fr.web.img6.acsta.net/c_310_420/pictures/masque.jpg"
LINK = "https://www.allocine.fr/film/fichefilm_gen_cfilm=110645.html"
PAGE = ParsedFilmPage(
    title="Derrière le masque",
    original_title="Behind the Mask: The Rise of Leslie Vernon",
    year=2006,
    release_date=date(2007, 3, 1),
    directors=("Scott Glosserman",),
    genres=("Épouvante-horreur", "Comédie", "Thriller"),
    duration_minutes=92,
    poster_url=POSTER,
    synopsis="Une équipe de télévision suit un tueur en série qui se prépare. Il leur explique tout.",
    allocine_id=110645,
    declared_ids=(110645,),
    kind="film",
    spectators=SiteFigures(average=2.3, ratings_count=158, reviews_count=39),
    press=SiteFigures(),
)


@pytest.fixture
def ctx(engine: Engine) -> AnswerContext:
    assert not import_files(engine, [SAMPLES], watchlist=load_watchlist(get_settings().watchlist)).failed
    return AnswerContext.open(engine, seed=7)


def read_page(ctx: AnswerContext, page: ParsedFilmPage = PAGE) -> None:
    now = datetime(2025, 3, 1, tzinfo=UTC)
    store_film_page(ctx.engine, page, allocine_id=110645, url=LINK, now=now)
    ctx.reload_titles()


def ask(ctx: AnswerContext, line: str) -> Answer:
    return answer_line(ctx, line, scope="test")


@pytest.mark.parametrize(
    ("minutes", "text"), [(98, "1 h 38"), (120, "2 h"), (125, "2 h 05"), (45, "45 min"), (60, "1 h")]
)
def test_durations_read_the_french_way(minutes: int, text: str) -> None:
    assert duration(minutes) == text


def test_names_are_joined_naturally() -> None:
    assert joined(()) == ""
    assert joined(("Drame",)) == "Drame"
    assert joined(("Drame", "Comédie")) == "Drame et Comédie"
    assert joined(("Drame", "Comédie", "Thriller")) == "Drame, Comédie et Thriller"


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        (POSTER, True),
        ("http://example.org/affiche.jpg", True),
        ("javascript:alert(1)", False),
        ("file:///etc/passwd", False),
        ("attachment://affiche.png", False),
        ("//fr.web.img6.acsta.net/x.jpg", False),
        ("/pictures/x.jpg", False),
        ("https://", False),
        ("https://exa mple.org/x.jpg", False),
        ("https://example.org/x.jpg\n", False),
        ("https://example.org/" + "x" * 3000, False),
        ("", False),
        (None, False),
    ],
)
def test_only_http_addresses_go_into_embeds(url: str | None, kept: bool) -> None:
    assert (web_url(url) is not None) is kept
    embed = render.embed(Answer(title="Film", url=url, thumbnail=url))
    assert ("thumbnail" in embed) is kept and ("url" in embed) is kept
    if kept:
        assert embed["thumbnail"] == {"url": url} and embed["url"] == url
    assert ("Affiche :" in terminal.to_text(Answer(title="Film", thumbnail=url))) is kept


def test_note_shows_the_poster_and_the_film_facts(ctx: AnswerContext) -> None:
    read_page(ctx)
    answer = ask(ctx, "/note Derrière le masque")
    assert answer.thumbnail == POSTER and answer.url == LINK
    lines = answer.description.splitlines()
    assert lines[0] == "Sortie : 1er mars 2007 · Épouvante-horreur, Comédie et Thriller · 1 h 32"
    assert lines[1] == "Réalisé par Scott Glosserman"
    assert "**2,3/5**" in answer.description  # the figures still follow
    embed = render.embed(answer)
    assert embed["thumbnail"] == {"url": POSTER} and embed["url"] == LINK
    text = terminal.to_text(answer)
    assert "Réalisé par Scott Glosserman" in text and "1 h 32" in text
    assert f"Affiche : {POSTER}" in text and LINK in text


def test_film_shows_the_film_card(ctx: AnswerContext) -> None:
    read_page(ctx)
    answer = ask(ctx, "/film derriere le masque")
    assert answer.title == "Derrière le masque (2006)" and answer.thumbnail == POSTER
    assert "Réalisé par Scott Glosserman" in answer.description
    assert "Une équipe de télévision suit un tueur en série" in answer.description
    assert "2,3/5" in answer.description
    assert f"Affiche : {POSTER}" in terminal.to_text(answer)


def test_a_film_without_its_main_page_shows_no_facts_and_no_poster(ctx: AnswerContext) -> None:
    answer = ask(ctx, "/note Derrière le masque")
    assert answer.thumbnail is None and "thumbnail" not in render.embed(answer)
    assert "Réalisé par" not in answer.description and "Affiche" not in terminal.to_text(answer)


def test_a_poster_that_is_no_web_address_is_never_shown(ctx: AnswerContext) -> None:
    read_page(ctx, replace(PAGE, poster_url="javascript:alert(1)", genres=("Drame",), duration_minutes=None))
    answer = ask(ctx, "/note Derrière le masque")
    assert answer.thumbnail is None and "thumbnail" not in render.embed(answer)
    assert answer.description.splitlines()[0] == "Sortie : 1er mars 2007 · Drame"


def test_a_series_names_its_creators_and_names_are_shown_literally(ctx: AnswerContext) -> None:
    read_page(ctx, replace(PAGE, kind="series", directors=("**Gras**", "@everyone")))
    answer = ask(ctx, "/note Derrière le masque")
    assert "Créé par \\*\\*Gras\\*\\* et @\u200beveryone" in answer.description
