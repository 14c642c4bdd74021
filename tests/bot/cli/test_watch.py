"""`critibot watch`: the watchlist edited from the command line, its comments kept."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from config import get_settings
from config.settings import CONFIG_DIR
from storage.watchlist import load_watchlist

runner = CliRunner()


@pytest.fixture
def watchlist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "films.toml"
    shutil.copy(CONFIG_DIR / "films.toml", path)
    monkeypatch.setenv("CRITIBOT_WATCHLIST", str(path))
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_add_list_remove(watchlist: Path) -> None:
    code, output = run("watch", "add", "Le Dernier Duel", "--allocine-id", "260757", "--year", "2021")
    assert code == 0, output
    assert "« Le Dernier Duel (2021) » ajouté" in output
    films = load_watchlist(watchlist)
    assert [(f.title, f.year, f.allocine_id) for f in films][-1] == ("Le Dernier Duel", 2021, 260757)
    assert watchlist.read_text(encoding="utf-8").startswith("# The watchlist")  # comments kept

    code, output = run("watch", "list", "--json")
    assert code == 0
    assert [f["title"] for f in json.loads(output)] == ["Derrière le masque", "Backstage", "Le Dernier Duel"]

    code, output = run("watch", "list")
    assert "260757" in output and "Backstage (2005)" in output

    code, output = run("watch", "remove", "derriere le MASQUE")
    assert code == 0, output
    assert "« Derrière le masque (2006) » n'est plus suivi" in output
    code, output = run("watch", "remove", "--allocine-id", "260757")
    assert code == 0, output
    assert [f.title for f in load_watchlist(watchlist)] == ["Backstage"]
    assert "files = [" in watchlist.read_text(encoding="utf-8")  # the other entries untouched


def test_add_refuses_a_film_already_followed(watchlist: Path) -> None:
    run("watch", "add", "Dune", "--allocine-id", "12")
    before = watchlist.read_text(encoding="utf-8")
    code, output = run("watch", "add", "Dune : deuxième partie", "--allocine-id", "12")
    assert code == 1
    assert "l'identifiant AlloCiné 12 est déjà suivi : Dune" in output
    code, output = run("watch", "add", "BACKSTAGE", "--year", "2005")
    assert code == 1
    assert "« Backstage (2005) » est déjà dans la liste" in output
    assert watchlist.read_text(encoding="utf-8") == before


def test_odd_input_gets_a_french_message_not_a_traceback(watchlist: Path) -> None:
    code, output = run("watch", "add", "X", "--allocine-id", "-3")
    assert code == 2 and "nombre positif" in output
    code, output = run("watch", "remove")
    assert code == 2 and "Précisez le titre" in output
    code, output = run("watch", "remove", "Inconnu au bataillon")
    assert code == 1 and "« Inconnu au bataillon » n'est pas dans la liste des films suivis" in output
    watchlist.write_text("[[film]\ntitle = ", encoding="utf-8")
    code, output = run("watch", "list")
    assert code == 1 and "liste de films illisible" in output
