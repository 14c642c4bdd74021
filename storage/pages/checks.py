"""What the parsers refuse to pass on from a page, whatever its layout: control characters, links that
are not web addresses, impossible dates; and how long they may take on one page.

Applied to every parser's output, so that the store and the answers never see such values.
"""

from __future__ import annotations

import dataclasses
import gc
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from typing import TypeVar
from urllib.parse import urlsplit

from storage.pages.model import PageError, PageTooSlow

# C0 controls but tab and line feed, DEL, C1 controls: invisible in a review, and PostgreSQL refuses
# NUL in text (one NUL would make it reject the whole page).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

SITE = "https://www.allocine.fr"
# AlloCiné's spectator reviews began in the early 2000s (the site opened in 1993, its members' reviews
# later): a date before this floor is a misread or a forged one, never a real review's.
EARLIEST_REVIEW = date(2000, 1, 1)
_HOST = re.compile(r"^(?:[\w-]{1,63}\.)+[\w-]{2,63}$")  # letters of any script: IDN hosts are hosts

# A page of a few MB reads in well under a second: past this many seconds, it is hostile.
PARSE_SECONDS = 5.0

# Elements opened one inside the other with no text between them (wrappers): real pages stack about
# fifteen; libxml2 gives up past 256 levels. Deeper is a page built to be slow (hundreds of thousands
# of empty elements), refused as soon as it is seen. Cards left open, each holding its text, still nest
# as deep as they like: only the levels without text count.
BARE_LEVELS = 256

_T = TypeVar("_T")
# When the page being read must be done (time.monotonic()), and the limit it was given.
_DEADLINE: ContextVar[tuple[float, float] | None] = ContextVar("page_deadline", default=None)


def strip_controls(text: str) -> str:
    return _CONTROL.sub("", text) if _CONTROL.search(text) else text


def scrub(result: _T) -> _T:
    """`result` (a parsed page, or one of its parts) with control characters removed from every text."""
    if isinstance(result, str):
        return strip_controls(result)  # type: ignore[return-value]
    if isinstance(result, list):
        return [scrub(item) for item in result]  # type: ignore[return-value]
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        changes: dict[str, object] = {}
        for name in _field_names(type(result)):
            value = getattr(result, name)
            if type(value) is str:  # most fields: checked here, without a call per field
                if _CONTROL.search(value):
                    changes[name] = _CONTROL.sub("", value)
            elif value is None or isinstance(value, int | float | date):
                continue
            elif isinstance(value, str | list) or dataclasses.is_dataclass(value):
                cleaned = scrub(value)
                if cleaned != value:
                    changes[name] = cleaned
        return dataclasses.replace(result, **changes) if changes else result
    return result


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(field.name for field in dataclasses.fields(cls))


def web_link(raw: str | None) -> str | None:
    """A link people may be shown: `http(s)` as is, `/…` on AlloCiné. Anything else (`javascript:`,
    `data:`, relative junk, credentials before the host, spaces) → None."""
    if raw is None:
        return None
    link = raw.strip()
    if link.startswith("/") and not link.startswith("//"):
        link = SITE + link
    if len(link) > 2000 or not link.isprintable() or any(char.isspace() for char in link):
        return None
    try:
        parts = urlsplit(link)
        host, _port = parts.hostname, parts.port  # a port that is not a number raises
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or "@" in parts.netloc or not host:
        return None
    return link if _HOST.match(host) else None


def site_link(site: str) -> str | None:
    """The site a page names in words (`Voir la critique sur www.lepoint.fr`) as a link."""
    site = site.strip().rstrip(".")
    return web_link(site if "://" in site else f"https://{site}")


@dataclass(frozen=True)
class Reading:
    """What one page is read against: the day it is read (dates after tomorrow are impossible) and the
    seconds it may take (None: no limit)."""

    today: date = field(default_factory=date.today)
    seconds: float | None = PARSE_SECONDS

    @contextmanager
    def timed(self) -> Iterator[None]:
        """The parsers' loops call `tick()` while inside: past the limit, it raises PageTooSlow.

        A limit set by an outer reading (parse_html reading its text layer) is kept. The cyclic
        garbage collector waits meanwhile (see _collector_paused)."""
        with _collector_paused():
            if self.seconds is None or _DEADLINE.get() is not None:
                yield
                return
            token = _DEADLINE.set((time.monotonic() + self.seconds, self.seconds))
            try:
                yield
            finally:
                _DEADLINE.reset(token)

    def checked_date(self, published: date | None, where: str, warnings: list[str]) -> date | None:
        """`published`, unless it is after tomorrow or before the site's reviews began: then None and
        a warning. Tomorrow passes: the site's clock and ours may sit in different time zones."""
        if published is None:
            return None
        if published > self.today + timedelta(days=1):
            warnings.append(f"{where} : date de publication dans le futur ({published:%d/%m/%Y}), ignorée")
            return None
        if published < EARLIEST_REVIEW:
            warnings.append(f"{where} : date de publication trop ancienne ({published:%d/%m/%Y}), ignorée")
            return None
        return published


class PageTooDeep(PageError):
    """HTML whose elements nest more than BARE_LEVELS deep without text: refused, read no further.

    Reported as an unreadable page (code and params as Problem.of expects), with its reason."""

    code = "page_unreadable"

    def __init__(self, levels: int = BARE_LEVELS) -> None:
        self.levels = levels
        super().__init__(f"plus de {levels} éléments imbriqués sans texte, page refusée (piégée ?)")

    @property
    def params(self) -> dict[str, str]:
        return {"reason": self.message}


# Readings under way in any thread, and whether the collector ran before the first of them.
_PAUSE_LOCK = threading.Lock()
_pausing = 0
_collector_was_on = False


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Reading a page allocates a node, a line or a tuple per few bytes, all kept until the end: the
    cyclic collector would walk them again and again as they pile up (a quarter to a third of the
    reading time, measured), and can free none of them. It waits while any page is read, in any
    thread, and runs again after the last one (reference counting frees everything else as usual)."""
    global _pausing, _collector_was_on
    with _PAUSE_LOCK:
        if not _pausing:
            _collector_was_on = gc.isenabled()
            gc.disable()
        _pausing += 1
    try:
        yield
    finally:
        with _PAUSE_LOCK:
            _pausing -= 1
            if not _pausing and _collector_was_on:
                gc.enable()


def tick() -> None:
    """Raise PageTooSlow when the page being read is past its time limit (see Reading.timed)."""
    deadline = _DEADLINE.get()
    if deadline is not None and time.monotonic() > deadline[0]:
        raise PageTooSlow(deadline[1])
