"""The films each Discord server follows (/suivre): stored per server, read by the refresher (the union
of every server's follows) and by each server's daily digest (its own follows).

Plain data in, typed rows out: the sentences about follows are written in bot/answers/follows.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Row, delete, func, select

from storage.db.tables import FILM, GUILD_FOLLOW, REFRESH_QUEUE
from storage.db.times import as_utc
from storage.db.upsert import upsert_statement
from storage.refresh_queue import enqueue, queued
from storage.store import AmbiguousFilm, find_film
from storage.watchlist import WatchedFilm

TABLE = GUILD_FOLLOW
QUEUE = REFRESH_QUEUE


@dataclass(frozen=True)
class FollowedFilm:
    id: int
    title: str
    year: int | None
    allocine_id: int | None
    original_title: str | None = None
    url: str | None = None  # the film's AlloCiné address when a page gave it

    @property
    def label(self) -> str:
        return f"{self.title} ({self.year})" if self.year else self.title

    def watched(self) -> WatchedFilm:
        """As the refresher reads a watchlist entry (it needs the AlloCiné id to read anything)."""
        return WatchedFilm(
            title=self.title, year=self.year, allocine_id=self.allocine_id, original_title=self.original_title
        )


_COLUMNS = (FILM.c.id, FILM.c.title, FILM.c.year, FILM.c.allocine_id, FILM.c.original_title, FILM.c.url)


def _film(row: Row[Any, Any, Any, Any, Any, Any]) -> FollowedFilm:
    return FollowedFilm(row.id, row.title, row.year, row.allocine_id, row.original_title, row.url)


def follow(engine: Engine, guild_id: int, film_id: int, by: int | None, now: datetime) -> bool:
    """`guild_id` follows `film_id` from now on; True if it is new, False if the server followed it already
    (the first follow's date and member stay)."""
    row = {"guild_id": guild_id, "film_id": film_id, "followed_at": now, "followed_by": by}
    with engine.begin() as conn:
        stmt = upsert_statement(conn.dialect.name, TABLE, ("guild_id", "film_id"), (), "id")
        # RETURNING gives a row only to the insert that won: two managers at once make one follow.
        new = conn.execute(stmt, row).scalar_one_or_none() is not None
        readable = conn.scalar(select(FILM.c.allocine_id).where(FILM.c.id == film_id)) is not None
    if new and readable and queued(engine, film_id) is None:
        # A film the refresher did not read yet is read first by its next round; one it reads already
        # keeps its plan.
        enqueue(engine, [film_id], now=now, front=True)
    return new


def unfollow(engine: Engine, guild_id: int, film_id: int) -> bool:
    """`guild_id` no longer follows `film_id`; True if it did."""
    with engine.begin() as conn:
        result = conn.execute(delete(TABLE).where(TABLE.c.guild_id == guild_id, TABLE.c.film_id == film_id))
        return bool(result.rowcount)


def is_followed(engine: Engine, guild_id: int, film_id: int) -> bool:
    query = select(TABLE.c.id).where(TABLE.c.guild_id == guild_id, TABLE.c.film_id == film_id)
    with engine.connect() as conn:
        return conn.execute(query).first() is not None


def followed_films(engine: Engine, guild_id: int) -> list[FollowedFilm]:
    """The films `guild_id` follows, by title then year."""
    query = (
        select(*_COLUMNS)
        .join(TABLE, TABLE.c.film_id == FILM.c.id)
        .where(TABLE.c.guild_id == guild_id)
        .order_by(FILM.c.title_folded, FILM.c.year, FILM.c.id)
    )
    with engine.connect() as conn:
        return [_film(row) for row in conn.execute(query)]


@dataclass(frozen=True)
class Freshness:
    """How current a server's followed films are: what `/reglages voir` tells."""

    films: int  # followed
    offline: int  # without an AlloCiné id: only imports and inbox files bring their reviews
    never_read: int  # not read by the refresher yet (just followed): first in its next round
    failing: int  # whose last read failed (tried again soon)
    oldest_read: datetime | None  # the least recent last good read among the others…
    oldest_title: str | None  # …and that film


def freshness(engine: Engine, guild_id: int) -> Freshness:
    """The freshness of `guild_id`'s followed films, from the refresh queue."""
    query = (
        select(FILM.c.title, FILM.c.allocine_id, QUEUE.c.last_read_at, QUEUE.c.last_outcome)
        .join(TABLE, TABLE.c.film_id == FILM.c.id)
        .outerjoin(QUEUE, QUEUE.c.film_id == FILM.c.id)
        .where(TABLE.c.guild_id == guild_id)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    read = [(as_utc(row.last_read_at), row.title) for row in rows if row.last_read_at is not None]
    oldest = min(read) if read else None
    return Freshness(
        films=len(rows),
        offline=sum(1 for row in rows if row.allocine_id is None),
        never_read=sum(
            1
            for row in rows
            if row.allocine_id is not None and row.last_read_at is None and row.last_outcome != "failed"
        ),
        failing=sum(1 for row in rows if row.last_outcome == "failed"),
        oldest_read=oldest[0] if oldest else None,
        oldest_title=oldest[1] if oldest else None,
    )


def followed_ids(engine: Engine, guild_id: int) -> frozenset[int]:
    with engine.connect() as conn:
        return frozenset(conn.scalars(select(TABLE.c.film_id).where(TABLE.c.guild_id == guild_id)))


def followers_count(engine: Engine) -> dict[int, int]:
    """film id → how many servers follow it (films nobody follows are absent)."""
    query = select(TABLE.c.film_id, func.count()).group_by(TABLE.c.film_id)
    with engine.connect() as conn:
        return {film_id: count for film_id, count in conn.execute(query)}


def all_followed(engine: Engine) -> list[FollowedFilm]:
    """Every film at least one server follows, once, by title: what the refresher reads besides the
    watchlist."""
    query = (
        select(*_COLUMNS)
        .where(FILM.c.id.in_(select(TABLE.c.film_id)))
        .order_by(FILM.c.title_folded, FILM.c.year)
    )
    with engine.connect() as conn:
        return [_film(row) for row in conn.execute(query)]


def watched_ids(engine: Engine, watchlist: Sequence[WatchedFilm]) -> frozenset[int]:
    """The stored films the watchlist names (by AlloCiné id, else by name and year); entries not read yet,
    or whose name fits several films, name none."""
    ids: set[int] = set()
    with engine.connect() as conn:
        for entry in watchlist:
            try:
                row = find_film(conn, entry.hint, entry.title)
            except AmbiguousFilm:
                continue  # the refresher reports it; the digest cannot guess
            if row is not None:
                ids.add(row.id)
    return frozenset(ids)


def with_followed(engine: Engine, watchlist: Sequence[WatchedFilm]) -> list[WatchedFilm]:
    """What the refresher reads: the watchlist, then every followed film with an AlloCiné id that the
    watchlist does not name by that id (its entry wins: the operator's title, year and files)."""
    known = {film.allocine_id for film in watchlist if film.allocine_id is not None}
    extra = [
        followed.watched()
        for followed in all_followed(engine)
        if followed.allocine_id is not None and followed.allocine_id not in known
    ]
    return [*watchlist, *extra]
