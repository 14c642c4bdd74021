"""/tendance: a film's spectator average and ratings count over time, from the stored snapshots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from bot import charts, texts
from bot.answers.context import AnswerContext
from bot.answers.film_answers import film_heading, film_link, footer, tone_for
from bot.answers.film_arg import FilmQuery, resolve_film
from bot.answers.model import Answer, Page
from bot.answers.pictures import image
from bot.wording import decimal, long_date, plural
from storage import follows, refresh_queue
from storage.queries import FilmStats, film_stats, rating_history
from storage.run_log import last_runs
from storage.watchlist import WatchlistError, load_watchlist

LINES_MAX = 12  # the most recent points listed in words; the chart shows them all


def tendance(ctx: AnswerContext, film: FilmQuery) -> Answer:
    film_id = resolve_film(ctx, film, "tendance")
    if isinstance(film_id, Answer):
        return film_id
    stats = film_stats(ctx.engine, film_id)
    chart = charts.trend_chart(stats, rating_history(ctx.engine, film_id))
    title = texts.TREND_TITLE.format(film=film_heading(stats))
    points = chart.points
    if len(points) < 2:
        return Answer(
            title=title,
            pages=(Page(_too_few(ctx, stats, chart)),),
            footer=footer(stats),
            url=film_link(stats),
            tone="info",
            film_id=film_id,
        )
    first, last = points[0], points[-1]
    lines = [
        texts.TREND_SUMMARY.format(
            count=plural(len(points), *texts.TREND_POINTS),
            first=long_date(first.at.date()),
            first_average=_average(first.average),
            last_average=_average(last.average),
            ratings=_ratings(last.ratings_count),
        ),
        "",
    ]
    lines += [
        texts.TREND_LINE.format(
            date=long_date(p.at.date()), average=_average(p.average), ratings=_ratings(p.ratings_count)
        )
        for p in points[-LINES_MAX:]
    ]
    if chart.press_average is not None:
        lines += ["", texts.TREND_PRESS.format(average=decimal(chart.press_average))]
    lines += ["", texts.TREND_LATER]
    return Answer(
        title=title,
        pages=(Page("\n".join(lines)),),
        footer=footer(stats),
        url=film_link(stats),
        tone=tone_for(last.average),
        film_id=film_id,
        image=image(chart),
    )


def _average(value: float | None) -> str:
    return decimal(value) if value is not None else texts.TREND_UNKNOWN


def _ratings(value: int | None) -> str:
    return plural(value, "note") if value is not None else texts.TREND_RATINGS_UNKNOWN


def _too_few(ctx: AnswerContext, stats: FilmStats, chart: charts.TrendChart) -> str:
    """Said plainly: what critibot has, and when it reads the film again."""
    film = film_heading(stats)
    if chart.points:
        (point,) = chart.points
        known = texts.TREND_FEW_ONE.format(
            film=film,
            average=_average(point.average),
            ratings=_ratings(point.ratings_count),
            date=long_date(point.at.date()),
        )
    else:
        known = texts.TREND_FEW_NONE.format(film=film)
    due = next_read(ctx, stats)
    if due == "never":
        when = texts.TREND_NEXT_UNKNOWN
    elif due is None or due <= datetime.now(UTC) + timedelta(minutes=1):
        when = texts.TREND_NEXT_SOON
    else:
        local = due.astimezone(ZoneInfo(ctx.timezone))
        time = texts.TREND_TIME.format(hour=local.hour, minute=local.minute)
        when = texts.TREND_NEXT.format(date=long_date(local.date()), time=time)
    return f"{known}\n\n{when}"


def next_read(ctx: AnswerContext, stats: FilmStats) -> datetime | Literal["never"] | None:
    """When the refresh reads the film next: its refresh queue row when it has one; else, for a film the
    scheduled refresh reads (followed by a server, or on the watchlist, with an AlloCiné id), one period
    after the last refresh began. "never": no refresh reads it. None: soon, or not known (no refresh yet,
    or the period is unknown here)."""
    queued = refresh_queue.queued(ctx.engine, stats.id)
    if queued is not None:
        return queued.next_read_at
    if stats.allocine_id is None or not _refreshed(ctx, stats.id):
        return "never"
    if not ctx.refresh_every_hours or ctx.refresh_every_hours <= 0:
        return None
    runs = last_runs(ctx.engine, limit=1)
    if not runs:
        return None
    started = runs[0].started_at
    started = started if started.tzinfo else started.replace(tzinfo=UTC)
    return started + timedelta(hours=ctx.refresh_every_hours)


def _refreshed(ctx: AnswerContext, film_id: int) -> bool:
    if film_id in follows.followers_count(ctx.engine):
        return True
    if ctx.watchlist is None:
        return False
    try:
        return film_id in follows.watched_ids(ctx.engine, load_watchlist(ctx.watchlist))
    except WatchlistError:
        return False
