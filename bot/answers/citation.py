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
        reviews = _reviews(ctx, film_id, kinds, note_min)
        picked = _pick(ctx, reviews, said)
        if picked is None:  # every passage of these reviews was given here: start the round again
            shown = {(r.kind, r.review_id) for r in reviews}
            stale = {key for key in said if key[:2] in shown}
            said.difference_update(stale)
            picked = _pick(ctx, reviews, said) if stale else None
        if picked is not None:
            key, review, text = picked
            said.add(key)
            return _answer(review, text)
    filters = " à ces conditions" if (film_id or source or note_min is not None) else ""
    return Answer(
        title=texts.QUOTE_TITLE,
        pages=(Page(texts.QUOTE_NONE.format(filters=filters) + "\n" + texts.QUOTE_NONE_HINT),),
        tone="info",
        ephemeral=True,
    )


def _reviews(
    ctx: AnswerContext, film_id: int | None, kinds: tuple[str, ...], note_min: float | None
) -> list[QuoteSource]:
    found: list[QuoteSource] = []
    for kind in kinds:
        window = FILM_WINDOW if film_id is not None else ANY_WINDOW
        start = 0.0 if film_id is not None else ctx.rng.random()
        found += quote_sources(
            ctx.engine, film_id=film_id, kind=kind, note_min=note_min, start=start, limit=window
        )
    return found


def _pick(
    ctx: AnswerContext, reviews: list[QuoteSource], said: set[tuple[str, int, int]]
) -> tuple[tuple[str, int, int], QuoteSource, str] | None:
    """A random passage not yet given, splitting reviews into sentences only until one is found."""
    order = list(reviews)
    ctx.rng.shuffle(order)
    for review in order:
        fresh = [p for p in passages(review.text) if (review.kind, review.review_id, p.index) not in said]
        if fresh:
            passage = ctx.rng.choice(fresh)
            return (review.kind, review.review_id, passage.index), review, passage.text
    return None


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
