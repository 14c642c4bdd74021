"""AlloCiné's search for autocomplete: answers from memory at once, searches in the background.

Discord asks for choices on every keystroke and gives 3 s; the answer must come in milliseconds, so
`known` never waits on anything: it reads an in-memory copy of recently used search answers. What is
not in memory is fetched by `start` in the background, for the next keystrokes:

1. the database's search cache (storage/sources/search.py), read in a thread, at most `max_reads` at
   once (past them, the keystroke is skipped: the next one asks again);
2. on a cache miss, AlloCiné itself, through the one polite client (`search`), with a cap that is not
   a budget but keeps a cache-filling search nobody waits for from hammering the site: one search in
   flight at a time, at most `per_minute` begun per minute, and while one is in flight only the latest
   query typed waits (the keystrokes in between are never sent). A failed search is not retried for
   `retry_after` seconds.

A keystroke that extends a query whose answer is in memory (`incep` after `inc`) is served that answer,
ranked again for the longer query, while its own search runs: AlloCiné's results for a prefix mostly
hold the longer query's films.

Everything here runs on the event loop (the bot's), except the database reads.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from storage.folding import fold
from storage.sources.allocine import AllocineClient, FetchError
from storage.sources.search import SearchCandidate, cached_candidates, rank_candidates, search, search_query

__all__ = ["SearchSuggestions", "begins", "suggestion_key"]

log = logging.getLogger(__name__)

MIN_KEY_CHARS = 3  # shorter queries (folded, without spaces) are never searched: too many answers
MEMORY_ENTRIES = 2_000  # search answers kept in memory (a few KB each)
MEMORY_SECONDS = 3_600.0  # how long one stays (the database keeps it days: it is read again then)
SEARCH_DEADLINE = 30.0  # seconds a background search may wait for the client (its queue, its delay)


def suggestion_key(query: str) -> str:
    """The folded query as the search sends it ("" when it has nothing to search, or too little)."""
    key = fold(search_query(query))
    return key if len(key.replace(" ", "")) >= MIN_KEY_CHARS else ""


def begins(query: str, *names: str | None) -> bool:
    """Whether each word of `query` begins a word of one of `names` (folded): `la nu` → *La Nuit*."""
    return _begins(fold(query).split(), *names)


def _begins(typed: list[str], *names: str | None) -> bool:
    if not typed:
        return False
    for name in names:
        words = fold(name).split() if name else []
        if words and all(any(w.startswith(t) for w in words) for t in typed):
            return True
    return False


@dataclass
class _Entry:
    candidates: tuple[SearchCandidate, ...]  # in the site's order
    until: float  # on the monotonic clock


class SearchSuggestions:
    """In-memory search answers and the background work that fills them (see the module docstring).

    `client` None: the database's cache only (nothing is ever asked of AlloCiné).
    """

    def __init__(
        self,
        engine: Engine,
        client: AllocineClient | None,
        *,
        per_minute: int = 6,
        max_reads: int = 2,
        retry_after: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.engine = engine
        self.client = client
        self.per_minute = max(0, per_minute)
        self.max_reads = max(1, max_reads)
        self.retry_after = retry_after
        self._clock = clock
        self._memory: OrderedDict[str, _Entry] = OrderedDict()
        self._reading: set[str] = set()  # keys whose cache row is being read
        self._searching: str | None = None  # the key AlloCiné is being asked for
        self._waiting: tuple[str, str] | None = None  # (key, query): the latest one typed meanwhile
        self._failed: dict[str, float] = {}  # key → when it may be searched again
        self._begun: deque[float] = deque()  # when the searches of the last minute began
        self._tasks: set[asyncio.Task[None]] = set()
        self.searches = 0  # AlloCiné searches begun (for tests and logs)

    # --- reading (never waits) -----------------------------------------------------------------------

    def known(self, query: str) -> list[SearchCandidate] | None:
        """AlloCiné's candidates for `query` from memory, ranked for it; None when memory has no answer
        for it nor for a shorter query it extends. [] when AlloCiné found nothing."""
        key = suggestion_key(query)
        if not key:
            return None
        entry = self._fresh(key)
        if entry is not None:
            return rank_candidates(query, entry.candidates)
        for end in range(len(key) - 1, MIN_KEY_CHARS - 1, -1):  # the longest prefix known
            entry = self._fresh(key[:end].rstrip())
            if entry is not None:
                # Found for a shorter query: only the films whose names begin every word typed.
                typed = key.split()
                kept = [c for c in entry.candidates if _begins(typed, c.title, c.original_title)]
                return rank_candidates(query, kept)
        return None

    def has(self, query: str) -> bool:
        """Whether memory holds the answer for `query` itself (not a shorter query's)."""
        key = suggestion_key(query)
        return bool(key) and self._fresh(key) is not None

    def _fresh(self, key: str) -> _Entry | None:
        entry = self._memory.get(key)
        if entry is None:
            return None
        if entry.until <= self._clock():
            self._memory.pop(key, None)
            return None
        self._memory.move_to_end(key)
        return entry

    def remember(self, query: str, candidates: list[SearchCandidate] | tuple[SearchCandidate, ...]) -> None:
        """Keep a search answer in memory (a search made elsewhere, by on-demand reading, say)."""
        key = suggestion_key(query)
        if key:
            self._keep(key, tuple(candidates))

    def _keep(self, key: str, candidates: tuple[SearchCandidate, ...]) -> None:
        self._memory[key] = _Entry(candidates, self._clock() + MEMORY_SECONDS)
        self._memory.move_to_end(key)
        while len(self._memory) > MEMORY_ENTRIES:
            self._memory.popitem(last=False)

    # --- filling (in the background) -----------------------------------------------------------------

    def start(self, query: str) -> bool:
        """Begin filling memory for `query`, in the background, unless it is known, being filled, or
        nothing is to be searched. Must be called on the event loop; returns at once, True when
        something was begun (a cache read, or the query put in line for AlloCiné)."""
        key = suggestion_key(query)
        if not key or self._fresh(key) is not None or key in self._reading or key == self._searching:
            return False
        if len(self._reading) >= self.max_reads:
            return False
        self._reading.add(key)
        self._spawn(self._fill(key, query))
        return True

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _fill(self, key: str, query: str) -> None:
        try:
            found = await asyncio.to_thread(cached_candidates, self.engine, query)
        except SQLAlchemyError as error:
            log.debug("cache de recherche illisible pour « %s » : %s", key, type(error).__name__)
            found = None
        finally:
            self._reading.discard(key)
        if found is not None:
            self._keep(key, tuple(found))
        elif self.client is not None:
            self._queue(key, query)

    def _queue(self, key: str, query: str) -> None:
        if self._failed.get(key, 0.0) > self._clock():
            return
        if self._searching is not None:
            if key != self._searching:
                self._waiting = (key, query)  # the latest keystroke replaces the one waiting
            return
        if not self._may_begin():
            return
        self._searching = key
        self._spawn(self._search(key, query))

    def _may_begin(self) -> bool:
        now = self._clock()
        while self._begun and self._begun[0] <= now - 60.0:
            self._begun.popleft()
        if len(self._begun) >= self.per_minute:
            return False
        self._begun.append(now)
        return True

    async def _search(self, key: str, query: str) -> None:
        assert self.client is not None
        try:
            deadline = self.client.now() + SEARCH_DEADLINE
            result = await search(self.engine, self.client, query, deadline=deadline)
            self.searches += int(result.requested)
            self._keep(key, result.candidates)
        except (FetchError, SQLAlchemyError) as error:  # search logs its failures once per incident
            log.debug("recherche de fond « %s » abandonnée : %s", key, type(error).__name__)
            self._failed[key] = self._clock() + self.retry_after
            if len(self._failed) > MEMORY_ENTRIES:
                self._failed.clear()
        finally:
            self._searching = None
            waiting, self._waiting = self._waiting, None
            if waiting is not None and self._fresh(waiting[0]) is None:
                self._queue(*waiting)

    async def drain(self) -> None:
        """Wait for the background work begun so far (tests, and a clean shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
