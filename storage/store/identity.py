"""Which stored film is this? One answer for every writer and every finder.

A film is known by its AlloCiné id first, then by any of its names (title, original title, aliases),
folded, with its year: a film whose year is unknown matches any year. Two stored films that one page
proves to be the same (its id names one, its other title the other) become one: the page's evidence
is stronger than the order in which pages happened to arrive.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, delete, exists, func, select, update

from storage.db.tables import ALIAS, FILM, GUILD_FOLLOW, PRESS, SNAPSHOT, SOURCE, SPECTATOR
from storage.db.upsert import upsert, upsert_statement
from storage.folding import fold
from storage.store.errors import AmbiguousFilm, NoFilmNamed, OtherFilm


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

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(n for n in (self.title, self.original_title) if n)


@dataclass(frozen=True)
class FilmRef:
    """The film a page was stored under."""

    id: int
    title: str
    created: bool  # this page created it
    first_stored: datetime | None = None  # when critibot first stored it


_BY_NAME = (
    select(FILM)
    .where(
        (FILM.c.title_folded == bindparam("folded"))
        | FILM.c.id.in_(select(ALIAS.c.film_id).where(ALIAS.c.alias_folded == bindparam("folded")))
    )
    .order_by(FILM.c.id)
)
_BY_ALLOCINE_ID = select(FILM).where(FILM.c.allocine_id == bindparam("allocine_id"))
_NAMES_OF = select(ALIAS.c.alias_folded).where(ALIAS.c.film_id == bindparam("film"))


def same_name(a: str | None, b: str | None) -> bool:
    """Whether two names are the same name as critibot compares them (case, accents, punctuation)."""
    return bool(a and b and fold(a) == fold(b))


def find_films(conn: Connection, name: str, year: int | None = None) -> list[Row[Any]]:
    """Stored films that go by `name` (title or alias), of `year` when given; oldest first."""
    rows = conn.execute(_BY_NAME, {"folded": fold(name)}).all()
    return [r for r in rows if _year_fits(r.year, year)]


def find_film(conn: Connection, hint: FilmHint, title: str | None = None) -> Row[Any] | None:
    """The one stored film `hint` (and the page's `title`) designate, or None; AmbiguousFilm if a name
    fits several films that no year or id tells apart. Finds only: `resolve_film` also stores."""
    found = _candidates(conn, _names(hint, title), hint.year, hint.allocine_id)
    return found[0] if found else None


def resolve_film(
    conn: Connection, page_title: str | None, hint: FilmHint, now: datetime, page: dict[str, Any]
) -> FilmRef:
    """The film a page is about, created if new, with what the page and hint say of it written down:
    `page`'s columns always (its figures, a main page's details), year, id, original title and address
    only where unknown, every name as an alias. Films the page proves to be this one are merged into it."""
    _check_page_title(conn, page_title, hint)
    names = _names(hint, page_title)
    known = {
        "year": hint.year,
        "allocine_id": hint.allocine_id,
        "original_title": hint.original_title,
        "url": hint.url,
    }
    found = _candidates(conn, names, hint.year, hint.allocine_id)
    if not found:
        if not names:
            raise NoFilmNamed()
        title = names[0]
        row = {"title": title, "title_folded": fold(title), "created_at": now, **known, **page}
        # No conflict target: any of the film's unique keys (identity, AlloCiné id) means "already there".
        insert = upsert_statement(conn.dialect.name, FILM, (), (), returning="id")
        film_id = conn.execute(insert, row).scalar_one_or_none()
        if film_id is not None:
            _add_aliases(conn, film_id, title, names)
            return FilmRef(film_id, title, created=True, first_stored=now)
        # Another writer created it between our look and our insert (the unique identity index said
        # so): it is committed now, so looking again finds it.
        found = _candidates(conn, names, hint.year, hint.allocine_id)
        assert found, "a film the identity index holds is found by its own names"
    film, *duplicates = found
    for other in duplicates:
        _merge_into(conn, film, other)
    # The hint only fills in; the page's columns are set even to None (it no longer shows them).
    changes = {k: v for k, v in known.items() if v is not None and getattr(film, k) is None}
    for other in duplicates:
        changes.update(_filled_from(film, other, changes))
    changes.update((k, v) for k, v in page.items() if getattr(film, k) != v)
    if (
        names
        and names[0] != film.title
        and (
            # Known so far by its original title only: the page gives its French title, which leads.
            same_name(film.title, hint.original_title)
            # The first page that brings the AlloCiné id spells the title as the site (or watchlist) does.
            or (film.allocine_id is None and hint.allocine_id is not None)
        )
    ):
        changes.update(title=names[0], title_folded=fold(names[0]))
    if changes:
        conn.execute(update(FILM).where(FILM.c.id == film.id).values(**changes))
    title = changes.get("title", film.title)
    _add_aliases(conn, film.id, title, [film.title, *names, *(o.title for o in duplicates)])
    if "title" in changes:
        conn.execute(delete(ALIAS).where(ALIAS.c.film_id == film.id, ALIAS.c.alias_folded == fold(title)))
    return FilmRef(film.id, title, created=False, first_stored=film.created_at)


# --- deciding --------------------------------------------------------------------------------------


def _names(hint: FilmHint, page_title: str | None) -> list[str]:
    """The names in preference order (the caller's title first), each name once."""
    names: list[str] = []
    for name in (hint.title, page_title, hint.original_title):
        if name and name.strip() and not any(same_name(name, n) for n in names):
            names.append(name.strip())
    return names


def _year_fits(stored: int | None, wanted: int | None) -> bool:
    return stored is None or wanted is None or stored == wanted


def _compatible(a: Row[Any], b: Row[Any]) -> bool:
    """Whether two stored films can be one film: no two different known years, no two AlloCiné ids."""
    return _year_fits(a.year, b.year) and (a.allocine_id is None or b.allocine_id is None)


def _candidates(
    conn: Connection, names: Sequence[str], year: int | None, allocine_id: int | None
) -> list[Row[Any]]:
    """The stored films that are this film: the one to keep first, then the ones to merge into it."""
    by_id = None
    if allocine_id is not None:
        by_id = conn.execute(_BY_ALLOCINE_ID, {"allocine_id": allocine_id}).first()
        if by_id is not None and year is None:
            year = by_id.year
    matches: dict[int, Row[Any]] = {}
    for name in names:
        # Another AlloCiné id is another film (a remake) whatever its name.
        rows = [
            r
            for r in find_films(conn, name, year)
            if allocine_id is None or r.allocine_id is None or r.allocine_id == allocine_id
        ]
        if by_id is None and not _all_compatible(rows):
            raise AmbiguousFilm(name, _years(rows))  # one name, films of different years or ids
        matches.update((r.id, r) for r in rows)
    if by_id is not None:
        others = [r for r in matches.values() if r.id != by_id.id and _compatible(by_id, r)]
        # Names that fit films which cannot all be one: the id decides alone, nothing is merged.
        return [by_id, *others] if _all_compatible(others) else [by_id]
    rows = list(matches.values())
    if not _all_compatible(rows):
        raise AmbiguousFilm(names[0], _years(rows))
    # Kept: the film with an AlloCiné id, else the oldest.
    return sorted(rows, key=lambda r: (r.allocine_id is None, r.id))


def _all_compatible(rows: Sequence[Row[Any]]) -> bool:
    return all(_compatible(a, b) for i, a in enumerate(rows) for b in rows[i + 1 :])


def _years(rows: Iterable[Row[Any]]) -> list[int | None]:
    return sorted({r.year for r in rows}, key=lambda y: (y is None, y or 0))


def _check_page_title(conn: Connection, page_title: str | None, hint: FilmHint) -> None:
    """A page naming another film than the caller's is refused, unless it came from the film's own
    address or the name is one the film already goes by."""
    if not (page_title and hint.title) or hint.from_film_address:
        return
    if any(same_name(page_title, n) for n in hint.names):
        return
    named = find_film(conn, FilmHint(title=hint.title, year=hint.year, allocine_id=hint.allocine_id))
    if named is not None:
        folded = fold(page_title)
        if folded == named.title_folded or folded in conn.scalars(_NAMES_OF, {"film": named.id}).all():
            return
    raise OtherFilm(page_title, hint.title)


# --- writing ---------------------------------------------------------------------------------------


def _add_aliases(conn: Connection, film_id: int, title: str, names: Iterable[str]) -> None:
    own = fold(title)
    aliases = {fold(n): n for n in names if fold(n) != own}
    rows = [{"film_id": film_id, "alias": a, "alias_folded": f} for f, a in aliases.items()]
    upsert(conn, ALIAS, rows, keys=("film_id", "alias_folded"), updates=())


_FILLED = ("year", "allocine_id", "original_title", "url")


def _filled_from(film: Row[Any], other: Row[Any], changes: dict[str, Any]) -> dict[str, Any]:
    """What a merged duplicate knew that the kept film did not."""
    return {
        k: getattr(other, k)
        for k in _FILLED
        if getattr(film, k) is None and changes.get(k) is None and getattr(other, k) is not None
    }


def _merge_into(conn: Connection, film: Row[Any], other: Row[Any]) -> None:
    """Move everything stored under `other` to `film`, then delete `other`. On a clash (the same author
    or outlet under both) the kept film's row stays; `other`'s reviews go after the kept film's."""
    for table, key in ((SPECTATOR, SPECTATOR.c.review_key), (PRESS, PRESS.c.outlet_key)):
        kept_keys = select(key).where(table.c.film_id == film.id)
        conn.execute(delete(table).where(table.c.film_id == other.id, key.in_(kept_keys)))
        after = conn.scalar(
            select(func.coalesce(func.max(table.c.position) + 1, 0)).where(table.c.film_id == film.id)
        )
        conn.execute(
            update(table)
            .where(table.c.film_id == other.id)
            .values(film_id=film.id, position=table.c.position + after)
        )
    kept = SNAPSHOT.alias("kept")
    same_page = exists().where(
        kept.c.film_id == film.id, kept.c.kind == SNAPSHOT.c.kind, kept.c.source_id == SNAPSHOT.c.source_id
    )
    conn.execute(delete(SNAPSHOT).where(SNAPSHOT.c.film_id == other.id, same_page))
    conn.execute(update(SNAPSHOT).where(SNAPSHOT.c.film_id == other.id).values(film_id=film.id))
    conn.execute(update(SOURCE).where(SOURCE.c.film_id == other.id).values(film_id=film.id))
    # A server that followed either follows the one film (once: the kept film's follow stays).
    following = select(GUILD_FOLLOW.c.guild_id).where(GUILD_FOLLOW.c.film_id == film.id)
    conn.execute(
        delete(GUILD_FOLLOW).where(GUILD_FOLLOW.c.film_id == other.id, GUILD_FOLLOW.c.guild_id.in_(following))
    )
    conn.execute(update(GUILD_FOLLOW).where(GUILD_FOLLOW.c.film_id == other.id).values(film_id=film.id))
    names = [other.title, *conn.scalars(select(ALIAS.c.alias).where(ALIAS.c.film_id == other.id))]
    conn.execute(delete(ALIAS).where(ALIAS.c.film_id == other.id))
    conn.execute(delete(FILM).where(FILM.c.id == other.id))
    _add_aliases(conn, film.id, film.title, names)
