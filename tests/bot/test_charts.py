"""The charts: their data with exact values on the seeds, the PNGs themselves, the cache, the answers that
carry them (/note, /tendance, the digest, the terminal) and matplotlib's lazy import."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image as PILImage
from sqlalchemy import Engine
from typer.testing import CliRunner

from bot import charts, render, terminal
from bot.answers.commands import answer_line
from bot.answers.context import AnswerContext
from bot.answers.digest import compose_digest
from bot.cli import app
from bot.wording import long_date, short_date
from config import get_settings
from storage.changes import MovedFilm
from storage.importer import import_files
from storage.pages import ParsedSpectatorPage, SiteFigures
from storage.queries import FiguresAt, FilmStats, film_stats, find_films, stored_rating_counts
from storage.store import FilmHint, store_page
from storage.watchlist import load_watchlist
from tests.conftest import SAMPLES

ROOT = Path(__file__).resolve().parents[2]
SEED_BARS = (("5", 3), ("4", 7), ("3", 8), ("2", 10), ("1", 2), ("0", 9))
# The 15 stored reviews' ratings: 0,5 ×2 · 1 · 2 ×3 · 2,5 · 3 ×3 · 3,5 ×3 · 4 ×2, in bars 5 → 0.
STORED_BARS = (("5", 0), ("4", 2), ("3", 6), ("2", 4), ("1", 1), ("0", 2))


@pytest.fixture
def ctx(engine: Engine) -> AnswerContext:
    assert not import_files(engine, [SAMPLES], watchlist=load_watchlist(get_settings().watchlist)).failed
    return AnswerContext.open(engine, seed=7)


def masque(engine: Engine) -> int:
    (film,) = find_films(engine, "Derrière le masque")
    return int(film.id)


def decoded(png: bytes) -> PILImage.Image:
    picture = PILImage.open(io.BytesIO(png))
    picture.load()
    return picture


def assert_picture(png: bytes) -> None:
    """A real PNG of the stated size, small enough, and not blank: several distinct colours."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    picture = decoded(png)
    assert picture.format == "PNG"
    assert picture.size == (charts.WIDTH, charts.HEIGHT) == (900, 500)
    assert len(png) <= 200_000
    colours = picture.convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) >= 8
    # Not one colour with specks: the background covers less than 97 % of the pixels.
    assert max(n for n, _ in colours) < 0.97 * charts.WIDTH * charts.HEIGHT


# --- the data -----------------------------------------------------------------------------------------------


def test_note_chart_data_on_the_seeds(ctx: AnswerContext) -> None:
    film_id = masque(ctx.engine)
    stats = film_stats(ctx.engine, film_id)
    chart = charts.note_chart(stats, stored_rating_counts(ctx.engine, film_id))
    assert chart is not None
    assert tuple((b.star, b.count) for b in chart.site.bars) == SEED_BARS
    assert chart.site.total == 39 and chart.site.average == 2.3 and chart.ratings_count == 158
    assert [round(100 * b.share) for b in chart.site.bars] == [8, 18, 21, 26, 5, 23]
    assert chart.site.bars[3].share == 10 / 39
    assert chart.film == "Derrière le masque (2006)" and chart.film_id == film_id
    assert chart.figures_at == stats.figures_at
    # 15 stored of AlloCiné's 39: a sample, drawn beside.
    assert chart.stored is not None
    assert tuple((b.star, b.count) for b in chart.stored.bars) == STORED_BARS
    assert chart.stored.total == 15 and chart.stored.average == 2.53 == stats.stored_average


def test_the_stored_reviews_are_no_sample_when_all_are_stored() -> None:
    stats = _stats(histogram=dict(SEED_BARS), reviews_count=39, stored=39)
    chart = charts.note_chart(stats, {4.0: 39})
    assert chart is not None and chart.stored is None


def test_no_histogram_no_chart(ctx: AnswerContext) -> None:
    (backstage,) = find_films(ctx.engine, "Backstage")
    assert film_stats(ctx.engine, backstage.id).histogram is None
    assert charts.note_chart(film_stats(ctx.engine, backstage.id), {}) is None
    assert charts.note_chart(_stats(histogram=dict.fromkeys("543210", 0)), {}) is None  # all bars empty


def test_stored_ratings_fall_in_their_bar_half_stars_down() -> None:
    dist = charts.stored_distribution({0.5: 1, 1.0: 1, 4.5: 2, 5.0: 1})
    assert tuple((b.star, b.count) for b in dist.bars) == (
        ("5", 1),
        ("4", 2),
        ("3", 0),
        ("2", 0),
        ("1", 1),
        ("0", 1),
    )
    assert dist.average == 3.1 and dist.total == 5


def test_trend_points_one_per_change_with_partial_pages_filled_in() -> None:
    day = datetime(2026, 11, 20, 6, tzinfo=UTC)
    history = [
        FiguresAt(day, 2.2, 146),  # main page
        FiguresAt(day + timedelta(seconds=3), 2.2, None),  # a page without the count: no new point
        FiguresAt(day + timedelta(days=1), 2.2, 146),  # read again, changed elsewhere: same figures
        FiguresAt(day + timedelta(days=2), 2.3, 158),
        FiguresAt(day + timedelta(days=2, seconds=3), 2.3, 158),
        FiguresAt(day + timedelta(days=3), None, None),  # nothing: skipped
        FiguresAt(day + timedelta(days=4), 2.3, 160),
    ]
    points = charts.trend_points(history)
    assert [(p.at, p.average, p.ratings_count) for p in points] == [
        (day, 2.2, 146),
        (day + timedelta(days=2), 2.3, 158),
        (day + timedelta(days=4), 2.3, 160),
    ]
    assert charts.trend_points([]) == ()


def test_moves_need_two_films_whose_average_moved() -> None:
    def moved(title: str, before: float | None, after: float | None) -> MovedFilm:
        return MovedFilm(
            film_id=1,
            title=title,
            year=2006,
            average_before=before,
            average_after=after,
            ratings_before=10,
            ratings_after=12,
        )

    day = date(2026, 11, 30)
    one = [moved("A", 2.2, 2.3), moved("B", 3.0, 3.04), moved("C", None, 3.0)]  # 3,0 → 3,0 is no move
    assert charts.moves_chart(one, day) is None
    chart = charts.moves_chart([*one, moved("D", 4.1, 3.9)], day)
    assert chart is not None
    assert [(m.film, m.before, m.after) for m in chart.moves] == [
        ("A (2006)", 2.2, 2.3),
        ("D (2006)", 4.1, 3.9),
    ]
    assert charts.describe(chart) == (
        "Graphique : les notes qui bougent. A (2006) passe de 2,2 à 2,3 sur 5 ; "
        "D (2006) passe de 4,1 à 3,9 sur 5."
    )
    assert charts.file_name(chart) == "resume-2026-11-30.png"


def test_alt_text_gives_the_numbers_in_words(ctx: AnswerContext) -> None:
    film_id = masque(ctx.engine)
    chart = charts.note_chart(film_stats(ctx.engine, film_id), stored_rating_counts(ctx.engine, film_id))
    assert chart is not None
    assert charts.describe(chart) == (
        "Graphique : répartition des 39 critiques de spectateurs sur AlloCiné pour Derrière le masque "
        "(2006). 5 étoiles : 3 (8 %) ; 4 étoiles : 7 (18 %) ; 3 étoiles : 8 (21 %) ; 2 étoiles : 10 (26 %) ; "
        "1 étoile : 2 (5 %) ; 0 étoile : 9 (23 %). Note moyenne : 2,3 sur 5, sur 158 notes. À côté, les "
        "15 critiques notées en base (un échantillon) : 5 étoiles : 0 (0 %) ; 4 étoiles : 2 (13 %) ; "
        "3 étoiles : 6 (40 %) ; 2 étoiles : 4 (27 %) ; 1 étoile : 1 (7 %) ; 0 étoile : 2 (13 %). "
        "Leur moyenne : 2,5 sur 5."
    )
    assert charts.file_name(chart) == f"note-{film_id}.png"


def test_short_french_dates() -> None:
    assert short_date(date(2026, 1, 1)) == "1er janv."
    assert short_date(date(2026, 2, 12)) == "12 févr."
    assert short_date(date(2026, 8, 3), with_year=True) == "3 août 2026"


# --- the pictures -------------------------------------------------------------------------------------------


def test_the_three_pictures_decode_at_their_size_and_are_not_blank(ctx: AnswerContext) -> None:
    film_id = masque(ctx.engine)
    note = charts.note_chart(film_stats(ctx.engine, film_id), stored_rating_counts(ctx.engine, film_id))
    assert note is not None
    day = datetime(2026, 11, 1, tzinfo=UTC)
    trend = charts.TrendChart(
        film_id,
        "Derrière le masque (2006)",
        tuple(charts.TrendPoint(day + timedelta(days=7 * i), 2.2 + 0.05 * i, 146 + 6 * i) for i in range(4)),
        3.1,
    )
    moves = charts.MovesChart(
        date(2026, 11, 30), (charts.Move("A (2006)", 2.2, 2.3), charts.Move("B", 4.1, 3.9))
    )
    for chart in (note, trend, moves):
        assert_picture(charts.png(chart, cache=None))


def test_a_second_drawing_of_the_same_data_comes_from_the_cache() -> None:
    cache = charts.PictureCache(size=2)
    chart = charts.MovesChart(date(2026, 11, 30), (charts.Move("A", 2.2, 2.3), charts.Move("B", 4.1, 3.9)))
    first = charts.png(chart, cache=cache)
    again = charts.png(charts.MovesChart(chart.day, chart.moves), cache=cache)  # equal data, new object
    assert again is first and (cache.hits, cache.misses) == (1, 1)
    for n in range(3):  # bounded: the oldest goes
        charts.png(charts.MovesChart(date(2026, 1, 1 + n), chart.moves), cache=cache)
    assert len(cache) == 2 and cache.get(chart) is None


def test_answers_drawing_at_once_get_whole_pictures() -> None:
    """Worker threads draw one at a time (matplotlib's fonts are shared): four at once, four equal PNGs."""
    from concurrent.futures import ThreadPoolExecutor

    chart = charts.MovesChart(date(2026, 11, 29), (charts.Move("A", 2.2, 2.3), charts.Move("B", 4.1, 3.9)))
    with ThreadPoolExecutor(4) as pool:
        drawn = list(pool.map(lambda _n: charts.png(chart, cache=None), range(4)))
    assert len(set(drawn)) == 1
    assert_picture(drawn[0])


# --- the answers --------------------------------------------------------------------------------------------


def test_note_attaches_the_chart_and_keeps_the_text_histogram(ctx: AnswerContext) -> None:
    answer = answer_line(ctx, "/note Derrière le masque", scope="test")
    film_id = masque(ctx.engine)
    assert answer.image is not None
    assert answer.image.name == f"note-{film_id}.png"
    assert answer.image.description.startswith("Graphique : répartition des 39 critiques")
    assert_picture(answer.image.png)
    assert any(f.name == "Répartition des critiques" and "█" in f.value for f in answer.fields)
    embed = render.embed(answer)
    assert embed["image"] == {"url": f"attachment://note-{film_id}.png"}
    message = render.message(answer)
    assert message["attachments"] == [
        {"id": 0, "filename": f"note-{film_id}.png", "description": answer.image.description}
    ]
    # Unchanged data: the very same bytes, not drawn again.
    assert answer_line(ctx, "/note derriere le masque", scope="test").image.png is answer.image.png  # type: ignore[union-attr]


def test_a_film_without_histogram_gets_no_chart_and_no_error(ctx: AnswerContext) -> None:
    answer = answer_line(ctx, "/note Backstage", scope="test")
    assert answer.tone != "error" and answer.image is None
    assert "image" not in render.embed(answer) and "attachments" not in render.message(answer)


def test_tendance_with_one_measure_explains_itself(ctx: AnswerContext) -> None:
    answer = answer_line(ctx, "/tendance Derrière le masque", scope="test")
    assert answer.image is None and answer.tone == "info"
    assert answer.title == "Derrière le masque (2006) — la note au fil du temps"
    day = film_stats(ctx.engine, masque(ctx.engine)).figures_at
    assert day is not None
    assert answer.description == (
        "Pas encore de tendance pour Derrière le masque (2006) : critibot n'a qu'une mesure de ses "
        f"chiffres (2,3/5, 158 notes, le {long_date(day.date())}). Il en faut deux pour tracer une "
        "évolution.\n\n"
        "Ce film n'est pas relu automatiquement : un serveur qui le suit (`/suivre`) le fait relire "
        "régulièrement."
    )
    none = answer_line(ctx, "/tendance Backstage", scope="test")
    assert none.description.startswith(
        "Pas encore de tendance pour Backstage (2005) : critibot n'a encore aucune mesure"
    )


def test_the_terminal_names_the_picture(ctx: AnswerContext) -> None:
    answer = answer_line(ctx, "/note Derrière le masque", scope="test")
    assert answer.image is not None
    text = terminal.to_text(answer)
    assert f"Image : {answer.image.name} — Graphique : répartition des 39 critiques" in text


def test_the_digest_carries_the_moves_when_two_films_moved(engine: Engine) -> None:
    before = datetime(2026, 11, 29, 0, tzinfo=UTC)  # before the first digest's 24 hours
    after = datetime(2026, 11, 30, 6, tzinfo=UTC)
    for title, old, new in (("Alpha", 2.2, 2.6), ("Beta", 4.1, 3.8)):
        for moment, average, count in ((before, old, 100), (after, new, 120)):
            page = ParsedSpectatorPage(
                title=title, figures=SiteFigures(average=average, ratings_count=count), reviews=[]
            )
            store_page(
                engine,
                page,
                location=f"{title}-{count}",
                raw=f"{title}-{count}",
                hint=FilmHint(title=title),
                now=moment,
            )
    digest = compose_digest(
        engine, None, now=after + timedelta(hours=1), zone=ZoneInfo("Europe/Paris"), films=None
    )
    image = digest.answer.image
    assert image is not None and image.name == "resume-2026-11-30.png"
    assert image.description == (
        "Graphique : les notes qui bougent. Alpha passe de 2,2 à 2,6 sur 5 ; Beta passe de 4,1 à 3,8 sur 5."
    )
    assert_picture(image.png)


# --- the terminal -------------------------------------------------------------------------------------------


def test_ask_writes_the_pictures_and_json_names_them(tmp_path: Path) -> None:
    env = {"CRITIBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "COLUMNS": "200"}
    runner = CliRunner()
    assert runner.invoke(app, ["import", str(SAMPLES)], env=env).exit_code == 0
    images = tmp_path / "images"
    result = runner.invoke(app, ["ask", "/note Derrière le masque", "--images", str(images)], env=env)
    assert result.exit_code == 0, result.output
    (written,) = images.iterdir()
    assert written.name.startswith("note-") and written.suffix == ".png"
    assert f"Image écrite : {written}" in result.output
    assert_picture(written.read_bytes())
    result = runner.invoke(app, ["ask", "/note Derrière le masque", "--json"], env=env)
    message = json.loads(result.stdout)
    (attachment,) = message["attachments"]
    assert attachment["filename"] == written.name
    assert attachment["description"].startswith("Graphique : répartition des 39 critiques")
    assert message["embeds"][0]["image"]["url"] == f"attachment://{written.name}"


# --- memory at start ----------------------------------------------------------------------------------------


def test_matplotlib_is_not_imported_until_a_chart_is_drawn() -> None:
    code = (
        "import sys\n"
        "import bot.cli, bot.charts, bot.answers.commands, bot.answers.digest, bot.discord_ui.client\n"
        "import bot.discord_ui.posting, bot.scheduler\n"
        "assert 'matplotlib' not in sys.modules, sorted(m for m in sys.modules if 'matplotlib' in m)\n"
        "from datetime import date\n"
        "from bot import charts\n"
        "charts.png(charts.MovesChart(date(2026, 1, 1), (charts.Move('A', 2, 3), charts.Move('B', 3, 2))))\n"
        "assert 'matplotlib' in sys.modules\n"
        "import matplotlib\n"
        "assert matplotlib.get_backend().lower() == 'agg', matplotlib.get_backend()\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def _stats(
    *, histogram: dict[str, int] | None, reviews_count: int | None = None, stored: int = 0
) -> FilmStats:
    return FilmStats(
        id=1,
        title="Film",
        year=None,
        allocine_id=None,
        original_title=None,
        url=None,
        site_average=3.0,
        site_ratings_count=10,
        site_reviews_count=reviews_count,
        histogram=histogram,
        spectator_reviews=stored,
        rated_reviews=stored,
        stored_average=None,
        press_reviews=0,
        press_with_quote=0,
        press_average=None,
        site_press_average=None,
        site_press_count=None,
        figures_at=None,
    )
