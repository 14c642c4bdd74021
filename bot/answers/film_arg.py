"""Turn what the user typed (or picked in autocomplete) into one film, or an answer that says why not."""

from __future__ import annotations

from dataclasses import dataclass

from bot import texts
from bot.answers.context import AnswerContext
from bot.answers.model import Answer, Page
from bot.answers.ondemand import allocine_id_of, error, film_online
from bot.answers.safe import literal
from storage.ondemand import film_by_allocine_id

QUERY_MAX = 200


@dataclass(frozen=True)
class Resolved:
    """A film option resolved in the catalogue before the command runs (Discord's film option does it as
    it arrives): the film's id, or the answer that says why there is none. `query`: the text the
    catalogue was not sure of, which AlloCiné may still answer when the command runs (on-demand reading
    takes seconds: Discord's option must not wait for it)."""

    outcome: int | Answer
    query: str | None = None


FilmQuery = str | Resolved | None  # what a command's film option holds: typed text, resolved, or nothing

CONFIDENT = 92.0  # a local candidate this close is what was meant, even among several: no need to ask


def clean_query(query: str | None) -> str:
    """Trim, collapse spaces, cut absurdly long input (never an error: cut, don't crash)."""
    return " ".join((query or "").split())[:QUERY_MAX]


def film_given(query: FilmQuery) -> bool:
    """Whether an optional film option names a film at all (blank text does not)."""
    return isinstance(query, Resolved) or bool(query and query.strip())


def resolve_film(ctx: AnswerContext, query: FilmQuery, command: str, *, online: bool = True) -> int | Answer:
    """The film's id, or an Answer: missing, ambiguous ("Vouliez-vous dire…"), or not found. When the
    catalogue is not sure and `online`, AlloCiné is asked (bot/answers/ondemand.py): a film it knows
    clearly is read and stored now."""
    resolved = query if isinstance(query, Resolved) else resolve_local(ctx, query, command)
    if resolved.query is None or isinstance(resolved.outcome, int) or not online or ctx.ondemand is None:
        return resolved.outcome
    return film_online(ctx, resolved.query, command, resolved.outcome)


def resolve_local(ctx: AnswerContext, query: str | None, command: str) -> Resolved:
    """What the catalogue alone says of `query` (no network): `Resolved.query` set when it is not sure."""
    text = query.strip() if query else ""
    if (film_id := ctx.titles.parse_value(text)) is not None:
        return Resolved(film_id)
    if (allocine := allocine_id_of(text)) is not None:
        known = film_by_allocine_id(ctx.engine, allocine[0]) if not allocine[1] else None
        return Resolved(known.film_id) if known else Resolved(_not_found(literal(text), []), query=text)
    cleaned = clean_query(query)
    if not cleaned:
        return Resolved(error(texts.FILM_MISSING))
    with ctx.titles_lock:
        if not len(ctx.titles):
            return Resolved(error(texts.FILM_EMPTY_CATALOGUE), query=cleaned)
        if (film_id := ctx.titles.exact(cleaned)) is not None:
            return Resolved(film_id)
        result = ctx.titles.lookup(cleaned)
    if result.outcome == "found" and result.film is not None:
        return Resolved(result.film.film_id)
    shown = literal(cleaned)
    if result.outcome == "ambiguous":
        lines = [texts.FILM_AMBIGUOUS.format(query=shown), ""]
        lines += [f"• {literal(c.label)}" for c in result.candidates[:10]]
        first = result.candidates[0]
        example = f"{first.title} ({first.year})" if first.year else first.title
        lines += ["", texts.FILM_AMBIGUOUS_HINT.format(command=command, example=literal(example))]
        question = Answer(
            title=texts.FILM_AMBIGUOUS_TITLE, pages=(Page("\n".join(lines)),), tone="info", ephemeral=True
        )
        sure = first.score >= CONFIDENT  # several films really carry this name: the question is right
        return Resolved(question, query=None if sure else cleaned)
    return Resolved(_not_found(shown, [c.label for c in result.candidates[:3]]), query=cleaned)


def _not_found(shown: str, suggestions: list[str]) -> Answer:
    description = texts.FILM_NONE.format(query=shown)
    if suggestions:
        names = ", ".join(f"« {literal(label)} »" for label in suggestions)
        description += "\n" + texts.FILM_SUGGEST.format(suggestions=names)
    return Answer(title=texts.FILM_NONE_TITLE, pages=(Page(description),), tone="info", ephemeral=True)
