"""The `critibot` command line, run in-process as a user would type it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from config import get_settings
from tests.conftest import PLAIN_SEED, PRESS_SEED, SAMPLES, SPECTATOR_SEED

runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_import_samples_with_the_watchlist_then_read_the_figures(db: str) -> None:
    code, output = run("import", str(SAMPLES), "--db", db)
    assert code == 0, output
    assert "3 pages importées" in output
    assert "15 nouvelles" in output and "24 nouvelles" in output and "11 nouvelles" in output

    code, output = run("film", "DERRIERE le masque", "--json", "--db", db)
    assert code == 0, output
    film = json.loads(output)
    assert film["title"] == "Derrière le masque"
    assert film["year"] == 2006
    assert film["allocine_id"] is None
    assert (film["site_average"], film["site_ratings_count"], film["site_reviews_count"]) == (2.3, 158, 39)
    assert film["histogram"] == {"5": 3, "4": 7, "3": 8, "2": 10, "1": 2, "0": 9}
    assert (film["spectator_reviews"], film["rated_reviews"], film["stored_average"]) == (15, 15, 2.53)
    assert (film["press_reviews"], film["press_with_quote"], film["press_average"]) == (0, 0, None)

    code, output = run("film", "backstage", "--json", "--db", db)
    backstage = json.loads(output)
    assert (backstage["press_reviews"], backstage["press_with_quote"], backstage["spectator_reviews"]) == (
        24,
        20,
        11,
    )


def test_import_twice_reports_everything_unchanged(db: str) -> None:
    run("import", str(SAMPLES), "--db", db)
    code, output = run("import", str(SAMPLES), "--db", db)
    assert code == 0
    assert "15 inchangées" in output and "24 inchangées" in output and "11 inchangées" in output
    assert "0 nouvelle, 0 mise à jour" in output


def test_reviews_json_in_page_order(db: str) -> None:
    run("import", str(SPECTATOR_SEED), "--db", db)
    code, output = run("reviews", "Derrière le masque", "--json", "--db", db)
    assert code == 0, output
    reviews = json.loads(output)
    assert len(reviews) == 15
    assert reviews[0] == {
        "author": "Shawn777",
        "followers": 574,
        "author_reviews": 3461,
        "rating": 3.0,
        "date": "2023-01-25",
        "text": reviews[0]["text"],
        "spoiler": False,
    }
    assert reviews[0]["text"].startswith("Ce film, réalisé par Scott Glosserman")
    assert reviews[8]["author"] is None

    run("import", str(PRESS_SEED), "--film", "Backstage", "--year", "2005", "--db", db)
    code, output = run("reviews", "backstage", "--kind", "presse", "--json", "--db", db)
    press = json.loads(output)
    assert len(press) == 24
    assert press[2] == {
        "outlet": "Le Point",
        "critic": "Olivier De Bruyn",
        "quote": None,
        "link": "https://www.lepoint.fr",
        "rating": None,
    }


def test_a_bad_file_fails_loudly_and_the_others_are_imported(db: str, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SPECTATOR_SEED, inbox / "masque.txt")
    (inbox / "garbage.txt").write_text("a;b;c\n1;2;3\n", encoding="utf-8")
    (inbox / "binary.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    code, output = run("import", str(inbox), str(tmp_path / "missing.txt"), "--db", db)
    assert code == 1
    assert "garbage.txt" in output and "pas à une page de critiques" in output
    assert "binary.html" in output and "pas du texte" in output
    assert "missing.txt" in output and "introuvable" in output
    assert "1 page importée, 3 en échec" in output
    code, output = run("films", "--json", "--db", db)
    assert [f["title"] for f in json.loads(output)] == ["Derrière le masque"]


def test_a_page_without_its_film_needs_film_option(db: str, tmp_path: Path) -> None:
    anonymous = tmp_path / "presse.txt"
    shutil.copy(PRESS_SEED, anonymous)  # the watchlist does not know this file name
    code, output = run("import", str(anonymous), "--db", db)
    assert code == 1
    assert "--film" in output
    code, output = run("import", str(anonymous), "--film", "Backstage", "--db", db)
    assert code == 0, output


def test_unknown_film_and_empty_catalogue_answer_in_french(db: str) -> None:
    code, output = run("films", "--db", db)
    assert code == 0 and "La base est vide" in output
    code, output = run("film", "Inconnu", "--json", "--db", db)
    assert code == 1 and "Aucun film « Inconnu »" in output


def test_films_lists_the_catalogue(db: str) -> None:
    run("import", str(SAMPLES), "--db", db)
    _, output = run("films", "--json", "--db", db)
    films = json.loads(output)
    assert [f["title"] for f in films] == ["Backstage", "Derrière le masque"]
    _, output = run("films", "--db", db)
    assert "2,3/5" in output and "158" in output


def test_plain_seed_has_eleven_reviews(db: str) -> None:
    # The issue counted ten (`wc -l` counts newlines; the last line has none): the file holds eleven.
    assert len(PLAIN_SEED.read_text(encoding="utf-8").splitlines()) == 11
    code, output = run("import", str(PLAIN_SEED), "--db", db)
    assert code == 0 and "11 nouvelles" in output


def test_ask_prints_the_answer_and_its_discord_payload(db: str) -> None:
    run("import", str(SAMPLES), "--db", db)
    code, output = run("ask", "/note Derrière le masque", "--db", db)
    assert code == 0, output
    assert output.startswith("Derrière le masque (2006)\n")
    assert "2,3/5" in output and "158 notes · 39 critiques" in output and "**" not in output

    code, output = run("ask", "/presse backstage", "--json", "--db", db)
    payload = json.loads(output)
    assert set(payload) == {"content", "embeds", "allowed_mentions"}
    assert payload["allowed_mentions"] == {"parse": []}
    (embed,) = payload["embeds"]
    assert embed["title"] == "Backstage (2005) — la presse"
    assert "24 titres · dont 4 en lien seulement" in embed["description"]
    assert embed["footer"]["text"].startswith("Page 1/3 · Données AlloCiné du ")

    code, output = run("ask", "note sans barre", "--db", db)
    assert code == 1 and "commence par « / »" in output


def test_console_answers_until_asked_to_leave(db: str) -> None:
    run("import", str(SAMPLES), "--db", db)
    result = runner.invoke(app, ["console", "--db", db], input="/note backstge\n/inconnue\nquitter\n/aide\n")
    assert result.exit_code == 0, result.output
    assert "Backstage (2005)" in result.output
    assert "Je ne connais pas la commande « inconnue »" in result.output
    assert "Ce que critibot sait faire" not in result.output  # nothing after « quitter »


def test_run_without_token_imports_the_samples_and_opens_the_console(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    get_settings.cache_clear()
    result = runner.invoke(app, ["run", "--db", db], input="/note derriere le masque\n")
    assert result.exit_code == 0, result.output
    assert "3 pages importées" in result.output
    assert "DISCORD_TOKEN n'est pas défini" in result.output
    assert "**2,3/5**" not in result.output and "2,3/5" in result.output
