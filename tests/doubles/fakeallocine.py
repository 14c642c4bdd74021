"""A small fake AlloCiné on 127.0.0.1, to test the HTTP source (and the refresher) without the internet.

Usage::

    async with FakeAllocine() as site:
        site.set_page("/film/fichefilm-42/critiques/presse/", press_html("Backstage", reviews=[...]))
        site.script("/film/fichefilm-42/critiques/presse/", Status(500), Delay(1.0), TooMany("7"))
        async with AllocineClient(site.base_url, ...) as client:
            fetched = await client.fetch(client.press_url(42))
        assert len(site.requests_for("/film/fichefilm-42/critiques/presse/")) == 4

or the ``fake_allocine`` fixture of tests/conftest.py, which yields a started site.

API
- ``start()`` / ``close()`` or ``async with``; ``base_url`` (``http://127.0.0.1:PORT``, no trailing slash).
- ``set_page(path_and_query, body, *, etag="auto", last_modified=None)``: serve ``body`` (str is encoded as
  UTF-8) as ``text/html; charset=utf-8`` at that path and query (``/a/?page=2`` is another page than
  ``/a/``). ``etag="auto"``: a quoted hash of the body, so changing the body changes it; ``None``: no ETag.
  ``last_modified``: an HTTP date sent as Last-Modified. A request whose If-None-Match matches the ETag
  (or, without If-None-Match, whose If-Modified-Since is not older than Last-Modified) gets a 304.
  ``remove_page(path)``; unknown paths get a 404 page.
- ``set_autocomplete(text, answer, *, content_type="application/json; charset=utf-8")``: what
  ``/_/autocomplete/{text}`` answers (``autocomplete_path(text)``: ``text`` percent-encoded as UTF-8, a
  space as ``%20``, as critibot sends it): ``answer`` a list of results (sent as ``{"results": [...]}``),
  any other JSON value (sent as it is), or ``str`` / ``bytes`` sent verbatim (malformed or truncated JSON,
  an HTML page); ``content_type`` as said (allocine-site.md does not say what the site sends: JSON's own
  type is assumed). A challenge served with 200 in its place: ``script(autocomplete_path(text),
  Body(challenge_html().encode()))``. Result builders in the site's shape (allocine-site.md §1.3):
  ``movie_result(allocine_id, label, *, original_label, year, directors, poster_path, thumbnail)``,
  ``series_result(allocine_id, label, *, original_label, year, creators, poster_path)``,
  ``person_result(allocine_id, name)``; the id is sent as a JSON string, like the site; ``None`` for a
  keyword leaves its key out.
- ``script(path_and_query, *behaviours)``: one-off behaviours, consumed one per request (in order) before
  normal serving: ``Status(500)`` (that status, a small HTML body), ``Delay(seconds)`` (sleep, then serve
  normally: longer than the client's timeout, it times out), ``Hold(event)`` (serve once the test sets
  the event), ``TooMany(retry_after="7")`` (429 with that
  Retry-After header; ``None``: none), ``Redirect(location, status=302)``, ``Body(body, …)``: exactly that
  response once (``status``, ``content_type`` — None: no header —, ``encoding`` sent as Content-Encoding
  for a body given already encoded, ``repeat``: the body sent that many times over, ``chunked``: without
  Content-Length). ``gzip_bomb(size)``: a small gzip body that inflates to ``size`` zero bytes.
  ``challenge_html(kind)``: a challenge page as Cloudflare serves them (allocine-site.md §7): "moment"
  (Just a moment..., cf-chl- ids, challenge-platform script), "attention" (Attention Required!) or
  "denied" (Access denied); serve it with ``Body(challenge_html(...).encode(), status=...)``.
- ``requests``: every request as a ``RecordedRequest`` (``method``, ``path`` with query, ``headers``,
  ``time`` as ``time.monotonic()``, ``status`` once answered); ``requests_for(path_and_query)``.
  ``in_flight`` / ``max_in_flight``: requests being handled now / at most at once (overlap checks).
- Page builders, markup as storage/pages/html.py reads it (checked by tests/storage/test_allocine.py):
  ``spectator_html(title, *, average, ratings_count, reviews_count, histogram, reviews, page=1, pages=1,
  allocine_id=None)`` where ``histogram`` maps stars 5…0 to counts and each review is a dict with
  ``text`` and optional ``author`` (None: anonymous), ``followers``, ``author_reviews``, ``rating``
  (half stars), ``published`` (a date), ``site_id``; ``press_html(title, *, reviews, allocine_id=None)``
  where each review has ``outlet`` and optional ``critic``, ``quote`` (None: link-only), ``rating``,
  ``link``, ``site_id``. Texts are kept as given (a blank line between paragraphs).
  ``film_html(title, *, allocine_id, shape="2024"|"2020", json_ld=True, …)``: a film's main page in either
  real shape (read by storage/pages/film.py; checked by tests/pages/test_film.py); ``series_html``: a
  series' main page. Serve them at ``/film/fichefilm_gen_cfilm={id}.html`` /
  ``/series/ficheserie_gen_cserie={id}.html``.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import html
import json
import time
import zlib
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from email.utils import parsedate_to_datetime
from typing import Any, Self
from urllib.parse import quote

from aiohttp import web
from yarl import URL

__all__ = [
    "Body",
    "Delay",
    "FakeAllocine",
    "Hold",
    "RecordedRequest",
    "Redirect",
    "Status",
    "TooMany",
    "autocomplete_path",
    "challenge_html",
    "film_html",
    "gzip_bomb",
    "movie_result",
    "person_result",
    "press_html",
    "series_html",
    "series_result",
    "spectator_html",
]


@dataclass(frozen=True)
class Status:
    status: int


@dataclass(frozen=True)
class Delay:
    seconds: float


@dataclass(frozen=True)
class Hold:
    """Wait until the test sets `release`, then serve normally: a request kept in flight as long as a
    test needs, whatever the machine's load (a Delay may end too soon on a busy machine)."""

    release: asyncio.Event


@dataclass(frozen=True)
class TooMany:
    retry_after: str | None = "7"


@dataclass(frozen=True)
class Redirect:
    location: str
    status: int = 302


@dataclass(frozen=True)
class Body:
    body: bytes
    status: int = 200
    content_type: str | None = "text/html; charset=utf-8"
    encoding: str | None = None
    repeat: int = 1
    chunked: bool = False


Behaviour = Status | Delay | Hold | TooMany | Redirect | Body


def gzip_bomb(size: int) -> bytes:
    """`size` zero bytes (a multiple of 1 MiB), gzipped: about a thousandth of that on the wire.

    Each MiB is compressed once and repeated (a full flush makes the pieces independent), so a 1 GiB
    bomb takes a fraction of a second to build rather than seconds.
    """
    block = bytes(1 << 20)
    count = size // len(block)
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    piece = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = crc.to_bytes(4, "little") + (count * len(block) % 2**32).to_bytes(4, "little")
    return header + piece * count + packer.flush() + trailer


@dataclass
class RecordedRequest:
    method: str
    path: str  # path and query, as sent
    headers: dict[str, str]
    time: float  # time.monotonic() on arrival
    status: int | None = None  # the status answered (None while in flight, or when the client left)


@dataclass
class _Page:
    body: bytes
    etag: str | None
    last_modified: str | None
    content_type: str = "text/html; charset=utf-8"


class FakeAllocine:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.requests: list[RecordedRequest] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._pages: dict[str, _Page] = {}
        self._scripts: dict[str, deque[Behaviour]] = {}
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # --- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        # Cancel handlers whose client left (a timed-out Delay), and do not linger on close.
        self._runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=0.5)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, 0).start()
        self._port = self._runner.addresses[0][1]

    async def close(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def base_url(self) -> str:
        assert self._port is not None, "FakeAllocine not started"
        return f"http://{self.host}:{self._port}"

    # --- content ---------------------------------------------------------------------------------

    def set_page(
        self,
        path_and_query: str,
        body: str | bytes,
        *,
        etag: str | None = "auto",
        last_modified: str | None = None,
        content_type: str = "text/html; charset=utf-8",
    ) -> None:
        raw = body.encode("utf-8") if isinstance(body, str) else body
        if etag == "auto":
            etag = f'"{hashlib.sha256(raw).hexdigest()[:20]}"'
        self._pages[_key(path_and_query)] = _Page(raw, etag, last_modified, content_type)

    def set_autocomplete(
        self, text: str, answer: Any, *, content_type: str = "application/json; charset=utf-8"
    ) -> None:
        if isinstance(answer, list):
            answer = {"results": answer}
        if not isinstance(answer, str | bytes):
            answer = json.dumps(answer, ensure_ascii=False)
        self.set_page(autocomplete_path(text), answer, etag=None, content_type=content_type)

    def remove_page(self, path_and_query: str) -> None:
        self._pages.pop(_key(path_and_query), None)

    def script(self, path_and_query: str, *behaviours: Behaviour) -> None:
        self._scripts.setdefault(_key(path_and_query), deque()).extend(behaviours)

    def requests_for(self, path_and_query: str) -> list[RecordedRequest]:
        key = _key(path_and_query)
        return [r for r in self.requests if r.path == key]

    # --- serving ---------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        key = _key(str(request.rel_url))
        recorded = RecordedRequest(request.method, key, dict(request.headers), time.monotonic())
        self.requests.append(recorded)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            response = await self._answer(request, key)
            recorded.status = response.status
            return response
        finally:
            self.in_flight -= 1

    async def _answer(self, request: web.Request, key: str) -> web.StreamResponse:
        script = self._scripts.get(key)
        behaviour = script.popleft() if script else None
        match behaviour:
            case Status(status):
                return _html(f"<html><body><h1>Erreur {status}</h1></body></html>", status=status)
            case TooMany(retry_after):
                headers = {"Retry-After": retry_after} if retry_after is not None else {}
                return _html("<html><body><h1>Trop de requêtes</h1></body></html>", 429, headers)
            case Redirect(location, status):
                return web.Response(status=status, headers={"Location": location})
            case Body():
                return await _send(request, behaviour)
            case Delay(seconds):
                await asyncio.sleep(seconds)
            case Hold(release):
                await release.wait()
        if request.method not in ("GET", "HEAD"):
            return _html("<html><body>Méthode non autorisée</body></html>", 405, {"Allow": "GET, HEAD"})
        page = self._pages.get(key)
        if page is None:
            return _html("<html><body><h1>Page introuvable</h1></body></html>", status=404)
        headers = {}
        if page.etag is not None:
            headers["ETag"] = page.etag
        if page.last_modified is not None:
            headers["Last-Modified"] = page.last_modified
        if _not_modified(request, page):
            return web.Response(status=304, headers=headers)
        return web.Response(
            status=200, body=page.body, headers={"Content-Type": page.content_type, **headers}
        )


def autocomplete_path(text: str) -> str:
    """Where critibot asks AlloCiné's search for `text`."""
    return "/_/autocomplete/" + quote(text, safe="")


def _result(entity_type: str, allocine_id: int | str, label: str | None, **data: Any) -> dict[str, Any]:
    result: dict[str, Any] = {"entity_type": entity_type, "entity_id": str(allocine_id)}
    if label is not None:
        result["label"] = label
    original = data.pop("original_label", None)
    if original is not None:
        result["original_label"] = original
    result["data"] = {"id": str(allocine_id)} | {k: v for k, v in data.items() if v is not None}
    return result


def movie_result(
    allocine_id: int | str,
    label: str | None,
    *,
    original_label: str | None = None,
    year: int | str | None = None,
    directors: list[str] | None = None,
    poster_path: str | None = None,
    thumbnail: str | None = None,
) -> dict[str, Any]:
    """A film as the autocomplete lists it."""
    return _result(
        "movie",
        allocine_id,
        label,
        original_label=original_label,
        year=year,
        director_name=directors,
        poster_path=poster_path,
        thumbnail=thumbnail,
    )


def series_result(
    allocine_id: int | str,
    label: str | None,
    *,
    original_label: str | None = None,
    year: int | str | None = None,
    creators: list[str] | None = None,
    poster_path: str | None = None,
) -> dict[str, Any]:
    """A series as the autocomplete lists it."""
    return _result(
        "series",
        allocine_id,
        label,
        original_label=original_label,
        year=year,
        creator_name=creators,
        poster_path=poster_path,
    )


def person_result(allocine_id: int | str, name: str) -> dict[str, Any]:
    """A person as the autocomplete lists it."""
    return _result(
        "person", allocine_id, name, activities=["Réalisateur"], nationality={"adjective": "français"}
    )


def _key(path_and_query: str) -> str:
    """Path and query as the server sees them (percent-encoded), whatever form the test wrote."""
    url = URL(path_and_query)
    return str(url.relative()) if url.is_absolute() else str(url)


class _Untyped(web.StreamResponse):
    """A response without Content-Type, which aiohttp would otherwise add (application/octet-stream)."""

    async def _write_headers(self) -> None:
        self.headers.popall("Content-Type", None)
        await super()._write_headers()


async def _send(request: web.Request, spec: Body) -> web.StreamResponse:
    kind = web.StreamResponse if spec.content_type is not None else _Untyped
    response = kind(status=spec.status)
    if spec.content_type is not None:
        response.headers["Content-Type"] = spec.content_type
    if spec.encoding is not None:
        response.headers["Content-Encoding"] = spec.encoding
    if spec.chunked:
        response.enable_chunked_encoding()
    else:
        response.content_length = len(spec.body) * spec.repeat
    await response.prepare(request)
    try:
        for _ in range(spec.repeat):
            await response.write(spec.body)
        await response.write_eof()
    except ConnectionError:  # the client stopped reading: that is what a size limit does
        pass
    return response


def _html(text: str, status: int, headers: Mapping[str, str] | None = None) -> web.Response:
    return web.Response(
        status=status, text=text, content_type="text/html", charset="utf-8", headers=dict(headers or {})
    )


def _not_modified(request: web.Request, page: _Page) -> bool:
    # RFC 9110: If-None-Match wins over If-Modified-Since; weak comparison for GET.
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        if page.etag is None:
            return False
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or page.etag.removeprefix("W/") in tags
    since = request.headers.get("If-Modified-Since")
    if since is None or page.last_modified is None:
        return False
    try:
        return parsedate_to_datetime(page.last_modified) <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return since == page.last_modified


def challenge_html(kind: str = "moment") -> str:
    """A challenge page, in the shapes block detectors look for (invented text, real markers)."""
    if kind == "moment":
        return """<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>
<meta http-equiv="refresh" content="390"></head><body><div class="main-wrapper" role="main">
<div class="main-content"><h1 class="zone-name-title h1">www.allocine.fr</h1>
<div id="cf-chl-widget-a1b2c_response"></div><noscript>Enable JavaScript and cookies to continue</noscript>
</div></div><script>(function(){window._cf_chl_opt={cvId: '3'};var a=document.createElement('script');
a.src='/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1?ray=8d';document.head.appendChild(a);}());
</script></body></html>"""
    if kind == "attention":
        return """<!DOCTYPE html><html><head><title>Attention Required! | Cloudflare</title></head>
<body><div id="cf-wrapper"><h1>Sorry, you have been blocked</h1>
<h2>You are unable to access allocine.fr</h2></div></body></html>"""
    if kind == "denied":
        return """<html><head><title>Access denied</title></head>
<body><h1>Access denied</h1><p>You do not have access to www.allocine.fr.</p></body></html>"""
    raise ValueError(kind)


# --- page builders ---------------------------------------------------------------------------------

_MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip
_NNBSP = "&#8239;"  # AlloCiné's thousands separator


def _decimal(value: float) -> str:
    """2.3 → `2,3`; 3.0 → `3,0`; 2.35 → `2,35`: a decimal comma, as the site writes notes."""
    text = f"{value:.2f}".rstrip("0")
    return (text + "0" if text.endswith(".") else text).replace(".", ",")


def _count(value: int) -> str:
    """3461 → `3 461` with a narrow no-break space, as the site writes counts."""
    return f"{value:,}".replace(",", _NNBSP)


def _date(day: date) -> str:
    return f"{'1er' if day.day == 1 else day.day} {_MONTHS[day.month - 1]} {day.year}"


def _stars(rating: float | None) -> str:
    """The stars' markup: class `n35` for 3.5, `n00` when there is no rating."""
    value = 0 if rating is None else round(rating * 10)
    fill = '<div class="stareval-stars-fill"></div>'
    return f'<div class="rating-mdl n{value:02d} stareval-stars">{fill}</div>'


def _text(text: str) -> str:
    """Escaped text; line breaks as `<br>` (a blank line between paragraphs stays one)."""
    return "<br>".join(html.escape(line, quote=False) for line in text.split("\n"))


def _json_ld(data: Mapping[str, Any]) -> str:
    # `</` would close the script element early.
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def _head(title: str, heading: str, json_ld: Mapping[str, Any]) -> str:
    escaped = html.escape(title)
    return f"""<!DOCTYPE html>
<html lang="fr">
<head>
  <meta charset="utf-8">
  <title>{html.escape(heading)} du film {escaped} - AlloCiné</title>
  <meta property="og:title" content="{escaped} - film - AlloCiné">
  <script type="application/ld+json">{_json_ld(json_ld)}</script>
  <script>window.dataLayer = window.dataLayer || [];</script>
</head>
<body class="body-page">
  <header class="header">
    <div class="header-logo"><a href="/">AlloCiné</a></div>
    <nav class="header-nav">
      <ul><li><a href="/film/">Films</a></li><li><a href="/series/">Séries</a></li></ul>
    </nav>
  </header>
  <main id="content-layout" class="content-layout">
"""


_FOOT = """  </main>
  <footer class="footer">
    <div class="footer-top">Les meilleurs films de tous les temps</div>
    <div class="back-to-top"><a href="#top">Back to Top</a></div>
    <div class="footer-legal">Copyright &copy; 2024 AlloCiné. Tous droits réservés.</div>
  </footer>
</body>
</html>
"""


def _titlebar(text: str) -> str:
    return f"""    <div class="titlebar">
      <div class="titlebar-title titlebar-title-lg">{html.escape(text)}</div>
    </div>
"""


def _film_url(allocine_id: int | None) -> str:
    return f"/film/fichefilm_gen_cfilm={allocine_id}.html" if allocine_id is not None else "/film/"


def spectator_html(
    title: str,
    *,
    average: float,
    ratings_count: int,
    reviews_count: int,
    histogram: Mapping[int, int],
    reviews: Iterable[Mapping[str, Any]],
    page: int = 1,
    pages: int = 1,
    allocine_id: int | None = None,
) -> str:
    """A film's spectator reviews page, as AlloCiné serves it (markup from tests/fixtures/html)."""
    json_ld = {
        "@context": "http://schema.org",
        "@type": "Movie",
        "url": _film_url(allocine_id),
        "name": title,
        "aggregateRating": {
            "@type": "AggregateRating",
            "bestRating": "5",
            "worstRating": "0",
            "ratingValue": _decimal(average),  # a string with a decimal comma, like the site
            "ratingCount": ratings_count,
            "reviewCount": reviews_count,
        },
    }
    rows = "\n".join(
        f'        <div class="histogram-row"><div class="histogram-star">{star}</div>'
        f'<div class="bar"><div class="bar-fill"></div></div>'
        f'<div class="histogram-count">{_count(histogram.get(star, 0))} critiques</div></div>'
        for star in (5, 4, 3, 2, 1, 0)
    )
    cards = "\n".join(_review_card(review) for review in reviews)
    return (
        _head(title, "Critiques spectateurs", json_ld)
        + _titlebar(title)
        + f"""    <section class="section reviews-users">
      <div class="rating-summary">
        <div class="big-note">
          <div class="rating-title">Note moyenne</div>
          <span class="note">{_decimal(average)}</span>
        </div>
        <div class="user-note-count">{_count(ratings_count)} notes</div>
      </div>
      <h2 class="titlebar-title titlebar-title-md">{_count(reviews_count)} critiques spectateurs</h2>
      <div class="rating-histogram">
{rows}
      </div>
      <div class="filters">
        <div class="filters-label">Trier par :</div>
        <div class="filters-list">
          <a href="?sort=utile">Les plus utiles</a> <a href="?sort=recent">Les plus récentes</a>
        </div>
      </div>
      <div class="reviews-users-comment">
{cards}
      </div>
{_pagination(page, pages)}
    </section>
"""
        + _FOOT
    )


def _review_card(review: Mapping[str, Any]) -> str:
    author = review.get("author")
    site_id = review.get("site_id")
    card_id = f' id="review_{site_id}"' if site_id is not None else ""
    if author is None:
        user = """          <div class="thumbnail"><span class="thumbnail-anonymous">anonyme</span></div>
          <div class="meta">
            <div class="meta-title"><span class="meta-title-link">Un visiteur</span></div>
          </div>"""
    else:
        stats = []
        if review.get("followers") is not None:
            stats.append(f'<span class="meta-sub">{_count(review["followers"])} abonnés</span>')
        if review.get("author_reviews") is not None:
            stats.append(f'<span class="meta-sub">{_count(review["author_reviews"])} critiques</span>')
        name = html.escape(author)
        user = f"""          <div class="thumbnail"><span class="thumbnail-name">{name}</span></div>
          <div class="meta">
            <div class="meta-title"><span class="meta-title-link">{name}</span></div>
            <div class="meta-content light">{" ".join(stats)}</div>
          </div>
          <div class="follow-activity">
            <button class="button button-sm" type="button">Suivre son activité</button>
          </div>"""
    rating = review.get("rating")
    stars = ""
    if rating is not None:
        stars = f'{_stars(rating)}<span class="stareval-note">{_decimal(rating)}</span>'
    published = review.get("published")
    when = ""
    if published is not None:
        when = f'<span class="review-card-meta-date light">Publiée le {_date(published)}</span>'
    return f"""    <div class="hred review-card cf"{card_id}>
      <div class="review-card-aside">
        <div class="review-card-user-infos cf">
{user}
        </div>
      </div>
      <div class="review-card-review-holder">
        <div class="review-card-meta">
          <div class="stareval stareval-medium stareval-theme-default">{stars}</div>
          {when}
        </div>
        <div class="content-txt review-card-content">{_text(review["text"])}</div>
        <div class="review-card-social"><button class="reviews-helpful" aria-label="Utile"></button></div>
      </div>
    </div>"""


def _pagination(page: int, pages: int) -> str:
    if pages <= 1:
        return ""
    links = [f'<a href="?page={page - 1}">Précédente</a>'] if page > 1 else []
    for number in range(1, pages + 1):
        if number == page:
            links.append(f'<span class="current">{number}</span>')
        else:
            links.append(f'<a href="?page={number}">{number}</a>')
    if page < pages:
        links.append(f'<a href="?page={page + 1}">Suivante</a>')
    return f'      <nav class="pagination">{" ".join(links)}</nav>'


def press_html(title: str, *, reviews: Iterable[Mapping[str, Any]], allocine_id: int | None = None) -> str:
    """A film's press reviews page, as AlloCiné serves it (markup from tests/fixtures/html)."""
    reviews = list(reviews)
    json_ld = {
        "@context": "http://schema.org",
        "@type": "Movie",
        "name": title,
        "url": _film_url(allocine_id),
    }
    items = "\n".join(_press_item(review) for review in reviews)
    return (
        _head(title, "Critiques presse", json_ld)
        + _titlebar("Critiques Presse")
        + f"""    <section class="section reviews-press">
      <p class="press-intro">Chaque magazine ou journal ayant son propre système de notation, toutes les
      notes attribuées sont remises au barème de AlloCiné, de 1 à 5 étoiles.</p>
      <h2 class="titlebar-title titlebar-title-md">{len(reviews)} critiques presse</h2>
      <div class="reviews-press-list">
{items}
      </div>
    </section>
"""
        + _FOOT
    )


def _press_item(review: Mapping[str, Any]) -> str:
    site_id = review.get("site_id")
    item_id = f' id="pressreview{site_id}"' if site_id is not None else ""
    outlet = html.escape(review["outlet"])
    critic = review.get("critic")
    author = f'<span class="author">par {html.escape(critic)}</span>' if critic else ""
    quote = review.get("quote")
    text = f'\n        <p class="text">{_text(quote)}</p>' if quote is not None else ""
    link = review.get("link")
    if quote is None:  # link-only: the site always names where the review is
        link = link or f"https://www.{_slug(review['outlet'])}.fr/critiques/"
        site = html.escape(URL(link).host or link)
        more = f'<a class="xXx link" href="{html.escape(link)}">Voir la critique sur {site}</a>'
    elif link:
        full = f"La critique complète est disponible sur le site {outlet}"
        more = f'<a class="link" href="{html.escape(link)}">{full}</a>'
    else:
        more = ""
    more = f'\n        <div class="reviews-press-link">{more}</div>' if more else ""
    stars = f'<div class="stareval stareval-medium">{_stars(review.get("rating"))}</div>'
    return f"""      <div class="item hred"{item_id}>
        <div class="rating-holder">{stars}</div>
        <h2 class="title"><span class="xXx">{outlet}</span></h2>
        <div class="meta">{author}</div>{text}{more}
      </div>"""


def _slug(name: str) -> str:
    return "".join(c for c in name.casefold() if c.isascii() and c.isalnum()) or "journal"


# --- a film's main page --------------------------------------------------------------------------------


def _obfuscated(path: str) -> str:
    """An address as AlloCiné hides it in a class: base64 with `ACr` slipped in (allocine-site.md §0.1)."""
    encoded = base64.b64encode(path.encode()).decode()
    return f"ACr{encoded[:2]}ACr{encoded[2:]}"


def _people(names: Sequence[str], link_class: str) -> str:
    return ",\n".join(
        f'<span class="{_obfuscated(f"/personne/fichepersonne_gen_cpersonne={1000 + i}.html")} {link_class}">'
        f"{html.escape(name)}</span>"
        for i, name in enumerate(names)
    )


def _genres(genres: Sequence[str], link_class: str) -> str:
    return ",\n".join(
        f'<span class="{_obfuscated(f"/films/genre-{13000 + i}/")} {link_class}">{html.escape(g)}</span>'
        for i, g in enumerate(genres)
    )


def _duration(minutes: int | None) -> str | None:
    return f"{minutes // 60}h {minutes % 60:02d}min" if minutes else None


def film_html(
    title: str,
    *,
    allocine_id: int,
    shape: str = "2024",
    json_ld: bool = True,
    json_decimal: str = ",",
    kind: str = "film",
    original_title: str | None = None,
    release: date | str | None = None,
    year: int | None = None,
    directors: Sequence[str] = (),
    writers: Sequence[str] = (),
    genres: Sequence[str] = (),
    duration_minutes: int | None = None,
    poster_url: str | None = None,
    synopsis: str | None = None,
    spectators: Mapping[str, Any] | None = None,
    press: Mapping[str, Any] | None = None,
    friends_between: bool = False,
) -> str:
    """A film's main page (`/film/fichefilm_gen_cfilm={id}.html`) in one of the site's two real shapes:

    - ``shape="2020"``: as the December 2020 page was saved, many class names gone (`<div class="">`),
      `/` spacers, `N notes dont M critiques`, `Titre original` and the synopsis in the details section;
    - ``shape="2024"``: `.meta-body-info` with `|` spacers, `De` (direction) and `Par` (writers) items,
      `Titre original` in the header, `N notes, M critiques`, the synopsis in `div.content-txt p.bo-p`.

    ``json_ld``: the Movie (TVSeries) object at the end of <body>, its ratingValue written with
    ``json_decimal``. ``release``: a date, or the header's words for it ("Depuis 2021", "2019 - 2023",
    "Date de sortie inconnue"). ``spectators``: ``average`` (None: no rating yet), ``ratings_count``,
    ``reviews_count``; ``press``: ``average``, ``reviews_count``; None leaves the block out.
    ``friends_between``: the friends' block sits between Presse and Spectateurs (after them otherwise).
    ``kind="series"``: a series' page (`ficheserie`, TVSeries, `Par` for its creators).
    """
    if shape not in ("2020", "2024"):
        raise ValueError(shape)
    series = kind == "series"
    escaped = html.escape(title)
    if isinstance(release, date):
        year = year or release.year
    address = f"/series/ficheserie_gen_cserie={allocine_id}.html" if series else _film_url(allocine_id)
    app = f"allocine://open/{'series' if series else 'movie'}?code={allocine_id}"
    label = "Série TV" if series else ("film" if shape == "2020" else "Film")
    page_title = f"{title} - {label} {year} - AlloCiné" if year else f"{title} - AlloCiné"
    page = "allocine__seriespage" if series else "allocine__moviepage"
    head = f"""<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="UTF-8" />
<title>{html.escape(page_title)}</title>
<meta property="og:title" content="{escaped}" />
{f'<meta property="og:image" content="{html.escape(poster_url)}" />' if poster_url else ""}
<meta property="og:type" content="{"video.tv_show" if series else "video.movie"}" />
<meta name="twitter:app:url:iphone" content="{app}" />
<meta name="twitter:app:url:googleplay" content="{app}" />
<script>window.dataLayer = [{{"press_rating": "9.5"}}];</script>
</head>
<body id="allocine__{page}" class=" allocine allocine__{page} logged-out">
<header class="header-main"><span class="{_obfuscated("/")} header-main-logo">AlloCiné</span></header>
<main id="content-layout" class="content-layout entity {"series" if series else "movie"} cf">
<div class="section-wrap breadcrumb"><a class="item" href="/">Accueil</a><h1 class="item">
{escaped} </h1></div>
"""
    if shape == "2020":
        body = _film_2020(title, address, release, directors, genres, duration_minutes, poster_url)
        body += _ratings(spectators, press, friends_between, "medium", " dont ")
        body += "</div>\n" + _synopsis_2020(synopsis, original_title, year)
    else:
        body = _film_2024(
            title, address, release, directors, writers, genres, duration_minutes, poster_url, original_title
        )
        body += _ratings(spectators, press, friends_between, "small", ", ")
        body += "</div>\n" + _synopsis_2024(synopsis)
    body += _reviews_preview(allocine_id)
    ld = ""
    if json_ld:
        data: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "TVSeries" if series else "Movie",
            "name": title.replace("'", "&#039;"),  # the site escapes apostrophes inside its JSON
        }
        if poster_url:
            data["image"] = {"@type": "ImageObject", "url": poster_url}
        if duration_minutes:
            data["duration"] = f"PT{duration_minutes // 60:02d}H{duration_minutes % 60:02d}M00S"
        if genres:
            data["genre"] = genres[0] if len(genres) == 1 else list(genres)
        if synopsis:
            data["description"] = synopsis.replace("\n", "")  # the site glues its paragraphs
        if directors:
            people = [{"@type": "Person", "name": name} for name in directors]
            data["creator" if series else "director"] = people[0] if len(people) == 1 else people
        if writers and not series:
            data["creator"] = [{"@type": "Person", "name": name} for name in writers]
        if isinstance(release, date):
            data["datePublished"] = release.isoformat()
        if spectators and spectators.get("average") is not None:
            data["aggregateRating"] = {
                "@type": "AggregateRating",
                "ratingValue": f"{spectators['average']:.1f}".replace(".", json_decimal),
                "ratingCount": str(spectators.get("ratings_count", 0)),
                "reviewCount": str(spectators.get("reviews_count", 0)),
                "bestRating": "5",
                "worstRating": f"0{json_decimal}5",
            }
        ld = f'<script type="application/ld+json">\n{_json_ld(data)}\n</script>\n'
    return head + body + "</main>\n" + ld + _FOOT.removeprefix("  </main>\n")


def series_html(title: str, *, allocine_id: int, creators: Sequence[str] = (), **details: Any) -> str:
    """A series' main page (`/series/ficheserie_gen_cserie={id}.html`): ``film_html`` with
    ``kind="series"``, its creators under `Par`, its years in words (``release="Depuis 2021"``)."""
    return film_html(title, allocine_id=allocine_id, kind="series", directors=creators, **details)


def _release_words(release: date | str | None) -> str:
    if release is None:
        return ""
    return _date(release) if isinstance(release, date) else release


def _film_2020(
    title: str,
    address: str,
    release: date | str | None,
    directors: Sequence[str],
    genres: Sequence[str],
    duration_minutes: int | None,
    poster_url: str | None,
) -> str:
    duration = _duration(duration_minutes)
    info = [f'<span class="">{html.escape(_release_words(release))}</span>\n<strong>au cinéma</strong>']
    info.append(f'<span class="spacer">/</span>{duration or ""}<span class="spacer">/</span>')
    info.append(_genres(genres, ""))
    direction = ""
    if directors:
        direction = (
            f'<div class="">\n<span class="light">De</span>\n{_people(directors, "blue-link")}\n</div>'
        )
    poster = f'<img class="thumbnail-img" src="{html.escape(poster_url)}" alt="" />' if poster_url else ""
    return f"""<div class="titlebar titlebar-page">
<div class="titlebar-title titlebar-title-lg" >{html.escape(title)}</div></div>
<nav class="third-nav third-nav-tab js-third-nav">
<a class="home item current" href="{address}" title="Fiche film">
<div class="icon icon-home item-center"></div></a>
<span class="{_obfuscated(address.replace(".html", "/casting/"))} item">Casting</span>
</nav>
<div class="gd-col-left">
<div class="card entity-card entity-card-list cf entity-card-overview">
<figure class="thumbnail">{poster}</figure>
<div class="meta  ">
<div class="meta-body">
<div class="">
{chr(10).join(info)}
</div>
{direction}
<div class="">
<span class="light">Avec</span>
{_people(["Acteur Inventé", "Actrice Imaginée"], "")}
</div>
</div>
</div>
"""


def _synopsis_2020(synopsis: str | None, original_title: str | None, year: int | None) -> str:
    text = _text(synopsis).replace("<br>", "<br><br>") if synopsis else ""
    original = ""
    if original_title:
        original = f"""<div class="item">
<span class="what light"> Titre original </span>
<h2 class="that">{html.escape(original_title)}</h2>
</div>"""
    production = (
        '<div class="item"><span class="what light">Année de production</span>\n'
        f'<span class="that">{year}</span></div>'
    )
    return f"""<section class="section ovw ovw-synopsis" id="synopsis-details">
<div class="titlebar "><h2 class="titlebar-title titlebar-title-md" >Synopsis et détails</h2></div>
<div class="">
{text}
</div>
<div class="ovw-synopsis-info">
{original}
<div class="item"><span class="what light">Distributeur</span>
<span class="that blue-link"> Distributeur Inventé </span></div>
<div class="more-trigger js-more-trigger ">Voir les infos techniques</div>
<div class="more-hidden">
{production if year else ""}
<div class="item"><span class="what light">Date de sortie DVD</span><span class="that">-</span></div>
</div>
</div>
</section>
</div>
"""


def _film_2024(
    title: str,
    address: str,
    release: date | str | None,
    directors: Sequence[str],
    writers: Sequence[str],
    genres: Sequence[str],
    duration_minutes: int | None,
    poster_url: str | None,
    original_title: str | None,
) -> str:
    parts = []
    if release is not None:
        parts.append(f'<span class="date">{html.escape(_release_words(release))}</span>')
    if duration := _duration(duration_minutes):
        parts.append(f'<span class="spacer">|</span>\n{duration}')
    if genres:
        parts.append(f'<span class="spacer">|</span>\n{_genres(genres, "dark-grey-link")}')
    items = [f'<div class="meta-body-item meta-body-info">\n{chr(10).join(parts)}\n</div>']
    if directors:
        items.append(
            '<div class="meta-body-item meta-body-direction meta-body-oneline">\n'
            f'<span class="light">De</span>\n{_people(directors, "dark-grey-link")}\n</div>'
        )
    if writers:
        items.append(
            '<span class="spacer">|</span>\n'
            '<div class="meta-body-item meta-body-direction meta-body-oneline">\n'
            f'<span class="light">Par</span>\n{_people(writers, "dark-grey-link")}\n</div>'
        )
    items.append(
        '<div class="meta-body-item meta-body-actor">\n<span class="light">Avec</span>\n'
        f"{_people(['Acteur Inventé'], 'dark-grey-link')}\n</div>"
    )
    if original_title:
        items.append(
            '<div class="meta-body-item">\n<span class="light">Titre original </span>\n'
            f'<span class="dark-grey">{html.escape(original_title)}</span>\n</div>'
        )
    poster = ""
    if poster_url:  # the card shows a resized copy
        resized = html.escape(poster_url.replace("/pictures/", "/c_310_420/pictures/"))
        poster = f'<img class="thumbnail-img" src="{resized}" alt="" width="310" height="420" />'
    return f"""<div class="titlebar titlebar-page">
<div class="titlebar-title titlebar-title-xl">{html.escape(title)}</div></div>
<nav class="entity-page-nav">
<span class="home roller-item current" href="{address}" title="Accueil">Accueil</span>
<span class="{_obfuscated(address.replace(".html", "/critiques/"))} roller-item">Critiques</span></nav>
<div class="card entity-card entity-card-list cf entity-card-player-ovw">
<figure class="thumbnail ">{poster}</figure>
<div class="meta  ">
<div class="meta-body">
{chr(10).join(items)}
</div>
</div>
"""


def _synopsis_2024(synopsis: str | None) -> str:
    paragraphs = "".join(f'<p class="bo-p">{html.escape(p)}</p>' for p in (synopsis or "").split("\n") if p)
    return f"""<section class="section ovw ovw-synopsis" id="synopsis-details">
<div class="titlebar section-title"><h2 class="titlebar-title titlebar-title-md">Synopsis</h2></div>
<div class="content-txt ">
{paragraphs}
</div>
</section>
<section class="section ovw ovw-technical"><div class="item"><span class="what light">Distributeur</span>
<span class="that">Distributeur Inventé</span></div></section>
"""


def _rating_item(label: str, path: str, average: float | None, counts: str, size: str) -> str:
    if average is None:
        stars, note = _stars(None), '<span class="stareval-note no-rating">--</span>'
    else:
        stars, note = (
            _stars(round(average * 2) / 2),
            f'<span class="stareval-note">{_decimal(average)[:3]}</span>',
        )
    review = f'<span class="stareval-review light"> {counts}</span>' if counts else ""
    return f"""<div class="rating-item">
<div class="rating-item-content">
<span class="{_obfuscated(path)} rating-title"> {label} </span>
<div class="stareval stareval-{size} stareval-theme-default">{stars}{note}{review}</div>
</div>
</div>
"""


def _ratings(
    spectators: Mapping[str, Any] | None,
    press: Mapping[str, Any] | None,
    friends_between: bool,
    size: str,
    joiner: str,
) -> str:
    items = []
    if press is not None:
        count = press.get("reviews_count")
        counts = f"{count} critiques" if count is not None else ""
        items.append(_rating_item("Presse", "/critiques/presse/", press.get("average"), counts, size))
    friends = f"""<div class="rating-item">
<div class="rating-item-content js-user-friends-rating" data-entity-id="TW92aWU6MQ==" data-title="Mes amis ">
<a class="rating-title" href="#">Mes amis </a>
<div class="stareval stareval-{size} stareval-theme-default">{_stars(3.5)}
<span class="stareval-note">3,5</span>
<span class="stareval-review light"> 2 notes, 1 critique</span></div>
</div>
</div>
"""
    if friends_between:
        items.append(friends)
    if spectators is not None:
        ratings, reviews = spectators.get("ratings_count"), spectators.get("reviews_count")
        counts = joiner.join(
            part
            for part in (
                f"{ratings} notes" if ratings is not None else "",
                f"{reviews} critiques" if reviews is not None else "",
            )
            if part
        )
        path = "/critiques/spectateurs/"
        items.append(_rating_item("Spectateurs", path, spectators.get("average"), counts, size))
    if not friends_between:
        items.append(friends)
    return f'<div class="rating-holder rating-holder-3">\n{"".join(items)}</div>\n'


def _reviews_preview(allocine_id: int) -> str:
    """What follows the header: another film's card (with its own ratings) and a spectator card."""
    other = _rating_item("Presse", "/critiques/presse/", 4.5, "3 critiques", "small")
    other += _rating_item("Spectateurs", "/critiques/spectateurs/", 4.5, "9 notes, 2 critiques", "small")
    return f"""<section class="section">
<h2 class="titlebar-title">Films similaires</h2>
<div class="card entity-card entity-card-list cf"><div class="meta"><div class="meta-body">
<div class="meta-body-item meta-body-info"><span class="date">1er janvier 1999</span></div>
<div class="meta-body-item meta-body-direction"><span class="light">De</span>
<span class="dark-grey-link">Réalisatrice Voisine</span></div></div></div>
<div class="rating-holder rating-holder-2">{other}</div></div>
</section>
<section class="section">
<div class="hred review-card cf" id="review_{allocine_id}1"><div class="review-card-review-holder">
<div class="review-card-meta"><span class="review-card-meta-date light">Publiée le 2 mars 2021</span></div>
<div class="content-txt review-card-content">Un avis inventé pour l'aperçu.</div></div></div>
</section>
"""
