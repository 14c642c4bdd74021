"""Read side of what changed: new reviews after id high-water marks, films whose figures moved.

The daily digest asks these questions; they return plain data, never text for people. "New" is told by
review ids (the digest ledger records the highest ids each digest covered), not by clocks: ids only grow,
so no review is announced twice and none falls between two digests. Reviews stored with a film's backlog
(`backlog = True`) are old news and never count as new.

One limit: on PostgreSQL a page transaction still open while a digest reads may later commit ids below
the marks the digest recorded; such a review is missed, never announced twice (SQLite serialises writers).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypedDict

from sqlalchemy import ColumnElement, Engine, Select, Table, false, func, select

from storage.db.tables import FILM, PRESS, SNAPSHOT, SPECTATOR


@dataclass(frozen=True)
class Marks:
    """The highest review ids stored (None: no review of that kind yet)."""

    spectator: int | None
    press: int | None


@dataclass(frozen=True)
class NewSpectatorReview:
    id: int
    film_id: int
    film_title: str
    film_year: int | None
    author: str | None  # None: anonymous visitor
    followers: int | None
    rating: float | None
    published: date | None
    text: str
    spoiler: bool


@dataclass(frozen=True)
class NewPressReview:
    id: int
    film_id: int
    film_title: str
    film_year: int | None
    outlet: str
    critic: str | None
    quote: str | None  # None: link-only review
    rating: float | None


@dataclass(frozen=True)
class MovedFilm:
    """A film's spectator figures then (newest snapshot at or before `since`) and now (newest snapshot)."""

    film_id: int
    title: str
    year: int | None
    average_before: float | None
    average_after: float | None
    ratings_before: int | None
    ratings_after: int | None

    @property
    def ratings_delta(self) -> int:
        if self.ratings_before is None or self.ratings_after is None:
            return 0
        return self.ratings_after - self.ratings_before

    @property
    def average_delta(self) -> float:
        if self.average_before is None or self.average_after is None:
            return 0.0
        return self.average_after - self.average_before


def max_ids(engine: Engine) -> Marks:
    """The current high-water marks: a digest reads up to these and records them."""
    query = select(
        select(func.max(SPECTATOR.c.id)).scalar_subquery(), select(func.max(PRESS.c.id)).scalar_subquery()
    )
    with engine.connect() as conn:
        spectator, press = conn.execute(query).one()
    return Marks(spectator, press)


class Window(TypedDict):
    """Which reviews are new: ids after `after_id` and up to `upto`, first seen since `since`, of the
    `films` a server's digest covers (None: every film)."""

    after_id: int | None
    since: datetime | None
    upto: int | None
    films: Collection[int] | None


def _window(
    table: Table,
    *,
    after_id: int | None,
    since: datetime | None,
    upto: int | None,
    films: Collection[int] | None,
) -> list[ColumnElement[bool]]:
    """Not backlog; id above `after_id` (the previous digest's mark) and up to `upto`; seen since `since`;
    of one of `films` when given."""
    conditions: list[ColumnElement[bool]] = [table.c.backlog == false()]
    if after_id is not None:
        conditions.append(table.c.id > after_id)
    if since is not None:
        conditions.append(table.c.first_seen_at >= since)  # NULL (rows older than the column) is never new
    if upto is not None:
        conditions.append(table.c.id <= upto)
    if films is not None:
        conditions.append(table.c.film_id.in_(sorted(films)))
    return conditions


def new_spectator_reviews(
    engine: Engine,
    *,
    after_id: int | None,
    since: datetime | None,
    upto: int | None = None,
    films: Collection[int] | None = None,
    limit: int | None = None,
) -> list[NewSpectatorReview]:
    """New spectator reviews, the most notable first: named authors with the most followers, rated ones,
    then in the order they were stored. `limit` keeps a flood cheap: counts come from `new_review_counts`."""
    query: Select[Any] = (
        select(
            SPECTATOR.c.id,
            SPECTATOR.c.film_id,
            FILM.c.title,
            FILM.c.year,
            SPECTATOR.c.author,
            SPECTATOR.c.followers,
            SPECTATOR.c.rating,
            SPECTATOR.c.published,
            SPECTATOR.c.text,
            SPECTATOR.c.spoiler,
        )
        .join(FILM, FILM.c.id == SPECTATOR.c.film_id)
        .where(*_window(SPECTATOR, after_id=after_id, since=since, upto=upto, films=films))
        .order_by(
            SPECTATOR.c.author.is_(None),
            SPECTATOR.c.followers.desc().nulls_last(),
            SPECTATOR.c.rating.is_(None),
            SPECTATOR.c.id,
        )
        .limit(limit)
    )
    with engine.connect() as conn:
        return [NewSpectatorReview(*row) for row in conn.execute(query)]


def new_press_reviews(
    engine: Engine,
    *,
    after_id: int | None,
    since: datetime | None,
    upto: int | None = None,
    films: Collection[int] | None = None,
    limit: int | None = None,
) -> list[NewPressReview]:
    """New press reviews, those with a quote first (a link alone says little), then in page order."""
    query: Select[Any] = (
        select(
            PRESS.c.id,
            PRESS.c.film_id,
            FILM.c.title,
            FILM.c.year,
            PRESS.c.outlet,
            PRESS.c.critic,
            PRESS.c.quote,
            PRESS.c.rating,
        )
        .join(FILM, FILM.c.id == PRESS.c.film_id)
        .where(*_window(PRESS, after_id=after_id, since=since, upto=upto, films=films))
        .order_by(PRESS.c.quote.is_(None), PRESS.c.film_id, PRESS.c.position, PRESS.c.id)
        .limit(limit)
    )
    with engine.connect() as conn:
        return [NewPressReview(*row) for row in conn.execute(query)]


def new_review_counts(
    engine: Engine,
    kind: str,
    *,
    after_id: int | None,
    since: datetime | None,
    upto: int | None = None,
    films: Collection[int] | None = None,
) -> dict[int, int]:
    """film id → number of new reviews of `kind` (spectateurs | presse), whatever `limit` showed."""
    table = SPECTATOR if kind == "spectateurs" else PRESS
    query = (
        select(table.c.film_id, func.count())
        .where(*_window(table, after_id=after_id, since=since, upto=upto, films=films))
        .group_by(table.c.film_id)
    )
    with engine.connect() as conn:
        return {film_id: n for film_id, n in conn.execute(query)}


def _newest_snapshots(*conditions: ColumnElement[bool]) -> Select[Any]:
    """Each film's newest spectator snapshot among those matching `conditions`."""
    rank = (
        func.row_number()
        .over(partition_by=SNAPSHOT.c.film_id, order_by=(SNAPSHOT.c.taken_at.desc(), SNAPSHOT.c.id.desc()))
        .label("rank")
    )
    ranked = (
        select(SNAPSHOT.c.film_id, SNAPSHOT.c.average, SNAPSHOT.c.ratings_count, rank)
        .where(SNAPSHOT.c.kind == "spectateurs", *conditions)
        .subquery()
    )
    return select(ranked.c.film_id, ranked.c.average, ranked.c.ratings_count).where(ranked.c.rank == 1)


def moved_films(engine: Engine, since: datetime, films: Collection[int] | None = None) -> list[MovedFilm]:
    """Films (of `films` when given) whose spectator average or ratings count changed since `since`.

    Compares each film's newest snapshot with its newest one taken at or before `since`; a film first
    read after `since` has nothing to compare with and is left out (it is new, not moved). `since` is
    compared in the database as given: pass a value read from it (the ledger's claimed_at) unchanged.
    """
    conditions = [SNAPSHOT.c.kind == "spectateurs", SNAPSHOT.c.taken_at > since]
    if films is not None:
        conditions.append(SNAPSHOT.c.film_id.in_(sorted(films)))
    recent = select(SNAPSHOT.c.film_id).where(*conditions).scalar_subquery()
    with engine.connect() as conn:
        after = {row.film_id: row for row in conn.execute(_newest_snapshots(SNAPSHOT.c.film_id.in_(recent)))}
        if not after:
            return []
        old_rows = _newest_snapshots(SNAPSHOT.c.taken_at <= since, SNAPSHOT.c.film_id.in_(recent)).subquery()
        before = list(
            conn.execute(
                select(old_rows, FILM.c.title, FILM.c.year).join(FILM, FILM.c.id == old_rows.c.film_id)
            )
        )
    moved = []
    for old in before:
        new = after[old.film_id]
        if (old.average, old.ratings_count) == (new.average, new.ratings_count):
            continue
        moved.append(
            MovedFilm(
                film_id=old.film_id,
                title=old.title,
                year=old.year,
                average_before=old.average,
                average_after=new.average,
                ratings_before=old.ratings_count,
                ratings_after=new.ratings_count,
            )
        )
    # The biggest moves first: the average, then the number of new ratings.
    moved.sort(key=lambda m: (-abs(m.average_delta), -abs(m.ratings_delta), m.title))
    return moved
