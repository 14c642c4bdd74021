"""The text parser on the three real seeds: exact figures, authors, dates, texts and quotes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from storage.pages import (
    OutletReview,
    PageError,
    ParsedOutletPage,
    ParsedPlainReviews,
    ParsedPressPage,
    ParsedSpectatorPage,
)
from storage.pages.text import parse_text
from tests.conftest import PLAIN_SEED, PRESS_SEED, SPECTATOR_SEED
from tests.pages import seeds
from tests.pages.seeds import by_author, by_outlet

SITE_LINKS = ("Les meilleurs films", "Meilleurs films", "Back to Top", "selon la presse")


@pytest.fixture(scope="module")
def spectator() -> ParsedSpectatorPage:
    return seeds.spectator_seed()


@pytest.fixture(scope="module")
def press() -> ParsedPressPage:
    return seeds.press_seed()


# --- spectator page: Derrière le masque --------------------------------------------------------


def test_spectator_page_figures(spectator: ParsedSpectatorPage) -> None:
    assert spectator.kind == "spectateurs"
    assert spectator.title == "Derrière le masque"
    assert spectator.figures.average == 2.3
    assert spectator.figures.ratings_count == 158
    assert spectator.figures.reviews_count == 39
    assert spectator.figures.histogram == {"5": 3, "4": 7, "3": 8, "2": 10, "1": 2, "0": 9}
    assert list(spectator.figures.histogram) == ["5", "4", "3", "2", "1", "0"]
    assert spectator.warnings == []


def test_spectator_cards_authors_and_anonymous(spectator: ParsedSpectatorPage) -> None:
    assert len(spectator.reviews) == 15
    assert [r.author for r in spectator.reviews] == [
        "Shawn777",
        "Tof Benjamin",
        "Vinz1",
        "Ykarpathakis157",
        "Le Guerrier",
        "DarioFulci",
        "ollavatelli",
        "PowerKing - Les Chroniques du Cinéphile",
        None,
        "Terreurvision",
        None,
        None,
        None,
        "Mulder13",
        None,
    ]
    anonymous = [r for r in spectator.reviews if r.author is None]
    assert len(anonymous) == 5
    assert all(r.followers is None and r.author_reviews is None for r in anonymous)


def test_spectator_ratings_in_page_order(spectator: ParsedSpectatorPage) -> None:
    assert [r.rating for r in spectator.reviews] == [
        3.0, 1.0, 4.0, 0.5, 4.0, 0.5, 2.0, 2.0, 3.5, 2.5, 3.0, 3.0, 3.5, 2.0, 3.5,
    ]  # fmt: skip


def test_spectator_dates_in_page_order(spectator: ParsedSpectatorPage) -> None:
    assert [r.published for r in spectator.reviews] == [
        date(2023, 1, 25),
        date(2023, 1, 12),
        date(2022, 11, 5),
        date(2021, 5, 20),
        date(2020, 9, 1),
        date(2020, 6, 17),
        date(2016, 4, 21),
        date(2013, 11, 14),
        date(2013, 6, 19),
        date(2013, 3, 18),
        date(2012, 7, 1),
        date(2012, 3, 5),
        date(2011, 6, 29),
        date(2011, 6, 14),
        date(2011, 6, 8),
    ]


def test_shawn777_card(spectator: ParsedSpectatorPage) -> None:
    review = by_author(spectator, "Shawn777")
    assert review.followers == 574
    assert review.author_reviews == 3461  # "3\u202f461": a narrow no-break space as thousands separator
    assert review.rating == 3.0
    assert review.published == date(2023, 1, 25)
    assert review.text.startswith("Ce film, réalisé par Scott Glosserman et sorti en 2006,")
    assert review.text.endswith("je trouve, au bout de son délire.")
    assert "\n" not in review.text
    assert review.line == 24


def test_other_authors_stats(spectator: ParsedSpectatorPage) -> None:
    tof = by_author(spectator, "Tof Benjamin")
    assert (tof.followers, tof.author_reviews, tof.rating) == (11, 344, 1.0)
    assert tof.text == (
        "Plutôt une comédie qu'un film d'horreur. Mais même vu sous cet angle, ce film n'est pas une "
        "réussite tant le côté parodique tombe à plat. Dommage, l'idée de départ est plutôt sympa."
    )
    ykar = by_author(spectator, "Ykarpathakis157")
    assert (ykar.followers, ykar.author_reviews) == (4480, 18103)
    powerking = by_author(spectator, "PowerKing - Les Chroniques du Cinéphile")
    assert (powerking.followers, powerking.author_reviews) == (349, 1372)
    assert powerking.text.endswith("Mais l'idée de départ est vraiment à creuser. 2/5")


def test_paragraphs_are_kept(spectator: ParsedSpectatorPage) -> None:
    text = by_author(spectator, "ollavatelli").text
    paragraphs = text.split("\n\n")
    assert len(paragraphs) == 3
    assert paragraphs[0].startswith("Petite déception pour ma part concernant «Derrière le masque »")
    assert paragraphs[1].startswith("La première partie du film")
    assert paragraphs[2].startswith("Derrière le masque est donc")
    # Two lines with no blank line between them: one paragraph, a single line break.
    assert "j’ai assez bien aimé le masque du tueur.\nEnfin, le réel problème" in paragraphs[1]
    dario = by_author(spectator, "DarioFulci").text
    assert dario.count("\n") == 1
    assert "\n\n" not in dario
    assert dario.endswith("les lieux communs et la bêtise. Nul.")


def test_last_card_stops_before_the_site_links(spectator: ParsedSpectatorPage) -> None:
    last = spectator.reviews[-1]
    assert (last.author, last.rating, last.published) == (None, 3.5, date(2011, 6, 8))
    assert last.text.startswith("A mi-chemin entre Scream et Le Projet Blair Witch")
    assert last.text.endswith("quelque peu deviné.")
    for link in SITE_LINKS:
        assert link not in last.text
    assert "•" not in last.text


def test_short_anonymous_card(spectator: ParsedSpectatorPage) -> None:
    review = spectator.reviews[12]
    assert (review.author, review.rating, review.published) == (None, 3.5, date(2011, 6, 29))
    assert review.text == "j'ai assez apprécié malgré plusieurs non-sens ."


def test_every_card_has_text_and_no_card_chrome(spectator: ParsedSpectatorPage) -> None:
    for review in spectator.reviews:
        assert review.text
        assert "Publiée le" not in review.text
        assert "Suivre son activité" not in review.text
        assert review.text.strip() == review.text


# --- press page: Backstage -----------------------------------------------------------------------


def test_press_page_figures(press: ParsedPressPage) -> None:
    assert press.kind == "presse"
    assert press.title is None  # the text layer of this page does not name the film
    assert press.figures.reviews_count == 24
    assert press.figures.average is None
    assert press.warnings == []


def test_press_reviews_once_each_in_order(press: ParsedPressPage) -> None:
    assert len(press.reviews) == 24
    outlets = [r.outlet for r in press.reviews]
    assert len(set(outlets)) == 24  # the short list the page repeats afterwards is not read again
    assert outlets[:3] == ["L'Humanité", "Le Monde", "Le Point"]
    assert outlets[-3:] == ["aVoir-aLire.com", "L'Express", "Les Inrockuptibles"]
    assert all(r.critic for r in press.reviews)
    assert all(r.rating is None for r in press.reviews)


def test_link_only_press_reviews(press: ParsedPressPage) -> None:
    links = {r.outlet: r.link for r in press.reviews if r.quote is None}
    assert links == {
        "Le Point": "https://www.lepoint.fr",
        "Ciné Live": "https://www.cinelive.fr",
        "Studio Magazine": "https://www.studiomag.com",
        "L'Express": "https://www.lexpress.fr",
    }
    assert by_outlet(press, "Le Point").critic == "Olivier De Bruyn"
    assert all(r.link is None for r in press.reviews if r.quote is not None)


def test_le_monde_quote(press: ParsedPressPage) -> None:
    review = by_outlet(press, "Le Monde")
    assert review.critic == "Jean-Luc Douin"
    assert review.quote == (
        "Qu'elle dénonce le voyeurisme de la télé-réalité ou sonde le vertige de ces deux filles "
        "immatures, Emmanuelle Bercot est au plus près de la peau et des larmes, à l'affût de "
        "l'expression physique des sentiments."
    )
    assert review.line == 6


def test_quotes_never_hold_the_site_note(press: ParsedPressPage) -> None:
    for review in press.reviews:
        assert review.quote is None or "La critique complète" not in review.quote
        assert review.quote is None or "Voir la critique sur" not in review.quote


def test_last_press_review_without_trailing_newline(press: ParsedPressPage) -> None:
    assert not PRESS_SEED.read_bytes().endswith(b"\n")
    last = press.reviews[-1]
    assert (last.outlet, last.critic) == ("Les Inrockuptibles", "Emily Barnet")
    assert last.quote == (
        "Lisse et rutilant, [le film] déroule son cortège d'images pailletées , une série de vignettes "
        "sur papier glacé. On nage en pleine imagerie publicitaire, ou de mode, au choix."
    )


def test_press_critics(press: ParsedPressPage) -> None:
    critics = {r.outlet: r.critic for r in press.reviews}
    assert critics["L'Humanité"] == "Dominique Widemann"
    assert critics["Ouest France"] == "La rédaction"
    assert critics["aVoir-aLire.com"] == "Frédéric Mignard"


# --- plain reviews --------------------------------------------------------------------------------


def test_plain_reviews_one_per_line() -> None:
    raw = PLAIN_SEED.read_text(encoding="utf-8")
    assert raw.count("\n") == 10 and not raw.endswith("\n")  # `wc -l` says 10; there are 11 lines
    page = parse_text(raw)
    assert isinstance(page, ParsedPlainReviews)
    assert page.kind == "simples"
    assert len(page.texts) == 11
    assert page.texts[0].startswith("Tres bon film")
    assert page.texts[-1].endswith("nerveuse et fragile.")
    assert page.texts == [line.strip() for line in raw.split("\n")]
    assert page.warnings == []


def test_parse_text_refuses_non_text() -> None:
    with pytest.raises(PageError):
        parse_text(b"Publi\xc3\xa9e le 25 janvier 2023")  # type: ignore[arg-type]


# --- an outlet's page: many films, one outlet -------------------------------------------------------

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "text"
OUTLET = (FIXTURES / "outlet_le_figaro.txt").read_text(encoding="utf-8")


def test_outlet_page_is_never_read_as_one_film() -> None:
    page = parse_text(OUTLET)
    assert isinstance(page, ParsedOutletPage)
    assert not isinstance(page, ParsedPressPage | ParsedSpectatorPage)
    assert page.kind == "titre-de-presse"
    assert page.outlet == "Le Figaro"
    assert page.warnings == []
    assert [r.film_title for r in page.reviews] == [
        "Anatomie d'une chute",
        "Oppenheimer",
        "1917",
        "Les Trois Mousquetaires : D'Artagnan",
        "Barbie",
        "Le Règne animal",
    ]
    assert [r.rating for r in page.reviews] == [4.0, 4.0, 3.0, 3.0, 2.0, 3.0]
    assert [r.press_average for r in page.reviews] == [4.3, 4.2, 3.9, 3.3, 3.6, 4.0]


def test_outlet_page_quotes() -> None:
    page = parse_text(OUTLET)
    assert isinstance(page, ParsedOutletPage)
    assert page.reviews[0] == OutletReview(
        film_title="Anatomie d'une chute",
        quote="Justine Triet signe un film de procès d'une précision d'horloger, "
        "porté par une Sandra Hüller impressionnante.",
        rating=4.0,
        press_average=4.3,
    )
    assert page.reviews[2].quote == (
        "Un plan-séquence virtuose qui plonge le spectateur au cœur des tranchées.\n"
        "Mais la prouesse technique finit par tenir lieu de récit."
    )
    assert all("Meilleurs films" not in (r.quote or "") for r in page.reviews)


def test_outlet_page_variants() -> None:
    crlf = parse_text(OUTLET.replace("\n", "\r\n"))
    assert crlf == parse_text(OUTLET)
    # Spectators' average after the press's, no rating from the outlet, another heading form.
    text = OUTLET.replace("    Presse\n    4,3\n", "    Presse\n    4,3\n    Spectateurs\n    4,1\n")
    text = text.replace("    2,0\n    Presse\n    3,6", "    --\n    Presse\n    3,6")
    text = text.replace("Toutes les critiques de Le Figaro", "Toutes les critiques du Figaro")
    text = text.replace("\n    Le Figaro\n", "\n    Figaro\n")
    page = parse_text(text)
    assert isinstance(page, ParsedOutletPage)
    assert page.outlet == "Figaro"
    assert [r.film_title for r in page.reviews][:2] == ["Anatomie d'une chute", "Oppenheimer"]
    assert len(page.reviews) == 6
    assert (page.reviews[4].rating, page.reviews[4].press_average) == (None, 3.6)


def test_outlet_page_without_any_block_is_an_error_at_its_heading() -> None:
    with pytest.raises(PageError) as error:
        parse_text("Mon compte\nToutes les critiques de Le Figaro\nAucune critique pour le moment.\n")
    assert error.value.line == 2
    assert "Le Figaro" in error.value.message


def test_spectator_heading_is_not_an_outlet() -> None:
    text = SPECTATOR_SEED.read_text(encoding="utf-8").replace(
        "Trier par :", "Toutes les critiques des spectateurs\n    Trier par :"
    )
    assert isinstance(parse_text(text), ParsedSpectatorPage)


# --- what is not a page ----------------------------------------------------------------------------

GARBAGE = {
    "empty": ("", "vide"),
    "blank lines only": ("\n  \n\t\n\u00a0\n", "vide"),
    "CSV": ("titre;note;date\nDerrière le masque;2,3;2023-01-25\nBackstage;3,4;2005-09-14\n", "tableau"),
    "CSV of reviews": (
        "auteur,note,texte\n"
        'Shawn777,3,"Un film plutôt intéressant mais qui ne va pas au bout de son délire"\n'
        'Vinz1,4,"Un excellent faux documentaire, astucieux et très bien interprété"\n',
        "tableau",
    ),
    "tab-separated": ("film\tnote\nBackstage\t3,4\nDerrière le masque\t2,3\n", "tableau"),
    "short words": ("pomme\npoire\nabricot\nbanane\ncerise\nkiwi\n", "non reconnue"),
    "binary-ish": ("".join(chr(c) for c in range(1, 32)) * 8 + "IHDR\x89PNG", "pas à du texte"),
    "NUL bytes": ("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "octets nuls"),
    "undecodable": ("\ufffd\ufffd\ufffd abc \ufffd\ufffd", "pas à du texte"),
    "a lone average": ("Note moyenne\n3,4\nUne page sans aucune critique lisible ici", "note moyenne"),
}


@pytest.mark.parametrize(("text", "words"), GARBAGE.values(), ids=GARBAGE.keys())
def test_garbage_is_refused_with_a_french_message(text: str, words: str) -> None:
    with pytest.raises(PageError) as error:
        parse_text(text)
    assert words in error.value.message
    assert str(error.value).endswith(error.value.message)


def test_page_errors_from_a_recognised_structure_carry_a_line() -> None:
    with pytest.raises(PageError) as error:
        parse_text("Mon compte\nBackstage\n\n12 critiques presse\nRien d'autre sur cette page.\n")
    assert error.value.line == 4
    assert str(error.value).startswith("ligne 4 : ")
    with pytest.raises(PageError) as error:
        parse_text("Backstage\nNote moyenne\n3,4\nUne page de film sans aucune critique lisible ici\n")
    assert error.value.line == 2
    with pytest.raises(PageError) as error:  # cards without any text, no figures
        parse_text("Titre\nanonyme\nUn visiteur\n3,0\nPubliée le 1 mars 2020\n")
    assert error.value.line == 5


def test_whole_page_errors_have_no_line() -> None:
    for text in ("", "pomme\npoire\nabricot"):
        with pytest.raises(PageError) as error:
            parse_text(text)
        assert error.value.line is None


def test_plain_reviews_that_mention_the_site_words_stay_plain() -> None:
    texts = [
        "Toutes les critiques de Télérama sont injustes pour ce film.",
        "Par contre, la musique est vraiment très réussie.",
        "Un film que je reverrai avec plaisir, sans hésiter une seconde.",
        "par moments on s'ennuie, mais la fin rattrape tout le reste",
        "Bof, je ne le conseillerais pas à mes amis.",
    ]
    page = parse_text("\n".join(texts))
    assert isinstance(page, ParsedPlainReviews)
    assert page.texts == texts
