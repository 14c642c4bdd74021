"""/film, /top and /aide: the catalogue as a whole."""

from __future__ import annotations

from collections.abc import Sequence

from bot import texts
from bot.answers.context import AnswerContext
from bot.answers.film_answers import (
    excerpt,
    film_details,
    film_heading,
    film_link,
    footer,
    poster,
    stars,
    tone_for,
)
from bot.answers.film_arg import clean_query, error
from bot.answers.model import Answer, Field, Page, paginate
from bot.answers.ondemand import allocine_lines
from bot.answers.safe import literal
from bot.wording import decimal, plural
from storage.folding import fold
from storage.queries import film_stats, top_films
from storage.titles import Candidate

SEARCH_MAX = 15
OTHERS_MAX = 5  # other films listed under a clear match
SYNOPSIS_MAX = 300
# Fewer than this many catalogue films scoring this well: AlloCiné's candidates are listed too.
SEARCH_ENOUGH = 5
SEARCH_GOOD = 80.0
TOP_MAX = 50
TOP_MIN_SPECTATOR_RATINGS = 20  # so that one 5/5 does not win
TOP_MIN_PRESS_RATINGS = 3


def film_search(ctx: AnswerContext, recherche: str | None) -> Answer:
    query = clean_query(recherche)
    if not query:
        return error(texts.FILM_MISSING)
    title = texts.SEARCH_TITLE.format(query=literal(query))
    if not fold(query):  # an emoji alone: the index would list every film at 0 %
        return Answer(title=title, pages=(Page(texts.SEARCH_NOTHING),), tone="info")
    with ctx.titles_lock:
        candidates = ctx.titles.search(query, SEARCH_MAX)
        clear = ctx.titles.lookup(query).film if candidates else None
    # Fewer good matches than SEARCH_ENOUGH: AlloCiné's films not read yet are listed too.
    few = sum(c.score >= SEARCH_GOOD for c in candidates) < SEARCH_ENOUGH
    unread = allocine_lines(ctx, query) if few else []
    if clear is not None:
        others = [c for c in candidates if c.film_id != clear.film_id][:OTHERS_MAX]
        return film_card(ctx, clear.film_id, others, unread)
    lines = [_search_line(rank, c) for rank, c in enumerate(candidates, start=1)] + unread
    if not lines:
        return Answer(title=title, pages=(Page(texts.SEARCH_NONE),), tone="info")
    return Answer(title=title, pages=paginate(lines, per_page=15), tone="info")


def film_card(
    ctx: AnswerContext, film_id: int, others: list[Candidate], unread: Sequence[str] = ()
) -> Answer:
    """One film as its main page shows it: poster, facts, synopsis, the spectators' average, a link;
    then the other films the search found, and AlloCiné's (`unread`: their lines)."""
    stats = film_stats(ctx.engine, film_id)
    lines = film_details(stats)
    if stats.synopsis:
        lines += ["", excerpt(stats.synopsis, SYNOPSIS_MAX)]
    if stats.site_average is not None:
        average = texts.NOTE_AVERAGE.format(
            stars=stars(stats.site_average), average=decimal(stats.site_average)
        )
        lines += ["", average]
    fields: tuple[Field, ...] = ()
    if others:
        listed = "\n".join(_search_line(rank, c) for rank, c in enumerate(others, start=2))
        fields = (Field(texts.SEARCH_OTHERS, listed),)
    lines += list(unread)
    return Answer(
        title=film_heading(stats),
        pages=(Page("\n".join(lines) or texts.NOTE_AVERAGE_UNKNOWN, fields),),
        footer=footer(stats),
        url=film_link(stats),
        tone=tone_for(stats.site_average),
        film_id=film_id,
        thumbnail=poster(stats),
    )


def _search_line(rank: int, candidate: Candidate) -> str:
    return texts.SEARCH_LINE.format(rank=rank, label=literal(candidate.label), score=round(candidate.score))


def top(ctx: AnswerContext, nombre: int | None = None, tri: str | None = None) -> Answer:
    limit = 10 if nombre is None else nombre
    if not 1 <= limit <= TOP_MAX:
        return error(texts.TOP_COUNT_INVALID.format(maximum=TOP_MAX))
    kind = (tri or "spectateurs").strip().lower()
    if kind not in ("spectateurs", "presse"):
        return error(texts.QUOTE_SOURCE_INVALID)
    minimum = TOP_MIN_SPECTATOR_RATINGS if kind == "spectateurs" else TOP_MIN_PRESS_RATINGS
    rows = top_films(ctx.engine, kind=kind, limit=limit, min_ratings=minimum)
    title = texts.TOP_TITLE_SPECTATORS if kind == "spectateurs" else texts.TOP_TITLE_PRESS
    rule = texts.TOP_RULE.format(minimum=plural(minimum, "note"))
    if not rows:
        return Answer(title=title, pages=(Page(texts.TOP_NONE + "\n" + rule),), tone="info")
    lines = [
        texts.TOP_LINE.format(
            rank=rank,
            title=literal(f"{r.title} ({r.year})" if r.year else r.title),
            average=decimal(r.average),
            count=plural(r.count, "note"),
        )
        for rank, r in enumerate(rows, start=1)
    ]
    return Answer(title=title, pages=paginate(lines, per_page=10, header=rule + "\n"), tone="info")


def aide(_ctx: AnswerContext | None = None) -> Answer:
    fields = tuple(
        Field(usage, f"{what}\n{texts.HELP_EXAMPLE.format(example=example)}")
        for usage, what, example in texts.HELP_COMMANDS
    )
    return Answer(title=texts.HELP_TITLE, pages=(Page(texts.HELP_INTRO, fields),), tone="info")
