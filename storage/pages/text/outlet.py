"""An outlet's page (`Toutes les critiques de Le Figaro`): many films, one quote each."""

from __future__ import annotations

from storage.pages.checks import tick
from storage.pages.french import parse_decimal
from storage.pages.model import OutletReview, PageError, ParsedOutletPage
from storage.pages.text.lines import PUNCTUATED, Line
from storage.pages.vocabulary import HEADER_NOISE, NOT_AN_OUTLET, OUTLET_PAGE


def outlet_heading(content: list[Line], end: int) -> tuple[Line, str] | None:
    """`Toutes les critiques de Le Figaro` near the top, before any review: the line and the outlet.

    Far from the top, the heading only counts when the page also holds an outlet block.
    """
    last_marker: dict[str, int] | None = None  # an outlet's name → its last block's line, once needed
    for i, line in enumerate(content[:end]):
        match = OUTLET_PAGE.match(line.text)
        if not match:
            continue
        outlet = match.group("outlet").strip()
        if (
            len(outlet) <= 60
            and len(outlet.split()) <= 6
            and not PUNCTUATED.search(outlet)
            and not NOT_AN_OUTLET.match(outlet)
        ):
            if i >= 5 and last_marker is None:
                last_marker = {
                    content[j].text.casefold(): j
                    for j in range(len(content))
                    if _is_outlet_marker(content, j, content[j].text.casefold())
                }
            if i < 5 or (last_marker or {}).get(outlet.casefold(), -1) > i:
                return line, outlet
    return None


def parse_outlet_page(content: list[Line], outlet: str, heading: Line) -> ParsedOutletPage:
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
        if not i & 4095:
            tick()
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
