"""Text-layer parser: a page as a browser shows it (or as HTML reduced to text) → a typed result.

AlloCiné's layout has changed over the years and dumps differ in indentation, blank lines, line ends,
kinds of spaces and line breaks, so the parser works on stripped, non-blank lines and anchors on the
few lines that every version keeps: `Publiée le …` for a spectator card, `par …` for a press entry,
`Toutes les critiques de …` for an outlet's page. Blank lines only matter inside a review's text,
where they separate paragraphs.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from operator import itemgetter

from storage.pages.checks import Reading, scrub
from storage.pages.model import PageError, ParsedPage
from storage.pages.text.lines import Joined, split_lines
from storage.pages.text.other import refuse_other_pages
from storage.pages.text.outlet import outlet_heading, parse_outlet_page
from storage.pages.text.plain import parse_plain_reviews
from storage.pages.text.press import critic_anchors, parse_press_page
from storage.pages.text.spectators import card_anchors, parse_spectator_page
from storage.pages.vocabulary import DISCLAIMER, PRESS_COUNT, SPECTATOR_COUNT

__all__ = ["parse_text"]


def parse_text(text: str, reading: Reading | None = None) -> ParsedPage:
    """Read a page's text layer. Raises PageError when it is none of the known page kinds."""
    reading = reading or Reading()
    with reading.timed():
        return scrub(_parse_text(text, reading))


def _parse_text(text: str, reading: Reading) -> ParsedPage:
    if not isinstance(text, str):
        raise PageError("le contenu doit être du texte")
    _refuse_binary(text)
    lines = split_lines(text)
    content = list(filter(itemgetter(1), lines))  # the non-blank lines
    if not content:
        raise PageError("la page est vide")

    joined = Joined(content)
    spectator_anchors = card_anchors(joined)
    press_anchors = critic_anchors(joined)
    if outlet_page := outlet_heading(content, min([*spectator_anchors[:1], *press_anchors[:1], 40])):
        heading, outlet = outlet_page
        return parse_outlet_page(content, outlet, heading)
    refuse_other_pages(joined, spectator_anchors, has_entries=bool(press_anchors))
    if spectator_anchors or any(SPECTATOR_COUNT.match(line.text) for line in content):
        return parse_spectator_page(lines, content, spectator_anchors, reading)
    # The press disclaimer says it too, when entries lack their `par` line.
    if len(press_anchors) >= 2 or any(PRESS_COUNT.match(t) or DISCLAIMER.match(t) for _, t in content):
        return parse_press_page(content, press_anchors)
    return parse_plain_reviews(content, text)


def _refuse_binary(text: str) -> None:
    """Text that holds many control or unassigned characters is a binary file read as text."""
    # Each distinct character is classified once: a page has few, and Counter counts them at C speed.
    counts = Counter(text)
    odd = sum(n for char, n in counts.items() if char == "\ufffd" or _is_control(char))
    # Measured against the visible characters: indentation and line ends must not change the verdict.
    visible = sum(n for char, n in counts.items() if not char.isspace()) + odd
    if odd >= 3 and odd * 100 > visible:
        if "\x00" in text:
            raise PageError("ce fichier n'est pas du texte (octets nuls)")
        raise PageError(
            f"ce fichier ne ressemble pas à du texte ({odd} caractères de contrôle ou illisibles)"
        )
    # A few stray control characters (a NUL among them) are dropped from the output: see checks.scrub.


def _is_control(char: str) -> bool:
    return unicodedata.category(char) in {"Cc", "Cn", "Cs"} and char not in "\n\r\t\f\v"
