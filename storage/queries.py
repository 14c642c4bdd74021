"""Read side: what the commands ask of the database. Returns plain data, never text for people."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import Engine, Row, func, select

from storage.folding import fold
from storage.pages import STARS
from storage.store import ALIAS, FILM, PRESS, SNAPSHOT, SPECTATOR


@dataclass(frozen=True)
class FilmStats:
    id: int
    title: str
    year: int | None
    allocine_id: int | None
    original_title: str | None
    url: str | None
    site_average: float | None
    site_ratings_count: int | None
    site_reviews_count: int | None
    histogram: dict[str, int] | None
    spectator_reviews: int
    rated_reviews: int
    stored_average: float | None
    press_reviews: int
    press_with_quote: int
    press_average: float | None
    site_press_average: float | None
    site_press_count: int | None

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("id")
        return data


def find_films(engine: Engine, title: str) -> list[Row]:
    """Films whose title or an alias equals `title`, ignoring case, accents and punctuation."""
    folded = fold(title)
    aliased = select(ALIAS.c.film_id).where(ALIAS.c.alias_folded == folded)
    query = select(FILM).where((FILM.c.title_folded == folded) | FILM.c.id.in_(aliased)).order_by(FILM.c.id)
    with engine.connect() as conn:
        return list(conn.execute(query))


def all_film_ids(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return list(conn.execute(select(FILM.c.id).order_by(FILM.c.title_folded, FILM.c.year)).scalars())


def _latest_snapshot(conn: Any, film_id: int, kind: str) -> Row | None:
    return conn.execute(
        select(SNAPSHOT)
        .where(SNAPSHOT.c.film_id == film_id, SNAPSHOT.c.kind == kind)
        .order_by(SNAPSHOT.c.taken_at.desc(), SNAPSHOT.c.id.desc())
        .limit(1)
    ).first()


def film_stats(engine: Engine, film_id: int) -> FilmStats:
    with engine.connect() as conn:
        film = conn.execute(select(FILM).where(FILM.c.id == film_id)).one()
        spectators = conn.execute(
            select(func.count(), func.count(SPECTATOR.c.rating), func.avg(SPECTATOR.c.rating)).where(
                SPECTATOR.c.film_id == film_id
            )
        ).one()
        press = conn.execute(
            select(func.count(), func.count(PRESS.c.quote), func.avg(PRESS.c.rating)).where(
                PRESS.c.film_id == film_id
            )
        ).one()
        site = _latest_snapshot(conn, film_id, "spectateurs")
        site_press = _latest_snapshot(conn, film_id, "presse")
    histogram = None
    if site is not None and site.stars_5 is not None:
        histogram = {star: getattr(site, f"stars_{star}") for star in STARS}
    return FilmStats(
        id=film.id,
        title=film.title,
        year=film.year,
        allocine_id=film.allocine_id,
        original_title=film.original_title,
        url=film.url,
        site_average=site.average if site else None,
        site_ratings_count=site.ratings_count if site else None,
        site_reviews_count=site.reviews_count if site else None,
        histogram=histogram,
        spectator_reviews=spectators[0],
        rated_reviews=spectators[1],
        stored_average=round(float(spectators[2]), 2) if spectators[2] is not None else None,
        press_reviews=press[0],
        press_with_quote=press[1],
        press_average=round(float(press[2]), 2) if press[2] is not None else None,
        site_press_average=site_press.average if site_press else None,
        site_press_count=site_press.reviews_count if site_press else None,
    )


def spectator_reviews(engine: Engine, film_id: int) -> list[dict[str, Any]]:
    """A film's stored spectator reviews, in page order."""
    query = (
        select(
            SPECTATOR.c.author,
            SPECTATOR.c.followers,
            SPECTATOR.c.author_reviews,
            SPECTATOR.c.rating,
            SPECTATOR.c.published,
            SPECTATOR.c.text,
            SPECTATOR.c.spoiler,
        )
        .where(SPECTATOR.c.film_id == film_id)
        .order_by(SPECTATOR.c.position)
    )
    with engine.connect() as conn:
        return [_plain(row._asdict(), date_key="published", rename="date") for row in conn.execute(query)]


def press_reviews(engine: Engine, film_id: int) -> list[dict[str, Any]]:
    """A film's stored press reviews, in page order."""
    query = (
        select(PRESS.c.outlet, PRESS.c.critic, PRESS.c.quote, PRESS.c.link, PRESS.c.rating)
        .where(PRESS.c.film_id == film_id)
        .order_by(PRESS.c.position)
    )
    with engine.connect() as conn:
        return [row._asdict() for row in conn.execute(query)]


def _plain(data: dict[str, Any], *, date_key: str, rename: str) -> dict[str, Any]:
    value = data.pop(date_key)
    data[rename] = value.isoformat() if isinstance(value, date) else value
    return data
