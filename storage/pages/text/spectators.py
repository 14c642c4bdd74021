"""Spectator pages: the header's title and figures, then one card per `Publiée le` line."""

from __future__ import annotations

from dataclasses import replace

from storage.pages.checks import Reading, tick
from storage.pages.french import parse_count, parse_date, parse_decimal
from storage.pages.model import STARS, PageError, ParsedSpectatorPage, SiteFigures, SpectatorReview
from storage.pages.text.lines import (
    PUNCTUATED,
    SENTENCE_END,
    Footers,
    Line,
    is_stats,
    looks_like_name,
    looks_like_title,
)
from storage.pages.vocabulary import (
    AVERAGE,
    CARD_CHROME,
    HEADER_NOISE,
    HISTO_COUNT,
    HISTO_STAR,
    RATING,
    RATINGS_COUNT,
    SPECTATOR_COUNT,
    TITLE_PROMPT,
    author_stats,
    is_anonymous,
    is_site_words,
    out_of_five,
)


def parse_spectator_page(
    lines: list[Line], content: list[Line], anchors: list[int], reading: Reading
) -> ParsedSpectatorPage:
    warnings: list[str] = []
    starts: list[int] = []
    for k, anchor in enumerate(anchors):
        floor = anchors[k - 1] + 2 if k else 0  # the card before keeps at least one line of text
        starts.append(_card_start(content, anchor, floor))
    title, figures = _spectator_header(content[: starts[0]] if starts else content, warnings)

    reviews: list[SpectatorReview] = []
    for k, anchor in enumerate(anchors):
        tick()
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
        where = f"ligne {content[start].number}"
        review = _read_card(content[start:anchor], content[anchor], body, lines)
        review = replace(review, published=reading.checked_date(review.published, where, warnings))
        if not review.text:
            warnings.append(f"{where} : critique sans texte (page coupée ?), ignorée")
        elif not ended and not SENTENCE_END.search(review.text):
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
        elif match := SPECTATOR_COUNT.match(text):
            reviews_count = parse_count(match.group("n"))
        elif match := RATINGS_COUNT.match(text):
            ratings_count = parse_count(match.group("n"))
        elif (star := HISTO_STAR.match(text)) and (count := HISTO_COUNT.match(nxt)):
            histogram[star.group("star")] = parse_count(count.group("n")) or 0
            i += 1
        elif match := TITLE_PROMPT.match(text):
            prompt_title = prompt_title or match.group("title")
        elif title is None and not HEADER_NOISE.match(text) and looks_like_title(text):
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


def _above_rating_and_stats(content: list[Line], i: int, floor: int) -> tuple[int, bool, bool]:
    """Walk up from line `i` over a card's rating, then its author's stats: the line above them, and
    whether each was there. The author's name, if any, is at the returned index."""
    has_rating = i >= floor and bool(RATING.match(content[i].text))
    if has_rating:
        i -= 1
    has_stats = False
    while i >= floor and is_stats(content[i].text):
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
    if is_anonymous(name):
        return i - 1 if above is not None and is_anonymous(above) else i
    if is_site_words(name):
        # A menu or footer line where the name should be: the card has none, and that chrome belongs
        # to no review's text.
        while i - 1 >= floor and is_site_words(content[i - 1].text):
            i -= 1
        return i
    if above == name:  # the name twice (avatar's alt text + link)
        return i - 1
    if looks_like_name(name):
        return i
    if has_stats and len(name) <= 100 and not PUNCTUATED.search(name) and not name[0].isdigit():
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
    if is_anonymous(name):
        return i - 1 if above is not None and is_anonymous(above) else i
    if above == name and looks_like_name(name):
        return i - 1
    if has_stats:
        return i if looks_like_name(name) else i + 1
    if (
        (i == hi - 1 or has_rating)
        and looks_like_name(name)
        and (above is None or SENTENCE_END.search(above))
    ):
        return i
    return None


def _header_within(content: list[Line], lo: int, hi: int) -> int | None:
    """The first card header (name(s), stats, rating) in content[lo:hi] that no `Publiée le` follows.

    Only unmistakable headers count: an anonymous visitor then a rating, or a member's name (twice,
    or once above the stats) then stats and/or a rating.
    """
    for i in range(lo, hi):
        if not i & 4095:
            tick()
        if _is_header_at(content, i, hi):
            return i
    return None


def _is_header_at(content: list[Line], i: int, hi: int) -> bool:
    name = content[i].text
    nxt = content[i + 1].text if i + 1 < hi else None
    anonymous = is_anonymous(name)
    if anonymous:
        j = i + 2 if nxt is not None and is_anonymous(nxt) else i + 1
    elif nxt == name and looks_like_name(name):
        j = i + 2
    elif nxt is not None and is_stats(nxt) and looks_like_name(name):
        j = i + 1
    else:
        return False
    has_stats = False
    while j < hi and is_stats(content[j].text):
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
        elif is_stats(text):  # on one line or several: each part read where it is
            line_followers, line_reviews = author_stats(text)
            followers = line_followers if line_followers is not None else followers
            author_reviews = line_reviews if line_reviews is not None else author_reviews
        elif is_site_words(text):
            continue  # chrome above a card without a name line
        elif not named:
            named = True
            author = None if is_anonymous(text) else text
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
    is_footer = Footers(content)
    for i in range(start, len(content)):
        if not i & 4095:
            tick()
        if is_footer(i):
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
