"""Real pages mix the traits of the eras: any header followed by any sequence of cards of any era's
shape, in any dump layout, reads exactly. Built in code, so each example says what it holds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from storage.pages import ParsedSpectatorPage, SiteFigures
from storage.pages.text import parse_text
from tests.pages.test_layouts import ALL, Card, cards

HEADERS: dict[str, tuple[str, str | None, SiteFigures]] = {
    "today": (
        "Mon compte\nLe Quai\nNote moyenne\n3,0\n40 notes\n\n12 critiques spectateurs\n\n"
        "5\n2 critiques\n4\n2 critiques\n3\n2 critiques\n2\n2 critiques\n1\n2 critiques\n0\n2 critiques\n"
        "Trier par :\nLes plus utiles Les plus récentes\n",
        "Le Quai",
        SiteFigures(3.0, 40, 12, {"5": 2, "4": 2, "3": 2, "2": 2, "1": 2, "0": 2}),
    ),
    "2016": (
        "Mon AlloCiné\nMes vidéos\nDéconnexion\nLe Quai\nSéances Casting Critiques spectateurs Photos\n"
        "note moyenne\n3,0 40 notes dont 12 critiques\n"
        "17% (2 critiques)\n17% (2 critiques)\n17% (2 critiques)\n17% (2 critiques)\n17% (2 critiques)\n"
        "15% (2 critiques)\nTrier par\nLes plus utiles\n",
        "Le Quai",
        SiteFigures(3.0, 40, 12, {"5": 2, "4": 2, "3": 2, "2": 2, "1": 2, "0": 2}),
    ),
    "2012": (
        "Le Quai\n  • Séances\n  • Critiques spectateurs\n"
        "Note moyenne :   3,0 pour 40 notes dont 12 critiques  |\n"
        + "  • 2 critiques     17%\n" * 6
        + "12 critiques spectateurs\nTrier par\nLes plus récentes\n  • Critiques les plus utiles\n",
        "Le Quai",
        SiteFigures(3.0, 40, 12, {"5": 2, "4": 2, "3": 2, "2": 2, "1": 2, "0": 2}),
    ),
    "later page": (
        "Les plus utilesLes plus récentesMembres avec le plus d'abonnés\nFiltrer par :\nToutes les notes\n",
        None,
        SiteFigures(),
    ),
}


def _text(n: int) -> str:
    return f"Texte numéro {n}, écrit pour ce test."


CARDS: dict[str, Callable[[int], tuple[str, Card]]] = {
    "today, name twice": lambda n: (
        f"Membre {n}\nMembre  {n}\n\n{n} abonnés {n * 10} critiques Suivre son activité\n\n3,5\n"
        f"Publiée le {n} mars 2021\n{_text(n)}\n",
        (f"Membre {n}", 3.5, date(2021, 3, n), n, n * 10, _text(n)),
    ),
    "today, name once, stats on three lines": lambda n: (
        f"Membre {n}\n{n * 10} critiques\n1 abonné\nSuivre son activité\n4,0\n"
        f"Publiée le 1er mai 2022\n{_text(n)}\n",
        (f"Membre {n}", 4.0, date(2022, 5, 1), 1, n * 10, _text(n)),
    ),
    "a name written like a sentence, once, with stats": lambda n: (
        f"{n}e art. Jean-P.\n{n} abonnés {n * 10} critiques Suivre son activité\n2,5\nPubliée le 3 mai 2022\n"
        f"{_text(n)}\n",
        (f"{n}e art. Jean-P.", 2.5, date(2022, 5, 3), n, n * 10, _text(n)),
    ),
    "2016, glued": lambda n: (
        f"Membre {n}\nSuivre son activité {n} abonnés Lire ses {n * 10} critiques\n"
        f"4,0Très bien • Publiée le {n:02d}/06/2016\n{_text(n)}\n",
        (f"Membre {n}", 4.0, date(2016, 6, n), n, n * 10, _text(n)),
    ),
    "2016, label then date": lambda n: (
        f"Membre {n}\nSuivre son activité Lire sa critique\n5,0Chef-d'oeuvre\n"
        f"Publiée le 10/07/2016\n{_text(n)}\n",
        (f"Membre {n}", 5.0, date(2016, 7, 10), None, 1, _text(n)),
    ),
    "2016, rating then its label on a line of its own": lambda n: (
        f"Membre {n}\nSuivre son activité {n} abonnés Lire ses {n * 10} critiques\n3,0\nPas mal\n"
        f"Publiée le {n:02d}/06/2017\n{_text(n)}\n",
        (f"Membre {n}", 3.0, date(2017, 6, n), n, n * 10, _text(n)),
    ),
    "no author line, rating then its label": lambda n: (
        f"1,0\nTrès mauvais\nPubliée le {n} février 2017\n{_text(n)}\n",
        (None, 1.0, date(2017, 2, n), None, None, _text(n)),
    ),
    "2012": lambda n: (
        f"Membre {n}\n{n} abonnés | Lire ses {n * 10} critiques |\n   4.5 - Excellent\n{_text(n)}\n",
        (f"Membre {n}", 4.5, None, n, n * 10, _text(n)),
    ),
    "2012, anonymous": lambda n: (
        f"Un visiteur\n   2 - Pas terrible\n{_text(n)}\n",
        (None, 2.0, None, None, None, _text(n)),
    ),
    "anonymous": lambda n: (
        f"Un visiteur\n2,0\nPubliée le {n} avril 2020\n{_text(n)}\n",
        (None, 2.0, date(2020, 4, n), None, None, _text(n)),
    ),
    "anonyme, Un visiteur": lambda n: (
        f"anonyme\nUn visiteur\n0,5\nPubliée le {n} avril 2020\n{_text(n)}\n",
        (None, 0.5, date(2020, 4, n), None, None, _text(n)),
    ),
    "no author line": lambda n: (
        f"1,5\nPubliée le {n} janvier 2019\n{_text(n)}\n",
        (None, 1.5, date(2019, 1, n), None, None, _text(n)),
    ),
}


@settings(max_examples=400, deadline=None)
@given(
    header=st.sampled_from(list(HEADERS)),
    styles=st.lists(st.sampled_from(list(CARDS)), min_size=1, max_size=6),
    transform=st.sampled_from(list(ALL)),
    footer=st.sampled_from(["", "Back to Top\n", "Précédente 1 2 3 Suivante\n"]),
)
def test_any_header_then_any_cards(header: str, styles: list[str], transform: str, footer: str) -> None:
    head, title, figures = HEADERS[header]
    built = [CARDS[style](n) for n, style in enumerate(styles, start=1)]
    page = parse_text(ALL[transform](head + "".join(text for text, _ in built) + footer))
    assert isinstance(page, ParsedSpectatorPage)
    assert (page.title, page.figures) == (title, figures)
    assert cards(page) == [card for _, card in built]
    assert page.warnings == []
