"""The site's words read once (storage/pages/vocabulary.py): the text and HTML parsers agree on them.

Each case is a page the site can show, read through the text layer and through the markup; where the
two parsers once declared a pattern each and the copies drifted apart, the case is the one the kept
form handles.
"""

from __future__ import annotations

from datetime import date

import pytest

from storage.pages import ParsedSpectatorPage, SpectatorReview
from storage.pages.html import parse_html
from storage.pages.text import parse_text

TEXT = "Un film qui ne va pas au bout de son délire."


def _text_page(*, heading: str = "", author: str = "Shawn777", stats: str = "574 abonnés 3 461 critiques",
               count: str = "39 critiques spectateurs") -> str:  # fmt: skip
    lines = [
        "Mon compte",
        "Derrière le masque",
        *([heading] if heading else []),
        "Note moyenne",
        "2,3",
        "158 notes",
        count,
        "Trier par :",
        *([author, author] if author else []),
        stats,
        "3,0",
        "Publiée le 25 janvier 2023",
        TEXT,
        "Les meilleurs films de tous les temps",
    ]
    return "\n".join(line for line in lines if line)


def _html_page(*, heading: str = "", author: str = "Shawn777", stats: str = "574 abonnés 3 461 critiques",
               count: str = "39 critiques spectateurs") -> str:  # fmt: skip
    return (
        "<!DOCTYPE html><html><head><title>Derrière le masque - film 2006 - AlloCiné</title></head><body>"
        f"<h1>{heading}</h1><div>{count}</div>"
        '<div class="review-card" id="review_42">'
        f'<div class="review-card-user-infos"><div class="meta-title">{author}</div>'
        f'<div class="meta-content">{stats}</div></div>'
        '<div class="review-card-meta"><span class="stareval-note">3,0</span> '
        '<span class="review-card-meta-date">Publiée le 25 janvier 2023</span></div>'
        f'<div class="content-txt review-card-content">{TEXT}</div></div>'
        "</body></html>"
    )


def _read(parser: str, **page: str) -> ParsedSpectatorPage:
    result = parse_text(_text_page(**page)) if parser == "text" else parse_html(_html_page(**page))
    assert isinstance(result, ParsedSpectatorPage), result
    return result


def _only_card(parser: str, **page: str) -> SpectatorReview:
    (card,) = _read(parser, **page).reviews
    assert card.text == TEXT and card.published == date(2023, 1, 25) and card.rating == 3.0
    return card


BOTH = pytest.mark.parametrize("parser", ["text", "html"])


@BOTH
def test_the_plain_card_reads_the_same(parser: str) -> None:
    card = _only_card(parser)
    assert (card.author, card.followers, card.author_reviews) == ("Shawn777", 574, 3461)


@BOTH
@pytest.mark.parametrize(
    "stats",
    [
        "Suivre son activité 574 abonnés 3 461 critiques",  # today's three parts, in another order
        "3 461 critiques 574 abonnés",
        "Suivre son activité 574 abonnés Lire ses 3 461 critiques",  # 2016–2018
        "574 abonnés | Lire ses 3 461 critiques |",  # 2012–2015
    ],
)
def test_an_authors_stats_in_any_order_and_era(parser: str, stats: str) -> None:
    card = _only_card(parser, stats=stats)
    assert (card.author, card.followers, card.author_reviews) == ("Shawn777", 574, 3461)


@BOTH
@pytest.mark.parametrize(
    "stats",
    ["574 abonnés3 461 critiquesSuivre son activité", "574 abonnés·3 461 critiques·Suivre son activité"],
)
def test_an_authors_stats_glued_together(parser: str, stats: str) -> None:
    # Dumps glue what the site sets apart by margins, as they glue the sort links.
    card = _only_card(parser, stats=stats)
    assert (card.author, card.followers, card.author_reviews) == ("Shawn777", 574, 3461)


@BOTH
def test_an_anonymous_visitor_whose_name_has_a_double_space(parser: str) -> None:
    card = _only_card(parser, author="Un \u00a0visiteur", stats="")
    assert card.author is None


@BOTH
@pytest.mark.parametrize("heading", ["Toutes les critiques de la série", "Toutes les critiques des séries"])
def test_a_series_heading_is_not_an_outlets_page(parser: str, heading: str) -> None:
    page = _read(parser, heading=heading)
    assert [card.author for card in page.reviews] == ["Shawn777"]


@BOTH
def test_a_count_longer_than_any_the_site_prints_is_no_figure(parser: str) -> None:
    assert _read(parser, count="1234567890123 critiques spectateurs").figures.reviews_count is None


@BOTH
def test_a_count_with_thousands_reads_the_same(parser: str) -> None:
    assert _read(parser, count="12 345 critiques spectateurs").figures.reviews_count == 12345
    assert _read(parser, count="12345 critiques spectateurs").figures.reviews_count == 12345
