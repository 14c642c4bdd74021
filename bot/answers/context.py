"""What every answer needs: the database, the title index, chance, which quotes were already said, and
AlloCiné on demand (storage/ondemand.py; None: only the catalogue)."""

from __future__ import annotations

import asyncio
import random
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from config.settings import Settings
from storage.ondemand import OnDemand
from storage.queries import title_rows
from storage.sources.allocine import AllocineClient
from storage.sources.search import SearchCandidate
from storage.sources.suggestions import SearchSuggestions
from storage.titles import TitleEntry, TitleIndex


def load_title_index(engine: Engine) -> TitleIndex:
    return TitleIndex(
        TitleEntry(film_id=i, title=t, year=y, original_title=o, aliases=a)
        for i, t, y, o, a in title_rows(engine)
    )


@dataclass
class AnswerContext:
    engine: Engine
    titles: TitleIndex
    rng: random.Random = field(default_factory=random.Random)
    # Quotes already given, per scope (a Discord channel, a console session): no repeat while others are left.
    said: dict[str, set[tuple[str, int, int]]] = field(default_factory=lambda: defaultdict(set))
    # The one polite client to AlloCiné (the bot's); None: AlloCiné is never asked from here.
    allocine: AllocineClient | None = None
    # Background searches per minute for autocomplete (settings: autocomplete_searches_per_minute).
    searches_per_minute: int = 6
    _suggestions: SearchSuggestions | None = field(default=None, init=False, repr=False)
    ondemand: OnDemand | None = None
    # The index is read by answers in worker threads (under `titles_lock`) and by autocomplete on the
    # bot's loop (`index_loop`): a film read on demand is added there, under the lock, so neither ever
    # sees it half added.
    titles_lock: threading.Lock = field(default_factory=threading.Lock)
    index_loop: asyncio.AbstractEventLoop | None = None
    # When the scheduled refresh reads films again (settings), for /tendance's "next read"; None: unknown.
    refresh_every_hours: float | None = None
    watchlist: Path | None = None
    timezone: str = "Europe/Paris"

    @classmethod
    def open(
        cls, engine: Engine, *, seed: int | None = None, ondemand: OnDemand | None = None
    ) -> AnswerContext:
        return cls(engine=engine, titles=load_title_index(engine), rng=random.Random(seed), ondemand=ondemand)

    def follow_refresh(self, settings: Settings) -> None:
        """Know the refresh's period, watchlist and time zone, so that answers can say when a film is
        next read."""
        self.refresh_every_hours = settings.refresh_every_hours
        self.watchlist = settings.watchlist
        self.timezone = settings.timezone

    def enable_ondemand(self, settings: Settings, *, loop: asyncio.AbstractEventLoop | None = None) -> None:
        """Ask AlloCiné for films the catalogue lacks (unless the settings turn it off): on `loop` (the
        bot's, whose scheduled refresh then shares the client), else on a loop thread of its own."""
        if self.ondemand is None and settings.ondemand_enabled:
            self.ondemand = OnDemand(self.engine, settings, loop=loop)
            if loop is not None:  # autocomplete's background searches run there too: the same one client
                self.allocine = self.ondemand.client

    @property
    def suggestions(self) -> SearchSuggestions:
        """AlloCiné's search answers kept in memory for autocomplete (storage/sources/suggestions.py)."""
        if self._suggestions is None or self._suggestions.client is not self.allocine:
            self._suggestions = SearchSuggestions(
                self.engine, self.allocine, per_minute=self.searches_per_minute
            )
        return self._suggestions

    def searched(self, query: str) -> list[SearchCandidate] | None:
        """AlloCiné's candidates for `query` if memory has them (never waits; None when it has not)."""
        return self.suggestions.known(query)

    def background_search(self, query: str) -> bool:
        """Fill memory with AlloCiné's candidates for `query` for the next keystrokes, in the background:
        the search cache first, then AlloCiné through `allocine` (one search in flight, a few per
        minute; see SearchSuggestions). Returns at once; a no-op (False) off the event loop, for a
        query with nothing to search, or one known or under way. True when something was begun."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return False
        return self.suggestions.start(query)

    def reload_titles(self) -> None:
        """After an import or a refresh. The index lives in memory, so autocomplete never waits on SQL."""
        self.titles = load_title_index(self.engine)

    def add_title(self, entry: TitleEntry) -> None:
        """A film just read joins the index at once: one entry added, no rebuild."""

        def add() -> None:
            with self.titles_lock:
                self.titles.add(entry)

        loop = self.index_loop
        if loop is not None and loop.is_running() and _running_loop() is not loop:
            loop.call_soon_threadsafe(add)
        else:
            add()


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


@dataclass(frozen=True)
class Member:
    """Who asks, and on which Discord server: what /suivre, /ne-plus-suivre and /suivis act on.

    `guild_id` None: no server (a private message; the console without --server). The console's
    operator passes `--server ID` and may manage it: whoever holds the shell holds the database.
    """

    guild_id: int | None
    user_id: int | None = None
    can_manage: bool = False  # Discord's *Gérer le serveur*, checked by the Discord layer
