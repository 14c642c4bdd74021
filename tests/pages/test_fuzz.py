"""Property tests: whatever the input, the parsers answer a typed page or a PageError, nothing else.

Inputs: arbitrary text, lists of page-like lines, and the three seeds (plus the outlet-page fixture)
mutated line by line: lines deleted, duplicated, swapped, blanked, inserted, the page truncated or cut
inside a line.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.pages import (
    PageError,
    ParsedOutletPage,
    ParsedPlainReviews,
    ParsedPressPage,
    ParsedSpectatorPage,
)
from storage.pages.text import parse_text
from tests.conftest import PLAIN_SEED, PRESS_SEED, SPECTATOR_SEED

TEXT_FIXTURES = sorted((Path(__file__).resolve().parent.parent / "fixtures" / "text").glob("*.txt"))
# The seeds, then every era's and page kind's fixture (the outlet page, the other pages among them).
SEEDS = [
    path.read_text(encoding="utf-8") for path in (SPECTATOR_SEED, PRESS_SEED, PLAIN_SEED, *TEXT_FIXTURES)
]
PAGE_TYPES = (ParsedSpectatorPage, ParsedPressPage, ParsedPlainReviews, ParsedOutletPage)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Lines that look like the parts of a page, so that mutations build plausible wrong pages.
PAGE_LINES = [
    "Mon compte",
    "Note moyenne",
    "2,3",
    "3",
    "5",
    "0,5/5",
    "158 notes",
    "39 critiques spectateurs",
    "24 critiques presse",
    "12 titres de presse",
    "10 critiques",
    "• Le Monde",
    "anonyme",
    "Un visiteur",
    "Shawn777",
    "574 abonnés 3\u202f461 critiques Suivre son activité",
    "1 abonné",
    "Suivre",
    "Publiée le 25 janvier 2023",
    "Publiée le 31 février 2023",
    "Publiée le",
    "par Jean-Luc Douin",
    "par",
    "Le Monde",
    "Presse",
    "Toutes les critiques de Le Figaro",
    "Toutes les critiques de",
    "Voir la critique sur www.lepoint.fr",
    "Voir la critique sur ",
    "La critique complète est disponible sur le site Le Monde",
    "Les meilleurs films de tous les temps",
    "Back to Top",
    "1",
    "2",
    "Suivante",
    "Votre avis sur Derrière le masque ?",
    "",
    "   ",
    "titre;note;date",
    # the older layouts' lines, and those of pages that are not a film's reviews
    "note moyenne",
    "3,6 2 480 notes dont 120 critiques",
    "Note moyenne :   4,1 pour 12 345 notes dont 678 critiques  |",
    "répartition des 120 critiques par note",
    "61% (481 critiques)",
    "• 400 critiques     59%",
    "4,0Très bien • Publiée le 05/06/2016",
    "5,0Chef-d'oeuvre",
    "4.5 - Excellent",
    "Suivre son activité 3 abonnés Lire ses 46 critiques",
    "0 abonné | Lire sa critique |",
    "Les plus utilesLes plus récentesMembres avec le plus de critiques",
    "Filtrer par :",
    "Toutes les notes",
    "Titre : Critique presse",
    "Séances Bandes-annonces Casting Critiques spectateurs",
    "Critique de la série",
    "(A propos de la saison 2)",
    "Synopsis",
    "Date de sortie 12 octobre 2016",
    "Spectateurs",
    "Les films les plus populaires",
]
ODD_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]) | st.sampled_from("\n\r\t \u00a0\u202f"),
    max_size=200,
)
LINE = st.sampled_from(PAGE_LINES) | ODD_TEXT.map(lambda t: t.replace("\n", " "))


def _check(text: str) -> None:
    try:
        page = parse_text(text)
    except PageError as error:
        assert error.message
        assert error.line is None or error.line >= 1
        return
    assert isinstance(page, PAGE_TYPES)
    if isinstance(page, ParsedSpectatorPage):
        assert all(review.text for review in page.reviews)
    if isinstance(page, ParsedPressPage):
        assert page.reviews


@FAST
@given(ODD_TEXT)
def test_arbitrary_text(text: str) -> None:
    _check(text)


@FAST
@given(st.lists(LINE, max_size=40))
def test_arbitrary_page_like_lines(lines: list[str]) -> None:
    _check("\n".join(lines))


OPERATIONS = ["delete", "duplicate", "swap", "truncate", "insert", "cut", "blank"]


@st.composite
def mutated_seed(draw: st.DrawFn) -> str:
    lines = draw(st.sampled_from(SEEDS)).split("\n")
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        if not lines:
            break
        at = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        operation = draw(st.sampled_from(OPERATIONS))
        if operation == "delete":
            del lines[at]
        elif operation == "duplicate":
            lines.insert(at, lines[at])
        elif operation == "swap":
            other = draw(st.integers(min_value=0, max_value=len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
        elif operation == "truncate":
            lines = lines[:at]
        elif operation == "insert":
            lines.insert(at, draw(LINE))
        elif operation == "cut":  # the line cut somewhere inside, the page stops there
            line = lines[at]
            lines = [*lines[:at], line[: draw(st.integers(min_value=0, max_value=len(line)))]]
        else:
            lines.insert(at, "")
    return "\n".join(lines)


@settings(max_examples=300, deadline=None)
@given(mutated_seed())
def test_mutated_seeds(text: str) -> None:
    _check(text)


@settings(max_examples=60, deadline=None)
@given(mutated_seed())
def test_mutated_seeds_with_crlf_and_odd_spaces(text: str) -> None:
    _check(text.replace("\n", "\r\n").replace(" ", "\u00a0"))


@pytest.fixture(scope="module")
def parse_page() -> Callable[[bytes], object]:
    """`storage.pages.parse_page`, which needs the HTML parser (written separately): skip until it exists."""
    pytest.importorskip("storage.pages.html")
    from storage.pages import parse_page

    return parse_page


@settings(max_examples=150, deadline=None)
@given(raw=st.binary(max_size=300))
def test_parse_page_on_random_bytes(parse_page: Callable[[bytes], object], raw: bytes) -> None:
    try:
        page = parse_page(raw)
    except PageError as error:
        assert error.message
        return
    assert isinstance(page, PAGE_TYPES)


@settings(max_examples=60, deadline=None)
@given(text=mutated_seed(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
def test_parse_page_on_mutated_seed_bytes(
    parse_page: Callable[[bytes], object], text: str, encoding: str
) -> None:
    try:
        raw = text.encode(encoding)
    except UnicodeEncodeError:
        raw = text.encode("utf-8")
    try:
        page = parse_page(raw)
    except PageError as error:
        assert error.message
        return
    assert isinstance(page, PAGE_TYPES)


def _outcome(text: str) -> object:
    try:
        return parse_text(text)
    except PageError as error:
        return ("PageError", error.message, error.line)


@settings(max_examples=100, deadline=None)
@given(mutated_seed())
def test_line_ends_and_indentation_change_nothing(text: str) -> None:
    text = text.replace("\r", "")  # a lone CR is a line end too: CRLF would then add lines
    expected = _outcome(text)
    assert _outcome(text.replace("\n", "\r\n")) == expected
    assert _outcome("\n".join("  " + line for line in text.split("\n"))) == expected
