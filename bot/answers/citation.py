"""/citation: a random quote that reads well, never the same twice while others are left."""

from __future__ import annotations

from bot import texts
from bot.answers.context import AnswerContext
from bot.answers.film_answers import rating_text
from bot.answers.film_arg import FilmQuery, error, film_given, resolve_film
from bot.answers.model import Answer, Page
from bot.answers.quotes import passages
from bot.answers.safe import literal
from bot.wording import long_date
from storage.queries import QuoteSource, quote_ids, quote_sources, quotes_by_id

SOURCES = ("spectateurs", "presse")
NOTE_MIN_RANGE = (0.0, 5.0)  # note_min, as Discord is told and as checked here
FILM_WINDOW = 500  # with a film given, all its reviews (up to this) are candidates: repeats can be tracked
ANY_WINDOW = 60  # without a film, a random window of the catalogue
ATTEMPTS = 4
BATCH = 8  # reviews read and split at a time


def citation(
    ctx: AnswerContext,
    film: FilmQuery = None,
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
    if note_min is not None and not NOTE_MIN_RANGE[0] <= note_min <= NOTE_MIN_RANGE[1]:
        return error(texts.NOTE_MIN_INVALID)
    film_id = None
    if film_given(film):
        resolved = resolve_film(ctx, film, "citation")
        if isinstance(resolved, Answer):
            return resolved
        film_id = resolved

    said = ctx.said[scope]
    for _ in range(ATTEMPTS if film_id is None else 1):
        keys = _review_keys(ctx, film_id, kinds, note_min)
        picked = _pick(ctx, keys, said)
        if picked is None:  # every passage of these reviews was given here: start the round again
            stale = {key for key in said if key[:2] in keys}
            said.difference_update(stale)
            picked = _pick(ctx, keys, said) if stale else None
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


ReviewKey = tuple[str, int]  # (kind, review id)


def _review_keys(
    ctx: AnswerContext, film_id: int | None, kinds: tuple[str, ...], note_min: float | None
) -> dict[ReviewKey, QuoteSource | None]:
    """The candidate reviews: a film's (ids only, texts read later) or a random window of the catalogue."""
    found: dict[ReviewKey, QuoteSource | None] = {}
    for kind in kinds:
        if film_id is not None:
            ids = quote_ids(ctx.engine, film_id=film_id, kind=kind, note_min=note_min, limit=FILM_WINDOW)
            found.update(dict.fromkeys(((kind, i) for i in ids), None))
        else:
            window = quote_sources(
                ctx.engine, kind=kind, note_min=note_min, start=ctx.rng.random(), limit=ANY_WINDOW
            )
            found.update(((kind, r.review_id), r) for r in window)
    return found


def _pick(
    ctx: AnswerContext, keys: dict[ReviewKey, QuoteSource | None], said: set[tuple[str, int, int]]
) -> tuple[tuple[str, int, int], QuoteSource, str] | None:
    """A random passage not yet given, reading and splitting reviews a few at a time until one is found."""
    order = list(keys)
    ctx.rng.shuffle(order)
    for start in range(0, len(order), BATCH):
        batch = order[start : start + BATCH]
        _load(ctx, keys, batch)
        for key in batch:
            review = keys[key]
            if review is None:
                continue
            fresh = [p for p in passages(review.text) if (*key, p.index) not in said]
            if fresh:
                passage = ctx.rng.choice(fresh)
                return (*key, passage.index), review, passage.text
    return None


def _load(ctx: AnswerContext, keys: dict[ReviewKey, QuoteSource | None], batch: list[ReviewKey]) -> None:
    for kind in {kind for kind, _ in batch}:
        missing = [i for k, i in batch if k == kind and keys[(k, i)] is None]
        if missing:
            for review in quotes_by_id(ctx.engine, kind=kind, ids=missing):
                keys[(kind, review.review_id)] = review


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
