"""French number, date and space conventions as AlloCiné writes them."""

from __future__ import annotations

import re
from datetime import date

from storage.pages.checks import strip_controls

MONTHS = {
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
    "juillet": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "décembre": 12, "decembre": 12,
}  # fmt: skip

# NBSP, NNBSP, thin and other typographic spaces: the site mixes them freely.
_ODD_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000\t\f\v]")
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060\ufeff]")
# Every character the substitutions below (and strip_controls) change.
_TO_NORMALIZE = re.compile(
    r"[\u00a0\u2000-\u200d\u202f\u205f\u3000\t\f\v\r\u2028\u2029\u2060\ufeff\x00-\x08\x0b-\x1f\x7f-\x9f]"
)
_DECIMAL = re.compile(r"^(\d{1,2})(?:[,.](\d{1,2}))?$")
_DATE = re.compile(
    r"(\d{1,2})(?:er)?\s+([a-zéû]+)\s+(\d{4})"  # 25 janvier 2023, 1er septembre 2020
    r"|(\d{1,2})/(\d{1,2})/(\d{4})",  # 25/01/2023
    re.IGNORECASE,
)


def normalize_spaces(text: str) -> str:
    """One kind of space, no zero-width or control characters, Unix line ends (also for Unicode line
    separators). Controls go last: tabs, form feeds and NEL are spaces or line ends first."""
    if not _TO_NORMALIZE.search(text):
        return text  # most texts: one pass instead of four
    text = _LINE_BREAKS.sub("\n", text)
    return strip_controls(_ZERO_WIDTH.sub("", _ODD_SPACES.sub(" ", text)))


def parse_decimal(text: str) -> float | None:
    """`2,3` → 2.3; `4` → 4.0; anything else → None."""
    match = _DECIMAL.match(text.strip())
    if not match:
        return None
    whole, frac = match.groups()
    return float(f"{whole}.{frac or 0}")


def parse_count(text: str) -> int | None:
    """`3 461` (any space as thousands separator) → 3461."""
    digits = normalize_spaces(text).replace(" ", "").replace(".", "")
    # A count has at most a dozen digits; beyond that it is noise (and int() refuses > 4 300 digits).
    return int(digits) if digits.isdecimal() and len(digits) <= 15 else None


def parse_date(text: str) -> date | None:
    """The first French date in `text` (`Publiée le 25 janvier 2023` → 2023-01-25), or None."""
    for match in _DATE.finditer(text):
        try:
            if match.group(1):
                month = MONTHS.get(match.group(2).lower())
                if month is None:
                    continue
                return date(int(match.group(3)), month, int(match.group(1)))
            return date(int(match.group(6)), int(match.group(5)), int(match.group(4)))
        except ValueError:  # 31 février and the like
            continue
    return None
