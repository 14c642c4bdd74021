"""The seeds transformed the ways AlloCiné pages and their dumps vary: the parser must read the same reviews.

Every variant is made in code from a real seed, so that each test says exactly what changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest

from storage.pages import (
    ParsedPlainReviews,
    ParsedPressPage,
    ParsedSpectatorPage,
    PressReview,
    SpectatorReview,
)
from storage.pages.text import parse_text
from tests.conftest import PLAIN_SEED, PRESS_SEED, SPECTATOR_SEED

SPECTATOR = SPECTATOR_SEED.read_text(encoding="utf-8")
PRESS = PRESS_SEED.read_text(encoding="utf-8")
PLAIN = PLAIN_SEED.read_text(encoding="utf-8")

NBSP, NNBSP = "\u00a0", "\u202f"
STATS_LINE = re.compile(
    r"^( *)(\d[\d\u202f\u00a0]* abonnés?) (\d[\d\u202f\u00a0]* critiques?) (Suivre son activité)$",
    re.MULTILINE,
)


# --- transformations -----------------------------------------------------------------------------


def no_indent(text: str) -> str:
    return "\n".join(line.strip() for line in text.split("\n"))


def blank_between_lines(text: str) -> str:
    return "\n\n".join(line for line in text.split("\n") if line.strip())


def no_blank_lines(text: str) -> str:
    return "\n".join(line for line in text.split("\n") if line.strip())


def stats_on_three_lines(text: str) -> str:
    return STATS_LINE.sub(r"\1\2\n\1\3\n\1\4", text)


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


def spaces(text: str, *, plain: str = " ", nnbsp: str = NNBSP) -> str:
    """Swap the space kinds: every NNBSP becomes `nnbsp`, every plain space becomes `plain`."""
    marker = "\x01"
    return text.replace(NNBSP, marker).replace(" ", plain).replace(marker, nnbsp)


def drop_lines(text: str, *contents: str) -> str:
    return "\n".join(line for line in text.split("\n") if line.strip() not in contents)


def cut_after(text: str, anchor: str, *, keep: int = 0, occurrence: int = -1) -> str:
    """The page cut `keep` characters into (the chosen occurrence of) `anchor`, or right after it."""
    starts = [m.start() for m in re.finditer(re.escape(anchor), text)]
    start = starts[occurrence]
    return text[: start + (keep or len(anchor))]


def press_blocks(text: str) -> tuple[list[str], list[list[str]], list[str]]:
    """The press seed as (header lines, one block of lines per review, the short repeated list)."""
    lines = text.split("\n")
    starts = [i - 1 for i, line in enumerate(lines) if line.startswith("par ")]
    blocks = [lines[a:b] for a, b in zip(starts, [*starts[1:], None], strict=True)]
    # The last block runs into the short list: it ends after its quote and the site's note.
    last = blocks[-1]
    end = next(i for i, line in enumerate(last) if line.startswith("La critique complète")) + 1
    blocks[-1], short = last[:end], last[end:]
    return lines[: starts[0]], blocks, short


# --- comparing results ---------------------------------------------------------------------------


def _flat(text: str) -> str:
    return re.sub(r"\n+", "\n", text)


def _card(review: SpectatorReview, *, paragraphs: bool) -> tuple[object, ...]:
    text = review.text if paragraphs else _flat(review.text)
    return (review.author, review.rating, review.published, review.followers, review.author_reviews, text)


def _spectator(text: str) -> ParsedSpectatorPage:
    page = parse_text(text)
    assert isinstance(page, ParsedSpectatorPage), page
    return page


def _press(text: str) -> ParsedPressPage:
    page = parse_text(text)
    assert isinstance(page, ParsedPressPage), page
    return page


ORIGINAL = _spectator(SPECTATOR)
ORIGINAL_PRESS = _press(PRESS)


def _same_cards(page: ParsedSpectatorPage, *, paragraphs: bool = True, count: int = 15) -> None:
    assert [_card(r, paragraphs=paragraphs) for r in page.reviews] == [
        _card(r, paragraphs=paragraphs) for r in ORIGINAL.reviews[:count]
    ]


def _entry(review: PressReview) -> tuple[object, ...]:
    return (review.outlet, review.critic, review.quote, review.link)


def _same_press(page: ParsedPressPage) -> None:
    assert [_entry(r) for r in page.reviews] == [_entry(r) for r in ORIGINAL_PRESS.reviews]


def test_the_transformations_change_what_they_say() -> None:
    assert len(STATS_LINE.findall(SPECTATOR)) == 10
    split = stats_on_three_lines(SPECTATOR)
    assert split.count("\n") == SPECTATOR.count("\n") + 20
    assert "    574 abonnés\n    3\u202f461 critiques\n    Suivre son activité\n" in split
    assert "\n\n" not in no_blank_lines(SPECTATOR)
    assert "\n\n\n" not in blank_between_lines(SPECTATOR)
    assert " " not in spaces(SPECTATOR, plain=NBSP, nnbsp=NBSP)
    assert NNBSP not in spaces(SPECTATOR, nnbsp=" ")
    assert cut_after("abc abc", "bc", keep=1) == "abc ab"
    header, blocks, short = press_blocks(PRESS)
    assert len(header) == 2 and len(blocks) == 24 and len(short) == 2 * 24
    assert blocks[-1][0] == "Les Inrockuptibles" and short[0] == "L'Humanité"


# --- spectator page ------------------------------------------------------------------------------

SAME_PARAGRAPHS: dict[str, Callable[[str], str]] = {
    "no indentation": no_indent,
    "stats on three lines": stats_on_three_lines,
    "CRLF": crlf,
    "CR only": lambda t: t.replace("\n", "\r"),
    "all spaces NBSP": lambda t: spaces(t, plain=NBSP, nnbsp=NBSP),
    "all spaces NNBSP": lambda t: spaces(t, plain=NNBSP, nnbsp=NNBSP),
    "NNBSP as plain space": lambda t: spaces(t, nnbsp=" "),
    "NNBSP as NBSP": lambda t: spaces(t, nnbsp=NBSP),
    "tabs for indentation": lambda t: t.replace("    ", "\t"),
    "trailing spaces": lambda t: t.replace("\n", "  \n"),
    "no header line Mon compte": lambda t: drop_lines(t, "Mon compte"),
    "no site links at the end": lambda t: t[: t.index("    Les meilleurs films")],
    "UTF-8 BOM and zero-width spaces": lambda t: "\ufeff" + t.replace("Shawn777", "Shawn\u200b777"),
    "stats and combined": lambda t: crlf(stats_on_three_lines(no_indent(t))),
}


@pytest.mark.parametrize("transform", SAME_PARAGRAPHS.values(), ids=SAME_PARAGRAPHS.keys())
def test_spectator_variant_reads_the_same_cards(transform: Callable[[str], str]) -> None:
    page = _spectator(transform(SPECTATOR))
    _same_cards(page)
    assert page.title == "Derrière le masque"
    assert page.figures == ORIGINAL.figures
    assert page.warnings == []


FOOTERS = {
    "pager on one line": "Précédente 1 2 3 Suivante",
    "pager numbers on their own lines": "1\n2\n3\n…\n12\nSuivante",
    "pager numbers only": "1\n2\n3",
    "next page only": "Suivante",
    "more reviews button": "Voir plus de critiques spectateurs",
}


@pytest.mark.parametrize("footer", FOOTERS.values(), ids=FOOTERS.keys())
def test_spectator_page_with_another_footer(footer: str) -> None:
    text = SPECTATOR[: SPECTATOR.index("    Les meilleurs films")] + footer
    page = _spectator(text)
    _same_cards(page)
    assert page.warnings == []


CHANGED_PARAGRAPHS: dict[str, Callable[[str], str]] = {
    "blank line between every line": blank_between_lines,
    "no blank lines at all": no_blank_lines,
    "no blank lines, no indentation, CRLF": lambda t: crlf(no_indent(no_blank_lines(t))),
}


@pytest.mark.parametrize("transform", CHANGED_PARAGRAPHS.values(), ids=CHANGED_PARAGRAPHS.keys())
def test_spectator_variant_with_other_blank_lines(transform: Callable[[str], str]) -> None:
    page = _spectator(transform(SPECTATOR))
    _same_cards(page, paragraphs=False)
    assert page.title == "Derrière le masque"
    assert page.figures == ORIGINAL.figures
    assert page.warnings == []


def test_blank_line_between_every_line_makes_every_line_a_paragraph() -> None:
    page = _spectator(blank_between_lines(SPECTATOR))
    (olla,) = [r for r in page.reviews if r.author == "ollavatelli"]
    assert olla.text.count("\n\n") == 3 and "\n\n\n" not in olla.text


def test_no_blank_lines_keeps_line_breaks() -> None:
    page = _spectator(no_blank_lines(SPECTATOR))
    (olla,) = [r for r in page.reviews if r.author == "ollavatelli"]
    assert "\n\n" not in olla.text and olla.text.count("\n") == 3


def test_singular_follower_and_review() -> None:
    text = SPECTATOR.replace("11 abonnés 344 critiques", "1 abonné 1 critique")
    text = text.replace("23 abonnés 866 critiques Suivre son activité", "1 abonné\n1 critique\nSuivre")
    page = _spectator(text)
    assert len(page.reviews) == 15
    tof, mulder = page.reviews[1], page.reviews[13]
    assert (tof.author, tof.followers, tof.author_reviews) == ("Tof Benjamin", 1, 1)
    assert (mulder.author, mulder.followers, mulder.author_reviews) == ("Mulder13", 1, 1)
    assert tof.text == ORIGINAL.reviews[1].text


def test_stats_with_separators_and_read_more_buttons() -> None:
    text = SPECTATOR.replace("574 abonnés 3\u202f461 critiques", "574 abonnés · 3\u202f461 critiques ·")
    text = text.replace("plutôt sympa.\n", "plutôt sympa.\n    Lire plus\n")
    page = _spectator(text)
    _same_cards(page)


def test_first_of_the_month_written_1er() -> None:
    text = SPECTATOR.replace("Publiée le 1 septembre 2020", "Publiée le 1er septembre 2020")
    text = text.replace("Publiée le 1 juillet 2012", "Publiée le 1er juillet 2012")
    page = _spectator(text)
    _same_cards(page)
    assert page.reviews[4].published == date(2020, 9, 1)
    assert page.reviews[10].published == date(2012, 7, 1)


def test_other_date_and_rating_forms() -> None:
    text = SPECTATOR.replace("Publiée le 25 janvier 2023", "Publiée le 25/01/2023")
    text = text.replace("Publiée le 12 janvier 2023", "publiée le 12 Janvier 2023")
    text = text.replace("    1,0\n", "    1.0/5\n")
    page = _spectator(text)
    _same_cards(page)


def test_author_name_printed_once() -> None:
    text = SPECTATOR.replace("    Shawn777\n    Shawn777\n", "    Shawn777\n")
    tof_card = "    Tof Benjamin\n    Tof Benjamin\n\n    11 abonnés 344 critiques Suivre son activité\n"
    text = text.replace(tof_card, "    Tof Benjamin\n")
    text = text.replace("    anonyme\n    Un visiteur\n    3,0", "    Un visiteur\n    3,0")
    page = _spectator(text)
    assert [r.author for r in page.reviews] == [r.author for r in ORIGINAL.reviews]
    assert [r.text for r in page.reviews] == [r.text for r in ORIGINAL.reviews]
    assert (page.reviews[1].followers, page.reviews[1].author_reviews) == (None, None)


def test_title_from_the_prompt_when_the_header_has_other_lines() -> None:
    text = SPECTATOR.replace("Mon compte\n", "Films\nCritiques spectateurs\n")
    assert _spectator(text).title == "Derrière le masque"


# --- pages cut short -----------------------------------------------------------------------------


def test_cut_in_the_middle_of_the_last_review() -> None:
    text = cut_after(SPECTATOR, "quelque peu deviné", keep=len("quelque pe"))
    page = _spectator(text)
    _same_cards(page, count=14)
    assert len(page.warnings) == 1
    assert "ligne 130" in page.warnings[0] and "coupée" in page.warnings[0]


def test_cut_in_the_middle_of_a_review_with_paragraphs() -> None:
    text = cut_after(SPECTATOR, "La première partie du film est la prés")
    page = _spectator(text)
    _same_cards(page, count=6)
    assert len(page.warnings) == 1 and "ligne 73" in page.warnings[0]


SPLIT = stats_on_three_lines(SPECTATOR)
CUT_CARDS = {
    # page, what it is cut after (last occurrence), cards kept, line where the cut card starts
    "after the author's name (twice)": (SPECTATOR, "    Mulder13\n    Mulder13\n", 13, 122),
    "after the author's name (once)": (SPECTATOR, "    Mulder13\n", 13, 122),
    "after the author's stats": (SPECTATOR, "23 abonnés 866 critiques Suivre son activité\n", 13, 122),
    "after the author's stats, split": (SPLIT, "866 critiques\n", 13, 122 + 2 * 9),
    "after the rating": (SPECTATOR, "Suivre son activité\n\n    2,0\n", 13, 122),
    "after a name printed once and the rating": (
        SPECTATOR.replace(
            "    Mulder13\n    Mulder13\n\n    23 abonnés 866 critiques Suivre son activité\n\n",
            "    Mulder13\n",
        ),
        "    Mulder13\n    2,0",
        13,
        122,
    ),
    "after an anonymous visitor": (SPECTATOR, "    anonyme\n    Un visiteur\n", 14, 130),
    "after an anonymous visitor's rating": (SPECTATOR, "    anonyme\n    Un visiteur\n    3,5", 14, 130),
}


@pytest.mark.parametrize(("source", "anchor", "kept", "line"), CUT_CARDS.values(), ids=CUT_CARDS.keys())
def test_cut_after_a_card_header_without_date(source: str, anchor: str, kept: int, line: int) -> None:
    page = _spectator(cut_after(source, anchor))
    _same_cards(page, count=kept)
    assert len(page.warnings) == 1, page.warnings
    assert f"ligne {line}" in page.warnings[0]


def test_cut_right_after_a_date() -> None:
    text = cut_after(SPECTATOR, "Publiée le 8 juin 2011\n")
    page = _spectator(text)
    _same_cards(page, count=14)
    assert len(page.warnings) == 1 and "ligne 130" in page.warnings[0]


# --- one line lost ---------------------------------------------------------------------------------


def _without_line(text: str, number: int) -> str:
    lines = text.split("\n")
    return "\n".join(lines[: number - 1] + lines[number:])


@pytest.mark.parametrize("number", [38, 79, 97, 133])
def test_card_without_its_date_is_reported_and_the_others_kept(number: int) -> None:
    assert SPECTATOR.split("\n")[number - 1].strip().startswith("Publiée le")
    page = _spectator(_without_line(SPECTATOR, number))
    lost = [r for r in ORIGINAL.reviews if r.line is not None and r.line < number][-1]
    expected = [_card(r, paragraphs=True) for r in ORIGINAL.reviews if r is not lost]
    assert [_card(r, paragraphs=True) for r in page.reviews] == expected
    assert len(page.warnings) == 1 and f"ligne {lost.line}" in page.warnings[0]


def test_every_single_line_lost_costs_at_most_one_card() -> None:
    lines = SPECTATOR.split("\n")
    original = {_card(r, paragraphs=True) for r in ORIGINAL.reviews}
    for number in range(1, len(lines) + 1):
        page = _spectator(_without_line(SPECTATOR, number))
        kept = original & {_card(r, paragraphs=True) for r in page.reviews}
        assert len(kept) >= len(original) - 1, f"ligne {number} : {lines[number - 1].strip()[:40]}"


@pytest.mark.parametrize("number", [3, 6, 44, 87])
def test_press_entry_without_its_outlet_is_reported_and_the_others_kept(number: int) -> None:
    page = _press(_without_line(PRESS, number))
    lost = PRESS.split("\n")[number - 1]
    assert [r.outlet for r in page.reviews] == [r.outlet for r in ORIGINAL_PRESS.reviews if r.outlet != lost]
    assert all(r in ORIGINAL_PRESS.reviews for r in page.reviews if r.line is not None and r.line < number)
    assert f"ligne {number} : critique presse sans nom de journal, ignorée" in page.warnings
    assert "la page annonce 24 critiques presse, 23 lues" in page.warnings


def test_every_single_press_line_lost_costs_at_most_one_review() -> None:
    lines = PRESS.split("\n")
    original = {_entry(r) for r in ORIGINAL_PRESS.reviews}
    for number in range(1, len(lines) + 1):
        if lines[number - 1].startswith("par "):
            continue  # an outlet without its critic joins the quote above: the count warns about it
        page = _press(_without_line(PRESS, number))
        kept = original & {_entry(r) for r in page.reviews}
        assert len(kept) >= len(original) - 1, f"ligne {number} : {lines[number - 1][:40]}"


# --- press page ----------------------------------------------------------------------------------

PRESS_SAME: dict[str, Callable[[str], str]] = {
    "no changes": lambda t: t,
    "indented": lambda t: "\n".join("    " + line for line in t.split("\n")),
    "blank line between every line": blank_between_lines,
    "CRLF and trailing newline": lambda t: crlf(t + "\n"),
    "all spaces NBSP": lambda t: spaces(t, plain=NBSP, nnbsp=NBSP),
    "without the short repeated list": lambda t: "\n".join(t.split("\n")[:90]),
    "with site links at the end": lambda t: t + "\nLes meilleurs films de tous les temps\n• Meilleurs films",
}


@pytest.mark.parametrize("transform", PRESS_SAME.values(), ids=PRESS_SAME.keys())
def test_press_variant_reads_the_same_reviews(transform: Callable[[str], str]) -> None:
    page = _press(transform(PRESS))
    _same_press(page)
    assert page.figures.reviews_count == 24
    assert page.warnings == []


def test_press_page_with_the_film_title() -> None:
    page = _press("Mon compte\nBackstage\n" + PRESS)
    assert page.title == "Backstage"
    _same_press(page)
    assert page.reviews[1].line == 8  # Le Monde's outlet line, two lines further down


def test_press_page_with_average_and_outlet_list() -> None:
    header, blocks, short = press_blocks(PRESS)
    kept = blocks[:12]
    outlets = [block[0] for block in kept]
    text = "\n".join(
        [
            "Mon compte",
            "Backstage",
            "Note moyenne",
            "3,4",
            "12 titres de presse",
            *(f"• {outlet}" for outlet in outlets),
            header[0],  # "Chaque magazine ou journal…" (the seed's count, 24, is replaced above)
            *(line for block in kept for line in block),
            *short[: 2 * 12],
        ]
    )
    page = _press(text)
    assert page.title == "Backstage"
    assert page.figures.average == 3.4
    assert page.figures.reviews_count == 12
    assert [r.outlet for r in page.reviews] == outlets
    assert [r.quote for r in page.reviews] == [r.quote for r in ORIGINAL_PRESS.reviews[:12]]
    assert page.warnings == []


def test_press_outlet_without_critic_is_read_when_the_outlet_list_names_it() -> None:
    _, blocks, _ = press_blocks(PRESS)
    kept = [list(block) for block in blocks[:6]]
    del kept[4][1]  # Zurban: no `par …` line
    text = "\n".join(
        [
            "Backstage",
            "6 titres de presse",
            *(f"• {block[0]}" for block in kept),
            *(line for block in kept for line in block),
        ]
    )
    page = _press(text)
    assert [(r.outlet, r.critic) for r in page.reviews] == [
        ("L'Humanité", "Dominique Widemann"),
        ("Le Monde", "Jean-Luc Douin"),
        ("Le Point", "Olivier De Bruyn"),
        ("Télérama", "Marine Landrot"),
        ("Zurban", None),
        ("Cahiers du Cinéma", "Jean-Michel Frodon"),
    ]
    assert page.reviews[4].quote == ORIGINAL_PRESS.reviews[4].quote
    assert page.warnings == []


def test_press_short_list_with_critics_is_not_read_twice() -> None:
    header, blocks, _ = press_blocks(PRESS)
    full = [line for block in blocks for line in block]
    again = [line for block in blocks for line in block if not line.startswith("La critique complète")]
    page = _press("\n".join([*header, *full, *again]))
    _same_press(page)


def test_press_quote_on_several_lines() -> None:
    text = PRESS.replace(
        "Aussi réel qu'un mirage, ce film est vraiment fan... tastique.\nLa critique",
        "Aussi réel qu'un mirage,\nce film est vraiment fan... tastique.\nLa critique",
    )
    page = _press(text)
    assert page.reviews[9].quote == "Aussi réel qu'un mirage,\nce film est vraiment fan... tastique."


# --- plain reviews -------------------------------------------------------------------------------

PLAIN_SAME: dict[str, Callable[[str], str]] = {
    "trailing newline": lambda t: t + "\n",
    "CRLF": crlf,
    "blank line between every line": blank_between_lines,
    "indented": lambda t: "\n".join("  " + line for line in t.split("\n")),
    "NBSP": lambda t: spaces(t, plain=NBSP),
}


@pytest.mark.parametrize("transform", PLAIN_SAME.values(), ids=PLAIN_SAME.keys())
def test_plain_variant_reads_the_same_texts(transform: Callable[[str], str]) -> None:
    page = parse_text(transform(PLAIN))
    assert isinstance(page, ParsedPlainReviews)
    assert page.texts == [line.strip() for line in PLAIN.split("\n")]
