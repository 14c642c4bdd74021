"""Typed results of page parsing: what a page says, before anything is stored."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# Histogram keys, best first, as AlloCiné shows them.
STARS = ("5", "4", "3", "2", "1", "0")


class PageError(ValueError):
    """A page that cannot be read as what it claims to be.

    `line` is 1-based in the page's text layer (None when the problem is the page as a whole).
    """

    def __init__(self, message: str, line: int | None = None) -> None:
        self.message = message
        self.line = line
        super().__init__(f"ligne {line} : {message}" if line is not None else message)


class PageTooSlow(PageError):
    """A page that took longer than the time limit to read: refused, whatever it would have given."""

    code = "page_too_slow"

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        shown = f"{seconds:g}".replace(".", ",")
        super().__init__(f"lecture trop longue (plus de {shown} s), page abandonnée")

    @property
    def params(self) -> dict[str, float]:
        return {"seconds": self.seconds}


_NOT_FILM_REVIEWS = {
    "film_main_page": "page principale d'un film (ses extraits ne sont pas ses critiques)",
    "film_list_page": "liste de plusieurs films, pas la page de critiques d'un film",
    "series_page": "critiques d'une série, pas d'un film",
}


class NotFilmReviews(PageError):
    """A page that is not one film's reviews: never stored as a film's spectator or press reviews.

    `code` says what it is, as a Problem code: `film_main_page` (synopsis and snippets),
    `film_list_page` (many films), `series_page` (a series' reviews)."""

    def __init__(self, code: str, line: int | None = None) -> None:
        self.code = code
        super().__init__(_NOT_FILM_REVIEWS[code], line)

    @property
    def params(self) -> dict[str, int | None]:
        return {"line": self.line}


@dataclass(frozen=True)
class SiteFigures:
    """The figures a page shows for the whole film (not only the reviews on the page)."""

    average: float | None = None
    ratings_count: int | None = None
    reviews_count: int | None = None
    histogram: dict[str, int] | None = None  # keys "5" … "0" → number of reviews


@dataclass(frozen=True)
class SpectatorReview:
    author: str | None  # None for an anonymous visitor
    rating: float | None
    published: date | None
    text: str
    followers: int | None = None
    author_reviews: int | None = None
    spoiler: bool = False  # the text holds a passage the site hides as a spoiler
    site_id: str | None = None  # AlloCiné's review id, when the markup gives it
    line: int | None = None  # where the card starts in the text layer


@dataclass(frozen=True)
class PressReview:
    outlet: str
    critic: str | None
    quote: str | None  # None when the page only links to the review
    link: str | None = None
    rating: float | None = None  # only HTML pages carry press ratings
    site_id: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class ParsedSpectatorPage:
    title: str | None
    figures: SiteFigures
    reviews: list[SpectatorReview]
    warnings: list[str] = field(default_factory=list)
    kind: str = "spectateurs"


@dataclass(frozen=True)
class ParsedPressPage:
    title: str | None
    figures: SiteFigures
    reviews: list[PressReview]
    warnings: list[str] = field(default_factory=list)
    kind: str = "presse"


@dataclass(frozen=True)
class ParsedPlainReviews:
    texts: list[str]
    title: str | None = None
    warnings: list[str] = field(default_factory=list)
    kind: str = "simples"


@dataclass(frozen=True)
class OutletReview:
    film_title: str
    quote: str | None
    rating: float | None = None
    press_average: float | None = None


@dataclass(frozen=True)
class ParsedOutletPage:
    """AlloCiné's per-outlet page ("Toutes les critiques de Le Figaro"): many films, one outlet."""

    outlet: str
    reviews: list[OutletReview]
    warnings: list[str] = field(default_factory=list)
    kind: str = "titre-de-presse"


ParsedPage = ParsedSpectatorPage | ParsedPressPage | ParsedPlainReviews | ParsedOutletPage
