"""Page parsers: AlloCiné page text or HTML → typed results. Pure functions: no I/O, no database."""

import re
from datetime import date

from storage.pages.checks import PARSE_SECONDS, Reading
from storage.pages.model import (
    STARS,
    NotFilmReviews,
    OutletReview,
    PageError,
    PageTooSlow,
    ParsedOutletPage,
    ParsedPage,
    ParsedPlainReviews,
    ParsedPressPage,
    ParsedSpectatorPage,
    PressReview,
    SiteFigures,
    SpectatorReview,
)

__all__ = [
    "PARSE_SECONDS",
    "STARS",
    "NotFilmReviews",
    "OutletReview",
    "PageError",
    "PageTooSlow",
    "ParsedOutletPage",
    "ParsedPage",
    "ParsedPlainReviews",
    "ParsedPressPage",
    "ParsedSpectatorPage",
    "PressReview",
    "SiteFigures",
    "SpectatorReview",
    "decode",
    "is_html",
    "parse_page",
]

_HTML_MARKERS = ("<!doctype html", "<html", "<body", "<div", "<head", "<meta", "<section", "<article")


# `<meta charset="utf-8">` or `<meta http-equiv="Content-Type" content="text/html; charset=utf-8">`.
_DECLARED = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?\s*([a-z0-9_.:-]{1,40})", re.IGNORECASE)
_UTF8_NAMES = {"utf-8", "utf8", "unicode-1-1-utf-8"}


def decode(raw: bytes) -> str:
    """Page bytes → text.

    A page that is UTF-8 (declared so, or mostly valid UTF-8) is read as UTF-8, each invalid byte
    becoming U+FFFD: one stray byte or a cut inside a character must not turn every accent of the page
    into mojibake. Only a page that is not UTF-8 at all is read as Windows-1252, as old saved pages are.
    """
    if b"\x00" in raw[:4096]:
        raise PageError("ce fichier n'est pas du texte (fichier binaire ?)")
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", "replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = _declared_charset(raw)
    as_utf8 = raw.decode("utf-8", "replace")
    if declared is None:
        # Valid multi-byte characters against invalid bytes: a UTF-8 page with a few bad bytes still
        # has far more of the first; a Windows-1252 page has (nearly) none.
        bad = as_utf8.count("\ufffd") - raw.count("\ufffd".encode())
        good = sum(1 for char in as_utf8 if char > "\x7f" and char != "\ufffd")
        declared = "utf-8" if good > bad else "cp1252"
    if declared in _UTF8_NAMES:
        return as_utf8
    # Latin-1 and its aliases are Windows-1252 in practice (the WHATWG rule); 0x81 and the like,
    # undefined there, become U+FFFD.
    return raw.decode("cp1252", "replace")


def _declared_charset(raw: bytes) -> str | None:
    match = _DECLARED.search(raw[:8192])
    return match.group(1).decode("ascii").lower() if match else None


def is_html(text: str) -> bool:
    head = text.lstrip()[:2048].lower()
    return head.startswith("<") and any(marker in head for marker in _HTML_MARKERS)


def parse_page(
    content: bytes | str, *, today: date | None = None, time_limit: float | None = PARSE_SECONDS
) -> ParsedPage:
    """Any AlloCiné page, text or HTML, bytes or str → its typed result, or PageError.

    `today` is the day the page is read (default: the machine's): review dates after the next day
    are impossible, and dropped with a warning. A page that takes more than `time_limit` seconds to
    read (None: no limit) raises PageTooSlow, a PageError.
    """
    from storage.pages.text import parse_text

    reading = Reading(today=today or date.today(), seconds=time_limit)
    text = decode(content) if isinstance(content, bytes) else content
    if is_html(text):
        from storage.pages.html import parse_html

        return parse_html(text, reading)
    return parse_text(text, reading)
