"""Text-layer parser: a page as a browser shows it (or as HTML reduced to text) → a typed result.

AlloCiné's layout has changed over the years and dumps differ in indentation, blank lines and
line breaks, so the parser works on stripped, non-blank lines and anchors on the few lines that
every version keeps: `Publiée le …` for a spectator card, `par …` for a press entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from storage.pages.french import normalize_spaces, parse_count, parse_date, parse_decimal
from storage.pages.model import (
    STARS,
    OutletReview,
    PageError,
    ParsedOutletPage,
    ParsedPage,
    ParsedPlainReviews,
    ParsedPressPage,
    ParsedSpectatorPage,
    PressReview,
    SiteFigures,
    SpectatorReview,
)

_NUM = r"\d{1,3}(?: ?\d{3})*"
_PUBLISHED = re.compile(r"^Publiée le\b", re.IGNORECASE)
_RATING = re.compile(r"^\d(?:[,.]\d)?(?: ?/ ?5)?$")
_STATS = re.compile(
    rf"^(?:(?P<followers>{_NUM}) abonnés?)?\s*(?:(?P<reviews>{_NUM}) critiques?)?\s*(?P<follow>Suivre son activité)?$",
    re.IGNORECASE,
)
_RATINGS_COUNT = re.compile(rf"^(?P<n>{_NUM}) notes?\b", re.IGNORECASE)
_SPECTATOR_COUNT = re.compile(rf"^(?P<n>{_NUM}) critiques? spectateurs?$", re.IGNORECASE)
_PRESS_COUNT = re.compile(rf"^(?P<n>{_NUM}) (?:critiques? presse|titres? de presse)$", re.IGNORECASE)
_AVERAGE = re.compile(r"^Note moyenne\s*:?\s*(?P<value>\d(?:[,.]\d)?)?(?: ?/ ?5)?$", re.IGNORECASE)
_HISTO_STAR = re.compile(r"^(?P<star>[0-5])(?: ?(?:étoiles?|★))?$", re.IGNORECASE)
_HISTO_COUNT = re.compile(rf"^(?P<n>{_NUM}) critiques?$", re.IGNORECASE)
_TITLE_PROMPT = re.compile(r"^Votre avis sur (?P<title>.+?) \?$", re.IGNORECASE)
_CRITIC = re.compile(r"^par (?P<critic>.+)$", re.IGNORECASE)
_LINK_ONLY = re.compile(r"^Voir la critique sur (?P<site>\S+)$", re.IGNORECASE)
_FULL_REVIEW_NOTE = re.compile(r"^La critique complète est disponible sur le site\b", re.IGNORECASE)
_OUTLET_PAGE = re.compile(r"^Toutes les critiques (?:de|du|des|d') ?(?P<outlet>.+)$", re.IGNORECASE)
_BULLET = re.compile(r"^[•·\-*]\s*")
_SENTENCE_END = re.compile(r"[.!?…»\"')\]:;]$|[\U0001F300-\U0001FAFF]$|\d$")

ANONYMOUS = {"anonyme", "un visiteur"}
# Site chrome that belongs to no review: where a review's text stops.
FOOTER = re.compile(
    r"^(?:Les meilleurs films de tous les temps|Back to Top|Meilleurs films.*|Voir plus de critiques.*"
    r"|Page suivante|Suivante|Précédente|Retour en haut.*|Vous aimerez aussi.*)$",
    re.IGNORECASE,
)
HEADER_NOISE = re.compile(
    r"^(?:Mon compte|Trier par\s*:?|Les plus utiles.*|En savoir plus.*"
    r"|Chaque magazine ou journal ayant son propre système de notation.*)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Line:
    number: int  # 1-based, in the original text
    text: str  # stripped, spaces normalised; "" for a blank line


def split_lines(text: str) -> list[Line]:
    return [
        Line(number, line.strip()) for number, line in enumerate(normalize_spaces(text).split("\n"), start=1)
    ]


def parse_text(text: str) -> ParsedPage:
    """Read a page's text layer. Raises PageError when it is none of the known page kinds."""
    if not isinstance(text, str):
        raise PageError("le contenu doit être du texte")
    if "\x00" in text:
        raise PageError("ce fichier n'est pas du texte (octets nuls)")
    lines = split_lines(text)
    content = [line for line in lines if line.text]
    if not content:
        raise PageError("la page est vide")

    for line in content[:15]:
        if match := _OUTLET_PAGE.match(line.text):
            return _parse_outlet_page(content, match.group("outlet"), line.number)
    if any(_PUBLISHED.match(line.text) for line in content) or any(
        _SPECTATOR_COUNT.match(line.text) for line in content
    ):
        return _parse_spectator_page(lines)
    if any(_PRESS_COUNT.match(line.text) for line in content) or _critic_anchors(content):
        return _parse_press_page(content)
    return _parse_plain_reviews(content)


# --- spectator pages -------------------------------------------------------------------------


def _parse_spectator_page(lines: list[Line]) -> ParsedSpectatorPage:
    content = [line for line in lines if line.text]
    anchors = [i for i, line in enumerate(content) if _PUBLISHED.match(line.text)]
    warnings: list[str] = []
    first_card = _card_start(content, anchors[0]) if anchors else len(content)
    title, figures = _spectator_header(content[:first_card], warnings)

    reviews: list[SpectatorReview] = []
    for k, anchor in enumerate(anchors):
        start = _card_start(content, anchor)
        if k + 1 < len(anchors):
            text_end = _card_start(content, anchors[k + 1])
            ended = True
        else:
            text_end, ended = _last_text_end(content, anchor + 1, warnings)
        body = content[anchor + 1 : text_end]
        review = _read_card(content[start:anchor], content[anchor], body, lines)
        if not review.text:
            warnings.append(f"ligne {content[start].number} : critique sans texte (page coupée ?), ignorée")
            continue
        if not ended and not _SENTENCE_END.search(review.text):
            warnings.append(
                f"ligne {content[start].number} : la dernière critique est coupée (page tronquée), ignorée"
            )
            continue
        reviews.append(review)
    if not reviews and figures.average is None and figures.reviews_count is None:
        raise PageError("page de critiques spectateurs sans critique ni note lisible", content[0].number)
    return ParsedSpectatorPage(title=title, figures=figures, reviews=reviews, warnings=warnings)


def _spectator_header(header: list[Line], warnings: list[str]) -> tuple[str | None, SiteFigures]:
    title: str | None = None
    average: float | None = None
    ratings_count: int | None = None
    reviews_count: int | None = None
    histogram: dict[str, int] = {}
    i = 0
    while i < len(header):
        text = header[i].text
        nxt = header[i + 1].text if i + 1 < len(header) else ""
        if match := _AVERAGE.match(text):
            value = match.group("value")
            if value is None and parse_decimal(nxt) is not None:
                value, i = nxt, i + 1
            average = parse_decimal(value) if value else None
        elif match := _SPECTATOR_COUNT.match(text):
            reviews_count = parse_count(match.group("n"))
        elif match := _RATINGS_COUNT.match(text):
            ratings_count = parse_count(match.group("n"))
        elif (star := _HISTO_STAR.match(text)) and (count := _HISTO_COUNT.match(nxt)):
            histogram[star.group("star")] = parse_count(count.group("n")) or 0
            i += 1
        elif match := _TITLE_PROMPT.match(text):
            title = match.group("title")
        elif title is None and not HEADER_NOISE.match(text) and _looks_like_title(text):
            title = text
        i += 1

    if histogram and set(histogram) != set(STARS):
        warnings.append(f"histogramme incomplet ({len(histogram)} barres sur 6), ignoré")
        histogram = {}
    if histogram and reviews_count is not None and sum(histogram.values()) != reviews_count:
        warnings.append(
            f"l'histogramme compte {sum(histogram.values())} critiques, la page en annonce {reviews_count}"
        )
    figures = SiteFigures(
        average=average,
        ratings_count=ratings_count,
        reviews_count=reviews_count,
        histogram={star: histogram[star] for star in STARS} if histogram else None,
    )
    return title, figures


def _looks_like_title(text: str) -> bool:
    return len(text) <= 200 and not text[0].isdigit() and parse_decimal(text) is None


def _is_stats(text: str) -> bool:
    match = _STATS.match(text)
    return bool(match and any(match.group(g) for g in ("followers", "reviews", "follow")))


def _card_start(content: list[Line], anchor: int) -> int:
    """Walk up from a `Publiée le` line over the rating, the author's stats and name(s)."""
    i = anchor - 1
    if i >= 0 and _RATING.match(content[i].text):
        i -= 1
    has_stats = False
    while i >= 0 and _is_stats(content[i].text):
        has_stats = True
        i -= 1
    if i < 0:
        return 0
    name = content[i].text
    above = content[i - 1].text if i >= 1 else None
    if name.lower() in ANONYMOUS:
        return i - 1 if above is not None and above.lower() in ANONYMOUS else i
    if above == name:  # the site prints the author's name twice (avatar alt + link)
        return i - 1
    if has_stats:
        return i
    return i + 1  # no recognisable author: the card starts at its stats or rating


def _read_card(header: list[Line], published: Line, body: list[Line], lines: list[Line]) -> SpectatorReview:
    author: str | None = None
    rating: float | None = None
    followers: int | None = None
    author_reviews: int | None = None
    for line in header:
        text = line.text
        if _RATING.match(text) and rating is None:
            rating = parse_decimal(text.split("/")[0])
        elif _is_stats(text):
            match = _STATS.match(text)
            assert match is not None
            if match.group("followers"):
                followers = parse_count(match.group("followers"))
            if match.group("reviews"):
                author_reviews = parse_count(match.group("reviews"))
        elif text.lower() in ANONYMOUS:
            author = None
        elif author is None:
            author = text
    if author is not None and author.lower() in ANONYMOUS:
        author = None
    return SpectatorReview(
        author=author,
        rating=rating,
        published=parse_date(published.text),
        text=_paragraphs(body, lines),
        followers=followers,
        author_reviews=author_reviews,
        line=header[0].number if header else published.number,
    )


def _last_text_end(content: list[Line], start: int, warnings: list[str]) -> tuple[int, bool]:
    """Where the last card's text stops, and whether the page visibly goes on after it."""
    for i in range(start, len(content)):
        text = content[i].text
        if FOOTER.match(text) or _BULLET.match(text) and FOOTER.match(_BULLET.sub("", text)):
            return i, True
        # A card that began but was cut before its date: author and stats with nothing after.
        if _is_stats(text) and i > start:
            author_at = i - 2 if content[i - 1].text == content[i - 2].text else i - 1
            warnings.append(f"ligne {content[author_at].number} : carte coupée avant sa date, ignorée")
            return author_at, True
    tail = content[start:]
    if len(tail) >= 2 and tail[-1].text == tail[-2].text and len(tail[-1].text) <= 60:
        warnings.append(f"ligne {tail[-2].number} : carte coupée après le nom de son auteur, ignorée")
        return len(content) - 2, True
    return len(content), False


def _paragraphs(body: list[Line], lines: list[Line]) -> str:
    """Join a review's lines, keeping a blank line of the original as a paragraph break."""
    if not body:
        return ""
    first, last = body[0].number, body[-1].number
    out: list[str] = []
    for line in lines[first - 1 : last]:
        if line.text:
            out.append(line.text)
        elif out and out[-1] != "":
            out.append("")
    return "\n".join(out).strip()


# --- press pages -----------------------------------------------------------------------------


def _critic_anchors(content: list[Line]) -> list[int]:
    """Indices of `par <critic>` lines that follow a short outlet line."""
    return [
        i
        for i in range(1, len(content))
        if _CRITIC.match(content[i].text) and len(content[i].text) <= 80 and len(content[i - 1].text) <= 80
    ]


def _parse_press_page(content: list[Line]) -> ParsedPressPage:
    warnings: list[str] = []
    anchors = _critic_anchors(content)
    if not anchors:
        raise PageError("page de presse sans aucune critique (« par … ») lisible", content[0].number)
    title, figures, bullets = _press_header(content[: anchors[0] - 1])

    reviews: list[PressReview] = []
    # An outlet line seen again, without its `par …`, starts the short list the page repeats.
    seen = {o.casefold() for o in bullets} | {content[a - 1].text.casefold() for a in anchors}
    for k, anchor in enumerate(anchors):
        outlet = content[anchor - 1].text
        end = anchors[k + 1] - 1 if k + 1 < len(anchors) else len(content)
        body: list[Line] = []
        for line in content[anchor + 1 : end]:
            if FOOTER.match(line.text) or line.text.casefold() in seen:
                break  # the short repeated list (outlet, quote) or the site footer begins
            body.append(line)
        reviews.append(_read_press_entry(outlet, content[anchor], body))

    declared = figures.reviews_count
    if declared is not None and declared != len(reviews):
        warnings.append(f"la page annonce {declared} critiques presse, {len(reviews)} lues")
    return ParsedPressPage(title=title, figures=figures, reviews=reviews, warnings=warnings)


def _press_header(header: list[Line]) -> tuple[str | None, SiteFigures, list[str]]:
    title: str | None = None
    average: float | None = None
    count: int | None = None
    bullets: list[str] = []
    i = 0
    while i < len(header):
        text = header[i].text
        nxt = header[i + 1].text if i + 1 < len(header) else ""
        if match := _AVERAGE.match(text):
            value = match.group("value")
            if value is None and parse_decimal(nxt) is not None:
                value, i = nxt, i + 1
            average = parse_decimal(value) if value else None
        elif match := _PRESS_COUNT.match(text):
            count = parse_count(match.group("n"))
        elif _BULLET.match(text) and count is not None:
            bullets.append(_BULLET.sub("", text))
        elif title is None and not HEADER_NOISE.match(text) and _looks_like_title(text) and len(text) <= 120:
            title = text
        i += 1
    return title, SiteFigures(average=average, reviews_count=count), bullets


def _read_press_entry(outlet: str, critic_line: Line, body: list[Line]) -> PressReview:
    match = _CRITIC.match(critic_line.text)
    critic = match.group("critic").strip() if match else None
    link: str | None = None
    quote_lines: list[str] = []
    for line in body:
        if link_match := _LINK_ONLY.match(line.text):
            site = link_match.group("site").rstrip(".")
            link = site if site.startswith("http") else f"https://{site}"
        elif not _FULL_REVIEW_NOTE.match(line.text):
            quote_lines.append(line.text)
    return PressReview(
        outlet=outlet,
        critic=critic,
        quote="\n".join(quote_lines) or None,
        link=link,
        line=critic_line.number - 1,
    )


# --- plain reviews and outlet pages ----------------------------------------------------------


def _parse_plain_reviews(content: list[Line]) -> ParsedPlainReviews:
    """One review per line. Refuses pages that look like something else rather than guess."""
    prose = [line for line in content if len(line.text.split()) >= 5]
    if len(prose) * 2 < len(content):
        raise PageError(
            "page non reconnue : ni critiques spectateurs (« Publiée le … »), ni presse (« par … »), "
            "ni critiques simples (une par ligne)",
            content[0].number,
        )
    if any(_AVERAGE.match(line.text) for line in content):
        raise PageError("page non reconnue : une note moyenne sans critiques lisibles", content[0].number)
    return ParsedPlainReviews(texts=[line.text for line in content])


def _parse_outlet_page(content: list[Line], outlet: str, line_number: int) -> ParsedOutletPage:
    """An outlet's page lists many films: kept apart so that it is never stored as one film's reviews.

    Blocks read: film title, quote, outlet, its rating, `Presse`, the press average.
    """
    outlet = outlet.strip()
    reviews: list[OutletReview] = []
    texts = [line.text for line in content]
    for i, text in enumerate(texts):
        if text.casefold() != outlet.casefold() or i < 2 or i == 0:
            continue
        if content[i].number <= line_number:
            continue
        film, quote = texts[i - 2], texts[i - 1]
        rating = parse_decimal(texts[i + 1]) if i + 1 < len(texts) else None
        press_average = None
        if i + 3 < len(texts) and texts[i + 2].casefold() == "presse":
            press_average = parse_decimal(texts[i + 3])
        reviews.append(OutletReview(film_title=film, quote=quote, rating=rating, press_average=press_average))
    return ParsedOutletPage(outlet=outlet, reviews=reviews)
