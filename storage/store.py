"""Write a parsed page into the database: one transaction per page, bulk and idempotent.

Rows are written with SQLAlchemy Core `INSERT … ON CONFLICT DO UPDATE` on each table's natural
key, so re-reading a page never duplicates anything and a review whose text changed is updated.
The existing rows of the film are read once per page to tell new, updated and unchanged apart.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Select, Table, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite

from storage import models
from storage.folding import fold
from storage.pages import (
    STARS,
    ParsedOutletPage,
    ParsedPage,
    ParsedPlainReviews,
    ParsedPressPage,
    ParsedSpectatorPage,
    SiteFigures,
)
from storage.pages import PressReview as ParsedPress
from storage.pages import SpectatorReview as ParsedSpectator

FILM = models.Film.__table__
ALIAS = models.FilmAlias.__table__
SOURCE = models.Source.__table__
SNAPSHOT = models.RatingSnapshot.__table__
SPECTATOR = models.SpectatorReview.__table__
PRESS = models.PressReview.__table__

SPECTATOR_FIELDS = (
    "author",
    "followers",
    "author_reviews",
    "rating",
    "published",
    "text",
    "spoiler",
    "site_id",
)
PRESS_FIELDS = ("outlet", "critic", "quote", "link", "rating", "site_id")


class StoreError(Exception):
    """A page that parsed but cannot be stored as asked (no film named, another film, …)."""


@dataclass(frozen=True)
class FilmHint:
    """What the caller knows of the page's film, for pages that do not name it."""

    title: str | None = None
    year: int | None = None
    allocine_id: int | None = None
    original_title: str | None = None
    url: str | None = None


@dataclass
class Counts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, other: Counts) -> None:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged


@dataclass
class StoreReport:
    film: str
    film_id: int
    page_kind: str
    counts: dict[str, Counts] = field(default_factory=dict)  # "spectateurs" / "presse" → counts
    warnings: list[str] = field(default_factory=list)


def content_hash(data: bytes | str) -> str:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()


def _short_hash(text: str) -> str:
    # Case and spacing only: the parsers already normalised spaces, and str methods are C-fast.
    return hashlib.sha1(" ".join(text.casefold().split()).encode()).hexdigest()[:16]


def spectator_key(review: ParsedSpectator) -> str:
    """A review's identity: its author (AlloCiné keeps one review per member and film), else its text."""
    if review.author:
        return "a:" + " ".join(review.author.casefold().split())
    day = review.published.isoformat() if review.published else "-"
    return f"v:{day}:{_short_hash(review.text)}"


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
    if isinstance(page, ParsedOutletPage):
        raise StoreError(
            f"page « Toutes les critiques de {page.outlet} » : elle couvre plusieurs films d'un même "
            "titre de presse, critibot n'importe que les pages d'un film"
        )
    hint = hint or FilmHint()
    now = now or datetime.now(UTC)
    with engine.begin() as conn:
        film_id, film_title = _upsert_film(conn, page.title, hint, now)
        source_id = _upsert_source(conn, content_hash(raw), location, page.kind, film_id, now)
        report = StoreReport(
            film=film_title, film_id=film_id, page_kind=page.kind, warnings=list(page.warnings)
        )
        if isinstance(page, ParsedSpectatorPage):
            _snapshot(conn, film_id, "spectateurs", page.figures, source_id, now)
            report.counts["spectateurs"] = _upsert_spectators(
                conn, film_id, page.reviews, source_id, now, backlog
            )
        elif isinstance(page, ParsedPressPage):
            _snapshot(conn, film_id, "presse", page.figures, source_id, now)
            report.counts["presse"] = _upsert_press(conn, film_id, page.reviews, source_id, now, backlog)
        elif isinstance(page, ParsedPlainReviews):
            reviews = [ParsedSpectator(author=None, rating=None, published=None, text=t) for t in page.texts]
            report.counts["spectateurs"] = _upsert_spectators(conn, film_id, reviews, source_id, now, backlog)
    return report


# --- films and sources ---------------------------------------------------------------------------


_FILMS_BY_TITLE = select(FILM).where(FILM.c.title_folded == bindparam("folded")).order_by(FILM.c.id)
_FILMS_BY_TITLE_YEAR = _FILMS_BY_TITLE.where((FILM.c.year == bindparam("year")) | FILM.c.year.is_(None))
_FILM_BY_ALLOCINE_ID = select(FILM).where(FILM.c.allocine_id == bindparam("allocine_id"))
_FILM_INSERT = FILM.insert()
_FILM_UPDATE = FILM.update().where(FILM.c.id == bindparam("film"))


def _upsert_film(conn: Connection, page_title: str | None, hint: FilmHint, now: datetime) -> tuple[int, str]:
    if page_title and hint.title and fold(page_title) != fold(hint.title):
        known = {fold(hint.title)} | ({fold(hint.original_title)} if hint.original_title else set())
        if fold(page_title) not in known:
            raise StoreError(f"la page parle de « {page_title} », pas de « {hint.title} »")
    title = hint.title or page_title
    if not title:
        raise StoreError("la page ne dit pas de quel film elle parle : précisez-le avec --film TITRE")

    row = None
    if hint.allocine_id is not None:
        row = conn.execute(_FILM_BY_ALLOCINE_ID, {"allocine_id": hint.allocine_id}).first()
    if row is None:
        if hint.year is None:
            candidates = conn.execute(_FILMS_BY_TITLE, {"folded": fold(title)}).all()
        else:
            candidates = conn.execute(_FILMS_BY_TITLE_YEAR, {"folded": fold(title), "year": hint.year}).all()
        if len(candidates) > 1 and hint.year is None:
            years = ", ".join(str(c.year) for c in candidates)
            raise StoreError(f"plusieurs films s'appellent « {title} » ({years}) : précisez --year")
        row = candidates[0] if candidates else None

    values = {
        "year": hint.year,
        "allocine_id": hint.allocine_id,
        "original_title": hint.original_title,
        "url": hint.url,
    }
    if row is None:
        film_id = conn.execute(
            _FILM_INSERT, {"title": title, "title_folded": fold(title), "created_at": now, **values}
        ).inserted_primary_key[0]
    else:
        film_id = row.id
        title = row.title
        changes = {k: v for k, v in values.items() if v is not None and getattr(row, k) != v}
        if changes:
            conn.execute(_FILM_UPDATE, {"film": film_id, **changes})
    aliases = {a for a in (hint.original_title, page_title) if a and fold(a) != fold(title)}
    if aliases:
        _upsert(
            conn,
            ALIAS,
            [{"film_id": film_id, "alias": a, "alias_folded": fold(a)} for a in aliases],
            keys=("film_id", "alias_folded"),
            updates=(),
        )
    return film_id, title


def _upsert_source(
    conn: Connection, digest: str, location: str, kind: str, film_id: int, now: datetime
) -> int:
    row = {
        "content_hash": digest,
        "location": location,
        "page_kind": kind,
        "film_id": film_id,
        "imported_at": now,
    }
    stmt = _upsert_statement(conn, SOURCE, ("content_hash",), ("location",), returning="id")
    return conn.execute(stmt, row).scalar_one()


def _snapshot(
    conn: Connection, film_id: int, kind: str, figures: SiteFigures, source_id: int, now: datetime
) -> None:
    """Append the page's figures to the film's history, once per distinct page."""
    if figures == SiteFigures():
        return
    histogram = figures.histogram or {}
    row = {
        "film_id": film_id,
        "kind": kind,
        "average": figures.average,
        "ratings_count": figures.ratings_count,
        "reviews_count": figures.reviews_count,
        "taken_at": now,
        "source_id": source_id,
        **{f"stars_{star}": histogram.get(star) for star in STARS},
    }
    _upsert(conn, SNAPSHOT, [row], keys=("film_id", "kind", "source_id"), updates=())
    current = (
        {"site_press_average": figures.average}
        if kind == "presse"
        else {
            "site_average": figures.average,
            "site_ratings_count": figures.ratings_count,
            "site_reviews_count": figures.reviews_count,
        }
    )
    conn.execute(_FILM_UPDATE, {"film": film_id, **current})


# --- reviews -------------------------------------------------------------------------------------


def _upsert_spectators(
    conn: Connection,
    film_id: int,
    reviews: Sequence[ParsedSpectator],
    source_id: int,
    now: datetime,
    backlog: bool | None,
) -> Counts:
    rows = {}
    for review in reviews:  # a page listing one review twice keeps the first
        key = spectator_key(review)
        rows.setdefault(key, {"review_key": key, **{f: getattr(review, f) for f in SPECTATOR_FIELDS}})
    return _merge(
        conn, SPECTATOR, "review_key", SPECTATOR_FIELDS, film_id, list(rows.values()), source_id, now, backlog
    )


def _upsert_press(
    conn: Connection,
    film_id: int,
    reviews: Sequence[ParsedPress],
    source_id: int,
    now: datetime,
    backlog: bool | None,
) -> Counts:
    rows = {}
    for review in reviews:
        key = fold(review.outlet)
        rows.setdefault(key, {"outlet_key": key, **{f: getattr(review, f) for f in PRESS_FIELDS}})
    return _merge(
        conn, PRESS, "outlet_key", PRESS_FIELDS, film_id, list(rows.values()), source_id, now, backlog
    )


_QUERIES: dict[tuple[str, str, tuple[str, ...]], Select[Any]] = {}


def _known_rows(table: Table, key: str, fields: Sequence[str]) -> Select[Any]:
    """position, key and fields of a film's rows: built once per table."""
    cache_key = (table.name, key, tuple(fields))
    if (query := _QUERIES.get(cache_key)) is None:
        columns = (table.c.position, table.c[key], *(table.c[f] for f in fields))
        query = _QUERIES[cache_key] = select(*columns).where(table.c.film_id == bindparam("film"))
    return query


def _merge(
    conn: Connection,
    table: Table,
    key: str,
    fields: Sequence[str],
    film_id: int,
    rows: list[dict[str, Any]],
    source_id: int,
    now: datetime,
    backlog: bool | None,
) -> Counts:
    """Insert new rows after the film's known ones, update changed ones, leave the rest alone."""
    counts = Counts()
    existing: dict[str, tuple[Any, ...]] = {}
    next_position = 0
    for position, row_key, *values in conn.execute(_known_rows(table, key, fields), {"film": film_id}):
        existing[row_key] = tuple(values)
        next_position = max(next_position, position + 1)
    if backlog is None:
        backlog = not existing
    new_rows, changed_rows = [], []
    for row in rows:
        old = existing.get(row[key])
        if old is None:
            new_rows.append(
                {
                    **row,
                    "film_id": film_id,
                    "position": next_position,
                    "source_id": source_id,
                    "updated_at": now,
                    "first_seen_at": now,
                    "backlog": backlog,
                }
            )
            next_position += 1
        elif old != tuple(row[f] for f in fields):
            # first_seen_at and backlog are not updated: the values here only fill the row's shape.
            changed_rows.append(
                {
                    **row,
                    "film_id": film_id,
                    "position": 0,
                    "source_id": source_id,
                    "updated_at": now,
                    "first_seen_at": now,
                    "backlog": backlog,
                }
            )
        else:
            counts.unchanged += 1
    counts.new, counts.updated = len(new_rows), len(changed_rows)
    # position stays out of the update: a known review keeps its place in page order.
    _upsert(
        conn,
        table,
        new_rows + changed_rows,
        keys=("film_id", key),
        updates=(*fields, "source_id", "updated_at"),
    )
    return counts


_UPSERTS: dict[tuple[str, str, tuple[str, ...], tuple[str, ...], str | None], Any] = {}


def _upsert(
    conn: Connection, table: Table, rows: list[dict[str, Any]], *, keys: Iterable[str], updates: Iterable[str]
) -> None:
    """Bulk `INSERT … ON CONFLICT (keys) DO UPDATE SET updates` (or DO NOTHING), for SQLite and PostgreSQL."""
    if rows:
        conn.execute(_upsert_statement(conn, table, tuple(keys), tuple(updates)), rows)


def _upsert_statement(
    conn: Connection,
    table: Table,
    keys: tuple[str, ...],
    updates: tuple[str, ...],
    returning: str | None = None,
) -> Any:
    """The upsert statement, built once per dialect, table, keys and updates (building it costs ~0.4 ms)."""
    dialect = conn.dialect.name
    cache_key = (dialect, table.name, keys, updates, returning)
    if (stmt := _UPSERTS.get(cache_key)) is not None:
        return stmt
    if dialect == "postgresql":
        stmt = postgresql.insert(table)
    elif dialect == "sqlite":
        stmt = sqlite.insert(table)
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise StoreError(f"base de données non prise en charge : {dialect}")
    if updates:
        stmt = stmt.on_conflict_do_update(
            index_elements=list(keys), set_={col: stmt.excluded[col] for col in updates}
        )
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(keys))
    if returning:
        stmt = stmt.returning(table.c[returning])
    _UPSERTS[cache_key] = stmt
    return stmt
