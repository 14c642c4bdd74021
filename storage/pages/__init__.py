"""Page parsers: AlloCiné page text or HTML → typed results. Pure functions: no I/O, no database."""

from storage.pages.model import (
    STARS,
    OutletReview,
    PageError,
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
    "STARS",
    "OutletReview",
    "PageError",
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


def decode(raw: bytes) -> str:
    """Page bytes → text: UTF-8 (with or without BOM), else Windows-1252 as old saved pages use."""
    if b"\x00" in raw[:4096]:
        raise PageError("ce fichier n'est pas du texte (fichier binaire ?)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError as error:
            raise PageError(f"encodage illisible (ni UTF-8 ni Windows-1252) : {error.reason}") from None


def is_html(text: str) -> bool:
    head = text.lstrip()[:2048].lower()
    return head.startswith("<") and any(marker in head for marker in _HTML_MARKERS)


def parse_page(content: bytes | str) -> ParsedPage:
    """Any AlloCiné page, text or HTML, bytes or str → its typed result, or PageError."""
    from storage.pages.text import parse_text

    text = decode(content) if isinstance(content, bytes) else content
    if is_html(text):
        from storage.pages.html import parse_html

        return parse_html(text)
    return parse_text(text)
