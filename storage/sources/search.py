"""Searching AlloCiné: its autocomplete JSON → ranked candidates (films and series), cached in the database.

`GET {base}/_/autocomplete/{query}` (allocine-site.md §1) goes through the one polite client
(`AllocineClient.fetch(accept="json")`: one request at a time per host, delay, retries, Retry-After,
challenge pages). What is sent (`search_query`): `/` and control characters as spaces (the route takes no
`/`), spaces collapsed, trimmed, at most `MAX_QUERY_CHARS` characters, and a year typed at the end
(`Backstage (2005)`, `Backstage 2005`) left out, since the site's labels never carry one: the year only
ranks. Then UTF-8 percent-encoded, a space as `%20`. A query with nothing left once folded
(`storage.folding.fold`: empty, punctuation or emoji only) is never sent.

The answer is read leniently (missing keys, a year as int or string, ids of up to 10 digits) but must be
this JSON: `{"results": [ {…}, … ]}`; anything else (malformed or truncated JSON, another shape) is a
FetchError `bad_search_answer`, an HTML page `not_json`, a challenge page `blocked` (from the client).
Films and series are kept, persons, theaters and the rest dropped. The first result is never trusted (a
promoted film can come first): candidates are ranked against the query by `storage.titles.rank`, on the
title and the original title, a year typed in the query breaking ties.

Posters: `data.poster_path` (relative, allocine-site.md §1.3) on `POSTER_HOST` with the resize segment
`POSTER_SIZE` (310×420, the size of the site's own poster cards: plenty for a Discord thumbnail), else
`data.thumbnail` (a full URL).

Cache (table search_cache, keyed by the folded query sent): an answer with results is kept
`search_cache_days`, an answer without `search_cache_empty_days` (settings); an error is never kept. The
candidates are stored in the site's order and ranked when read, so `Backstage`, `backstage 2005` and
`Backstage (2017)` share one request and each gets its own order. Database work runs in threads: the bot
searches from the Discord event loop. Two identical searches at once in one process share one request.

A failing search is logged once per incident: WARNING at the first failure, DEBUG for the next ones (an
autocomplete asks on every keystroke), until a search succeeds again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import unicodedata
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from urllib.parse import quote

from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import SQLAlchemyError

from config.settings import Settings, get_settings
from storage.db.tables import SEARCH_CACHE
from storage.db.times import as_utc
from storage.db.upsert import upsert
from storage.folding import fold
from storage.sources.allocine import AllocineClient, FetchError, film_page_path
from storage.titles import MAX_QUERY_CHARS, TitleEntry, rank

__all__ = [
    "POSTER_HOST",
    "POSTER_SIZE",
    "Kind",
    "OnRequest",
    "SearchCandidate",
    "SearchResult",
    "cached_candidates",
    "forget_expired",
    "parse_answer",
    "rank_candidates",
    "search",
    "search_query",
    "search_url",
]

log = logging.getLogger(__name__)

Kind = Literal["film", "series"]
# Awaited once just before AlloCiné is asked (never on a cache hit, an empty query or a search joining
# one already under way): budgets count the request there, and may refuse it by raising.
OnRequest = Callable[[], Awaitable[None]]

POSTER_HOST = "https://fr.web.img6.acsta.net"
POSTER_SIZE = "/c_310_420"
AUTOCOMPLETE_PATH = "/_/autocomplete/"
MAX_RESULTS = 50  # results read from one answer (the site sends about ten)
_MAX_TEXT = 300  # characters kept of a label or a name
_MAX_NAMES = 10  # directors kept per candidate

_KINDS: dict[str, Kind] = {"movie": "film", "series": "series", "tvseries": "series"}
_ID = re.compile(r"\d{1,10}")
_YEAR_VALUE = re.compile(r"\s*(\d{4})(?!\d)")
_YEARS = range(1870, 2101)
# A year at the end, as storage.titles reads one: `(2005)`, or a last word of its own after another.
_YEAR_TEXT = r"(?:18[89]\d|19\d\d|20\d\d|2100)"
_TRAILING_YEAR = re.compile(rf"(?:\(\s*{_YEAR_TEXT}\s*\)|(?<![\w]){_YEAR_TEXT})\W*$")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class SearchCandidate:
    """A film or series AlloCiné's search offers. `score`: how well it matches the query (0–100,
    storage.titles), 0 until ranked."""

    kind: Kind
    allocine_id: int
    title: str
    original_title: str | None
    year: int | None
    directors: tuple[str, ...]
    poster_url: str | None
    url: str  # its main page on the site
    score: float = 0.0


@dataclass(frozen=True)
class SearchResult:
    """A search's candidates, best first. `query`: what was (or would have been) sent, "" when the
    query had nothing to search; `from_cache`: read from the search cache; `requested`: this call asked
    AlloCiné (what budgets count; False on a cache hit, an empty query, or a search it joined)."""

    query: str
    candidates: tuple[SearchCandidate, ...]
    from_cache: bool
    requested: bool


# --- the query -------------------------------------------------------------------------------------


def search_query(query: str) -> str:
    """The text sent for `query` (see the module docstring); "" when nothing is left to search."""
    text = _cleaned(query)
    year = _TRAILING_YEAR.search(text)
    if year is not None and fold(text[: year.start()]):  # `1917` alone is a title
        text = text[: year.start()].strip()
    return text if fold(text) else ""


def _cleaned(query: str) -> str:
    """`query` with `/` and control characters as spaces, spaces collapsed, trimmed and cut."""
    if not isinstance(query, str):
        return ""
    head = query[: MAX_QUERY_CHARS * 20]  # a pasted novel is not scanned whole
    text = "".join(" " if c == "/" or unicodedata.category(c)[0] in "CZ" else c for c in head)
    return _SPACES.sub(" ", text).strip()[:MAX_QUERY_CHARS].strip()


def search_url(base_url: str, query: str) -> str | None:
    """The autocomplete address for `query`; None when it has nothing to search (never sent)."""
    sent = search_query(query)
    return f"{base_url.rstrip('/')}{AUTOCOMPLETE_PATH}{quote(sent, safe='')}" if sent else None


# --- the answer ------------------------------------------------------------------------------------


def parse_answer(body: bytes, *, base_url: str, url: str = "") -> list[SearchCandidate]:
    """The films and series of an autocomplete answer, in the site's order (unranked), or FetchError
    `bad_search_answer` (`problem`: "json" when it is no JSON, "shape" when it is not a results list of
    objects). `url`: the address asked, for the error."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise FetchError(url, "bad_search_answer", status=200, problem="json") from None
    results = data.get("results") if isinstance(data, dict) else None
    if not isinstance(results, list) or not all(isinstance(item, dict) for item in results):
        raise FetchError(url, "bad_search_answer", status=200, problem="shape")
    found: list[SearchCandidate] = []
    seen: set[tuple[str, int]] = set()
    for item in results[:MAX_RESULTS]:
        candidate = _candidate(item, base_url.rstrip("/"))
        if candidate is not None and (candidate.kind, candidate.allocine_id) not in seen:
            seen.add((candidate.kind, candidate.allocine_id))
            found.append(candidate)
    return found


def _candidate(item: Mapping[str, Any], base_url: str) -> SearchCandidate | None:
    kind = _KINDS.get(str(item.get("entity_type", "")).strip().lower())
    if kind is None:  # persons, theaters, videos, news…
        return None
    data = item.get("data")
    data = data if isinstance(data, Mapping) else {}
    allocine_id = _id(item.get("entity_id"))
    if allocine_id is None and "entity_id" not in item:
        allocine_id = _id(data.get("id"))  # very likely the same (allocine-site.md §1.3)
    title, original = _text(item.get("label")), _text(item.get("original_label"))
    if allocine_id is None or not (title or original):
        return None
    if not title:
        title, original = original, None
    assert title is not None
    year = _year(data.get("year"))
    if year is None:  # where sources disagree it sits (allocine-site.md §8)
        year = _year(item.get("last_release")) or _year(data.get("last_release"))
    return SearchCandidate(
        kind=kind,
        allocine_id=allocine_id,
        title=title,
        original_title=original,
        year=year,
        directors=_names(data.get("director_name" if kind == "film" else "creator_name")),
        poster_url=_poster(data.get("poster_path")) or _thumbnail(data.get("thumbnail")),
        url=base_url + film_page_path(allocine_id, kind),
    )


def _id(value: object) -> int | None:
    """`"275220"` or `1000045609` (up to 10 digits, a string as the site sends, or a number) → the id."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 < value < 10**10 else None
    if isinstance(value, str) and _ID.fullmatch(value.strip()) and int(value) > 0:
        return int(value)
    return None


def _text(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return " ".join(value[: _MAX_TEXT * 4].split())[:_MAX_TEXT] or None


def _year(value: object) -> int | None:
    """2020, "2020" or "2020-12-23…" → 2020; anything else, or out of the cinema's years → None."""
    if isinstance(value, int) and not isinstance(value, bool):
        year: int | None = value
    elif isinstance(value, str) and (match := _YEAR_VALUE.match(value)):
        year = int(match.group(1))
    else:
        year = None
    return year if year in _YEARS else None


def _names(value: object) -> tuple[str, ...]:
    values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    names = (_text(name) for name in values[: _MAX_NAMES * 2])
    return tuple(dict.fromkeys(name for name in names if name))[:_MAX_NAMES]


def _poster(path: object) -> str | None:
    """A relative poster path on the image host (with the resize segment); a full https URL as it is."""
    if not isinstance(path, str) or not path or len(path) > 500 or any(c.isspace() for c in path):
        return None
    if path.startswith("https://"):
        return path
    if not path.startswith("/") or path.startswith("//") or ".." in path or "\\" in path:
        return None
    return f"{POSTER_HOST}{POSTER_SIZE}{path}"


def _thumbnail(url: object) -> str | None:
    if not isinstance(url, str) or len(url) > 500 or any(c.isspace() for c in url):
        return None
    return url if url.startswith(("https://", "http://")) else None


def rank_candidates(query: str, candidates: Sequence[SearchCandidate]) -> list[SearchCandidate]:
    """`candidates` best first for `query`, each with its score (storage.titles.rank: the title and the
    original title, the year typed in the query breaking ties; equal ones keep the site's order)."""
    entries = [TitleEntry(i, c.title, c.year, c.original_title) for i, c in enumerate(candidates)]
    return [replace(candidates[c.film_id], score=c.score) for c in rank(_cleaned(query), entries)]


# --- the cache -------------------------------------------------------------------------------------


def cached_candidates(
    engine: Engine, query: str, *, now: datetime | None = None
) -> list[SearchCandidate] | None:
    """The candidates cached for `query`, ranked; None when it is not cached or has expired. Never asks
    AlloCiné (for autocomplete); [] for a query with nothing to search. Blocking: call it off the event
    loop (asyncio.to_thread)."""
    key = fold(search_query(query))
    if not key:
        return []
    found = _read_cache(engine, key, _utc(now))
    return None if found is None else rank_candidates(query, found)


def forget_expired(engine: Engine, *, now: datetime | None = None) -> int:
    """Delete the expired entries (a search asked once is never refreshed); how many went."""
    with engine.begin() as conn:
        result = conn.execute(delete(SEARCH_CACHE).where(SEARCH_CACHE.c.expires_at <= _utc(now)))
    return int(result.rowcount or 0)


def _read_cache(engine: Engine, key: str, now: datetime) -> list[SearchCandidate] | None:
    query = select(SEARCH_CACHE.c.results, SEARCH_CACHE.c.expires_at).where(
        SEARCH_CACHE.c.query_folded == key
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None or _utc(row.expires_at) <= now:
        return None
    return _from_json(row.results)


def _write_cache(engine: Engine, key: str, found: list[SearchCandidate], now: datetime, days: float) -> None:
    stored = [{k: v for k, v in asdict(c).items() if k != "score"} for c in found]
    row = {
        "query_folded": key,
        "results": json.dumps(stored, ensure_ascii=False),
        "fetched_at": now,
        "expires_at": now + timedelta(days=days),
    }
    with engine.begin() as conn:
        upsert(
            conn, SEARCH_CACHE, [row], keys=["query_folded"], updates=["results", "fetched_at", "expires_at"]
        )


def _from_json(text: str) -> list[SearchCandidate] | None:
    """Stored candidates; None (a miss: asked again) when they cannot be read back (another version)."""
    try:
        stored = json.loads(text)
        found = []
        for item in stored:
            candidate = SearchCandidate(**{**item, "directors": tuple(item["directors"])})
            if candidate.kind not in _KINDS.values() or not isinstance(candidate.allocine_id, int):
                return None
            found.append(candidate)
        return found
    except (ValueError, TypeError, KeyError):
        return None


def _utc(moment: datetime | None) -> datetime:
    return datetime.now(UTC) if moment is None else as_utc(moment)


# --- searching -------------------------------------------------------------------------------------


async def search(
    engine: Engine,
    client: AllocineClient,
    query: str,
    *,
    now: datetime | None = None,
    settings: Settings | None = None,
    on_request: OnRequest | None = None,
    deadline: float | None = None,
) -> SearchResult:
    """AlloCiné's candidates for `query`, best first: from the cache while it is fresh, else asked (and
    cached). FetchError when the site cannot answer or answers something else (see the module
    docstring), or what `on_request` raises; nothing is cached then. `deadline`: on the client's clock,
    as `AllocineClient.fetch` takes it."""
    moment = _utc(now)
    sent = search_query(query)
    key = fold(sent)
    if not key:
        return SearchResult("", (), from_cache=False, requested=False)
    flight = (engine.url.render_as_string(), client.base_url, key)
    landings = _landings.get(flight, 0)
    cached = await asyncio.to_thread(_read_cache, engine, key, moment)
    if cached is None and _landings.get(flight, 0) != landings:
        # A search for it landed while we read (a slow thread under load): it is cached now.
        cached = await asyncio.to_thread(_read_cache, engine, key, moment)
    if cached is not None:
        return SearchResult(sent, tuple(rank_candidates(query, cached)), from_cache=True, requested=False)
    task = _flights.get(flight)
    if task is None and on_request is not None:
        await on_request()
        task = _flights.get(flight)  # another search may have begun meanwhile: join it
    requested = task is None
    if task is None:
        days = _days(settings or get_settings())
        task = asyncio.ensure_future(_ask(engine, client, sent, key, moment, days, deadline))
        _flights[flight] = task
        task.add_done_callback(lambda done: _landed(flight, done))
    found = await asyncio.shield(task)  # a caller that gives up does not cancel the others' search
    return SearchResult(sent, tuple(rank_candidates(query, found)), from_cache=False, requested=requested)


_flights: dict[tuple[str, str, str], asyncio.Future[list[SearchCandidate]]] = {}
# How many searches have landed per flight: a caller whose cache read overlapped one reads again.
_landings: dict[tuple[str, str, str], int] = {}


def _landed(flight: tuple[str, str, str], task: asyncio.Future[list[SearchCandidate]]) -> None:
    if _flights.get(flight) is task:
        del _flights[flight]
    _landings[flight] = _landings.get(flight, 0) + 1
    if not task.cancelled():
        task.exception()  # retrieved: every caller may have given up (it is logged in _ask)


def _days(settings: Settings) -> tuple[float, float]:
    return settings.search_cache_days, settings.search_cache_empty_days


async def _ask(
    engine: Engine,
    client: AllocineClient,
    sent: str,
    key: str,
    now: datetime,
    days: tuple[float, float],
    deadline: float | None,
) -> list[SearchCandidate]:
    url = f"{client.base_url}{AUTOCOMPLETE_PATH}{quote(sent, safe='')}"
    try:
        fetched = await client.fetch(url, deadline=deadline, accept="json")
        found = parse_answer(fetched.body or b"", base_url=client.base_url, url=url)
    except FetchError as error:
        _incident.failed(error)
        raise
    _incident.recovered()
    try:
        await asyncio.to_thread(_write_cache, engine, key, found, now, days[0] if found else days[1])
    except SQLAlchemyError as error:  # the answer is still good: only the next search pays again
        log.warning("recherche « %s » : réponse non gardée en cache (%s)", sent, type(error).__name__)
    return found


class _Incident:
    """Failing searches, logged once per incident rather than once per keystroke."""

    def __init__(self) -> None:
        self.open = False

    def failed(self, error: FetchError) -> None:
        level = logging.DEBUG if self.open else logging.WARNING
        self.open = True
        log.log(level, "recherche AlloCiné impossible (%s) : %s", error.code, error.problem_params)

    def recovered(self) -> None:
        if self.open:
            self.open = False
            log.info("recherche AlloCiné de nouveau possible")


_incident = _Incident()
