"""Write a parsed page into the database: one transaction per page, bulk and idempotent.

`identity` decides which film a page is about (the one rule every writer and finder uses), `reviews`
merges its reviews into the film's stored ones; this module ties them together with the page's source
row and the site's figures, kept as the film's rating history.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine

from storage.pages import (
    ParsedOutletPage,
    ParsedPage,
    ParsedPlainReviews,
    ParsedPressPage,
    ParsedSpectatorPage,
)
from storage.pages import SpectatorReview as ParsedSpectator
from storage.pages.checks import strip_controls
from storage.store.details import store_film_page, write_film_page
from storage.store.errors import AmbiguousFilm, NoFilmNamed, OtherFilm, OutletPage, StoreError
from storage.store.figures import content_hash, film_columns, snapshot, upsert_source
from storage.store.identity import FilmHint, FilmRef, find_film, find_films, resolve_film, same_name
from storage.store.reviews import Counts, merge_reviews, spectator_key

__all__ = [
    "AmbiguousFilm",
    "Counts",
    "FilmHint",
    "FilmRef",
    "NoFilmNamed",
    "OtherFilm",
    "OutletPage",
    "StoreError",
    "StoreReport",
    "content_hash",
    "find_film",
    "find_films",
    "same_name",
    "spectator_key",
    "store_film_page",
    "store_page",
    "write_film_page",
    "write_page",
]


@dataclass
class StoreReport:
    film: str
    film_id: int
    page_kind: str
    counts: dict[str, Counts] = field(default_factory=dict)  # "spectateurs" / "presse" → counts
    warnings: list[str] = field(default_factory=list)


def store_page(
    engine: Engine,
    page: ParsedPage,
    *,
    location: str,
    raw: bytes | str,
    hint: FilmHint | None = None,
    now: datetime | None = None,
    backlog: bool | None = None,
) -> StoreReport:
    """Store one parsed page in a single transaction; nothing of it is kept if anything fails.

    `backlog` marks the page's new reviews as old news that the daily digest does not announce; by
    default, reviews are backlog when the film had none of their kind stored yet (a film just added).
    """
    with engine.begin() as conn:
        return write_page(conn, page, location=location, raw=raw, hint=hint, now=now, backlog=backlog)


def write_page(
    conn: Connection,
    page: ParsedPage,
    *,
    location: str,
    raw: bytes | str,
    hint: FilmHint | None = None,
    now: datetime | None = None,
    backlog: bool | None = None,
) -> StoreReport:
    """`store_page` inside the caller's transaction: several pages of one film stored all or nothing
    (a film read on demand)."""
    if isinstance(page, ParsedOutletPage):
        raise OutletPage(page.outlet)
    hint = _clean(hint or FilmHint())
    now = now or datetime.now(UTC)
    film = resolve_film(conn, page.title, hint, now, _film_figures(page))
    source_id = upsert_source(conn, content_hash(raw), location, page.kind, film.id, now)
    report = StoreReport(film=film.title, film_id=film.id, page_kind=page.kind, warnings=list(page.warnings))
    # A film created by this transaction has no reviews yet: no need to read them.
    # A day's margin: the site's dates are local, critibot's moments UTC.
    old_before = (film.first_stored - timedelta(days=1)).date() if film.first_stored else None
    if isinstance(page, ParsedSpectatorPage):
        snapshot(conn, film.id, "spectateurs", page.figures, source_id, now)
        report.counts["spectateurs"] = merge_reviews(
            conn, "spectateurs", film.id, page.reviews, source_id, now, backlog, film.created, old_before
        )
    elif isinstance(page, ParsedPressPage):
        snapshot(conn, film.id, "presse", page.figures, source_id, now)
        report.counts["presse"] = merge_reviews(
            conn, "presse", film.id, page.reviews, source_id, now, backlog, film.created
        )
    elif isinstance(page, ParsedPlainReviews):
        reviews = [ParsedSpectator(author=None, rating=None, published=None, text=t) for t in page.texts]
        report.counts["spectateurs"] = merge_reviews(
            conn, "spectateurs", film.id, reviews, source_id, now, backlog, film.created
        )
    return report


def _clean(hint: FilmHint) -> FilmHint:
    """The caller's names without control characters, as the parsers give the page's (PostgreSQL refuses
    NUL; none of them belongs in a title)."""

    def clean(text: str | None) -> str | None:
        return strip_controls(text) if text is not None else None

    return dataclasses.replace(
        hint, title=clean(hint.title), original_title=clean(hint.original_title), url=clean(hint.url)
    )


def _film_figures(page: ParsedPage) -> dict[str, Any]:
    """The film columns that copy the page's latest figures (written with the film row, not after it)."""
    if not isinstance(page, ParsedSpectatorPage | ParsedPressPage):
        return {}
    return film_columns(page.kind, page.figures)
