"""The AlloCiné HTTP source against the fake site on 127.0.0.1: politeness, retries, validators.

Waits go through a recording `sleep`, so nothing here really waits (except the short client timeout).
"""

from __future__ import annotations

import asyncio
import gzip
import time
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import Engine, select
from yarl import URL as URL_

from bot.wording import problem_text
from config.settings import Settings
from storage.db.tables import FETCHED_PAGE
from storage.pages import ParsedPressPage, ParsedSpectatorPage, parse_page
from storage.problems import Problem
from storage.sources import AllocineClient, Fetched, FetchError
from storage.sources.allocine import challenge_marker, film_ids, parse_retry_after
from storage.sources.validators import remember, validators_for
from tests.doubles.fakeallocine import (
    Body,
    Delay,
    FakeAllocine,
    Redirect,
    Status,
    TooMany,
    challenge_html,
    gzip_bomb,
    press_html,
    spectator_html,
)

FILM = 110645
SPECTATORS = f"/film/fichefilm-{FILM}/critiques/spectateurs/recentes/"
PRESS = f"/film/fichefilm-{FILM}/critiques/presse/"
USER_AGENT = "critibot-test/1.0 (+https://example.org/critibot)"


def said(error: FetchError) -> str:
    """The sentence a refresh report shows for `error`."""
    return problem_text(Problem.of(error), "site")


class Sleeps:
    """A fake `asyncio.sleep`: records the waits, yields to the loop, returns at once."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(0)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def make_client(
    site: FakeAllocine, sleeps: Callable[[float], Awaitable[None]], **options: Any
) -> AllocineClient:
    settings: dict[str, Any] = {
        "user_agent": USER_AGENT,
        "delay": 0.0,
        "timeout": 5.0,
        "retries": 3,
        "backoff": 1.0,
        "sleep": sleeps,
    }
    return AllocineClient(site.base_url, **(settings | options))


@pytest.fixture
async def client(fake_allocine: FakeAllocine, sleeps: Sleeps) -> AsyncIterator[AllocineClient]:
    async with make_client(fake_allocine, sleeps) as client:
        yield client


# --- URLs and settings -------------------------------------------------------------------------


def test_urls_are_built_as_the_site_writes_them() -> None:
    client = AllocineClient("https://www.allocine.fr/", user_agent="x", delay=0, timeout=1, retries=0)
    base = "https://www.allocine.fr/film/fichefilm-110645/critiques"
    assert client.spectator_url(FILM) == f"{base}/spectateurs/recentes/"
    assert client.spectator_url(FILM, 1) == f"{base}/spectateurs/recentes/"
    assert client.spectator_url(FILM, 3) == f"{base}/spectateurs/recentes/?page=3"
    assert client.press_url(FILM) == f"{base}/presse/"


def test_from_settings_takes_the_allocine_settings_and_overrides() -> None:
    settings = Settings(
        allocine_base_url="http://127.0.0.1:9",
        allocine_user_agent="ua",
        allocine_delay=1.5,
        allocine_timeout=7.0,
        allocine_retries=2,
        allocine_max_page_bytes=1234,
    )
    client = AllocineClient.from_settings(settings, retries=0, backoff=0.5)
    assert (client.base_url, client.user_agent, client.delay, client.timeout) == (
        "http://127.0.0.1:9",
        "ua",
        1.5,
        7.0,
    )
    assert (client.retries, client.backoff, client.max_page_bytes) == (0, 0.5, 1234)


async def test_paged_urls_reach_the_right_pages(fake_allocine: FakeAllocine, client: AllocineClient) -> None:
    fake_allocine.set_page(SPECTATORS, "<html><body>page 1</body></html>")
    fake_allocine.set_page(f"{SPECTATORS}?page=3", "<html><body>page 3</body></html>")
    assert (await client.fetch(client.spectator_url(FILM))).body == b"<html><body>page 1</body></html>"
    assert (await client.fetch(client.spectator_url(FILM, 3))).body == b"<html><body>page 3</body></html>"
    assert [r.path for r in fake_allocine.requests] == [SPECTATORS, f"{SPECTATORS}?page=3"]


# --- 200, 304, redirects -----------------------------------------------------------------------


async def test_200_gives_the_body_and_its_validators(
    fake_allocine: FakeAllocine, client: AllocineClient
) -> None:
    modified = "Wed, 21 Oct 2015 07:28:00 GMT"
    fake_allocine.set_page(PRESS, "<html><body>Presse</body></html>", last_modified=modified)
    fetched = await client.fetch(client.press_url(FILM))
    assert fetched.status == 200
    assert fetched.body == b"<html><body>Presse</body></html>"
    assert fetched.url == client.press_url(FILM)
    assert fetched.etag and fetched.etag.startswith('"')
    assert fetched.last_modified == modified


async def test_an_unchanged_page_is_a_304_without_body(
    fake_allocine: FakeAllocine, client: AllocineClient
) -> None:
    fake_allocine.set_page(PRESS, "<html><body>v1</body></html>")
    first = await client.fetch(client.press_url(FILM))
    second = await client.fetch(client.press_url(FILM), etag=first.etag)
    assert second == Fetched(client.press_url(FILM), 304, None, first.etag, None)
    assert fake_allocine.requests[1].headers["If-None-Match"] == first.etag

    fake_allocine.set_page(PRESS, "<html><body>v2</body></html>")  # a new body, a new ETag
    third = await client.fetch(client.press_url(FILM), etag=first.etag)
    assert third.status == 200 and third.body == b"<html><body>v2</body></html>"
    assert third.etag != first.etag


async def test_if_modified_since_alone_gives_a_304(
    fake_allocine: FakeAllocine, client: AllocineClient
) -> None:
    modified = "Wed, 21 Oct 2015 07:28:00 GMT"
    fake_allocine.set_page(PRESS, "<html><body>Presse</body></html>", etag=None, last_modified=modified)
    first = await client.fetch(client.press_url(FILM))
    assert first.etag is None
    second = await client.fetch(client.press_url(FILM), last_modified=first.last_modified)
    assert (second.status, second.body, second.last_modified) == (304, None, modified)
    assert fake_allocine.requests[1].headers["If-Modified-Since"] == modified
    assert "If-None-Match" not in fake_allocine.requests[1].headers


async def test_redirects_are_followed(fake_allocine: FakeAllocine, client: AllocineClient) -> None:
    fake_allocine.set_page(
        "/film/fichefilm-1/critiques/presse/", "<html><body>nouvelle adresse</body></html>"
    )
    fake_allocine.script(PRESS, Redirect("/film/fichefilm-1/critiques/presse/", status=301))
    fetched = await client.fetch(client.press_url(FILM))
    assert fetched.body == b"<html><body>nouvelle adresse</body></html>"
    assert fetched.url == client.press_url(FILM)  # the URL asked for: validators are kept under it


async def test_a_redirect_is_paced_and_its_end_is_known(fake_allocine: FakeAllocine, sleeps: Sleeps) -> None:
    last = f"{SPECTATORS}?page=2"
    fake_allocine.set_page(last, "<html><body>derniere page</body></html>")
    fake_allocine.script(f"{SPECTATORS}?page=9", Redirect(last))  # past the last page: the site sends back
    async with make_client(fake_allocine, sleeps, delay=2.0) as client:
        fetched = await client.fetch(client.spectator_url(FILM, 9))
    assert fetched.body == b"<html><body>derniere page</body></html>"
    assert (fetched.url, fetched.final_url) == (client.spectator_url(FILM, 9), client.spectator_url(FILM, 2))
    [wait] = sleeps.waits  # the second hop is a request like any other
    assert 1.5 < wait <= 2.0


@pytest.fixture
async def other_host() -> AsyncIterator[FakeAllocine]:
    """Another site: another address on the loopback network (127.0.0.0/8 is all local)."""
    async with FakeAllocine(host="127.0.0.2") as site:
        site.set_page(PRESS, "<html><body>un autre site</body></html>")
        yield site


async def test_a_redirect_to_another_host_is_refused(
    fake_allocine: FakeAllocine, client: AllocineClient, other_host: FakeAllocine
) -> None:
    elsewhere = other_host.base_url + PRESS
    fake_allocine.script(PRESS, Redirect(elsewhere))
    with pytest.raises(FetchError) as caught:
        await client.fetch(client.press_url(FILM))
    assert (caught.value.reason, caught.value.status, caught.value.params) == (
        "redirect_elsewhere",
        302,
        {"location": elsewhere},
    )
    assert other_host.requests == []  # never asked
    assert said(caught.value).startswith(f"le site renvoie ailleurs ({elsewhere})")


@pytest.mark.parametrize(
    "location",
    [
        "http://localhost:{port}/film/",  # the same machine under another name is another site
        "http://127.0.0.1:{other_port}/film/",  # another port
        "https://127.0.0.1:{port}/film/",  # another scheme on a port that is not https's
        "file:///etc/passwd",
        "//127.0.0.2/film/",
        "",
    ],
)
async def test_redirects_off_the_site_are_refused(
    fake_allocine: FakeAllocine, client: AllocineClient, other_host: FakeAllocine, location: str
) -> None:
    port = URL_(fake_allocine.base_url).port
    other_port = URL_(other_host.base_url).port
    fake_allocine.script(PRESS, Redirect(location.format(port=port, other_port=other_port)))
    with pytest.raises(FetchError) as caught:
        await client.fetch(client.press_url(FILM))
    assert caught.value.reason == "redirect_elsewhere"
    assert len(fake_allocine.requests) == 1 and other_host.requests == []


async def test_a_redirect_chain_on_the_site_is_followed_up_to_five_hops(
    fake_allocine: FakeAllocine, client: AllocineClient
) -> None:
    hops = [f"/hop/{n}" for n in range(7)]
    for here, there in pairwise(hops[:6]):  # five redirects: followed
        fake_allocine.script(here, Redirect(fake_allocine.base_url + there, status=301))
    fake_allocine.set_page(hops[5], "<html><body>au bout</body></html>")
    fake_allocine.set_page(hops[6], "<html><body>trop loin</body></html>")
    fetched = await client.fetch(fake_allocine.base_url + hops[0])
    assert fetched.body == b"<html><body>au bout</body></html>"
    for here, there in pairwise(hops):  # six: one too many
        fake_allocine.script(here, Redirect(there, status=307))
    with pytest.raises(FetchError) as caught:
        await client.fetch(fake_allocine.base_url + hops[0])
    assert (caught.value.reason, caught.value.params) == ("too_many_redirects", {"limit": 5})


async def test_the_user_agent_reaches_the_site(fake_allocine: FakeAllocine, client: AllocineClient) -> None:
    fake_allocine.set_page(PRESS, "<html><body>Presse</body></html>")
    await client.fetch(client.press_url(FILM))
    assert fake_allocine.requests[0].headers["User-Agent"] == USER_AGENT


# --- errors and retries ------------------------------------------------------------------------


async def test_a_5xx_is_retried_after_the_backoff(
    fake_allocine: FakeAllocine, client: AllocineClient, sleeps: Sleeps
) -> None:
    fake_allocine.set_page(PRESS, "<html><body>Presse</body></html>")
    fake_allocine.script(PRESS, Status(500))
    fetched = await client.fetch(client.press_url(FILM))
    assert fetched.status == 200
    assert [r.status for r in fake_allocine.requests_for(PRESS)] == [500, 200]
    assert sleeps.waits == [1.0]


async def test_the_backoff_doubles_and_exhausted_retries_raise_in_french(
    fake_allocine: FakeAllocine, client: AllocineClient, sleeps: Sleeps
) -> None:
    fake_allocine.set_page(PRESS, "<html><body>Presse</body></html>")
    fake_allocine.script(PRESS, Status(503), Status(502), Status(500), Status(500))
    with pytest.raises(FetchError) as caught:
        await client.fetch(client.press_url(FILM))
    assert caught.value.url == client.press_url(FILM)
    assert (caught.value.reason, caught.value.status, caught.value.params) == (
        "site_down",
        500,
        {"attempts": 4},
    )
    assert said(caught.value) == "le site ne répond pas après 4 essais : erreur du site (500)"
    assert sleeps.waits == [1.0, 2.0, 4.0]
    assert len(fake_allocine.requests_for(PRESS)) == 4


async def test_a_timeout_is_retried(fake_allocine: FakeAllocine, sleeps: Sleeps) -> None:
    fake_allocine.set_page(PRESS, "<html><body>Presse</body></html>")
    fake_allocine.script(PRESS, Delay(1.0))
    async with make_client(fake_allocine, sleeps, timeout=0.2) as client:
        fetched = await client.fetch(client.press_url(FILM))
    assert fetched.body == b"<html><body>Presse</body></html>"
    assert len(fake_allocine.requests_for(PRESS)) == 2
    assert sleeps.waits == [1.0]


async def test_timeouts_to_the_end_raise_in_french(fake_allocine: FakeAllocine, sleeps: Sleeps) -> None:
    fake_allocine.set_page(PRESS, "<html><body>Presse</body></html>")
    fake_allocine.script(PRESS, Delay(1.0), Delay(1.0))
    async with make_client(fake_allocine, sleeps, timeout=0.2, retries=1, backoff=0.5) as client:
        with pytest.raises(FetchError) as caught:
            await client.fetch(client.press_url(FILM))
    assert (caught.value.reason, caught.value.params) == ("no_answer", {"attempts": 2, "timeout": 0.2})
    assert said(caught.value) == "le site ne répond pas après 2 essais : pas de réponse en 0.2 s"
    assert sleeps.waits == [0.5]


async def test_connection_errors_are_retried_then_reported(sleeps: Sleeps) -> None:
    closed = FakeAllocine()
    await closed.start()
    base_url = closed.base_url
    await closed.close()  # nothing listens on that port any more
    async with AllocineClient(
        base_url, user_agent=USER_AGENT, delay=0, timeout=2, retries=2, sleep=sleeps
    ) as client:
        with pytest.raises(FetchError) as caught:
            await client.fetch(client.press_url(FILM))
    assert (caught.value.reason, caught.value.params["attempts"]) == ("network", 3)
    assert said(caught.value).startswith("le site ne répond pas après 3 essais : erreur réseau (")
    assert sleeps.waits == [1.0, 2.0]


async def test_429_honours_retry_after_in_seconds(
    fake_allocine: FakeAllocine, client: AllocineClient, sleeps: Sleeps
) -> None:
    fake_allocine.set_page(PRESS, "<html><body>Presse</body></html>")
    fake_allocine.script(PRESS, TooMany(retry_after="7"))
    fetched = await client.fetch(client.press_url(FILM))
    assert fetched.status == 200
    assert sleeps.waits == [7.0]


async def test_429_honours_retry_after_as_an_http_date(
    fake_allocine: FakeAllocine, client: AllocineClient, sleeps: Sleeps
) -> None:
    fake_allocine.set_page(PRESS, "<html><body>Presse</body></html>")
    when = datetime.now(UTC) + timedelta(seconds=30)
    fake_allocine.script(PRESS, TooMany(retry_after=format_datetime(when, usegmt=True)))
    fetched = await client.fetch(client.press_url(FILM))
    assert fetched.status == 200
    [wait] = sleeps.waits
    assert 27 <= wait <= 30  # HTTP dates have whole seconds


async def test_429_without_retry_after_uses_the_backoff(
    fake_allocine: FakeAllocine, client: AllocineClient, sleeps: Sleeps
) -> None:
    fake_allocine.set_page(PRESS, "<html><body>Presse</body></html>")
    fake_allocine.script(PRESS, TooMany(retry_after=None))
    assert (await client.fetch(client.press_url(FILM))).status == 200
    assert sleeps.waits == [1.0]


async def test_429_asking_too_long_a_wait_gives_up(fake_allocine: FakeAllocine, sleeps: Sleeps) -> None:
    fake_allocine.set_page(PRESS, "<html><body>Presse</body></html>")
    fake_allocine.script(PRESS, TooMany(retry_after="3600"))
    async with make_client(fake_allocine, sleeps, max_wait=300) as client:
        with pytest.raises(FetchError) as caught:
            await client.fetch(client.press_url(FILM))
    assert (caught.value.reason, caught.value.status) == ("wait_too_long", 429)
    assert "d'attendre 3600 s, au-delà des 300 s acceptées" in said(caught.value)
    assert sleeps.waits == []
    assert len(fake_allocine.requests_for(PRESS)) == 1


def test_retry_after_values() -> None:
    now = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("7", now=now) == 7.0
    assert parse_retry_after(" 120 ", now=now) == 120.0
    assert parse_retry_after("Wed, 01 May 2024 12:00:45 GMT", now=now) == 45.0
    assert parse_retry_after("Wed, 01 May 2024 11:00:00 GMT", now=now) == 0.0  # already past
    assert parse_retry_after("bientôt", now=now) is None
    assert parse_retry_after("", now=now) is None
    assert parse_retry_after(None, now=now) is None


@pytest.mark.parametrize(
    ("status", "reason", "message"),
    [
        (404, "page_missing", "page introuvable sur le site (404)"),
        (403, "http_refused", "le site refuse la page (403)"),
        (418, "http_refused", "le site refuse la page (418)"),
    ],
)
async def test_4xx_fail_at_once_without_retry(
    fake_allocine: FakeAllocine,
    client: AllocineClient,
    sleeps: Sleeps,
    status: int,
    reason: str,
    message: str,
) -> None:
    if status != 404:
        fake_allocine.set_page(PRESS, "<html><body>Presse</body></html>")
        fake_allocine.script(PRESS, Status(status))
    with pytest.raises(FetchError) as caught:
        await client.fetch(client.press_url(FILM))
    assert (caught.value.reason, caught.value.status) == (reason, status)
    assert said(caught.value) == message
    assert len(fake_allocine.requests_for(PRESS)) == 1
    assert sleeps.waits == []


async def test_a_url_that_is_not_http_is_refused(client: AllocineClient) -> None:
    with pytest.raises(FetchError) as caught:
        await client.fetch("file:///etc/passwd")
    assert caught.value.reason == "bad_address"
    assert said(caught.value) == "adresse invalide (http ou https attendu) : file:///etc/passwd"


# --- what the site sends is not trusted: size, type, compression --------------------------------

PAGE = b"<html><body>" + "Critique très élogieuse. ".encode() * 400 + b"</body></html>"


async def test_a_gzip_bomb_is_refused_without_filling_the_memory(
    fake_allocine: FakeAllocine, sleeps: Sleeps
) -> None:
    bomb = gzip_bomb(1 << 30)  # 1 MB on the wire, 1 GiB once inflated
    fake_allocine.script(PRESS, Body(bomb, encoding="gzip"))
    async with make_client(fake_allocine, sleeps, max_page_bytes=5_000_000) as client:
        started = time.monotonic()
        tracemalloc.start()
        try:
            with pytest.raises(FetchError) as caught:
                await client.fetch(client.press_url(FILM))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert (caught.value.reason, caught.value.params) == ("too_large", {"limit": 5_000_000, "size": None})
    assert peak < 40_000_000  # the limit and a few chunks, not a gibibyte
    assert time.monotonic() - started < 10
    assert len(fake_allocine.requests_for(PRESS)) == 1  # refused, not retried
    assert (
        said(caught.value) == "page refusée : plus de 5000000 octets (une vraie page en fait environ 500 000)"
    )


async def test_a_content_length_above_the_limit_is_refused_before_reading(
    fake_allocine: FakeAllocine, sleeps: Sleeps
) -> None:
    fake_allocine.script(PRESS, Body(bytes(1 << 20), repeat=50))  # 50 MiB announced
    async with make_client(fake_allocine, sleeps, max_page_bytes=5_000_000) as client:
        with pytest.raises(FetchError) as caught:
            await client.fetch(client.press_url(FILM))
    assert (caught.value.reason, caught.value.params) == ("too_large", {"limit": 5_000_000, "size": 50 << 20})


async def test_an_endless_body_stops_at_the_limit(fake_allocine: FakeAllocine, sleeps: Sleeps) -> None:
    fake_allocine.script(PRESS, Body(b"<p>" * 100_000, repeat=200, chunked=True))  # 60 MB, no length
    async with make_client(fake_allocine, sleeps, max_page_bytes=1_000_000) as client:
        with pytest.raises(FetchError) as caught:
            await client.fetch(client.press_url(FILM))
    assert caught.value.reason == "too_large" and caught.value.params["size"] is None


@pytest.mark.parametrize("chunked", [False, True])
async def test_a_page_exactly_at_the_limit_is_read(
    fake_allocine: FakeAllocine, sleeps: Sleeps, chunked: bool
) -> None:
    fake_allocine.script(PRESS, Body(PAGE, chunked=chunked), Body(PAGE + b" ", chunked=chunked))
    async with make_client(fake_allocine, sleeps, max_page_bytes=len(PAGE)) as client:
        assert (await client.fetch(client.press_url(FILM))).body == PAGE
        with pytest.raises(FetchError) as caught:
            await client.fetch(client.press_url(FILM))
    assert caught.value.reason == "too_large"


@pytest.mark.parametrize(
    "encoded",
    [
        pytest.param(("gzip", gzip.compress(PAGE)), id="gzip"),
        pytest.param(("deflate", zlib.compress(PAGE)), id="deflate"),
        pytest.param(("deflate", zlib.compress(PAGE, wbits=-15)), id="raw-deflate"),
        pytest.param(("identity", PAGE), id="identity"),
    ],
)
async def test_compressed_pages_are_read_whole(
    fake_allocine: FakeAllocine, client: AllocineClient, encoded: tuple[str, bytes]
) -> None:
    encoding, body = encoded
    fake_allocine.script(PRESS, Body(body, encoding=encoding, chunked=True))
    assert (await client.fetch(client.press_url(FILM))).body == PAGE
    assert fake_allocine.requests[0].headers["Accept-Encoding"] == "gzip, deflate"


@pytest.mark.parametrize(
    ("encoding", "body"), [("br", b"\x1b\x00\x00"), ("gzip", b"\x1f\x8b pas du gzip du tout")]
)
async def test_a_compression_that_cannot_be_read_is_refused(
    fake_allocine: FakeAllocine, client: AllocineClient, encoding: str, body: bytes
) -> None:
    fake_allocine.script(PRESS, Body(body, encoding=encoding))
    with pytest.raises(FetchError) as caught:
        await client.fetch(client.press_url(FILM))
    assert (caught.value.reason, caught.value.params) == ("bad_encoding", {"encoding": encoding})


@pytest.mark.parametrize(
    "content_type",
    ["text/html", "TEXT/HTML; charset=ISO-8859-1", "text/html;charset=utf-8", "application/xhtml+xml"],
)
async def test_html_is_read_whatever_its_parameters(
    fake_allocine: FakeAllocine, client: AllocineClient, content_type: str
) -> None:
    fake_allocine.script(PRESS, Body(PAGE, content_type=content_type))
    assert (await client.fetch(client.press_url(FILM))).body == PAGE


@pytest.mark.parametrize(
    "content_type", ["application/json", "text/plain; charset=utf-8", "image/png", "text/htmlx", "", None]
)
async def test_what_is_not_html_is_refused(
    fake_allocine: FakeAllocine, client: AllocineClient, content_type: str | None
) -> None:
    fake_allocine.script(PRESS, Body(PAGE, content_type=content_type))
    with pytest.raises(FetchError) as caught:
        await client.fetch(client.press_url(FILM))
    assert caught.value.reason == "not_html"
    assert caught.value.params == {"content_type": content_type}
    assert len(fake_allocine.requests_for(PRESS)) == 1


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8", "text/json"])
async def test_json_is_read_when_asked(
    fake_allocine: FakeAllocine, client: AllocineClient, content_type: str
) -> None:
    fake_allocine.script(PRESS, Body(b'{"results": []}', content_type=content_type))
    fetched = await client.fetch(client.press_url(FILM), accept="json")
    assert (fetched.status, fetched.body) == (200, b'{"results": []}')
    assert fake_allocine.requests[0].headers["Accept"] == "application/json"


async def test_pages_are_still_asked_as_html(fake_allocine: FakeAllocine, client: AllocineClient) -> None:
    fake_allocine.set_page(PRESS, PAGE)
    await client.fetch(client.press_url(FILM))
    assert fake_allocine.requests[0].headers["Accept"].startswith("text/html")


@pytest.mark.parametrize(
    "content_type", ["text/html; charset=utf-8", "text/plain", "application/jsonx", None]
)
async def test_what_is_not_json_is_refused_when_json_is_asked(
    fake_allocine: FakeAllocine, client: AllocineClient, content_type: str | None
) -> None:
    fake_allocine.script(PRESS, Body(PAGE, content_type=content_type))
    with pytest.raises(FetchError) as caught:
        await client.fetch(client.press_url(FILM), accept="json")
    assert (caught.value.reason, caught.value.params) == ("not_json", {"content_type": content_type})
    assert not client.blocked(client.press_url(FILM))
    assert said(caught.value) == f"réponse refusée : du JSON était attendu (Content-Type : {content_type})"


async def test_json_larger_than_the_limit_is_refused(fake_allocine: FakeAllocine, sleeps: Sleeps) -> None:
    fake_allocine.script(PRESS, Body(b" " * 2000 + b"{}", content_type="application/json", chunked=True))
    async with make_client(fake_allocine, sleeps, max_page_bytes=1000) as client:
        with pytest.raises(FetchError) as caught:
            await client.fetch(client.press_url(FILM), accept="json")
    assert caught.value.reason == "too_large"


# --- challenge pages: the site blocks us ---------------------------------------------------------


class VirtualTime:
    """A clock that the client's waits move forward, without waiting."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.waits: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)

    def clock(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("kind", "status", "marker"),
    [
        ("moment", 200, "cf-chl-"),
        ("attention", 200, "Attention Required"),
        ("denied", 200, "Access denied"),
        ("moment", 403, "cf-chl-"),
        ("denied", 403, "Access denied"),
        ("attention", 503, "Attention Required"),
        ("moment", 429, "cf-chl-"),
    ],
)
async def test_a_challenge_page_is_reported_and_not_retried(
    fake_allocine: FakeAllocine, kind: str, status: int, marker: str
) -> None:
    fake_allocine.set_page(PRESS, "<html><body>Presse</body></html>")
    fake_allocine.script(PRESS, Body(challenge_html(kind).encode(), status=status))
    time = VirtualTime()
    async with make_client(fake_allocine, time.sleep, clock=time.clock, block_pause=600) as client:
        with pytest.raises(FetchError) as caught:
            await client.fetch(client.press_url(FILM))
    assert (caught.value.reason, caught.value.status) == ("blocked", status)
    assert caught.value.params == {"marker": marker, "pause": 600}
    assert len(fake_allocine.requests) == 1 and time.waits == []  # a challenge is never asked again at once
    assert said(caught.value).startswith("AlloCiné bloque les requêtes (page de vérification")


@pytest.mark.parametrize("kind", ["moment", "attention", "denied"])
async def test_a_challenge_page_in_place_of_json_is_a_block(fake_allocine: FakeAllocine, kind: str) -> None:
    fake_allocine.script(PRESS, Body(challenge_html(kind).encode(), status=200))
    time = VirtualTime()
    async with make_client(fake_allocine, time.sleep, clock=time.clock, block_pause=600) as client:
        with pytest.raises(FetchError) as caught:
            await client.fetch(client.press_url(FILM), accept="json")
        assert (caught.value.reason, caught.value.status) == ("blocked", 200)
        assert client.blocked(client.press_url(FILM))
    assert len(fake_allocine.requests) == 1


async def test_after_a_challenge_the_site_is_left_alone_longer_each_time(fake_allocine: FakeAllocine) -> None:
    fake_allocine.set_page(PRESS, "<html><body>Presse</body></html>")
    fake_allocine.set_page(SPECTATORS, "<html><body>Spectateurs</body></html>")
    challenge = Body(challenge_html().encode(), status=403)
    fake_allocine.script(PRESS, challenge, challenge)
    time = VirtualTime()
    async with make_client(fake_allocine, time.sleep, clock=time.clock, block_pause=600) as client:
        with pytest.raises(FetchError):
            await client.fetch(client.press_url(FILM))
        assert client.blocked(client.spectator_url(FILM))
        time.now += 599
        with pytest.raises(FetchError) as caught:  # another page of the same site: not asked
            await client.fetch(client.spectator_url(FILM))
        assert (caught.value.reason, caught.value.params) == ("blocked_earlier", {"seconds": 1})
        assert len(fake_allocine.requests) == 1

        time.now += 1  # the pause is over: one more try, blocked again, a pause twice as long
        with pytest.raises(FetchError) as caught:
            await client.fetch(client.press_url(FILM))
        assert caught.value.params["pause"] == 1200
        time.now += 1199
        assert client.blocked(client.press_url(FILM))
        time.now += 1
        assert (await client.fetch(client.press_url(FILM))).status == 200  # a good answer forgets the blocks
        assert not client.blocked(client.press_url(FILM))
        fake_allocine.script(PRESS, challenge)
        with pytest.raises(FetchError) as caught:
            await client.fetch(client.press_url(FILM))
        assert caught.value.params["pause"] == 600
    assert len(fake_allocine.requests) == 4


async def test_ordinary_pages_are_not_mistaken_for_challenges(
    fake_allocine: FakeAllocine, client: AllocineClient
) -> None:
    # Cloudflare's passive script on an ordinary page, and the markers' words in a review's text.
    page = spectator_html(
        "Access Denied",  # a film may be called so: the page's title then starts with it
        average=3.0,
        ratings_count=3,
        reviews_count=1,
        histogram={3: 1},
        reviews=[{"author": "Lise", "text": "Just a moment... Attention Required! Access denied."}],
    ).replace("</body>", '<script src="/cdn-cgi/challenge-platform/scripts/jsd/main.js"></script></body>')
    fake_allocine.set_page(PRESS, page)
    assert (await client.fetch(client.press_url(FILM))).status == 200


async def test_a_plain_403_is_a_refused_page_not_a_block(
    fake_allocine: FakeAllocine, client: AllocineClient
) -> None:
    fake_allocine.script(PRESS, Status(403))
    with pytest.raises(FetchError) as caught:
        await client.fetch(client.press_url(FILM))
    assert caught.value.reason == "http_refused"
    assert not client.blocked(client.press_url(FILM))


# --- which film a page is -----------------------------------------------------------------------

REAL_PAGES = Path(__file__).resolve().parents[3] / "shared" / "realpages" / "html"


@pytest.mark.skipif(not REAL_PAGES.exists(), reason="the real pages are not beside the project")
def test_the_real_pages_name_their_film() -> None:
    for year in (2020, 2024):
        ids = film_ids((REAL_PAGES / f"fichefilm_275220_{year}.html").read_bytes())
        assert ids.declared == {275220}  # twitter:app:url: allocine://open/movie?code=275220
        assert (ids.about(275220), ids.about(275839), ids.main()) == (True, False, 275220)
    listing = film_ids((REAL_PAGES / "films_populaires_2024.html").read_bytes())
    assert len(listing.declared) > 1 and listing.about(275220) is False  # a list is no one film's page


def test_film_ids_where_pages_declare_them() -> None:
    page = b"""<html><head><link href='https://www.allocine.fr/film/fichefilm-42/critiques/spectateurs/'
    rel=canonical><meta content="https://www.allocine.fr/film/fichefilm_gen_cfilm=42.html" property="og:url">
    </head><body><a href="/film/fichefilm-7/">autre</a><a href="/film/fichefilm-7/">autre</a></body></html>"""
    ids = film_ids(page)
    assert ids.declared == {42} and ids.linked == {42: 2, 7: 2}
    assert (ids.about(42), ids.about(7)) == (True, False)
    linked_only = film_ids(
        b"<a href='/film/fichefilm-7/'></a><a href='/film/fichefilm_gen_cfilm=7.html'></a>"
    )
    assert (linked_only.about(7), linked_only.about(42)) == (True, False)
    assert film_ids(b"<html><title>Maintenance</title></html>").about(42) is None


@pytest.mark.parametrize(
    "hostile",
    [
        b"<link" * 1_000_000,
        b'<script type="application/ld+json">{"url":"' * 150_000,
        b"fichefilm-1" * 450_000,
        b"<meta " + b"a=b " * 1_200_000,
        b"<title>" * 700_000,
    ],
    ids=["unclosed-links", "unclosed-json-ld", "many-ids", "many-attributes", "unclosed-titles"],
)
def test_reading_ids_and_markers_takes_linear_time(hostile: bytes) -> None:
    started = time.monotonic()
    film_ids(hostile)
    challenge_marker(hostile, whole=False)
    challenge_marker(hostile, whole=True)
    assert time.monotonic() - started < 2.0  # about 5 MB each


# --- politeness --------------------------------------------------------------------------------


async def test_the_delay_separates_requests_to_a_host(fake_allocine: FakeAllocine, sleeps: Sleeps) -> None:
    fake_allocine.set_page(PRESS, "<html><body>Presse</body></html>")
    fake_allocine.set_page(SPECTATORS, "<html><body>Spectateurs</body></html>")
    async with make_client(fake_allocine, sleeps, delay=2.0) as client:
        await client.fetch(client.press_url(FILM))
        assert sleeps.waits == []  # the first request waits for nothing
        await client.fetch(client.spectator_url(FILM))
        await client.fetch(client.press_url(FILM))
    assert len(sleeps.waits) == 2
    # Only the remainder of the delay is waited: the fake sleep returns at once, so nearly all of it.
    assert all(1.5 < wait <= 2.0 for wait in sleeps.waits)


async def test_the_delay_is_not_added_to_a_longer_backoff(
    fake_allocine: FakeAllocine, sleeps: Sleeps
) -> None:
    fake_allocine.set_page(PRESS, "<html><body>Presse</body></html>")
    fake_allocine.script(PRESS, TooMany(retry_after="7"))
    async with make_client(fake_allocine, sleeps, delay=2.0) as client:
        await client.fetch(client.press_url(FILM))
    assert sleeps.waits == [7.0]


async def test_concurrent_fetches_to_one_host_never_overlap(
    fake_allocine: FakeAllocine, sleeps: Sleeps
) -> None:
    paths = [f"/film/fichefilm-{n}/critiques/presse/" for n in range(5)]
    for path in paths:
        fake_allocine.set_page(path, f"<html><body>{path}</body></html>")
        fake_allocine.script(path, Delay(0.05))  # each request stays a while at the server
    async with make_client(fake_allocine, sleeps, delay=1.0) as client:
        results = await asyncio.gather(*(client.fetch(client.press_url(n)) for n in range(5)))
    assert [r.status for r in results] == [200] * 5
    assert fake_allocine.max_in_flight == 1
    assert len(fake_allocine.requests) == 5
    assert len(sleeps.waits) == 4  # every request but the first waited for the delay
    assert all(0.5 < wait <= 1.0 for wait in sleeps.waits)


async def test_the_fake_counts_overlapping_requests(fake_allocine: FakeAllocine) -> None:
    # The overlap check above means something: without the client's lock, the fake does see overlaps.
    for n in range(3):
        fake_allocine.set_page(f"/p{n}", "<html></html>")
        fake_allocine.script(f"/p{n}", Delay(0.1))
    async with aiohttp.ClientSession() as session:

        async def get(path: str) -> int:
            async with session.get(fake_allocine.base_url + path) as response:
                return response.status

        assert await asyncio.gather(*(get(f"/p{n}") for n in range(3))) == [200, 200, 200]
    assert fake_allocine.max_in_flight == 3


# --- the fake's pages, read by the project's parser --------------------------------------------

SPECTATOR_REVIEWS: list[dict[str, Any]] = [
    {
        "author": "Shawn777",
        "followers": 574,
        "author_reviews": 3461,
        "rating": 3.0,
        "published": date(2023, 1, 25),
        "text": "Pas si inintéressant que ça ! Un tueur & ses <journalistes>.\n\nUn second paragraphe.",
        "site_id": "173049821",
    },
    {"author": None, "rating": 3.5, "published": date(2013, 6, 1), "text": "Une histoire originale !"},
    {
        "author": "Terreurvision",
        "followers": 208,
        "author_reviews": 505,
        "rating": 0.5,
        "published": date(2012, 12, 31),
        "text": "Première ligne\nseconde ligne.",
        "site_id": "173038688",
    },
    {"author": "Sans note", "rating": None, "published": date(2020, 2, 29), "text": "Pas de note ici."},
]


async def test_spectator_pages_parse_to_exactly_what_was_put_in(
    fake_allocine: FakeAllocine, client: AllocineClient
) -> None:
    histogram = {5: 3, 4: 7, 3: 8, 2: 10, 1: 2, 0: 999}
    body = spectator_html(
        "Derrière le masque",
        average=2.35,
        ratings_count=12158,
        reviews_count=1029,
        histogram=histogram,
        reviews=SPECTATOR_REVIEWS,
        page=2,
        pages=3,
        allocine_id=FILM,
    )
    fake_allocine.set_page(f"{SPECTATORS}?page=2", body)
    fetched = await client.fetch(client.spectator_url(FILM, 2))
    assert fetched.body is not None
    page = parse_page(fetched.body)

    assert isinstance(page, ParsedSpectatorPage)
    assert page.title == "Derrière le masque"
    assert page.warnings == []
    assert page.figures.average == 2.35
    assert (page.figures.ratings_count, page.figures.reviews_count) == (12158, 1029)
    assert page.figures.histogram == {str(star): count for star, count in histogram.items()}
    got = [
        {
            "author": r.author,
            "followers": r.followers,
            "author_reviews": r.author_reviews,
            "rating": r.rating,
            "published": r.published,
            "text": r.text,
            "site_id": r.site_id,
        }
        for r in page.reviews
    ]
    defaults = {"author": None, "followers": None, "author_reviews": None, "site_id": None}
    assert got == [defaults | review for review in SPECTATOR_REVIEWS]


PRESS_REVIEWS: list[dict[str, Any]] = [
    {
        "outlet": "L'Humanité",
        "critic": "Dominique Widemann",
        "quote": "Un film vrai bâti avec les instruments de la passion.",
        "rating": 5.0,
        "link": "https://www.humanite.fr/critique",
        "site_id": "73100",
    },
    {"outlet": "Le Point", "critic": "Olivier De Bruyn", "quote": None, "rating": 3.5, "site_id": "73102"},
    {"outlet": "Zurban", "critic": None, "quote": "(...) ce que réussit la mise en scène.", "rating": None},
    {
        "outlet": "Télérama",
        "critic": "Marine Landrot",
        "quote": "Un fascinant film de vampire.",
        "rating": 4.0,
    },
]


async def test_press_pages_parse_to_exactly_what_was_put_in(
    fake_allocine: FakeAllocine, client: AllocineClient
) -> None:
    fake_allocine.set_page(PRESS, press_html("Backstage", reviews=PRESS_REVIEWS, allocine_id=FILM))
    fetched = await client.fetch(client.press_url(FILM))
    assert fetched.body is not None
    page = parse_page(fetched.body)

    assert isinstance(page, ParsedPressPage)
    assert page.title == "Backstage"
    assert page.warnings == []
    assert page.figures.reviews_count == len(PRESS_REVIEWS)
    got = [
        {"outlet": r.outlet, "critic": r.critic, "quote": r.quote, "rating": r.rating, "site_id": r.site_id}
        for r in page.reviews
    ]
    wanted = [
        {"outlet": p["outlet"], "critic": p["critic"], "quote": p["quote"], "rating": p["rating"]}
        | {"site_id": p.get("site_id")}
        for p in PRESS_REVIEWS
    ]
    assert got == wanted
    assert page.reviews[0].link == "https://www.humanite.fr/critique"
    assert page.reviews[1].link == "https://www.lepoint.fr/critiques/"  # link-only: where to read it


# --- validators in the database ----------------------------------------------------------------

URL = "https://www.allocine.fr/film/fichefilm-110645/critiques/presse/"


def fetched_page_row(engine: Engine) -> Any:
    table = FETCHED_PAGE
    with engine.connect() as conn:
        return conn.execute(select(table).where(table.c.url == URL)).one()


def test_validators_round_trip(engine: Engine) -> None:
    assert validators_for(engine, URL) == (None, None)
    first = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    modified = "Wed, 01 May 2024 10:00:00 GMT"
    remember(engine, Fetched(URL, 200, b"v1", '"abc"', modified), content_hash="h1", now=first)
    assert validators_for(engine, URL) == ('"abc"', modified)
    assert validators_for(engine, URL + "?page=2") == (None, None)

    later = first + timedelta(hours=6)
    remember(engine, Fetched(URL, 304, None, '"abc"', modified), content_hash=None, now=later)
    row = fetched_page_row(engine)
    assert (row.etag, row.last_modified, row.content_hash) == ('"abc"', modified, "h1")
    assert row.checked_at.replace(tzinfo=UTC) == later
    assert row.changed_at.replace(tzinfo=UTC) == first

    latest = later + timedelta(hours=6)
    remember(engine, Fetched(URL, 200, b"v2", '"def"', None), content_hash="h2", now=latest)
    row = fetched_page_row(engine)
    assert validators_for(engine, URL) == ('"def"', None)
    assert row.content_hash == "h2"
    assert row.checked_at.replace(tzinfo=UTC) == row.changed_at.replace(tzinfo=UTC) == latest
    table = FETCHED_PAGE
    with engine.connect() as conn:
        assert len(conn.execute(select(table)).all()) == 1


def test_remember_refuses_what_is_not_a_page(engine: Engine) -> None:
    with pytest.raises(ValueError):
        remember(engine, Fetched(URL, 500, None, None, None), content_hash=None, now=datetime.now(UTC))


async def test_validators_make_the_next_fetch_a_304(
    engine: Engine, fake_allocine: FakeAllocine, client: AllocineClient
) -> None:
    fake_allocine.set_page(PRESS, "<html><body>Presse</body></html>")
    url = client.press_url(FILM)
    first = await client.fetch(url, etag=validators_for(engine, url)[0])
    remember(engine, first, content_hash="h", now=datetime.now(UTC))
    etag, last_modified = validators_for(engine, url)
    again = await client.fetch(url, etag=etag, last_modified=last_modified)
    assert (again.status, again.body) == (304, None)
