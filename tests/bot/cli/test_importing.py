"""`critibot import`: page files into the database, as a user types it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.bot.cli.conftest import run
from tests.conftest import PLAIN_SEED, PRESS_SEED, SAMPLES, SPECTATOR_SEED


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


def test_plain_seed_has_eleven_reviews(db: str) -> None:
    # The issue counted ten (`wc -l` counts newlines; the last line has none): the file holds eleven.
    assert len(PLAIN_SEED.read_text(encoding="utf-8").splitlines()) == 11
    code, output = run("import", str(PLAIN_SEED), "--db", db)
    assert code == 0 and "11 nouvelles" in output
