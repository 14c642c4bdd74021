"""The text seeds parsed once, and a review picked from a page, for the parser tests."""

from __future__ import annotations

from functools import cache

from storage.pages import ParsedPressPage, ParsedSpectatorPage, PressReview, SpectatorReview
from storage.pages.text import parse_text
from tests.conftest import PRESS_SEED, SPECTATOR_SEED


@cache
def spectator_seed() -> ParsedSpectatorPage:
    page = parse_text(SPECTATOR_SEED.read_text(encoding="utf-8"))
    assert isinstance(page, ParsedSpectatorPage)
    return page


@cache
def press_seed() -> ParsedPressPage:
    page = parse_text(PRESS_SEED.read_text(encoding="utf-8"))
    assert isinstance(page, ParsedPressPage)
    return page


def by_author(page: ParsedSpectatorPage, author: str) -> SpectatorReview:
    (review,) = [r for r in page.reviews if r.author == author]
    return review


def by_outlet(page: ParsedPressPage, outlet: str) -> PressReview:
    (review,) = [r for r in page.reviews if r.outlet == outlet]
    return review
