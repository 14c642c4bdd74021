"""What a stripped line of a page is: a name, a figure, site chrome; shared by every page kind."""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate, count, repeat
from operator import add, attrgetter
from typing import NamedTuple

from storage.pages.checks import tick
from storage.pages.french import normalize_spaces, parse_decimal
from storage.pages.vocabulary import (
    ANCHOR_STARTS,
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
    TITLE_OF_REVIEWS,
    TITLE_PREFIX,
    TITLE_SUFFIX,
    is_site_words,
)

BULLET = re.compile(r"^[•·\-*]\s*")
# Where a text visibly ends: punctuation, a closing quote or bracket, an emoji, a figure (`2/5`).
SENTENCE_END = re.compile(r"[.!?…»”\"'’)\]:;*^~]$|[\U0001F300-\U0001FAFF\u2600-\u27BF]$|\d$")
# What a name or an outlet never ends with.
PUNCTUATED = re.compile(r"[.!?…,;:»”\"')\]]$")


class Line(NamedTuple):  # a tuple: a page may hold a million lines, and tuples are cheap to make
    number: int  # 1-based, in the original text
    text: str  # stripped, spaces normalised; "" for a blank line


def split_lines(text: str) -> list[Line]:
    stripped = map(str.strip, normalize_spaces(text).split("\n"))
    return list(map(tuple.__new__, repeat(Line), zip(count(1), stripped, strict=False)))


class Joined:
    """A page's non-blank lines joined once, where its anchors are looked for at C speed."""

    def __init__(self, content: list[Line]) -> None:
        self.content = content
        self._found: dict[str, list[int]] | None = None

    def matching(self, pattern: re.Pattern[str], kind: str) -> list[int]:
        """Indices of the lines that `pattern` matches, among those where the ANCHOR_STARTS group
        `kind` (which matches at least where `pattern` does) found a candidate."""
        if self._found is None:
            self._found = self._candidates()
        return [i for i in self._found[kind] if pattern.match(self.content[i].text)]

    def _candidates(self) -> dict[str, list[int]]:
        texts = [line.text for line in self.content]
        starts = list(map(add, accumulate(map(len, texts), initial=0), count()))  # where each line begins
        found: dict[str, list[int]] = {kind: [] for kind in ANCHOR_STARTS.groupindex}
        # Each match starts at the line feed before its line: at that line's start in the joined text.
        for match in ANCHOR_STARTS.finditer("\n" + "\n".join(texts)):
            found[str(match.lastgroup)].append(bisect_right(starts, match.start()) - 1)
        return found


def looks_like_name(text: str) -> bool:
    """A member's name or an outlet: a short line that is not a sentence, a figure or site chrome."""
    return (
        0 < len(text) <= 60
        and len(text.split()) <= 6
        and not text.startswith(("• ", "· "))  # a menu's item
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


def page_title(text: str) -> str:
    """The film's title from a title line: `Titre : Critique presse` (old press URLs) → `Titre`, and
    the browser's title kept in a dump (`Critiques spectateurs du film Titre - AlloCiné`) → `Titre`."""
    if match := TITLE_OF_REVIEWS.match(text):
        return match.group("title")
    if TITLE_PREFIX.match(text) or TITLE_SUFFIX.search(text):
        title = TITLE_SUFFIX.sub("", TITLE_PREFIX.sub("", text))
        return title or text
    return text


def same_name(a: str, b: str) -> bool:
    """The same member's name, printed twice: dumps may double a space in one copy (`AB  12` / `AB 12`)."""
    return a == b or a.split() == b.split()


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

    A run of number lines is measured (at C speed) only when a number line is asked about, and once:
    asking line after line inside it stays linear, even on a page of thousands of digit-only lines."""

    def __init__(self, content: list[Line]) -> None:
        self.content = content
        self._digits: list[bool] | None = None  # each line's text.isdigit(), computed when first needed
        self._run = (0, 0)  # the last run measured, lines [start, end): asking inside it again is free

    def _run_end(self, i: int) -> int:
        """The first line at or after `i` that is not a pager number (or ellipsis)."""
        if self._digits is None:
            self._digits = list(map(str.isdigit, map(attrgetter("text"), self.content)))
        start, end = self._run
        if start <= i < end:
            return end
        digits, j = self._digits, i
        while j < len(digits):
            try:
                j = digits.index(False, j)  # at C speed, however long the run
            except ValueError:
                j = len(digits)
                break
            if self.content[j].text not in {"…", "..."}:
                break
            j += 1
            if not j & 4095:
                tick()
        self._run = (i, j)
        return j

    def __call__(self, i: int) -> bool:
        """Site chrome from line `i` on."""
        text = BULLET.sub("", self.content[i].text)
        if FOOTER.match(text) or _is_pager(text):
            return True
        if not text.isdigit() or len(text) > 4:
            return False
        j = self._run_end(i)
        return j - i >= 2 and (j == len(self.content) or bool(FOOTER.match(self.content[j].text)))
