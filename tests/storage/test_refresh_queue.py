"""storage/refresh_queue.py: the refresh queue's state and leases, on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert

from storage import refresh_queue as rq
from storage.db.engine import make_engine
from storage.db.tables import FILM
from storage.db.upsert import inserted_id

T0 = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


def films(engine: Engine, count: int) -> list[int]:
    with engine.begin() as conn:
        return [
            inserted_id(
                conn.execute(insert(FILM).values(title=f"Film {n}", title_folded=f"film {n}", created_at=T0))
            )
            for n in range(count)
        ]


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def test_enqueue_is_idempotent_and_front_jumps_the_queue(engine: Engine) -> None:
    a, b, c = films(engine, 3)
    assert rq.enqueue(engine, [a, b], now=T0) == 2
    assert rq.enqueue(engine, [a, b], now=T0 + minutes(5)) == 0  # already there: plan kept
    first = rq.queued(engine, a)
    assert first is not None and first.next_read_at == T0 and first.priority == rq.NORMAL_PRIORITY
    assert first.last_outcome == "never" and first.lease_owner is None
    # Read, planned for tomorrow; then a new follow of it and of a new film: both to the front.
    [claim] = rq.claim_due(engine, "w1", now=T0, limit=1, lease_seconds=60)
    assert rq.finish(engine, claim, next_read_at=T0 + timedelta(days=1), outcome="unchanged", now=T0)
    later = T0 + minutes(30)
    assert rq.enqueue(engine, [claim.film_id, c], now=later, front=True) == 1
    assert rq.enqueue(engine, [claim.film_id, c], now=later + minutes(1), front=True) == 0
    front = rq.queued(engine, claim.film_id)
    assert front is not None and front.next_read_at == later and front.priority == rq.FRONT_PRIORITY
    assert front.last_outcome == "unchanged"  # its history kept
    # b has been due since T0, yet the front films come first.
    claims = rq.claim_due(engine, "w1", now=later + minutes(2), limit=3, lease_seconds=60)
    assert [x.film_id for x in claims] == [*sorted([claim.film_id, c]), b]


def test_claim_takes_due_films_by_priority_then_lateness(engine: Engine) -> None:
    ids = films(engine, 5)
    for n, film_id in enumerate(ids):
        rq.enqueue(engine, [film_id], now=T0 + minutes(10 * n))  # ids[4] due at T0+40
    rq.enqueue(engine, [ids[3]], now=T0 + minutes(50), front=True)
    claims = rq.claim_due(engine, "w1", now=T0 + minutes(35), limit=10, lease_seconds=60)
    # Due at T0+35: ids[0..3]; ids[3] first (front), then the latest first; ids[4] not yet due.
    assert [c.film_id for c in claims] == [ids[3], ids[0], ids[1], ids[2]]
    assert all(c.worker == "w1" and c.lease_until == T0 + minutes(35) + timedelta(seconds=60) for c in claims)
    assert rq.claim_due(engine, "w1", now=T0 + minutes(35), limit=10, lease_seconds=60) == []
    assert rq.claim_due(engine, "w1", now=T0, limit=0, lease_seconds=60) == []


def test_a_leased_film_comes_back_only_when_the_lease_expires(engine: Engine) -> None:
    [film_id] = films(engine, 1)
    rq.enqueue(engine, [film_id], now=T0)
    [mine] = rq.claim_due(engine, "w1", now=T0, limit=5, lease_seconds=600)
    assert rq.claim_due(engine, "w2", now=T0 + minutes(9), limit=5, lease_seconds=600) == []
    # w1 crashed: at its lease's end the film is w2's.
    [theirs] = rq.claim_due(engine, "w2", now=T0 + minutes(10), limit=5, lease_seconds=600)
    assert theirs.film_id == film_id and theirs.worker == "w2"
    assert theirs.interrupted and not mine.interrupted  # w1's read never finished: read it in full
    # w1 wakes up: its finish is refused, w2's lease and plan stand.
    assert not rq.finish(
        engine, mine, next_read_at=T0 + timedelta(days=7), outcome="new", now=T0 + minutes(11)
    )
    row = rq.queued(engine, film_id)
    assert row is not None and row.lease_owner == "w2" and row.last_outcome == "never"
    assert rq.finish(
        engine, theirs, next_read_at=T0 + timedelta(hours=2), outcome="new", now=T0 + minutes(12)
    )
    row = rq.queued(engine, film_id)
    assert row is not None and row.lease_owner is None and row.lease_until is None
    assert row.last_outcome == "new" and row.last_read_at == T0 + minutes(12)
    assert row.interval_seconds == 2 * 3600 - 12 * 60
    assert not rq.finish(engine, theirs, next_read_at=T0, outcome="new", now=T0 + minutes(13))  # once
    [again] = rq.claim_due(engine, "w1", now=T0 + timedelta(hours=3), limit=5, lease_seconds=600)
    assert not again.interrupted  # finished, then due again: an ordinary read


def test_the_same_worker_cannot_finish_an_older_claim_over_a_newer_one(engine: Engine) -> None:
    [film_id] = films(engine, 1)
    rq.enqueue(engine, [film_id], now=T0)
    [old] = rq.claim_due(engine, "w1", now=T0, limit=1, lease_seconds=60)
    [new] = rq.claim_due(engine, "w1", now=T0 + minutes(2), limit=1, lease_seconds=60)
    assert not rq.finish(engine, old, next_read_at=T0 + timedelta(days=1), outcome="unchanged", now=T0)
    assert rq.finish(engine, new, next_read_at=T0 + minutes(60), outcome="new", now=T0 + minutes(3))


def test_an_expired_lease_not_taken_over_still_finishes(engine: Engine) -> None:
    [film_id] = films(engine, 1)
    rq.enqueue(engine, [film_id], now=T0)
    [claim] = rq.claim_due(engine, "w1", now=T0, limit=1, lease_seconds=60)
    assert rq.finish(engine, claim, next_read_at=T0 + minutes(90), outcome="unchanged", now=T0 + minutes(5))


def test_failures_count_in_a_row(engine: Engine) -> None:
    [film_id] = films(engine, 1)
    rq.enqueue(engine, [film_id], now=T0)
    for n, outcome in enumerate(["failed", "failed", "new", "failed"]):
        now = T0 + timedelta(hours=n)
        [claim] = rq.claim_due(engine, "w1", now=now, limit=1, lease_seconds=60)
        rq.finish(engine, claim, next_read_at=now + minutes(30), outcome=outcome, now=now)  # type: ignore[arg-type]
        row = rq.queued(engine, film_id)
        assert row is not None and row.failures == [1, 2, 0, 1][n]


def test_a_restart_resumes_the_same_plan(engine: Engine) -> None:
    ids = films(engine, 4)
    rq.enqueue(engine, ids, now=T0)
    claims = rq.claim_due(engine, "w1", now=T0, limit=4, lease_seconds=300)
    plan = {c.film_id: T0 + timedelta(hours=n + 1) for n, c in enumerate(claims)}
    for c in claims[:3]:
        rq.finish(engine, c, next_read_at=plan[c.film_id], outcome="unchanged", now=T0)
    # claims[3] was being read when the process died. A new process on the same database:
    again = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        assert rq.claim_due(again, "w2", now=T0 + minutes(4), limit=9, lease_seconds=300) == []
        [resumed] = rq.claim_due(again, "w2", now=T0 + minutes(5), limit=9, lease_seconds=300)
        assert resumed.film_id == claims[3].film_id
        assert rq.finish(
            again, resumed, next_read_at=T0 + timedelta(days=1), outcome="new", now=T0 + minutes(6)
        )
        for c in claims[:3]:
            row = rq.queued(again, c.film_id)
            assert row is not None and row.next_read_at == plan[c.film_id]
        got = rq.claim_due(again, "w2", now=T0 + timedelta(hours=2), limit=9, lease_seconds=300)
        assert [c.film_id for c in got] == [claims[0].film_id, claims[1].film_id]
    finally:
        again.dispose()


def test_requests_are_counted_over_a_sliding_hour(engine: Engine) -> None:
    assert rq.requests_in_last_hour(engine, T0) == 0
    rq.record_requests(engine, "refresh", 3, T0)
    rq.record_requests(engine, "ondemand", 2, T0 + minutes(20))
    rq.record_requests(engine, "refresh", 0, T0 + minutes(21))  # nothing made, nothing counted
    rq.record_requests(engine, "refresh", 1, T0 + minutes(59))
    assert rq.requests_in_last_hour(engine, T0 + minutes(59)) == 6
    assert rq.requests_in_last_hour(engine, T0 + minutes(60)) == 3  # the T0 ones left the window
    assert rq.requests_in_last_hour(engine, T0 + minutes(80)) == 1
    assert rq.requests_in_last_hour(engine, T0 + minutes(120)) == 0
    rq.record_requests(engine, "refresh", 1, T0 + timedelta(days=2))  # day-old rows go
    assert rq.requests_in_last_hour(engine, T0 + timedelta(days=2)) == 1


def test_a_request_is_spent_only_within_both_limits(engine: Engine) -> None:
    rq.record_requests(engine, "ondemand", 3, T0)
    spent = [rq.spend_request(engine, "refresh", T0 + minutes(1), total=6, own=2) for _ in range(4)]
    assert spent == [True, True, False, False]  # the refresh's own limit
    assert rq.spend_request(engine, "ondemand", T0 + minutes(2), total=6, own=6)
    assert not rq.spend_request(engine, "ondemand", T0 + minutes(2), total=6, own=6)  # all of it
    assert rq.requests_by_kind(engine, T0 + minutes(2)) == {"ondemand": 4, "refresh": 2}
    assert rq.spend_request(engine, "refresh", T0 + minutes(61), total=6, own=2)  # the T0 three left


def test_spenders_at_once_never_pass_the_limit(engine: Engine) -> None:
    """Threads with engines of their own, as processes would: check and count are one step."""
    url = engine.url.render_as_string(hide_password=False)
    results: list[bool] = []

    def spender() -> None:
        own = make_engine(url, create=False)
        try:
            for _ in range(10):
                results.append(rq.spend_request(own, "refresh", T0, total=15, own=15))
        finally:
            own.dispose()

    workers = [threading.Thread(target=spender) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert results.count(True) == 15 and rq.requests_in_last_hour(engine, T0) == 15


def test_queue_state(engine: Engine) -> None:
    ids = films(engine, 5)
    empty = rq.queue_state(engine, T0)
    assert (empty.films, empty.late, empty.most_late, empty.next_due) == (0, 0, None, ())
    for n, film_id in enumerate(ids):
        rq.enqueue(engine, [film_id], now=T0 + timedelta(hours=n))
    [reading] = rq.claim_due(engine, "w1", now=T0 + minutes(150), limit=1, lease_seconds=600)
    [failed] = rq.claim_due(engine, "w1", now=T0 + minutes(150), limit=1, lease_seconds=600)
    rq.finish(engine, failed, next_read_at=T0 + timedelta(hours=5), outcome="failed", now=T0 + minutes(150))
    rq.record_requests(engine, "refresh", 7, T0 + minutes(140))
    state = rq.queue_state(engine, T0 + minutes(150))
    assert (state.films, state.up_to_date, state.late, state.reading, state.failing) == (5, 3, 1, 1, 1)
    assert state.most_late == state.median_late == minutes(30)  # ids[2], due at T0+2h
    assert state.requests_last_hour == 7
    assert [d.film_id for d in state.next_due] == [ids[2], ids[3], ids[4], failed.film_id]
    assert state.next_due[0].title == "Film 2" and reading.film_id == ids[0]


# --- two refresher processes on PostgreSQL -----------------------------------------------------------

WORKER = """
import json, sys, time
from datetime import UTC, datetime
from storage import refresh_queue as rq
from storage.db.engine import make_engine

url, worker, rounds, start = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
engine = make_engine(url, create=False)
time.sleep(max(0.0, start - time.time()))
held = []
for _ in range(rounds):
    claims = rq.claim_due(engine, worker, now=datetime.now(UTC), limit=3, lease_seconds=60)
    begun = time.monotonic_ns()  # after the claim's commit: inside the lease
    time.sleep(0.001)
    ended = time.monotonic_ns()  # before the release: inside the lease
    for claim in claims:
        now = datetime.now(UTC)
        ok = rq.finish(engine, claim, next_read_at=now, outcome="unchanged", now=now)
        held.append([claim.film_id, begun, ended, ok])
print(json.dumps(held))
"""


def test_two_worker_processes_never_hold_the_same_film(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs one refresher")
    ids = films(engine, 8)  # few films, due again at once after each read: the workers collide often
    rq.enqueue(engine, ids, now=datetime.now(UTC) - minutes(1))
    url = engine.url.render_as_string(hide_password=False)
    start = time.time() + 2  # both past their imports, then claiming together
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, url, name, "150", str(start)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for name in ("w1", "w2")
    ]
    outputs = [w.communicate(timeout=120)[0] for w in workers]
    assert [w.returncode for w in workers] == [0, 0]
    holds: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for name, output in zip(("w1", "w2"), outputs, strict=True):
        held = json.loads(output)
        assert held and all(ok for *_, ok in held)  # no lease was ever lost
        for film_id, begun, ended, _ in held:
            holds[film_id].append((begun, ended, name))
    assert set(holds) == set(ids)
    both = {name for spans in holds.values() for *_, name in spans}
    assert both == {"w1", "w2"}  # they did work side by side
    for spans in holds.values():
        spans.sort()
        for (_, ended, _), (begun, _, _) in itertools.pairwise(spans):
            assert ended < begun  # one holder at a time
