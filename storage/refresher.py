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
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, exists, select
from sqlalchemy.exc import SQLAlchemyError

from config import Settings
from storage.db.tables import ALIAS, FILM, REFRESH_RUN, REVIEW_TABLES
from storage.folding import fold
from storage.follows import with_followed
from storage.importer import FileResult, shown_path
from storage.pages import ParsedPressPage, ParsedSpectatorPage
from storage.problems import Problem
from storage.refresh_lock import try_lock
from storage.run_log import films_to_read_in_full, finish_run, start_run
from storage.sources.allocine import AllocineClient, Fetched, FetchError
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
) -> RefreshReport:
    """Run one refresh and record it; never raises for a bad file or film (they are in the report).

    While another refresher runs on the same database, nothing is done nor recorded: the report's
    `failure` is `refresh_busy` (`busy`), and the caller says so (the CLI exits non-zero, the bot skips).
    """
    started = now or datetime.now(UTC)
    report = RefreshReport(started_at=started)
    lock = await asyncio.to_thread(try_lock, engine)
    if lock is None:
        log.warning("rafraîchissement non lancé : un autre est en cours sur cette base")
        report.failure = Problem("refresh_busy", {})
        report.finished_at = datetime.now(UTC) if now is None else started
        return report
    try:
        return await _refresh(engine, settings, client, watchlist, now, report)
    finally:
        lock.release()  # at once, even when cancelled: it is quick


async def _refresh(
    engine: Engine,
    settings: Settings,
    client: AllocineClient | None,
    watchlist: Sequence[WatchedFilm] | None,
    now: datetime | None,
    report: RefreshReport,
) -> RefreshReport:
    started = report.started_at
    listed = list(watchlist) if watchlist is not None else load_watchlist(settings.watchlist)
    films = await asyncio.to_thread(with_followed, engine, listed)  # and what the servers follow
    in_full = await asyncio.to_thread(films_to_read_in_full, engine)
    report.run_id = await asyncio.to_thread(start_run, engine, started)
    try:
        await _read_everything(engine, settings, client, films, in_full, report)
    except BaseException as error:  # cancelled or crashed: recorded as failed, never as still running
        report.failure = Problem("interrupted", {"error": error.__class__.__name__})
        report.finished_at = datetime.now(UTC)
        _finish_run(engine, report)
        raise
    report.finished_at = datetime.now(UTC) if now is None else started
    await asyncio.to_thread(_finish_run, engine, report)
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


async def _read_everything(
    engine: Engine,
    settings: Settings,
    client: AllocineClient | None,
    films: list[WatchedFilm],
    in_full: set[int] | None,
    report: RefreshReport,
) -> None:
    """The inbox folders, then each watched film with an AlloCiné id, into `report`."""
    for result in await asyncio.to_thread(import_inbox, engine, settings.inboxes, films):
        report.files.append(_file_refresh(result))
        if result.error:
            log.warning("boîte de dépôt : %s : %s", result.path, result.error.to_dict())

    online = [film for film in films if film.allocine_id is not None]
    if in_full:  # the films the last refresh did not finish (failed, or not reached) come first
        online.sort(key=lambda film: film.allocine_id not in in_full)
    if online:
        own_client = client is None
        client = client or AllocineClient.from_settings(settings)
        run_deadline = client.now() + settings.refresh_run_deadline
        try:
            for film in online:
                thorough = in_full is None or film.allocine_id in in_full
                if client.now() >= run_deadline:
                    report.films.append(_not_reached(film, settings.refresh_run_deadline))
                    continue
                report.films.append(
                    await _refresh_film(engine, client, film, settings, report.started_at, thorough)
                )
        finally:
            if own_client:
                await client.aclose()


async def _refresh_film(
    engine: Engine,
    client: AllocineClient,
    film: WatchedFilm,
    settings: Settings,
    now: datetime,
    thorough: bool,
) -> FilmRefresh:
    assert film.allocine_id is not None
    outcome = FilmRefresh(title=film.label, allocine_id=film.allocine_id)
    deadline = client.now() + settings.refresh_film_deadline
    try:
        outcome.before, backlog = await asyncio.to_thread(_known_state, engine, film)
        reading = _FilmReading(engine, client, film, outcome, now, thorough, deadline)
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
        fetched = await self.client.fetch(url, etag=etag, last_modified=last_modified, deadline=self.deadline)
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


def _not_reached(film: WatchedFilm, seconds: float) -> FilmRefresh:
    assert film.allocine_id is not None
    log.warning("%s : pas lu, le rafraîchissement a dépassé son délai (%g s)", film.label, seconds)
    return FilmRefresh(film.label, film.allocine_id, error=Problem("not_reached", {"seconds": seconds}))


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


def _finish_run(engine: Engine, report: RefreshReport) -> None:
    finish_run(engine, report.run_id, finished_at=report.finished_at, ok=report.ok, report=report.to_dict())


def _file_refresh(result: FileResult) -> FileRefresh:
    counts = dict(result.report.counts) if result.report else {}
    return FileRefresh(path=shown_path(result.path), counts=counts, error=result.error)
