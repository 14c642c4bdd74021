"""`critibot refresh` and `critibot status` as a user types them (inbox only: no network here)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from config import get_settings
from config.settings import CONFIG_DIR
from tests.conftest import PLAIN_SEED, PRESS_SEED, SPECTATOR_SEED

runner = CliRunner()


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
    assert output.count("• ") == 3
    lines = [line for line in output.splitlines() if line.startswith("• ")]
    assert "1 erreur" in lines[0] and "réussi" in lines[1] and "critiques spectateurs +26" in lines[2]
    assert "page illisible" in output


def test_refresh_every_refuses_an_unreadable_interval(inbox: Path) -> None:
    code, output = run("refresh", "--every", "souvent")
    assert code == 2
    assert "Intervalle illisible : « souvent »" in output
