"""Spectator pages of every era (allocine-layouts.md), each trait in a synthetic page of our own.

Fixtures (tests/fixtures/text/): invented films, members and texts in the site's shapes. Each test
asserts exact values; the whitespace of a dump (indentation, blank lines, line ends, kinds of spaces)
is varied by parametrisation, since the parser must read a line by what it is, not where it sits.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from storage.pages import ParsedSpectatorPage, SiteFigures
from storage.pages.text import parse_text

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "text"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def spectators(text: str) -> ParsedSpectatorPage:
    page = parse_text(text)
    assert isinstance(page, ParsedSpectatorPage), page
    return page


Card = tuple[str | None, float | None, date | None, int | None, int | None, str]


def cards(page: ParsedSpectatorPage, *, flat: bool = False) -> list[Card]:
    """Each review as (author, rating, date, followers, reviews written, text); `flat`: paragraph
    breaks as single line breaks (a dump with a blank line between every line has no others)."""
    return [
        (
            r.author,
            r.rating,
            r.published,
            r.followers,
            r.author_reviews,
            re.sub(r"\n+", "\n", r.text) if flat else r.text,
        )
        for r in page.reviews
    ]


# --- how dumps of one page differ ------------------------------------------------------------------


def as_is(text: str) -> str:
    return text


def no_indent(text: str) -> str:
    return "\n".join(line.strip() for line in text.split("\n"))


def indented(text: str) -> str:
    return "\n".join("    " + line if line.strip() else line for line in text.split("\n"))


def tabs_and_trailing_spaces(text: str) -> str:
    return "\n".join("\t" + line + "  " for line in text.split("\n"))


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


def nbsp(text: str) -> str:
    return text.replace(" ", "\u00a0")


def no_blank_lines(text: str) -> str:
    return "\n".join(line for line in text.split("\n") if line.strip())


def blank_between_lines(text: str) -> str:
    return "\n\n".join(line for line in text.split("\n") if line.strip())


SAME = {
    "as is": as_is,
    "no indentation": no_indent,
    "indented": indented,
    "tabs and trailing spaces": tabs_and_trailing_spaces,
    "CRLF": crlf,
    "NBSP for every space": nbsp,
}
# These change where paragraphs break: the texts are compared with single line breaks.
REFLOWED = {"no blank lines": no_blank_lines, "blank line between every line": blank_between_lines}
ALL = {**SAME, **REFLOWED}


def check(text: str, transform: Callable[[str], str], expected: list[Card]) -> ParsedSpectatorPage:
    page = spectators(transform(text))
    flat = transform in REFLOWED.values()
    assert cards(page, flat=flat) == [
        (*card[:5], re.sub(r"\n+", "\n", card[5]) if flat else card[5]) for card in expected
    ]
    assert page.warnings == []
    return page


# --- today (2020 →) ----------------------------------------------------------------------------------

TODAY = fixture("spectators_today.txt")
TODAY_FIGURES = SiteFigures(
    average=3.4,
    ratings_count=1234,
    reviews_count=98,
    histogram={"5": 20, "4": 31, "3": 25, "2": 12, "1": 6, "0": 4},
)
TODAY_CARDS: list[Card] = [
    (
        "Lou Varda 38",  # printed `Lou  Varda 38` then `Lou Varda 38`: one name
        3.5,
        date(2021, 3, 4),
        12,
        345,
        "Une maison de famille, trois sœurs et un été qui n'en finit pas.\n\n"
        "Le premier tiers est lent, puis tout se resserre autour du jardin : la dernière scène m'a "
        "laissé sans voix.",
    ),
    (None, 4.0, date(2021, 3, 2), None, None, "Beau film. Je mets 4,5 pour les actrices.\n5/5"),
    (
        None,
        2.0,
        date(2021, 3, 1),
        None,
        None,
        "spoiler: la sœur cadette ne revient pas, et c'est tout le problème du scénario.",
    ),
    (
        "jean.dupont@example.fr",
        2.5,
        date(2021, 2, 28),
        None,
        8,
        "Une mise en scène appliquée,\ndes dialogues un peu écrits,\nmais un vrai charme d'ensemble (3/5).",
    ),
    (None, 1.5, date(2021, 2, 20), None, None, "Je me suis ennuyé du début à la fin."),  # no author line
    ("M. Hulot 2.0", 5.0, date(2021, 2, 14), 1664, 1, "Un chef-d'œuvre discret, à voir en salle !"),
]


@pytest.mark.parametrize("transform", ALL.values(), ids=ALL.keys())
def test_today_page(transform: Callable[[str], str]) -> None:
    page = check(TODAY, transform, TODAY_CARDS)
    assert page.title == "La Maison des glycines"
    assert page.figures == TODAY_FIGURES


def test_today_page_without_the_prompt_takes_the_line_above_the_figures() -> None:
    text = TODAY.replace("    Votre avis sur La Maison des glycines ?\n", "")
    page = check(text.replace("Mon compte\n", "Se connecter\nMon compte\n"), as_is, TODAY_CARDS)
    assert page.title == "La Maison des glycines"


# --- later pages: no header, straight at the sort links ----------------------------------------------

LATER = fixture("spectators_later_page.txt")
LATER_CARDS: list[Card] = [
    (
        "Clémentine Roux",
        4.0,
        date(2022, 2, 3),
        None,
        8,
        "Une chronique familiale tendre et drôle, portée par des comédiens impeccables.",
    ),
    (None, 2.5, date(2022, 2, 1), None, None, "Trop long, même si la photographie est belle."),
    (None, 3.0, date(2022, 1, 30), None, None, "Pas mal du tout, surtout la dernière demi-heure."),
    ("Hervé K", 1.0, date(2022, 1, 29), 1, 52, "Rien à sauver, hélas."),
]


@pytest.mark.parametrize("transform", ALL.values(), ids=ALL.keys())
def test_later_page_has_no_title_and_every_card(transform: Callable[[str], str]) -> None:
    page = check(LATER, transform, LATER_CARDS)
    assert page.title is None  # `Toutes les notes` is a filter, never the film's title
    assert page.figures == SiteFigures()


FILTERS = ["Toutes les notes", "5 étoiles", "Les meilleures notes", "Tous les avis", "Note : 4"]


@pytest.mark.parametrize("label", FILTERS)
def test_a_filter_label_is_never_the_title(label: str) -> None:
    page = check(LATER.replace("Toutes les notes", label), as_is, LATER_CARDS)
    assert page.title is None


def test_sort_links_apart_then_filter_on_one_line() -> None:
    text = LATER.replace(
        "Les plus utilesLes plus récentesMembres avec le plus de critiquesMembres avec le plus d'abonnés\n"
        "Filtrer par :\nToutes les notes",
        "Trier par :\nLes plus utiles\nLes plus récentes\nFiltrer par : Toutes les notes",
    )
    assert check(text, as_is, LATER_CARDS).title is None


def test_star_filtered_page_names_its_film_in_the_prompt() -> None:
    text = LATER.replace("Toutes les notes\n", "4 étoiles\nVotre avis sur Le Grand Départ ?\n")
    assert check(text, as_is, LATER_CARDS).title == "Le Grand Départ"


FIRST_CARDS = {
    "name once, stats on one line": (
        "Clémentine Roux\n8 critiques Suivre son activité\n",
        "Clémentine Roux",
        8,
    ),
    "name once, stats on two lines": (
        "Clémentine Roux\n8 critiques\nSuivre son activité\n",
        "Clémentine Roux",
        8,
    ),
    "name twice, inner spaces apart": (
        "Clémentine  Roux\nClémentine Roux\n8 critiques\n",
        "Clémentine Roux",
        8,
    ),
    "a name ending like a sentence": ("Jean-P.\n8 critiques\n", "Jean-P.", 8),
    "a name starting with a digit": ("7e art !\n8 critiques Suivre son activité\n", "7e art !", 8),
    "one anonymous line": ("Un visiteur\n", None, None),
    "anonyme then Un visiteur": ("anonyme\nUn visiteur\n", None, None),
    "no author line": ("", None, None),
}


@pytest.mark.parametrize("transform", ALL.values(), ids=ALL.keys())
@pytest.mark.parametrize(("header", "author", "written"), FIRST_CARDS.values(), ids=FIRST_CARDS.keys())
def test_later_page_with_only_its_first_card(
    transform: Callable[[str], str], header: str, author: str | None, written: int | None
) -> None:
    """The page is read, not refused as "sans critique ni note lisible", however its one card begins."""
    text = (
        "Les plus utilesLes plus récentesMembres avec le plus de critiques\nFiltrer par :\nToutes les notes\n"
        f"{header}4,0\nPubliée le 3 février 2022\nUne chronique familiale tendre et drôle.\n"
    )
    page = check(
        text,
        transform,
        [(author, 4.0, date(2022, 2, 3), None, written, "Une chronique familiale tendre et drôle.")],
    )
    assert page.title is None


# --- 2016–2018 -----------------------------------------------------------------------------------------

Y2016 = fixture("spectators_2016.txt")
Y2016_FIGURES = SiteFigures(
    average=3.6,
    ratings_count=2480,
    reviews_count=120,
    histogram={"5": 30, "4": 40, "3": 25, "2": 12, "1": 8, "0": 5},
)
Y2016_CARDS: list[Card] = [
    (
        "Mirabelle_76",
        4.0,
        date(2016, 6, 5),
        3,
        46,
        "Un thriller côtier qui prend son temps, et qui a raison de le prendre.",
    ),
    ("Jo Lambert", 5.0, date(2016, 7, 10), None, 1, "Je n'avais pas vu de fin aussi juste depuis longtemps."),
    (None, 2.5, date(2016, 6, 12), None, None, "Joli, mais on devine tout dès la première bobine."),
    ("cinéphile-du-dimanche", 0.5, date(2016, 5, 1), 128, 1204, "Interminable."),
]
Y2016_HISTOGRAM = (
    "répartition des 120 critiques par note\n30 critiques\n40 critiques\n25 critiques\n12 critiques\n"
    "8 critiques\n5 critiques\n"
)
HISTOGRAMS_2016 = {
    "répartition then bare counts": Y2016_HISTOGRAM,
    "one row per line": (
        "25% (30 critiques)\n33% (40 critiques)\n21% (25 critiques)\n10% (12 critiques)\n7% (8 critiques)\n"
        "4% (5 critiques)\n"
    ),
    "all rows on one line": (
        "25% 30 critiques 33% 40 critiques 21% 25 critiques 10% 12 critiques 7% 8 critiques 4% 5 critiques\n"
    ),
    "count then percentage": (
        "30 critiques 25%\n40 critiques 33%\n25 critiques 21%\n12 critiques 10%\n"
        "8 critiques 7%\n5 critiques 4%\n"
    ),
}


@pytest.mark.parametrize("transform", ALL.values(), ids=ALL.keys())
@pytest.mark.parametrize("histogram", HISTOGRAMS_2016.values(), ids=HISTOGRAMS_2016.keys())
def test_2016_page(transform: Callable[[str], str], histogram: str) -> None:
    page = check(Y2016.replace(Y2016_HISTOGRAM, histogram), transform, Y2016_CARDS)
    assert page.title == "Les Veilleurs de l'aube"  # not a line of the member's menu above it
    assert page.figures == Y2016_FIGURES


FIGURES_2016 = {
    "average and counts on two lines": "note moyenne\n3,6\n2 480 notes dont 120 critiques\n",
    "all on the label's line": "note moyenne 3,6\n2480 notes dont 120 critiques\n",
    "capitalised label": "Note moyenne\n3,6 2 480 notes dont 120 critiques\n",
}


@pytest.mark.parametrize("figures", FIGURES_2016.values(), ids=FIGURES_2016.keys())
def test_2016_figures_written_otherwise(figures: str) -> None:
    page = check(
        Y2016.replace("note moyenne\n3,6 2 480 notes dont 120 critiques\n", figures), as_is, Y2016_CARDS
    )
    assert page.figures == Y2016_FIGURES


def test_2016_title_after_a_menu_item_the_parser_does_not_know() -> None:
    """An unknown item in the middle of the menu is passed over; one right above the title is not
    told from a title, so the title is the first plain line after the last known menu item."""
    text = Y2016.replace("Mes amis\n", "Mes vidéos\nMes amis\n")
    assert check(text, as_is, Y2016_CARDS).title == "Les Veilleurs de l'aube"


@pytest.mark.parametrize("details", ["De Claire Dumontel\n", "De Claire Dumontel\nAvec Sophie Arnaud\n"])
def test_title_followed_by_the_films_details(details: str) -> None:
    text = Y2016.replace("Les Veilleurs de l'aube\n", "Les Veilleurs de l'aube\n" + details)
    assert check(text, as_is, Y2016_CARDS).title == "Les Veilleurs de l'aube"


def test_2016_page_without_the_member_menu() -> None:
    text = Y2016[Y2016.index("Les Veilleurs") :]
    assert check(text, no_indent, Y2016_CARDS).title == "Les Veilleurs de l'aube"


# --- 2012–2015 ------------------------------------------------------------------------------------------

Y2012 = fixture("spectators_2012.txt")
Y2012_FIGURES = SiteFigures(
    average=4.1,
    ratings_count=12345,
    reviews_count=678,
    histogram={"5": 400, "4": 150, "3": 70, "2": 30, "1": 18, "0": 10},
)
Y2012_CARDS: list[Card] = [
    ("Gaspard.L", 4.5, None, 0, 7, "Un huis clos en mer qui tient en haleine jusqu'au bout."),
    (
        "Nanouk 1962",
        5.0,
        None,
        12,
        153,
        "Le plus beau film de l'année.\n\nLa lumière de la dernière scène, surtout.",
    ),
    (None, 2.0, None, None, None, "Bien filmé mais creux"),
    ("Bertrand_B", 0.5, None, 3, 1, "Je suis sorti au bout d'une heure."),
]


@pytest.mark.parametrize("transform", ALL.values(), ids=ALL.keys())
def test_2012_page(transform: Callable[[str], str]) -> None:
    page = check(Y2012, transform, Y2012_CARDS)
    assert page.title == "Le Phare des brumes"
    assert page.figures == Y2012_FIGURES


def test_2012_ratings_written_with_a_comma_or_glued() -> None:
    text = Y2012.replace("4.5 - Excellent", "4,5 - Excellent").replace("0.5 - Nul", "0.5-Nul")
    check(text, as_is, Y2012_CARDS)


def test_2012_last_card_cut_is_reported() -> None:
    text = Y2012[: Y2012.index("Je suis sorti au bout")] + "Je suis sorti au bo"
    page = spectators(text)
    assert cards(page) == Y2012_CARDS[:3]
    assert page.warnings == ["ligne 33 : la dernière critique est coupée (page tronquée), ignorée"]


@pytest.mark.parametrize("line", ["Blu-Ray DVD " * 40 + "x", "Critiques spectateurs " * 5000 + "x"])
def test_a_long_line_of_tab_names_reads_at_once(line: str) -> None:
    """Each tab's name is read one way only: a line that almost is a tab bar fails fast (a tab named
    like two others made this line take 2⁴⁰ steps)."""
    from storage.pages import parse_page

    page = parse_page(
        TODAY.replace("    Note moyenne\n", f"    {line}\n    Note moyenne\n", 1), time_limit=2.0
    )
    assert isinstance(page, ParsedSpectatorPage)
    assert cards(page) == TODAY_CARDS
