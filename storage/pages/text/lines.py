"""What a stripped line of a page is: a name, a figure, site chrome; shared by every page kind."""

from __future__ import annotations

import re
from dataclasses import dataclass

from storage.pages.checks import tick
from storage.pages.french import normalize_spaces, parse_decimal
from storage.pages.vocabulary import (
    AVERAGE,
    CRITIC,
    FOOTER,
    FULL_REVIEW_NOTE,
    HISTO_COUNT,
    LINK_ONLY,
    PRESS_COUNT,
    PUBLISHED,
    RATING,
    RATINGS_COUNT,
    SPECTATOR_COUNT,
    STATS,
    is_site_words,
)

BULLET = re.compile(r"^[•·\-*]\s*")
# Where a text visibly ends: punctuation, a closing quote or bracket, an emoji, a figure (`2/5`).
SENTENCE_END = re.compile(r"[.!?…»”\"'’)\]:;*^~]$|[\U0001F300-\U0001FAFF\u2600-\u27BF]$|\d$")
# What a name or an outlet never ends with.
PUNCTUATED = re.compile(r"[.!?…,;:»”\"')\]]$")


@dataclass(frozen=True)
class Line:
    number: int  # 1-based, in the original text
    text: str  # stripped, spaces normalised; "" for a blank line


def split_lines(text: str) -> list[Line]:
    return [
        Line(number, line.strip()) for number, line in enumerate(normalize_spaces(text).split("\n"), start=1)
    ]


def looks_like_name(text: str) -> bool:
    """A member's name or an outlet: a short line that is not a sentence, a figure or site chrome."""
    return (
        0 < len(text) <= 60
        and len(text.split()) <= 6
        and not PUNCTUATED.search(text)
        and not RATING.match(text)
        and not is_stats(text)
        and not is_site_words(text)
        and not PUBLISHED.match(text)
        and not CRITIC.match(text)
        and not LINK_ONLY.match(text)
        and not FULL_REVIEW_NOTE.match(text)
        and not is_figure(text)
    )


def is_figure(text: str) -> bool:
    """A line of the page's figures: `Note moyenne`, `158 notes`, `24 critiques presse`…"""
    figures = (AVERAGE, RATINGS_COUNT, SPECTATOR_COUNT, PRESS_COUNT, HISTO_COUNT)
    return any(pattern.match(text) for pattern in figures)


def looks_like_title(text: str) -> bool:
    return len(text) <= 120 and not text[0].isdigit() and parse_decimal(text) is None


def is_stats(text: str) -> bool:
    return STATS.match(text) is not None


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


class Footers:
    """Where site chrome begins: a footer link, or a pager (`1 2 3 Suivante`, numbers on their own lines).

    The runs of number lines are measured once, from the end: asking line after line stays linear
    even on a page of thousands of digit-only lines."""

    def __init__(self, content: list[Line]) -> None:
        self.content = content
        # run_end[i]: the first line at or after i that is not a pager number (or ellipsis).
        self.run_end = [len(content)] * (len(content) + 1)
        for i in range(len(content) - 1, -1, -1):
            if not i & 4095:
                tick()
            text = content[i].text
            self.run_end[i] = self.run_end[i + 1] if text.isdigit() or text in {"…", "..."} else i

    def __call__(self, i: int) -> bool:
        """Site chrome from line `i` on."""
        text = BULLET.sub("", self.content[i].text)
        if FOOTER.match(text) or _is_pager(text):
            return True
        if not text.isdigit() or len(text) > 4:
            return False
        j = self.run_end[i]
        return j - i >= 2 and (j == len(self.content) or bool(FOOTER.match(self.content[j].text)))
