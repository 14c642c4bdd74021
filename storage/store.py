"""Write a parsed page into the database: one transaction per page, bulk and idempotent.

Rows are written with `INSERT … ON CONFLICT DO UPDATE` on each table's natural key, so re-reading a
page never duplicates anything and a review whose text changed is updated. The existing rows of the
film are read once per page (not at all for a film the page creates) to tell new, updated and
unchanged apart. Reviews go to the DBAPI cursor as tuples (see `_Writer`); the rest via SQLAlchemy Core.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import repeat
from operator import attrgetter
from typing import Any

from sqlalchemy import Connection, Engine, Row, Select, Table, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect

from storage.db.tables import ALIAS, FILM, PRESS, SNAPSHOT, SOURCE, SPECTATOR
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
    # The page came from the film's own AlloCiné address: a title the watchlist spells otherwise
    # ("Dune 2" for "Dune : Deuxième partie") is another name of the film, not another film.
    from_film_address: bool = False


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
    figures = _film_figures(page)
    with engine.begin() as conn:
        film_id, film_title, created = _upsert_film(conn, page.title, hint, now, figures)
        source_id = _upsert_source(conn, content_hash(raw), location, page.kind, film_id, now)
        report = StoreReport(
            film=film_title, film_id=film_id, page_kind=page.kind, warnings=list(page.warnings)
        )
        # A film created by this transaction has no reviews yet: no need to read them.
        if isinstance(page, ParsedSpectatorPage):
            _snapshot(conn, film_id, "spectateurs", page.figures, source_id, now)
            report.counts["spectateurs"] = _upsert_spectators(
                conn, film_id, page.reviews, source_id, now, backlog, created
            )
        elif isinstance(page, ParsedPressPage):
            _snapshot(conn, film_id, "presse", page.figures, source_id, now)
            report.counts["presse"] = _upsert_press(
                conn, film_id, page.reviews, source_id, now, backlog, created
            )
        elif isinstance(page, ParsedPlainReviews):
            reviews = [ParsedSpectator(author=None, rating=None, published=None, text=t) for t in page.texts]
            report.counts["spectateurs"] = _upsert_spectators(
                conn, film_id, reviews, source_id, now, backlog, created
            )
    return report


def _film_figures(page: ParsedPage) -> dict[str, Any]:
    """The film columns that copy the page's latest figures (written with the film row, not after it)."""
    if not isinstance(page, ParsedSpectatorPage | ParsedPressPage) or page.figures == SiteFigures():
        return {}
    figures = page.figures
    if isinstance(page, ParsedPressPage):
        return {"site_press_average": figures.average}
    return {
        "site_average": figures.average,
        "site_ratings_count": figures.ratings_count,
        "site_reviews_count": figures.reviews_count,
    }


# --- films and sources ---------------------------------------------------------------------------


_FILMS_BY_TITLE = select(FILM).where(FILM.c.title_folded == bindparam("folded")).order_by(FILM.c.id)
_FILMS_BY_TITLE_YEAR = _FILMS_BY_TITLE.where((FILM.c.year == bindparam("year")) | FILM.c.year.is_(None))
_FILM_BY_ALLOCINE_ID = select(FILM).where(FILM.c.allocine_id == bindparam("allocine_id"))
_FILM_INSERT = FILM.insert()
_FILM_UPDATE = FILM.update().where(FILM.c.id == bindparam("film"))


def find_film(conn: Connection, hint: FilmHint, title: str) -> Row[Any] | None:
    """The stored film a page of `title` with `hint` is about: by AlloCiné id, else by title and year."""
    if hint.allocine_id is not None:
        row = conn.execute(_FILM_BY_ALLOCINE_ID, {"allocine_id": hint.allocine_id}).first()
        if row is not None:
            return row
    folded = fold(title)
    if hint.year is None:
        candidates = conn.execute(_FILMS_BY_TITLE, {"folded": folded}).all()
    else:
        candidates = conn.execute(_FILMS_BY_TITLE_YEAR, {"folded": folded, "year": hint.year}).all()
    if len(candidates) > 1 and hint.year is None:
        years = ", ".join(str(c.year) for c in candidates)
        raise StoreError(f"plusieurs films s'appellent « {title} » ({years}) : précisez --year")
    return candidates[0] if candidates else None


def _upsert_film(
    conn: Connection, page_title: str | None, hint: FilmHint, now: datetime, figures: dict[str, Any]
) -> tuple[int, str, bool]:
    """The film's id and title, and whether this call created it; `figures` are written either way."""
    if page_title and hint.title and fold(page_title) != fold(hint.title) and not hint.from_film_address:
        known = {fold(hint.title)} | ({fold(hint.original_title)} if hint.original_title else set())
        if fold(page_title) not in known:
            raise StoreError(f"la page parle de « {page_title} », pas de « {hint.title} »")
    title = hint.title or page_title
    if not title:
        raise StoreError("la page ne dit pas de quel film elle parle : précisez-le avec --film TITRE")
    folded = fold(title)
    row = find_film(conn, hint, title)

    values = {
        "year": hint.year,
        "allocine_id": hint.allocine_id,
        "original_title": hint.original_title,
        "url": hint.url,
    }
    if row is None:
        film_id = conn.execute(
            _FILM_INSERT, {"title": title, "title_folded": folded, "created_at": now, **values, **figures}
        ).inserted_primary_key[0]
    else:
        film_id = row.id
        title = row.title
        # The figures are set even to None (the page no longer shows them); the hint only fills in.
        changes = {k: v for k, v in values.items() if v is not None and getattr(row, k) != v}
        changes.update((k, v) for k, v in figures.items() if getattr(row, k) != v)
        if changes:
            conn.execute(_FILM_UPDATE, {"film": film_id, **changes})
    aliases = {a for a in (hint.original_title, page_title) if a and fold(a) != folded}
    if aliases:
        _upsert(
            conn,
            ALIAS,
            [{"film_id": film_id, "alias": a, "alias_folded": fold(a)} for a in aliases],
            keys=("film_id", "alias_folded"),
            updates=(),
        )
    return film_id, title, row is None


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
    stmt = _upsert_statement(conn.dialect.name, SOURCE, ("content_hash",), ("location",), returning="id")
    return conn.execute(stmt, row).scalar_one()


def _snapshot(
    conn: Connection, film_id: int, kind: str, figures: SiteFigures, source_id: int, now: datetime
) -> None:
    """Append the page's figures to the film's history, once per distinct page (the film row has them)."""
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


# --- reviews -------------------------------------------------------------------------------------


_SPECTATOR_VALUES = attrgetter(*SPECTATOR_FIELDS)
_PRESS_VALUES = attrgetter(*PRESS_FIELDS)


def _upsert_spectators(
    conn: Connection,
    film_id: int,
    reviews: Sequence[ParsedSpectator],
    source_id: int,
    now: datetime,
    backlog: bool | None,
    new_film: bool = False,
) -> Counts:
    rows: dict[str, tuple[Any, ...]] = {}
    for review in reviews:  # a page listing one review twice keeps the first
        key = spectator_key(review)
        if key not in rows:
            rows[key] = _SPECTATOR_VALUES(review)
    return _merge(
        conn, SPECTATOR, "review_key", SPECTATOR_FIELDS, film_id, rows, source_id, now, backlog, new_film
    )


def _upsert_press(
    conn: Connection,
    film_id: int,
    reviews: Sequence[ParsedPress],
    source_id: int,
    now: datetime,
    backlog: bool | None,
    new_film: bool = False,
) -> Counts:
    rows: dict[str, tuple[Any, ...]] = {}
    for review in reviews:
        key = fold(review.outlet)
        if key not in rows:
            rows[key] = _PRESS_VALUES(review)
    return _merge(conn, PRESS, "outlet_key", PRESS_FIELDS, film_id, rows, source_id, now, backlog, new_film)


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
    rows: dict[str, tuple[Any, ...]],
    source_id: int,
    now: datetime,
    backlog: bool | None,
    new_film: bool,
) -> Counts:
    """Insert new rows after the film's known ones, update changed ones, leave the rest alone.

    `rows` maps each review's key to its `fields` values, in page order.
    """
    counts = Counts()
    existing: dict[str, tuple[Any, ...]] = {}
    next_position = 0
    if not new_film:
        for position, row_key, *values in conn.execute(_known_rows(table, key, fields), {"film": film_id}):
            existing[row_key] = tuple(values)
            next_position = max(next_position, position + 1)
    if backlog is None:
        backlog = not existing
    if not existing:  # every row is new, in page order
        writes = [(k, v, next_position + i) for i, (k, v) in enumerate(rows.items())]
        counts.new = len(writes)
    else:
        new_rows, changed_rows = [], []
        for row_key, values in rows.items():
            old = existing.get(row_key)
            if old is None:
                new_rows.append((row_key, values, next_position))
                next_position += 1
            elif old != values:
                changed_rows.append((row_key, values, 0))  # position is not updated: this only fills it
            else:
                counts.unchanged += 1
        counts.new, counts.updated = len(new_rows), len(changed_rows)
        writes = new_rows + changed_rows
    if writes:
        # No conflict is possible on a film this transaction created: a plain INSERT does less work.
        _write_rows(
            conn,
            _writer(conn.dialect, table, key, fields, upsert=not new_film),
            film_id,
            writes,
            source_id,
            now,
            backlog,
        )
    return counts


@dataclass(frozen=True)
class _Writer:
    """A review table's write, compiled once per dialect: SQL for the DBAPI cursor and its bind processors.

    The rows skip SQLAlchemy's per-row parameter handling, which cost more than the database work; each
    value still goes through its column type's own bind processor, so what is stored is the same.
    """

    table: Table
    key: str
    fields: tuple[str, ...]
    upsert: bool
    sql: str
    order: tuple[int, ...]  # where each statement parameter is among the writer's columns
    row_processors: tuple[tuple[int, Callable[[Any], Any]], ...]  # (column index, processor)
    page_processors: tuple[Callable[[Any], Any] | None, ...]  # film_id, source_id, updated_at, …


# The page-wide columns a writer fills, after key, fields and position.
_PAGE_COLUMNS = ("film_id", "source_id", "updated_at", "first_seen_at", "backlog")
_WRITERS: dict[tuple[str, str, bool], _Writer] = {}


def _writer(dialect: Dialect, table: Table, key: str, fields: Sequence[str], *, upsert: bool) -> _Writer:
    cache_key = (dialect.name, table.name, upsert)
    if (writer := _WRITERS.get(cache_key)) is not None:
        return writer
    # position stays out of the update: a known review keeps its place in page order.
    updates = (*fields, "source_id", "updated_at") if upsert else ()
    stmt = _upsert_statement(dialect.name, table, ("film_id", key), updates, plain=not upsert)
    columns = (key, *fields, "position", *_PAGE_COLUMNS)
    # exec_driver_sql takes tuples only with a positional paramstyle (psycopg: "format", i.e. %s).
    positional = dialect if dialect.positional else type(dialect)(paramstyle="format")
    compiled = stmt.compile(dialect=positional, column_keys=list(columns), for_executemany=True)
    names = tuple(compiled.positiontup or ())
    if sorted(names) != sorted(columns):  # pragma: no cover - a column added to the model but not here
        raise StoreError(f"{table.name} : colonnes inattendues {names}")
    # the processor SQLAlchemy's own execution uses for the column (private, stable since 1.4)
    processors = [_quicker(table.c[name].type._cached_bind_processor(dialect)) for name in columns]
    writer = _WRITERS[cache_key] = _Writer(
        table=table,
        key=key,
        fields=tuple(fields),
        upsert=upsert,
        sql=compiled.string,
        order=tuple(columns.index(name) for name in names),
        row_processors=tuple((i, p) for i, p in enumerate(processors[: len(fields) + 2]) if p is not None),
        page_processors=tuple(processors[len(fields) + 2 :]),
    )
    return writer


# Cheaper equivalents of SQLAlchemy's per-value conversions (SQLite's DATE formats a dict, its Boolean
# checks then calls int), used for a column only when they give what its processor gives on these probes.
_QUICK: tuple[tuple[type, Callable[[Any], Any], tuple[Any, ...]], ...] = (
    (date, date.isoformat, (date(2024, 1, 5), date(999, 12, 31), date(1, 1, 1), date(9999, 12, 31))),
    (bool, int, (True, False)),
)


def _quicker(process: Callable[[Any], Any] | None) -> Callable[[Any], Any] | None:
    """`process`, or a cheaper function storing the same values (others, None included, still go to it)."""
    if process is None:
        return None
    for kind, quick, probes in _QUICK:
        try:
            if all(type(quick(v)) is type(process(v)) and quick(v) == process(v) for v in probes):
                # the exact class only: a datetime is a date that SQLAlchemy would cut to its day
                return lambda value: quick(value) if value.__class__ is kind else process(value)
        except (TypeError, ValueError, AttributeError):  # not a processor of that kind
            continue
    return process


def _write_rows(
    conn: Connection,
    writer: _Writer,
    film_id: int,
    rows: list[tuple[str, tuple[Any, ...], int]],
    source_id: int,
    now: datetime,
    backlog: bool,
) -> None:
    """Send (key, values, position) rows to the DBAPI cursor's executemany, converted column by column."""
    keys, values, positions = zip(*rows, strict=True)
    columns: list[Iterable[Any]] = [keys, *zip(*values, strict=True), positions]
    for i, process in writer.row_processors:
        columns[i] = map(process, columns[i])
    for value, process in zip((film_id, source_id, now, now, backlog), writer.page_processors, strict=True):
        columns.append(repeat(process(value) if process else value))
    # The page-wide columns repeat endlessly: zip stops at the rows.
    conn.exec_driver_sql(writer.sql, list(zip(*(columns[i] for i in writer.order), strict=False)))


_UPSERTS: dict[tuple[str, str, tuple[str, ...], tuple[str, ...], str | None, bool], Any] = {}


def _upsert(
    conn: Connection, table: Table, rows: list[dict[str, Any]], *, keys: Iterable[str], updates: Iterable[str]
) -> None:
    """Bulk `INSERT … ON CONFLICT (keys) DO UPDATE SET updates` (or DO NOTHING), for SQLite and PostgreSQL."""
    if rows:
        conn.execute(_upsert_statement(conn.dialect.name, table, tuple(keys), tuple(updates)), rows)


def _upsert_statement(
    dialect: str,
    table: Table,
    keys: tuple[str, ...],
    updates: tuple[str, ...],
    returning: str | None = None,
    *,
    plain: bool = False,
) -> Any:
    """The upsert statement (`plain`: the bare INSERT), built once per dialect, table, keys and updates.

    Building one costs ~0.4 ms.
    """
    cache_key = (dialect, table.name, keys, updates, returning, plain)
    if (stmt := _UPSERTS.get(cache_key)) is not None:
        return stmt
    if dialect == "postgresql":
        stmt = postgresql.insert(table)
    elif dialect == "sqlite":
        stmt = sqlite.insert(table)
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise StoreError(f"base de données non prise en charge : {dialect}")
    if plain:
        pass  # the bare INSERT: no conflict is possible
    elif updates:
        stmt = stmt.on_conflict_do_update(
            index_elements=list(keys), set_={col: stmt.excluded[col] for col in updates}
        )
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(keys))
    if returning:
        stmt = stmt.returning(table.c[returning])
    _UPSERTS[cache_key] = stmt
    return stmt
