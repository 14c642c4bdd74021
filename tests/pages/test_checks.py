"""What the parsers never pass on: control characters in texts, impossible dates, non-web links."""

from __future__ import annotations

import gc
import threading
import time
from datetime import date
from pathlib import Path

import pytest

from storage.pages import PageTooSlow, ParsedPressPage, ParsedSpectatorPage, parse_page
from storage.pages.checks import EARLIEST_REVIEW, Reading, site_link, strip_controls, tick, web_link
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


# --- links --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "link"),
    [
        ("https://www.lemonde.fr/a?b=1#c", "https://www.lemonde.fr/a?b=1#c"),
        (" http://cinelive.fr/x ", "http://cinelive.fr/x"),
        ("/redirection/?site=lexpress", "https://www.allocine.fr/redirection/?site=lexpress"),
        ("javascript:alert(1)", None),
        ("JavaScript://%0aalert(1)", None),
        ("data:text/html;base64,PHNjcmlwdD4=", None),
        ("vbscript:msgbox", None),
        ("//evil.example/x", None),
        ("../critique.html", None),
        ("critique.html", None),
        ("https://www.allocine.fr@evil.example/", None),
        ("https://", None),
        ("https://www.x.fr:evil/", None),
        ("https://bad host.fr/", None),
        ("https://x.fr/\nSet-Cookie", None),
        ("ftp://files.example.fr/x", None),
        ("", None),
        (None, None),
    ],
)
def test_web_link(raw: str | None, link: str | None) -> None:
    assert web_link(raw) == link


def test_site_link() -> None:
    assert site_link("www.lepoint.fr.") == "https://www.lepoint.fr"
    assert site_link("http://cinelive.fr") == "http://cinelive.fr"
    assert site_link("javascript:alert(1)") is None
    assert site_link("data:text/html,x") is None


def _press_item(n: int, outlet: str, link_html: str) -> str:
    return (
        f'<div class="item hred" id="pressreview{n}"><h2 class="title">{outlet}</h2>'
        f'<div class="meta"><span class="author">par Critique {n}</span></div>{link_html}</div>'
    )


def test_html_press_links_are_web_addresses_only() -> None:
    items = [
        _press_item(
            1, "Le Point", '<a href="javascript:alert(1)">Voir la critique sur javascript:alert(1)</a>'
        ),
        _press_item(2, "L'Express", '<a href="data:text/html,x">Voir la critique sur www.lexpress.fr</a>'),
        _press_item(
            3,
            "Le Monde",
            '<p class="text">Un beau film.</p><a href="/redirection/?site=lemonde">'
            "La critique complète est disponible sur le site Le Monde</a>",
        ),
        _press_item(
            4, "Studio", '<a href="  https://www.studiomag.com/x  ">Voir la critique sur www.x.fr</a>'
        ),
    ]
    page = parse_page("<html><body><h1>Backstage</h1>" + "".join(items) + "</body></html>")
    assert isinstance(page, ParsedPressPage)
    assert {r.outlet: r.link for r in page.reviews} == {
        "Le Point": None,
        "L'Express": "https://www.lexpress.fr",
        "Le Monde": "https://www.allocine.fr/redirection/?site=lemonde",
        "Studio": "https://www.studiomag.com/x",
    }


def test_text_press_links_are_web_addresses_only() -> None:
    page = parse_page(
        "Backstage\n3 critiques presse\n"
        "Le Point\npar Olivier De Bruyn\nVoir la critique sur javascript:alert(1)\n"
        "L'Express\npar Sophie Grassin\nVoir la critique sur data:text/html,x\n"
        "Studio\npar Alain Spira\nVoir la critique sur www.studiomag.com\n"
    )
    assert isinstance(page, ParsedPressPage)
    assert [r.link for r in page.reviews] == [None, None, "https://www.studiomag.com"]


# --- dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", [SPECTATOR_SEED, HTML / "spectateurs_derriere_le_masque.html"], ids=lambda p: p.name
)
@pytest.mark.parametrize("forged", ["1 janvier 2999", "3 mars 1999", "31 décembre 1899"])
def test_impossible_dates_are_dropped_with_a_warning(path: Path, forged: str) -> None:
    raw = path.read_text(encoding="utf-8")
    clean = parse_page(raw)
    assert isinstance(clean, ParsedSpectatorPage)
    page = parse_page(raw.replace("Publiée le 25 janvier 2023", f"Publiée le {forged}"))
    assert isinstance(page, ParsedSpectatorPage)
    first, *others = page.reviews
    assert first.published is None
    assert first.author == "Shawn777"
    assert others == clean.reviews[1:]
    (warning,) = page.warnings
    assert "date de publication" in warning and "ignorée" in warning


@pytest.mark.parametrize(
    ("today", "kept"),
    [(date(2023, 1, 25), True), (date(2023, 1, 24), True), (date(2023, 1, 23), False)],
)
def test_a_date_after_tomorrow_is_in_the_future(today: date, kept: bool) -> None:
    for raw in (SPECTATOR_SEED.read_bytes(), (HTML / "spectateurs_derriere_le_masque.html").read_bytes()):
        page = parse_page(raw, today=today)
        assert isinstance(page, ParsedSpectatorPage)
        first = page.reviews[0]
        assert first.published == (date(2023, 1, 25) if kept else None)
        assert bool(page.warnings) is not kept
        assert all(r.published is not None for r in page.reviews[1:])


def test_earliest_review_date_is_kept() -> None:
    text = SPECTATOR_SEED.read_text(encoding="utf-8").replace("25 janvier 2023", "1 janvier 2000")
    page = parse_page(text)
    assert isinstance(page, ParsedSpectatorPage)
    assert page.reviews[0].published == EARLIEST_REVIEW == date(2000, 1, 1)


# --- the garbage collector while a page is read -------------------------------------------------


def test_the_collector_waits_while_pages_are_read_and_runs_again_after() -> None:
    assert gc.isenabled()
    seen: list[bool] = []
    with Reading(seconds=None).timed():
        seen.append(gc.isenabled())
        with Reading().timed():  # parse_html reading its text layer
            seen.append(gc.isenabled())
        seen.append(gc.isenabled())
    assert seen == [False, False, False]
    assert gc.isenabled()
    with pytest.raises(PageTooSlow), Reading(seconds=0.0).timed():
        time.sleep(0.01)
        tick()
    assert gc.isenabled()


def test_the_collector_runs_again_after_the_last_of_readings_in_several_threads() -> None:
    inside = threading.Barrier(2)
    leave = threading.Event()

    def read() -> None:
        with Reading(seconds=None).timed():
            inside.wait()
            leave.wait()

    first = threading.Thread(target=read)
    first.start()
    with Reading(seconds=None).timed():
        inside.wait()
        leave.set()
        first.join()
        assert not gc.isenabled()  # the other reading is done, this one is not
    assert gc.isenabled()


def test_a_collector_switched_off_by_the_program_stays_off() -> None:
    gc.disable()
    try:
        with Reading().timed():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
