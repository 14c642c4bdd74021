"""French numbers, dates and spaces as AlloCiné writes them."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storage.pages import SpectatorReview
from storage.pages.checks import strip_controls
from storage.pages.french import (
    _LINE_BREAKS,
    _ODD_SPACES,
    _ZERO_WIDTH,
    normalize_spaces,
    parse_count,
    parse_date,
    parse_decimal,
)
from tests.conftest import SPECTATOR_SEED


@pytest.mark.parametrize(
    ("text", "value"),
    [("2,3", 2.3), ("3,0", 3.0), ("0,5", 0.5), ("4", 4.0), ("4.5", 4.5), (" 3,5 ", 3.5), ("2,35", 2.35)],
)
def test_parse_decimal(text: str, value: float) -> None:
    assert parse_decimal(text) == value


@pytest.mark.parametrize("text", ["", "abc", "2,3,4", "3/5", "123", ",5", "2,", "-1"])
def test_parse_decimal_refuses(text: str) -> None:
    assert parse_decimal(text) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("574", 574),
        ("3\u202f461", 3461),  # narrow no-break space, as on the seed
        ("3\u00a0461", 3461),
        ("3 461", 3461),
        ("1.372", 1372),
        ("18\u202f103", 18103),
        ("1 234 567", 1234567),
    ],
)
def test_parse_count(text: str, value: int) -> None:
    assert parse_count(text) == value


@pytest.mark.parametrize("text", ["", "abc", "3,5", "12 critiques"])
def test_parse_count_refuses(text: str) -> None:
    assert parse_count(text) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Publiée le 25 janvier 2023", date(2023, 1, 25)),
        ("Publiée le 1 septembre 2020", date(2020, 9, 1)),
        ("Publiée le 1er septembre 2020", date(2020, 9, 1)),
        ("publiée le 14 Février 2013", date(2013, 2, 14)),
        ("Publiée le 3 fevrier 2013", date(2013, 2, 3)),
        ("Publiée le 15 août 2019", date(2019, 8, 15)),
        ("Publiée le 15 AOÛT 2019", date(2019, 8, 15)),
        ("Publiée le 2 décembre 2010", date(2010, 12, 2)),
        ("Publiée le 25/01/2023", date(2023, 1, 25)),
        ("Publiée le 31 février 2023, modifiée le 2 mars 2023", date(2023, 3, 2)),
    ],
)
def test_parse_date(text: str, value: date) -> None:
    assert parse_date(text) == value


@pytest.mark.parametrize("text", ["Publiée le", "le 31 février 2023", "25 brumaire 2023", "32/01/2023", ""])
def test_parse_date_refuses(text: str) -> None:
    assert parse_date(text) is None


def test_normalize_spaces() -> None:
    assert normalize_spaces("a\u00a0b\u202fc\u2009d\te") == "a b c d e"
    assert normalize_spaces("\ufeffShawn\u200b777") == "Shawn777"
    assert (
        normalize_spaces("un\r\ndeux\rtrois\u2028quatre\u2029cinq\nsix")
        == "un\ndeux\ntrois\nquatre\ncinq\nsix"
    )


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_helpers_never_raise(text: str) -> None:
    parse_decimal(text)
    parse_count(text)
    parse_date(text)
    assert "\r" not in normalize_spaces(text)


def test_absurdly_long_counts_are_not_counts() -> None:
    assert parse_count("1" + "000" * 1500) is None
    assert parse_count("3 461") == 3461


def test_a_rating_above_five_is_not_a_rating() -> None:
    from storage.pages.text import parse_text

    seed = SPECTATOR_SEED.read_text(encoding="utf-8")
    page = seed.replace("    3,0\n    Publiée le 25 janvier 2023", "    9,9\n    Publiée le 25 janvier 2023")
    assert page != seed
    first = parse_text(page).reviews[0]  # type: ignore[union-attr]
    assert isinstance(first, SpectatorReview)
    assert first.author == "Shawn777" and first.rating is None


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60))
@settings(max_examples=300)
def test_normalize_spaces_returns_text_it_would_not_change_as_is(text: str) -> None:
    # Its shortcut (one search) must agree with the four substitutions it stands for.
    full = strip_controls(_ZERO_WIDTH.sub("", _ODD_SPACES.sub(" ", _LINE_BREAKS.sub("\n", text))))
    assert normalize_spaces(text) == full
