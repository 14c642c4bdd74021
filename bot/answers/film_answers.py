"""/note, /presse and /critiques: what critibot knows about one film."""

from __future__ import annotations

from typing import Any, Protocol

from bot import charts, texts
from bot.answers.context import AnswerContext
from bot.answers.film_arg import FilmQuery, error, resolve_film
from bot.answers.model import Answer, Field, Page, Tone, paginate, shorten, web_url
from bot.answers.pictures import image
from bot.answers.quotes import passages
from bot.answers.safe import literal
from bot.wording import count, decimal, duration, joined, long_date, plural
from storage.folding import fold
from storage.pages import STARS
from storage.queries import (
    FilmStats,
    StoredPressReview,
    film_stats,
    press_reviews,
    spectator_page,
    stored_rating_counts,
)
from storage.sources.allocine import SITE, film_page_path

HISTOGRAM_WIDTH = 12
EXCERPT = 160
REVIEWS_PER_PAGE = 5
REVIEWS_MAX = 50
SORTS = ("utiles", "récentes", "meilleures", "pires")


def stars(average: float) -> str:
    full = min(5, max(0, round(average)))
    return "★" * full + "☆" * (5 - full)


def rating_text(rating: float | None) -> str:
    return f"{decimal(rating)}/5" if rating is not None else texts.NO_RATING


def tone_for(average: float | None) -> Tone:
    if average is None:
        return "neutral"
    return "good" if average >= 3.5 else "mixed" if average >= 2.5 else "bad"


def film_heading(stats: FilmStats) -> str:
    """The film's title and year as a heading: escaped, since embed titles read markdown too."""
    return literal(f"{stats.title} ({stats.year})" if stats.year else stats.title)


class Linked(Protocol):
    """A film as the database knows it: its address when a page gave it, its AlloCiné id."""

    @property
    def url(self) -> str | None: ...

    @property
    def allocine_id(self) -> int | None: ...


def film_link(film: Linked) -> str | None:
    if film.url:
        return film.url
    if film.allocine_id is not None:
        return SITE + film_page_path(film.allocine_id)
    return None


def film_details(stats: FilmStats) -> list[str]:
    """What the film's main page told: `Sortie : 23 décembre 2020 · Drame et Comédie · 1 h 38`, then
    `Réalisé par …` (`Créé par …` for a series); no line for what is unknown. Escaped."""
    facts = []
    if stats.release_date is not None:
        facts.append(texts.DETAILS_RELEASE.format(date=long_date(stats.release_date)))
    if stats.genres:
        facts.append(literal(joined(stats.genres)))
    if stats.duration_minutes:
        facts.append(duration(stats.duration_minutes))
    lines = [texts.DETAILS_SEPARATOR.join(facts)] if facts else []
    if stats.directors:
        template = texts.DETAILS_CREATORS if stats.kind == "series" else texts.DETAILS_DIRECTORS
        lines.append(template.format(names=literal(joined(stats.directors))))
    return lines


def poster(stats: FilmStats) -> str | None:
    """The poster's address, when it is an http(s) one."""
    return web_url(stats.poster_url)


def footer(stats: FilmStats) -> str:
    if stats.figures_at is None:
        return texts.FOOTER_NO_DATA
    return texts.FOOTER_DATA.format(date=long_date(stats.figures_at.date()))


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """A whole first sentence or two when they fit, else the start cut on a word."""
    fitting = [p.text for p in passages(text, low=1, high=limit) if p.index == 0]
    return literal(max(fitting, key=len) if fitting else shorten(" ".join(text.split()), limit))


# --- /note ---------------------------------------------------------------------------------------------


def note(ctx: AnswerContext, film: FilmQuery) -> Answer:
    film_id = resolve_film(ctx, film, "note")
    if isinstance(film_id, Answer):
        return film_id
    stats = film_stats(ctx.engine, film_id)
    lines = film_details(stats)
    if lines:
        lines.append("")
    if stats.site_average is not None:
        lines.append(
            texts.NOTE_AVERAGE.format(stars=stars(stats.site_average), average=decimal(stats.site_average))
        )
    else:
        lines.append(texts.NOTE_AVERAGE_UNKNOWN)
    counts = [
        plural(stats.site_ratings_count, "note") if stats.site_ratings_count is not None else None,
        plural(stats.site_reviews_count, "critique") if stats.site_reviews_count is not None else None,
    ]
    if any(counts):
        lines.append(
            texts.NOTE_COUNTS.format(ratings=counts[0] or "notes : ?", reviews=counts[1] or "critiques : ?")
        )

    fields = []
    if stats.histogram:
        fields.append(Field(texts.NOTE_HISTOGRAM, histogram(stats.histogram)))
    fields.append(Field(texts.NOTE_STORED, _stored_summary(stats)))
    fields.append(Field(texts.NOTE_PRESS, _press_summary(stats), inline=True))
    if voices := _voices(ctx, film_id):
        fields.append(Field(texts.NOTE_VOICES, voices))
    chart = None
    if stats.histogram:  # the stored ratings are read only when there is a chart to draw
        chart = charts.note_chart(stats, stored_rating_counts(ctx.engine, film_id))
    return Answer(
        title=film_heading(stats),
        pages=(Page("\n".join(lines), tuple(fields)),),
        footer=footer(stats),
        url=film_link(stats),
        tone=tone_for(stats.site_average),
        film_id=film_id,
        thumbnail=poster(stats),
        image=image(chart),
    )


def histogram(counts: dict[str, int]) -> str:
    """The 5 → 0 stars as bars, in a code block so that they line up."""
    biggest = max(counts.values()) or 1
    width = len(count(biggest))
    rows = []
    for star in STARS:
        n = counts.get(star, 0)
        filled = round(HISTOGRAM_WIDTH * n / biggest)
        rows.append(f"{star} ★ {'█' * filled}{'░' * (HISTOGRAM_WIDTH - filled)} {count(n):>{width}}")
    return "```\n" + "\n".join(rows) + "\n```"


def _stored_summary(stats: FilmStats) -> str:
    if not stats.spectator_reviews:
        return texts.NOTE_STORED_NONE
    stored = plural(stats.spectator_reviews, "critique")
    if stats.stored_average is not None:
        rated = plural(stats.rated_reviews, "notée", "notées")
        line = texts.NOTE_STORED_AVERAGE.format(
            count=f"{stored} ({rated})", average=decimal(stats.stored_average)
        )
    else:
        line = texts.NOTE_STORED_UNRATED.format(count=stored)
    if stats.site_reviews_count and stats.spectator_reviews < stats.site_reviews_count:
        line += "\n" + texts.NOTE_SAMPLE.format(total=plural(stats.site_reviews_count, "critique"))
    return line


def _press_summary(stats: FilmStats) -> str:
    average = stats.site_press_average if stats.site_press_average is not None else stats.press_average
    if average is not None:
        return texts.NOTE_PRESS_AVERAGE.format(
            average=decimal(average), count=plural(stats.press_reviews, "critique")
        )
    if stats.press_reviews:
        return texts.NOTE_PRESS_UNRATED.format(count=plural(stats.press_reviews, "critique"))
    return texts.NOTE_PRESS_NONE


def _voices(ctx: AnswerContext, film_id: int) -> str:
    """The warmest and the harshest stored reviews, one excerpt each."""
    lines = []
    seen: set[tuple[Any, ...]] = set()
    for sort, mark in (("meilleures", "👍"), ("pires", "👎")):
        _, rows = spectator_page(ctx.engine, film_id, sort, 0, 1)
        if not rows or rows[0].rating is None:
            continue
        row = rows[0]
        key = (row.author, row.text[:50])
        if key in seen:
            continue
        seen.add(key)
        who = literal(row.author) if row.author else texts.QUOTE_ANONYMOUS
        lines.append(
            texts.NOTE_VOICE.format(
                mark=mark, who=who, rating=rating_text(row.rating), excerpt=excerpt(row.text)
            )
        )
    return "\n".join(lines)


# --- /presse -------------------------------------------------------------------------------------------


def presse(ctx: AnswerContext, film: FilmQuery) -> Answer:
    film_id = resolve_film(ctx, film, "presse")
    if isinstance(film_id, Answer):
        return film_id
    stats = film_stats(ctx.engine, film_id)
    reviews = press_reviews(ctx.engine, film_id)
    title = texts.PRESS_TITLE.format(film=film_heading(stats))
    if not reviews:
        return Answer(
            title=title, pages=(Page(texts.PRESS_NONE),), footer=footer(stats), url=film_link(stats)
        )

    rated = [r.rating for r in reviews if r.rating is not None]
    link_only = sum(r.quote is None for r in reviews)
    header = [texts.PRESS_SUMMARY.format(outlets=plural(len(reviews), "titre"), link_only=count(link_only))]
    if rated:
        average = sum(rated) / len(rated)
        header.append(texts.PRESS_AVERAGE.format(average=decimal(average), count=plural(len(rated), "note")))
        reviews.sort(key=lambda r: (r.rating is None, -(r.rating or 0), fold(r.outlet)))
        header.append(texts.PRESS_SORTED_BY_RATING)
    else:
        header.append(texts.PRESS_AVERAGE_UNKNOWN)
        reviews.sort(key=lambda r: fold(r.outlet))
        header.append(texts.PRESS_SORTED_BY_NAME)
    lines = [_press_line(r) for r in reviews]
    return Answer(
        title=title,
        pages=paginate(lines, per_page=8, header="\n".join(header) + "\n"),
        footer=footer(stats),
        url=film_link(stats),
        tone=tone_for(average if rated else None),
        film_id=film_id,
    )


def _press_line(review: StoredPressReview) -> str:
    if review.quote:
        body = f"« {excerpt(review.quote)} »"
    else:
        body = texts.PRESS_LINK_ONLY + (f" ({review.link})" if review.link else "")
    return texts.PRESS_LINE.format(
        outlet=literal(review.outlet),
        critic=f", {literal(review.critic)}" if review.critic else "",
        rating=f" · {stars(review.rating)} {rating_text(review.rating)}" if review.rating is not None else "",
        body=body,
    )


# --- /critiques ----------------------------------------------------------------------------------------


def critiques(ctx: AnswerContext, film: FilmQuery, tri: str | None = None) -> Answer:
    sort = (tri or "utiles").strip().lower()
    sort = {"recentes": "récentes"}.get(sort, sort)
    if sort not in SORTS:
        return error(texts.SORT_INVALID.format(choices=", ".join(f"« {s} »" for s in SORTS)))
    film_id = resolve_film(ctx, film, "critiques")
    if isinstance(film_id, Answer):
        return film_id
    stats = film_stats(ctx.engine, film_id)
    total, rows = spectator_page(ctx.engine, film_id, sort, 0, REVIEWS_MAX)
    title = texts.REVIEWS_TITLE.format(film=film_heading(stats), sort=sort)
    if not rows:
        return Answer(
            title=title, pages=(Page(texts.REVIEWS_NONE),), footer=footer(stats), url=film_link(stats)
        )
    lines = [
        texts.REVIEW_LINE.format(
            who=literal(r.author) if r.author else texts.QUOTE_ANONYMOUS.capitalize(),
            rating=rating_text(r.rating),
            date=long_date(r.published) if r.published else texts.NO_DATE,
            excerpt=excerpt(r.text, 300).replace("\n", "\n> "),
        )
        for r in rows
    ]
    header = texts.REVIEWS_HEADER.format(shown=count(len(rows)), total=count(total)) + "\n"
    return Answer(
        title=title,
        pages=paginate(lines, per_page=REVIEWS_PER_PAGE, header=header),
        footer=footer(stats),
        url=film_link(stats),
        tone=tone_for(stats.site_average),
        film_id=film_id,
    )
