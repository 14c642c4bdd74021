"""Pictures from the answers' data: /note's distribution, /tendance's history, the digest's moves.

Two halves. The data (`note_chart`, `trend_chart`, `moves_chart`) are plain functions of stored figures,
tested with exact values. The drawing (`png`) uses matplotlib's Agg backend through its object API (no
pyplot; one drawing at a time, as matplotlib shares its fonts), imported on first use so that the bot's
memory at start does not grow by it. Drawing blocks: whoever sends a chart draws it off the event loop
(in a worker thread, bot/discord_ui/views.attach).

Every picture has its own light background (legible on Discord's dark and light themes), the Okabe-Ito
colour-blind-safe palette, French numbers and dates, and is at most 1000 × 600 px. A drawn PNG is kept in
a bounded LRU keyed by the chart's data, which holds the film and its figures' date: a second /note on
unchanged data reuses the bytes.
"""

from __future__ import annotations

import gc
import io
import math
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from bot import texts
from bot.wording import count, decimal, long_date, plural, short_date
from storage.pages import STARS

if TYPE_CHECKING:
    from storage.changes import MovedFilm
    from storage.queries import FiguresAt, FilmStats

WIDTH, HEIGHT, DPI = 900, 500, 100  # pixels: Discord shows up to 1000 × 600 without scaling down much
MOVES_MAX = 8  # films in the digest's picture
ALT_MAX = 1024  # Discord's limit on an attachment's description
CACHE_SIZE = 256

# Okabe & Ito (2008): told apart with every common colour-vision deficiency.
BLUE, ORANGE, SKY, VERMILLION, GREEN, GREY = "#0072B2", "#E69F00", "#56B4E9", "#D55E00", "#009E73", "#7F7F7F"
BACKGROUND, INK, MUTED, GRID = "#FBFBFB", "#1E1E1E", "#555555", "#DDDDDD"


# --- the data -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    star: str  # "5" … "0"
    count: int
    share: float  # of the distribution's total, 0 … 1


@dataclass(frozen=True)
class Distribution:
    bars: tuple[Bar, ...]  # 5 → 0
    total: int
    average: float | None


@dataclass(frozen=True)
class NoteChart:
    """/note's picture: AlloCiné's distribution, and the stored reviews' beside it when they are a sample."""

    film_id: int
    figures_at: datetime | None  # with film_id, what the cache is keyed by
    film: str
    site: Distribution
    ratings_count: int | None
    stored: Distribution | None


@dataclass(frozen=True)
class TrendPoint:
    at: datetime
    average: float | None
    ratings_count: int | None


@dataclass(frozen=True)
class TrendChart:
    film_id: int
    film: str
    points: tuple[TrendPoint, ...]
    press_average: float | None


@dataclass(frozen=True)
class Move:
    film: str
    before: float
    after: float


@dataclass(frozen=True)
class MovesChart:
    day: date
    moves: tuple[Move, ...]


Chart = NoteChart | TrendChart | MovesChart


def distribution(counts: Mapping[str, int], average: float | None) -> Distribution:
    """The six bars 5 → 0 with their shares; a star missing from `counts` counts 0."""
    values = [max(0, int(counts.get(star) or 0)) for star in STARS]
    total = sum(values)
    bars = tuple(Bar(star, n, n / total if total else 0.0) for star, n in zip(STARS, values, strict=True))
    return Distribution(bars, total, average)


def stored_distribution(ratings: Mapping[float, int]) -> Distribution:
    """Stored reviews' ratings (half stars) in AlloCiné's six bars: a 3,5 counts in bar 3, as "at least
    3 stars"; the average is theirs, exact."""
    buckets = dict.fromkeys(STARS, 0)
    for rating, n in ratings.items():
        buckets[str(min(5, max(0, math.floor(rating))))] += n
    rated = sum(ratings.values())
    average = round(sum(r * n for r, n in ratings.items()) / rated, 2) if rated else None
    return distribution(buckets, average)


def film_label(title: str, year: int | None) -> str:
    return f"{title} ({year})" if year else title


def note_chart(stats: FilmStats, stored_ratings: Mapping[float, int]) -> NoteChart | None:
    """The picture's data for /note; None when AlloCiné gave no histogram (or an empty one)."""
    if not stats.histogram:
        return None
    site = distribution(stats.histogram, stats.site_average)
    if not site.total:
        return None
    stored = None
    sample = stats.site_reviews_count is not None and stats.spectator_reviews < stats.site_reviews_count
    if sample and stored_ratings:
        stored = stored_distribution(stored_ratings)
    return NoteChart(
        film_id=stats.id,
        figures_at=stats.figures_at,
        film=film_label(stats.title, stats.year),
        site=site,
        ratings_count=stats.site_ratings_count,
        stored=stored,
    )


def trend_points(history: Sequence[FiguresAt]) -> tuple[TrendPoint, ...]:
    """One point per snapshot whose figures differ from the previous point's. A page that shows only
    some figures (the main page has no histogram, some pages no count) keeps the others from before,
    so that two pages of one refresh never make two points."""
    points: list[TrendPoint] = []
    average: float | None = None
    ratings: int | None = None
    for row in history:
        average = row.average if row.average is not None else average
        ratings = row.ratings_count if row.ratings_count is not None else ratings
        if average is None and ratings is None:
            continue
        if points and (points[-1].average, points[-1].ratings_count) == (average, ratings):
            continue
        points.append(TrendPoint(row.taken_at, average, ratings))
    return tuple(points)


def trend_chart(stats: FilmStats, history: Sequence[FiguresAt]) -> TrendChart:
    press = stats.site_press_average if stats.site_press_average is not None else stats.press_average
    return TrendChart(stats.id, film_label(stats.title, stats.year), trend_points(history), press)


def moves_chart(moved: Sequence[MovedFilm], day: date) -> MovesChart | None:
    """The digest's picture: films whose average moved at the site's precision (one decimal), biggest
    first as `moved` comes; None unless at least two did."""
    moves = tuple(
        Move(film_label(m.title, m.year), m.average_before, m.average_after)
        for m in moved
        if m.average_before is not None
        and m.average_after is not None
        and decimal(m.average_before) != decimal(m.average_after)
    )[:MOVES_MAX]
    return MovesChart(day, moves) if len(moves) >= 2 else None


# --- names and words ----------------------------------------------------------------------------------------


def file_name(chart: Chart) -> str:
    """ASCII only: Discord refers to the picture as attachment://<name>."""
    if isinstance(chart, NoteChart):
        return f"note-{chart.film_id}.png"
    if isinstance(chart, TrendChart):
        return f"tendance-{chart.film_id}.png"
    return f"resume-{chart.day.isoformat()}.png"


def _percent(share: float) -> str:
    return decimal(100 * share, 0)


def _stars(star: str) -> str:
    singular, plural_form = texts.ALT_STARS
    return (singular if int(star) < 2 else plural_form).format(star=star)


def _alt_bars(dist: Distribution) -> str:
    return " ; ".join(
        texts.ALT_BAR.format(stars=_stars(b.star), count=count(b.count), share=_percent(b.share))
        for b in dist.bars
    )


def describe(chart: Chart) -> str:
    """The alt text: what the picture shows, in French words and the same numbers."""
    if isinstance(chart, NoteChart):
        average = ""
        if chart.site.average is not None:
            ratings = ""
            if chart.ratings_count is not None:
                ratings = texts.ALT_NOTE_RATINGS.format(ratings=plural(chart.ratings_count, "note"))
            average = texts.ALT_NOTE_AVERAGE.format(average=decimal(chart.site.average), ratings=ratings)
        text = texts.ALT_NOTE.format(
            reviews=plural(chart.site.total, "critique"),
            film=chart.film,
            bars=_alt_bars(chart.site),
            average=average,
        )
        if chart.stored is not None:
            stored_average = ""
            if chart.stored.average is not None:
                stored_average = texts.ALT_STORED_AVERAGE.format(average=decimal(chart.stored.average))
            text += texts.ALT_NOTE_STORED.format(
                reviews=plural(chart.stored.total, "critique"),
                bars=_alt_bars(chart.stored),
                average=stored_average,
            )
    elif isinstance(chart, TrendChart):
        points = " ; ".join(
            texts.ALT_TREND_POINT.format(
                date=long_date(p.at.date()),
                average=decimal(p.average) if p.average is not None else texts.ALT_UNKNOWN,
                ratings=plural(p.ratings_count, "note") if p.ratings_count is not None else texts.ALT_UNKNOWN,
            )
            for p in chart.points
        )
        press = ""
        if chart.press_average is not None:
            press = texts.ALT_TREND_PRESS.format(average=decimal(chart.press_average))
        text = texts.ALT_TREND.format(film=chart.film, points=points, press=press)
    else:
        moves = " ; ".join(
            texts.ALT_MOVE.format(film=m.film, before=decimal(m.before), after=decimal(m.after))
            for m in chart.moves
        )
        text = texts.ALT_MOVES.format(moves=moves)
    return text if len(text) <= ALT_MAX else text[: ALT_MAX - 1].rstrip() + "…"


# --- the cache ----------------------------------------------------------------------------------------------


class PictureCache:
    """A bounded LRU of drawn PNGs, keyed by the chart's data (frozen: equal data, equal picture).
    Shared by the answers' worker threads, hence the lock."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[Chart, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, chart: Chart) -> bytes | None:
        with self._lock:
            found = self._items.get(chart)
            if found is None:
                self.misses += 1
                return None
            self._items.move_to_end(chart)
            self.hits += 1
            return found

    def put(self, chart: Chart, picture: bytes) -> None:
        with self._lock:
            self._items[chart] = picture
            self._items.move_to_end(chart)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._items)


CACHE = PictureCache()
_DRAWING = threading.Lock()
_SET_UP = False


def png(chart: Chart, *, cache: PictureCache | None = CACHE) -> bytes:
    """The chart as PNG bytes: from the cache when the same data were drawn before."""
    if cache is not None and (found := cache.get(chart)) is not None:
        return found
    # One drawing at a time: matplotlib shares its fonts between figures and is not thread-safe, and
    # drawing holds the GIL anyway, so answers drawing at once lose nothing by waiting their turn.
    with _DRAWING:
        if isinstance(chart, NoteChart):
            picture = _draw_note(chart)
        elif isinstance(chart, TrendChart):
            picture = _draw_trend(chart)
        else:
            picture = _draw_moves(chart)
    if cache is not None:
        cache.put(chart, picture)
    return picture


# --- the drawing --------------------------------------------------------------------------------------------


def _figure() -> Any:
    """A blank figure on the Agg canvas; matplotlib is imported here, on the first picture."""
    import matplotlib

    global _SET_UP
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if not _SET_UP:  # once, on the first picture (under _DRAWING)
        matplotlib.use("Agg")  # never a display: the bot runs headless
        matplotlib.rcParams["font.size"] = 10
        matplotlib.rcParams["text.hinting"] = "no_hinting"  # about a tenth faster, same look at 10 pt
        # matplotlib's modules are some 100 000 long-lived objects: out of the cyclic collector's sight,
        # the full collections that each figure's garbage triggers no longer walk them (p99 −30 % CPU).
        gc.collect()
        gc.freeze()
        _SET_UP = True

    figure = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI, facecolor=BACKGROUND)
    FigureCanvasAgg(figure)
    return figure


def _save(figure: Any) -> bytes:
    out = io.BytesIO()
    # zlib level 1: a few ms less than the default 6, and still well under 200 KB for flat colours.
    figure.savefig(out, format="png", dpi=DPI, facecolor=BACKGROUND, pil_kwargs={"compress_level": 1})
    return out.getvalue()


def _style(axes: Any) -> None:
    axes.set_facecolor(BACKGROUND)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        axes.spines[side].set_color(MUTED)
    axes.tick_params(colors=INK, labelsize=10)


def _comma(value: float, digits: int = 1) -> str:
    return decimal(value, digits) if value != int(value) else str(int(value))


def _draw_distribution(axes: Any, dist: Distribution, title: str, colour: str) -> None:
    # No axis machinery (ticks are what costs most to draw): the star labels and the baseline by hand.
    axes.set_axis_off()
    positions = [int(b.star) for b in dist.bars]
    axes.barh(positions, [b.count for b in dist.bars], color=colour, height=0.7, zorder=2)
    biggest = max((b.count for b in dist.bars), default=0) or 1
    axes.set_xlim(-biggest * 0.12, biggest * 1.45)
    axes.set_ylim(-0.6, 5.6)
    axes.axvline(0, color=MUTED, linewidth=1)
    for b in dist.bars:
        y = int(b.star)
        axes.text(
            -biggest * 0.03, y, texts.CHART_STARS.format(star=b.star), ha="right", va="center", color=INK
        )
        label = texts.CHART_BAR.format(count=count(b.count), share=_percent(b.share))
        axes.text(b.count + biggest * 0.02, y, label, va="center", color=INK)
    if dist.average is not None:
        # The average sits on the star axis itself: 2,3 is just above the bar of 2 stars.
        axes.plot(
            [0, biggest * 1.45],
            [dist.average, dist.average],
            color=INK,
            linestyle="--",
            linewidth=1.4,
            zorder=2.5,  # over the bars, under the labels
            label=texts.CHART_AVERAGE.format(average=decimal(dist.average)),
        )
        axes.legend(loc=_free_corner(dist), frameon=True, facecolor=BACKGROUND, edgecolor=GRID)
    axes.set_title(title, loc="left", fontsize=11, color=INK)


def _free_corner(dist: Distribution) -> str:
    """Where the legend hides no bar label: beside the shortest of the top, middle or bottom bars."""
    by_star = {b.star: b.count for b in dist.bars}
    corners = {
        "upper right": by_star["5"],
        "center right": max(by_star["3"], by_star["2"]),
        "lower right": by_star["0"],
    }
    return min(corners, key=lambda corner: corners[corner])  # ties: the first, upper right


def _draw_note(chart: NoteChart) -> bytes:
    figure = _figure()
    site_title = texts.CHART_SITE.format(reviews=plural(chart.site.total, "critique"))
    if chart.ratings_count is not None:
        site_title += " · " + plural(chart.ratings_count, "note")
    figure.suptitle(chart.film, x=0.03, ha="left", fontsize=14, fontweight="bold", color=INK)
    if chart.stored is None:
        axes = figure.add_subplot(1, 1, 1)
        _draw_distribution(axes, chart.site, site_title, BLUE)
    else:
        left, right = figure.subplots(1, 2)
        _draw_distribution(left, chart.site, site_title, BLUE)
        stored_title = texts.CHART_STORED.format(reviews=plural(chart.stored.total, "critique"))
        _draw_distribution(right, chart.stored, stored_title, ORANGE)
    figure.subplots_adjust(left=0.08, right=0.97, top=0.84, bottom=0.05, wspace=0.25)
    return _save(figure)


def _draw_trend(chart: TrendChart) -> bytes:
    from matplotlib.ticker import FuncFormatter

    figure = _figure()
    axes = figure.add_subplot(1, 1, 1)
    _style(axes)
    moments = [p.at for p in chart.points]
    averages = [p.average if p.average is not None else math.nan for p in chart.points]
    axes.plot(moments, averages, color=BLUE, marker="o", linewidth=2.2, markersize=6, zorder=3)
    axes.set_ylabel(texts.CHART_TREND_AVERAGE, color=BLUE, fontsize=10)
    known = [a for a in averages if not math.isnan(a)]
    if chart.press_average is not None:
        known.append(chart.press_average)
        axes.axhline(chart.press_average, color=VERMILLION, linestyle="--", linewidth=1.6, zorder=2)
        axes.text(
            moments[0],
            chart.press_average + 0.04,
            texts.CHART_TREND_PRESS.format(average=decimal(chart.press_average)),
            color=VERMILLION,
            fontsize=10,
            va="bottom",
        )
    low, high = (min(known), max(known)) if known else (0.0, 5.0)
    margin = max(0.2, (high - low) * 0.25)
    axes.set_ylim(max(0.0, low - margin), min(5.0, high + margin))
    axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: _comma(v, 1)))
    axes.grid(axis="y", color=GRID, zorder=0)
    ratings = [p.ratings_count for p in chart.points]
    if any(r is not None for r in ratings):
        twin = axes.twinx()
        twin.spines["top"].set_visible(False)
        twin.plot(
            moments,
            [r if r is not None else math.nan for r in ratings],
            color=GREEN,
            marker="s",
            linestyle=":",
            linewidth=1.8,
            markersize=5,
        )
        twin.set_ylabel(texts.CHART_TREND_COUNT, color=GREEN, fontsize=10)
        twin.tick_params(colors=INK, labelsize=10)
        twin.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: count(round(v))))
    years = {m.year for m in moments}
    with_year = len(years) > 1
    axes.set_xticks(_date_ticks(moments))
    axes.xaxis.set_major_formatter(
        FuncFormatter(lambda v, _pos: short_date(_from_number(v), with_year=with_year))
    )
    axes.set_title(texts.CHART_TREND_TITLE.format(film=chart.film), loc="left", fontsize=13, color=INK)
    figure.subplots_adjust(left=0.08, right=0.9, top=0.9, bottom=0.1)
    return _save(figure)


def _date_ticks(moments: Sequence[datetime]) -> list[float]:
    """At most six ticks, on the points themselves (a refresh's day is what a reader looks for)."""
    from matplotlib.dates import date2num

    step = max(1, math.ceil(len(moments) / 6))
    chosen = list(moments[::step])
    return [float(date2num(m)) for m in chosen]


def _from_number(value: float) -> date:
    from matplotlib.dates import num2date

    return num2date(value).date()


def _draw_moves(chart: MovesChart) -> bytes:
    from matplotlib.ticker import FuncFormatter

    figure = _figure()
    axes = figure.add_subplot(1, 1, 1)
    _style(axes)
    rows = list(reversed(chart.moves))  # the biggest move on top
    for y, move in enumerate(rows):
        up = move.after > move.before
        colour = BLUE if up else VERMILLION
        axes.annotate(
            "",
            xy=(move.after, y),
            xytext=(move.before, y),
            arrowprops={"arrowstyle": "-|>", "color": colour, "linewidth": 2.2, "mutation_scale": 16},
            zorder=3,
        )
        label = texts.DIGEST_MOVED_AVERAGE.format(before=decimal(move.before), after=decimal(move.after))
        axes.text(max(move.before, move.after) + 0.08, y, label, va="center", fontsize=10, color=colour)
    # Every "before" dot as one artist: one per row costs a draw call each.
    axes.plot([m.before for m in rows], range(len(rows)), "o", color=GREY, markersize=7, zorder=4)
    values = [v for m in chart.moves for v in (m.before, m.after)]
    low, high = min(values), max(values)
    axes.set_xlim(max(0.0, low - 0.3), min(5.0, high + 0.3) + 0.35)
    axes.set_ylim(-0.7, len(rows) - 0.3)
    axes.set_yticks(range(len(rows)), [_cut(m.film, 34) for m in rows])
    axes.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: _comma(v, 1)))
    axes.set_xlabel(texts.CHART_MOVES_AXIS, color=INK, fontsize=10)
    axes.grid(axis="x", color=GRID, zorder=0)
    axes.set_title(f"{texts.CHART_MOVES_TITLE} — {long_date(chart.day)}", loc="left", fontsize=13, color=INK)
    figure.subplots_adjust(left=0.3, right=0.97, top=0.9, bottom=0.12)
    return _save(figure)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
