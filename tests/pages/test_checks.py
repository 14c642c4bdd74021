"""What the parsers never pass on: control characters in texts, impossible dates, non-web links."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.pages import parse_page
from storage.pages.checks import strip_controls
from tests.conftest import PRESS_SEED, SPECTATOR_SEED

HTML = Path(__file__).resolve().parent.parent / "fixtures" / "html"


def _with(raw: bytes, anchor: bytes, inserted: bytes) -> bytes:
    at = raw.index(anchor, 4096)  # past the 4 KB that decode sniffs for binary files
    return raw[:at] + inserted + raw[at:]


# --- control characters -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "anchors"),
    [
        (HTML / "spectateurs_derriere_le_masque.html", [b"Leslie Vernon", b"Tof Benjamin", b"Publi"]),
        (HTML / "presse_backstage.html", [b"Pascal M", b"Alain Spira", b"Studio"]),
        (SPECTATOR_SEED, [b"Leslie Vernon", b"ollavatelli", b"Petite d"]),
        (PRESS_SEED, [b"Studio Magazine", b"Laurence", b"pose sur ses"]),
    ],
    ids=lambda value: value.name if isinstance(value, Path) else "",
)
def test_control_characters_never_reach_the_output(path: Path, anchors: list[bytes]) -> None:
    raw = path.read_bytes()
    mutated = raw
    for anchor in anchors:
        mutated = _with(mutated, anchor, b"\x00\x07\x1b\x7f" + "\u0080\u009f".encode())
    page = parse_page(mutated)
    assert "\\x" not in repr(page)  # repr escapes every control character
    assert page == parse_page(raw)


def test_strip_controls_keeps_lines_and_tabs() -> None:
    assert strip_controls("a\x00b\tc\nd\x1b[31me\x85\x9f") == "ab\tc\nd[31me"
    assert strip_controls("Déjà vu — « ok » 🎬") == "Déjà vu — « ok » 🎬"
