"""/citation: a random quote that reads well, never the same twice while others are left."""

from __future__ import annotations

from bot import texts
from bot.answers.context import AnswerContext
from bot.answers.film_answers import rating_text
from bot.answers.film_arg import error, resolve_film
from bot.answers.model import Answer, Page
from bot.answers.quotes import passages
from bot.answers.safe import literal
from bot.wording import long_date
from storage.queries import QuoteSource, quote_sources

SOURCES = ("spectateurs", "presse")
FILM_WINDOW = 500  # with a film given, all its reviews (up to this) are candidates: repeats can be tracked
ANY_WINDOW = 60  # without a film, a random window of the catalogue
ATTEMPTS = 4


def citation(
    ctx: AnswerContext,
    film: str | None = None,
    source: str | None = None,
    note_min: float | None = None,
    *,
    scope: str = "console",
) -> Answer:
    kinds: tuple[str, ...] = SOURCES
    if source:
        wanted = source.strip().lower()
        if wanted not in SOURCES:
            return error(texts.QUOTE_SOURCE_INVALID)
        kinds = (wanted,)
    if note_min is not None and not 0 <= note_min <= 5:
        return error(texts.NOTE_MIN_INVALID)
    film_id = None
    if film and film.strip():
        resolved = resolve_film(ctx, film, "citation")
        if isinstance(resolved, Answer):
            return resolved
        film_id = resolved

    said = ctx.said[scope]
    for _ in range(ATTEMPTS if film_id is None else 1):
        candidates = _candidates(ctx, film_id, kinds, note_min)
        if not candidates:
            break
        fresh = [c for c in candidates if c[0] not in said]
        if not fresh:  # every quote was given: start the round again
            said.difference_update(key for key, _, _ in candidates)
            fresh = candidates
        key, review, text = ctx.rng.choice(fresh)
        said.add(key)
        return _answer(review, text)
    filters = " à ces conditions" if (film_id or source or note_min is not None) else ""
    return Answer(
        title=texts.QUOTE_TITLE,
        pages=(Page(texts.QUOTE_NONE.format(filters=filters) + "\n" + texts.QUOTE_NONE_HINT),),
        tone="info",
        ephemeral=True,
    )


def _candidates(
    ctx: AnswerContext, film_id: int | None, kinds: tuple[str, ...], note_min: float | None
) -> list[tuple[tuple[str, int, int], QuoteSource, str]]:
    found = []
    for kind in kinds:
        window = FILM_WINDOW if film_id is not None else ANY_WINDOW
        start = 0.0 if film_id is not None else ctx.rng.random()
        for review in quote_sources(
            ctx.engine, film_id=film_id, kind=kind, note_min=note_min, start=start, limit=window
        ):
            for passage in passages(review.text):
                found.append(((kind, review.review_id, passage.index), review, passage.text))
    return found


def _answer(review: QuoteSource, text: str) -> Answer:
    film = f"{review.film_title} ({review.film_year})" if review.film_year else review.film_title
    if review.kind == "presse":
        who = literal(review.who or "")
        if review.critic:
            who += f", {literal(review.critic)}"
    else:
        who = literal(review.who) if review.who else texts.QUOTE_ANONYMOUS.capitalize()
    details = [who]
    if review.rating is not None:
        details.append(rating_text(review.rating))
    if review.published is not None:
        details.append(long_date(review.published))
    description = f"« {literal(text)} »\n\n" + texts.QUOTE_BY.format(who=" · ".join(details))
    description += "\n" + texts.QUOTE_ON.format(film=literal(film))
    return Answer(title=texts.QUOTE_TITLE, pages=(Page(description),), tone="info", film_id=review.film_id)
