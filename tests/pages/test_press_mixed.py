"""Press pages mix their traits too: any header (or none), then any sequence of entries of any shape,
with or without the repeated short list and a footer, in any dump layout, reads exactly."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from storage.pages import ParsedPressPage
from storage.pages.text import parse_text
from tests.pages.test_layouts import SAME
from tests.pages.test_press_layouts import Entry, entries

OUTLETS = ["Le Monde du Film", "Ciné Hebdo", "L'Écran Noir", "Studio 7", "Regards Croisés", "La Lanterne"]
DISCLAIMER = (
    "Chaque magazine ou journal ayant son propre système de notation, toutes les notes attribuées sont "
    "remises au barême de AlloCiné, de 1 à 5 étoiles. Retrouvez plus d'infos sur notre page Revue de presse "
    "pour en savoir plus.\n"
)


def _quote(n: int) -> str:
    return f"Une critique numéro {n}, qui dit tout le bien (...) qu'elle pense du film."


# Each entry's lines, and what is read of it (outlet, critic, quote, link); `{o}` is the outlet.
ENTRIES: dict[str, Callable[[str, int], tuple[str, Entry]]] = {
    "critic, quote, full review line": lambda o, n: (
        f"{o}\npar Anne Martin\n{_quote(n)}\nLa critique complète est disponible sur le site {o}\n",
        (o, "Anne Martin", _quote(n), None),
    ),
    "critic, quote": lambda o, n: (f"{o}\npar Paul Roy\n{_quote(n)}\n", (o, "Paul Roy", _quote(n), None)),
    "two critics": lambda o, n: (
        f"{o}\npar A. Blanc et C. Noir\n{_quote(n)}\n",
        (o, "A. Blanc et C. Noir", _quote(n), None),
    ),
    "quote on two lines": lambda o, n: (
        f"{o}\npar J.-P.L.\nPremière ligne {n}, sans fin de phrase\n{_quote(n)}\n",
        (o, "J.-P.L.", f"Première ligne {n}, sans fin de phrase\n{_quote(n)}", None),
    ),
    "quote, then its source and date": lambda o, n: (
        f"{o}\npar Jean Vidal\n{_quote(n)}\nFrance-Soir, {n + 1} septembre 69\n"
        f"La critique complète est disponible sur le site {o}\n",
        (o, "Jean Vidal", f"{_quote(n)}\nFrance-Soir, {n + 1} septembre 69", None),
    ),
    "no critic, quote, then its source": lambda o, n: (
        f"{o}\n{_quote(n)}\nN°{n}97, mars 1994\n",
        (o, None, f"{_quote(n)}\nN°{n}97, mars 1994", None),
    ),
    "link only": lambda o, n: (
        f"{o}\npar La Rédaction\nVoir la critique sur www.site{n}.example\n",
        (o, "La Rédaction", None, f"https://www.site{n}.example"),
    ),
    "link, full review line": lambda o, n: (
        f"{o}\npar la rédaction\nVoir la critique sur www.site{n}.example\n"
        f"La critique complète est disponible sur le site {o}\n",
        (o, "la rédaction", None, f"https://www.site{n}.example"),
    ),
    "no critic, quote": lambda o, n: (f"{o}\n{_quote(n)}\n", (o, None, _quote(n), None)),
    "no critic, quote, full review line": lambda o, n: (
        f"{o}\n{_quote(n)}\nLa critique complète est disponible sur le site {o}\n",
        (o, None, _quote(n), None),
    ),
}
HEADERS = {
    "title, average, bullets": lambda outlets: (
        "Le Quai\nNote moyenne\n3,5\n"
        + f"{len(outlets)} titres de presse\n"
        + "".join(f"• {o}\n" for o in outlets)
        + DISCLAIMER,
        "Le Quai",
    ),
    "old URL, bare list": lambda outlets: (
        "Le Quai : Critique presse\nLe Quai\n" + "".join(f"{o}\n" for o in outlets) + DISCLAIMER,
        "Le Quai",
    ),
    "disclaimer only": lambda outlets: (DISCLAIMER, None),
    "disclaimer and count": lambda outlets: (DISCLAIMER + f"{len(outlets)} critiques presse\n", None),
}


@settings(max_examples=400, deadline=None)
@given(
    header=st.sampled_from(list(HEADERS)),
    shapes=st.lists(st.sampled_from(list(ENTRIES)), min_size=2, max_size=6),
    short_list=st.booleans(),
    footer=st.sampled_from(["", "Back to Top\n"]),
    transform=st.sampled_from(list(SAME)),
)
def test_any_header_then_any_entries(
    header: str, shapes: list[str], short_list: bool, footer: str, transform: str
) -> None:
    outlets = OUTLETS[: len(shapes)]
    built = [ENTRIES[shape](outlet, n) for n, (outlet, shape) in enumerate(zip(outlets, shapes, strict=True))]
    head, title = HEADERS[header](outlets)
    short = "".join(f"{o}\n{q}\n" if q else f"{o}\n" for o, _c, q, _l in (entry for _, entry in built))
    text = head + "".join(lines for lines, _ in built) + (short if short_list else "") + footer
    page = parse_text(SAME[transform](text))
    assert isinstance(page, ParsedPressPage)
    assert page.title == title
    assert entries(page) == [entry for _, entry in built]
