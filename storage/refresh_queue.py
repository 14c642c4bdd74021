"""The refresh queue's state in the database (tables refresh_queue and refresh_request).

Each followed film has one row: when it is next due, its priority, the scheduler's interval, what its
last read found, and the lease of the refresher reading it now. A restart finds the plan where it was;
several refreshers on PostgreSQL share it, none reading a film another holds:
- `claim_due` takes the films due (next_read_at passed, no live lease), by priority then lateness, and
  leases them to the worker until `lease_seconds` from now, in one transaction. PostgreSQL: SELECT … FOR
  UPDATE SKIP LOCKED, so a concurrent claimer skips the rows being claimed instead of waiting for them
  (and, READ COMMITTED re-checking the WHERE on rows committed meanwhile, never takes a leased one).
  SQLite (one refresher): BEGIN IMMEDIATE, the database's write lock held from the choice to the lease.
- A lease that expires (its worker crashed or hung) is void: the film is claimable again.
- `finish` writes the read's outcome and the next read, and frees the lease, only if the worker still
  holds that very lease: a worker whose lease expired and was taken over does not overwrite the new
  owner's.

The scheduling policy (when next, what priority) is not here: callers pass it in.
All times are UTC; SQLite gives back naive datetimes, which are read as UTC.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Connection, Engine, Row, and_, delete, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from storage.db.tables import FILM, GUILD_FOLLOW, REFRESH_QUEUE, REFRESH_REQUEST
from storage.db.times import as_utc

__all__ = [
    "FRONT_PRIORITY",
    "NORMAL_PRIORITY",
    "Claim",
    "DueFilm",
    "Outcome",
    "QueueState",
    "QueuedFilm",
    "RequestKind",
    "claim_due",
    "enqueue",
    "finish",
    "forget_all_but",
    "queue_state",
    "queued",
    "record_requests",
    "release",
    "requests_by_kind",
    "requests_in_last_hour",
    "spend_request",
]

Outcome = Literal["new", "unchanged", "failed", "never"]
RequestKind = Literal["refresh", "ondemand"]

NORMAL_PRIORITY = 0
FRONT_PRIORITY = 100  # a new follow or an on-demand ask: before every film merely due
WINDOW = timedelta(hours=1)
_KEEP_REQUESTS = timedelta(days=1)  # older request rows are deleted as new ones come

Q = REFRESH_QUEUE.c


@dataclass(frozen=True)
class QueuedFilm:
    """A film's row in the queue."""

    film_id: int
    next_read_at: datetime
    priority: int
    interval_seconds: int
    last_read_at: datetime | None
    last_outcome: Outcome
    failures: int
    lease_owner: str | None
    lease_until: datetime | None


@dataclass(frozen=True)
class Claim:
    """A film leased to `worker` until `lease_until`: the worker reads it, then calls `finish`. The lease's
    end doubles as its identity: a later claim of the same film (even by the same worker) has another."""

    film_id: int
    worker: str
    lease_until: datetime
    priority: int
    next_read_at: datetime  # when it was due: lateness = claim time - next_read_at
    interval_seconds: int
    last_read_at: datetime | None
    last_outcome: Outcome
    failures: int
    interrupted: bool = False  # taken over from an expired lease: its last read never finished


@dataclass(frozen=True)
class DueFilm:
    film_id: int
    title: str
    next_read_at: datetime
    priority: int


@dataclass(frozen=True)
class QueueState:
    """What `critibot status` shows of the queue at `now`."""

    films: int
    up_to_date: int  # not due yet
    late: int  # due and not being read
    reading: int  # held by a live lease
    failing: int  # last read failed
    most_late: timedelta | None  # the oldest due film's lateness
    median_late: timedelta | None
    requests_last_hour: int
    next_due: tuple[DueFilm, ...]  # the next films to read, in claim order


def _utc_or_none(moment: datetime | None) -> datetime | None:
    return None if moment is None else as_utc(moment)


def _free(now: datetime) -> Any:
    """No live lease: never leased, released, or expired."""
    return or_(Q.lease_until.is_(None), Q.lease_until <= now)


# --- enqueue -----------------------------------------------------------------------------------------


def enqueue(
    engine: Engine,
    film_ids: Iterable[int],
    *,
    now: datetime,
    front: bool = False,
    due_at: datetime | None = None,
    interval_seconds: float = 0,
    last_outcome: Outcome = "never",
) -> int:
    """Put films in the queue, due at once (or at `due_at`); films already there keep their plan
    (idempotent). With `front` (a new follow, an on-demand ask) they go before every film merely due: due
    now, high priority, even if already queued. Returns how many rows were added.

    `due_at`, `interval_seconds` and `last_outcome` describe a film read just before it was queued (a
    watchlist film read for the first time, which had no row to queue until then)."""
    now = as_utc(now)
    ids = sorted(set(film_ids))
    if not ids:
        return 0
    rows = [
        {
            "film_id": film_id,
            "next_read_at": as_utc(due_at) if due_at is not None else now,
            "priority": FRONT_PRIORITY if front else NORMAL_PRIORITY,
            "interval_seconds": round(interval_seconds),
            "last_read_at": None if last_outcome == "never" else now,
            "last_outcome": last_outcome,
            "failures": 1 if last_outcome == "failed" else 0,
        }
        for film_id in ids
    ]
    with engine.begin() as conn:
        before = _count(conn)
        stmt = _insert(conn).values(rows)
        if front:
            # Sooner and higher only: a film due earlier keeps its (earlier) time.
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=["film_id"],
                    set_={
                        "next_read_at": func.min(Q.next_read_at, stmt.excluded.next_read_at)
                        if conn.dialect.name == "sqlite"
                        else func.least(Q.next_read_at, stmt.excluded.next_read_at),
                        "priority": FRONT_PRIORITY,
                    },
                )
            )
        else:
            conn.execute(stmt.on_conflict_do_nothing(index_elements=["film_id"]))
        return _count(conn) - before


def forget_all_but(engine: Engine, film_ids: Iterable[int]) -> int:
    """Take out of the queue every film neither in `film_ids` (what a refresher was told to watch) nor
    followed by a server now (a follow since its list was made stays), leased or not: a refresher
    reading one finds its lease gone and writes nothing. Returns how many went."""
    keep = set(film_ids)
    followed = select(GUILD_FOLLOW.c.film_id)
    gone_count = 0
    with engine.begin() as conn:
        gone = sorted(set(conn.scalars(select(Q.film_id))) - keep)
        for start in range(0, len(gone), 500):  # bounded IN lists
            result = conn.execute(
                delete(REFRESH_QUEUE).where(
                    Q.film_id.in_(gone[start : start + 500]), Q.film_id.not_in(followed)
                )
            )
            gone_count += result.rowcount
    return gone_count


def _insert(conn: Connection) -> Any:
    if conn.dialect.name == "postgresql":
        return postgresql.insert(REFRESH_QUEUE)
    return sqlite.insert(REFRESH_QUEUE)


def _count(conn: Connection) -> int:
    return int(conn.scalar(select(func.count()).select_from(REFRESH_QUEUE)) or 0)


def queued(engine: Engine, film_id: int) -> QueuedFilm | None:
    """A film's row, or None when it is not in the queue."""
    with engine.connect() as conn:
        row = conn.execute(select(REFRESH_QUEUE).where(Q.film_id == film_id)).one_or_none()
    return None if row is None else _queued(row)


def _queued(row: Row[Any]) -> QueuedFilm:
    return QueuedFilm(
        film_id=row.film_id,
        next_read_at=as_utc(row.next_read_at),
        priority=row.priority,
        interval_seconds=row.interval_seconds,
        last_read_at=_utc_or_none(row.last_read_at),
        last_outcome=row.last_outcome,
        failures=row.failures,
        lease_owner=row.lease_owner,
        lease_until=_utc_or_none(row.lease_until),
    )


# --- claim and finish --------------------------------------------------------------------------------


def claim_due(engine: Engine, worker: str, *, now: datetime, limit: int, lease_seconds: float) -> list[Claim]:
    """Lease to `worker` up to `limit` films due at `now` (highest priority, then the latest first), none
    held by a live lease of another worker."""
    now = as_utc(now)
    if limit <= 0:
        return []
    until = now + timedelta(seconds=lease_seconds)
    due = and_(Q.next_read_at <= now, _free(now))
    choose = (
        select(Q.id, Q.lease_owner)
        .where(due)
        .order_by(Q.priority.desc(), Q.next_read_at, Q.film_id)
        .limit(limit)
        .with_for_update(skip_locked=True)  # PostgreSQL only; SQLite's compiler leaves it out
    )
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # pysqlite would only BEGIN at the UPDATE
        try:
            chosen = conn.execute(choose).all()
            ids = [row.id for row in chosen]
            # A lease that is still set yet expired: its reader died or hung before finishing.
            interrupted = {row.id for row in chosen if row.lease_owner is not None}
            rows: Sequence[Row[Any]] = []
            if ids:
                # The lease-free condition again: harmless under the row locks, and a guard if the
                # database ever lets two claimers choose at once.
                rows = conn.execute(
                    update(REFRESH_QUEUE)
                    .where(Q.id.in_(ids), due)
                    .values(lease_owner=worker, lease_until=until)
                    .returning(*REFRESH_QUEUE.c)
                ).all()
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
    claims = [
        Claim(
            film_id=row.film_id,
            worker=worker,
            lease_until=until,
            priority=row.priority,
            next_read_at=as_utc(row.next_read_at),
            interval_seconds=row.interval_seconds,
            last_read_at=_utc_or_none(row.last_read_at),
            last_outcome=row.last_outcome,
            failures=row.failures,
            interrupted=row.id in interrupted,
        )
        for row in rows
    ]
    claims.sort(key=lambda c: (-c.priority, c.next_read_at, c.film_id))  # RETURNING keeps no order
    return claims


def finish(
    engine: Engine,
    claim: Claim,
    *,
    next_read_at: datetime,
    outcome: Outcome,
    now: datetime,
    priority: int = NORMAL_PRIORITY,
    interval_seconds: float | None = None,
) -> bool:
    """Record a claimed film's read and plan its next one, freeing the lease. Only while `claim` is still
    the film's lease (expired but not taken over counts: the read is still good); False otherwise, and
    nothing is written. A failure counts one more failure in a row; any other outcome resets them.
    `interval_seconds`: the interval the film has earned (default: until its next read); a failed read
    keeps the film's, its retry being sooner."""
    now = as_utc(now)
    next_read_at = as_utc(next_read_at)
    failures = Q.failures + 1 if outcome == "failed" else 0
    if interval_seconds is None:
        interval_seconds = (next_read_at - now).total_seconds()
    values: dict[str, Any] = {
        "next_read_at": next_read_at,
        "priority": priority,
        "interval_seconds": max(0, round(interval_seconds)),
        "last_outcome": outcome,
        "failures": failures,
        "lease_owner": None,
        "lease_until": None,
    }
    if outcome != "failed":  # the last read that worked: what "à jour il y a…" tells
        values["last_read_at"] = now
    with engine.begin() as conn:
        return _held(conn, claim, values)


def release(engine: Engine, claim: Claim) -> bool:
    """Free a claimed film without reading it (the budget ran out): its plan is untouched, so it stays
    due, first in line for the next claim. False if the lease was no longer `claim`'s."""
    with engine.begin() as conn:
        return _held(conn, claim, {"lease_owner": None, "lease_until": None})


def _held(conn: Connection, claim: Claim, values: dict[str, Any]) -> bool:
    """Write `values` to the claimed film's row if `claim` is still its lease."""
    result = conn.execute(
        update(REFRESH_QUEUE)
        .where(
            Q.film_id == claim.film_id,
            Q.lease_owner == claim.worker,
            Q.lease_until == claim.lease_until,
        )
        .values(**values)
    )
    return result.rowcount == 1


# --- requests ----------------------------------------------------------------------------------------


def record_requests(engine: Engine, kind: RequestKind, count: int, now: datetime) -> None:
    """Count `count` requests made to AlloCiné at `now` (one row per call; day-old rows are dropped)."""
    now = as_utc(now)
    if count <= 0:
        return
    with engine.begin() as conn:
        _count_requests(conn, kind, count, now)


def spend_request(engine: Engine, kind: RequestKind, now: datetime, *, total: int, own: int) -> bool:
    """Count one request about to be sent at `now`, if the hour before leaves room: fewer than `total`
    requests of every kind, and fewer than `own` of `kind`. False (nothing counted) otherwise. Check and
    count are one step for every process: PostgreSQL locks the table against other spenders for the
    transaction, SQLite takes its write lock first."""
    now = as_utc(now)
    since = now - WINDOW
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:  # a mode that conflicts with itself: spenders wait for each other, readers do not
            conn.exec_driver_sql("LOCK TABLE refresh_request IN SHARE ROW EXCLUSIVE MODE")
        try:
            spent = conn.execute(
                select(
                    func.coalesce(func.sum(REFRESH_REQUEST.c.count), 0),
                    func.coalesce(
                        func.sum(REFRESH_REQUEST.c.count).filter(REFRESH_REQUEST.c.kind == kind), 0
                    ),
                ).where(REFRESH_REQUEST.c.at > since)
            ).one()
            allowed = int(spent[0]) < total and int(spent[1]) < own
            if allowed:
                _count_requests(conn, kind, 1, now)
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
    return allowed


def _count_requests(conn: Connection, kind: RequestKind, count: int, now: datetime) -> None:
    conn.execute(delete(REFRESH_REQUEST).where(REFRESH_REQUEST.c.at < now - _KEEP_REQUESTS))
    conn.execute(insert(REFRESH_REQUEST).values(at=now, kind=kind, count=count))


def requests_by_kind(engine: Engine, now: datetime) -> dict[RequestKind, int]:
    """Requests in the hour before `now`, per kind."""
    query = (
        select(REFRESH_REQUEST.c.kind, func.sum(REFRESH_REQUEST.c.count))
        .where(REFRESH_REQUEST.c.at > as_utc(now) - WINDOW)
        .group_by(REFRESH_REQUEST.c.kind)
    )
    with engine.connect() as conn:
        return {kind: int(total or 0) for kind, total in conn.execute(query)}


def requests_in_last_hour(engine: Engine, now: datetime) -> int:
    """Requests made by every process in the hour before `now` (a request exactly an hour old is out)."""
    with engine.connect() as conn:
        return _requests_since(conn, as_utc(now) - WINDOW)


def _requests_since(conn: Connection, since: datetime) -> int:
    total = conn.scalar(select(func.sum(REFRESH_REQUEST.c.count)).where(REFRESH_REQUEST.c.at > since))
    return int(total or 0)


# --- status ------------------------------------------------------------------------------------------


def queue_state(engine: Engine, now: datetime, *, next_count: int = 5) -> QueueState:
    """The queue at `now`, for `critibot status`."""
    now = as_utc(now)
    leased = and_(Q.lease_until.is_not(None), Q.lease_until > now)
    late = and_(Q.next_read_at <= now, _free(now))
    with engine.connect() as conn:
        films, up_to_date, failing = conn.execute(
            select(
                func.count(),
                func.count().filter(Q.next_read_at > now),
                func.count().filter(Q.last_outcome == "failed"),
            ).select_from(REFRESH_QUEUE)
        ).one()
        reading = int(conn.scalar(select(func.count()).select_from(REFRESH_QUEUE).where(leased)) or 0)
        late_count = int(conn.scalar(select(func.count()).select_from(REFRESH_QUEUE).where(late)) or 0)
        most_late = median_late = None
        if late_count:
            oldest = conn.scalar(select(func.min(Q.next_read_at)).where(late))
            middle = conn.scalar(
                select(Q.next_read_at).where(late).order_by(Q.next_read_at).offset(late_count // 2).limit(1)
            )
            most_late = now - as_utc(oldest) if oldest is not None else None
            median_late = now - as_utc(middle) if middle is not None else None
        next_rows = conn.execute(
            select(Q.film_id, FILM.c.title, Q.next_read_at, Q.priority)
            .join(FILM, FILM.c.id == Q.film_id)
            .where(_free(now))
            .order_by((Q.next_read_at <= now).desc(), Q.priority.desc(), Q.next_read_at, Q.film_id)
            .limit(next_count)
        ).all()
        requests = _requests_since(conn, now - WINDOW)
    return QueueState(
        films=int(films),
        up_to_date=int(up_to_date),
        late=late_count,
        reading=reading,
        failing=int(failing),
        most_late=most_late,
        median_late=median_late,
        requests_last_hour=requests,
        next_due=tuple(
            DueFilm(
                film_id=r.film_id, title=r.title, next_read_at=as_utc(r.next_read_at), priority=r.priority
            )
            for r in next_rows
        ),
    )
