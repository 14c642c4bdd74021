"""Page bytes → text: one bad byte in a UTF-8 page costs one character, never the whole page."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from storage.pages import ParsedPage, ParsedPressPage, ParsedSpectatorPage, decode, parse_page
from tests.conftest import PRESS_SEED, SPECTATOR_SEED

HTML = Path(__file__).resolve().parent.parent / "fixtures" / "html"
PAGES = [
    SPECTATOR_SEED,
    PRESS_SEED,
    HTML / "spectateurs_derriere_le_masque.html",
    HTML / "presse_backstage.html",
    HTML / "spectateurs_obfuscated.html",
]
ACCENTED = "é".encode()


def _without_replacements(page: ParsedPage) -> ParsedPage:
    """The page with U+FFFD removed from its reviews' texts, to compare with the clean page."""
    if isinstance(page, ParsedSpectatorPage):
        reviews = [replace(r, text=r.text.replace("\ufffd", "").strip()) for r in page.reviews]
        return replace(page, reviews=reviews)
    if isinstance(page, ParsedPressPage):
        quoted = [replace(r, quote=r.quote.replace("\ufffd", "") if r.quote else None) for r in page.reviews]
        return replace(page, reviews=quoted)
    return page


def _in_words(raw: bytes, start: int) -> int:
    """The first accented letter after `start` on a long line of words (a review's, not markup)."""
    at = raw.index(ACCENTED, start)
    while True:
        line = raw[raw.rfind(b"\n", 0, at) + 1 : raw.find(b"\n", at)]
        if len(line) > 60 and b"<" not in line and b">" not in line and b"critique" not in line:
            return at
        at = raw.index(ACCENTED, at + 1)


def _stray_byte_in_a_review(raw: bytes, byte: bytes) -> bytes:
    """`byte` inserted after an accented letter in the middle of the page, inside a review's words."""
    at = _in_words(raw, len(raw) // 2) + len(ACCENTED)
    return raw[:at] + byte + raw[at:]


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
@pytest.mark.parametrize("byte", [b"\xff", b"\x80", b"\xc3", b"\xe9"])
def test_one_stray_byte_costs_one_character(path: Path, byte: bytes) -> None:
    raw = path.read_bytes()
    clean = parse_page(raw)
    mutated = parse_page(_stray_byte_in_a_review(raw, byte))
    assert "Ã" not in str(mutated)  # no mojibake anywhere
    assert str(mutated).count("\ufffd") == 1
    assert _without_replacements(mutated) == clean


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_a_page_cut_inside_an_accented_character(path: Path) -> None:
    raw = path.read_bytes()
    at = _in_words(raw, len(raw) * 2 // 3)
    cut = raw[: at + 1]  # the first of the letter's two bytes
    page = parse_page(cut)
    assert "Ã" not in str(page)
    assert _without_replacements(page) == parse_page(raw[:at])


def test_windows_1252_pages_still_read() -> None:
    text = SPECTATOR_SEED.read_text(encoding="utf-8")
    text = text.encode("cp1252", "replace").decode("cp1252")  # NNBSP and the like have no byte there
    assert decode(text.encode("cp1252")) == text
    assert parse_page(text.encode("cp1252")) == parse_page(text.encode("utf-8"))


def test_declared_utf8_wins_over_a_majority_of_bad_bytes() -> None:
    raw = b'<html><head><meta charset="utf-8"></head><body><p>D\xe9j\xe0 vu \xe9t\xe9</p></body></html>'
    assert "\ufffd" in decode(raw) and "é" not in decode(raw)
    raw = b'<meta http-equiv="Content-Type" content="text/html; charset=UTF-8"><p>\xe9t\xe9</p>'
    assert decode(raw).count("\ufffd") == 2


def test_declared_windows_1252_is_read_as_such() -> None:
    raw = b'<html><head><meta charset="windows-1252"></head><body><p>D\xe9j\xe0 vu</p></body></html>'
    assert "Déjà vu" in decode(raw)
    raw = b'<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"><p>\xe9t\xe9</p>'
    assert "été" in decode(raw)


def test_byte_order_mark_and_undefined_windows_bytes() -> None:
    assert decode("\ufeffDéjà".encode()) == "Déjà"
    assert decode(b"caf\xe9 \x81 ok") == "café \ufffd ok"  # 0x81 means nothing in Windows-1252
