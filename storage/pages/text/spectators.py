"""Spectator pages: the header's title and figures, then one card per `Publiée le` line (or, on pages
without dates, per labelled rating such as `4.5 - Excellent`)."""

from __future__ import annotations

from dataclasses import replace

from storage.pages.checks import Reading, tick
from storage.pages.french import parse_count, parse_date, parse_decimal
from storage.pages.model import STARS, PageError, ParsedSpectatorPage, SiteFigures, SpectatorReview
from storage.pages.text.lines import (
    BULLET,
    PUNCTUATED,
    SENTENCE_END,
    Footers,
    Joined,
    Line,
    is_stats,
    looks_like_name,
    looks_like_title,
    page_title,
    same_name,
)
from storage.pages.vocabulary import (
    AVERAGE,
    CARD_CHROME,
    COUNT_ROW,
    COUNT_ROWS,
    FIGURES_LINE,
    HISTO_COUNT,
    HISTO_INTRO,
    HISTO_STAR,
    NAVIGATION,
    PCT_ROW,
    PCT_ROWS,
    PUBLISHED,
    RATED,
    RATING,
    SORT_OR_FILTER,
    SPECTATOR_COUNT,
    STAR_LABEL,
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


def card_anchors(page: Joined) -> list[int]:
    """The line each card is read from: its `Publiée le …`, or, on pages without dates (2012–2015),
    its labelled rating (`4.5 - Excellent`); a labelled rating with its date glued (`4,0Très bien •
    Publiée le 05/06/2016`) is both. A labelled rating right above its date line belongs to that date."""
    dated = page.matching(PUBLISHED, "published")
    rated = page.matching(RATED, "rated")
    if not rated:
        return dated
    dated_set = set(dated)
    return sorted([*dated, *(i for i in rated if i + 1 not in dated_set)])


def _spectator_header(header: list[Line], warnings: list[str]) -> tuple[str | None, SiteFigures]:
    """The title and the film's figures, from the lines above the first card, by what each line is."""
    title: str | None = None
    prompt_title: str | None = None
    candidates: list[str] = []  # lines that could be the title, until the figures or the tabs begin
    structured = sorted_out = False  # the figures or tabs have begun; the sort links have
    average: float | None = None
    ratings_count: int | None = None
    reviews_count: int | None = None
    histogram: dict[str, int] = {}
    unlabelled: list[int] = []  # histogram rows without their star, in the site's order 5 → 0
    bare_rows = 0  # bare `N critiques` lines still expected after `répartition des …`
    texts = [" ".join(line.text.split()) for line in header]  # dumps double spaces inside lines
    i = 0
    while i < len(texts):
        if not i & 4095:
            tick()  # a page without cards is all header
        text = texts[i]
        nxt = texts[i + 1] if i + 1 < len(texts) else ""
        row = BULLET.sub("", text)
        figure = True
        if bare_rows and (match := HISTO_COUNT.match(row)):
            unlabelled.append(parse_count(match.group("n")) or 0)
            bare_rows -= 1
        elif match := AVERAGE.match(text):
            value = match.group("value")
            if value is None and parse_decimal(nxt) is not None:
                value, i = nxt, i + 1
            average = parse_decimal(value) if value else average
        elif match := SPECTATOR_COUNT.match(text):
            reviews_count = parse_count(match.group("n"))
        elif match := FIGURES_LINE.match(text):
            value = match.group("value") or match.group("bare")
            average = parse_decimal(value) if value else average
            ratings_count = parse_count(match.group("notes"))
            if match.group("reviews"):
                reviews_count = parse_count(match.group("reviews"))
        elif (star := HISTO_STAR.match(text)) and (count := HISTO_COUNT.match(nxt)):
            histogram[star.group("star")] = parse_count(count.group("n")) or 0
            i += 1
        elif PCT_ROWS.match(row) or COUNT_ROWS.match(row):
            rows = PCT_ROW if PCT_ROWS.match(row) else COUNT_ROW
            unlabelled.extend(parse_count(m.group("n")) or 0 for m in rows.finditer(row))
        elif match := HISTO_INTRO.match(text):
            reviews_count = reviews_count if reviews_count is not None else parse_count(match.group("n"))
            bare_rows, unlabelled = 6, []
        elif match := TITLE_PROMPT.match(text):
            prompt_title = prompt_title or match.group("title")
        elif NAVIGATION.match(text):
            pass  # the film's tabs: the title is above them
        else:
            figure = False
            if SORT_OR_FILTER.match(text):
                sorted_out = True
            elif structured or sorted_out:
                pass
            elif is_site_words(text):
                candidates = []  # a menu (`Mon AlloCiné`, `Mes amis`…): the title comes after it
            elif _could_be_title(text):
                candidates.append(text)
        structured = structured or figure
        i += 1

    if not histogram and unlabelled:
        if len(unlabelled) == len(STARS):
            histogram = dict(zip(STARS, unlabelled, strict=True))
        else:
            warnings.append(f"histogramme incomplet ({len(unlabelled)} barres sur 6), ignoré")
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
    # "Votre avis sur X ?" names the film for sure. Otherwise the title is the first line after the
    # site's menus and before the figures, tabs or sort links (details may follow it).
    if candidates:
        title = page_title(candidates[0])
    return prompt_title or title, figures


def _could_be_title(text: str) -> bool:
    return (
        not is_site_words(text)
        and not BULLET.match(text)
        and not is_stats(text)
        and not RATING.match(text)
        and not PUBLISHED.match(text)
        and looks_like_title(text)
    )


def _above_rating_and_stats(content: list[Line], i: int, floor: int) -> tuple[int, bool, bool]:
    """Walk up from line `i` over a card's rating, then its author's stats: the line above them, and
    whether each was there. The author's name, if any, is at the returned index."""
    if i - 1 >= floor and STAR_LABEL.match(content[i].text) and RATING.match(content[i - 1].text):
        i -= 1  # `4,0` then its label (`Très bien`) on a line of its own
    has_rating = i >= floor and is_rating(content[i].text)
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
    if above is not None and same_name(above, name):  # the name twice (avatar's alt text + link)
        return i - 1
    if looks_like_name(name):
        if not has_stats and floor and above is not None and not SENTENCE_END.search(above):
            return i + 1  # no stats under it: the end of the text above, wrapped; the card has no author
        return i
    # The stats under it say it is a member's name: a long pseudonym, or a short one written like
    # anything (`7e art`, `Jean-P.`, `Zorro!`).
    long_name = len(name) <= 100 and not PUNCTUATED.search(name)
    if has_stats and (long_name or (len(name) <= 40 and len(name.split()) <= 4)):
        return i
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
    if above is not None and same_name(above, name) and looks_like_name(name):
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
    elif nxt is not None and same_name(nxt, name) and looks_like_name(name):
        j = i + 2
    elif nxt is not None and is_stats(nxt) and looks_like_name(name):
        j = i + 1
    else:
        return False
    has_stats = False
    while j < hi and is_stats(content[j].text):
        has_stats, j = True, j + 1
    has_rating = j < hi and is_rating(content[j].text)
    return has_rating if anonymous else has_stats or has_rating


def is_rating(text: str) -> bool:
    """A card's rating line: `3,5`, or with its label (`4.5 - Excellent`, `5,0Chef-d'oeuvre`)."""
    return RATING.match(text) is not None or RATED.match(text) is not None


def _read_card(header: list[Line], published: Line, body: list[Line], lines: list[Line]) -> SpectatorReview:
    author: str | None = None
    named = False
    rating: float | None = None
    followers: int | None = None
    author_reviews: int | None = None
    if rated := RATED.match(published.text):  # the rating line is the card's anchor (no date, or glued)
        rating = out_of_five(rated.group("value"))
    for line in header:
        text = line.text
        if RATING.match(text) and rating is None:
            rating = out_of_five(text)
        elif (rated := RATED.match(text)) and rating is None:
            rating = out_of_five(rated.group("value"))
        elif is_stats(text):  # on one line or several: each part read where it is
            line_followers, line_reviews = author_stats(text)
            followers = line_followers if line_followers is not None else followers
            author_reviews = line_reviews if line_reviews is not None else author_reviews
        elif is_site_words(text) or STAR_LABEL.match(text):
            continue  # chrome above a card without a name line, or the rating's label
        elif not named:
            named = True
            author = None if is_anonymous(text) else " ".join(text.split())
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
