"""Pick passages that read well as a quote: one or two whole sentences of a review."""

from __future__ import annotations

import re
from dataclasses import dataclass

QUOTE_MIN = 40
QUOTE_MAX = 300

# A sentence ends at . ! ? … (possibly repeated, possibly closed by a quote or bracket) before a space.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[»\"”)\]]*\s+(?=[«\"“(\[A-ZÀ-ÖØ-Þ0-9])")
_ELLIPSIS_MARK = re.compile(r"^\(\.\.\.\)\s*|\s*\(\.\.\.\)$")
_URL = re.compile(r"https?://|www\.", re.IGNORECASE)


@dataclass(frozen=True)
class Passage:
    index: int  # of its first sentence in the review
    text: str


def sentences(text: str) -> list[str]:
    """Split a review into sentences; paragraphs always end one."""
    out: list[str] = []
    for paragraph in re.split(r"\n+", text):
        paragraph = " ".join(paragraph.split())
        if paragraph:
            out.extend(s.strip() for s in _SENTENCE_END.split(paragraph) if s.strip())
    return out


def passages(text: str, *, low: int = QUOTE_MIN, high: int = QUOTE_MAX) -> list[Passage]:
    """Non-overlapping runs of one or two whole sentences, [low, high] characters long, that read well.

    Two sentences are preferred when they fit: a quote with its context reads better.
    """
    parts = sentences(text)
    found: list[Passage] = []
    i = 0
    while i < len(parts):
        for width in (2, 1):
            candidate = _ELLIPSIS_MARK.sub("", " ".join(parts[i : i + width])).strip()
            if i + width <= len(parts) and low <= len(candidate) <= high and _reads_well(candidate):
                found.append(Passage(i, candidate))
                i += width
                break
        else:
            i += 1
    return found


def _reads_well(passage: str) -> bool:
    """A quote starts like a sentence, ends like one, and is not a link or a shout."""
    if _URL.search(passage) or (not passage[0].isupper() and passage[0] not in '«"“[('):
        return False
    if passage[-1] not in '.!?…»"”)':
        return False
    letters = [c for c in passage if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) < len(letters) / 2
