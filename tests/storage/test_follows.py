"""storage/follows.py: the films each server follows, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import Engine, func, select

from storage import follows
from storage.follows import FollowedFilm
from storage.pages import ParsedSpectatorPage, SiteFigures
from storage.store import FilmHint, store_page
from storage.watchlist import WatchedFilm
from tests.storage.test_changes import BACKSTAGE, MASQUE, T0, review, store_spectators

GUILD, OTHER = 111_111_111_111_111_111, 222_222_222_222_222_222  # Discord ids need BIGINT
MEMBER = 333_333_333_333_333_333


def film(engine: Engine, hint: FilmHint) -> int:
    return store_spectators(engine, hint, [review("Alice", 3.0, "Bien.")], now=T0, backlog=True).film_id


def test_follow_is_idempotent_and_says_whether_it_is_new(engine: Engine) -> None:
    masque = film(engine, MASQUE)
    assert follows.follow(engine, GUILD, masque, MEMBER, T0) is True
    assert follows.follow(engine, GUILD, masque, None, T0 + timedelta(days=1)) is False
    with engine.connect() as conn:
        rows = conn.execute(select(follows.TABLE)).all()
    assert [(r.guild_id, r.film_id, r.followed_by) for r in rows] == [(GUILD, masque, MEMBER)]
    assert rows[0].followed_at.replace(tzinfo=None) == T0.replace(tzinfo=None)  # the first follow's date
    assert follows.is_followed(engine, GUILD, masque) and not follows.is_followed(engine, OTHER, masque)


def test_each_server_has_its_own_films(engine: Engine) -> None:
    masque, backstage = film(engine, MASQUE), film(engine, BACKSTAGE)
    follows.follow(engine, GUILD, masque, MEMBER, T0)
    follows.follow(engine, GUILD, backstage, MEMBER, T0)
    follows.follow(engine, OTHER, backstage, None, T0)
    assert [f.title for f in follows.followed_films(engine, GUILD)] == ["Backstage", "Derrière le masque"]
    assert follows.followed_films(engine, OTHER) == [FollowedFilm(backstage, "Backstage", 2005, None)]
    assert follows.followed_ids(engine, GUILD) == {masque, backstage}
    assert follows.followed_ids(engine, 999) == frozenset()
    assert follows.followers_count(engine) == {masque: 1, backstage: 2}
    # The refresher's union: each film once, whoever follows it.
    assert [f.id for f in follows.all_followed(engine)] == [backstage, masque]


def test_unfollow_says_whether_the_server_followed_it(engine: Engine) -> None:
    masque = film(engine, MASQUE)
    follows.follow(engine, GUILD, masque, MEMBER, T0)
    follows.follow(engine, OTHER, masque, MEMBER, T0)
    assert follows.unfollow(engine, GUILD, masque) is True
    assert follows.unfollow(engine, GUILD, masque) is False
    assert follows.followed_films(engine, GUILD) == []
    assert [f.id for f in follows.followed_films(engine, OTHER)] == [masque]  # the other server's stays
    follows.unfollow(engine, OTHER, masque)
    assert follows.all_followed(engine) == []


def test_two_managers_following_at_once_make_one_follow(engine: Engine) -> None:
    masque = film(engine, MASQUE)
    results: list[bool] = []
    barrier = threading.Barrier(4)

    def click() -> None:
        barrier.wait()
        results.append(follows.follow(engine, GUILD, masque, MEMBER, T0))

    threads = [threading.Thread(target=click) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, False, False, True]
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(follows.TABLE)) == 1


def test_a_followed_film_reads_as_a_watchlist_entry(engine: Engine) -> None:
    page = ParsedSpectatorPage(title="Inception", figures=SiteFigures(), reviews=[])
    hint = FilmHint(title="Inception", year=2010, allocine_id=143692, original_title="Origine")
    film_id = store_page(engine, page, location="x", raw="x", hint=hint, now=T0).film_id
    follows.follow(engine, GUILD, film_id, MEMBER, T0)
    (followed,) = follows.all_followed(engine)
    assert followed.label == "Inception (2010)"
    assert followed.watched() == WatchedFilm(
        title="Inception", year=2010, allocine_id=143692, original_title="Origine"
    )


def test_the_watchlist_names_stored_films_by_id_or_by_name(engine: Engine) -> None:
    masque, backstage = film(engine, MASQUE), film(engine, BACKSTAGE)
    watchlist = [
        WatchedFilm(title="derriere le masque", year=2006),
        WatchedFilm(title="Pas encore lu", allocine_id=5),
        WatchedFilm(title="Backstage", year=1990),  # another year: another film, not stored
    ]
    assert follows.watched_ids(engine, watchlist) == {masque}
    assert follows.watched_ids(engine, [WatchedFilm(title="Backstage")]) == {backstage}
    assert follows.watched_ids(engine, []) == frozenset()


def test_two_films_merged_into_one_keep_every_server_following_it(engine: Engine) -> None:
    """A page proves that two stored films are one (storage/store/identity.py merges them): whoever
    followed either follows the one left, once."""
    original = store_page(
        engine,
        ParsedSpectatorPage(title="Behind the Mask", figures=SiteFigures(), reviews=[]),
        location="a",
        raw="a",
        now=T0,
    ).film_id
    title = store_page(
        engine,
        ParsedSpectatorPage(title="Derrière le masque", figures=SiteFigures(), reviews=[]),
        location="b",
        raw="b",
        now=T0,
    ).film_id
    follows.follow(engine, GUILD, original, MEMBER, T0)
    follows.follow(engine, GUILD, title, MEMBER, T0)
    follows.follow(engine, OTHER, original, MEMBER, T0)
    hint = FilmHint(allocine_id=77, original_title="Behind the Mask", year=2006)
    page = ParsedSpectatorPage(title="Derrière le masque", figures=SiteFigures(), reviews=[])
    kept = store_page(engine, page, location="c", raw="c", hint=hint, now=T0).film_id
    assert follows.followed_ids(engine, GUILD) == {kept} == follows.followed_ids(engine, OTHER)
    assert follows.followers_count(engine) == {kept: 2}
