"""One refresher per SQLite database: two real refreshes at once, in one process and in two. On PostgreSQL
refreshers share the queue instead (the lock then only keeps the inbox and first reads to one of them):
two at once both run, and read the film once."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from bot.wording import problem_text
from config import Settings
from storage.db.engine import make_engine
from storage.db.tables import REFRESH_RUN
from storage.refresh_lock import lock_file, try_lock
from storage.refresher import RefreshReport, refresh
from storage.run_log import last_runs
from storage.sources.allocine import AllocineClient
from storage.watchlist import WatchedFilm
from tests.doubles.fakeallocine import FakeAllocine, Hold, spectator_html

CRITIBOT = Path(sys.executable).parent / "critibot"
FILM = WatchedFilm("Backstage", 2005, 42)
PAGE = "/film/fichefilm-42/critiques/spectateurs/recentes/"
BUSY = "rafraîchissement non lancé : un autre est en cours sur cette base"


def publish(site: FakeAllocine) -> None:
    review = {"author": "Lise", "rating": 4.0, "text": "Bien meilleur que sa réputation."}
    page = spectator_html(
        "Backstage",
        average=4.0,
        ratings_count=1,
        reviews_count=1,
        histogram={4: 1},
        reviews=[review],
        allocine_id=42,
    )
    site.set_page(PAGE, page)


def settings_for(tmp_path: Path, site: FakeAllocine) -> Settings:
    return Settings(
        data_dir=tmp_path,
        watchlist=tmp_path / "films.toml",
        inbox_dirs=[tmp_path / "inbox"],
        allocine_base_url=site.base_url,
        allocine_delay=0.0,
        allocine_timeout=10.0,
        allocine_max_pages=1,
    )


def same_database(engine: Engine) -> Engine:
    """Another engine on `engine`'s database: what a second process would open."""
    return make_engine(engine.url.render_as_string(hide_password=False), create=False)


def runs(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(REFRESH_RUN)).scalar_one()


async def refresh_with(engine: Engine, settings: Settings) -> RefreshReport:
    async with AllocineClient.from_settings(settings) as client:
        return await refresh(engine, settings, client=client, watchlist=[FILM])


async def test_two_refreshes_at_once_one_runs_and_the_other_says_so(
    engine: Engine, tmp_path: Path, fake_allocine: FakeAllocine, caplog: pytest.LogCaptureFixture
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL runs several refreshers: see the test below")
    publish(fake_allocine)
    release = asyncio.Event()
    fake_allocine.script(PAGE, Hold(release))  # whichever reads first is still reading when the other starts
    settings = settings_for(tmp_path, fake_allocine)
    other = same_database(engine)
    try:
        tasks = [asyncio.create_task(refresh_with(db, settings)) for db in (engine, other)]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)  # the refused one returns at once
        release.set()
        reports = [await task for task in tasks]
        busy = [r for r in reports if r.busy]
        done = [r for r in reports if not r.busy]
        assert len(busy) == 1 and len(done) == 1
        assert done[0].ok and done[0].films[0].counts["spectateurs"].new == 1
        (refused,) = busy
        assert refused.run_id is None and refused.films == [] and not refused.ok
        assert refused.failure is not None
        assert problem_text(refused.failure, "site").startswith(
            "un autre rafraîchissement est en cours sur cette base"
        )
        assert BUSY in caplog.messages  # what the bot's scheduled refresh leaves in its log
        assert len(fake_allocine.requests_for(PAGE)) == 1  # not asked twice
        assert runs(engine) == 1 and last_runs(engine)[0].finished_at is not None

        again = await refresh_with(other, settings)  # the lock went with the first refresh
        assert not again.busy and again.ok
    finally:
        other.dispose()


async def test_two_refreshes_at_once_on_postgresql_both_run_and_read_the_film_once(
    engine: Engine, tmp_path: Path, fake_allocine: FakeAllocine, caplog: pytest.LogCaptureFixture
) -> None:
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite runs one refresher: see the test above")
    publish(fake_allocine)
    release = asyncio.Event()
    fake_allocine.script(PAGE, Hold(release))
    settings = settings_for(tmp_path, fake_allocine)
    other = same_database(engine)
    try:
        tasks = [asyncio.create_task(refresh_with(db, settings)) for db in (engine, other)]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)  # the one without the film ends
        release.set()
        reports = [await task for task in tasks]
        assert not any(report.busy for report in reports) and all(report.ok for report in reports)
        assert sorted(len(report.films) for report in reports) == [0, 1]  # one read it, the other did not
        assert BUSY not in caplog.messages
        # The one that read nothing leaves no record: rounds with nothing to do are not kept.
        assert len(fake_allocine.requests_for(PAGE)) == 1 and runs(engine) == 1
    finally:
        other.dispose()


async def test_a_refresh_in_another_process_keeps_this_one_out(
    engine: Engine, tmp_path: Path, fake_allocine: FakeAllocine
) -> None:
    """`critibot refresh` as deployments run it, against one in a process of its own."""
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL runs several refreshers")
    publish(fake_allocine)
    release = asyncio.Event()
    fake_allocine.script(PAGE, Hold(release))  # the first refresh holds the lock until released
    watchlist = tmp_path / "films.toml"
    watchlist.write_text('[[film]]\ntitle = "Backstage"\nyear = 2005\nallocine_id = 42\n', encoding="utf-8")
    (tmp_path / "inbox").mkdir()
    env = {
        **os.environ,
        "CRITIBOT_WATCHLIST": str(watchlist),
        "CRITIBOT_INBOX_DIRS": f'["{tmp_path / "inbox"}"]',
        "CRITIBOT_ALLOCINE_BASE_URL": fake_allocine.base_url,
        "CRITIBOT_ALLOCINE_DELAY": "0",
    }
    url = engine.url.render_as_string(hide_password=False)

    async def critibot_refresh() -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            str(CRITIBOT),
            "refresh",
            "--db",
            url,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )

    first = await critibot_refresh()
    deadline = time.monotonic() + 30
    while not fake_allocine.requests_for(PAGE):  # it holds the lock once it asks the site
        assert time.monotonic() < deadline and first.returncode is None
        await asyncio.sleep(0.05)

    here = await refresh_with(engine, settings_for(tmp_path, fake_allocine))
    assert here.busy

    second = await critibot_refresh()
    output, _ = await asyncio.wait_for(second.communicate(), 30)
    assert second.returncode == 1
    assert BUSY in output.decode()
    assert "Rien à lire" not in output.decode() and "Total" not in output.decode()  # it read nothing

    release.set()
    output, _ = await asyncio.wait_for(first.communicate(), 30)
    assert first.returncode == 0, output.decode()
    assert BUSY not in output.decode()
    assert len(fake_allocine.requests_for(PAGE)) == 1 and runs(engine) == 1


def test_a_held_lock_is_refused_then_free_again(engine: Engine) -> None:
    held = try_lock(engine)
    assert held is not None
    other = same_database(engine)
    try:
        assert try_lock(other) is None
        assert try_lock(engine) is None  # the same process, another connection or file: refused too
        held.release()
        again = try_lock(other)
        assert again is not None
        again.release()
    finally:
        other.dispose()


def test_the_sqlite_lock_file_sits_beside_the_database(tmp_path: Path) -> None:
    on_disk = make_engine(f"sqlite:///{tmp_path / 'critibot.db'}")
    in_memory = make_engine("sqlite://")
    try:
        assert lock_file(on_disk) == tmp_path / "critibot.db.refresh-lock"
        assert lock_file(in_memory) is None
        held = try_lock(in_memory)
        assert held is not None and try_lock(in_memory) is not None  # one process's own: no lock
    finally:
        on_disk.dispose()
        in_memory.dispose()
