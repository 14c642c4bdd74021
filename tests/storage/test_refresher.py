"""The refresher against a fake AlloCiné on 127.0.0.1: two versions of a film's pages, errors, the inbox."""

from __future__ import annotations

import shutil
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from bot.wording import figures_change, problem_text
from config import Settings
from storage import follows
from storage.db.models import RatingSnapshot, Source
from storage.db.tables import FETCHED_PAGE, SNAPSHOT, SPECTATOR
from storage.db.tables import PRESS as PRESS_TABLE
from storage.pages import ParsedSpectatorPage, SiteFigures, SpectatorReview
from storage.problems import Problem
from storage.queries import find_films, press_reviews, spectator_reviews
from storage.refresher import Figures, RefreshReport, refresh
from storage.run_log import last_runs
from storage.sources.allocine import AllocineClient
from storage.store import FilmHint, store_page
from storage.watchlist import WatchedFilm
from tests.conftest import PLAIN_SEED, PRESS_SEED, SPECTATOR_SEED
from tests.doubles.fakeallocine import (
    Body,
    Delay,
    FakeAllocine,
    Redirect,
    Status,
    TooMany,
    challenge_html,
    press_html,
    spectator_html,
)

BACKSTAGE = WatchedFilm(title="Backstage", year=2005, allocine_id=42)
MASQUE = WatchedFilm(title="Derrière le masque", year=2006, allocine_id=77)
PAGE_1 = "/film/fichefilm-42/critiques/spectateurs/recentes/"
PAGE_2 = PAGE_1 + "?page=2"
PAGE_3 = PAGE_1 + "?page=3"
PRESS = "/film/fichefilm-42/critiques/presse/"
DAY_1 = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
DAY_2 = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)
DAY_3 = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)


def review(author: str | None, rating: float, day: int, text: str) -> dict[str, Any]:
    return {
        "author": author,
        "followers": 3,
        "author_reviews": 12,
        "rating": rating,
        "published": date(2026, 11, day),
        "text": text,
    }


OLDER = [
    review("Marion", 2.0, 10, "Un huis clos étouffant, mais trop long."),
    review(None, 1.5, 9, "Pas convaincu du tout."),
]
RECENT = [
    review("Shawn777", 3.0, 15, "Efficace. Les actrices sont très bien."),
    review("ollavatelli", 2.5, 14, "Une idée de départ sympa.\n\nLa fin déçoit."),
    review("Tof Benjamin", 2.0, 12, "Dommage, l'idée de départ est plutôt sympa."),
]
NEWEST = review("Lise", 4.0, 19, "Bien meilleur que sa réputation.")
PRESS_REVIEWS: list[dict[str, Any]] = [
    {"outlet": "Le Monde", "critic": "Jean-Luc Douin", "quote": "Un film habile.", "rating": 3.0},
    {"outlet": "Première", "critic": "Gérard Delorme", "quote": None, "rating": None},
]


def spectator_pages(
    *, average: float, ratings: int, recent: list[dict[str, Any]], allocine_id: int | None = None
) -> tuple[str, str]:
    histogram = {5: 0, 4: 1, 3: 1, 2: 2, 1: 1, 0: 0}
    common: dict[str, Any] = {
        "average": average,
        "ratings_count": ratings,
        "reviews_count": 5 + len(recent) - 3,
        "allocine_id": allocine_id,
    }
    first = spectator_html("Backstage", **common, histogram=histogram, reviews=recent, pages=2)
    second = spectator_html("Backstage", **common, histogram=histogram, reviews=OLDER, page=2, pages=2)
    return first, second


def publish_version_1(site: FakeAllocine, allocine_id: int | None = None) -> None:
    """Backstage's pages; `allocine_id`: the id they declare (JSON-LD url), None: none."""
    first, second = spectator_pages(average=2.2, ratings=146, recent=RECENT, allocine_id=allocine_id)
    site.set_page(PAGE_1, first)
    site.set_page(PAGE_2, second)
    site.set_page(PRESS, press_html("Backstage", reviews=PRESS_REVIEWS, allocine_id=allocine_id))


def publish_version_2(site: FakeAllocine) -> None:
    """One new review on top; the older page keeps its content (and its ETag)."""
    first, _second = spectator_pages(average=2.3, ratings=158, recent=[NEWEST, *RECENT])
    site.set_page(PAGE_1, first)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        watchlist=tmp_path / "films.toml",
        inbox_dirs=[tmp_path / "inbox"],
        allocine_delay=0.0,
        allocine_timeout=0.5,
        allocine_retries=2,
        allocine_max_pages=3,
    )


class Clock:
    """Records the waits the client asks for, without waiting: its time is the real one plus the waits."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)

    def monotonic(self) -> float:
        return time.monotonic() + sum(self.waits)


async def run(
    engine: Engine,
    settings: Settings,
    site: FakeAllocine,
    now: datetime,
    films: list[WatchedFilm] | None = None,
    clock: Clock | None = None,
) -> RefreshReport:
    clock = clock or Clock()
    async with AllocineClient.from_settings(
        settings, base_url=site.base_url, sleep=clock.sleep, clock=clock.monotonic
    ) as client:
        return await refresh(
            engine, settings, client=client, watchlist=films if films is not None else [BACKSTAGE], now=now
        )


def _count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def _film_id(engine: Engine, title: str) -> int:
    (film,) = find_films(engine, title)
    return film.id


async def test_first_refresh_reads_the_backlog_the_second_only_whats_new(
    engine: Engine, settings: Settings, fake_allocine: FakeAllocine
) -> None:
    publish_version_1(fake_allocine)
    first = await run(engine, settings, fake_allocine, DAY_1)
    (film,) = first.films
    assert film.error is None
    assert (film.counts["spectateurs"].new, film.counts["presse"].new) == (5, 2)
    assert film.pages == 3  # two spectator pages (the third is a 404: the end) and the press page
    assert film.before is None and film.after == Figures(2.2, 146, 5)
    with engine.connect() as conn:
        assert set(conn.scalars(select(SPECTATOR.c.backlog))) == {True}  # a new film's past is not news

    publish_version_2(fake_allocine)
    second = await run(engine, settings, fake_allocine, DAY_2)
    (film,) = second.films
    assert film.error is None
    assert film.counts["spectateurs"].new == 1 and film.counts["spectateurs"].updated == 0
    assert "presse" not in film.counts  # the press page answered 304: nothing stored
    assert film.unchanged_pages == 2  # page 2 (after page 1 brought something new) and the press page
    assert film.moved and film.before == Figures(2.2, 146, 5) and film.after == Figures(2.3, 158, 6)
    assert figures_change(2.2, 2.3, 146, 158) == "2,2 → 2,3, +12 notes"
    # Conditional requests: the unchanged pages were asked with their ETag.
    assert "If-None-Match" in fake_allocine.requests_for(PAGE_2)[-1].headers
    assert fake_allocine.requests_for(PRESS)[-1].status == 304

    film_id = _film_id(engine, "Backstage")
    reviews = spectator_reviews(engine, film_id)
    assert len(reviews) == 6 and len(press_reviews(engine, film_id)) == 2
    with engine.connect() as conn:
        news = conn.execute(select(SPECTATOR.c.author).where(SPECTATOR.c.backlog.is_(False))).scalars().all()
        history = conn.execute(
            select(SNAPSHOT.c.average, SNAPSHOT.c.ratings_count)
            .where(SNAPSHOT.c.kind == "spectateurs")
            .order_by(SNAPSHOT.c.taken_at, SNAPSHOT.c.id)
        ).all()
    assert news == ["Lise"]
    assert tuple(history[0]) == (2.2, 146) and tuple(history[-1]) == (2.3, 158)


async def test_nothing_changed_costs_304s_and_stores_nothing(
    engine: Engine, settings: Settings, fake_allocine: FakeAllocine
) -> None:
    publish_version_1(fake_allocine)
    await run(engine, settings, fake_allocine, DAY_1)
    sources, snapshots = _count(engine, Source), _count(engine, RatingSnapshot)
    asked = len(fake_allocine.requests)

    report = await run(engine, settings, fake_allocine, DAY_2)
    (film,) = report.films
    assert (film.pages, film.unchanged_pages, film.counts, film.moved) == (0, 2, {}, False)
    new_requests = fake_allocine.requests[asked:]
    assert [r.path for r in new_requests] == [PAGE_1, PRESS]  # page 1 unchanged: page 2 is not asked
    assert {r.status for r in new_requests} == {304}
    assert (_count(engine, Source), _count(engine, RatingSnapshot)) == (sources, snapshots)
    with engine.connect() as conn:
        checked = conn.execute(
            select(FETCHED_PAGE.c.checked_at).where(FETCHED_PAGE.c.url.endswith(PRESS))
        ).scalar_one()
    assert checked.replace(tzinfo=UTC) == DAY_2


async def test_server_errors_timeouts_and_429_are_retried(
    engine: Engine, settings: Settings, fake_allocine: FakeAllocine
) -> None:
    publish_version_1(fake_allocine)
    fake_allocine.script(PAGE_1, Status(500), Delay(2.0))  # a 500, then slower than the 0,5 s timeout
    fake_allocine.script(PRESS, TooMany(retry_after="7"))
    clock = Clock()
    report = await run(engine, settings, fake_allocine, DAY_1, clock=clock)
    (film,) = report.films
    assert film.error is None and film.counts["spectateurs"].new == 5 and film.counts["presse"].new == 2
    assert [r.status for r in fake_allocine.requests_for(PAGE_1)][-1] == 200
    assert len(fake_allocine.requests_for(PAGE_1)) == 3
    assert 7 in clock.waits  # Retry-After honoured (recorded, not waited)


async def test_a_failing_film_is_reported_the_others_stored_and_it_is_read_in_full_next_time(
    engine: Engine, settings: Settings, fake_allocine: FakeAllocine
) -> None:
    publish_version_1(fake_allocine)
    masque_page = "/film/fichefilm-77/critiques/spectateurs/recentes/"
    fake_allocine.set_page(masque_page, "<html><body><p>Maintenance en cours</p></body></html>")
    # No press page: films the press has not reviewed have none, which is not an error.

    report = await run(engine, settings, fake_allocine, DAY_1, films=[MASQUE, BACKSTAGE])
    masque, backstage = report.films
    assert masque.error is not None and masque.error.code == "page_unreadable"
    assert masque.error.params["url"] == fake_allocine.base_url + masque_page
    assert backstage.error is None and backstage.counts["spectateurs"].new == 5
    assert not report.ok and report.errors == [("site", "Derrière le masque (2006)", masque.error)]
    (recorded,) = last_runs(engine, limit=1)
    assert recorded.ok is False
    (error,) = recorded.errors
    assert (error.source, error.where, error.problem) == ("site", "Derrière le masque (2006)", masque.error)

    # The site is back: the failed film is read again, in full and without conditional headers.
    fake_allocine.set_page(
        masque_page,
        spectator_html(
            "Derrière le masque",
            average=2.3,
            ratings_count=158,
            reviews_count=1,
            histogram={3: 1},
            reviews=[review("Shawn777", 3.0, 15, "Efficace.")],
        ),
    )
    asked = len(fake_allocine.requests)
    report = await run(engine, settings, fake_allocine, DAY_2, films=[MASQUE, BACKSTAGE])
    assert report.ok and report.films[0].counts["spectateurs"].new == 1
    retried = [r for r in fake_allocine.requests[asked:] if r.path == masque_page]
    assert retried and "If-None-Match" not in retried[0].headers
    assert last_runs(engine, limit=1)[0].ok is True


async def test_the_inbox_is_read_once_per_content_and_a_bad_file_stays(
    engine: Engine, settings: Settings, fake_allocine: FakeAllocine
) -> None:
    inbox = settings.inboxes[0]
    inbox.mkdir()
    for seed in (SPECTATOR_SEED, PRESS_SEED, PLAIN_SEED):
        shutil.copy(seed, inbox / seed.name)
    (inbox / "cassé.html").write_text("<html><body><p>Maintenance</p></body></html>", encoding="utf-8")
    watchlist = [
        WatchedFilm("Derrière le masque", 2006, files=(SPECTATOR_SEED.name,)),
        WatchedFilm("Backstage", 2005, files=(PRESS_SEED.name, PLAIN_SEED.name)),
    ]
    first = await run(engine, settings, fake_allocine, DAY_1, films=watchlist)
    stored = {Path(f.path).name: f for f in first.files}
    assert set(stored) == {SPECTATOR_SEED.name, PRESS_SEED.name, PLAIN_SEED.name, "cassé.html"}
    assert stored[SPECTATOR_SEED.name].counts["spectateurs"].new == 15
    assert stored[PRESS_SEED.name].counts["presse"].new == 24
    assert stored[PLAIN_SEED.name].counts["spectateurs"].new == 11
    assert stored["cassé.html"].error and stored["cassé.html"].error.code == "page_unreadable"
    assert first.films == []  # no allocine_id in this watchlist: nothing asked online
    assert fake_allocine.requests == []

    shutil.copy(SPECTATOR_SEED, inbox / "copie.txt")  # same content under another name
    second = await run(engine, settings, fake_allocine, DAY_2, films=watchlist)
    assert [Path(f.path).name for f in second.files] == ["cassé.html"]  # only the bad file, again
    assert (inbox / "cassé.html").exists()
    assert _count(engine, SPECTATOR) == 26


async def test_each_refresh_is_recorded(
    engine: Engine, settings: Settings, fake_allocine: FakeAllocine
) -> None:
    publish_version_1(fake_allocine)
    await run(engine, settings, fake_allocine, DAY_1)
    await run(engine, settings, fake_allocine, DAY_3)
    runs = last_runs(engine)
    assert [r.started_at for r in runs] == [DAY_3, DAY_1]
    assert runs[1].totals["spectateurs"].new == 5
    assert runs[0].totals == {}


async def test_a_page_titled_otherwise_than_the_watchlist_is_the_same_film(
    engine: Engine, settings: Settings, fake_allocine: FakeAllocine
) -> None:
    """The page declares the film's id: the site's title becomes another name of it, not an error."""
    publish_version_1(fake_allocine, allocine_id=42)  # pages titled "Backstage"
    report = await run(engine, settings, fake_allocine, DAY_1, films=[WatchedFilm("Coulisses", 2005, 42)])
    assert report.ok, report.errors
    (film,) = find_films(engine, "Coulisses")
    assert film.title == "Coulisses"
    assert [f.id for f in find_films(engine, "Backstage")] == [film.id]


@pytest.mark.parametrize("status", [200, 403, 503])
async def test_a_challenge_page_stores_nothing_and_the_site_is_left_alone_for_the_run(
    engine: Engine, settings: Settings, fake_allocine: FakeAllocine, status: int
) -> None:
    publish_version_1(fake_allocine)
    publish_masque(fake_allocine)
    await run(engine, settings, fake_allocine, DAY_1, films=[BACKSTAGE, MASQUE])  # both known, queued
    stored = (_count(engine, SPECTATOR), _count(engine, Source), _count(engine, RatingSnapshot))
    publish_version_2(fake_allocine)
    fake_allocine.script(PAGE_1, Body(challenge_html().encode(), status=status))
    asked = len(fake_allocine.requests)

    report = await run(engine, settings, fake_allocine, DAY_2, films=[BACKSTAGE, MASQUE])
    first, second = report.films
    assert first.title == "Backstage (2005)"  # due first: read first the day before
    assert first.error is not None and first.error.code == "blocked"
    assert problem_text(first.error, "site").startswith("AlloCiné bloque les requêtes")
    assert second.error is not None and second.error.code == "blocked_earlier"
    assert len(fake_allocine.requests) == asked + 1  # the challenge, and nothing after it
    assert (_count(engine, SPECTATOR), _count(engine, Source), _count(engine, RatingSnapshot)) == stored

    # The next refresh tries again, and reads both films in full.
    report = await run(engine, settings, fake_allocine, DAY_3, films=[BACKSTAGE, MASQUE])
    backstage = next(film for film in report.films if film.allocine_id == 42)
    assert backstage.error is None and backstage.counts["spectateurs"].new == 1
    assert all(film.error is None for film in report.films)


OTHER_FILM = spectator_html(
    "Un autre film",
    average=4.5,
    ratings_count=900,
    reviews_count=1,
    histogram={5: 1},
    reviews=[review("Intrus", 5.0, 18, "Rien à voir avec Backstage.")],
    allocine_id=99,
)


def _snapshot(engine: Engine) -> tuple[int, ...]:
    return tuple(_count(engine, table) for table in (SPECTATOR, Source, RatingSnapshot))


@pytest.mark.parametrize("known", [False, True])
async def test_another_films_page_at_the_films_address_stores_nothing(
    engine: Engine, settings: Settings, fake_allocine: FakeAllocine, known: bool
) -> None:
    publish_version_1(fake_allocine, allocine_id=42)
    if known:
        await run(engine, settings, fake_allocine, DAY_1)
    stored = _snapshot(engine)
    fake_allocine.set_page(PAGE_1, OTHER_FILM)  # declares film 99
    report = await run(engine, settings, fake_allocine, DAY_2, films=[WatchedFilm("Coulisses", 2005, 42)])
    (film,) = report.films
    assert film.error is not None and film.error.code == "other_film_page"
    assert (film.error.params["page_id"], film.error.params["page_title"]) == (99, "Un autre film")
    assert _snapshot(engine) == stored
    assert find_films(engine, "Un autre film") == []  # not an alias of the watched film
    assert "d'un autre film (« Un autre film », identifiant 99)" in problem_text(film.error, "site")


async def test_a_page_without_id_must_bear_a_name_of_the_film(
    engine: Engine, settings: Settings, fake_allocine: FakeAllocine
) -> None:
    publish_version_1(fake_allocine, allocine_id=42)
    watched = WatchedFilm("Coulisses", 2005, 42)
    await run(engine, settings, fake_allocine, DAY_1, films=[watched])  # "Backstage" is now an alias
    stored = _snapshot(engine)

    other, _ = spectator_pages(average=2.2, ratings=146, recent=RECENT)  # no id: titled Backstage
    fake_allocine.set_page(PAGE_1, other.replace("Backstage", "Maintenance"))
    report = await run(engine, settings, fake_allocine, DAY_2, films=[watched])
    (film,) = report.films
    assert film.error is not None and film.error.code == "unproven_page"
    assert film.error.params["page_title"] == "Maintenance"
    assert _snapshot(engine) == stored and find_films(engine, "Maintenance") == []

    publish_version_2(fake_allocine)  # no id either, but titled Backstage: a name the film goes by
    report = await run(engine, settings, fake_allocine, DAY_3, films=[watched])
    assert report.ok, report.errors
    assert report.films[0].counts["spectateurs"].new == 1


async def test_a_page_without_declared_id_is_known_by_its_links(
    engine: Engine, settings: Settings, fake_allocine: FakeAllocine
) -> None:
    first, _ = spectator_pages(average=2.2, ratings=146, recent=RECENT)
    tabs = '<a href="/film/fichefilm-42/critiques/presse/">Presse</a>' * 3
    recommended = '<a href="/film/fichefilm_gen_cfilm=99.html">Un autre film</a>'
    fake_allocine.set_page(PAGE_1, first.replace("<main", tabs + recommended + "<main"))
    report = await run(engine, settings, fake_allocine, DAY_1, films=[WatchedFilm("Coulisses", 2005, 42)])
    assert report.ok, report.errors
    assert [f.title for f in find_films(engine, "Backstage")] == ["Coulisses"]

    fake_allocine.set_page(PAGE_1, first.replace("<main", tabs[:50] + recommended * 2 + "<main"))
    report = await run(engine, settings, fake_allocine, DAY_2, films=[WatchedFilm("Coulisses", 2005, 42)])
    assert report.films[0].error is not None and report.films[0].error.code == "other_film_page"


async def test_a_page_past_the_last_redirects_and_reading_stops(
    engine: Engine, settings: Settings, fake_allocine: FakeAllocine
) -> None:
    publish_version_1(fake_allocine)
    fake_allocine.script(PAGE_3, Redirect(PAGE_2))  # as the site does past the last page
    report = await run(engine, settings, fake_allocine, DAY_1)
    (film,) = report.films
    assert film.error is None and film.pages == 3  # two spectator pages and the press page
    assert len(fake_allocine.requests_for(PAGE_2)) == 2  # asked, then reached by the redirect: stored once
    assert _count(engine, Source) == 3


def publish_masque(site: FakeAllocine) -> None:
    page = spectator_html(
        "Derrière le masque",
        average=2.3,
        ratings_count=158,
        reviews_count=1,
        histogram={3: 1},
        reviews=[review("Shawn777", 3.0, 15, "Efficace.")],
        allocine_id=77,
    )
    site.set_page("/film/fichefilm-77/critiques/spectateurs/recentes/", page)


async def test_retry_after_on_every_retry_ends_at_the_films_deadline(
    engine: Engine, settings: Settings, fake_allocine: FakeAllocine
) -> None:
    publish_version_1(fake_allocine)
    publish_masque(fake_allocine)
    fake_allocine.script(PAGE_1, *[TooMany(retry_after="300")] * 3)  # 15 minutes, were it obeyed
    settings = settings.model_copy(update={"refresh_film_deadline": 500.0})
    clock = Clock()
    report = await run(engine, settings, fake_allocine, DAY_1, films=[BACKSTAGE, MASQUE], clock=clock)
    backstage, masque = report.films
    assert backstage.error == Problem(
        "film_deadline", {"seconds": 500.0, "url": fake_allocine.base_url + PAGE_1}
    )
    assert problem_text(backstage.error, "site") == (
        "délai dépassé (500 s pour ce film) : ce qui a été lu est gardé"
    )
    assert clock.waits == [300]  # the second 300 s would pass the deadline: not begun
    assert len(fake_allocine.requests_for(PAGE_1)) == 2
    assert masque.error is None and masque.counts["spectateurs"].new == 1  # the next film has its own

    # Read in full the next time.
    asked = len(fake_allocine.requests)
    report = await run(engine, settings, fake_allocine, DAY_2, films=[BACKSTAGE, MASQUE])
    assert report.ok and report.films[0].counts["spectateurs"].new == 5
    assert "If-None-Match" not in fake_allocine.requests[asked].headers


async def test_a_slow_page_ends_at_the_films_deadline_not_at_the_timeout(
    engine: Engine, settings: Settings, fake_allocine: FakeAllocine
) -> None:
    publish_version_1(fake_allocine)
    fake_allocine.script(PAGE_2, Delay(5.0))
    settings = settings.model_copy(update={"refresh_film_deadline": 0.6, "allocine_timeout": 4.0})
    started = time.monotonic()
    report = await run(engine, settings, fake_allocine, DAY_1)
    (film,) = report.films
    assert time.monotonic() - started < 2.0
    assert film.error is not None and film.error.code == "film_deadline"
    assert film.pages == 1 and film.counts["spectateurs"].new == 3  # page 1 was stored and stays
    assert len(fake_allocine.requests_for(PAGE_2)) == 1


async def test_past_the_run_deadline_no_film_is_begun_and_those_come_first_next_time(
    engine: Engine, settings: Settings, fake_allocine: FakeAllocine
) -> None:
    publish_version_1(fake_allocine)
    publish_masque(fake_allocine)
    third = WatchedFilm("Troisième", 2010, 88)
    fake_allocine.set_page(
        "/film/fichefilm-88/critiques/spectateurs/recentes/",
        spectator_html(
            "Troisième",
            average=3.0,
            ratings_count=1,
            reviews_count=0,
            histogram={},
            reviews=[],
            allocine_id=88,
        ),
    )
    fake_allocine.script(PAGE_1, TooMany(retry_after="60"), TooMany(retry_after="60"))
    settings = settings.model_copy(update={"refresh_run_deadline": 100.0})
    report = await run(engine, settings, fake_allocine, DAY_1, films=[BACKSTAGE, MASQUE, third])
    (backstage,) = report.films  # begun in time, it went on to its own deadline
    assert backstage.error is None
    assert report.stopped == Problem("round_deadline", {"seconds": 100.0}) and report.ok
    assert report.stopped is not None
    assert problem_text(report.stopped, "site").startswith("délai du rafraîchissement atteint (100 s)")
    assert not any("fichefilm-77" in r.path or "fichefilm-88" in r.path for r in fake_allocine.requests)

    asked = len(fake_allocine.requests)
    report = await run(engine, settings, fake_allocine, DAY_2, films=[BACKSTAGE, MASQUE, third])
    assert report.ok, report.errors
    assert report.stopped is None and report.left_due == 0
    assert [f.title for f in report.films] == [
        "Derrière le masque (2006)",
        "Troisième (2010)",
        "Backstage (2005)",
    ]
    assert "fichefilm-77" in fake_allocine.requests[asked].path


# --- the films the servers follow ------------------------------------------------------------------------

GUILD, OTHER_GUILD = 111_111_111_111_111_111, 222_222_222_222_222_222


def _read_before(engine: Engine, hint: FilmHint, reviews: list[dict[str, Any]]) -> int:
    """A film read once before anyone followed it (on demand, or by an import): its reviews are backlog."""
    page = ParsedSpectatorPage(
        title=hint.title,
        figures=SiteFigures(average=2.2, ratings_count=146),
        reviews=[SpectatorReview(**r) for r in reviews],
    )
    # Read on the 10th, before the RECENT reviews were written (12th to 15th): those come as news.
    first_read = datetime(2026, 11, 10, 20, 0, tzinfo=UTC)
    return store_page(
        engine, page, location="before", raw="before", hint=hint, now=first_read, backlog=True
    ).film_id


async def test_the_films_servers_follow_are_read_with_the_watchlist(
    engine: Engine, settings: Settings, fake_allocine: FakeAllocine
) -> None:
    publish_version_1(fake_allocine)
    backstage = _read_before(engine, FilmHint(title="Backstage", year=2005, allocine_id=42), OLDER)
    no_id = _read_before(engine, FilmHint(title="Sans adresse", year=2001), [])
    follows.follow(engine, GUILD, backstage, None, DAY_1)
    follows.follow(engine, OTHER_GUILD, backstage, None, DAY_1)  # two servers: read once
    follows.follow(engine, GUILD, no_id, None, DAY_1)  # no AlloCiné id: nothing to read online

    report = await run(engine, settings, fake_allocine, DAY_2, films=[])
    (film,) = report.films
    assert report.ok and (film.title, film.allocine_id) == ("Backstage (2005)", 42)
    assert film.counts["spectateurs"].new == 3 and film.counts["presse"].new == 2
    with engine.connect() as conn:
        backlog = {a: b for a, b in conn.execute(select(SPECTATOR.c.author, SPECTATOR.c.backlog))}
        press_backlog = set(conn.scalars(select(PRESS_TABLE.c.backlog)))
    # What existed when the film was first read stays its backlog; what came after is news. Its press
    # page, read for the first time now, is its press backlog.
    assert backlog == {
        "Marion": True,
        None: True,
        "Shawn777": False,
        "ollavatelli": False,
        "Tof Benjamin": False,
    }
    assert press_backlog == {True}

    # Nobody follows it any more, and the watchlist does not name it: it is no longer read.
    follows.unfollow(engine, GUILD, backstage)
    follows.unfollow(engine, OTHER_GUILD, backstage)
    assert (await run(engine, settings, fake_allocine, DAY_3, films=[])).films == []


async def test_a_film_both_watched_and_followed_is_read_once_as_the_watchlist_says(
    engine: Engine, settings: Settings, fake_allocine: FakeAllocine
) -> None:
    publish_version_1(fake_allocine)
    backstage = _read_before(engine, FilmHint(title="Backstage", year=2005, allocine_id=42), [])
    follows.follow(engine, GUILD, backstage, None, DAY_1)
    watched = WatchedFilm(title="Backstage", year=2005, allocine_id=42, files=("backstage-*.txt",))
    assert follows.with_followed(engine, [watched]) == [watched]

    report = await run(engine, settings, fake_allocine, DAY_2, films=[watched])
    (film,) = report.films
    assert report.ok and film.title == "Backstage (2005)"
    assert len(fake_allocine.requests_for(PAGE_1)) == 1
