"""Any film on demand: AlloCiné searched and a film read when someone asks about a film critibot lacks.

Reading a film (`read_film`): its main page, its first spectator page and its press page (a 404 there: the
press has not reviewed it), each fetched through the one polite client and parsed first, each checked to
be that film's own page; then all three are stored in ONE transaction (`write_film_page`, `write_page`),
their reviews as the film's backlog, never announced by a digest. A read that fails halfway (a page
refused, unreadable, another film's, a challenge, the deadline) stores nothing of that film.

Budgets (`Budgets`, table ondemand_request): per hour, per server (`scope`, "guild:<id>", "user:<id>" or
"console") for searches and for reads, and globally in requests (a search is one, a read three), so that
a member typing random words never makes critibot hammer AlloCiné, and the scheduled refresh keeps its
share. A cache hit, a film already in the catalogue, a search or read joined while under way cost
nothing. Past a budget: OverBudget, with the seconds until the hour's oldest request leaves the window.

`OnDemand` is the service the answers use. The polite client is asyncio and there must be one per
process (one request at a time per host), while answers run synchronously in worker threads: OnDemand
owns the client and the event loop it lives on: the bot's loop on Discord (`loop=`; the scheduled refresh
gets the same client through `client_on`), or a loop thread of its own in the console and `critibot ask`.
Its sync methods submit coroutines to that loop and wait for them. Two people asking for the same film at
once share one read (an in-process task per AlloCiné id; the search shares its request the same way); a
second process is harmless: the film identity finds the film by its AlloCiné id.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, TypeVar

from sqlalchemy import Engine, case, delete, func, insert, select

from config.settings import Settings
from storage.db.tables import ALIAS, FILM, ONDEMAND_REQUEST, REFRESH_REQUEST
from storage.db.times import as_utc
from storage.folding import fold
from storage.pages import PageError, ParsedPressPage, ParsedSpectatorPage, decode
from storage.pages.film import ParsedFilmPage, parse_film_page
from storage.sources.allocine import AllocineClient, Fetched, FetchError
from storage.sources.film_pages import PageRefused, review_page
from storage.sources.search import SearchResult, search
from storage.store import FilmHint, write_film_page, write_page
from storage.titles import TitleEntry

__all__ = [
    "READ_REQUESTS",
    "Budgets",
    "FilmRead",
    "OnDemand",
    "OverBudget",
    "charge",
    "film_by_allocine_id",
    "read_film",
    "title_entry",
]

log = logging.getLogger(__name__)

Kind = Literal["search", "read"]
WINDOW = timedelta(hours=1)
READ_REQUESTS = 3  # what a read costs of the global budget, in requests
_KEEP = timedelta(days=1)  # rows older than this are deleted as new ones come
_T = TypeVar("_T")


# --- budgets -----------------------------------------------------------------------------------------


class OverBudget(Exception):
    """An on-demand search or read refused: `kind` (search | read), `which` budget (server | total),
    `seconds` until it may be asked again."""

    code = "over_budget"

    def __init__(self, kind: Kind, which: str, seconds: float) -> None:
        self.kind = kind
        self.which = which
        self.seconds = max(1.0, seconds)
        super().__init__(kind, which, self.seconds)

    @property
    def params(self) -> dict[str, Any]:
        return {"kind": self.kind, "which": self.which, "seconds": round(self.seconds)}


@dataclass(frozen=True)
class Budgets:
    searches_per_server: int
    reads_per_server: int
    requests_total: int

    @classmethod
    def from_settings(cls, settings: Settings) -> Budgets:
        return cls(
            settings.ondemand_searches_per_hour_per_server,
            settings.ondemand_reads_per_hour_per_server,
            settings.ondemand_requests_per_hour_total,
        )


_charging = threading.Lock()  # count-then-insert, atomic within the process


def charge(engine: Engine, budgets: Budgets, scope: str, kind: Kind, now: datetime | None = None) -> None:
    """Count one on-demand `kind` for `scope`, or OverBudget when the server's or the global budget for
    the last hour is spent (nothing counted then). Blocking: call it off the event loop."""
    now = now or datetime.now(UTC)
    since = now - WINDOW
    per_server = budgets.searches_per_server if kind == "search" else budgets.reads_per_server
    cost = READ_REQUESTS if kind == "read" else 1
    weight = case((ONDEMAND_REQUEST.c.kind == "read", READ_REQUESTS), else_=1)
    recent = ONDEMAND_REQUEST.c.at > since
    with _charging, engine.begin() as conn:
        mine = conn.execute(
            select(func.count(), func.min(ONDEMAND_REQUEST.c.at)).where(
                recent, ONDEMAND_REQUEST.c.scope == scope, ONDEMAND_REQUEST.c.kind == kind
            )
        ).one()
        if mine[0] >= per_server:
            raise OverBudget(kind, "server", _seconds_until(mine[1], now))
        total = conn.execute(select(func.sum(weight), func.min(ONDEMAND_REQUEST.c.at)).where(recent)).one()
        if (total[0] or 0) + cost > budgets.requests_total:
            raise OverBudget(kind, "total", _seconds_until(total[1], now))
        conn.execute(delete(ONDEMAND_REQUEST).where(ONDEMAND_REQUEST.c.at < now - _KEEP))
        conn.execute(insert(ONDEMAND_REQUEST).values(scope=scope, kind=kind, at=now))
        # And in the site's budget, which the refreshers count too (storage/refresh_queue.py).
        conn.execute(insert(REFRESH_REQUEST).values(at=now, kind="ondemand", count=cost))


def _seconds_until(oldest: datetime | None, now: datetime) -> float:
    """When the oldest request of the window leaves it (SQLite gives naive UTC datetimes back)."""
    if oldest is None:
        return WINDOW.total_seconds()
    return (as_utc(oldest) + WINDOW - now).total_seconds()


# --- reading one film --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FilmRead:
    """A film of the catalogue, found by its AlloCiné id; `read`: it was read just now."""

    film_id: int
    title: str
    year: int | None
    original_title: str | None
    allocine_id: int
    read: bool


def film_by_allocine_id(engine: Engine, allocine_id: int) -> FilmRead | None:
    query = select(FILM.c.id, FILM.c.title, FILM.c.year, FILM.c.original_title).where(
        FILM.c.allocine_id == allocine_id
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        return None
    return FilmRead(row.id, row.title, row.year, row.original_title, allocine_id, read=False)


def title_entry(engine: Engine, film_id: int) -> TitleEntry | None:
    """The film as the title index knows it (its aliases included): what joins the index after a read."""
    with engine.connect() as conn:
        row = conn.execute(
            select(FILM.c.title, FILM.c.year, FILM.c.original_title).where(FILM.c.id == film_id)
        ).first()
        aliases = tuple(conn.scalars(select(ALIAS.c.alias).where(ALIAS.c.film_id == film_id)))
    return None if row is None else TitleEntry(film_id, row.title, row.year, row.original_title, aliases)


async def read_film(
    engine: Engine,
    client: AllocineClient,
    allocine_id: int,
    *,
    now: datetime | None = None,
    deadline: float | None = None,
) -> FilmRead:
    """Read film `allocine_id` now and store it: FilmRead, or FetchError / PageRefused with nothing of
    it stored. Its reviews are its backlog (never announced)."""
    now = now or datetime.now(UTC)
    main_url = client.film_url(allocine_id)
    main = await client.fetch(main_url, deadline=deadline)
    film = await asyncio.to_thread(_main_page, main, allocine_id)
    names = {fold(name) for name in (film.title, film.original_title) if name}
    spectators = await _review_page(client, client.spectator_url(allocine_id), allocine_id, names, deadline)
    press = await _review_page(client, client.press_url(allocine_id), allocine_id, names, deadline)
    stored = await asyncio.to_thread(
        _store, engine, film, main, spectators, press, allocine_id=allocine_id, now=now
    )
    log.info("film lu à la demande : %s (AlloCiné %d)", film.title, allocine_id)
    return FilmRead(stored, film.title, film.year, film.original_title, allocine_id, True)


def _main_page(fetched: Fetched, allocine_id: int) -> ParsedFilmPage:
    try:
        film = parse_film_page(decode(fetched.body or b""), allocine_id=allocine_id)
    except PageError as error:
        raise PageRefused("page_unreadable", reason=str(error), url=fetched.url) from None
    if film.kind != "film":
        raise PageRefused("series", title=film.title)
    return film


_Review = tuple[Fetched, ParsedSpectatorPage | ParsedPressPage]


async def _review_page(
    client: AllocineClient, url: str, allocine_id: int, names: set[str], deadline: float | None
) -> _Review | None:
    """A review page fetched, parsed and checked; None when the site has none (404)."""
    try:
        fetched = await client.fetch(url, deadline=deadline)
    except FetchError as error:
        if error.status == 404:
            return None
        raise
    page, _proven = await asyncio.to_thread(review_page, fetched, allocine_id, lambda: names)
    return fetched, page


def _store(
    engine: Engine,
    film: ParsedFilmPage,
    main: Fetched,
    spectators: _Review | None,
    press: _Review | None,
    *,
    allocine_id: int,
    now: datetime,
) -> int:
    """All three pages in one transaction: the film is whole in the catalogue, or absent."""
    hint = FilmHint(
        title=film.title,
        year=film.year,
        allocine_id=allocine_id,
        original_title=film.original_title,
        url=main.url,
        from_film_address=True,
    )
    with engine.begin() as conn:
        for review in (spectators, press):
            if review is not None:
                fetched, page = review
                raw = fetched.body or b""
                write_page(conn, page, location=fetched.url, raw=raw, hint=hint, now=now, backlog=True)
        # The main page last: its figures are the fullest (a press page may show no press average).
        ref = write_film_page(conn, film, allocine_id=allocine_id, url=main.url, now=now, raw=main.body)
    return ref.id


# --- the service -------------------------------------------------------------------------------------


class OnDemand:
    """AlloCiné on demand for the answers (see the module docstring). `loop`: the running loop to use
    (the bot's); None: a loop thread of its own, started at the first need."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        *,
        loop: asyncio.AbstractEventLoop | None = None,
        client: AllocineClient | None = None,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.budgets = Budgets.from_settings(settings)
        self._loop = loop
        self._thread: threading.Thread | None = None
        self._client = client
        self._reads: dict[int, asyncio.Future[FilmRead]] = {}
        self._starting = threading.Lock()

    # --- the loop and the client ---------------------------------------------------------------------

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        with self._starting:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name="critibot-allocine", daemon=True)
                thread.start()
                self._thread = thread
                self._loop = loop
            return self._loop

    @property
    def client(self) -> AllocineClient:
        """The one polite client; use it only on `loop`."""
        if self._client is None:
            self._client = AllocineClient.from_settings(self.settings)
        return self._client

    def client_on(self, loop: asyncio.AbstractEventLoop) -> AllocineClient | None:
        """The client for a caller on `loop` (the scheduled refresh), when it is this service's loop."""
        return self.client if loop is self._loop else None

    def deadline(self) -> float:
        """When an answer's dealings with AlloCiné must be over, on the client's clock."""
        return self.client.now() + self.settings.ondemand_deadline

    def close(self) -> None:
        """Close the client, and stop the loop thread if it is this service's own."""
        if self._thread is not None and self._loop is not None:
            if self._client is not None:
                asyncio.run_coroutine_threadsafe(self._client.aclose(), self._loop).result(timeout=5)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)
            self._thread = None

    async def aclose(self) -> None:
        """Close the client from its loop (the bot's, when it stops)."""
        if self._client is not None:
            await self._client.aclose()

    # --- what the answers call (from worker threads) --------------------------------------------------

    def search(self, query: str, *, scope: str, deadline: float | None = None) -> SearchResult:
        """AlloCiné's candidates for `query` (cached, budgeted): SearchResult, or FetchError / OverBudget."""
        return self._wait(self._search(query, scope, deadline or self.deadline()))

    def read(self, allocine_id: int, *, scope: str, deadline: float | None = None) -> FilmRead:
        """Film `allocine_id` from the catalogue, else read now (budgeted, one read at a time per film):
        FilmRead, or FetchError / PageRefused / OverBudget with nothing stored."""
        return self._wait(self._read(allocine_id, scope, deadline or self.deadline()))

    def _wait(self, work: Coroutine[Any, Any, _T]) -> _T:
        loop = self.loop
        if _running_loop() is loop:  # it would wait for itself
            work.close()
            raise RuntimeError("OnDemand's sync methods are for worker threads, not its own loop")
        future = asyncio.run_coroutine_threadsafe(work, loop)
        try:
            # The client gives up at the deadline itself; the margin covers parsing and storing.
            return future.result(timeout=self.settings.ondemand_deadline + 10)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise FetchError("", "deadline") from None

    # --- on the loop ---------------------------------------------------------------------------------

    async def _search(self, query: str, scope: str, deadline: float) -> SearchResult:
        async def count() -> None:
            await asyncio.to_thread(charge, self.engine, self.budgets, scope, "search")

        return await search(
            self.engine, self.client, query, settings=self.settings, on_request=count, deadline=deadline
        )

    async def _read(self, allocine_id: int, scope: str, deadline: float) -> FilmRead:
        task = self._reads.get(allocine_id)
        if task is None:  # no await between the look and the registration: one task per film
            task = asyncio.ensure_future(self._read_once(allocine_id, scope, deadline))
            self._reads[allocine_id] = task
            task.add_done_callback(lambda done: self._read_done(allocine_id, done))
        return await asyncio.shield(task)  # one asker giving up does not cancel the others' read

    async def _read_once(self, allocine_id: int, scope: str, deadline: float) -> FilmRead:
        known = await asyncio.to_thread(film_by_allocine_id, self.engine, allocine_id)
        if known is not None:
            return known
        await asyncio.to_thread(charge, self.engine, self.budgets, scope, "read")
        return await read_film(self.engine, self.client, allocine_id, deadline=deadline)

    def _read_done(self, allocine_id: int, task: asyncio.Future[FilmRead]) -> None:
        if self._reads.get(allocine_id) is task:
            del self._reads[allocine_id]
        if not task.cancelled():
            task.exception()  # retrieved: every asker may have given up


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
