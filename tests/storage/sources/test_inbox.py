"""Inbox folders with odd files: each is reported and skipped, the others imported, the run recorded."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, select

from config import Settings
from storage import refresher
from storage.db.tables import SEARCH_CACHE
from storage.refresher import refresh
from storage.run_log import last_runs
from storage.watchlist import WatchedFilm
from tests.conftest import SPECTATOR_SEED

NOW = datetime(2025, 1, 25, 8, 0, tzinfo=UTC)
MASQUE = WatchedFilm("Derrière le masque", 2006, files=(SPECTATOR_SEED.name,))


def _disk_full(*_args: object) -> None:
    raise RuntimeError("disque plein")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SPECTATOR_SEED, inbox / SPECTATOR_SEED.name)
    return Settings(data_dir=tmp_path, watchlist=tmp_path / "films.toml", inbox_dirs=[inbox])


async def test_a_file_name_that_is_not_utf8_is_reported_escaped_and_the_rest_imported(
    engine: Engine, settings: Settings
) -> None:
    inbox = os.fsencode(settings.inboxes[0])
    with open(os.path.join(inbox, b"dump\xff.txt"), "wb") as odd:
        odd.write(SPECTATOR_SEED.read_bytes() + b"\n")
    report = await refresh(engine, settings, watchlist=[MASQUE], now=NOW)
    done = {Path(f.path).name: f for f in report.files if not f.error}
    assert done[SPECTATOR_SEED.name].counts["spectateurs"].new == 15
    (failed,) = [f for f in report.files if f.error]
    assert failed.error is not None and failed.error.code == "file_name"
    assert failed.path.endswith("dump\\xff.txt") and failed.path.isprintable()
    (run,) = last_runs(engine)
    assert run.finished_at is not None and run.ok is False
    assert run.failure is None  # failed for a file, not as a crash


async def test_a_broken_link_is_reported_not_skipped_silently(engine: Engine, settings: Settings) -> None:
    (settings.inboxes[0] / "parti.txt").symlink_to(settings.inboxes[0] / "nulle-part.txt")
    report = await refresh(engine, settings, watchlist=[MASQUE], now=NOW)
    (failed,) = [f for f in report.files if f.error]
    assert Path(failed.path).name == "parti.txt"
    assert failed.error is not None and failed.error.code == "broken_link"


async def test_a_refresh_that_fails_is_recorded_as_failed_not_as_running(
    engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(refresher, "import_inbox", _disk_full)
    with pytest.raises(RuntimeError):
        await refresh(engine, settings, watchlist=[MASQUE], now=NOW)
    (run,) = last_runs(engine)
    assert run.finished_at is not None and run.ok is False
    assert [e.problem.code for e in run.errors if e.problem] == ["interrupted"]
    assert run.failure is not None and run.failure.code == "interrupted"


async def test_after_a_crashed_refresh_every_film_is_read_in_full(
    engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(refresher, "import_inbox", _disk_full)
    with pytest.raises(RuntimeError):
        await refresh(engine, settings, watchlist=[MASQUE], now=NOW)
    (run,) = last_runs(engine)  # recorded as crashed, never as still running
    assert run.finished_at is not None and run.failure is not None


async def test_a_refresh_forgets_expired_search_answers(engine: Engine, settings: Settings) -> None:
    """A search asked once is never asked again: each refresh clears the answers past their date."""
    with engine.begin() as conn:
        for query, expires in (("ancienne", NOW - timedelta(days=1)), ("fraiche", NOW + timedelta(days=3))):
            conn.execute(
                insert(SEARCH_CACHE).values(
                    query_folded=query, results="[]", fetched_at=NOW, expires_at=expires
                )
            )
    await refresh(engine, settings, watchlist=[MASQUE], now=NOW)
    with engine.connect() as conn:
        assert list(conn.scalars(select(SEARCH_CACHE.c.query_folded))) == ["fraiche"]
