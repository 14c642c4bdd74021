"""Text-layer parser: a page as a browser shows it (or as HTML reduced to text) → a typed result.

AlloCiné's layout has changed over the years and dumps differ in indentation, blank lines, line ends,
kinds of spaces and line breaks, so the parser works on stripped, non-blank lines and anchors on the
few lines that every version keeps: `Publiée le …` for a spectator card, `par …` for a press entry,
`Toutes les critiques de …` for an outlet's page. Blank lines only matter inside a review's text,
where they separate paragraphs.
"""

from __future__ import annotations

import csv
import re
import unicodedata
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
from storage.pages.vocabulary import (
    ANONYMOUS,
    AVERAGE,
    CARD_CHROME,
    CRITIC,
    FOOTER,
    FULL_REVIEW_NOTE,
    HEADER_NOISE,
    HISTO_STAR,
    LINK_ONLY,
    OUTLET_PAGE,
    PUBLISHED,
    RATING,
    TITLE_PROMPT,
    out_of_five,
)

# Drifted from html.py's forms: to be merged into the vocabulary.
_NUM = r"\d{1,3}(?: ?\d{3})*"
_STATS = re.compile(
    rf"^(?:(?P<followers>{_NUM}) abonnés?[\s·•|,-]*)?(?:(?P<reviews>{_NUM}) critiques?[\s·•|,-]*)?"
    r"(?P<follow>Suivre(?: son activité)?)?$",
    re.IGNORECASE,
)
_RATINGS_COUNT = re.compile(rf"^(?P<n>{_NUM}) notes?\b", re.IGNORECASE)
_SPECTATOR_COUNT = re.compile(rf"^(?P<n>{_NUM}) critiques? spectateurs?$", re.IGNORECASE)
_PRESS_COUNT = re.compile(rf"^(?P<n>{_NUM}) (?:critiques? (?:de )?presse|titres? de presse)$", re.IGNORECASE)
_HISTO_COUNT = re.compile(rf"^(?P<n>{_NUM}) critiques?$", re.IGNORECASE)
_NOT_AN_OUTLET = re.compile(r"^(?:la )?(?:presse|spectateurs?|membres?|films?)\b", re.IGNORECASE)
_BULLET = re.compile(r"^[•·\-*]\s*")
# Where a text visibly ends: punctuation, a closing quote or bracket, an emoji, a figure (`2/5`).
_SENTENCE_END = re.compile(r"[.!?…»”\"'’)\]:;*^~]$|[\U0001F300-\U0001FAFF\u2600-\u27BF]$|\d$")
# What a name or an outlet never ends with.
_PUNCTUATED = re.compile(r"[.!?…,;:»”\"')\]]$")


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
    _refuse_binary(text)
    lines = split_lines(text)
    content = [line for line in lines if line.text]
    if not content:
        raise PageError("la page est vide")

    spectator_anchors = [i for i, line in enumerate(content) if PUBLISHED.match(line.text)]
    press_anchors = _critic_anchors(content)
    if outlet_page := _outlet_heading(content, min([*spectator_anchors[:1], *press_anchors[:1], 40])):
        heading, outlet = outlet_page
        return _parse_outlet_page(content, outlet, heading)
    if spectator_anchors or any(_SPECTATOR_COUNT.match(line.text) for line in content):
        return _parse_spectator_page(lines, content, spectator_anchors)
    if len(press_anchors) >= 2 or any(_PRESS_COUNT.match(line.text) for line in content):
        return _parse_press_page(content, press_anchors)
    return _parse_plain_reviews(content, text)


def _refuse_binary(text: str) -> None:
    """Text that holds many control or unassigned characters is a binary file read as text."""
    odd = sum(1 for char in text if char == "\ufffd" or _is_control(char))
    # Measured against the visible characters: indentation and line ends must not change the verdict.
    visible = sum(1 for char in text if not char.isspace()) + odd
    if odd >= 3 and odd * 100 > visible:
        raise PageError(
            f"ce fichier ne ressemble pas à du texte ({odd} caractères de contrôle ou illisibles)"
        )


def _is_control(char: str) -> bool:
    return unicodedata.category(char) in {"Cc", "Cn", "Cs"} and char not in "\n\r\t\f\v"


def _looks_like_name(text: str) -> bool:
    """A member's name or an outlet: a short line that is not a sentence, a figure or site chrome."""
    return (
        0 < len(text) <= 60
        and len(text.split()) <= 6
        and not _PUNCTUATED.search(text)
        and not RATING.match(text)
        and not _is_stats(text)
        and not HEADER_NOISE.match(text)
        and not FOOTER.match(text)
        and not PUBLISHED.match(text)
        and not CRITIC.match(text)
        and not LINK_ONLY.match(text)
        and not FULL_REVIEW_NOTE.match(text)
        and not _is_figure(text)
    )


def _is_figure(text: str) -> bool:
    """A line of the page's figures: `Note moyenne`, `158 notes`, `24 critiques presse`…"""
    figures = (AVERAGE, _RATINGS_COUNT, _SPECTATOR_COUNT, _PRESS_COUNT, _HISTO_COUNT)
    return any(pattern.match(text) for pattern in figures)


def _outlet_heading(content: list[Line], end: int) -> tuple[Line, str] | None:
    """`Toutes les critiques de Le Figaro` near the top, before any review: the line and the outlet.

    Far from the top, the heading only counts when the page also holds an outlet block.
    """
    for i, line in enumerate(content[:end]):
        match = OUTLET_PAGE.match(line.text)
        if not match:
            continue
        outlet = match.group("outlet").strip()
        if (
            len(outlet) <= 60
            and len(outlet.split()) <= 6
            and not _PUNCTUATED.search(outlet)
            and not _NOT_AN_OUTLET.match(outlet)
            and (
                i < 5
                or any(_is_outlet_marker(content, j, outlet.casefold()) for j in range(i + 1, len(content)))
            )
        ):
            return line, outlet
    return None


def _is_pager(text: str) -> bool:
    """`Précédente 1 2 3 … 12 Suivante`, or `1 2 3 4`: the links to the other pages of reviews."""
    tokens = text.casefold().split()
    words = [t for t in tokens if t in {"précédente", "suivante", "page"}]
    numbers = [int(t) for t in tokens if t.isascii() and t.isdigit() and len(t) <= 4]
    if len(words) + len(numbers) + tokens.count("…") + tokens.count("...") != len(tokens):
        return False
    if words:
        return len(tokens) >= 2 or tokens[0] == "suivante"
    return len(numbers) >= 3 and numbers == sorted(set(numbers))  # strictly increasing


def _is_footer(content: list[Line], i: int) -> bool:
    """Site chrome from here on: a footer link, or a pager (`1 2 3 Suivante`, numbers on their own lines)."""
    text = _BULLET.sub("", content[i].text)
    if FOOTER.match(text) or _is_pager(text):
        return True
    if not text.isdigit() or len(text) > 4:
        return False
    j = i
    while j < len(content) and (content[j].text.isdigit() or content[j].text in {"…", "..."}):
        j += 1
    return j - i >= 2 and (j == len(content) or bool(FOOTER.match(content[j].text)))


# --- spectator pages -------------------------------------------------------------------------


def _parse_spectator_page(lines: list[Line], content: list[Line], anchors: list[int]) -> ParsedSpectatorPage:
    warnings: list[str] = []
    starts: list[int] = []
    for k, anchor in enumerate(anchors):
        floor = anchors[k - 1] + 2 if k else 0  # the card before keeps at least one line of text
        starts.append(_card_start(content, anchor, floor))
    title, figures = _spectator_header(content[: starts[0]] if starts else content, warnings)

    reviews: list[SpectatorReview] = []
    for k, anchor in enumerate(anchors):
        start = starts[k]
        if k + 1 < len(anchors):
            text_end, ended = starts[k + 1], True
        else:
            text_end, ended = _last_text_end(content, anchor + 1, warnings)
        if (stray := _header_within(content, anchor + 2, text_end)) is not None:
            # A whole card header inside the text: that card lost its date line.
            warnings.append(f"ligne {content[stray].number} : carte sans date de publication, ignorée")
            text_end, ended = stray, True
        body = content[anchor + 1 : text_end]
        review = _read_card(content[start:anchor], content[anchor], body, lines)
        where = f"ligne {content[start].number}"
        if not review.text:
            warnings.append(f"{where} : critique sans texte (page coupée ?), ignorée")
        elif not ended and not _SENTENCE_END.search(review.text):
            warnings.append(f"{where} : la dernière critique est coupée (page tronquée), ignorée")
        else:
            reviews.append(review)
    if not reviews and figures.average is None and figures.reviews_count is None:
        at = content[anchors[0]] if anchors else content[0]
        raise PageError("page de critiques spectateurs sans critique ni note lisible", at.number)
    return ParsedSpectatorPage(title=title, figures=figures, reviews=reviews, warnings=warnings)


def _spectator_header(header: list[Line], warnings: list[str]) -> tuple[str | None, SiteFigures]:
    title: str | None = None
    prompt_title: str | None = None
    average: float | None = None
    ratings_count: int | None = None
    reviews_count: int | None = None
    histogram: dict[str, int] = {}
    i = 0
    while i < len(header):
        text = header[i].text
        nxt = header[i + 1].text if i + 1 < len(header) else ""
        if match := AVERAGE.match(text):
            value = match.group("value")
            if value is None and parse_decimal(nxt) is not None:
                value, i = nxt, i + 1
            average = parse_decimal(value) if value else None
        elif match := _SPECTATOR_COUNT.match(text):
            reviews_count = parse_count(match.group("n"))
        elif match := _RATINGS_COUNT.match(text):
            ratings_count = parse_count(match.group("n"))
        elif (star := HISTO_STAR.match(text)) and (count := _HISTO_COUNT.match(nxt)):
            histogram[star.group("star")] = parse_count(count.group("n")) or 0
            i += 1
        elif match := TITLE_PROMPT.match(text):
            prompt_title = prompt_title or match.group("title")
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
    # "Votre avis sur X ?" names the film for sure; the first plain line is only a guess.
    return prompt_title or title, figures


def _looks_like_title(text: str) -> bool:
    return len(text) <= 120 and not text[0].isdigit() and parse_decimal(text) is None


def _is_stats(text: str) -> bool:
    match = _STATS.match(text)
    return bool(match and any(match.group(g) for g in ("followers", "reviews", "follow")))


def _above_rating_and_stats(content: list[Line], i: int, floor: int) -> tuple[int, bool, bool]:
    """Walk up from line `i` over a card's rating, then its author's stats: the line above them, and
    whether each was there. The author's name, if any, is at the returned index."""
    has_rating = i >= floor and bool(RATING.match(content[i].text))
    if has_rating:
        i -= 1
    has_stats = False
    while i >= floor and _is_stats(content[i].text):
        has_stats = True
        i -= 1
    return i, has_rating, has_stats


def _card_start(content: list[Line], anchor: int, floor: int) -> int:
    """Walk up from a `Publiée le` line over the rating, the author's stats and name(s).

    `floor` is the first line the card may start at (the previous card keeps its text).
    """
    i, _has_rating, has_stats = _above_rating_and_stats(content, anchor - 1, floor)
    if i < floor:
        return i + 1
    name = content[i].text
    above = content[i - 1].text if i - 1 >= floor else None
    if name.lower() in ANONYMOUS:
        return i - 1 if above is not None and above.lower() in ANONYMOUS else i
    if above == name and not HEADER_NOISE.match(name):  # the name twice (avatar's alt text + link)
        return i - 1
    if _looks_like_name(name):
        return i
    if has_stats and len(name) <= 100 and not _PUNCTUATED.search(name) and not name[0].isdigit():
        return i  # a long pseudonym: the stats under it say it is one
    return i + 1  # no recognisable author: the card starts at its stats or rating


def _dateless_card_start(content: list[Line], lo: int, hi: int) -> int | None:
    """Where a card header (name, stats, rating) that ends the page without its date begins.

    The page was cut inside that card. Only clear headers count: an anonymous visitor, a name printed
    twice, a name with stats, or a lone name after a finished sentence.
    """
    i, has_rating, has_stats = _above_rating_and_stats(content, hi - 1, lo)
    if i < lo:
        return i + 1 if has_stats else None
    name = content[i].text
    above = content[i - 1].text if i - 1 >= lo else None
    if name.lower() in ANONYMOUS:
        return i - 1 if above is not None and above.lower() in ANONYMOUS else i
    if above == name and _looks_like_name(name):
        return i - 1
    if has_stats:
        return i if _looks_like_name(name) else i + 1
    if (
        (i == hi - 1 or has_rating)
        and _looks_like_name(name)
        and (above is None or _SENTENCE_END.search(above))
    ):
        return i
    return None


def _header_within(content: list[Line], lo: int, hi: int) -> int | None:
    """The first card header (name(s), stats, rating) in content[lo:hi] that no `Publiée le` follows.

    Only unmistakable headers count: an anonymous visitor then a rating, or a member's name (twice,
    or once above the stats) then stats and/or a rating.
    """
    return next((i for i in range(lo, hi) if _is_header_at(content, i, hi)), None)


def _is_header_at(content: list[Line], i: int, hi: int) -> bool:
    name = content[i].text
    nxt = content[i + 1].text if i + 1 < hi else None
    anonymous = name.lower() in ANONYMOUS
    if anonymous:
        j = i + 2 if nxt is not None and nxt.lower() in ANONYMOUS else i + 1
    elif nxt == name and _looks_like_name(name):
        j = i + 2
    elif nxt is not None and _is_stats(nxt) and _looks_like_name(name):
        j = i + 1
    else:
        return False
    has_stats = False
    while j < hi and _is_stats(content[j].text):
        has_stats, j = True, j + 1
    has_rating = j < hi and bool(RATING.match(content[j].text))
    return has_rating if anonymous else has_stats or has_rating


def _read_card(header: list[Line], published: Line, body: list[Line], lines: list[Line]) -> SpectatorReview:
    author: str | None = None
    named = False
    rating: float | None = None
    followers: int | None = None
    author_reviews: int | None = None
    for line in header:
        text = line.text
        if RATING.match(text) and rating is None:
            rating = out_of_five(text)
        elif _is_stats(text):
            match = _STATS.match(text)
            assert match is not None
            if match.group("followers"):
                followers = parse_count(match.group("followers"))
            if match.group("reviews"):
                author_reviews = parse_count(match.group("reviews"))
        elif not named:
            named = True
            author = None if text.lower() in ANONYMOUS else text
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
        if _is_footer(content, i):
            return i, True
    # No footer: the page may have been cut, possibly inside the next card's header.
    cut = _dateless_card_start(content, start + 1, len(content))
    if cut is not None:
        warnings.append(f"ligne {content[cut].number} : carte coupée avant sa date (page tronquée), ignorée")
        return cut, True
    return len(content), False


def _paragraphs(body: list[Line], lines: list[Line]) -> str:
    """Join a review's lines, keeping a blank line of the original as a paragraph break."""
    if not body:
        return ""
    first, last = body[0].number, body[-1].number
    out: list[str] = []
    for line in lines[first - 1 : last]:
        if CARD_CHROME.match(line.text):
            continue
        if line.text:
            out.append(line.text)
        elif out and out[-1] != "":
            out.append("")
    return "\n".join(out).strip()


# --- press pages -----------------------------------------------------------------------------


def _critic_of(line: Line) -> str | None:
    """The critic's name on a `par Jean-Luc Douin` line; None for other lines (`Par moments, …`)."""
    match = CRITIC.match(line.text)
    if not match:
        return None
    critic = match.group("critic").strip()
    if len(critic) > 60 or len(critic.split()) > 6 or re.search(r"[!?…,;:]$", critic):
        return None
    return critic


def _critic_anchors(content: list[Line]) -> list[int]:
    """Indices of `par <critic>` lines that follow an outlet line."""
    return [
        i
        for i in range(1, len(content))
        if _critic_of(content[i]) is not None and _looks_like_name(content[i - 1].text)
    ]


def _parse_press_page(content: list[Line], anchors: list[int]) -> ParsedPressPage:
    """Entries (outlet, `par critic`, quote or link) in page order, until the page repeats them.

    After the full entries the page lists them again in short form (outlet, quote): an outlet seen
    again, or the same outlet and critic again, ends the reading.
    """
    warnings: list[str] = []
    entries_at, title, figures, bullets = _press_header(content, anchors)
    listed = {outlet.casefold() for outlet in bullets}  # may hold outlets printed without a critic
    anchor_set = set(anchors)
    outlets = listed | {content[a - 1].text.casefold() for a in anchors}

    reviews: list[PressReview] = []
    read: set[tuple[str, str | None]] = set()
    read_outlets: set[str] = set()
    read_quotes: set[str] = set()  # the quotes' lines: seen again, the repeated list has begun
    i = entries_at
    repeated = False
    while i < len(content) and not repeated and not _is_footer(content, i):
        outlet = content[i].text.casefold()
        with_critic = i + 1 in anchor_set
        orphan = not with_critic and _critic_of(content[i]) is not None
        if not (with_critic or orphan) and (outlet not in listed or outlet in read_outlets):
            break  # the short list the page repeats, or something else: done
        critic = _critic_of(content[i + 1]) if with_critic else None
        key = (outlet, critic.casefold() if critic else None)
        if key in read:
            break  # the same entries again
        body_start = j = i + 2 if with_critic else i + 1
        while j < len(content):
            text = content[j].text
            if j + 1 in anchor_set or _is_footer(content, j) or text.casefold() in outlets:
                break  # the next entry, the site's footer, or the repeated list
            if _critic_of(content[j]) is not None:
                break  # a `par …` whose outlet line is missing
            if text in read_quotes:  # an earlier quote again, under its outlet's name
                j, repeated = max(body_start, j - 1), True
                break
            j += 1
        body = content[body_start:j]
        read_quotes.update(
            line.text for line in body if len(line.text) >= 20 and not FULL_REVIEW_NOTE.match(line.text)
        )
        if orphan:
            warnings.append(f"ligne {content[i].number} : critique presse sans nom de journal, ignorée")
        else:
            reviews.append(_read_press_entry(content[i], critic, body))
            read.add(key)
            read_outlets.add(outlet)
        i = j

    if not reviews:
        at = next((line.number for line in content if _PRESS_COUNT.match(line.text)), content[0].number)
        raise PageError("page de presse sans aucune critique lisible (ni « par … » ni liste des titres)", at)
    declared = figures.reviews_count
    if declared is not None and declared != len(reviews):
        warnings.append(f"la page annonce {declared} critiques presse, {len(reviews)} lues")
    return ParsedPressPage(title=title, figures=figures, reviews=reviews, warnings=warnings)


def _press_header(content: list[Line], anchors: list[int]) -> tuple[int, str | None, SiteFigures, list[str]]:
    """The header's title, figures and list of outlets (`• Le Monde`), and where the entries begin."""
    title: str | None = None
    average: float | None = None
    count: int | None = None
    bullets: list[str] = []
    listed: set[str] = set()
    end = anchors[0] - 1 if anchors else len(content)
    i = 0
    while i < end:
        text = content[i].text
        nxt = content[i + 1].text if i + 1 < len(content) else ""
        if text.casefold() in listed or _critic_of(content[i]) is not None:
            end = i  # the first outlet of the list printed without a critic, or a critic without outlet
            break
        if match := AVERAGE.match(text):
            value = match.group("value")
            if value is None and parse_decimal(nxt) is not None:
                value, i = nxt, i + 1
            average = parse_decimal(value) if value else None
        elif match := _PRESS_COUNT.match(text):
            count = parse_count(match.group("n"))
        elif _BULLET.match(text) and len(text) > 2:
            bullets.append(_BULLET.sub("", text))
            listed.add(bullets[-1].casefold())
        elif title is None and not HEADER_NOISE.match(text) and _looks_like_title(text):
            title = text
        i += 1
    return end, title, SiteFigures(average=average, reviews_count=count), bullets


def _read_press_entry(outlet: Line, critic: str | None, body: list[Line]) -> PressReview:
    link: str | None = None
    quote_lines: list[str] = []
    for line in body:
        if link_match := LINK_ONLY.match(line.text):
            site = link_match.group("site").rstrip(".")
            link = site if site.startswith("http") else f"https://{site}"
        elif not FULL_REVIEW_NOTE.match(line.text):
            quote_lines.append(line.text)
    return PressReview(
        outlet=outlet.text,
        critic=critic,
        quote="\n".join(quote_lines) or None,
        link=link,
        line=outlet.number,
    )


# --- plain reviews ---------------------------------------------------------------------------


def _parse_plain_reviews(content: list[Line], text: str) -> ParsedPlainReviews:
    """One review per line. Refuses pages that look like something else rather than guess."""
    raw = [line for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n") if line.strip()]
    if separator := _table_separator(raw):
        raise PageError(
            f"ce fichier ressemble à un tableau (colonnes séparées par « {separator} »), "
            "pas à une page de critiques AlloCiné"
        )
    if average := next((line for line in content if AVERAGE.match(line.text)), None):
        raise PageError("page non reconnue : une note moyenne sans critiques lisibles", average.number)
    prose = [line for line in content if len(line.text.split()) >= 5]
    if len(prose) * 2 < len(content):
        raise PageError(
            "page non reconnue : ni critiques spectateurs (« Publiée le … »), ni critiques presse "
            "(« par … »), ni critiques simples (une par ligne, en phrases)"
        )
    return ParsedPlainReviews(texts=[line.text for line in content])


def _table_separator(raw: list[str]) -> str | None:
    """`;`, tab or `,` when every line has as many columns (≥ 2) and the first line reads as column names."""
    if len(raw) < 2:
        return None
    # Prose has commas: a comma-separated table needs three columns to be told apart from it.
    for separator, shown, columns in ((";", ";", 2), ("\t", "tabulation", 2), (",", ",", 3)):
        try:
            rows = list(csv.reader(raw, delimiter=separator))
        except csv.Error:
            continue
        widths = {len(row) for row in rows}
        if len(widths) != 1 or min(widths) < columns:
            continue
        if all(0 < len(cell.strip()) <= 30 and len(cell.split()) <= 3 for cell in rows[0]):
            return shown
    return None


# --- outlet pages ----------------------------------------------------------------------------


def _parse_outlet_page(content: list[Line], outlet: str, heading: Line) -> ParsedOutletPage:
    """An outlet's page lists many films: kept apart so that it is never stored as one film's reviews.

    Each block reads: film title, quote (one line or more), outlet, its rating, `Presse`, the press
    average (and sometimes `Spectateurs` and their average). The outlet line followed by a rating or
    by `Presse` ends a block's text; the block's first line is the film.
    """
    warnings: list[str] = []
    reviews: list[OutletReview] = []
    folded = outlet.casefold()
    start = next(i for i, line in enumerate(content) if line is heading) + 1
    i = start
    while i < len(content):
        if not _is_outlet_marker(content, i, folded):
            i += 1
            continue
        region = [
            line
            for line in content[start:i]
            if not HEADER_NOISE.match(line.text) and line.text.casefold() != folded
        ]
        rating, press_average, i = _outlet_figures(content, i + 1)
        start = i
        if not region:
            warnings.append(f"ligne {content[i - 1].number} : critique sans titre de film, ignorée")
            continue
        quote = "\n".join(line.text for line in region[1:]) or None
        reviews.append(
            OutletReview(film_title=region[0].text, quote=quote, rating=rating, press_average=press_average)
        )
    if not reviews:
        raise PageError(f"page « Toutes les critiques de {outlet} » sans critique lisible", heading.number)
    return ParsedOutletPage(outlet=outlet, reviews=reviews, warnings=warnings)


def _is_outlet_marker(content: list[Line], i: int, folded_outlet: str) -> bool:
    if content[i].text.casefold() != folded_outlet or i + 1 >= len(content):
        return False
    nxt = content[i + 1].text
    return parse_decimal(nxt) is not None or nxt.casefold() in {"presse", "--", "-"}


def _outlet_figures(content: list[Line], i: int) -> tuple[float | None, float | None, int]:
    """The outlet's rating, then `Presse` and the press average, then `Spectateurs` and theirs."""
    rating: float | None = None
    press_average: float | None = None
    if i < len(content) and (parse_decimal(content[i].text) is not None or content[i].text in {"--", "-"}):
        rating = parse_decimal(content[i].text)
        i += 1
    for label in ("presse", "spectateurs"):
        if i < len(content) and content[i].text.casefold() == label:
            i += 1
            value = parse_decimal(content[i].text) if i < len(content) else None
            if value is not None or (i < len(content) and content[i].text in {"--", "-"}):
                i += 1
            if label == "presse":
                press_average = value
    return rating, press_average, i
