"""The refresher driven by the queue (issue 12), against the fake AlloCiné with a fixed clock per round:
each film's next read follows what its reads found, a new follow jumps the queue, the request budget holds,
a restart resumes the plan, a failed film backs off without delaying the others."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.wording import problem_text
from config import Settings
from storage import follows
from storage import refresh_queue as rq
from storage.ondemand import Budgets, charge
from storage.problems import Problem
from storage.queries import find_films
from storage.refresh_policy import HOUR, PolicySettings
from storage.refresher import RefreshReport
from storage.run_log import last_runs
from storage.watchlist import WatchedFilm
from tests.doubles.fakeallocine import FakeAllocine, Hold, Status, spectator_html
from tests.storage.test_refresher import GUILD, Clock, review, run
from tests.storage.test_refresher import settings as settings

T0 = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
POLICY = PolicySettings()


def film(n: int) -> WatchedFilm:
    return WatchedFilm(title=f"Film {n}", year=2000 + n, allocine_id=500 + n)


def spectator_path(allocine_id: int) -> str:
    return f"/film/fichefilm-{allocine_id}/critiques/spectateurs/recentes/"


def press_path(allocine_id: int) -> str:
    return f"/film/fichefilm-{allocine_id}/critiques/presse/"


def publish(site: FakeAllocine, n: int, reviews: list[dict[str, Any]]) -> None:
    """Film n's first spectator page with `reviews`; the press has not reviewed it."""
    allocine_id = 500 + n
    page = spectator_html(
        f"Film {n}",
        average=3.0,
        ratings_count=10 + len(reviews),
        reviews_count=len(reviews),
        histogram={3: len(reviews)},
        reviews=reviews,
        allocine_id=allocine_id,
    )
    site.set_page(spectator_path(allocine_id), page)  # no press page: a 404, which is no error


def reviews(count: int, day: int) -> list[dict[str, Any]]:
    return [review(f"Membre {day}-{k}", 3.0, day, f"Avis numéro {k} du {day}.") for k in range(count)]


def film_id(engine: Engine, n: int) -> int:
    (found,) = find_films(engine, f"Film {n}")
    return found.id


def plan(engine: Engine, n: int) -> rq.QueuedFilm:
    queued = rq.queued(engine, film_id(engine, n))
    assert queued is not None
    return queued


def titles(report: RefreshReport) -> list[str]:
    return [f.title for f in report.films]


async def test_a_film_with_news_is_read_sooner_and_an_unchanged_one_backs_off_to_weekly(
    engine: Engine, settings: Settings, fake_allocine: FakeAllocine
) -> None:
    publish(fake_allocine, 1, reviews(3, 1))
    publish(fake_allocine, 2, reviews(3, 1))
    films = [film(1), film(2)]
    report = await run(engine, settings, fake_allocine, T0, films=films)
    assert report.ok and titles(report) == ["Film 1 (2001)", "Film 2 (2002)"]
    # First reads: 3 reviews in the 6 h a first read assumes → aim at 6 per read: 12 h.
    for n in (1, 2):
        assert plan(engine, n).next_read_at == T0 + timedelta(hours=12)
        assert plan(engine, n).last_outcome == "new"

    # Twelve hours later film 1 has 12 new reviews, film 2 nothing.
    publish(fake_allocine, 1, reviews(12, 2) + reviews(3, 1))
    t1 = T0 + timedelta(hours=12)
    report = await run(engine, settings, fake_allocine, t1, films=films)
    assert report.ok and sorted(titles(report)) == ["Film 1 (2001)", "Film 2 (2002)"]
    busy, quiet = plan(engine, 1), plan(engine, 2)
    assert busy.last_outcome == "new" and busy.next_read_at == t1 + timedelta(hours=6)  # 12 in 12 h → 6 h
    assert quiet.last_outcome == "unchanged" and quiet.next_read_at == t1 + timedelta(hours=12 * 1.25)

    # Between two planned reads, a round reads nothing: the plan is kept across runs (a restart too).
    asked = len(fake_allocine.requests)
    report = await run(engine, settings, fake_allocine, t1 + timedelta(hours=1), films=films)
    assert report.films == [] and report.ok and len(fake_allocine.requests) == asked
    assert [run.started_at for run in last_runs(engine)] == [t1, T0]  # a round with nothing to do: no record

    # Unchanged read after unchanged read, film 2 backs off step by step, never past a week.
    at, intervals = quiet.next_read_at, []
    for _ in range(12):
        report = await run(engine, settings, fake_allocine, at, films=[film(2)])
        assert titles(report) == ["Film 2 (2002)"] and report.films[0].unchanged_pages >= 1
        now_plan = plan(engine, 2)
        intervals.append((now_plan.next_read_at - at).total_seconds() / HOUR)
        at = now_plan.next_read_at
    assert intervals == sorted(intervals) and intervals[0] == 12 * 1.25**2
    assert intervals[-1] == POLICY.max_interval / HOUR == 168


async def test_a_new_follow_jumps_the_queue_and_an_unfollowed_film_leaves_it(
    engine: Engine, settings: Settings, fake_allocine: FakeAllocine
) -> None:
    for n in (1, 2, 3):
        publish(fake_allocine, n, reviews(2, 1))
    await run(engine, settings, fake_allocine, T0, films=[film(1), film(2), film(3)])  # the watchlist
    for n in (1, 2):
        follows.follow(engine, GUILD, film_id(engine, n), None, T0)  # queued already: their plan is kept
        assert plan(engine, n).priority == rq.NORMAL_PRIORITY
    # The watchlist now names none of them: film 3, which no server follows, leaves the queue.
    report = await run(engine, settings, fake_allocine, T0 + timedelta(hours=1), films=[])
    assert report.films == [] and rq.queued(engine, film_id(engine, 3)) is None

    # A day on, films 1 and 2 are due; film 3, followed just now, comes first.
    t1 = T0 + timedelta(days=1)
    assert follows.follow(engine, GUILD, film_id(engine, 3), None, t1)
    assert plan(engine, 3).priority == rq.FRONT_PRIORITY and plan(engine, 3).next_read_at == t1
    report = await run(engine, settings, fake_allocine, t1, films=[])
    assert titles(report) == ["Film 3 (2003)", "Film 1 (2001)", "Film 2 (2002)"]
    assert plan(engine, 3).priority == rq.NORMAL_PRIORITY  # once read, back in line

    # Unfollowed, and not in the watchlist: out of the queue, not read any more.
    follows.unfollow(engine, GUILD, film_id(engine, 3))
    report = await run(engine, settings, fake_allocine, t1 + timedelta(days=8), films=[])
    assert titles(report) == ["Film 1 (2001)", "Film 2 (2002)"]
    assert rq.queued(engine, film_id(engine, 3)) is None


async def test_the_budget_is_never_exceeded_and_on_demand_keeps_its_share(
    engine: Engine, settings: Settings, fake_allocine: FakeAllocine
) -> None:
    films = [film(n) for n in range(1, 9)]
    for n in range(1, 9):
        publish(fake_allocine, n, reviews(2, 1))
    # 20 requests an hour, 6 of which kept for on-demand reads: the refresh may spend 14. A film costs
    # at most 2 (one spectator page, the press page).
    settings = settings.model_copy(
        update={
            "allocine_max_pages": 1,
            "allocine_requests_per_hour": 20,
            "ondemand_requests_per_hour_total": 6,
        }
    )
    report = await run(engine, settings, fake_allocine, T0, films=films)
    assert report.ok and len(report.films) == 7  # 7 × 2 = 14 requests
    assert report.stopped == Problem("budget_spent", {"per_hour": 20})
    assert report.stopped is not None and problem_text(report.stopped, "site").startswith(
        "budget de requêtes atteint (20 par heure"
    )
    assert len(fake_allocine.requests) == 14 == rq.requests_in_last_hour(engine, T0)

    # On-demand reads still have their share: two reads of 3 requests each.
    budgets = Budgets(searches_per_server=10, reads_per_server=10, requests_total=6)
    charge(engine, budgets, "guild:1", "read", T0)
    charge(engine, budgets, "guild:1", "read", T0)
    assert rq.requests_in_last_hour(engine, T0) == 20
    # Now full: a round reads nothing at all.
    asked = len(fake_allocine.requests)
    report = await run(engine, settings, fake_allocine, T0 + timedelta(minutes=30), films=films)
    assert report.films == [] and len(fake_allocine.requests) == asked
    # An hour later the last film is read first (it waited the longest), and the round goes on.
    report = await run(engine, settings, fake_allocine, T0 + timedelta(hours=1, seconds=1), films=films)
    assert titles(report)[0] == "Film 8 (2008)"


async def test_a_film_stopped_by_the_budget_mid_reading_stays_due_first_in_line(
    engine: Engine, settings: Settings, fake_allocine: FakeAllocine
) -> None:
    """Every request is counted before it is sent: when another process spends the last ones while a
    film is being read, the film stops there, keeps what it stored, and stays due, unplanned."""
    publish(fake_allocine, 1, reviews(2, 1))
    settings = settings.model_copy(
        update={
            "allocine_max_pages": 1,
            "allocine_requests_per_hour": 2,
            "ondemand_requests_per_hour_total": 0,
        }
    )
    await run(engine, settings, fake_allocine, T0, films=[film(1)])
    before = plan(engine, 1)

    t1 = T0 + timedelta(days=1)
    publish(fake_allocine, 1, reviews(1, 3) + reviews(2, 1))
    release = asyncio.Event()
    fake_allocine.script(spectator_path(501), Hold(release))
    reading = asyncio.create_task(run(engine, settings, fake_allocine, t1, films=[film(1)]))
    while not fake_allocine.requests_for(spectator_path(501))[1:]:
        await asyncio.sleep(0.01)
    rq.record_requests(engine, "ondemand", 1, t1)  # another process spends the last request meanwhile
    release.set()
    report = await reading
    (read,) = report.films
    assert read.error is None and read.unfinished and report.ok  # the budget at work, not a failure
    assert report.stopped == Problem(
        "budget_spent", {"url": fake_allocine.base_url + press_path(501), "status": None, "per_hour": 2}
    )
    assert read.counts["spectateurs"].new == 1  # the first page is stored
    assert not fake_allocine.requests_for(press_path(501))[1:]  # never sent
    assert rq.requests_in_last_hour(engine, t1) == 2
    after = plan(engine, 1)
    assert after.lease_owner is None and after.next_read_at == before.next_read_at <= t1
    assert after.last_outcome == before.last_outcome


async def test_a_failed_film_backs_off_and_is_reported_without_delaying_the_others(
    engine: Engine, settings: Settings, fake_allocine: FakeAllocine
) -> None:
    for n in (1, 2):
        publish(fake_allocine, n, reviews(2, 1))
    films = [film(1), film(2)]
    await run(engine, settings, fake_allocine, T0, films=films)
    t1 = T0 + timedelta(days=1)
    fake_allocine.script(spectator_path(501), *[Status(503)] * 3)
    report = await run(engine, settings, fake_allocine, t1, films=films, clock=Clock())
    first, second = report.films
    assert first.title == "Film 1 (2001)" and first.error is not None and first.error.code == "site_down"
    assert second.error is None  # the other film read all the same
    failed = plan(engine, 1)
    assert failed.last_outcome == "failed" and failed.failures == 1
    assert failed.next_read_at == t1 + timedelta(hours=1)  # retried after an hour, then 2 h, 4 h…
    assert failed.last_read_at == T0  # its last good read stays what freshness tells
    fake_allocine.script(spectator_path(501), *[Status(503)] * 3)
    report = await run(engine, settings, fake_allocine, t1 + timedelta(hours=1), films=films, clock=Clock())
    assert titles(report) == ["Film 1 (2001)"]
    assert plan(engine, 1).failures == 2 and plan(engine, 1).next_read_at == t1 + timedelta(hours=3)
    # Its interval is kept for when it works again: a flaky site says nothing of the film's pace.
    assert plan(engine, 1).interval_seconds == 18 * 3600  # 2 reviews in the 6 h assumed: 18 h


async def test_a_round_killed_mid_film_leaves_it_leased_then_read_in_full(
    engine: Engine, settings: Settings, fake_allocine: FakeAllocine
) -> None:
    publish(fake_allocine, 1, reviews(2, 1))
    await run(engine, settings, fake_allocine, T0, films=[film(1)])
    t1 = T0 + timedelta(days=1)
    release = asyncio.Event()
    fake_allocine.script(spectator_path(501), Hold(release))
    reading = asyncio.create_task(run(engine, settings, fake_allocine, t1, films=[film(1)]))
    while not fake_allocine.requests_for(spectator_path(501))[1:]:
        await asyncio.sleep(0.01)
    reading.cancel()  # the process dies mid-film
    with pytest.raises(asyncio.CancelledError):
        await reading
    release.set()
    held = plan(engine, 1)
    assert held.lease_owner is not None and held.lease_until == t1 + timedelta(seconds=600 + 60)

    # While the lease lasts nobody reads the film; once it expires, the next round reads it in full.
    asked = len(fake_allocine.requests)
    assert (
        await run(engine, settings, fake_allocine, t1 + timedelta(minutes=5), films=[film(1)])
    ).films == []
    assert len(fake_allocine.requests) == asked
    report = await run(engine, settings, fake_allocine, t1 + timedelta(minutes=12), films=[film(1)])
    assert titles(report) == ["Film 1 (2001)"] and report.ok
    (again,) = fake_allocine.requests_for(spectator_path(501))[2:]
    assert "If-None-Match" not in again.headers and again.status == 200  # unconditional: in full
