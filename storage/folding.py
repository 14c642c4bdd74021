"""Folding text for comparison: case, accents, punctuation and spacing stop mattering."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z]+")
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "đ": "d", "ł": "l"})
_HAS_LIGATURE = re.compile("[œæßøđł]")


class _Marks(dict[int, int | None]):
    """A `str.translate` table dropping combining marks, filled in as characters are met."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        self[code] = kept
        return kept


_DROP_MARKS = _Marks()


def fold(text: str) -> str:
    """`Derrière le Masque !` → `derriere le masque`."""
    text = text.casefold()
    if not text.isascii():  # ASCII needs neither ligatures nor NFKD: most author names
        if _HAS_LIGATURE.search(text):
            text = text.translate(_LIGATURES)
        text = unicodedata.normalize("NFKD", text).translate(_DROP_MARKS)
    return _NON_WORD.sub(" ", text).strip()
