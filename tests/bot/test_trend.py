"""/tendance on a real history: the refresher reads the fake AlloCiné twice, the figures move between the
two reads, and the answer shows two points (and draws them); with fewer, it says when the next read is."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image as PILImage
from sqlalchemy import Engine

from bot import charts
from bot.answers.commands import answer_line
from bot.answers.context import AnswerContext
from bot.wording import long_date
from config import Settings
from storage import refresh_queue
from storage.pages import ParsedSpectatorPage, SiteFigures
from storage.queries import find_films, rating_history
from storage.refresher import refresh
from storage.run_log import start_run
from storage.sources.allocine import AllocineClient
from storage.store import FilmHint, store_page
from storage.watchlist import WatchedFilm
from tests.doubles.fakeallocine import FakeAllocine
from tests.doubles.films import INCEPTION, serve_film

DAY_1 = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
DAY_2 = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")
FILM = WatchedFilm(title="Inception", year=2010, allocine_id=INCEPTION)


def settings_for(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        watchlist=tmp_path / "films.toml",
        inbox_dirs=[tmp_path / "inbox"],
        allocine_delay=0.0,
        allocine_timeout=2.0,
        allocine_retries=0,
        allocine_max_pages=1,
    )


async def read(engine: Engine, settings: Settings, site: FakeAllocine, now: datetime) -> None:
    async with AllocineClient.from_settings(settings, base_url=site.base_url) as client:
        report = await refresh(engine, settings, client=client, watchlist=[FILM], now=now)
    assert [f.error for f in report.films] == [None]


async def test_two_refreshes_with_moved_figures_make_two_points(
    engine: Engine, fake_allocine: FakeAllocine, tmp_path: Path
) -> None:
    settings = settings_for(tmp_path)
    serve_film(fake_allocine, INCEPTION, "Inception", average=4.4, ratings_count=51_234)
    await read(engine, settings, fake_allocine, DAY_1)
    ctx = AnswerContext.open(engine)
    one = answer_line(ctx, "/tendance Inception", scope="test")
    assert one.image is None
    assert one.description.startswith(
        "Pas encore de tendance pour Inception (2010) : critibot n'a qu'une mesure de ses chiffres "
        "(4,4/5, 51\u202f234 notes, le 20 novembre 2026)."
    )

    newer = {"author": "Nouvelle", "rating": 2.0, "text": "Moins bien la seconde fois.", "site_id": 99}
    serve_film(fake_allocine, INCEPTION, "Inception", average=4.3, ratings_count=51_300, newer=[newer])
    await read(engine, settings, fake_allocine, DAY_2)
    film_id = find_films(engine, "Inception")[0].id
    assert len(rating_history(engine, film_id)) >= 2  # the main page and the spectator page, each read

    answer = answer_line(ctx, "/tendance Inception", scope="test")
    assert answer.title == "Inception (2010) — la note au fil du temps"
    assert answer.description.splitlines()[:4] == [
        "2 mesures depuis le 20 novembre 2026 : de **4,4/5** à **4,3/5** (51\u202f300 notes).",
        "",
        "• 20 novembre 2026 : 4,4/5 · 51\u202f234 notes",
        "• 23 novembre 2026 : 4,3/5 · 51\u202f300 notes",
    ]
    # The two stored press ratings (4,5 and 4): the refresher reads no main page, which gives 4,1.
    assert "Moyenne de la presse : 4,2/5." in answer.description
    assert answer.image is not None and answer.image.name == f"tendance-{film_id}.png"
    assert answer.image.description == (
        "Graphique : note moyenne des spectateurs de Inception (2010) au fil du temps. "
        "le 20 novembre 2026, 4,4 sur 5 (51\u202f234 notes) ; "
        "le 23 novembre 2026, 4,3 sur 5 (51\u202f300 notes). "
        "Moyenne de la presse : 4,2 sur 5."
    )
    picture = PILImage.open(io.BytesIO(answer.image.png))
    assert picture.size == (charts.WIDTH, charts.HEIGHT)


def expected(local: datetime) -> str:
    when = f"{long_date(local.date())} vers {local.hour} h {local.minute:02d}"
    return f"Prochaine relecture d'AlloCiné prévue le {when}."


def test_the_next_read_is_the_queues_or_one_period_after_the_last_refresh(
    engine: Engine, tmp_path: Path
) -> None:
    page = ParsedSpectatorPage(
        title="Origine", figures=SiteFigures(average=3.2, ratings_count=40), reviews=[]
    )
    report = store_page(
        engine, page, location="o", raw="o", hint=FilmHint(title="Origine", allocine_id=1_000_002), now=DAY_1
    )
    ctx = AnswerContext.open(engine)
    watchlist = tmp_path / "films.toml"
    ctx.follow_refresh(Settings(watchlist=watchlist, refresh_every_hours=6.0))

    def said() -> str:
        return answer_line(ctx, "/tendance Origine", scope="test").description.split("\n\n")[-1]

    assert said().startswith("Ce film n'est pas relu automatiquement")
    # Put on the watchlist: the next round queues and reads it.
    watchlist.write_text('[[film]]\ntitle = "Origine"\nallocine_id = 1000002\n', encoding="utf-8")
    assert said() == "La prochaine relecture d'AlloCiné est imminente."  # no refresh has run yet
    started = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=3)
    start_run(engine, started)  # a run (its start is what counts), as if the clock had moved on
    due = started + timedelta(hours=6)
    local = due.astimezone(PARIS)
    assert said() == expected(local)
    # A film in the refresh queue: the queue's plan wins.
    queued_at = started + timedelta(days=1, hours=1)
    refresh_queue.enqueue(engine, [report.film_id], now=queued_at)
    local = queued_at.astimezone(PARIS)
    assert said() == expected(local)
