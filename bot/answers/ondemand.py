"""Answers for a film the catalogue lacks: AlloCiné asked through the OnDemand service (storage/ondemand.py).

The catalogue first (bot/answers/film_arg.py); when it is not sure, AlloCiné's search. One clear film
(`clear_film`: the catalogue's own rule, on the same 0–100 scale: the best candidate scores ≥ 92 and leads
the next by ≥ 4, or ≥ 80 with a lead of ≥ 8; an exact title with the year typed scores 100 and a
namesake of another year 85) is read now, stored, added to the title index, and the command answers as
for any film. Several: "Vouliez-vous dire…" with AlloCiné's title, year and directors, each a Pick
(a button on Discord; `Titre (année)` typed in the console finds it clearly). None: said plainly.
AlloCiné unreachable, blocked, too slow or past a budget: said plainly, nothing stored.

Who asks (`Asking`: the budget's scope, and what to do just before AlloCiné is asked, which Discord uses
to show "Je consulte AlloCiné…" at once) is set by bot/answers/commands.py `run` for the thread that
answers, so that the commands' signatures need not carry it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass

from bot import texts
from bot.answers.context import AnswerContext
from bot.answers.model import Answer, Page, Pick
from bot.answers.safe import literal
from bot.wording import plural
from storage.ondemand import OverBudget, film_by_allocine_id, title_entry
from storage.sources.allocine import FetchError
from storage.sources.film_pages import PageRefused
from storage.sources.search import SearchCandidate, SearchResult, cached_candidates, search_query
from storage.titles import MIN_SCORE, allocine_value, clearly_found, parse_allocine_value

log = logging.getLogger(__name__)

PICKS_MAX = 10  # candidates offered (two rows of five buttons on Discord)
PICK_LABEL_MAX = 80  # Discord's limit for a button's label


def error(message: str) -> Answer:
    """An answer that says what went wrong, to the asker only (bot/answers/film_arg.py re-exports it)."""
    return Answer(title=texts.ERROR_TITLE, pages=(Page(message),), tone="error", ephemeral=True)


def allocine_id_of(value: str) -> tuple[int, bool] | None:
    """`allocine:123` → (123, False), `allocine:series:45` → (45, True), as storage/titles.py writes
    autocomplete values; anything else → None."""
    ref = parse_allocine_value(value)
    if ref is None or ref.allocine_id == 0:
        return None
    return ref.allocine_id, ref.kind == "series"


def is_question(answer: Answer) -> bool:
    """Whether the catalogue's answer asks the user to choose among its films."""
    return answer.title == texts.FILM_AMBIGUOUS_TITLE


@dataclass(frozen=True)
class Asking:
    """Who asks: `scope` is the budget they count against ("guild:<id>", "user:<id>", "console"), and
    `consulting` is called (from the answering thread) just before AlloCiné is asked."""

    scope: str = "console"
    consulting: Callable[[], None] | None = None

    def consult(self) -> None:
        if self.consulting is not None:
            self.consulting()


_ASKING: ContextVar[Asking | None] = ContextVar("asking", default=None)


def asking() -> Asking:
    """Who asks, in this answering thread (the console when nobody said)."""
    return _ASKING.get() or Asking()


def ask_as(who: Asking) -> Callable[[], None]:
    """Set who asks for this thread's answer; the returned function undoes it."""
    token = _ASKING.set(who)
    return lambda: _ASKING.reset(token)


@dataclass(frozen=True)
class Found:
    """AlloCiné's search for a query, decided: `clear` is the one film meant; else `choices` (films
    close enough to ask about), and `series` whether only series matched."""

    clear: SearchCandidate | None
    choices: tuple[SearchCandidate, ...]
    series: bool


def decide(candidates: Sequence[SearchCandidate]) -> Found:
    """One clear film, several to choose from, or none (see the module docstring)."""
    films = [c for c in candidates if c.kind == "film"]
    best = films[0] if films else None
    if best is not None:
        second = films[1].score if len(films) > 1 else 0.0
        if clearly_found(best.score, second):
            return Found(best, (), False)
    close = tuple(c for c in films if c.score >= MIN_SCORE)[:PICKS_MAX]
    series = not close and any(c.kind == "series" and c.score >= MIN_SCORE for c in candidates)
    return Found(None, close, series)


def film_online(ctx: AnswerContext, query: str, command: str, fallback: Answer) -> int | Answer:
    """The catalogue was not sure of `query` (its answer: `fallback`): the film AlloCiné names clearly,
    read now if needed, or the answer that says why there is none."""
    ondemand = ctx.ondemand
    assert ondemand is not None
    who = asking()
    deadline = ondemand.deadline()
    shown = literal(query)
    if (allocine := allocine_id_of(query)) is not None:
        allocine_id, series = allocine
        if series:
            return error(texts.ONDEMAND_SERIES.format(title=shown))
        return _film(ctx, allocine_id, who, deadline, shown)
    if not search_query(query):
        return fallback  # nothing to search (emoji, punctuation): never sent
    try:
        result = _search(ctx, query, who, deadline)
    except (FetchError, OverBudget) as problem:
        return trouble(problem, shown)
    found = decide(result.candidates)
    if found.clear is not None:
        return _film(ctx, found.clear.allocine_id, who, deadline, shown)
    if found.choices:
        return _several(found.choices, shown, command)
    if is_question(fallback):
        return fallback  # the catalogue's own close films are a better question than nothing
    if found.series:
        return error(texts.ONDEMAND_SERIES_ONLY.format(query=shown))
    description = texts.ONDEMAND_NONE.format(query=shown)
    suggestions = fallback.description.split("\n")[1:]  # the catalogue's nearest films, if it had some
    return Answer(
        title=texts.FILM_NONE_TITLE,
        pages=(Page("\n".join([description, *suggestions])),),
        tone="info",
        ephemeral=True,
    )


def allocine_lines(ctx: AnswerContext, query: str) -> list[str]:
    """/film's lines for AlloCiné's films that the catalogue has not read yet (none without on-demand)."""
    if ctx.ondemand is None or not search_query(query):
        return []
    try:
        result = _search(ctx, query, asking())
    except (FetchError, OverBudget) as problem:
        return ["", texts.SEARCH_ALLOCINE_TROUBLE.format(reason=trouble(problem, literal(query)).description)]
    close = [c for c in result.candidates if c.kind == "film" and c.score >= MIN_SCORE]
    unread = [c for c in close if film_by_allocine_id(ctx.engine, c.allocine_id) is None][:PICKS_MAX]
    if not unread:
        return []
    lines = [texts.SEARCH_ALLOCINE_LINE.format(film=candidate_text(c)) for c in unread]
    return ["", texts.SEARCH_ALLOCINE, *lines]


def _search(ctx: AnswerContext, query: str, who: Asking, deadline: float | None = None) -> SearchResult:
    """AlloCiné's search for `query`, the asker told first when it is not in the cache."""
    ondemand = ctx.ondemand
    assert ondemand is not None
    if cached_candidates(ctx.engine, query) is None:
        who.consult()
    return ondemand.search(query, scope=who.scope, deadline=deadline)


def _film(ctx: AnswerContext, allocine_id: int, who: Asking, deadline: float, shown: str) -> int | Answer:
    """The catalogue's film for `allocine_id`, read now when it has none."""
    known = film_by_allocine_id(ctx.engine, allocine_id)
    if known is not None:
        return known.film_id
    ondemand = ctx.ondemand
    assert ondemand is not None
    who.consult()
    try:
        read = ondemand.read(allocine_id, scope=who.scope, deadline=deadline)
    except (FetchError, OverBudget, PageRefused) as problem:
        return trouble(problem, shown)
    entry = title_entry(ctx.engine, read.film_id)
    if entry is not None:
        ctx.add_title(entry)
    return read.film_id


def _several(choices: Sequence[SearchCandidate], shown: str, command: str) -> Answer:
    lines = [texts.ONDEMAND_SEVERAL.format(query=shown), ""]
    lines += [texts.ONDEMAND_LINE.format(film=candidate_text(c)) for c in choices]
    first = choices[0]
    example = f"{first.title} ({first.year})" if first.year else first.title
    lines += ["", texts.ONDEMAND_SEVERAL_HINT.format(command=command, example=literal(example))]
    picks = tuple(Pick(_pick_label(c), allocine_value(c.allocine_id)) for c in choices)
    return Answer(
        title=texts.FILM_AMBIGUOUS_TITLE,
        pages=(Page("\n".join(lines)),),
        tone="info",
        ephemeral=True,
        picks=picks,
    )


def candidate_text(candidate: SearchCandidate) -> str:
    """`Inception (2010) — de Christopher Nolan`, escaped for Discord."""
    text = literal(f"{candidate.title} ({candidate.year})" if candidate.year else candidate.title)
    if candidate.directors:
        text += texts.ONDEMAND_BY.format(directors=literal(", ".join(candidate.directors[:3])))
    return text


def _pick_label(candidate: SearchCandidate) -> str:
    tail = f" ({candidate.year})" if candidate.year else ""
    title = " ".join(candidate.title.split())
    room = PICK_LABEL_MAX - len(tail)
    return (title if len(title) <= room else title[: room - 1] + "…") + tail


def trouble(problem: FetchError | OverBudget | PageRefused, shown: str) -> Answer:
    """Why AlloCiné could not answer, in French; nothing was stored."""
    log.info("à la demande : %s", getattr(problem, "code", problem))
    if isinstance(problem, OverBudget):
        template = texts.ONDEMAND_BUDGET_SERVER if problem.which == "server" else texts.ONDEMAND_BUDGET_TOTAL
        what = texts.ONDEMAND_BUDGET_WHAT[problem.kind]
        message = template.format(what=what, wait=wait_text(problem.seconds))
        return Answer(title=texts.ONDEMAND_BUDGET_TITLE, pages=(Page(message),), tone="info", ephemeral=True)
    if isinstance(problem, PageRefused):
        if problem.code == "series":
            return error(texts.ONDEMAND_SERIES.format(title=literal(str(problem.params.get("title", "")))))
        message = texts.ONDEMAND_UNREADABLE
    elif problem.reason in ("blocked", "blocked_earlier"):
        seconds = problem.params.get("seconds", problem.params.get("pause"))
        message = texts.ONDEMAND_BLOCKED.format(
            wait=wait_text(float(seconds)) if seconds is not None else texts.ONDEMAND_SOON
        )
    elif problem.reason == "deadline":
        message = texts.ONDEMAND_TOO_SLOW.format(query=shown)
    else:
        message = texts.ONDEMAND_UNREACHABLE.format(query=shown)
    return Answer(title=texts.ONDEMAND_TROUBLE_TITLE, pages=(Page(message),), tone="error", ephemeral=True)


def wait_text(seconds: float) -> str:
    """`12 minutes`, `1 heure`: how long until something may be asked again, rounded up."""
    minutes = max(1, -(-int(seconds) // 60))
    if minutes < 90:
        return plural(minutes, "minute")
    return plural(-(-minutes // 60), "heure")
