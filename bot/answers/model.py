"""What a command answers: plain data that Discord and the terminal each render their own way."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Literal
from urllib.parse import urlsplit

Tone = Literal["good", "mixed", "bad", "neutral", "info", "error"]

# Discord's embed limits: an Answer that respects them is never rejected.
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
EMBED_TOTAL_MAX = 6000
URL_MAX = 2048  # longer addresses are not shown


def web_url(url: str | None) -> str | None:
    """`url` if it is an http(s) address with a host and nothing odd in it, else None: what an
    embed's link or picture may hold (never `javascript:`, `file:`, `attachment:` or a bare path)."""
    if not isinstance(url, str) or not url or len(url) > URL_MAX:
        return None
    if any(c.isspace() or ord(c) < 32 or c in '<>"\\' for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return url


def shorten(text: str, limit: int) -> str:
    """Cut `text` to `limit` characters on a word boundary, ending with "…"."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + "…"


@dataclass(frozen=True)
class Field:
    name: str
    value: str
    inline: bool = False


@dataclass(frozen=True)
class Page:
    """One screen of an answer: Discord shows one page at a time with ◀ ▶ buttons."""

    description: str = ""
    fields: tuple[Field, ...] = ()


@dataclass(frozen=True)
class Pick:
    """A film the asker may pick to run the same command on it (Discord shows a button): `value` is what
    the film option then receives (`allocine:123`)."""

    label: str
    value: str


@dataclass(frozen=True)
class Image:
    """A picture sent with the answer (a chart): Discord shows it as the embed's image
    (`attachment://<name>`), with `description` as its alt text; the terminal writes it to a file.

    The answer carries how to draw it, not its bytes: drawing is slow (tens of ms), so the edge that
    sends it draws it, off the event loop (bot/discord_ui/views.attach), and `--json` never does."""

    name: str  # ASCII file name, `note-12.png`
    description: str  # the same numbers in words, for who cannot see the picture
    draw: Callable[[], bytes] = field(repr=False, compare=False)

    @property
    def png(self) -> bytes:
        """The PNG: drawn on first need, then from the charts' cache. Blocking: not on the event loop."""
        return self.draw()

    @property
    def url(self) -> str:
        return f"attachment://{self.name}"


@dataclass(frozen=True)
class Answer:
    title: str
    pages: tuple[Page, ...] = (Page(),)
    footer: str | None = None
    url: str | None = None
    tone: Tone = "neutral"
    ephemeral: bool = False  # errors and refusals are shown only to the person who asked
    film_id: int | None = None  # the film the answer is about, when there is one
    thumbnail: str | None = None  # a picture's address (the film's poster): http(s) only is shown
    picks: tuple[Pick, ...] = ()  # films to choose from ("Vouliez-vous dire…"): the same command on each
    image: Image | None = None  # a chart, drawn when sent

    @property
    def description(self) -> str:
        return self.pages[0].description

    @property
    def fields(self) -> tuple[Field, ...]:
        return self.pages[0].fields

    def text(self) -> str:
        """Everything the answer says, for tests and logs."""
        parts = [self.title]
        for page in self.pages:
            parts.append(page.description)
            parts.extend(f"{f.name}\n{f.value}" for f in page.fields)
        if self.footer:
            parts.append(self.footer)
        return "\n".join(p for p in parts if p)


def fit(answer: Answer) -> Answer:
    """The same answer, cut where needed so that every page fits Discord's limits."""
    title = shorten(answer.title, TITLE_MAX)
    footer = shorten(answer.footer, FOOTER_MAX) if answer.footer else None
    budget = EMBED_TOTAL_MAX - len(title) - len(footer or "")
    pages = tuple(_fit_page(page, budget) for page in answer.pages) or (Page(),)
    return replace(answer, title=title, footer=footer, pages=pages)


def _fit_page(page: Page, budget: int) -> Page:
    fields: list[Field] = []
    used = 0
    for f in page.fields[:FIELDS_MAX]:
        fitted = Field(
            shorten(f.name, FIELD_NAME_MAX) or "\u200b",
            shorten(f.value, FIELD_VALUE_MAX) or "\u200b",
            f.inline,
        )
        size = len(fitted.name) + len(fitted.value)
        if used + size > budget - 200:  # keep room for the description
            break
        fields.append(fitted)
        used += size
    description = shorten(page.description, min(DESCRIPTION_MAX, max(budget - used, 0)))
    return Page(description=description, fields=tuple(fields))


def paginate(
    lines: list[str], *, per_page: int = 10, header: str = "", max_chars: int = 3500
) -> tuple[Page, ...]:
    """Split lines into pages of at most `per_page` lines and `max_chars` characters each."""
    pages: list[Page] = []
    current: list[str] = []
    size = len(header)
    for line in lines:
        line = shorten(line, max_chars - len(header) - 2)
        if current and (len(current) >= per_page or size + len(line) + 1 > max_chars):
            pages.append(Page(description="\n".join([header, *current]).strip()))
            current, size = [], len(header)
        current.append(line)
        size += len(line) + 1
    if current or not pages:
        pages.append(Page(description="\n".join([header, *current]).strip()))
    return tuple(pages)
