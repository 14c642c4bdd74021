"""Pages that are not one film's reviews are recognised as what they are, however the dump is laid out,
and review pages that merely mention such words are still read."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from storage.pages import NotFilmReviews, ParsedOutletPage, ParsedPressPage, ParsedSpectatorPage
from storage.pages.text import parse_text
from storage.problems import Problem
from tests.pages.test_layouts import ALL, TODAY, TODAY_CARDS, cards

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "text"
PAGES = {
    "film_main_page.txt": "film_main_page",
    "film_list_page.txt": "film_list_page",
    "series_spectators.txt": "series_page",
}


@pytest.mark.parametrize("transform", ALL.values(), ids=ALL.keys())
@pytest.mark.parametrize(("name", "code"), PAGES.items(), ids=PAGES.keys())
def test_recognised(transform: Callable[[str], str], name: str, code: str) -> None:
    with pytest.raises(NotFilmReviews) as refused:
        parse_text(transform((FIXTURES / name).read_text(encoding="utf-8")))
    assert refused.value.code == code
    assert Problem.of(refused.value).code == code


def test_series_page_by_its_season_line_alone() -> None:
    text = (FIXTURES / "series_spectators.txt").read_text(encoding="utf-8")
    with pytest.raises(NotFilmReviews, match="série"):
        parse_text(text.replace("    Critique de la série\n", ""))


def test_main_page_without_its_snippets() -> None:
    text = (FIXTURES / "film_main_page.txt").read_text(encoding="utf-8")
    with pytest.raises(NotFilmReviews) as refused:
        parse_text(text[: text.index("Critiques Spectateurs")])
    assert refused.value.code == "film_main_page"


def test_outlet_page_is_still_read_apart() -> None:
    page = parse_text((FIXTURES / "outlet_le_figaro.txt").read_text(encoding="utf-8"))
    assert isinstance(page, ParsedOutletPage)


WORDS_IN_A_REVIEW = [
    "Synopsis",
    "Date de sortie 12 mars 2021",
    "Presse\n3,5",
    "Les films les plus populaires de l'année",
]


@pytest.mark.parametrize("words", WORDS_IN_A_REVIEW)
def test_a_review_page_mentioning_those_words_is_read(words: str) -> None:
    text = TODAY.replace("    Beau film. Je mets 4,5", f"    {words}\n    Beau film. Je mets 4,5")
    page = parse_text(text)
    assert isinstance(page, ParsedSpectatorPage)
    assert len(cards(page)) == len(TODAY_CARDS)


SERIES = (FIXTURES / "series_spectators.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("transform", ALL.values(), ids=ALL.keys())
def test_series_page_by_its_two_tabs_alone(transform: Callable[[str], str]) -> None:
    text = SERIES.replace("    Critique de la série\n", "").replace("    (A propos de la saison 2)\n", "")
    text = transform(text)
    with pytest.raises(NotFilmReviews) as refused:
        parse_text(text)
    assert refused.value.code == "series_page"
    line = refused.value.line
    assert line is not None and text.splitlines()[line - 1].split() == ["Critiques", "spectateurs"]


def test_series_page_by_a_tab_bar_with_seasons() -> None:
    text = SERIES.replace("    Critique de la série\n", "").replace("    (A propos de la saison 2)\n", "")
    text = text.replace(
        "    Critiques spectateurs\n    Critiques presse\n", "    Saisons Épisodes Critiques spectateurs\n"
    )
    with pytest.raises(NotFilmReviews, match="série"):
        parse_text(text)


def test_a_films_tab_bar_line_by_line_is_not_a_series() -> None:
    tabs = "".join(
        f"    {tab}\n"
        for tab in ["Séances", "Casting", "Critiques spectateurs", "Critiques presse", "Photos"]
    )
    page = parse_text(TODAY.replace("    Note moyenne\n", tabs + "    Note moyenne\n", 1))
    assert isinstance(page, ParsedSpectatorPage)
    assert page.title == "La Maison des glycines"
    assert cards(page) == TODAY_CARDS


MAIN = (FIXTURES / "film_main_page.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "kept",
    [
        ("Synopsis", "Lire plus"),  # the synopsis and the snippets
        ("Titre original", "Lire plus"),
        ("Presse", "Lire plus"),  # the averages and the snippets
        ("Date de sortie", "Presse"),
    ],
    ids=str,
)
def test_main_page_by_any_two_of_its_traits(kept: tuple[str, str]) -> None:
    traits = {
        "Date de sortie": "Date de sortie 12 octobre 2016 en salle | 1h 52min | Drame, Thriller\n",
        "Titre original": "Titre original Dawn Watchers\n",
        "Presse": "Presse\n3,5\nSpectateurs\n3,6\n",
        "Synopsis": "Synopsis\n",
        "Lire plus": "Lire plus\n",
    }
    text = MAIN
    for trait, lines in traits.items():
        if trait not in kept:
            text = text.replace(lines, "")
    with pytest.raises(NotFilmReviews) as refused:
        parse_text(text)
    assert refused.value.code == "film_main_page"


def test_the_browsers_title_kept_in_a_dump_gives_the_film() -> None:
    text = TODAY.replace("    Votre avis sur La Maison des glycines ?\n", "").replace(
        "    La Maison des glycines\n",
        "    Critiques spectateurs du film La Maison des glycines - AlloCiné\n",
    )
    page = parse_text(text)
    assert isinstance(page, ParsedSpectatorPage) and page.title == "La Maison des glycines"


ENTITY_CARD = (
    "Date de sortie 3 mars 2021 | 1h 40min | Comédie dramatique\nDe Lucie Morand\nAvec Anna Vidal\n"
    "Presse\n3,2\nSpectateurs\n3,4\n"
)


@pytest.mark.parametrize("transform", ALL.values(), ids=ALL.keys())
def test_a_later_review_page_under_the_films_details_is_read(transform: Callable[[str], str]) -> None:
    """A review page may show the film's card (details, both averages) above whole reviews: it is one
    film's reviews, not its main page, even without its own figures."""
    later = (FIXTURES / "spectators_later_page.txt").read_text(encoding="utf-8")
    page = parse_text(transform("La Maison des glycines\n" + ENTITY_CARD + later))
    assert isinstance(page, ParsedSpectatorPage)
    assert len(page.reviews) == 4


def test_a_review_that_trails_off_is_not_a_snippet() -> None:
    later = (FIXTURES / "spectators_later_page.txt").read_text(encoding="utf-8")
    later = later.replace("Rien à sauver, hélas.", "Rien à sauver...\nLire plus")
    page = parse_text("La Maison des glycines\n" + ENTITY_CARD + later)
    assert isinstance(page, ParsedSpectatorPage)
    assert page.reviews[-1].text == "Rien à sauver..."


def test_a_press_page_of_one_entry_before_the_sites_links_is_read() -> None:
    """`Les meilleurs films de tous les temps` near the top is the footer of a short page, not a list."""
    text = (
        "Chaque magazine ou journal ayant son propre système de notation, toutes les notes attribuées sont "
        "remises au barême de AlloCiné, de 1 à 5 étoiles.\nCiné Passion\npar Marc Tessier\n"
        "Joliment écrit, mais le dernier acte s'étire.\nLes meilleurs films de tous les temps\nBack to Top\n"
    )
    page = parse_text(text)
    assert isinstance(page, ParsedPressPage)
    assert [(r.outlet, r.critic, r.quote) for r in page.reviews] == [
        ("Ciné Passion", "Marc Tessier", "Joliment écrit, mais le dernier acte s'étire.")
    ]
