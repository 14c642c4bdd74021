"""One refresh: the inbox folders, then each watched film's AlloCiné pages, one film at a time. The
watched films are the watchlist (`config/films.toml`) and every film a Discord server follows (/suivre).

Every page is stored in its own transaction (storage.store.store_page). A film that fails (network,
parse, database, a page that is not its own, its deadline) is logged, keeps what its earlier pages
stored, and is read again in full on the next refresh; the other films go on. Past the run's deadline
no film is begun: those are reported as not reached, and come first, read in full, next time. Each
refresh is recorded in `refresh_run` with its report, which `critibot status` shows.

Spectator pages are read newest first and the reading stops at the first page with nothing new, a page
that did not change (HTTP 304) or the page limit. A film's first refresh (its backlog) reads up to the
limit, and its reviews are stored as backlog, which the daily digest does not announce.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import socket
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, exists, select
from sqlalchemy.exc import SQLAlchemyError

from config import Settings
from storage.db.tables import ALIAS, FILM, REFRESH_RUN, REVIEW_TABLES
from storage.folding import fold
from storage.follows import followers_count, with_followed
from storage.importer import FileResult, shown_path
from storage.pages import ParsedPressPage, ParsedSpectatorPage
from storage.problems import Problem
from storage.refresh_lock import try_lock
from storage.refresh_policy import (
    FilmFacts,
    FilmSchedule,
    PolicySettings,
    ReadResult,
    after_read,
    first_schedule,
)
from storage.refresh_queue import (
    Claim,
    Outcome,
    claim_due,
    enqueue,
    finish,
    forget_all_but,
    queue_state,
    release,
    requests_by_kind,
    spend_request,
)
from storage.run_log import finish_run, forget_run, start_run
from storage.sources.allocine import AllocineClient, Fetched, FetchError, Gate
from storage.sources.film_pages import PageRefused, review_page
from storage.sources.inbox import import_inbox
from storage.sources.search import forget_expired
from storage.sources.validators import remember, validators_for
from storage.store import Counts, StoreError, content_hash, find_film, store_page
from storage.watchlist import WatchedFilm, load_watchlist

log = logging.getLogger(__name__)

RUN = REFRESH_RUN


@dataclass(frozen=True)
class Figures:
    """The site's spectator figures for a film, as last stored."""

    average: float | None
    ratings_count: int | None
    reviews_count: int | None


@dataclass
class FilmRefresh:
    title: str
    allocine_id: int
    pages: int = 0  # pages read and stored
    unchanged_pages: int = 0  # pages the site said had not changed (304)
    counts: dict[str, Counts] = field(default_factory=dict)
    before: Figures | None = None
    after: Figures | None = None
    error: Problem | None = None
    unfinished: bool = (
        False  # the budget ran out while it was read: what it stored stays, the rest next round
    )

    @property
    def moved(self) -> bool:
        return self.before is not None and self.after is not None and self.before != self.after


@dataclass
class FileRefresh:
    path: str
    counts: dict[str, Counts] = field(default_factory=dict)
    error: Problem | None = None


@dataclass
class RefreshReport:
    started_at: datetime
    finished_at: datetime | None = None
    files: list[FileRefresh] = field(default_factory=list)
    films: list[FilmRefresh] = field(default_factory=list)
    run_id: int | None = None
    failure: Problem | None = None  # the refresh itself stopped (crash, cancelled)
    stopped: Problem | None = None  # why the round ended with films still due (budget, deadline)
    left_due: int = 0  # films due when the round ended: the next round's

    @property
    def errors(self) -> list[tuple[str, str, Problem]]:
        """(source, where, problem) for every part that failed: ("inbox", file path, …) or ("site", film
        title, …)."""
        run = [("run", "", self.failure)] if self.failure else []
        return (
            [("inbox", f.path, f.error) for f in self.files if f.error]
            + [("site", f.title, f.error) for f in self.films if f.error]
            + run
        )

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def busy(self) -> bool:
        """Not run: another refresher was running on the same database."""
        return self.failure is not None and self.failure.code == "refresh_busy"

    def totals(self) -> dict[str, Counts]:
        totals: dict[str, Counts] = {}
        parts: list[dict[str, Counts]] = [f.counts for f in self.files] + [f.counts for f in self.films]
        for part in parts:
            for kind, counts in part.items():
                totals.setdefault(kind, Counts()).add(counts)
        return totals

    @property
    def films_added(self) -> bool:
        """Whether a film may have appeared (its title must then join the lookup index)."""
        return any(counts.new for counts in self.totals().values())

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["started_at"] = self.started_at.isoformat()
        data["finished_at"] = self.finished_at.isoformat() if self.finished_at else None
        data["totals"] = {kind: asdict(counts) for kind, counts in self.totals().items()}
        data["errors"] = [
            {"source": source, "where": where, **problem.to_dict()} for source, where, problem in self.errors
        ]
        return data


async def refresh(
    engine: Engine,
    settings: Settings,
    *,
    client: AllocineClient | None = None,
    watchlist: Sequence[WatchedFilm] | None = None,
    now: datetime | None = None,
    policy: PolicySettings | None = None,
) -> RefreshReport:
    """Run one round and record it; never raises for a bad file or film (they are in the report).

    `now` fixes the round's clock (tests); by default it is the real one. On SQLite, while another
    refresher runs on the same database, nothing is done nor recorded: the report's `failure` is
    `refresh_busy` (`busy`), and the caller says so (the CLI exits non-zero, the bot skips). On
    PostgreSQL refreshers run side by side, sharing the queue; one at a time reads the inbox folders.
    """
    started = now or datetime.now(UTC)
    report = RefreshReport(started_at=started)
    lock = await asyncio.to_thread(try_lock, engine)
    if lock is None and engine.dialect.name == "sqlite":
        log.warning("rafraîchissement non lancé : un autre est en cours sur cette base")
        report.failure = Problem("refresh_busy", {})
        report.finished_at = datetime.now(UTC) if now is None else started
        return report
    round_ = _Round(
        engine,
        settings,
        policy or PolicySettings(),
        clock=(lambda: now) if now is not None else (lambda: datetime.now(UTC)),
        worker=f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}",
        report=report,
    )
    try:
        return await round_.run(client, watchlist, inbox=lock is not None)
    finally:
        if lock is not None:
            lock.release()  # at once, even when cancelled: it is quick


@dataclass
class _Round:
    """One refresh round: the inbox, the queue brought in line with what is watched, then the due films,
    one claim at a time, until none is due, the budget is spent or the round's deadline comes."""

    engine: Engine
    settings: Settings
    policy: PolicySettings
    clock: Callable[[], datetime]
    worker: str
    report: RefreshReport
    deadline: float = 0.0  # on the client's clock: no film begun past it
    followers: dict[int, int] = field(default_factory=dict)  # film id → servers following it

    async def run(
        self, client: AllocineClient | None, watchlist: Sequence[WatchedFilm] | None, *, inbox: bool
    ) -> RefreshReport:
        engine, settings, report = self.engine, self.settings, self.report
        listed = list(watchlist) if watchlist is not None else load_watchlist(settings.watchlist)
        films = await asyncio.to_thread(with_followed, engine, listed)  # and what the servers follow
        report.run_id = await asyncio.to_thread(start_run, engine, report.started_at)
        try:
            if inbox:
                await self.inbox(films)
            await self.online([film for film in films if film.allocine_id is not None], client, first=inbox)
        except BaseException as error:  # cancelled or crashed: recorded as failed, never as still running
            report.failure = Problem("interrupted", {"error": error.__class__.__name__})
            report.finished_at = datetime.now(UTC)
            _finish_run(engine, report)
            raise
        report.finished_at = self.clock()
        if report.files or report.films or report.stopped is not None:
            await asyncio.to_thread(_finish_run, engine, report)
        else:  # nothing was due: rounds come every few minutes, `critibot status` keeps those that did
            await asyncio.to_thread(forget_run, engine, report.run_id)
        # Searches asked once are never asked again: their expired answers would pile up.
        await asyncio.to_thread(forget_expired, engine, now=report.finished_at)
        log.info(
            "rafraîchissement : fichiers %d, films %d, %s, erreurs %d",
            len(report.files),
            len(report.films),
            ", ".join(f"{k} +{c.new} ~{c.updated}" for k, c in report.totals().items()) or "rien de neuf",
            len(report.errors),
        )
        return report

    async def inbox(self, films: list[WatchedFilm]) -> None:
        for result in await asyncio.to_thread(import_inbox, self.engine, self.settings.inboxes, films):
            self.report.files.append(_file_refresh(result))
            if result.error:
                log.warning("boîte de dépôt : %s : %s", result.path, result.error.to_dict())

    async def online(self, films: list[WatchedFilm], client: AllocineClient | None, *, first: bool) -> None:
        """The watched films with an AlloCiné id: those never stored first (they have no place in the
        queue yet: `first`, only the refresher holding the lock reads them), then the queue's due films."""
        engine = self.engine
        queued, unstored = await asyncio.to_thread(_sync_queue, engine, films, self.clock())
        if not first:
            unstored = []
        if not queued and not unstored:
            return
        own_client = client is None
        client = client or AllocineClient.from_settings(self.settings)
        self.deadline = client.now() + self.settings.refresh_run_deadline
        self.followers = await asyncio.to_thread(followers_count, engine)
        try:
            for film in unstored:
                if not await self.may_begin(client) or not await self.first_read(client, film):
                    return
            while await self.may_begin(client):
                claims = await asyncio.to_thread(
                    claim_due, engine, self.worker, now=self.clock(), limit=1, lease_seconds=self.lease
                )
                if not claims or not await self.read_claimed(client, claims[0], queued):
                    return
        finally:
            self.report.left_due = await asyncio.to_thread(_due_count, engine, self.clock())
            if own_client:
                await client.aclose()

    @property
    def lease(self) -> float:
        """A film's lease outlasts its deadline: only a hung or dead refresher loses it."""
        return self.settings.refresh_film_deadline + LEASE_MARGIN

    @property
    def film_cost(self) -> int:
        """The requests a film's reading may take (every spectator page, then the press page)."""
        return self.settings.allocine_max_pages + 1

    async def may_begin(self, client: AllocineClient) -> bool:
        """Whether another film may be begun: the round's deadline not passed, room in the budget for a
        whole reading. Otherwise why not is the report's `stopped`."""
        settings = self.settings
        if client.now() >= self.deadline:
            self.report.stopped = Problem("round_deadline", {"seconds": settings.refresh_run_deadline})
            return False
        spent = await asyncio.to_thread(requests_by_kind, self.engine, self.clock())
        total, own = _budget(settings)
        if sum(spent.values()) + self.film_cost > total or spent.get("refresh", 0) + self.film_cost > own:
            self.report.stopped = Problem("budget_spent", {"per_hour": settings.allocine_requests_per_hour})
            return False
        return True

    async def gate(self, url: str) -> None:
        """Before each request: count it in the shared budget, or send nothing."""
        total, own = _budget(self.settings)
        if not await asyncio.to_thread(
            spend_request, self.engine, "refresh", self.clock(), total=total, own=own
        ):
            raise FetchError(url, "budget_spent", per_hour=self.settings.allocine_requests_per_hour)

    async def first_read(self, client: AllocineClient, film: WatchedFilm) -> bool:
        """A watched film never stored: read in full, then queued with the plan its read earned. False
        when the budget ran out meanwhile: the round stops."""
        outcome = await _refresh_film(
            self.engine, client, film, self.settings, self.report.started_at, True, self.gate
        )
        self.report.films.append(outcome)
        now = self.clock()
        film_id = await asyncio.to_thread(_stored_id, self.engine, film)
        if _budget_spent(outcome):
            self.report.stopped, outcome.error, outcome.unfinished = outcome.error, None, True
            if film_id is not None:  # its first pages are stored: read again in full, first in line
                await asyncio.to_thread(enqueue, self.engine, [film_id], now=now)
            return False
        if film_id is None:  # nothing stored (the read failed): tried again next round
            return True
        schedule = first_schedule(film_id, now.timestamp(), self.policy)
        facts = await asyncio.to_thread(self.facts, film_id)
        after = after_read(schedule, _read_result(outcome, now), facts, self.policy)
        await asyncio.to_thread(
            enqueue,
            self.engine,
            [film_id],
            now=now,
            due_at=_moment(after.next_read),
            interval_seconds=after.interval,
            last_outcome=_outcome(outcome),
        )
        return True

    async def read_claimed(
        self, client: AllocineClient, claim: Claim, queued: dict[int, WatchedFilm]
    ) -> bool:
        """Read a claimed film and plan its next read. False when the budget ran out meanwhile: the film
        is released as it was, first in line, and the round stops."""
        film = queued.get(claim.film_id)
        if film is None:
            film = await asyncio.to_thread(_watched, self.engine, claim.film_id)
        # Read in full when its last read failed, never finished or never was: no conditional request, no
        # early stop (else the pages after the break would never be read: page 1 answers 304).
        thorough = claim.interrupted or claim.last_outcome in ("never", "failed")
        outcome = await _refresh_film(
            self.engine, client, film, self.settings, self.report.started_at, thorough, self.gate
        )
        self.report.films.append(outcome)
        if _budget_spent(outcome):
            await asyncio.to_thread(release, self.engine, claim)  # first in line next round
            self.report.stopped, outcome.error, outcome.unfinished = outcome.error, None, True
            return False
        now = self.clock()
        schedule = FilmSchedule(
            claim.film_id,
            next_read=claim.next_read_at.timestamp(),
            interval=float(claim.interval_seconds) or self.policy.first_interval,
            last_read=claim.last_read_at.timestamp() if claim.last_read_at else None,
            failures=claim.failures,
        )
        facts = await asyncio.to_thread(self.facts, claim.film_id)
        after = after_read(schedule, _read_result(outcome, now), facts, self.policy)
        if after.reported(self.policy):
            log.warning("%s : %d lectures en échec de suite", film.label, after.failures)
        await asyncio.to_thread(
            finish,
            self.engine,
            claim,
            next_read_at=_moment(after.next_read),
            outcome=_outcome(outcome),
            now=now,
            interval_seconds=after.interval,
        )
        return True

    def facts(self, film_id: int) -> FilmFacts:
        with self.engine.connect() as conn:
            released = conn.scalar(select(FILM.c.release_date).where(FILM.c.id == film_id))
        at = (
            datetime(released.year, released.month, released.day, tzinfo=UTC).timestamp()
            if released
            else None
        )
        return FilmFacts(released=at, followers=self.followers.get(film_id, 0))


LEASE_MARGIN = 60.0  # seconds a lease outlasts the film's deadline


def _budget(settings: Settings) -> tuple[int, int]:
    """Requests per hour for everyone, and for the refresh: what on-demand reads may use is kept."""
    total = settings.allocine_requests_per_hour
    return total, max(0, total - settings.ondemand_requests_per_hour_total)


def _budget_spent(outcome: FilmRefresh) -> bool:
    return outcome.error is not None and outcome.error.code == "budget_spent"


def _read_result(outcome: FilmRefresh, now: datetime) -> ReadResult:
    new = sum(counts.new for counts in outcome.counts.values())
    return ReadResult(at=now.timestamp(), new_reviews=new, failed=outcome.error is not None)


def _outcome(outcome: FilmRefresh) -> Outcome:
    if outcome.error is not None:
        return "failed"
    return "new" if any(counts.new for counts in outcome.counts.values()) else "unchanged"


def _moment(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


async def _refresh_film(
    engine: Engine,
    client: AllocineClient,
    film: WatchedFilm,
    settings: Settings,
    now: datetime,
    thorough: bool,
    gate: Gate | None = None,
) -> FilmRefresh:
    assert film.allocine_id is not None
    outcome = FilmRefresh(title=film.label, allocine_id=film.allocine_id)
    deadline = client.now() + settings.refresh_film_deadline
    try:
        outcome.before, backlog = await asyncio.to_thread(_known_state, engine, film)
        reading = _FilmReading(engine, client, film, outcome, now, thorough, deadline, gate)
        await reading.spectator_pages(settings.allocine_max_pages, backlog="spectateurs" in backlog)
        await reading.press_page(backlog="presse" in backlog)
        outcome.after, _ = await asyncio.to_thread(_known_state, engine, film)
    except PageRefused as error:
        outcome.error = Problem.of(error)
    except FetchError as error:
        if error.reason == "deadline":  # what it stored stays; it is read in full next time
            outcome.error = Problem(
                "film_deadline", {"seconds": settings.refresh_film_deadline, "url": error.url}
            )
        else:
            outcome.error = Problem.of(error)
    except (StoreError, SQLAlchemyError) as error:
        outcome.error = Problem.of(error)
    if outcome.error:
        log.warning("%s : %s (nouvel essai plus tard)", film.label, outcome.error.to_dict())
    return outcome


@dataclass
class _FilmReading:
    """One film's pages in one refresh; `thorough`: no conditional request, no early stop; `deadline`:
    on the client's clock, when the film must be done."""

    engine: Engine
    client: AllocineClient
    film: WatchedFilm
    outcome: FilmRefresh
    now: datetime
    thorough: bool
    deadline: float
    gate: Gate | None = None

    @property
    def allocine_id(self) -> int:
        assert self.film.allocine_id is not None
        return self.film.allocine_id

    async def spectator_pages(self, max_pages: int, *, backlog: bool) -> None:
        """Newest first, until an unchanged page, an empty one, or one with nothing new (backlog: all)."""
        for number in range(1, max_pages + 1):
            try:
                url = self.client.spectator_url(self.allocine_id, number)
                read = await self.page(url, backlog=backlog, later=number > 1)
            except FetchError as error:
                if number > 1 and error.status == 404:
                    return  # past the last page
                raise
            if read is None:
                return  # unchanged since the last refresh
            new, reviews = read
            if reviews == 0 or (new == 0 and not (backlog or self.thorough)):
                return

    async def press_page(self, *, backlog: bool) -> None:
        try:
            await self.page(self.client.press_url(self.allocine_id), backlog=backlog)
        except FetchError as error:
            if error.status != 404:  # a film the press has not reviewed has no press page
                raise

    async def page(self, url: str, *, backlog: bool, later: bool = False) -> tuple[int, int] | None:
        """Fetch, parse and store one page: (new reviews, reviews on the page), or None if unchanged.
        `later`: a spectator page after the first, which the site redirects to the last one when it is
        past the end: (0, 0) then, that page was read already."""
        engine, outcome = self.engine, self.outcome
        etag, last_modified = (
            (None, None) if self.thorough else await asyncio.to_thread(validators_for, engine, url)
        )
        fetched = await self.client.fetch(
            url, etag=etag, last_modified=last_modified, deadline=self.deadline, gate=self.gate
        )
        if fetched.status == 304 or fetched.body is None:
            outcome.unchanged_pages += 1
            await asyncio.to_thread(remember, engine, fetched, content_hash=None, now=self.now)
            return None
        if later and fetched.final_url is not None:
            return 0, 0
        # Parsing a large page takes a while: off the event loop, like the database.
        page, proven = await asyncio.to_thread(_read, engine, self.film, fetched)
        hint = dataclasses.replace(self.film.hint, from_film_address=proven)
        stored = await asyncio.to_thread(
            store_page, engine, page, location=url, raw=fetched.body, hint=hint, now=self.now, backlog=backlog
        )
        # Only now that the page is stored: a page that failed is fetched in full next time.
        await asyncio.to_thread(
            remember, engine, fetched, content_hash=content_hash(fetched.body), now=self.now
        )
        outcome.pages += 1
        for kind, counts in stored.counts.items():
            outcome.counts.setdefault(kind, Counts()).add(counts)
        return sum(counts.new for counts in stored.counts.values()), len(page.reviews)


def _read(
    engine: Engine, film: WatchedFilm, fetched: Fetched
) -> tuple[ParsedSpectatorPage | ParsedPressPage, bool]:
    """The page checked to be `film`'s (storage/sources/film_pages.py), and whether its id proves it."""
    assert film.allocine_id is not None
    return review_page(fetched, film.allocine_id, lambda: _known_names(engine, film))


def _known_names(engine: Engine, film: WatchedFilm) -> set[str]:
    """The folded names `film` goes by: the watchlist's, and those stored under its AlloCiné id."""
    names = {fold(name) for name in film.hint.names}
    with engine.connect() as conn:
        row = conn.execute(
            select(FILM.c.id, FILM.c.title_folded).where(FILM.c.allocine_id == film.allocine_id)
        ).first()
        if row is not None:
            names.add(row.title_folded)
            names.update(conn.scalars(select(ALIAS.c.alias_folded).where(ALIAS.c.film_id == row.id)))
    return names


# --- database helpers (sync, run in a thread) ----------------------------------------------------


def _known_state(engine: Engine, film: WatchedFilm) -> tuple[Figures | None, set[str]]:
    """The film's stored site figures (None: not stored yet), and the kinds of review it has none of:
    what this refresh reads of those is its backlog."""
    with engine.connect() as conn:
        row = find_film(conn, film.hint, film.title)
        if row is None:
            return None, set(REVIEW_TABLES)
        empty = {
            kind
            for kind, table in REVIEW_TABLES.items()
            if not conn.scalar(select(exists().where(table.c.film_id == row.id)))
        }
    return Figures(row.site_average, row.site_ratings_count, row.site_reviews_count), empty


def _sync_queue(
    engine: Engine, films: Sequence[WatchedFilm], now: datetime
) -> tuple[dict[int, WatchedFilm], list[WatchedFilm]]:
    """Bring the queue in line with the watched films: each stored one queued (those already there keep
    their plan), those no longer watched taken out. Returns the queued films by id, and the watched films
    not stored yet (read first, then queued)."""
    with engine.connect() as conn:
        query = select(FILM.c.allocine_id, FILM.c.id).where(FILM.c.allocine_id.is_not(None))
        stored: dict[int, int] = {allocine_id: film_id for allocine_id, film_id in conn.execute(query)}
    queued: dict[int, WatchedFilm] = {}
    unstored: list[WatchedFilm] = []
    for film in films:
        film_id = stored.get(film.allocine_id) if film.allocine_id is not None else None
        if film_id is None:
            unstored.append(film)
        else:
            queued.setdefault(film_id, film)
    enqueue(engine, queued, now=now)
    forget_all_but(engine, queued)
    return queued, unstored


def _stored_id(engine: Engine, film: WatchedFilm) -> int | None:
    with engine.connect() as conn:
        return conn.scalar(select(FILM.c.id).where(FILM.c.allocine_id == film.allocine_id))


def _watched(engine: Engine, film_id: int) -> WatchedFilm:
    """A queued film this round did not list (followed since): as its row says."""
    with engine.connect() as conn:
        row = conn.execute(
            select(FILM.c.title, FILM.c.year, FILM.c.allocine_id, FILM.c.original_title).where(
                FILM.c.id == film_id
            )
        ).one()
    return WatchedFilm(
        title=row.title, year=row.year, allocine_id=row.allocine_id, original_title=row.original_title
    )


def _due_count(engine: Engine, now: datetime) -> int:
    return queue_state(engine, now, next_count=0).late


def _finish_run(engine: Engine, report: RefreshReport) -> None:
    finish_run(engine, report.run_id, finished_at=report.finished_at, ok=report.ok, report=report.to_dict())


def _file_refresh(result: FileResult) -> FileRefresh:
    counts = dict(result.report.counts) if result.report else {}
    return FileRefresh(path=shown_path(result.path), counts=counts, error=result.error)
