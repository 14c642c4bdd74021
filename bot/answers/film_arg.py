"""Turn what the user typed (or picked in autocomplete) into one film, or an answer that says why not."""

from __future__ import annotations

from dataclasses import dataclass

from bot import texts
from bot.answers.context import AnswerContext
from bot.answers.model import Answer, Page
from bot.answers.safe import literal

QUERY_MAX = 200


@dataclass(frozen=True)
class Resolved:
    """A film option resolved before the command runs (Discord's film option does it as it arrives):
    the film's id, or the answer that says why there is none."""

    outcome: int | Answer


FilmQuery = str | Resolved | None  # what a command's film option holds: typed text, resolved, or nothing


def clean_query(query: str | None) -> str:
    """Trim, collapse spaces, cut absurdly long input (never an error: cut, don't crash)."""
    return " ".join((query or "").split())[:QUERY_MAX]


def film_given(query: FilmQuery) -> bool:
    """Whether an optional film option names a film at all (blank text does not)."""
    return isinstance(query, Resolved) or bool(query and query.strip())


def resolve_film(ctx: AnswerContext, query: FilmQuery, command: str) -> int | Answer:
    """The film's id, or an Answer: missing, ambiguous ("Vouliez-vous dire…"), or not found."""
    if isinstance(query, Resolved):
        return query.outcome
    if query and (film_id := ctx.titles.parse_value(query.strip())) is not None:
        return film_id
    cleaned = clean_query(query)
    if not cleaned:
        return error(texts.FILM_MISSING)
    if not len(ctx.titles):
        return error(texts.FILM_EMPTY_CATALOGUE)
    if (film_id := ctx.titles.exact(cleaned)) is not None:
        return film_id
    result = ctx.titles.lookup(cleaned)
    if result.outcome == "found" and result.film is not None:
        return result.film.film_id
    shown = literal(cleaned)
    if result.outcome == "ambiguous":
        lines = [texts.FILM_AMBIGUOUS.format(query=shown), ""]
        lines += [f"• {literal(c.label)}" for c in result.candidates[:10]]
        first = result.candidates[0]
        example = f"{first.title} ({first.year})" if first.year else first.title
        lines += ["", texts.FILM_AMBIGUOUS_HINT.format(command=command, example=literal(example))]
        return Answer(
            title=texts.FILM_AMBIGUOUS_TITLE, pages=(Page("\n".join(lines)),), tone="info", ephemeral=True
        )
    description = texts.FILM_NONE.format(query=shown)
    if result.candidates:
        names = ", ".join(f"« {literal(c.label)} »" for c in result.candidates[:3])
        description += "\n" + texts.FILM_SUGGEST.format(suggestions=names)
    return Answer(title=texts.FILM_NONE_TITLE, pages=(Page(description),), tone="info", ephemeral=True)


def error(message: str) -> Answer:
    return Answer(title=texts.ERROR_TITLE, pages=(Page(message),), tone="error", ephemeral=True)
