"""`critibot films`, `film` and `reviews`, as a user types them."""

from __future__ import annotations

import json

from tests.bot.cli.conftest import run
from tests.conftest import PRESS_SEED, SAMPLES, SPECTATOR_SEED


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
