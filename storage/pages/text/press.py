"""Press pages: outlet, `par critic`, quote or link, in page order until the page repeats them."""

from __future__ import annotations

import re

from storage.pages.checks import site_link, tick
from storage.pages.french import parse_count, parse_decimal
from storage.pages.model import PageError, ParsedPressPage, PressReview, SiteFigures
from storage.pages.text.lines import (
    BULLET,
    Footers,
    Joined,
    Line,
    looks_like_name,
    looks_like_title,
    page_title,
)
from storage.pages.vocabulary import (
    AVERAGE,
    CRITIC,
    DISCLAIMER,
    FULL_REVIEW_NOTE,
    LINK_ONLY,
    NAVIGATION,
    PRESS_COUNT,
    is_site_words,
)


def _critic_of(line: Line) -> str | None:
    """The critic's name on a `par Jean-Luc Douin` line; None for other lines (`Par moments, …`)."""
    match = CRITIC.match(line.text)
    if not match:
        return None
    critic = match.group("critic").strip()
    if len(critic) > 60 or len(critic.split()) > 6 or re.search(r"[!?…,;:]$", critic):
        return None
    return critic


def critic_anchors(page: Joined) -> list[int]:
    """Indices of `par <critic>` lines that follow an outlet line."""
    content = page.content
    return [
        i
        for i in page.matching(CRITIC, "critic")
        if i and _critic_of(content[i]) is not None and looks_like_name(content[i - 1].text)
    ]


def parse_press_page(content: list[Line], anchors: list[int]) -> ParsedPressPage:
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
    # Where an entry without a `par` line was seen to follow the one before (or the disclaimer).
    follows = entries_at if _entry_without_critic(content, entries_at) else -1
    is_footer = Footers(content)
    while i < len(content) and not repeated and not is_footer(i):
        outlet = content[i].text.casefold()
        with_critic = i + 1 in anchor_set
        orphan = not with_critic and _critic_of(content[i]) is not None
        # An outlet without its `par` line, that no list names: read when its quote is new.
        unlisted = i == follows or (bool(anchors) and i < anchors[-1] and _entry_without_critic(content, i))
        unlisted = unlisted and content[i + 1].text not in read_quotes
        if not (with_critic or orphan) and (
            outlet in read_outlets or (outlet not in listed and not unlisted)
        ):
            break  # the short list the page repeats, or something else: done
        critic = _critic_of(content[i + 1]) if with_critic else None
        key = (outlet, critic.casefold() if critic else None)
        if key in read:
            break  # the same entries again
        body_start = j = i + 2 if with_critic else i + 1
        while j < len(content):
            text = content[j].text
            if not j & 1023:
                tick()
            if j + 1 in anchor_set or is_footer(j) or text.casefold() in outlets:
                break  # the next entry, the site's footer, or the repeated list
            if _critic_of(content[j]) is not None:
                break  # a `par …` whose outlet line is missing
            if j > body_start and _ends_entry(content[j - 1].text) and _entry_without_critic(content, j):
                follows = j  # an outlet printed without its critic, after this entry's quote or link
                break
            if text in read_quotes:  # an earlier quote again, under its outlet's name
                j, repeated = max(body_start, j - 1), True
                break
            j += 1
        body = content[body_start:j]
        read_quotes.update(
            line.text for line in body if len(line.text) >= 20 and not FULL_REVIEW_NOTE.match(line.text)
        )
        # An entry the page ends with may be cut: kept only when it is visibly whole.
        kept = _whole_body(body) if j == len(content) else body
        if orphan:
            warnings.append(f"ligne {content[i].number} : critique presse sans nom de journal, ignorée")
        elif kept is None:
            warnings.append(
                f"ligne {content[i].number} : la dernière critique presse est coupée (page tronquée), ignorée"
            )
        else:
            reviews.append(_read_press_entry(content[i], critic, kept))
            read.add(key)
            read_outlets.add(outlet)
        i = j

    if not reviews:
        at = next((line.number for line in content if PRESS_COUNT.match(line.text)), content[0].number)
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
    disclaimed = False  # the disclaimer sentence is past: the entries begin
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
        elif match := PRESS_COUNT.match(text):
            count = parse_count(match.group("n"))
        elif NAVIGATION.match(text):
            pass  # the film's tabs (`Séances Bandes-annonces …`, or one per line): never title nor outlet
        elif BULLET.match(text) and len(text) > 2:
            bullets.append(BULLET.sub("", text))
            listed.add(bullets[-1].casefold())
        elif disclaimed and _entry_without_critic(content, i):
            end = i  # the first entry, printed without its critic: the entries begin
            break
        elif title is None and not disclaimed and not is_site_words(text) and looks_like_title(text):
            title = page_title(text)
        elif title is not None and text != title and not disclaimed and looks_like_name(text):
            # Old URLs list the outlets bare before the disclaimer: a table of contents, not reviews.
            bullets.append(text)
            listed.add(text.casefold())
        disclaimed = disclaimed or bool(DISCLAIMER.match(text))
        i += 1
    return end, title, SiteFigures(average=average, reviews_count=count), bullets


def _entry_without_critic(content: list[Line], i: int) -> bool:
    """An outlet's name, then its quote or link with no `par …` line between them."""
    if i + 1 >= len(content):
        return False
    text = content[i].text
    # An old quote's source on a line of its own (`France-Soir, 1 septembre 69`) is not an outlet.
    if not looks_like_name(text) or ", " in text:
        return False
    nxt = content[i + 1].text
    if _critic_of(content[i + 1]) is not None or FULL_REVIEW_NOTE.match(nxt):
        return False
    return bool(LINK_ONLY.match(nxt)) or not looks_like_name(nxt)


def _ends_entry(text: str) -> bool:
    """A line an entry can end with: its link, the site's note, or a quote's last sentence."""
    return bool(LINK_ONLY.match(text) or FULL_REVIEW_NOTE.match(text) or _QUOTE_END.search(text))


def _whole_body(body: list[Line]) -> list[Line] | None:
    """The last entry's lines when the page ends with them, or None when it visibly stops inside them.

    Whole: a quote that ends like a sentence, or a link, or anything followed by the site's
    `La critique complète…` line (whose own cut start is dropped: it is the site's words, not the quote).
    """
    if body and len(body[-1].text) >= 2 and _NOTE_WORDS.startswith(body[-1].text.casefold()):
        body = body[:-1]
    if not body:
        return None
    last = body[-1].text
    if LINK_ONLY.match(last) or FULL_REVIEW_NOTE.match(last) or _QUOTE_END.search(last):
        return body
    return None


_NOTE_WORDS = "la critique complète est disponible sur le site"
# How a whole quote ends: a sentence's end (not the dots of an opening `[...` or `(...`), or the year
# of a dated source (`N°397, mars 1994`).
_QUOTE_END = re.compile(r"(?:[!?…»”\"]|(?<![\[(.])\.|(?<![\[(])\.\.\.|\d)$")


def _read_press_entry(outlet: Line, critic: str | None, body: list[Line]) -> PressReview:
    link: str | None = None
    quote_lines: list[str] = []
    for line in body:
        if link_match := LINK_ONLY.match(line.text):
            link = site_link(link_match.group("site"))
        elif not FULL_REVIEW_NOTE.match(line.text):
            quote_lines.append(line.text)
    return PressReview(
        outlet=outlet.text,
        critic=critic,
        quote="\n".join(quote_lines) or None,
        link=link,
        line=outlet.number,
    )
