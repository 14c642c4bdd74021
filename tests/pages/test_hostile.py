"""Hostile pages: parsing stays linear in the page's size, and a page past its time limit is refused."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from storage.pages import PageError, PageTooSlow, ParsedSpectatorPage, parse_page
from storage.problems import Problem

REAL = Path(__file__).resolve().parents[3] / "shared" / "realpages" / "html"
TEXT = "Un film étonnant, qui commence comme une comédie et finit comme un drame."


def _open_card(n: int, named: bool) -> str:
    """A card whose outer element is never closed: every later card ends up inside it."""
    name = f'<div class="meta-title">Membre {n}</div>' if named else ""
    return (
        f'<div class="review-card" id="review_{n}"><div class="review-card-user-infos">{name}'
        '<div class="meta-content">12 abonnés</div></div><div class="review-card-meta">'
        f'<span class="stareval-note">{n % 5},0</span><span class="review-card-meta-date">'
        f"Publiée le {n % 28 + 1} mars 2021</span></div>"
        f'<div class="content-txt review-card-content">{TEXT} ({n})'  # left open too
    )


def _nested(count: int) -> str:
    cards = "".join(_open_card(n, named=n % 2 == 0) for n in range(count))
    return f"<html><head><title>Titre</title></head><body>{cards}</body></html>"


def test_nested_cards_are_read_from_their_own_nodes() -> None:
    page = parse_page(_nested(30))
    assert isinstance(page, ParsedSpectatorPage)
    assert len(page.reviews) == 30
    for n, review in enumerate(page.reviews):
        # A card without a name never borrows the name of the card nested in it, nor its text.
        assert review.author == (f"Membre {n}" if n % 2 == 0 else None)
        assert review.text == f"{TEXT} ({n})"
        assert review.rating == n % 5
        assert review.published is not None and review.published.day == n % 28 + 1
        assert review.site_id == str(n)


def test_thousands_of_nested_cards_read_in_linear_time() -> None:
    start = time.perf_counter()
    page = parse_page(_nested(2_000), time_limit=None)  # 230 s before reading was linear
    assert isinstance(page, ParsedSpectatorPage) and len(page.reviews) == 2_000
    assert time.perf_counter() - start < 5


def test_long_digit_runs_after_the_last_card_read_in_linear_time() -> None:
    head = "Titre\nMembre\n12 abonnés 3 critiques\n3,0\nPubliée le 25 janvier 2023\nUn bon film.\n"
    start = time.perf_counter()
    page = parse_page(head + "1\n" * 40_000, time_limit=None)  # about 15 s when it was quadratic
    assert isinstance(page, ParsedSpectatorPage) and len(page.reviews) == 1
    assert time.perf_counter() - start < 3


def test_a_page_past_its_time_limit_is_refused_with_data() -> None:
    html = _nested(400)
    with pytest.raises(PageTooSlow) as error:
        parse_page(html, time_limit=0.001)
    assert isinstance(error.value, PageError)
    assert error.value.seconds == 0.001
    assert "trop longue" in error.value.message
    assert Problem.of(error.value) == Problem("page_too_slow", {"seconds": 0.001})
    with pytest.raises(PageTooSlow):
        parse_page(
            "Titre\nMembre\n3,0\nPubliée le 25 janvier 2023\nBien.\n" + "1\n" * 100_000, time_limit=0.001
        )
    assert isinstance(parse_page(html, time_limit=None), ParsedSpectatorPage)  # None: no limit


@pytest.mark.skipif(not (REAL / "expected.json").exists(), reason="no real pages on this machine")
def test_real_pages_read_as_expected() -> None:
    expected = json.loads((REAL / "expected.json").read_text(encoding="utf-8"))
    for name, facts in expected.items():
        if name.startswith("_"):
            continue
        raw = (REAL / name).read_bytes()
        start = time.perf_counter()
        if "spectators" not in facts:  # a list page: never a film's reviews
            with pytest.raises(PageError):
                parse_page(raw)
            continue
        page = parse_page(raw)
        assert time.perf_counter() - start < 2
        assert isinstance(page, ParsedSpectatorPage)
        assert page.title == facts["title"]
        figures = facts["spectators"]
        assert (page.figures.average, page.figures.ratings_count, page.figures.reviews_count) == (
            figures["average"],
            figures["ratings_count"],
            figures["reviews_count"],
        )
