"""Read side: what the commands ask of the database. Returns plain data, never text for people."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Engine, Row, Select, Table, bindparam, func, null, select

from storage.db.tables import ALIAS, FILM, PRESS, SNAPSHOT, SPECTATOR
from storage.pages import STARS
from storage.store import identity


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
    figures_at: datetime | None  # when the site's figures were last read
    # From the film's main page (storage.store.details), once it has been read.
    kind: str = "film"  # film | series
    release_date: date | None = None
    directors: tuple[str, ...] = ()  # a series' creators
    genres: tuple[str, ...] = ()
    duration_minutes: int | None = None
    poster_url: str | None = None
    synopsis: str | None = None
    details_at: datetime | None = None  # when the main page was last read

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("id")
        data["figures_at"] = self.figures_at.isoformat() if self.figures_at else None
        data["release_date"] = self.release_date.isoformat() if self.release_date else None
        data["details_at"] = self.details_at.isoformat() if self.details_at else None
        data["directors"], data["genres"] = list(self.directors), list(self.genres)
        return data


def find_films(engine: Engine, title: str, year: int | None = None) -> list[Row[Any]]:
    """Films that go by `title` (title or alias, ignoring case, accents and punctuation), of `year` when
    given: the rule the store identifies films by (storage.store.identity)."""
    with engine.connect() as conn:
        return identity.find_films(conn, title, year)


def all_film_ids(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return list(conn.execute(select(FILM.c.id).order_by(FILM.c.title_folded, FILM.c.year)).scalars())


# Built once: building a statement costs more than SQLite takes to run it (see benchmarks/answers.py).
_FILM_ID: BindParameter[int] = bindparam("film_id")
_FILM_ROW = select(FILM).where(FILM.c.id == _FILM_ID)
_SPECTATOR_AGGREGATES = select(
    func.count(), func.count(SPECTATOR.c.rating), func.avg(SPECTATOR.c.rating)
).where(SPECTATOR.c.film_id == _FILM_ID)
_PRESS_AGGREGATES = select(func.count(), func.count(PRESS.c.quote), func.avg(PRESS.c.rating)).where(
    PRESS.c.film_id == _FILM_ID
)
_LATEST_SNAPSHOT = (
    select(SNAPSHOT)
    .where(SNAPSHOT.c.film_id == _FILM_ID, SNAPSHOT.c.kind == bindparam("kind"))
    .order_by(SNAPSHOT.c.taken_at.desc(), SNAPSHOT.c.id.desc())
    .limit(1)
)
# The main page gives the figures but no histogram: the histogram is the last one a reviews page gave.
_LATEST_HISTOGRAM = _LATEST_SNAPSHOT.where(SNAPSHOT.c.stars_5.is_not(None))


def film_stats(engine: Engine, film_id: int) -> FilmStats:
    film_param = {"film_id": film_id}
    with engine.connect() as conn:
        film = conn.execute(_FILM_ROW, film_param).one()
        spectators = conn.execute(_SPECTATOR_AGGREGATES, film_param).one()
        press = conn.execute(_PRESS_AGGREGATES, film_param).one()
        site = conn.execute(_LATEST_SNAPSHOT, {**film_param, "kind": "spectateurs"}).first()
        site_press = conn.execute(_LATEST_SNAPSHOT, {**film_param, "kind": "presse"}).first()
        shape = conn.execute(_LATEST_HISTOGRAM, {**film_param, "kind": "spectateurs"}).first()
    histogram = None
    if shape is not None:
        histogram = {star: getattr(shape, f"stars_{star}") for star in STARS}
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
        # The film row keeps the last press average any page gave (press pages often give none).
        site_press_average=film.site_press_average,
        site_press_count=site_press.reviews_count if site_press else None,
        figures_at=max((s.taken_at for s in (site, site_press) if s is not None), default=None),
        kind=film.kind,
        release_date=film.release_date,
        directors=_names(film.directors),
        genres=_names(film.genres),
        duration_minutes=film.duration_minutes,
        poster_url=film.poster_url,
        synopsis=film.synopsis,
        details_at=film.details_at,
    )


def _names(stored: str | None) -> tuple[str, ...]:
    """A JSON list of names as the film row keeps them; anything else reads as none."""
    try:
        names = json.loads(stored) if stored else []
    except ValueError:
        return ()
    return tuple(n for n in names if isinstance(n, str)) if isinstance(names, list) else ()


@dataclass(frozen=True)
class StoredSpectatorReview:
    author: str | None  # None: an anonymous visitor
    followers: int | None
    author_reviews: int | None
    rating: float | None
    published: date | None
    text: str
    spoiler: bool

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["date"] = data.pop("published").isoformat() if self.published else None
        return data


@dataclass(frozen=True)
class StoredPressReview:
    outlet: str
    critic: str | None
    quote: str | None  # None: a link-only review
    link: str | None
    rating: float | None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RankedFilm:
    film_id: int
    title: str
    year: int | None
    average: float
    count: int  # the ratings the average is made of


_SPECTATOR_COLUMNS = tuple(SPECTATOR.c[f.name] for f in fields(StoredSpectatorReview))
_PRESS_COLUMNS = tuple(PRESS.c[f.name] for f in fields(StoredPressReview))


def spectator_reviews(engine: Engine, film_id: int) -> list[StoredSpectatorReview]:
    """A film's stored spectator reviews, in page order."""
    query = select(*_SPECTATOR_COLUMNS).where(SPECTATOR.c.film_id == film_id).order_by(SPECTATOR.c.position)
    with engine.connect() as conn:
        return [StoredSpectatorReview(*row) for row in conn.execute(query)]


def press_reviews(engine: Engine, film_id: int) -> list[StoredPressReview]:
    """A film's stored press reviews, in page order."""
    query = select(*_PRESS_COLUMNS).where(PRESS.c.film_id == film_id).order_by(PRESS.c.position)
    with engine.connect() as conn:
        return [StoredPressReview(*row) for row in conn.execute(query)]


# --- what the answers ask for -------------------------------------------------------------------

SPECTATOR_SORTS = {
    "utiles": (SPECTATOR.c.position.asc(),),  # the site's own order, most useful first
    "récentes": (SPECTATOR.c.published.desc().nulls_last(), SPECTATOR.c.position.asc()),
    "meilleures": (SPECTATOR.c.rating.desc().nulls_last(), SPECTATOR.c.position.asc()),
    "pires": (SPECTATOR.c.rating.asc().nulls_last(), SPECTATOR.c.position.asc()),
}


@dataclass(frozen=True)
class QuoteSource:
    """A stored review that a quote can be taken from."""

    kind: str  # spectateurs | presse
    review_id: int
    film_id: int
    film_title: str
    film_year: int | None
    who: str | None  # author, or outlet for the press; None: anonymous visitor
    critic: str | None
    rating: float | None
    published: date | None
    text: str


def title_rows(engine: Engine) -> list[tuple[int, str, int | None, str | None, tuple[str, ...]]]:
    """(id, title, year, original title, aliases) of every film, for the title index."""
    with engine.connect() as conn:
        aliases: dict[int, list[str]] = {}
        for film_id, alias in conn.execute(select(ALIAS.c.film_id, ALIAS.c.alias)):
            aliases.setdefault(film_id, []).append(alias)
        films = conn.execute(select(FILM.c.id, FILM.c.title, FILM.c.year, FILM.c.original_title))
        return [(i, t, y, o, tuple(aliases.get(i, ()))) for i, t, y, o in films]


def spectator_page(
    engine: Engine, film_id: int, sort: str, offset: int, limit: int
) -> tuple[int, list[StoredSpectatorReview]]:
    """One page of a film's stored spectator reviews in the given order, and their total."""
    query = (
        select(*_SPECTATOR_COLUMNS)
        .where(SPECTATOR.c.film_id == film_id)
        .order_by(*SPECTATOR_SORTS[sort])
        .offset(offset)
        .limit(limit)
    )
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).where(SPECTATOR.c.film_id == film_id)).scalar_one()
        return total, [StoredSpectatorReview(*row) for row in conn.execute(query)]


def _quotable(kind: str) -> tuple[Table, Select[Any]]:
    """The reviews of `kind` that have text, with what a quote shows about them."""
    details: tuple[ColumnElement[Any], ...]
    if kind == "spectateurs":
        table, text_col = SPECTATOR, SPECTATOR.c.text
        details = (SPECTATOR.c.author, null().label("critic"), SPECTATOR.c.published)
    else:
        table, text_col = PRESS, PRESS.c.quote
        details = (PRESS.c.outlet, PRESS.c.critic, null().label("published"))
    columns = [table.c.id, table.c.film_id, FILM.c.title, FILM.c.year, *details, table.c.rating, text_col]
    query = select(*columns).join(FILM, FILM.c.id == table.c.film_id).where(text_col.is_not(None))
    return table, query


def _quote_source(kind: str, row: Row) -> QuoteSource:
    return QuoteSource(
        kind=kind,
        review_id=row[0],
        film_id=row[1],
        film_title=row[2],
        film_year=row[3],
        who=row[4],
        critic=row[5],
        published=row[6],
        rating=row[7],
        text=row[8],
    )


def quote_sources(
    engine: Engine, *, kind: str, note_min: float | None, start: float, limit: int = 40
) -> list[QuoteSource]:
    """Up to `limit` reviews of any film, from a pseudo-random point `start` in [0, 1) of the table.

    Reading a window of ids from a random start keeps this an index range scan at any size,
    where ORDER BY random() would read every row.
    """
    table, query = _quotable(kind)
    if note_min is not None:
        query = query.where(table.c.rating >= note_min)
    with engine.connect() as conn:
        # Two scalar subqueries: SQLite answers a lone min() or max() from the index, not both at once.
        low_query, high_query = select(func.min(table.c.id)), select(func.max(table.c.id))
        low, high = conn.execute(select(low_query.scalar_subquery(), high_query.scalar_subquery())).one()
        if low is None:
            return []
        pivot = low + int((high - low + 1) * start)
        rows = list(conn.execute(query.where(table.c.id >= pivot).order_by(table.c.id).limit(limit)))
        if len(rows) < limit:  # wrap around to the start of the table
            rows += conn.execute(
                query.where(table.c.id < pivot).order_by(table.c.id).limit(limit - len(rows))
            )
    return [_quote_source(kind, row) for row in rows]


def quote_ids(engine: Engine, *, film_id: int, kind: str, note_min: float | None, limit: int) -> list[int]:
    """Ids of a film's reviews that can give a quote: read from the indexes alone, texts stay on disk."""
    table = SPECTATOR if kind == "spectateurs" else PRESS
    query = select(table.c.id).where(table.c.film_id == film_id)
    if kind == "presse":
        query = query.where(PRESS.c.quote.is_not(None))
    if note_min is not None:
        query = query.where(table.c.rating >= note_min)
    with engine.connect() as conn:
        return list(conn.execute(query.order_by(table.c.id).limit(limit)).scalars())


def quotes_by_id(engine: Engine, *, kind: str, ids: list[int]) -> list[QuoteSource]:
    """These reviews, in the order of `ids`."""
    table, query = _quotable(kind)
    with engine.connect() as conn:
        rows = {row[0]: row for row in conn.execute(query.where(table.c.id.in_(ids)))}
    return [_quote_source(kind, rows[i]) for i in ids if i in rows]


def top_films(engine: Engine, *, kind: str, limit: int, min_ratings: int) -> list[RankedFilm]:
    """The best-rated films: by the site's spectator average (with enough ratings), or by press ratings."""
    with engine.connect() as conn:
        if kind == "spectateurs":
            query = (
                select(
                    FILM.c.id,
                    FILM.c.title,
                    FILM.c.year,
                    FILM.c.site_average.label("average"),
                    FILM.c.site_ratings_count.label("count"),
                )
                .where(FILM.c.site_average.is_not(None), FILM.c.site_ratings_count >= min_ratings)
                .order_by(FILM.c.site_average.desc(), FILM.c.site_ratings_count.desc(), FILM.c.title_folded)
                .limit(limit)
            )
        else:
            average = func.avg(PRESS.c.rating)
            query = (
                select(
                    FILM.c.id,
                    FILM.c.title,
                    FILM.c.year,
                    average.label("average"),
                    func.count(PRESS.c.rating).label("count"),
                )
                .join(PRESS, PRESS.c.film_id == FILM.c.id)
                .group_by(FILM.c.id, FILM.c.title, FILM.c.year)
                .having(func.count(PRESS.c.rating) >= min_ratings)
                .order_by(average.desc(), func.count(PRESS.c.rating).desc())
                .limit(limit)
            )
        return [RankedFilm(i, t, y, float(average), int(n)) for i, t, y, average, n in conn.execute(query)]


# --- history and shapes, for the charts -------------------------------------------------------------


@dataclass(frozen=True)
class FiguresAt:
    """The site's spectator figures for a film as one stored page showed them (a rating snapshot)."""

    taken_at: datetime
    average: float | None
    ratings_count: int | None


_HISTORY = (
    select(SNAPSHOT.c.taken_at, SNAPSHOT.c.average, SNAPSHOT.c.ratings_count)
    .where(SNAPSHOT.c.film_id == _FILM_ID, SNAPSHOT.c.kind == "spectateurs")
    .order_by(SNAPSHOT.c.taken_at, SNAPSHOT.c.id)
)
_STORED_RATINGS = (
    select(SPECTATOR.c.rating, func.count())
    .where(SPECTATOR.c.film_id == _FILM_ID, SPECTATOR.c.rating.is_not(None))
    .group_by(SPECTATOR.c.rating)
)


def rating_history(engine: Engine, film_id: int) -> list[FiguresAt]:
    """Every spectator snapshot of a film, oldest first (one per distinct page read: unchanged pages add
    none, but a changed page may repeat the figures)."""
    with engine.connect() as conn:
        return [FiguresAt(*row) for row in conn.execute(_HISTORY, {"film_id": film_id})]


def stored_rating_counts(engine: Engine, film_id: int) -> dict[float, int]:
    """rating → how many of the film's stored spectator reviews give it (rated ones only)."""
    with engine.connect() as conn:
        return {float(r): int(n) for r, n in conn.execute(_STORED_RATINGS, {"film_id": film_id})}
