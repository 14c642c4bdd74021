"""Numbers in titles, one spelling for all: `les quatre cents coups` → `les 400 coups`, `episode v` →
`episode 5`, `deuxieme partie` / `2e partie` → `2 partie`.

Works on folded text (`storage.folding.fold`: lower case, no accents, hyphens and apostrophes become
spaces) and returns folded text, so that a title and a query written either way meet in one form. The
title index keeps both forms of a name (see `storage.titles`): a typo in a number word (`spet`) still
matches the words, a digit (`7`) matches the digits.

French cardinals are read by a small grammar (0–999 999: `vingt et un`, `soixante dix sept`,
`quatre vingt dix`, `deux cents`, `mille neuf cent quatre vingt quatre`, Belgian and Swiss `septante`,
`nonante`), English ones up to ninety-nine. `un` / `une` alone stay words (articles far more often),
but after a word that announces a number (`episode un`, `partie une`). Ordinals (`premier`, `1er`,
`deuxieme`, `2e`, `2eme`, `second`, `third`, `4th`, `xxe`) become their number: a title's `Deuxième
partie` is found by `partie 2` and `2e partie` alike. Roman numerals of I to XXXIX become digits when
written with two letters or more (`ii`, `xiv`), and a lone `i`, `v` or `x` only after a word that
announces a number (`episode v`, `partie i`), as the last word of a name (`rocky v`) or, in a title as
written, before a subtitle's colon (`mark_numerals`: `Rocky V : …`): elsewhere they are letters
(`i robot`, `v pour vendetta` stay).

Why not a library: `text2num` (PyPI) turns French number words in sentences into digits, but Roman
numerals, lone letters and which `un` is a number would still need rules of our own; a small table
keeps all of them in one place, without a compiled dependency.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["NUMBER_NOUNS", "mark_numerals", "numbers_in", "to_digits"]

_UNITS: Final = {
    "zero": 0,
    "un": 1,
    "une": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "six": 6,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
    "onze": 11,
    "douze": 12,
    "treize": 13,
    "quatorze": 14,
    "quinze": 15,
    "seize": 16,
}
_TENS: Final = {
    "vingt": 20,
    "vingts": 20,  # `quatre vingts`
    "trente": 30,
    "quarante": 40,
    "cinquante": 50,
    "soixante": 60,
    "septante": 70,
    "huitante": 80,
    "octante": 80,
    "nonante": 90,
}
_EN_UNITS: Final = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_EN_TENS: Final = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_EN_ORDINALS: Final = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
}
# Ordinals that are no cardinal plus `ieme`.
_FR_ORDINALS: Final = {
    "premier": 1,
    "premiere": 1,
    "second": 2,
    "seconde": 2,
    "1er": 1,
    "1ere": 1,
    "1re": 1,
    "1ers": 1,
    "1eres": 1,
}
# `cinquieme` → `cinq`, `neuvieme` → `neuf`; the others drop `ieme` and maybe add back an `e`.
_ORDINAL_STEMS: Final = {"cinqu": "cinq", "neuv": "neuf"}
# Words after which a lone `i`, `v` or `x` is a number.
NUMBER_NOUNS: Final = frozenset(
    [
        "episode",
        "partie",
        "part",
        "chapitre",
        "chapter",
        "volume",
        "vol",
        "tome",
        "livre",
        "book",
        "saison",
        "season",
        "acte",
        "act",
        "numero",
        "no",
        "opus",
        "phase",
        "round",
    ]
)
_ROMAN: Final = {"i": 1, "v": 5, "x": 10}
_NONE: frozenset[int] = frozenset()  # shared by every text without a number
_ROMAN_WORD = re.compile(r"x{0,3}(?:ix|iv|v?i{0,3})")
_DIGIT_ORDINAL = re.compile(r"(\d{1,6})(?:e|eme|emes|es|er|ere|re|nd|nde|st|rd|th)")
_ROMAN_ORDINAL = re.compile(r"([ivx]{2,6})(?:e|eme)")  # `xxe siecle`; not `ve`, `ie`


def _roman(word: str) -> int | None:
    """`xiv` → 14 (I to XXXIX, well formed); anything else → None."""
    if not word or not _ROMAN_WORD.fullmatch(word):
        return None
    total = 0
    for i, letter in enumerate(word):
        value = _ROMAN[letter]
        total += -value if i + 1 < len(word) and _ROMAN[word[i + 1]] > value else value
    return total or None


def _ordinal(word: str) -> tuple[str, int | None]:
    """A French ordinal word → its cardinal word (`deuxieme` → `deux`) or value (`premier` → 1);
    ("", None) when `word` is no ordinal."""
    if word in _FR_ORDINALS:
        return "", _FR_ORDINALS[word]
    if word in _EN_ORDINALS:
        return "", _EN_ORDINALS[word]
    for ending in ("iemes", "ieme"):
        if word.endswith(ending) and len(word) > len(ending) + 1:
            stem = word[: -len(ending)]
            stem = _ORDINAL_STEMS.get(stem, stem)
            for cardinal in (stem, f"{stem}e", f"{stem}s"):
                if cardinal in _UNITS or cardinal in _TENS or cardinal in ("cent", "mille"):
                    return cardinal, None
            if stem == "un":  # `vingt et unieme`
                return "un", None
    return "", None


class _Reader:
    """Reads one French or English cardinal from consecutive words, as far as it stays well formed."""

    def __init__(self) -> None:
        self.total = 0  # thousands already closed
        self.current = 0  # below a thousand
        self.room = 999_999  # the largest value the next added word may bring
        self.last = ""  # the last word taken
        self.words = 0
        self.language = ""  # "fr", "en", or "" while only shared words were read

    def take(self, word: str, next_word: str) -> bool:
        """Add `word` to the number if it continues it; False (nothing changed) otherwise."""
        # `six` and `zero` are both languages'; the others tell one, and a number keeps to it.
        english = (word in _EN_UNITS or word in _EN_TENS) and word not in _UNITS
        french = (word in _UNITS or word in _TENS or word in ("cent", "cents", "mille", "et")) and (
            word not in _EN_UNITS
        )
        if (english and self.language == "fr") or (french and self.language == "en"):
            return False
        if word == "et":  # `vingt et un`, `soixante et onze`, `mille et une`
            if (self.last in _TENS or self.last == "mille") and next_word in ("un", "une", "onze", "unieme"):
                return self._took(word)
            return False
        if word in ("cent", "cents"):
            if self.current >= 20:  # `vingt cent`, `deux cents cent`: no
                return False
            self.current = max(self.current, 1) * 100
            self.room = 99
            return self._took(word)
        if word == "mille":
            if self.total:
                return False
            self.total = max(self.current, 1) * 1000
            self.current = 0
            self.room = 999
            return self._took(word)
        if word in ("vingt", "vingts") and self.last == "quatre" and self.current % 100 == 4:
            self.current += 76  # quatre vingt: 4 → 80
            self.room = 19
            return self._took(word)
        value = _UNITS.get(word, _TENS.get(word, _EN_UNITS.get(word, _EN_TENS.get(word))))
        if value is None:
            return False
        if self.words and self.last != "et" and value > self.room:
            return False
        if self.last == "dix" and value not in (7, 8, 9):
            return False
        if self.last == "et" and value not in (1, 11):
            return False
        self.current += value
        if word == "soixante":
            self.room = 19
        elif (value >= 20 and value % 10 == 0) or value == 10:
            self.room = 9
        else:
            self.room = 0  # a unit or a teen: only `cent`, `mille` or `vingt` may follow
        if english or french:
            self.language = "en" if english else "fr"
        return self._took(word)

    def _took(self, word: str) -> bool:
        self.last = word
        self.words += 1
        return True

    @property
    def value(self) -> int:
        return self.total + self.current


_NUMERAL_BEFORE_SUBTITLE = re.compile(r"(?<=\w )([IVX])(?=\s*[:–—-](?:\s|$))")


def mark_numerals(text: str) -> str:
    """A title as written, its lone capital `I`, `V` or `X` before a subtitle's colon or dash in digits
    (`Rocky V : Le Retour`, `Les Bronzés V - Amis` → `… 5 : …`): folding loses that colon, and elsewhere
    a lone letter is a letter (`V pour Vendetta`)."""
    if ":" not in text and "-" not in text and "–" not in text and "—" not in text:
        return text
    return _NUMERAL_BEFORE_SUBTITLE.sub(lambda m: str(_ROMAN[m.group(1).lower()]), text)


def to_digits(folded: str) -> str:
    """The folded text with every number written in digits (see the module's docstring)."""
    words = folded.split()
    if _NUMBER_WORDS.isdisjoint(words) and not _MAYBE_NUMBER.search(folded):  # most titles: no work
        return folded
    out: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word.isdigit():
            out.append(word)
            i += 1
            continue
        if match := _DIGIT_ORDINAL.fullmatch(word):
            out.append(str(int(match.group(1))))
            i += 1
            continue
        roman = _roman(word)
        if roman is None and word != "vie" and (match := _ROMAN_ORDINAL.fullmatch(word)):
            roman = _roman(match.group(1))
        if roman is not None and (
            len(word) > 1 or (i and words[i - 1] in NUMBER_NOUNS) or (i and i == len(words) - 1)
        ):
            out.append(str(roman))
            i += 1
            continue
        taken, value = _cardinal(words, i, after_noun=bool(i) and words[i - 1] in NUMBER_NOUNS)
        if taken:
            out.append(str(value))
            i += taken
            continue
        out.append(word)
        i += 1
    return " ".join(out)


_NUMBER_WORDS: Final = frozenset(
    [*_UNITS, *_TENS, *_EN_UNITS, *_EN_TENS, *_EN_ORDINALS, *_FR_ORDINALS, "cent", "cents", "mille"]
)


# Digits, Roman letters (maybe an ordinal: `xxe`), `…ieme`: a word that may be a number (with
# `_NUMBER_WORDS`).
_MAYBE_NUMBER = re.compile(r"\d|(?:^| )[ivx]+(?:e|eme)?(?: |$)|iemes?(?: |$)")
_DIGIT = re.compile(r"\d")


def _cardinal(words: list[str], start: int, after_noun: bool = False) -> tuple[int, int]:
    """How many words from `start` make one number (ending on an ordinal maybe), and its value;
    (0, 0) when none does (a lone `un` / `une` / `et` is no number, but after `episode`, `partie` …)."""
    reader = _Reader()
    i = start
    while i < len(words):
        word = words[i]
        cardinal, value = _ordinal(word)
        if value is not None:  # `premier`, `second`: a number on their own, never continued
            if reader.words:
                break
            return 1, value
        if cardinal:  # `deuxieme`: the number ends with it
            if reader.take(cardinal, ""):
                i += 1
            break
        if not reader.take(word, words[i + 1] if i + 1 < len(words) else ""):
            break
        i += 1
    while i > start and words[i - 1] == "et":  # a trailing `et` belongs to the text
        i -= 1
        reader.words -= 1
    taken = i - start
    if taken == 0 or (taken == 1 and words[start] in ("un", "une") and not after_noun):
        return 0, 0
    return taken, reader.value


def numbers_in(digits: str, articles: bool = False) -> frozenset[int]:
    """The numbers of a text already through `to_digits` (`les 7 samourais` → {7}). With `articles`
    (a title's numbers), `un` and `une` count as 1 too: they stay words there, yet `1 homme et 1 femme`
    asks for *Un homme et une femme*."""
    words = digits.split()
    if not _DIGIT.search(digits) and not (articles and ("un" in words or "une" in words)):
        return _NONE
    found = {int(w) for w in words if w.isdigit() and len(w) <= 6}
    if articles and ("un" in words or "une" in words):
        found.add(1)
    return frozenset(found) if found else _NONE
