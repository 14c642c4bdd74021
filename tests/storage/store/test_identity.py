"""One film identity: the same film stored under each of its names and ids, in every order, with and without
hints, is one film; films that only share a name stay apart."""

from __future__ import annotations

import itertools
import random
import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, create_engine, delete, func, select

from storage.db.tables import ALIAS, FILM, PRESS, SNAPSHOT, SOURCE, SPECTATOR
from storage.pages import ParsedSpectatorPage, SiteFigures, SpectatorReview
from storage.queries import find_films
from storage.store import AmbiguousFilm, FilmHint, NoFilmNamed, OtherFilm, store_page

NOW = datetime(2025, 1, 25, 8, 0, tzinfo=UTC)
TITLE, ORIGINAL, ID, YEAR = "Derrière le masque", "Behind the Mask", 77, 2006

# (name of the store, the page's own title, what the caller says): each names the film one way.
STORES: dict[str, tuple[str | None, FilmHint | None]] = {
    "page with id and original title": (TITLE, FilmHint(allocine_id=ID, original_title=ORIGINAL, year=YEAR)),
    "original title, no hint": (ORIGINAL, None),
    "title, no hint": (TITLE, None),
    "untitled page, id only": (None, FilmHint(allocine_id=ID)),
    "original title with id": (ORIGINAL, FilmHint(allocine_id=ID)),
    "folded title with year": ("derriere le MASQUE", FilmHint(year=YEAR)),
    "untitled page, original title hinted": (None, FilmHint(title=ORIGINAL, year=YEAR)),
    "the film's address, titled otherwise": (
        "Derrière le masque : version longue",
        FilmHint(title=TITLE, allocine_id=ID, from_film_address=True),
    ),
}


def _page(title: str | None, author: str) -> ParsedSpectatorPage:
    review = SpectatorReview(author=author, rating=3.0, published=date(2025, 1, 2), text=f"Avis de {author}.")
    return ParsedSpectatorPage(title=title, figures=SiteFigures(average=2.3), reviews=[review])


def _store(engine: Engine, name: str) -> bool:
    """Store one way of naming the film; False when the page could not name it yet (nothing stored)."""
    title, hint = STORES[name]
    try:
        store_page(engine, _page(title, author=name), location=name, raw=name, hint=hint, now=NOW)
    except NoFilmNamed:
        return False
    return True


def _wipe(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in (SPECTATOR, PRESS, SNAPSHOT, SOURCE, ALIAS, FILM):
            conn.execute(delete(table))


def _count(engine: Engine, table: object) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(table)) or 0)  # type: ignore[arg-type]


def _orders() -> list[tuple[str, ...]]:
    """Every order of the five plainest stores, then shuffles of all eight (seeded: the same each run)."""
    plain = list(STORES)[:5]
    orders = list(itertools.permutations(plain))
    rng = random.Random(9)
    for _ in range(40):
        everything = list(STORES)
        rng.shuffle(everything)
        orders.append(tuple(everything))
    return orders


def test_every_name_and_id_in_every_order_ends_with_one_film(engine: Engine) -> None:
    for order in _orders():
        _wipe(engine)
        stored = [name for name in order if _store(engine, name)]
        with engine.connect() as conn:
            films = conn.execute(select(FILM)).all()
            aliases = set(conn.scalars(select(ALIAS.c.alias)))
        assert len(films) == 1, order
        (film,) = films
        assert (film.title, film.allocine_id, film.year) == (TITLE, ID, YEAR), order
        assert ORIGINAL in aliases, order
        # Every stored page's review is the film's: nothing was lost in merging.
        assert _count(engine, SPECTATOR) == len(stored), order
        for name in (TITLE, ORIGINAL, "behind the mask"):
            assert [f.id for f in find_films(engine, name)] == [film.id], (order, name)
        # Only the id-only page may come too early to name anything, and it is then refused whole.
        assert set(order) - set(stored) <= {"untitled page, id only"}, order


def test_the_issue_case_a_page_under_the_original_title_joins_the_film(engine: Engine) -> None:
    _store(engine, "page with id and original title")
    _store(engine, "original title, no hint")
    (film,) = find_films(engine, ORIGINAL)
    assert film.title == TITLE and _count(engine, FILM) == 1 and _count(engine, SPECTATOR) == 2


def test_a_merge_keeps_the_kept_films_review_and_puts_the_others_after(engine: Engine) -> None:
    """Two films stored apart, then one page proves them one: reviews move in page order, an author
    under both keeps the kept film's review."""
    store_page(engine, _page(ORIGINAL, "Alice"), location="a", raw="a", now=NOW)
    store_page(engine, _page(ORIGINAL, "Bob"), location="b", raw="b", now=NOW)
    store_page(engine, _page(TITLE, "Alice"), location="c", raw="c", now=NOW)
    assert _count(engine, FILM) == 2
    hint = FilmHint(allocine_id=ID, original_title=ORIGINAL, year=YEAR)
    store_page(engine, _page(TITLE, "Chloé"), location="d", raw="d", hint=hint, now=NOW)
    with engine.connect() as conn:
        rows = conn.execute(select(SPECTATOR.c.author, SPECTATOR.c.position).order_by(SPECTATOR.c.position))
        assert [(a, p) for a, p in rows] == [("Alice", 0), ("Bob", 1), ("Chloé", 2)]
        assert conn.scalar(select(func.count()).select_from(SOURCE).where(SOURCE.c.film_id.is_(None))) == 0
    assert _count(engine, FILM) == 1 and _count(engine, SNAPSHOT) == 4


def test_remakes_stay_apart_and_an_unyeared_name_is_a_question(engine: Engine) -> None:
    store_page(engine, _page("Backstage", "A"), location="a", raw="a", hint=FilmHint(year=2005), now=NOW)
    store_page(engine, _page("Backstage", "B"), location="b", raw="b", hint=FilmHint(year=2017), now=NOW)
    assert _count(engine, FILM) == 2
    with pytest.raises(AmbiguousFilm) as asked:
        store_page(engine, _page("Backstage", "C"), location="c", raw="c", now=NOW)
    assert asked.value.params == {"title": "Backstage", "years": [2005, 2017]}
    # Once each has its AlloCiné id, the id alone tells them apart, with no year.
    for author, allocine_id, year in (("D", 1, 2005), ("E", 2, 2017), ("F", 2, None)):
        hint = FilmHint(allocine_id=allocine_id, year=year)
        store_page(engine, _page("Backstage", author), location=author, raw=author, hint=hint, now=NOW)
    with engine.connect() as conn:
        films = conn.execute(select(FILM.c.year, FILM.c.allocine_id).order_by(FILM.c.year)).all()
        per_film: dict[int, int] = dict(
            conn.execute(
                select(FILM.c.allocine_id, func.count()).join(SPECTATOR).group_by(FILM.c.allocine_id)
            ).all()
        )
    assert [tuple(f) for f in films] == [(2005, 1), (2017, 2)]
    assert per_film == {1: 2, 2: 3}


def test_a_page_about_another_film_is_refused_unless_the_film_goes_by_that_name(engine: Engine) -> None:
    _store(engine, "page with id and original title")
    # The hint names the film by its French title, the page by its original one: the same film.
    store_page(engine, _page(ORIGINAL, "Z"), location="z", raw="z", hint=FilmHint(title=TITLE), now=NOW)
    with pytest.raises(OtherFilm):
        store_page(
            engine, _page("Backstage", "Y"), location="y", raw="y", hint=FilmHint(title=TITLE), now=NOW
        )
    assert _count(engine, FILM) == 1


def test_two_writers_storing_the_same_films_at_once_make_each_film_once(engine: Engine) -> None:
    """Find-then-insert raced: both writers saw no film and both inserted. Years unknown on purpose:
    NULL years made UNIQUE(title, year) blind."""
    titles = [f"Film numéro {n}" for n in range(30)]
    other = create_engine(engine.url)  # a second pool, as a second process would have
    barrier = threading.Barrier(2)
    failures: list[BaseException] = []

    def writer(db: Engine, who: str) -> None:
        try:
            barrier.wait()
            for title in titles:
                page = _page(title, author=who)
                store_page(db, page, location=f"{who}-{title}", raw=f"{who}-{title}", now=NOW)
        except BaseException as error:  # reported below: a thread's exception would be lost
            failures.append(error)

    for _trial in range(3):
        _wipe(engine)
        threads = [
            threading.Thread(target=writer, args=(db, who)) for db, who in ((engine, "A"), (other, "B"))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        assert _count(engine, FILM) == len(titles)
        assert _count(engine, SPECTATOR) == 2 * len(titles)
    other.dispose()


def test_a_ten_digit_allocine_id_is_stored(engine: Engine) -> None:
    """Ids have reached 10 digits; past 2 147 483 647 a 32-bit column overflows on PostgreSQL."""
    big = 9_876_543_210
    store_page(
        engine, _page("Très récent", "A"), location="a", raw="a", hint=FilmHint(allocine_id=big), now=NOW
    )
    with engine.connect() as conn:
        assert conn.scalar(select(FILM.c.allocine_id)) == big
