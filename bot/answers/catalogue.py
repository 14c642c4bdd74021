"""/film, /top and /aide: the catalogue as a whole."""

from __future__ import annotations

from bot import texts
from bot.answers.context import AnswerContext
from bot.answers.film_arg import clean_query, error
from bot.answers.model import Answer, Field, Page, paginate
from bot.answers.ondemand import allocine_lines
from bot.answers.safe import literal
from bot.wording import decimal, plural
from storage.folding import fold
from storage.queries import top_films

SEARCH_MAX = 15
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
    lines = [
        texts.SEARCH_LINE.format(rank=rank, label=literal(c.label), score=round(c.score))
        for rank, c in enumerate(candidates, start=1)
    ]
    if sum(c.score >= SEARCH_GOOD for c in candidates) < SEARCH_ENOUGH:
        lines += allocine_lines(ctx, query)  # films not read yet, beside the catalogue's
    if not lines:
        return Answer(title=title, pages=(Page(texts.SEARCH_NONE),), tone="info")
    return Answer(title=title, pages=paginate(lines, per_page=15), tone="info")


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
