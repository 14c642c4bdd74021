"""Site chrome is never a member's name: a card whose name line is missing has an unknown author, and
two such cards stay two reviews once stored."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from storage.db.tables import SPECTATOR
from storage.pages import ParsedSpectatorPage, parse_page
from storage.pages.vocabulary import is_site_words
from storage.store import store_page

HEADER = [
    "Mon compte",
    "Derrière le masque",
    "Note moyenne",
    "2,3",
    "158 notes",
    "2 critiques spectateurs",
    "Trier par :",
]
GLUED_SORT = "Les plus utilesLes plus récentesMembres avec le plus de critiquesMembres avec le plus d'abonnés"
FIRST = "Un premier avis sur ce film, qui se lit sans déplaisir."
SECOND = "Un second avis, tout à fait différent du premier."


def _page(chrome: list[str], stats: str | None) -> str:
    """Two cards without name lines, each under site chrome."""
    card = [*([stats] if stats else []), "3,0", "Publiée le 25 janvier 2023"]
    return "\n".join(
        [*HEADER, *chrome, *card, FIRST, *chrome, *card, SECOND, "Les meilleurs films de tous les temps"]
    )


CHROME = {
    "back to top": ["Back to Top"],
    "back to top twice": ["Back to Top", "Back to Top"],
    "mon compte": ["Mon compte"],
    "note moyenne": ["Note moyenne"],
    "glued sort links": [GLUED_SORT],
    "filter label": ["Filtrer par :", "Toutes les notes"],
    "follow button": ["Suivre son activité"],
}


@pytest.mark.parametrize("chrome", CHROME.values(), ids=CHROME.keys())
@pytest.mark.parametrize("stats", ["12 abonnés 3 critiques", None])
def test_site_chrome_above_a_card_is_no_author(chrome: list[str], stats: str | None) -> None:
    page = parse_page(_page(chrome, stats))
    assert isinstance(page, ParsedSpectatorPage)
    assert [(r.author, r.text) for r in page.reviews] == [(None, FIRST), (None, SECOND)]
    if stats:
        assert [r.followers for r in page.reviews] == [12, 12]


@pytest.mark.parametrize(
    "name", ["Mon compte", "Back to Top", GLUED_SORT, "Note moyenne", "Toutes les notes"]
)
def test_html_card_named_by_site_chrome_has_no_author(name: str) -> None:
    card = (
        '<div class="review-card" id="review_{n}"><div class="review-card-user-infos">'
        '<div class="meta-title">{name}</div></div><div class="review-card-meta">'
        '<span class="stareval-note">3,0</span><span class="review-card-meta-date">Publiée le 25 janvier 2023'
        '</span></div><div class="content-txt review-card-content">{text}</div></div>'
    )
    cards = card.format(n=1, name=name, text=FIRST) + card.format(n=2, name=name, text=SECOND)
    html = f"<html><head><title>Derrière le masque</title></head><body>{cards}</body></html>"
    page = parse_page(html)
    assert isinstance(page, ParsedSpectatorPage)
    assert [(r.author, r.text) for r in page.reviews] == [(None, FIRST), (None, SECOND)]


@pytest.mark.parametrize(
    "name", ["Shawn777", "Le Guerrier", "PowerKing - Les Chroniques du Cinéphile", "Suivant"]
)
def test_member_names_are_not_site_words(name: str) -> None:
    assert not is_site_words(name)


def test_two_nameless_cards_are_two_stored_reviews(engine: Engine) -> None:
    raw = _page(["Back to Top"], "12 abonnés 3 critiques")
    report = store_page(engine, parse_page(raw), location="chrome.txt", raw=raw)
    assert report.counts["spectateurs"].new == 2
    with engine.connect() as conn:
        rows = conn.execute(select(SPECTATOR.c.author, SPECTATOR.c.text).order_by(SPECTATOR.c.id)).all()
    assert [tuple(row) for row in rows] == [(None, FIRST), (None, SECOND)]
