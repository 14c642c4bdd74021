"""`critibot refresh` and `critibot status` as a user types them (inbox only: no network here)."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.cli.refresh import parse_duration, queue_lines
from config import get_settings
from config.settings import CONFIG_DIR
from storage.refresh_queue import DueFilm, QueueState
from tests.conftest import PLAIN_SEED, PRESS_SEED, SPECTATOR_SEED

runner = CliRunner()
CRITIBOT = Path(sys.executable).parent / "critibot"


@pytest.fixture
def inbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "inbox"
    folder.mkdir()
    watchlist = tmp_path / "films.toml"
    shutil.copy(CONFIG_DIR / "films.toml", watchlist)  # names the seed files' films
    monkeypatch.setenv("CRITIBOT_WATCHLIST", str(watchlist))
    monkeypatch.setenv("CRITIBOT_INBOX_DIRS", f'["{folder}"]')
    monkeypatch.setenv("CRITIBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'refresh.db'}")
    get_settings.cache_clear()
    yield folder
    get_settings.cache_clear()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_refresh_imports_the_inbox_then_status_tells(inbox: Path) -> None:
    code, output = run("status")
    assert code == 0 and "Aucun rafraîchissement encore" in output

    for seed in (SPECTATOR_SEED, PRESS_SEED, PLAIN_SEED):
        shutil.copy(seed, inbox / seed.name)
    code, output = run("refresh")
    assert code == 0, output
    assert f"✓ {inbox / SPECTATOR_SEED.name} — critiques spectateurs : 15 nouvelles, 0 mise à jour" in output
    assert "critiques presse : 24 nouvelles" in output
    assert (
        "Total : critiques spectateurs : 26 nouvelles, 0 mise à jour ; critiques presse : 24 nouvelles"
        in output
    )

    code, output = run("refresh")
    assert code == 0
    assert "Total : rien de neuf." in output  # the same files are not imported twice

    (inbox / "cassé.html").write_text("<html><body><p>Maintenance</p></body></html>", encoding="utf-8")
    code, output = run("refresh")
    assert code == 1
    assert "cassé.html" in output and "fichier laissé en place" in output and "1 erreur" in output

    code, output = run("status")
    assert code == 0, output
    assert "2 films suivis, dont 0 lus sur AlloCiné." in output
    assert output.count("• ") == 2  # the refresh that had nothing to do left no record
    lines = [line for line in output.splitlines() if line.startswith("• ")]
    assert "1 erreur" in lines[0] and "réussi" in lines[1] and "critiques spectateurs +26" in lines[1]
    assert "page illisible" in output


def test_refresh_every_refuses_an_unreadable_interval(inbox: Path) -> None:
    code, output = run("refresh", "--every", "souvent")
    assert code == 2
    assert "Intervalle illisible : « souvent »" in output


async def test_refresh_every_loops_until_sigterm(tmp_path: Path) -> None:
    """The standalone refresher, as a deployment runs it: a real process, stopped like a service."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SPECTATOR_SEED, inbox / SPECTATOR_SEED.name)
    watchlist = tmp_path / "films.toml"
    shutil.copy(CONFIG_DIR / "films.toml", watchlist)
    env = {
        **os.environ,
        "CRITIBOT_WATCHLIST": str(watchlist),
        "CRITIBOT_INBOX_DIRS": f'["{inbox}"]',
        "CRITIBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'loop.db'}",
    }
    process = await asyncio.create_subprocess_exec(
        str(CRITIBOT), "refresh", "--every", "1s", env=env, stdout=asyncio.subprocess.PIPE
    )
    assert process.stdout is not None
    seen: list[str] = []
    try:
        while sum(line.startswith("Total") for line in seen) < 2:
            line = await asyncio.wait_for(process.stdout.readline(), 30)
            assert line, "the loop stopped by itself"
            seen.append(line.decode())
    finally:
        process.send_signal(signal.SIGTERM)
        rest, _ = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0
    assert "Rafraîchissement toutes les 1 s ; Ctrl-C pour arrêter." in seen[0]
    totals = [line for line in seen if line.startswith("Total")]
    assert totals == [
        "Total : critiques spectateurs : 15 nouvelles, 0 mise à jour.\n",
        "Total : rien de neuf.\n",
    ]
    assert rest.decode().strip().endswith("Arrêt.")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("6h", 21_600), ("30m", 1_800), ("1h30m", 5_400), ("2j", 172_800), ("90s", 90), ("1,5", 5_400)],
)
def test_durations(text: str, seconds: int) -> None:
    duration = parse_duration(text)
    assert duration is not None and duration.total_seconds() == seconds


@pytest.mark.parametrize("text", ["", "0h", "six heures", "-3h", "6x"])
def test_unreadable_durations(text: str) -> None:
    assert parse_duration(text) is None


def test_status_tells_the_refresh_queue() -> None:
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    empty = QueueState(0, 0, 0, 0, 0, None, None, 0, ())
    assert queue_lines(empty, now, ZoneInfo("Europe/Paris"), budget=None) == []
    state = QueueState(
        films=1205,
        up_to_date=1200,
        late=3,
        reading=1,
        failing=1,
        most_late=timedelta(hours=2, minutes=5),
        median_late=timedelta(minutes=40),
        requests_last_hour=750,
        next_due=(
            DueFilm(1, "Derrière le masque", now - timedelta(minutes=40), 0),
            DueFilm(2, "Backstage", now + timedelta(hours=1), 0),
        ),
    )
    assert queue_lines(state, now, ZoneInfo("Europe/Paris"), budget=1500) == [
        "File de rafraîchissement : 1\u202f200 films à jour, 3 en retard (médiane 40 min, au plus 2 h 05), "
        "1 en cours de lecture, 1 en échec à la dernière lecture.",
        "Requêtes à AlloCiné dans la dernière heure : 750 sur un budget de 1\u202f500 (50 %).",
        "Prochains films :",
        "  – Derrière le masque : maintenant",
        "  – Backstage : 30/11 à 14:00",
    ]
