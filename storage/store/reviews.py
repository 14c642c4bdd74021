"""A page's reviews merged into a film's stored ones: bulk, idempotent, keyed on each review's identity.

New reviews go after the film's known ones (page order is kept), changed ones are updated, the rest is
left alone. Rows go to the DBAPI cursor as tuples (see `_Writer`): SQLAlchemy's per-row parameter
handling cost more than the database work.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import repeat
from operator import attrgetter
from typing import Any

from sqlalchemy import Connection, Select, Table, bindparam, select
from sqlalchemy.engine import Dialect

from storage.db.tables import PRESS, SPECTATOR
from storage.db.upsert import upsert_statement
from storage.folding import fold
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


@dataclass
class Counts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, other: Counts) -> None:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged


def _short_hash(text: str) -> str:
    # Case and spacing only: the parsers already normalised spaces, and str methods are C-fast.
    return hashlib.sha1(" ".join(text.casefold().split()).encode()).hexdigest()[:16]


def spectator_key(review: ParsedSpectator) -> str:
    """A review's identity: its author (AlloCiné keeps one review per member and film), else its text."""
    if review.author:
        return "a:" + " ".join(review.author.casefold().split())
    day = review.published.isoformat() if review.published else "-"
    return f"v:{day}:{_short_hash(review.text)}"


_SPECTATOR_VALUES = attrgetter(*SPECTATOR_FIELDS)
_PRESS_VALUES = attrgetter(*PRESS_FIELDS)


@dataclass(frozen=True)
class _Kind:
    """How one kind of review is stored: its table, its identity and the fields compared on re-reads."""

    table: Table
    key: str  # the column holding the review's identity within its film
    fields: tuple[str, ...]
    identity: Callable[[Any], str]
    values: Callable[[Any], tuple[Any, ...]]


_KINDS = {
    "spectateurs": _Kind(SPECTATOR, "review_key", SPECTATOR_FIELDS, spectator_key, _SPECTATOR_VALUES),
    "presse": _Kind(PRESS, "outlet_key", PRESS_FIELDS, lambda review: fold(review.outlet), _PRESS_VALUES),
}


def merge_reviews(
    conn: Connection,
    kind: str,
    film_id: int,
    reviews: Sequence[ParsedSpectator] | Sequence[ParsedPress],
    source_id: int,
    now: datetime,
    backlog: bool | None,
    new_film: bool = False,
    old_before: date | None = None,
) -> Counts:
    """Merge a page's reviews of `kind` (spectateurs | presse) into the film's stored ones. New reviews
    published before `old_before` are backlog whatever `backlog` says: older than the film's first read,
    they were on pages that read did not reach (on demand reads the first only), not news."""
    how = _KINDS[kind]
    rows: dict[str, tuple[Any, ...]] = {}
    for review in reviews:  # a page listing one review twice keeps the first
        key = how.identity(review)
        if key not in rows:
            rows[key] = how.values(review)
    return _merge(
        conn, how.table, how.key, how.fields, film_id, rows, source_id, now, backlog, new_film, old_before
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
    rows: dict[str, tuple[Any, ...]],
    source_id: int,
    now: datetime,
    backlog: bool | None,
    new_film: bool,
    old_before: date | None = None,
) -> Counts:
    """Insert new rows after the film's known ones, update changed ones, leave the rest alone.

    `rows` maps each review's key to its `fields` values, in page order.
    """
    counts = Counts()
    existing: dict[str, tuple[Any, ...]] = {}
    next_position = 0
    if not new_film:
        for position, row_key, *known in conn.execute(_known_rows(table, key, fields), {"film": film_id}):
            existing[row_key] = tuple(known)
            next_position = max(next_position, position + 1)
    if backlog is None:
        backlog = not existing
    if not existing:  # every row is new, in page order
        writes = [(k, v, next_position + i) for i, (k, v) in enumerate(rows.items())]
        counts.new = len(writes)
    else:
        new_rows: list[tuple[str, tuple[Any, ...], int]] = []
        changed_rows: list[tuple[str, tuple[Any, ...], int]] = []
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
    older: list[tuple[str, tuple[Any, ...], int]] = []
    if not backlog and old_before is not None and "published" in fields:
        at = fields.index("published")
        older = [w for w in writes if w[0] not in existing and w[1][at] is not None and w[1][at] < old_before]
        writes = [w for w in writes if w not in older]
    writer = _writer(conn.dialect, table, key, fields, upsert=not new_film)
    # No conflict is possible on a film this transaction created: a plain INSERT does less work.
    batches: tuple[tuple[list[tuple[str, tuple[Any, ...], int]], bool], ...] = (
        (writes, backlog),
        (older, True),
    )
    for batch, as_backlog in batches:
        if batch:
            _write_rows(conn, writer, film_id, batch, source_id, now, as_backlog)
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
    stmt = upsert_statement(dialect.name, table, ("film_id", key), updates, plain=not upsert)
    columns = (key, *fields, "position", *_PAGE_COLUMNS)
    # exec_driver_sql takes tuples only with a positional paramstyle (psycopg: "format", i.e. %s).
    positional = dialect if dialect.positional else type(dialect)(paramstyle="format")  # type: ignore[call-arg]
    compiled = stmt.compile(dialect=positional, column_keys=list(columns), for_executemany=True)
    names = tuple(compiled.positiontup or ())
    if sorted(names) != sorted(columns):  # pragma: no cover - a column added to the model but not here
        raise AssertionError(f"{table.name}: unexpected columns {names}")
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
    for value, page_process in zip(
        (film_id, source_id, now, now, backlog), writer.page_processors, strict=True
    ):
        columns.append(repeat(page_process(value) if page_process is not None else value))
    # The page-wide columns repeat endlessly: zip stops at the rows.
    conn.exec_driver_sql(writer.sql, list(zip(*(columns[i] for i in writer.order), strict=False)))
