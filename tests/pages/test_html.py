"""The HTML parser on hand-built AlloCiné pages (real texts of the seeds in classic and obfuscated markup).

The fixtures in tests/fixtures/html/ were built from storage/samples/000 (spectators, "Derrière le
masque") and 001 (press, "Backstage"): texts, authors, counts, dates and quotes are real; review ids,
press ratings and links are invented.
"""

from __future__ import annotations

import random
import re
import time
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.pages import (
    PageError,
    ParsedOutletPage,
    ParsedPlainReviews,
    ParsedPressPage,
    ParsedSpectatorPage,
    SpectatorReview,
    parse_page,
)
from storage.pages import html as html_module
from storage.pages.checks import BARE_LEVELS, PageTooDeep
from storage.pages.html import parse_html, text_layer
from storage.pages.text import parse_text
from storage.problems import Problem
from tests.doubles.fakeallocine import spectator_html
from tests.pages import seeds
from tests.pages.seeds import by_author, by_outlet

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SPECTATOR_HTML = (FIXTURES / "html" / "spectateurs_derriere_le_masque.html").read_text(encoding="utf-8")
PRESS_HTML = (FIXTURES / "html" / "presse_backstage.html").read_text(encoding="utf-8")
OBFUSCATED_HTML = (FIXTURES / "html" / "spectateurs_obfuscated.html").read_text(encoding="utf-8")
OUTLET_TEXT = (FIXTURES / "text" / "outlet_le_figaro.txt").read_text(encoding="utf-8")
PAGE_TYPES = (ParsedSpectatorPage, ParsedPressPage, ParsedPlainReviews, ParsedOutletPage)
HISTOGRAM = {"5": 3, "4": 7, "3": 8, "2": 10, "1": 2, "0": 9}


def _spectator(html: str) -> ParsedSpectatorPage:
    page = parse_html(html)
    assert isinstance(page, ParsedSpectatorPage)
    return page


def _press(html: str) -> ParsedPressPage:
    page = parse_html(html)
    assert isinstance(page, ParsedPressPage)
    return page


@pytest.fixture(scope="module")
def spectator() -> ParsedSpectatorPage:
    return _spectator(SPECTATOR_HTML)


@pytest.fixture(scope="module")
def press() -> ParsedPressPage:
    return _press(PRESS_HTML)


@pytest.fixture(scope="module")
def spectator_seed() -> ParsedSpectatorPage:
    return seeds.spectator_seed()


@pytest.fixture(scope="module")
def press_seed() -> ParsedPressPage:
    return seeds.press_seed()


def _card_facts(review: SpectatorReview) -> tuple[object, ...]:
    return (
        review.author,
        review.rating,
        review.published,
        review.text,
        review.followers,
        review.author_reviews,
    )


def _page(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"


def _card(
    *,
    name: str = "Shawn777",
    stats: str = "574 abonnés 3 461 critiques",
    note: str = '<span class="stareval-note">3,0</span>',
    published: str = '<span class="review-card-meta-date">Publiée le 25 janvier 2023</span>',
    text: str = "Un film qui ne va pas au bout de son délire.",
    card_id: str = "review_42",
) -> str:
    return (
        f'<div class="review-card" id="{card_id}">'
        f'<div class="review-card-user-infos"><div class="meta-title">{name}</div>'
        f'<div class="meta-content">{stats}</div></div>'
        f'<div class="review-card-meta">{note} {published}</div>'
        f'<div class="content-txt review-card-content">{text}</div></div>'
    )


# --- spectator page, classic markup ------------------------------------------------------------


def test_spectator_title_and_figures(spectator: ParsedSpectatorPage) -> None:
    assert spectator.kind == "spectateurs"
    assert spectator.title == "Derrière le masque"
    assert spectator.figures.average == 2.3
    assert spectator.figures.ratings_count == 158
    assert spectator.figures.reviews_count == 39
    assert spectator.figures.histogram == HISTOGRAM
    assert list(spectator.figures.histogram) == ["5", "4", "3", "2", "1", "0"]
    assert spectator.warnings == []


def test_spectator_first_card(spectator: ParsedSpectatorPage) -> None:
    first = spectator.reviews[0]
    assert first.author == "Shawn777"
    assert first.followers == 574
    assert first.author_reviews == 3461  # thousands separator written as &#8239; (NNBSP)
    assert first.rating == 3.0
    assert first.published == date(2023, 1, 25)
    assert first.site_id == "173049821"
    assert first.spoiler is False
    assert first.text.startswith("Ce film, réalisé par Scott Glosserman et sorti en 2006, dans lequel je ne")
    assert first.text.endswith(
        "dans sa première partie mais qui ne va pas, je trouve, au bout de son délire."
    )
    assert "\n" not in first.text  # the source's line wrapping is HTML whitespace, not line breaks


def test_spectator_first_five_cards(spectator: ParsedSpectatorPage) -> None:
    assert [
        (r.author, r.followers, r.author_reviews, r.rating, r.published) for r in spectator.reviews[:5]
    ] == [
        ("Shawn777", 574, 3461, 3.0, date(2023, 1, 25)),
        ("Tof Benjamin", 11, 344, 1.0, date(2023, 1, 12)),
        ("Vinz1", 175, 2419, 4.0, date(2022, 11, 5)),
        ("Ykarpathakis157", 4480, 18103, 0.5, date(2021, 5, 20)),
        ("Le Guerrier", 75, 566, 4.0, date(2020, 9, 1)),
    ]


def test_spectator_cards_match_the_text_seed(
    spectator: ParsedSpectatorPage, spectator_seed: ParsedSpectatorPage
) -> None:
    assert len(spectator.reviews) == 15
    assert [_card_facts(r) for r in spectator.reviews] == [_card_facts(r) for r in spectator_seed.reviews]
    assert all(r.site_id and r.site_id.isdigit() for r in spectator.reviews)
    assert len({r.site_id for r in spectator.reviews}) == 15


def test_anonymous_cards(spectator: ParsedSpectatorPage) -> None:
    anonymous = [r for r in spectator.reviews if r.author is None]
    assert len(anonymous) == 5
    first = anonymous[0]
    assert (first.rating, first.published, first.followers, first.author_reviews) == (
        3.5,
        date(2013, 6, 19),
        None,
        None,
    )
    assert first.text == (
        "Une histoire originale ! Et très bonne interprétation des acteurs ! Même si le film manque quelque "
        'fois de scènes de "panique" réalistes.'
    )


def test_entities_are_unescaped(spectator: ParsedSpectatorPage) -> None:
    tof = by_author(spectator, "Tof Benjamin")  # written with &eacute; &ecirc; &agrave; &#39;
    assert tof.text == (
        "Plutôt une comédie qu'un film d'horreur. Mais même vu sous cet angle, ce film n'est pas une "
        "réussite tant le côté parodique tombe à plat. Dommage, l'idée de départ est plutôt sympa."
    )
    vinz = by_author(spectator, "Vinz1")  # &laquo; &raquo; &rsquo;
    assert vinz.text.startswith("« Derrière le masque » dissèque")
    assert "analyse fascinante d’un sous-genre" in vinz.text
    for review in spectator.reviews:
        assert not re.search(r"&(?:[a-z]+|#\d+|#x[0-9a-f]+);", review.text, re.IGNORECASE)
        assert "\u202f" not in review.text and "\xa0" not in review.text


def test_paragraphs_and_line_breaks(
    spectator: ParsedSpectatorPage, spectator_seed: ParsedSpectatorPage
) -> None:
    dario = by_author(spectator, "DarioFulci")  # a <br>
    assert dario.text.count("\n") == 1
    assert "recueille ses états d'âme.\nUne histoire invraisemblable" in dario.text
    olla = by_author(spectator, "ollavatelli")  # <p> paragraphs, one of them with a <br>
    assert olla.text == by_author(spectator_seed, "ollavatelli").text
    assert olla.text.count("\n\n") == 2
    assert "le masque du tueur.\nEnfin, le réel problème" in olla.text


def test_spoiler_is_kept_and_flagged(spectator: ParsedSpectatorPage) -> None:
    guerrier = by_author(spectator, "Le Guerrier")
    assert guerrier.spoiler is True
    assert (
        "et quand va être le point de rupture (bref, quand est-ce que l'équipe de tournage" in guerrier.text
    )
    assert [r.author for r in spectator.reviews if r.spoiler] == ["Le Guerrier"]


def test_site_chrome_stays_out_of_reviews(spectator: ParsedSpectatorPage) -> None:
    for review in spectator.reviews:
        for noise in ("Back to Top", "Précédente", "Suivre son activité", "Meilleurs films", "CARTE-FACTICE"):
            assert noise not in review.text


def test_review_lines_point_into_the_text_layer(spectator: ParsedSpectatorPage) -> None:
    lines = text_layer(SPECTATOR_HTML).split("\n")
    for review in spectator.reviews:
        assert review.line is not None
        assert lines[review.line - 1] == (review.author or "anonyme")


# --- text layer ----------------------------------------------------------------------------------


def test_text_layer_is_the_visible_text() -> None:
    layer = text_layer(SPECTATOR_HTML)
    lines = layer.split("\n")
    for hidden in (
        "window.dataLayer",
        ".review-card {",
        "Activez JavaScript",
        "CARTE-FACTICE",
        "commentaire",
        "<",
    ):
        assert hidden not in layer  # scripts, styles, noscript, comments, markup
    assert "&" not in layer.replace("&nbsp;", "")  # every entity unescaped
    assert "Critiques spectateurs du film" not in layer  # <title> is in <head>: not shown
    assert "574 abonnés 3 461 critiques" in lines  # NNBSP normalised
    i = lines.index("Note moyenne")
    assert lines[i + 1 : i + 4] == [
        "2,3",
        "158 notes En savoir plus sur les notes spectateurs d'AlloCiné",
        "Votre avis sur Derrière le masque ?",
    ]
    assert lines[lines.index("Shawn777") : lines.index("Shawn777") + 6] == [
        "Shawn777",
        "Shawn777",
        "574 abonnés 3 461 critiques",
        "Suivre son activité",
        "3,0",
        "Publiée le 25 janvier 2023",
    ]
    assert all(line == line.strip() and "  " not in line for line in lines)
    assert "\n\n\n" not in layer


def test_text_layer_blocks_and_breaks() -> None:
    html = (
        "<div>A<span> b</span></div><div>C<br>D<br><br>E</div><p>F</p><p>G</p><ul><li>H</li><li>I</li></ul>"
    )
    assert text_layer(html) == "A b\nC\nD\n\nE\n\nF\n\nG\n\nH\nI"
    assert text_layer("<p>caf&eacute;&nbsp;&#8217;&#x2019; &amp; <b>th&eacute;</b></p>") == "café ’’ & thé"


def test_text_layer_suits_the_text_parser(spectator_seed: ParsedSpectatorPage) -> None:
    page = parse_text(text_layer(SPECTATOR_HTML))
    assert isinstance(page, ParsedSpectatorPage)
    assert [_card_facts(r) for r in page.reviews] == [_card_facts(r) for r in spectator_seed.reviews]
    assert page.figures == spectator_seed.figures


# --- press page --------------------------------------------------------------------------------


def test_press_title_and_figures(press: ParsedPressPage) -> None:
    assert press.kind == "presse"
    assert press.title == "Backstage"
    assert press.figures.reviews_count == 24
    # The JSON-LD's aggregateRating is the spectators': never a press figure.
    assert press.figures.average is None and press.figures.ratings_count is None
    assert press.warnings == []


def test_press_entries_match_the_text_seed(press: ParsedPressPage, press_seed: ParsedPressPage) -> None:
    assert [(r.outlet, r.critic, r.quote) for r in press.reviews] == [
        (r.outlet, r.critic, r.quote) for r in press_seed.reviews
    ]
    assert [r.site_id for r in press.reviews] == [str(73100 + k) for k in range(24)]


def test_press_le_monde(press: ParsedPressPage) -> None:
    monde = by_outlet(press, "Le Monde")
    assert monde.critic == "Jean-Luc Douin"
    assert monde.quote == (
        "Qu'elle dénonce le voyeurisme de la télé-réalité ou sonde le vertige de ces deux filles immatures, "
        "Emmanuelle Bercot est au plus près de la peau et des larmes, à l'affût de l'expression physique "
        "des sentiments."
    )
    assert monde.rating == 4.0  # rating-mdl n40
    assert monde.link == "https://www.lemonde.fr/cinema/article/2005/09/07/backstage_685524_3476.html"


def test_press_link_only_entries(press: ParsedPressPage) -> None:
    point = by_outlet(press, "Le Point")
    assert (point.critic, point.quote) == ("Olivier De Bruyn", None)
    assert point.link == "https://www.lepoint.fr/cinema/backstage-2005.php"
    links = {r.outlet: r.link for r in press.reviews if r.quote is None}
    assert links == {
        "Le Point": "https://www.lepoint.fr/cinema/backstage-2005.php",
        "Ciné Live": "http://www.cinelive.fr/critiques/backstage-2005",  # obfuscated `ACr…` link decoded
        "Studio Magazine": "https://www.studiomag.com",  # no address: the site named in the text
        "L'Express": "https://www.lexpress.fr",  # a relative redirection: the site named in the text
    }


@pytest.mark.parametrize(
    ("outlet", "rating"),
    [
        ("L'Humanité", 5.0),  # n50
        ("Le Monde", 4.0),  # n40
        ("Le Point", 3.5),  # title="Bien"
        ("Télérama", 4.0),  # title="Très bien"
        ("Zurban", None),  # n00: no rating
        ("Le Parisien", 5.0),  # title="Chef-d&#39;oeuvre"
        ("Brazil", 2.5),  # n25
        ("Positif", 3.5),  # n35
        ("Le Figaroscope", 3.0),  # title="Pas mal"
        ("aVoir-aLire.com", 2.5),  # title="Moyen"
        ("Les Inrockuptibles", 1.0),  # n10
    ],
)
def test_press_ratings(press: ParsedPressPage, outlet: str, rating: float | None) -> None:
    assert by_outlet(press, outlet).rating == rating


def test_press_outlets_unescaped(press: ParsedPressPage) -> None:
    outlets = [r.outlet for r in press.reviews]
    assert "L'Express" in outlets and "L'Humanité" in outlets and "Télérama" in outlets
    assert not any("&" in (r.quote or "") + r.outlet + (r.critic or "") for r in press.reviews)


def test_press_star_labels() -> None:
    labels = {
        "Chef-d'œuvre": 5.0, "Excellent": 4.5, "Très bien": 4.0, "Bien": 3.5, "Pas mal": 3.0,
        "Moyen": 2.5, "Pas terrible": 2.0, "Mauvais": 1.5, "Très mauvais": 1.0, "Nul": 0.5,
    }  # fmt: skip
    items = "".join(
        f'<div class="item hred" id="pressreview{k}"><h2 class="title">Journal {k}</h2>'
        f'<span class="author">par Critique {k}</span><div class="stareval-stars" title="{label}"></div>'
        f'<p class="text">Une phrase de critique.</p></div>'
        for k, label in enumerate(labels)
    )
    page = _press(_page(items))
    assert [r.rating for r in page.reviews] == list(labels.values())
    assert [r.critic for r in page.reviews] == [f"Critique {k}" for k in range(len(labels))]


# --- fallback to the text layer ------------------------------------------------------------------


def test_obfuscated_markup_falls_back_to_the_text_layer(spectator_seed: ParsedSpectatorPage) -> None:
    assert 'class="review-card' not in OBFUSCATED_HTML and "content-txt" not in OBFUSCATED_HTML
    page = _spectator(OBFUSCATED_HTML)
    assert page == parse_text(text_layer(OBFUSCATED_HTML))
    assert [_card_facts(r) for r in page.reviews] == [_card_facts(r) for r in spectator_seed.reviews]
    assert page.title == "Derrière le masque"
    assert page.figures.average == 2.3
    assert (page.figures.ratings_count, page.figures.reviews_count) == (158, 39)
    assert page.figures.histogram == HISTOGRAM
    assert all(r.site_id is None for r in page.reviews)  # only markup gives ids


def test_partial_markup_takes_figures_from_the_text_layer() -> None:
    html = re.sub(r'<script type="application/ld\+json">.*?</script>', "", SPECTATOR_HTML, flags=re.S)
    for css_class in ("big-note", "user-note-count", "rating-histogram"):
        html = html.replace(f'class="{css_class}"', f'class="ACrx{len(css_class)}"')
    page = _spectator(html)
    assert page.figures.average == 2.3
    assert (page.figures.ratings_count, page.figures.reviews_count) == (158, 39)
    assert page.figures.histogram == HISTOGRAM
    assert page.title == "Derrière le masque"  # og:title
    assert page.reviews[0].site_id == "173049821"  # the cards still come from the markup


def test_cards_without_usable_content_fall_back_to_the_text_layer() -> None:
    html = SPECTATOR_HTML.replace("content-txt review-card-content", "ACrTxt")
    page = _spectator(html)
    assert page == parse_text(text_layer(html))
    assert len(page.reviews) == 15


@pytest.mark.parametrize(
    ("head", "title"),
    [
        ('<script type="application/ld+json">{"@type": "Movie", "name": "L&#039;Été"}</script>', "L'Été"),
        (
            '<meta property="og:title" content="Derrière le masque - film 2006 - AlloCiné">',
            "Derrière le masque",
        ),
        (
            "<title>Critiques spectateurs du film Derri&egrave;re le masque - film 2006 - AlloCiné</title>",
            "Derrière le masque",
        ),
        ("<title>Critiques presse du film Backstage - AlloCiné</title>", "Backstage"),
        ("<title>AlloCiné</title>", None),
    ],
)
def test_title_sources(head: str, title: str | None) -> None:
    assert _spectator(_page(_card(), head)).title == title


def test_json_ld_figures_graph_and_bad_values() -> None:
    good = (
        '<script type="application/ld+json">{"@graph": [{"@type": "WebSite", "name": "AlloCiné"},'
        '{"@type": "Movie", "name": "X", "aggregateRating": {"ratingValue": 3.5, "ratingCount": "1 204",'
        '"reviewCount": 12}}]}</script>'
    )
    page = _spectator(_page(_card(), good))
    assert (page.title, page.figures.average, page.figures.ratings_count, page.figures.reviews_count) == (
        "X",
        3.5,
        1204,
        12,
    )
    bad = (
        '<script type="application/ld+json">{"@type": "Movie", "aggregateRating": {"ratingValue": "17",'
        '"ratingCount": true, "reviewCount": -3}}</script><script type="application/ld+json">{broken</script>'
    )
    page = _spectator(_page(_card(), bad))
    assert page.figures.average is None and page.figures.ratings_count is None
    assert page.figures.reviews_count is None


def test_card_details() -> None:
    html = _page(
        _card(name="Solo", stats="1 abonné 1\u00a0204 critiques", text="Premier.<br>Second.")
        + _card(
            name="Un visiteur",
            stats="",
            note='<div class="rating-mdl n45 stareval-stars"></div>',
            card_id="review_43",
        )
        + _card(name="Muet", text="", card_id="review_44")
        + _card(name="Sans date", published="", card_id="review_45")
    )
    page = _spectator(html)
    solo, visitor, undated = page.reviews
    assert (solo.author, solo.followers, solo.author_reviews, solo.text) == (
        "Solo",
        1,
        1204,
        "Premier.\nSecond.",
    )
    assert (visitor.author, visitor.rating, visitor.site_id) == (
        None,
        4.5,
        "43",
    )  # rating from the stars' class
    assert (undated.author, undated.published) == ("Sans date", None)
    assert page.warnings == [
        "ligne 9 : critique sans texte, ignorée",
        "ligne 12 : date de publication illisible",
    ]
    lines = text_layer(html).split("\n")
    assert lines[8] == "Muet" and lines[11] == "Sans date"


def test_outlet_page_is_never_a_film_page() -> None:
    """`Toutes les critiques de Le Figaro`: many films, one outlet, even in press-entry markup."""
    header, *blocks = (block.strip().split("\n") for block in OUTLET_TEXT.split("\n\n") if block.strip())
    body = "".join(f"<div>{line.strip()}</div>" for line in header)
    for block in blocks:
        film, *rest = (line.strip() for line in block)
        body += f'<div class="item hred"><h2 class="title">{film}</h2>'
        body += "".join(f"<div>{line}</div>" for line in rest) + "</div>"
    page = parse_html(_page(body))
    assert isinstance(page, ParsedOutletPage)
    assert page == parse_text(OUTLET_TEXT)
    assert page.outlet == "Le Figaro"
    assert page.reviews[0].film_title == "Anatomie d'une chute"


def test_outlet_heading_without_outlet_blocks_is_refused() -> None:
    html = _page("<h1>Toutes les critiques de Le Figaro</h1>" + _card())
    with pytest.raises(PageError):
        parse_html(html)


def test_parse_page_reads_html_bytes(spectator: ParsedSpectatorPage, press: ParsedPressPage) -> None:
    assert parse_page(SPECTATOR_HTML.encode("utf-8")) == spectator
    assert parse_page(PRESS_HTML.encode("utf-8-sig")) == press


# --- errors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "message"),
    [
        ("", "la page est vide"),
        ("   \n ", "la page est vide"),
        ("<html><body><div>Bonjour</div></body></html>", "page non reconnue"),
        (
            "<html><head><title>Vide</title></head><body><script>x()</script></body></html>",
            "la page est vide",
        ),
    ],
)
def test_unreadable_pages_raise_page_error(html: str, message: str) -> None:
    with pytest.raises(PageError) as caught:
        parse_html(html)
    assert message in caught.value.message


def test_not_a_string_raises_page_error() -> None:
    with pytest.raises(PageError):
        parse_html(b"<html></html>")  # type: ignore[arg-type]


def test_nesting_as_deep_as_the_limit_is_read() -> None:
    html = "<div>\n " * (BARE_LEVELS - 10) + _card() + "</div>" * (BARE_LEVELS - 10)
    page = _spectator(html)
    assert page.reviews[0].author == "Shawn777"
    assert text_layer("<span>" * BARE_LEVELS + "fond") == "fond"


def test_deeper_nesting_without_text_is_refused_at_once_with_data() -> None:
    start = time.perf_counter()
    for html in (
        "<div>" * 20_000 + _card() + "</div>" * 20_000,
        "<span>" * (BARE_LEVELS + 1) + "fond",
        "<div> \n <p><!-- x -->" * 200 + "fond",  # blanks and comments are not text
    ):
        with pytest.raises(PageTooDeep) as error:
            parse_html(html)
        assert Problem.of(error.value) == Problem("page_unreadable", {"reason": error.value.message})
        assert error.value.levels == BARE_LEVELS
    assert time.perf_counter() - start < 0.5
    # Levels that hold text do not count: cards left open nest deeper (tests/pages/test_hostile.py).
    nested = "<div>texte " * 1_000 + _card() + "</div>" * 1_000
    assert _spectator(nested).reviews[0].author == "Shawn777"


# --- property tests: PageError or a typed page, nothing else ---------------------------------------

TOKENS = [
    "<div>", "</div>", "<p>", "</p>", "<br>", "<span>", "</span>", "<li>", "<ul>", "</ul>", "<script>",
    "</script>", '<script type="application/ld+json">', '{"@type": "Movie", "name": "X", ',
    '"aggregateRating": {"ratingValue": "2,3", "ratingCount": "1e999", "reviewCount": [1]}}', "{[",
    '<div class="review-card" id="review_1">', '<div class="review-card-user-infos">',
    '<div class="meta-title">', '<div class="meta-content">', "574 abonnés 3&#8239;461 critiques",
    '<div class="review-card-meta">', '<span class="stareval-note">', "3,0", "9,9", "Un visiteur",
    '<span class="review-card-meta-date">', "Publiée le 25 janvier 2023", "Publiée le 31 février 2023",
    '<div class="content-txt review-card-content">', '<span class="spoiler-content">',
    '<div class="item hred" id="pressreview7">', '<h2 class="title">', "Le Monde", '<span class="author">',
    "par Jean-Luc Douin", '<p class="text">', '<div class="rating-mdl n40 stareval-stars">',
    '<div class="rating-mdl n99 stareval-stars">', '<div class="stareval-stars" title="Très bien">',
    '<a href="https://www.lepoint.fr">', '<span class="ACraHR0cDovL3d3">', "Voir la critique sur www.x.fr",
    "</a>", '<div class="big-note"><span class="note">', '<div class="user-note-count">', "158 notes",
    "39 critiques spectateurs", "24 critiques presse", '<div class="rating-histogram">', "5", "3 critiques",
    "Toutes les critiques de Le Figaro", "Note moyenne", '<meta property="og:title" content="',
    "<title>", "</title>", "<!--", "-->", "<![CDATA[", "]]>", "<!DOCTYPE html>", "&eacute;", "&#0;",
    "&#xD800;", "&#99999999;", "&", "<", ">", '"', "'", "\x00", "\ue000", "\u2028", "\r\n", " ", "\n",
    "Un film qui ne va pas au bout de son délire.", "1" * 30,
]  # fmt: skip


def _check(html: str) -> None:
    try:
        page = parse_html(html)
    except PageError as error:
        assert error.message
        return
    assert isinstance(page, PAGE_TYPES)
    if isinstance(page, ParsedSpectatorPage):
        assert all(r.text for r in page.reviews)
        # Ratings read from the markup (cards with an id) stay within 0-5; the text parser is tested apart.
        assert all(r.rating is None or 0 <= r.rating <= 5 for r in page.reviews if r.site_id)
    if isinstance(page, ParsedPressPage):
        assert all(r.outlet for r in page.reviews)
        assert all(r.rating is None or 0 < r.rating <= 5 for r in page.reviews)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=12)), max_size=80).map("".join))
def test_random_html_like_input(html: str) -> None:
    _check(html)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_text(html: str) -> None:
    _check(html)


@st.composite
def mutated_fixture(draw: st.DrawFn) -> str:
    """A fixture with slices of its source deleted, duplicated, swapped in, or cut off."""
    html = draw(st.sampled_from([SPECTATOR_HTML, PRESS_HTML, OBFUSCATED_HTML]))
    rng = random.Random(draw(st.integers(min_value=0, max_value=2**32)))
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        operation = draw(st.sampled_from(["delete", "duplicate", "insert", "cut", "swap"]))
        at = rng.randrange(len(html) + 1)
        size = rng.choice([1, 5, 40, 400, 4000])
        if operation == "delete":
            html = html[:at] + html[at + size :]
        elif operation == "duplicate":
            html = html[:at] + html[at : at + size] + html[at:]
        elif operation == "insert":
            html = html[:at] + draw(st.sampled_from(TOKENS)) + html[at:]
        elif operation == "cut":
            html = html[:at]
        else:
            other = rng.randrange(len(html) + 1)
            html = html[:at] + html[other : other + size] + html[at + size :]
    return html


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_fixture())
def test_mutated_fixtures(html: str) -> None:
    _check(html)


def test_histogram_counts_in_the_thousands_keep_their_star() -> None:
    """A count line "1 009 critiques" under its star is not a one-line row for star 1."""
    histogram = {5: 1_204, 4: 3_461, 3: 1_009, 2: 0, 1: 12, 0: 5_000}
    page = parse_page(
        spectator_html(
            "Gros succès",
            average=3.4,
            ratings_count=20_000,
            reviews_count=sum(histogram.values()),
            histogram=histogram,
            reviews=[{"author": "Lise", "rating": 4.0, "published": date(2026, 1, 2), "text": "Bien."}],
        )
    )
    assert isinstance(page, ParsedSpectatorPage)
    assert page.figures.histogram == {str(star): count for star, count in histogram.items()}


# --- the fast tokenizer reads what html.parser reads ----------------------------------------------

PLAIN_PIECES = [
    "<div>", "</div>", "<span>", "</span>", "<p>", "</p>", "<br>", "</br>", "<br/>", "<div/>", "<img src=x>",
    "<pre>", "</pre>", "  \n ", " ", "texte", "&amp;", "&#128;", "&#x41;", "&foo;", "&#0;", "& ", "< ",
    "<!-- c -->", "<!DOCTYPE html>", "<title>", "</title>", "<script>var a = '<div>' && b;</script>",
    '<script type="application/ld+json">{"name": "Film &amp; co"}</script>', "<style>p{}</style>",
    "<template>", "</template>", "<rt>", "</rt>", "<textarea>", "</textarea>", "<DIV CLASS='A b'>",
    '<div class="review-card" id="review_12">', '<a href="x&amp;y" class="ACrxx">', "</a>", "<A HREF=x/>",
    "<input disabled>", "<p class=''>", '<meta property="og:title" content="T &eacute;">', "\u00a0",
    "<div\nclass=\"a\"\n>", "</div >", '<a b="c>d">', "<li>", "<b>", "</b>",
]  # fmt: skip


def _tree_shape(tree: html_module._Tree) -> list[tuple[object, ...]]:
    shape: list[tuple[object, ...]] = []
    stack: list[tuple[html_module._Element | html_module._Text, int]] = [(tree.root, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, html_module._Text):
            shape.append((depth, node.kind.__name__, node.text))
        else:
            shape.append((depth, node.name, sorted(node.attrs.items()), list(node.class_list)))
            stack.extend((child, depth + 1) for child in reversed(node.contents))
    return shape


def _both_ways(html: str) -> tuple[html_module._Tree | None, html_module._Tree]:
    tree = html_module._Tree()
    fast = None
    if html_module._tokenize(html, html_module._Parser(tree, convert_charrefs=False)):  # type: ignore[arg-type]
        tree.finish()
        fast = tree
    slow = html_module._Tree()
    parser = html_module._Parser(slow, convert_charrefs=False)  # type: ignore[arg-type]
    parser.feed(html)
    parser.close()
    slow.finish()
    return fast, slow


@given(st.lists(st.sampled_from(PLAIN_PIECES), min_size=1, max_size=60))
@settings(max_examples=300, deadline=None)
def test_the_fast_tokenizer_builds_the_tree_html_parser_builds(pieces: list[str]) -> None:
    fast, slow = _both_ways("".join(pieces))
    if fast is not None:  # markup it does not take goes to html.parser
        assert _tree_shape(fast) == _tree_shape(slow)


@pytest.mark.parametrize("path", sorted((FIXTURES / "html").glob("*.html")), ids=lambda p: p.name)
def test_the_fixtures_take_the_fast_tokenizer(path: Path) -> None:
    fast, slow = _both_ways(path.read_text(encoding="utf-8"))
    assert fast is not None
    assert _tree_shape(fast) == _tree_shape(slow)
