"""The daily digest: what is new for a server since its last digest, as one Answer that fits Discord,
and the ledger steps around posting it (bot/discord_ui/posting.py posts; `critibot digest --preview`
shows it).

Composing only reads. Exactly once per server and day: the poster claims the day in the ledger
(`claim_day`) before composing and records the outcome and the marks (`record`) after sending.
Everything here is sync: the poster runs it in threads.
"""

from __future__ import annotations

import logging
import random
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from bot import charts, texts
from bot.answers.citation import citation
from bot.answers.context import AnswerContext
from bot.answers.film_answers import rating_text
from bot.answers.film_arg import FilmQuery, Resolved
from bot.answers.model import (
    EMBED_TOTAL_MAX,
    FIELD_NAME_MAX,
    FIELD_VALUE_MAX,
    FIELDS_MAX,
    Answer,
    Field,
    Page,
    fit,
    shorten,
)
from bot.answers.pictures import image
from bot.answers.quotes import sentences
from bot.answers.safe import literal
from bot.wording import figures_change, long_date, plural
from storage import changes, digest_ledger, follows, guild_settings
from storage.changes import Marks

# The ledger's answers, for the poster (bot/discord_ui/posting.py): Discord code goes through here.
from storage.digest_ledger import Busy as Busy
from storage.digest_ledger import Claimed as Claimed
from storage.digest_ledger import Settled as Settled
from storage.guild_settings import DigestSettings
from storage.titles import TitleIndex
from storage.watchlist import WatchlistError, load_watchlist

log = logging.getLogger(__name__)
_CUT_MARK = re.compile(r"^\s*\(\.\.\.\)\s*")  # press quotes often start with "(...)"
FIRST_WINDOW = timedelta(hours=24)  # a server's first digest looks back this far, no further
READ_MAX = 1000  # new spectator reviews read (the most notable); counts cover the rest
PRESS_READ_MAX = 200
EXCERPT_MAX = 150
WHO_MAX = 60
REVIEWS_PER_FILM = 3
PRESS_PER_FILM = 4
PRESS_FILMS_MAX = 3
# Characters set aside, of the 6 000 a message may carry, for the parts after the spectators' films.
PRESS_BUDGET = 1500
MOVED_BUDGET = 700
ALSO_BUDGET = 500
MORE_NAMES_MAX = 150
QUOTE_FILMS_TRIED = 5  # a server's films tried, at random, for the quote of the day
NewReview = TypeVar("NewReview", changes.NewSpectatorReview, changes.NewPressReview)
SAFETY = 40  # slack for the "Page" markers and rounding: never brush against the limit


@dataclass(frozen=True)
class Digest:
    """A composed digest, and the high-water marks to record in the ledger once it is posted."""

    answer: Answer
    is_empty: bool
    spectator_upto: int | None
    press_upto: int | None
    first: bool  # no previous digest: it covers the last 24 hours
    new_spectator: int = 0
    new_press: int = 0
    moved: int = 0


def compose_digest(
    engine: Engine,
    guild_id: int | None,
    *,
    now: datetime,
    zone: ZoneInfo,
    rng: random.Random | None = None,
    films: Collection[int] | None = None,
    day: date | None = None,
) -> Digest:
    """The digest `guild_id` gets at `now`: reviews after its last digest's marks (first digest: those
    first seen in the last 24 hours), films whose average moved since then, and a quote of the day
    (the same all day for a server: chance is seeded with the server and the day).

    `guild_id` None composes the digest of a server that never had one (the preview's default).
    `films`: the films it covers (`server_films`); None: every film. `day`: the day it is for (default:
    the local day of `now`; a job that runs late posts the day it was scheduled for).
    """
    day = day or now.astimezone(zone).date()
    # Marks first: whatever is stored while we read has a higher id and goes to the next digest.
    marks = changes.max_ids(engine)
    previous = digest_ledger.last_digest(engine, guild_id) if guild_id is not None else None
    if previous is None:
        since: datetime | None = now - FIRST_WINDOW
        after_spectator = after_press = None
        moved_since = now - FIRST_WINDOW
    else:
        since = None
        after_spectator, after_press = previous.spectator_upto or 0, previous.press_upto or 0
        moved_since = previous.claimed_at  # as the database gave it: compared there, unchanged

    spectator_counts: dict[int, int] = {}
    reviews: list[changes.NewSpectatorReview] = []
    if marks.spectator is not None:
        window: changes.Window = {
            "after_id": after_spectator,
            "since": since,
            "upto": marks.spectator,
            "films": films,
        }
        spectator_counts = changes.new_review_counts(engine, "spectateurs", **window)
        if spectator_counts:
            reviews = changes.new_spectator_reviews(engine, **window, limit=READ_MAX)
    press_counts: dict[int, int] = {}
    press: list[changes.NewPressReview] = []
    if marks.press is not None:
        window = {"after_id": after_press, "since": since, "upto": marks.press, "films": films}
        press_counts = changes.new_review_counts(engine, "presse", **window)
        if press_counts:
            press = changes.new_press_reviews(engine, **window, limit=PRESS_READ_MAX)
    moved = changes.moved_films(engine, moved_since, films)

    first = previous is None
    title = texts.DIGEST_TITLE.format(date=long_date(day))
    footer = texts.DIGEST_SINCE_DAY if first else texts.DIGEST_SINCE_LAST
    is_empty = not spectator_counts and not press_counts and not moved
    if is_empty:
        line = texts.DIGEST_EMPTY_DAY if first else texts.DIGEST_EMPTY
        answer = Answer(title=title, pages=(Page(line),), footer=footer, tone="info")
    else:
        quote = _quote(engine, guild_id, day, rng, films)
        answer = _answer(title, footer, spectator_counts, reviews, press_counts, press, moved, quote)
        # One picture when two films or more moved: before → after (drawn when posted).
        answer = replace(answer, image=image(charts.moves_chart(moved, day)))
    return Digest(
        answer=fit(answer),
        is_empty=is_empty,
        spectator_upto=marks.spectator,
        press_upto=marks.press,
        first=first,
        new_spectator=sum(spectator_counts.values()),
        new_press=sum(press_counts.values()),
        moved=len(moved),
    )


def server_films(engine: Engine, guild_id: int | None, watchlist: Path) -> frozenset[int] | None:
    """The films `guild_id`'s digest covers: those it follows (/suivre), or when it follows none (or is
    None: the preview's server without history) the operator's watchlist. None (every film) only when
    the watchlist cannot be read: a broken file must not silence every digest."""
    if guild_id is not None and (followed := follows.followed_ids(engine, guild_id)):
        return followed
    try:
        return follows.watched_ids(engine, load_watchlist(watchlist))
    except WatchlistError as problem:
        log.warning("résumé : %s ; il couvre tous les films", problem)
        return None


def server_digest(
    engine: Engine,
    guild_id: int | None,
    *,
    now: datetime,
    zone: ZoneInfo,
    watchlist: Path,
    day: date | None = None,
) -> Digest:
    """`compose_digest` over the server's own films (`server_films`): what is posted and previewed."""
    films = server_films(engine, guild_id, watchlist)
    return compose_digest(engine, guild_id, now=now, zone=zone, films=films, day=day)


# --- the answer ------------------------------------------------------------------------------------------


def _answer(
    title: str,
    footer: str,
    spectator_counts: dict[int, int],
    reviews: list[changes.NewSpectatorReview],
    press_counts: dict[int, int],
    press: list[changes.NewPressReview],
    moved: list[changes.MovedFilm],
    quote: str | None,
) -> Answer:
    summary = []
    if spectator_counts:
        summary.append(
            texts.DIGEST_SUMMARY_SPECTATORS.format(
                reviews=_plural(sum(spectator_counts.values()), texts.DIGEST_NEW_REVIEW),
                films=plural(len(spectator_counts), "film"),
            )
        )
    if press_counts:
        summary.append(
            texts.DIGEST_SUMMARY_PRESS.format(
                reviews=_plural(sum(press_counts.values()), texts.DIGEST_NEW_REVIEW)
            )
        )
    if moved:
        summary.append(texts.DIGEST_SUMMARY_MOVED.format(films=plural(len(moved), "film")))
    description = " · ".join(summary)

    # The parts after the spectators are built first so that the spectators get what they leave.
    budget = EMBED_TOTAL_MAX - len(title) - len(footer) - len(description) - SAFETY
    tail: list[Field] = []
    press_fields, press_left = _press_fields(press_counts, press)
    if moved:
        tail.append(_moved_field(moved))
    if quote:
        tail.append(Field(texts.DIGEST_QUOTE, quote))
    budget -= _size(press_fields) + _size(tail) + ALSO_BUDGET
    slots = FIELDS_MAX - len(press_fields) - len(tail) - 1  # one left for "Et aussi"
    film_fields, films_left = _spectator_fields(spectator_counts, reviews, budget, slots)

    also = []
    if films_left:
        also.append(_more_films(texts.DIGEST_MORE_FILMS, films_left))
    if press_left:
        also.append(_more_films(texts.DIGEST_MORE_PRESS, press_left))
    if also:
        also.append(texts.DIGEST_MORE_HINT)
        tail.append(Field(texts.DIGEST_ALSO, shorten("\n".join(also), ALSO_BUDGET - len(texts.DIGEST_ALSO))))
    fields = (*film_fields, *press_fields, *tail)
    return Answer(title=title, pages=(Page(description, fields),), footer=footer, tone="info")


def _spectator_fields(
    counts: dict[int, int], reviews: list[changes.NewSpectatorReview], budget: int, slots: int
) -> tuple[list[Field], list[str | None]]:
    def heading(label: str, count: int) -> str:
        return texts.DIGEST_FILM.format(film=literal(label), reviews=_plural(count, texts.DIGEST_NEW_REVIEW))

    return _film_fields(counts, reviews, heading, _review_line, REVIEWS_PER_FILM, budget, slots)


def _press_fields(
    counts: dict[int, int], press: list[changes.NewPressReview]
) -> tuple[list[Field], list[str | None]]:
    def heading(label: str, _count: int) -> str:
        return texts.DIGEST_PRESS.format(film=literal(label))

    return _film_fields(counts, press, heading, _press_line, PRESS_PER_FILM, PRESS_BUDGET, PRESS_FILMS_MAX)


def _film_fields(
    counts: dict[int, int],
    reviews: Sequence[NewReview],
    heading: Callable[[str, int], str],
    line: Callable[[NewReview], str],
    per_film: int,
    budget: int,
    slots: int,
) -> tuple[list[Field], list[str | None]]:
    """One field per film, the films with the most new reviews first; the names of those left out."""
    by_film: dict[int, list[NewReview]] = {}
    for review in reviews:
        by_film.setdefault(review.film_id, []).append(review)
    labels = {r.film_id: _film_label(r.film_title, r.film_year) for r in reviews}
    order = sorted(counts, key=lambda film_id: (-counts[film_id], labels.get(film_id, "")))
    fields: list[Field] = []
    left: list[str | None] = []
    for film_id in order:
        shown = by_film.get(film_id, [])
        field = None
        if shown and len(fields) < slots:
            lines = [line(r) for r in shown[:per_film]]
            field = _lines_field(heading(labels[film_id], counts[film_id]), lines, counts[film_id], budget)
        if field is None:
            # No room, or none of its reviews read (a flood beyond READ_MAX): counted in "Et aussi".
            left.append(labels.get(film_id))
            continue
        fields.append(field)
        budget -= len(field.name) + len(field.value)
    return fields, left


def _lines_field(name: str, lines: list[str], total: int, budget: int) -> Field | None:
    """As many of `lines` as fit (in the field and in `budget`), then "et N autres…"; None if none fits."""
    name = shorten(name, FIELD_NAME_MAX)
    room = min(FIELD_VALUE_MAX, budget - len(name))
    kept: list[str] = []
    for line in lines:
        more = _more(total - len(kept) - 1)
        if len("\n".join([*kept, line, more]).strip()) > room:
            break
        kept.append(line)
    if not kept:
        return None
    more = _more(total - len(kept))
    return Field(name, "\n".join([*kept, more]).strip())


def _moved_field(moved: list[changes.MovedFilm]) -> Field:
    lines: list[str] = []
    for number, film in enumerate(moved):
        line = texts.DIGEST_MOVED_LINE.format(
            film=literal(_film_label(film.title, film.year)), change=change(film)
        )
        more = _more(len(moved) - number - 1)
        if len("\n".join([*lines, line, more]).strip()) > MOVED_BUDGET - len(texts.DIGEST_MOVED):
            break
        lines.append(line)
    lines.append(_more(len(moved) - len(lines)))
    return Field(texts.DIGEST_MOVED, "\n".join(lines).strip())


def change(film: changes.MovedFilm) -> str:
    """`2,2 → 2,3, +12 notes`: what moved, in the site's own precision."""
    return figures_change(film.average_before, film.average_after, film.ratings_before, film.ratings_after)


def _review_line(review: changes.NewSpectatorReview) -> str:
    who = literal(shorten(review.author, WHO_MAX)) if review.author else texts.DIGEST_ANONYMOUS
    return texts.DIGEST_REVIEW_LINE.format(
        who=who, rating=rating_text(review.rating), excerpt=literal(one_sentence(review.text))
    )


def _press_line(review: changes.NewPressReview) -> str:
    who = shorten(review.outlet, WHO_MAX)
    if review.critic:
        who += f", {shorten(review.critic, WHO_MAX)}"
    rating = f" · {rating_text(review.rating)}" if review.rating is not None else ""
    body = f"« {literal(one_sentence(review.quote))} »" if review.quote else texts.DIGEST_PRESS_LINK_ONLY
    return texts.DIGEST_PRESS_LINE.format(who=literal(who), rating=rating, body=body)


def one_sentence(text: str, limit: int = EXCERPT_MAX) -> str:
    """The review's first sentence, cut on a word if it is longer than `limit`."""
    first = next(iter(sentences(_CUT_MARK.sub("", text))), "")
    return shorten(first, limit)


def _more_films(templates: tuple[str, str], names: Sequence[str | None]) -> str:
    """`et 3 autres films … : A, B, C`; films whose title was not read count without a name."""
    known = [n for n in names if n]
    listed = shorten(", ".join(known) + (", …" if len(known) < len(names) else ""), MORE_NAMES_MAX)
    template = templates[0] if len(names) == 1 else templates[1]
    return template.format(count=len(names), films=literal(listed))


def _more(count: int) -> str:
    if count <= 0:
        return ""
    return texts.DIGEST_MORE[0] if count == 1 else texts.DIGEST_MORE[1].format(count=count)


def _plural(n: int, forms: tuple[str, str]) -> str:
    return plural(n, forms[0], forms[1])


def _film_label(title: str, year: int | None) -> str:
    return f"{title} ({year})" if year else title


def _size(fields: Sequence[Field]) -> int:
    return sum(len(f.name) + len(f.value) for f in fields)


# --- the quote of the day --------------------------------------------------------------------------------


def _quote(
    engine: Engine,
    guild_id: int | None,
    day: date,
    rng: random.Random | None,
    films: Collection[int] | None = None,
) -> str | None:
    """/citation's pick, with chance seeded by the server and the day: the same quote all day long.
    From one of `films` when given (a server's digest quotes the films it covers), else any film."""
    rng = rng or random.Random(f"critibot-digest:{guild_id or 0}:{day.isoformat()}")
    ctx = AnswerContext(engine=engine, titles=TitleIndex(), rng=rng)
    if films is None:
        choices: list[FilmQuery] = [None]
    else:
        order = sorted(films)
        rng.shuffle(order)
        choices = [Resolved(film_id) for film_id in order[:QUOTE_FILMS_TRIED]]
    for film in choices:
        answer = citation(ctx, film, scope="digest")
        if not (answer.ephemeral or answer.tone == "error"):  # else nothing quotable there
            return answer.description
    return None


# --- the ledger: once per server and day -----------------------------------------------------------------


def unsettled_day(engine: Engine, guild_id: int, before: date) -> date | None:
    """A day before `before` whose digest may have been posted without being recorded (its process
    died, never taken over that day): the next digest settles it first, or would announce it again."""
    row = digest_ledger.unsettled_before(engine, guild_id, before)
    return row.day if row is not None else None


def renew_lease(engine: Engine, ledger_id: int, owner: str, until: datetime) -> bool:
    """Extend `owner`'s lease on a claimed day; False when the day is no longer its own."""
    return digest_ledger.renew(engine, ledger_id, owner, until)


@dataclass(frozen=True)
class DayClaim:
    """Whether a server's digest may be posted now.

    `channel_id` None: the server has no digest. Else `state` says who holds the day: this caller
    (`Claimed`: it must `record` it), another process (`Busy`), or nobody any more (`Settled`).
    """

    channel_id: int | None
    state: digest_ledger.Claim | None = None

    @property
    def ledger_id(self) -> int | None:
        """The ledger row this caller must record, if it claimed the day."""
        return self.state.ledger_id if isinstance(self.state, digest_ledger.Claimed) else None


def claim_day(
    engine: Engine,
    guild_id: int,
    *,
    now: datetime,
    zone: ZoneInfo,
    day: date | None = None,
    owner: str = "",
    lease: timedelta = timedelta(minutes=3),
    wall: datetime | None = None,
) -> DayClaim:
    """Claim `guild_id`'s digest of `day` (default: the local day of `now`), whatever its channel;
    leases are read by `wall` (default `now`)."""
    chosen = guild_settings.get(engine, guild_id)
    if not chosen.enabled or chosen.channel_id is None:
        return DayClaim(None)
    day = day or now.astimezone(zone).date()
    state = digest_ledger.take(
        engine, guild_id, chosen.channel_id, day, now, owner=owner, lease=lease, wall=wall
    )
    return DayClaim(chosen.channel_id, state)


def prepare(
    engine: Engine, ledger_id: int, owner: str, channel_id: int, digest: Digest, until: datetime
) -> bool:
    """Before posting: the marks of what the message announces, recorded with the claim, its lease
    renewed to `until`. False: the day is no longer `owner`'s, it must not post."""
    return digest_ledger.prepare(
        engine,
        ledger_id,
        owner,
        channel_id=channel_id,
        spectator_upto=digest.spectator_upto,
        press_upto=digest.press_upto,
        until=until,
    )


def record(
    engine: Engine,
    ledger_id: int,
    status: str,
    digest: Digest | Marks | None,
    *,
    message_id: int | None = None,
    error: str | None = None,
    owner: str | None = None,
    channel_id: int | None = None,
) -> bool:
    """Complete a claimed day: how it ended, and the marks the next digest starts after (a Digest's, or
    those a previous holder prepared). With `owner`: only while the claim is its own."""
    if isinstance(digest, Marks):
        spectator, press = digest.spectator, digest.press
    else:
        spectator = digest.spectator_upto if digest else None
        press = digest.press_upto if digest else None
    return digest_ledger.complete(
        engine,
        ledger_id,
        status=status,
        message_id=message_id,
        error=error,
        spectator_upto=spectator,
        press_upto=press,
        now=datetime.now(UTC),
        owner=owner,
        channel_id=channel_id,
    )


def enabled_servers(engine: Engine) -> list[DigestSettings]:
    return guild_settings.all_enabled(engine)


def _due_time(digest_time: str) -> time:
    try:
        hour, minute = (int(part) for part in digest_time.split(":"))
        return time(hour, minute)
    except ValueError:
        log.warning("heure de résumé illisible : %r (09:00 par défaut)", digest_time)
        return time(9, 0)


def is_due(digest_time: str, local: datetime) -> bool:
    """Whether a digest set for `digest_time` ("HH:MM", local) is due at the local time `local`."""
    return local.time() >= _due_time(digest_time)  # .time() of an aware datetime is naive: wall clock


def scheduled_day(digest_time: str, now: datetime, zone: ZoneInfo) -> date:
    """The local day of the latest `digest_time` at or before `now`: the day a job that fires (maybe
    late) at `now` is for. A 23:30 job run at 00:10 posts the digest of the day before."""
    local = now.astimezone(zone)
    return local.date() if is_due(digest_time, local) else local.date() - timedelta(days=1)


def due_day(
    engine: Engine, chosen: DigestSettings, now: datetime, zone: ZoneInfo, grace: timedelta
) -> date | None:
    """The day whose digest is due at `now` and not settled yet: today's once its hour has passed, or
    yesterday's within `grace` after its hour (the scheduler's misfire grace). None: nothing due."""
    day = scheduled_day(chosen.time, now, zone)
    local = now.astimezone(zone)
    if day != local.date():
        fired = datetime.combine(day, _due_time(chosen.time), tzinfo=zone)
        if now - fired > grace:
            return None
    return None if digest_ledger.settled(engine, chosen.guild_id, day) else day


def due_today(engine: Engine, chosen: DigestSettings, local: datetime) -> bool:
    """Whether the server's hour has passed at `local` and its day is not settled yet."""
    return is_due(chosen.time, local) and not digest_ledger.settled(engine, chosen.guild_id, local.date())
