"""A polite async HTTP client for AlloCiné's review pages.

Politeness is the point: one request at a time per host, at least `delay` seconds between the end of a
request and the start of the next one to that host, a User-Agent saying who we are, a total timeout per
request, a few retries with exponential backoff on timeouts, network errors and 5xx, and `Retry-After`
honoured on 429. Conditional requests (If-None-Match / If-Modified-Since) make an unchanged page a 304.

Every wait goes through the injected `sleep`, so tests record the waits instead of waiting.

What comes back is not trusted: only HTML (`text/html` or `application/xhtml+xml`, any parameters) is
read, or only JSON (`application/json`, `text/json`) when the caller asks for JSON (`accept="json"`: the
autocomplete); in both cases a body is read in chunks and decompressed here (gzip, deflate), and the
reading stops as soon as the decompressed page passes `max_page_bytes`, so a gzip bomb or an endless body
costs at most that much memory. A `Content-Length` already above the limit is refused before reading.

A challenge page (Cloudflare's "Just a moment...", "Attention Required", "Access denied", `cf-chl-`,
`challenge-platform`: allocine-site.md §7), whatever its status, 200 included, is a FetchError
`blocked`, and the client then leaves that host alone for `block_pause` seconds, doubled at each
block that follows (up to a day) and forgotten at the first good answer: every fetch meanwhile is a
FetchError `blocked_earlier` without a request. The refresher makes a client per run, so a blocked
refresh stops asking after one challenge, and the next refresh tries once more.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import zlib
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any, Literal, Self

import aiohttp
from yarl import URL

from config.settings import Settings

__all__ = [
    "HTML_TYPES",
    "JSON_TYPES",
    "Accept",
    "AllocineClient",
    "FetchError",
    "Fetched",
    "FilmIds",
    "challenge_marker",
    "film_ids",
]

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
Gate = Callable[[str], Awaitable[None]]  # awaited before each request: raises to send none

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
JSON_TYPES = frozenset({"application/json", "text/json"})
Accept = Literal["html", "json"]  # what a fetch reads: pages, or the autocomplete's JSON
_TYPES: dict[Accept, frozenset[str]] = {"html": HTML_TYPES, "json": JSON_TYPES}
_ACCEPT_HEADERS: dict[Accept, str] = {
    "html": "text/html,application/xhtml+xml;q=0.9",
    "json": "application/json",
}
_CHUNK = 64 * 1024
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_MAX_REDIRECTS = 5
_MAX_BLOCK_PAUSE = 24 * 3600.0
_ERROR_BODY_BYTES = 256 * 1024  # read of an error page, to tell a challenge from a plain error


@dataclass(frozen=True)
class Fetched:
    """A page as the site answered: 200 with its body, or 304 (not modified) without one.

    `url` is the URL asked for (not where redirects led), so that validators are keyed by it;
    `final_url` is where redirects led, on the same site (None: not redirected).
    """

    url: str
    status: int  # 200, or 304 (not modified: body is None)
    body: bytes | None
    etag: str | None
    last_modified: str | None
    final_url: str | None = None


SITE = "https://www.allocine.fr"
_MAIN_PAGES = {
    "film": "/film/fichefilm_gen_cfilm={id}.html",
    "series": "/series/ficheserie_gen_cserie={id}.html",
}


def film_page_path(allocine_id: int, kind: Literal["film", "series"] = "film") -> str:
    """The path of a film's (or a series') main page on the site."""
    return _MAIN_PAGES[kind].format(id=allocine_id)


class FetchError(Exception):
    """A page that could not be fetched, as data: `reason` is a code (worded by bot/texts.py PROBLEMS),
    `params` its details, `status` the last HTTP status (None for timeouts and network errors).

    Reasons: bad_address, page_missing (404, 410), http_refused (other 4xx), wait_too_long (429 asking
    more than max_wait), site_down (5xx), too_many_requests (429), no_answer (timeouts), network.
    The last four come once the retries are spent, with `attempts`. What the site sent may be refused:
    too_large (`limit` bytes, `size` when declared), not_html (`content_type`, None when absent), not_json
    (the same, when JSON was asked: an HTML page that is no challenge, say),
    bad_encoding (`encoding`: unknown, or a body that does not decompress), redirect_elsewhere
    (`location`: a redirect off the site asked), too_many_redirects (`limit`). A challenge page is
    blocked (`marker`, `pause`: seconds the site is left alone), and every fetch during that pause
    blocked_earlier (`seconds` left). deadline: the caller's deadline came (or a wait would pass it).
    """

    def __init__(self, url: str, reason: str, *, status: int | None = None, **params: Any) -> None:
        self.url = url
        self.reason = reason
        self.status = status
        self.params: dict[str, Any] = params
        super().__init__(url, reason, status, params)

    @property
    def problem_params(self) -> dict[str, Any]:
        """Everything a report keeps of it (JSON-ready)."""
        return {"url": self.url, "status": self.status, **self.params}

    @property
    def code(self) -> str:
        """The reason, under the name every data-carrying error uses (see storage.problems)."""
        return self.reason


class _Retry(Exception):
    """An attempt that may be tried again, after `wait` seconds at least (None: the backoff); `reason`
    and `params` become the FetchError's once the retries are spent."""

    def __init__(
        self, reason: str, *, status: int | None = None, wait: float | None = None, **params: Any
    ) -> None:
        self.reason = reason
        self.status = status
        self.wait = wait
        self.params = params
        super().__init__(reason, status)


class AllocineClient:
    def __init__(
        self,
        base_url: str,
        *,
        user_agent: str,
        delay: float,
        timeout: float,
        retries: int,
        backoff: float = 1.0,
        max_wait: float = 300.0,
        max_page_bytes: int = 5_000_000,
        block_pause: float = 1800.0,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.user_agent = user_agent
        self.delay = max(0.0, delay)
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = max(0.0, backoff)
        self.max_wait = max_wait
        self.max_page_bytes = max_page_bytes
        self.block_pause = max(0.0, block_pause)
        self._sleep = sleep
        self._clock = clock
        self._blocks: dict[str, tuple[float, int]] = {}  # host → (blocked until, blocks in a row)
        self._session: aiohttp.ClientSession | None = None
        self._locks: dict[str, asyncio.Lock] = {}
        self._last_end: dict[str, float] = {}  # host → the clock when its last request ended

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> AllocineClient:
        options: dict[str, Any] = {
            "base_url": settings.allocine_base_url,
            "user_agent": settings.allocine_user_agent,
            "delay": settings.allocine_delay,
            "timeout": settings.allocine_timeout,
            "retries": settings.allocine_retries,
            "max_page_bytes": settings.allocine_max_page_bytes,
            "block_pause": settings.allocine_block_pause,
        }
        options.update(overrides)
        return cls(**options)

    async def __aenter__(self) -> Self:
        self._open()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                headers={
                    "User-Agent": self.user_agent,
                    "Accept": _ACCEPT_HEADERS["html"],
                    "Accept-Language": "fr-FR,fr;q=0.9",
                    "Accept-Encoding": "gzip, deflate",  # what _Decoder reads
                },
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                auto_decompress=False,  # decompressed here, under the size limit
            )
        return self._session

    # --- URLs ------------------------------------------------------------------------------------

    def film_url(self, allocine_id: int) -> str:
        """A film's main page (its details and figures)."""
        return f"{self.base_url}{film_page_path(allocine_id)}"

    def spectator_url(self, allocine_id: int, page: int = 1) -> str:
        """A film's spectator reviews, newest first; page 1 has no `?page=`."""
        url = f"{self.base_url}/film/fichefilm-{allocine_id}/critiques/spectateurs/recentes/"
        return url if page <= 1 else f"{url}?page={page}"

    def press_url(self, allocine_id: int) -> str:
        return f"{self.base_url}/film/fichefilm-{allocine_id}/critiques/presse/"

    # --- fetching --------------------------------------------------------------------------------

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        deadline: float | None = None,
        accept: Accept = "html",
        gate: Gate | None = None,
    ) -> Fetched:
        """GET `url`: Fetched (200 or 304), or FetchError once the retries are spent or at once on a 4xx.

        `accept`: "html" reads pages only, "json" JSON only (a challenge page in its place is still one).

        `gate` is awaited with the address before every request sent (each retry and redirect hop too):
        the refresher's request budget, which raises FetchError `budget_spent` to send nothing more.

        `deadline` (on the client's clock, `now()`): no wait that would end past it is begun (a 429's
        Retry-After, a backoff, the delay), no request lasts past it: FetchError `deadline` instead."""
        headers: dict[str, str] = {}
        if accept != "html":
            headers["Accept"] = _ACCEPT_HEADERS[accept]
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        host = _host(url)
        if not host.startswith(("http://", "https://")):
            raise FetchError(url, "bad_address")
        lock = self._locks.setdefault(host, asyncio.Lock())
        attempts = self.retries + 1
        async with lock:  # held through retries too: a struggling site gets nothing else from us meanwhile
            wait_at_least = 0.0
            for attempt in range(1, attempts + 1):
                self._refuse_while_blocked(host, url)
                await self._pace(host, wait_at_least, url, deadline)
                try:
                    return await self._attempt(url, headers, etag, last_modified, deadline, accept, gate)
                except _Retry as retry:
                    if deadline is not None and self._clock() >= deadline:
                        raise FetchError(url, "deadline", status=retry.status) from None
                    if attempt == attempts:
                        raise FetchError(
                            url, retry.reason, status=retry.status, attempts=attempts, **retry.params
                        ) from None
                    if retry.wait is not None:
                        wait_at_least = retry.wait
                    else:
                        wait_at_least = min(self.backoff * 2 ** (attempt - 1), self.max_wait)
                    log.warning(
                        "%s : %s %s, nouvel essai %d/%d dans %.1f s",
                        url,
                        retry.reason,
                        retry.status or retry.params,
                        attempt,
                        self.retries,
                        wait_at_least,
                    )
                finally:
                    self._last_end[host] = self._clock()
        raise AssertionError("unreachable")  # the loop returns or raises

    def now(self) -> float:
        """The client's clock (time.monotonic unless a test gives its own): deadlines are read on it."""
        return self._clock()

    def blocked(self, url: str) -> bool:
        """Whether the client is leaving `url`'s site alone after a challenge page."""
        until, _ = self._blocks.get(_host(url), (0.0, 0))
        return self._clock() < until

    def _refuse_while_blocked(self, host: str, url: str) -> None:
        until, _ = self._blocks.get(host, (0.0, 0))
        if (left := until - self._clock()) > 0:
            raise FetchError(url, "blocked_earlier", seconds=round(left))

    def _block(self, host: str, url: str, status: int, marker: str) -> FetchError:
        """Leave `host` alone for a while (longer at each block in a row); the error to raise."""
        _, strikes = self._blocks.get(host, (0.0, 0))
        pause = min(self.block_pause * 2**strikes, _MAX_BLOCK_PAUSE)
        self._blocks[host] = (self._clock() + pause, strikes + 1)
        log.warning(
            "%s : page de vérification (%s, %d) : pause de %.0f s pour ce site", url, marker, status, pause
        )
        return FetchError(url, "blocked", status=status, marker=marker, pause=round(pause))

    async def _pace(self, host: str, at_least: float, url: str, deadline: float | None) -> None:
        """Wait `at_least` seconds, and anyway what remains of `delay` since the host's last request;
        FetchError `deadline` rather than a wait that would end at or past `deadline`."""
        wait = at_least
        if (last := self._last_end.get(host)) is not None:
            wait = max(wait, self.delay - (self._clock() - last))
        if deadline is not None and self._clock() + max(wait, 0.0) >= deadline:
            raise FetchError(url, "deadline", wait=round(wait, 1))
        if wait > 0:
            log.info("%s : attente de %.2f s avant la requête", url, wait)
            await self._sleep(wait)

    async def _attempt(
        self,
        url: str,
        headers: dict[str, str],
        etag: str | None,
        last_modified: str | None,
        deadline: float | None,
        accept: Accept = "html",
        gate: Gate | None = None,
    ) -> Fetched:
        """One try at `url`. Redirects are followed here, only while they stay on `url`'s site (aiohttp
        would follow them anywhere), and each hop waits its turn like any request."""
        session = self._open()
        host = _host(url)
        target = URL(url)
        try:
            for hop in range(_MAX_REDIRECTS + 1):
                if hop:
                    self._last_end[host] = self._clock()
                    await self._pace(host, 0.0, str(target), deadline)
                timeout = self.timeout
                if deadline is not None:  # a slow answer must not outlast the deadline either
                    timeout = max(0.001, min(timeout, deadline - self._clock()))
                if gate is not None:
                    await gate(str(target))
                async with session.get(
                    target,
                    headers=headers,
                    allow_redirects=False,
                    timeout=aiohttp.ClientTimeout(total=timeout),
                ) as response:
                    if response.status in _REDIRECTS:
                        target = _next_hop(url, target, response)
                        continue
                    final = None if target == URL(url) else str(target)
                    return await self._answer(url, final, response, etag, last_modified, accept)
        except aiohttp.InvalidURL:
            raise FetchError(url, "bad_address") from None
        except TimeoutError:  # aiohttp's timeouts are TimeoutErrors too
            raise _Retry("no_answer", timeout=self.timeout) from None
        except aiohttp.ClientError as error:
            raise _Retry("network", error=type(error).__name__) from None
        raise FetchError(url, "too_many_redirects", limit=_MAX_REDIRECTS)

    async def _answer(
        self,
        url: str,
        final: str | None,
        response: aiohttp.ClientResponse,
        etag: str | None,
        last_modified: str | None,
        accept: Accept = "html",
    ) -> Fetched:
        status = response.status
        host = _host(url)
        if status == 304:
            self._blocks.pop(host, None)
            return Fetched(
                url=url,
                status=304,
                body=None,
                etag=response.headers.get("ETag") or etag,
                last_modified=response.headers.get("Last-Modified") or last_modified,
                final_url=final,
            )
        if 200 <= status < 300:
            body = await self._read_page(url, response, accept)
            if marker := challenge_marker(body, whole=False):
                raise self._block(host, url, status, marker)
            self._blocks.pop(host, None)
            return Fetched(
                url=url,
                status=status,
                body=body,
                etag=response.headers.get("ETag"),
                last_modified=response.headers.get("Last-Modified"),
                final_url=final,
            )
        if marker := challenge_marker(await _error_body(response), whole=True):
            raise self._block(host, url, status, marker)  # never retried: asking again is what not to do
        if status == 429:
            raise _Retry("too_many_requests", status=429, wait=self._retry_after(url, response))
        if status >= 500:
            raise _Retry("site_down", status=status)
        raise FetchError(url, "page_missing" if status in (404, 410) else "http_refused", status=status)

    async def _read_page(self, url: str, response: aiohttp.ClientResponse, accept: Accept = "html") -> bytes:
        """The decompressed body of an HTML page (or JSON, as asked), or FetchError: not of that type, or
        larger than the limit."""
        status = response.status
        declared_type = response.headers.get("Content-Type")
        media_type = (declared_type or "").split(";", 1)[0].strip().lower()
        if media_type not in _TYPES[accept]:
            if accept == "json":
                # What comes instead of JSON may be a challenge page served with 200: that is a block.
                if marker := challenge_marker(await _error_body(response), whole=False):
                    raise self._block(_host(url), url, status, marker)
                raise FetchError(url, "not_json", status=status, content_type=declared_type)
            raise FetchError(url, "not_html", status=status, content_type=declared_type)
        limit = self.max_page_bytes
        if response.content_length is not None and response.content_length > limit:
            raise FetchError(url, "too_large", status=status, limit=limit, size=response.content_length)
        decoder = _Decoder(url, response.headers.get("Content-Encoding"), status)
        parts: list[bytes] = []
        size = 0
        async for chunk in response.content.iter_chunked(_CHUNK):
            # One byte more than the room left: getting it means the page is too large.
            data = decoder.feed(chunk, limit - size + 1)
            size += len(data)
            if size > limit:
                raise FetchError(url, "too_large", status=status, limit=limit, size=None)
            parts.append(data)
        return b"".join(parts)

    def _retry_after(self, url: str, response: aiohttp.ClientResponse) -> float | None:
        """Seconds the site asks us to wait (None: not said, use the backoff); FetchError beyond max_wait."""
        wait = parse_retry_after(response.headers.get("Retry-After"))
        if wait is not None and wait > self.max_wait:
            raise FetchError(url, "wait_too_long", status=429, wait=wait, max_wait=self.max_wait)
        return wait


# The markers of allocine-site.md §7. The two technical ones count anywhere, except the passive
# bot-detection script Cloudflare adds to ordinary pages (…/challenge-platform/…/scripts/jsd/…); the
# words only in the <title> of a page that came with a 2xx, where a review quoting them cannot be, and
# not in the site's own titles ("… - AlloCiné"), which a film called "Access Denied" would make match.
_CHALLENGE_TOKENS = re.compile(rb"cf-chl-|challenge-platform(?!/(?:h/[\w-]+/)?scripts/jsd/)")
_CHALLENGE_WORDS = {
    b"just a moment": "Just a moment...",
    b"attention required": "Attention Required",
    b"access denied": "Access denied",
}
_TITLE = re.compile(rb"<title\b[^<>]*>([^<]{0,300})", re.IGNORECASE)
_SITE_TITLE = re.compile(rb"allocin(?:\xc3\xa9|\xe9|&eacute;|&#233;|e)\s*$", re.IGNORECASE)


def challenge_marker(body: bytes, *, whole: bool) -> str | None:
    """The challenge marker `body` carries, or None. `whole`: the words count anywhere (an error page),
    not only in its title (a page that came with 200)."""
    if token := _CHALLENGE_TOKENS.search(body):
        return token.group().decode()
    titles = (title.group(1) for title in _TITLE.finditer(body))
    texts = [body.lower()] if whole else [t.lower() for t in titles if not _SITE_TITLE.search(t)]
    for text in texts:
        for words, marker in _CHALLENGE_WORDS.items():
            if words in text:
                return marker
    return None


async def _error_body(response: aiohttp.ClientResponse) -> bytes:
    """The start of an error page, decompressed; b"" when it cannot be read (it is an error anyway)."""
    try:
        decoder = _Decoder(str(response.url), response.headers.get("Content-Encoding"), response.status)
        parts: list[bytes] = []
        size = 0
        async for chunk in response.content.iter_chunked(_CHUNK):
            parts.append(decoder.feed(chunk, _ERROR_BODY_BYTES - size))
            size += len(parts[-1])
            if size >= _ERROR_BODY_BYTES:
                break
        return b"".join(parts)
    except (FetchError, aiohttp.ClientError, TimeoutError):
        return b""


class _Decoder:
    """Content-Encoding undone chunk by chunk, never giving more than asked (a bomb stays in its shell)."""

    def __init__(self, url: str, encoding: str | None, status: int) -> None:
        self.url = url
        self.status = status
        self.encoding = (encoding or "identity").strip().lower()
        self._inflate: zlib._Decompress | None = None
        if self.encoding in ("gzip", "x-gzip"):
            self._inflate = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        elif self.encoding not in ("identity", "deflate"):
            raise FetchError(url, "bad_encoding", status=status, encoding=encoding)

    def feed(self, chunk: bytes, at_most: int) -> bytes:
        if self.encoding == "identity":
            return chunk[:at_most]
        if self._inflate is None:
            # "deflate" is meant to be zlib-wrapped, but some servers send raw deflate.
            raw = bool(chunk) and chunk[0] & 0x0F != 8
            self._inflate = zlib.decompressobj(wbits=-zlib.MAX_WBITS if raw else zlib.MAX_WBITS)
        try:
            # With max_length, what does not fit stays in unconsumed_tail: when the result is shorter than
            # at_most, the whole chunk was used; when it is as long, the page is too large anyway.
            return self._inflate.decompress(chunk, at_most)
        except zlib.error:
            raise FetchError(self.url, "bad_encoding", status=self.status, encoding=self.encoding) from None


@dataclass(frozen=True)
class FilmIds:
    """The AlloCiné film ids a page names: `declared` where a page says what it is (canonical link,
    og:url, the app link, JSON-LD urls), `linked` how often each id appears in its links."""

    declared: frozenset[int]
    linked: Counter[int]

    def about(self, allocine_id: int) -> bool | None:
        """Whether the page is film `allocine_id`'s (None: it names no film id at all).

        What it declares decides, and it must declare that one film (a list page declares many);
        otherwise its most linked film, since a film's pages link to their own tabs far more often than
        to the films they recommend (20 to 1 on the real 2020 film page).
        """
        if self.declared:
            return self.declared == {allocine_id}
        if self.linked:
            return self.linked[allocine_id] == max(self.linked.values())
        return None

    def main(self) -> int | None:
        """The id the page is most about, for reports."""
        if self.declared:
            return min(self.declared)
        return self.linked.most_common(1)[0][0] if self.linked else None


# Film addresses as the site writes them: /film/fichefilm-42/…, fichefilm_gen_cfilm=42.html, and the
# apps' allocine://open/movie?code=42. Every pattern here runs in linear time on any input.
_FILM_ID = re.compile(rb"fichefilm-(\d{1,12})|cfilm=(\d{1,12})")
_APP_LINK = re.compile(rb"allocine://open/movie\?code=(\d{1,12})")
_HEAD_TAG = re.compile(rb"<(?:link|meta)\b([^<>]*)>", re.IGNORECASE)
_ATTRIBUTE = re.compile(rb"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""")
_LD_JSON = re.compile(rb"<script\b[^<>]*application/ld\+json[^<>]*>", re.IGNORECASE)
_JSON_URL = re.compile(rb'"url"\s*:\s*"([^"]*)"')
_SCRIPT_END = re.compile(rb"</script", re.IGNORECASE)


def film_ids(body: bytes) -> FilmIds:
    """The film ids `body` names, where it declares what it is and in its links."""
    declared: set[int] = set()
    for tag in _HEAD_TAG.finditer(body):
        attributes = {
            m.group(1).lower(): (m.group(2) or m.group(3) or m.group(4) or b"")
            for m in _ATTRIBUTE.finditer(tag.group(1))
        }
        kind = (
            attributes.get(b"rel") or attributes.get(b"property") or attributes.get(b"name") or b""
        ).lower()
        address = attributes.get(b"href") or attributes.get(b"content") or b""
        if kind in (b"canonical", b"og:url"):
            declared.update(_ids(_FILM_ID, address))
        elif kind.startswith(b"twitter:app:url"):
            declared.update(_ids(_APP_LINK, address))
    position = 0
    while script := _LD_JSON.search(body, position):
        end = _SCRIPT_END.search(body, script.end())
        if end is None:
            break
        for url in _JSON_URL.finditer(body, script.end(), end.start()):
            declared.update(_ids(_FILM_ID, url.group(1)))
        position = end.end()
    return FilmIds(frozenset(declared), Counter(_ids(_FILM_ID, body)))


def _ids(pattern: re.Pattern[bytes], text: bytes) -> list[int]:
    return [int(next(g for g in m.groups() if g)) for m in pattern.finditer(text)]


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """`Retry-After`: delay-seconds (`7`) or an HTTP date; seconds from `now` (≥ 0), None when unreadable."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isdecimal():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # `-0000` dates: UTC by RFC 9110
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _next_hop(url: str, current: URL, response: aiohttp.ClientResponse) -> URL:
    """Where a redirect leads, or FetchError when that is off `url`'s site (or nowhere readable)."""
    location = response.headers.get("Location")
    try:
        target = current.join(URL(location)) if location else None
    except ValueError:
        target = None
    if target is None or not _same_site(URL(url), target):
        raise FetchError(url, "redirect_elsewhere", status=response.status, location=location)
    return target


def _same_site(asked: URL, target: URL) -> bool:
    """The same scheme, host and port; or the same host moving from http to https (its default port)."""
    if target.scheme not in ("http", "https") or (target.host or "").lower() != (asked.host or "").lower():
        return False
    if target.scheme == asked.scheme:
        return target.port == asked.port
    return asked.scheme == "http" and target.scheme == "https" and target.is_default_port()


def _host(url: str) -> str:
    # Scheme, host and port: what a "site" is for politeness.
    try:
        return str(URL(url).origin())
    except ValueError:
        return url
