"""Press pages of every era (allocine-layouts.md) in synthetic pages of our own: exact entries, the old
URLs' title and table of contents, and a page cut inside its last entry."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from storage.pages import PageError, ParsedPressPage, SiteFigures
from storage.pages.text import parse_text
from tests.pages.test_layouts import SAME, no_blank_lines

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "text"
OLD_URL = (FIXTURES / "press_old_url.txt").read_text(encoding="utf-8")
TODAY = (FIXTURES / "press_today.txt").read_text(encoding="utf-8")
VARIANTS = {**SAME, "no blank lines": no_blank_lines}

Entry = tuple[str, str | None, str | None, str | None]


def press(text: str) -> ParsedPressPage:
    page = parse_text(text)
    assert isinstance(page, ParsedPressPage), page
    return page


def entries(page: ParsedPressPage) -> list[Entry]:
    return [(r.outlet, r.critic, r.quote, r.link) for r in page.reviews]


OLD_URL_ENTRIES: list[Entry] = [
    (
        "Le Quotidien du Cinéma",
        "Hélène Marchetti",
        "Un thriller à hauteur d'homme (...) que la mer et le vent rendent presque fantastique.",
        None,
    ),
    ("Cinéma Revue", "A.B.", None, "https://www.cinemarevue.example"),
    (
        "La Gazette des Salles",
        None,  # no `par` line: read because the table of contents names the outlet
        'Une réussite modeste mais réelle : "on ne lâche rien", dit le gardien [Paul Arnaud], '
        "et le film non plus…",
        None,
    ),
    ("Studio Ciné Hebdo", "Paul Bernard et Léa Simon", None, "https://www.studiocine.example"),
    (
        "Le Petit Écran",
        "LA RÉDACTION",
        "Un beau film d'atmosphère, trop sage pour marquer. Le Petit Écran, 14 octobre 16",
        None,
    ),
]


@pytest.mark.parametrize("transform", VARIANTS.values(), ids=VARIANTS.keys())
def test_old_url_page(transform: Callable[[str], str]) -> None:
    page = press(transform(OLD_URL))
    assert page.title == "Les Veilleurs de l'aube"  # never `Les Veilleurs de l'aube : Critique presse`
    assert page.figures == SiteFigures(average=3.5, reviews_count=5)
    # The bare outlet names before the disclaimer are a table of contents: each outlet once, in order.
    assert entries(page) == OLD_URL_ENTRIES
    assert page.warnings == []


def test_old_url_page_without_its_figures() -> None:
    text = OLD_URL.replace("Note moyenne\n3,5\n5 titres de presse\n", "")
    page = press(text)
    assert (page.title, page.figures) == ("Les Veilleurs de l'aube", SiteFigures())
    assert entries(page) == OLD_URL_ENTRIES


@pytest.mark.parametrize("suffix", [" : Critique presse", ": Critiques presse", " : critiques de la presse"])
def test_old_url_title_line(suffix: str) -> None:
    text = OLD_URL.replace(" : Critique presse", suffix, 1)
    assert press(text).title == "Les Veilleurs de l'aube"


TODAY_ENTRIES: list[Entry] = [
    (
        "Le Journal du Soir",
        "Anne-Laure Picot",
        "Trois sœurs, une maison, un été : la cinéaste tire de ce presque rien un film d'une grande "
        "délicatesse.",
        None,
    ),
    (
        "Ciné Passion",
        "Marc Tessier, Julie Ren",
        "Joliment écrit, mais le dernier acte s'étire [...] et perd son mystère.",
        None,
    ),
    ("Regards", "J.-M.L.", "Voir le site de Regards.", None),  # a placeholder is what the site shows
    ("L'Écho des Salles", "la rédaction", None, "https://www.echodessalles.example"),
]


@pytest.mark.parametrize("transform", VARIANTS.values(), ids=VARIANTS.keys())
def test_today_page(transform: Callable[[str], str]) -> None:
    page = press(transform(TODAY))
    assert page.title == "La Maison des glycines"
    assert page.figures == SiteFigures(average=3.2, reviews_count=4)
    assert entries(page) == TODAY_ENTRIES
    assert page.warnings == []


# --- a dump that stops inside the last entry -------------------------------------------------------

QUOTE = "Joliment écrit, mais le dernier acte s'étire [...] et perd son mystère."
UNTIL_QUOTE = TODAY[: TODAY.index(QUOTE)]


@pytest.mark.parametrize("kept", range(1, len(QUOTE)))
def test_a_quote_cut_by_the_end_of_the_page_is_reported_not_stored_half(kept: int) -> None:
    page = press(UNTIL_QUOTE + QUOTE[:kept])
    assert entries(page) == TODAY_ENTRIES[:1]
    assert page.warnings == [
        "ligne 21 : la dernière critique presse est coupée (page tronquée), ignorée",
        "la page annonce 4 critiques presse, 1 lues",
    ]


ENDINGS = {
    "the quote, no `La critique complète` line": QUOTE,
    "the quote and a line break": QUOTE + "\n\n",
    "the site's line cut": QUOTE + "\n    La critique complète est disp",
    "the site's line cut after one word": QUOTE + "\n    La",
    "the site's line whole": QUOTE + "\n    La critique complète est disponible sur le site Ciné Passion",
}


@pytest.mark.parametrize("ending", ENDINGS.values(), ids=ENDINGS.keys())
def test_a_whole_last_entry_is_kept(ending: str) -> None:
    page = press(UNTIL_QUOTE + ending)
    assert entries(page) == TODAY_ENTRIES[:2]
    assert page.warnings == ["la page annonce 4 critiques presse, 2 lues"]


def test_cut_right_after_the_critic_line() -> None:
    page = press(UNTIL_QUOTE)
    assert entries(page) == TODAY_ENTRIES[:1]
    assert page.warnings[0] == "ligne 21 : la dernière critique presse est coupée (page tronquée), ignorée"


def test_a_link_only_entry_ends_a_page_whole() -> None:
    text = TODAY[: TODAY.index("    Le Journal du Soir\n    Trois")]
    assert entries(press(text)) == TODAY_ENTRIES


def test_cut_inside_the_repeated_short_list_changes_nothing() -> None:
    text = TODAY[: TODAY.index("et perd son mystère.\n    Regards\n    Voir") + 9]
    page = press(text)
    assert entries(page) == TODAY_ENTRIES
    assert page.warnings == []


def test_old_url_cut_inside_its_last_quote() -> None:
    text = OLD_URL[: OLD_URL.index("trop sage pour")]
    page = press(text)
    assert entries(page) == OLD_URL_ENTRIES[:4]
    assert page.warnings == [
        "ligne 25 : la dernière critique presse est coupée (page tronquée), ignorée",
        "la page annonce 5 critiques presse, 4 lues",
    ]


# --- entries without a `par` line, on pages that list no outlets -----------------------------------

NO_LIST = OLD_URL[OLD_URL.index("Chaque magazine") :]  # starts at the disclaimer, no table of contents
CRITICS = {
    "Le Quotidien du Cinéma": "par Hélène Marchetti",
    "Cinéma Revue": "par A.B.",
    "Studio Ciné Hebdo": "par Paul Bernard et Léa Simon",
    "Le Petit Écran": "par LA RÉDACTION",
}


@pytest.mark.parametrize("transform", VARIANTS.values(), ids=VARIANTS.keys())
@pytest.mark.parametrize("outlet", CRITICS, ids=CRITICS)
def test_entry_without_critic_on_a_page_without_outlet_list(
    transform: Callable[[str], str], outlet: str
) -> None:
    text = NO_LIST.replace(f"{outlet}\n{CRITICS[outlet]}\n", f"{outlet}\n", 1)
    page = press(transform(text))
    expected = [
        (o, None if o in (outlet, "La Gazette des Salles") else c, q, link)
        for o, c, q, link in OLD_URL_ENTRIES
    ]
    assert entries(page) == expected
    assert page.title is None
    assert page.warnings == []


@pytest.mark.parametrize(
    "text",
    [
        OLD_URL[: OLD_URL.index("Le Quotidien du Cinéma")],
        NO_LIST[: NO_LIST.index("Le Quotidien")],
        "24 critiques presse\n",
    ],
)
def test_a_press_header_alone_is_refused_as_a_page_error(text: str) -> None:
    """Found by the fuzz test: a header with no entry after it once raised IndexError."""
    with pytest.raises(PageError, match="sans aucune critique"):
        parse_text(text)


HEADS_2016 = {
    "member menu and tab bar": (
        "Mon AlloCiné\nMes amis\nDéconnexion\nLes Veilleurs de l'aube\n"
        "Séances Bandes-annonces Casting Critiques spectateurs Critiques Presse Photos\n"
    ),
    "tab bullets (2012–2015)": "Les Veilleurs de l'aube\n  • Séances\n  • Casting\n  • Critiques presse\n",
}


@pytest.mark.parametrize("head", HEADS_2016.values(), ids=HEADS_2016.keys())
def test_press_page_under_an_older_header(head: str) -> None:
    text = head + OLD_URL[OLD_URL.index("Note moyenne") :]
    page = press(text)
    assert page.title == "Les Veilleurs de l'aube"
    assert entries(page) == OLD_URL_ENTRIES  # the tabs are not outlets
