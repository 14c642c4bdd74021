"""A complete page of each era (allocine-layouts.md), written for these tests, imported through
storage's import path (storage.importer, as `critibot import` does): every stored field exact."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from storage.db.tables import FILM, PRESS, SPECTATOR
from storage.importer import FileResult, import_files
from storage.problems import Problem
from storage.queries import film_stats, find_films, press_reviews, spectator_reviews
from storage.store import FilmHint

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "text"


def _import(engine: Engine, tmp_path: Path, name: str, hint: FilmHint | None = None) -> FileResult:
    path = tmp_path / name
    shutil.copy(FIXTURES / name, path)
    (result,) = import_files(engine, [path], hint=hint).results
    return result


def _film(engine: Engine, title: str) -> int:
    (film,) = find_films(engine, title)
    return int(film.id)


def _spectators(engine: Engine, film_id: int) -> list[tuple[object, ...]]:
    return [
        (r.author, r.followers, r.author_reviews, r.rating, r.published, r.text)
        for r in spectator_reviews(engine, film_id)
    ]


def test_today_spectator_page(engine: Engine, tmp_path: Path) -> None:
    result = _import(engine, tmp_path, "spectators_today.txt")
    assert result.error is None and result.report is not None
    assert result.report.warnings == []
    stats = film_stats(engine, _film(engine, "La Maison des glycines"))
    assert (stats.title, stats.site_average, stats.site_ratings_count, stats.site_reviews_count) == (
        "La Maison des glycines",
        3.4,
        1234,
        98,
    )
    assert stats.histogram == {"5": 20, "4": 31, "3": 25, "2": 12, "1": 6, "0": 4}
    assert _spectators(engine, stats.id) == [
        (
            "Lou Varda 38",
            12,
            345,
            3.5,
            date(2021, 3, 4),
            "Une maison de famille, trois sœurs et un été qui n'en finit pas.\n\nLe premier tiers est "
            "lent, puis tout se resserre autour du jardin : la dernière scène m'a laissé sans voix.",
        ),
        (None, None, None, 4.0, date(2021, 3, 2), "Beau film. Je mets 4,5 pour les actrices.\n5/5"),
        (
            None,
            None,
            None,
            2.0,
            date(2021, 3, 1),
            "spoiler: la sœur cadette ne revient pas, et c'est tout le problème du scénario.",
        ),
        (
            "jean.dupont@example.fr",
            None,
            8,
            2.5,
            date(2021, 2, 28),
            "Une mise en scène appliquée,\ndes dialogues un peu écrits,\n"
            "mais un vrai charme d'ensemble (3/5).",
        ),
        (None, None, None, 1.5, date(2021, 2, 20), "Je me suis ennuyé du début à la fin."),
        ("M. Hulot 2.0", 1664, 1, 5.0, date(2021, 2, 14), "Un chef-d'œuvre discret, à voir en salle !"),
    ]


def test_later_page_imports_under_the_film_it_is_given(engine: Engine, tmp_path: Path) -> None:
    result = _import(engine, tmp_path, "spectators_later_page.txt", FilmHint(title="La Maison des glycines"))
    assert result.error is None
    film_id = _film(engine, "La Maison des glycines")
    assert [(r[0], r[3], r[4]) for r in _spectators(engine, film_id)] == [
        ("Clémentine Roux", 4.0, date(2022, 2, 3)),
        (None, 2.5, date(2022, 2, 1)),
        (None, 3.0, date(2022, 1, 30)),
        ("Hervé K", 1.0, date(2022, 1, 29)),
    ]
    # The filter label named no film.
    with engine.connect() as conn:
        assert conn.execute(select(FILM.c.title)).scalars().all() == ["La Maison des glycines"]


def test_2016_spectator_page(engine: Engine, tmp_path: Path) -> None:
    result = _import(engine, tmp_path, "spectators_2016.txt")
    assert result.error is None and result.report is not None
    assert result.report.warnings == []
    stats = film_stats(engine, _film(engine, "Les Veilleurs de l'aube"))
    assert (stats.site_average, stats.site_ratings_count, stats.site_reviews_count) == (3.6, 2480, 120)
    assert stats.histogram == {"5": 30, "4": 40, "3": 25, "2": 12, "1": 8, "0": 5}
    assert _spectators(engine, stats.id) == [
        (
            "Mirabelle_76",
            3,
            46,
            4.0,
            date(2016, 6, 5),
            "Un thriller côtier qui prend son temps, et qui a raison de le prendre.",
        ),
        (
            "Jo Lambert",
            None,
            1,
            5.0,
            date(2016, 7, 10),
            "Je n'avais pas vu de fin aussi juste depuis longtemps.",
        ),
        (None, None, None, 2.5, date(2016, 6, 12), "Joli, mais on devine tout dès la première bobine."),
        ("cinéphile-du-dimanche", 128, 1204, 0.5, date(2016, 5, 1), "Interminable."),
    ]


def test_2012_spectator_page(engine: Engine, tmp_path: Path) -> None:
    result = _import(engine, tmp_path, "spectators_2012.txt")
    assert result.error is None and result.report is not None
    assert result.report.warnings == []
    stats = film_stats(engine, _film(engine, "Le Phare des brumes"))
    assert (stats.site_average, stats.site_ratings_count, stats.site_reviews_count) == (4.1, 12345, 678)
    assert stats.histogram == {"5": 400, "4": 150, "3": 70, "2": 30, "1": 18, "0": 10}
    assert _spectators(engine, stats.id) == [
        ("Gaspard.L", 0, 7, 4.5, None, "Un huis clos en mer qui tient en haleine jusqu'au bout."),
        (
            "Nanouk 1962",
            12,
            153,
            5.0,
            None,
            "Le plus beau film de l'année.\n\nLa lumière de la dernière scène, surtout.",
        ),
        (None, None, None, 2.0, None, "Bien filmé mais creux"),
        ("Bertrand_B", 3, 1, 0.5, None, "Je suis sorti au bout d'une heure."),
    ]


def test_2012_page_read_again_adds_nothing(engine: Engine, tmp_path: Path) -> None:
    """Reviews without dates are still the same reviews the second time (writers are idempotent)."""
    _import(engine, tmp_path, "spectators_2012.txt")
    again = _import(engine, tmp_path, "spectators_2012.txt")
    assert again.report is not None and again.report.counts["spectateurs"].new == 0
    assert len(spectator_reviews(engine, _film(engine, "Le Phare des brumes"))) == 4


def _press(engine: Engine, film_id: int) -> list[tuple[object, ...]]:
    return [(r.outlet, r.critic, r.quote, r.link) for r in press_reviews(engine, film_id)]


def test_today_press_page(engine: Engine, tmp_path: Path) -> None:
    result = _import(engine, tmp_path, "press_today.txt")
    assert result.error is None and result.report is not None
    assert result.report.warnings == []
    stats = film_stats(engine, _film(engine, "La Maison des glycines"))
    assert (stats.site_press_average, stats.site_press_count) == (3.2, 4)
    assert _press(engine, stats.id) == [
        (
            "Le Journal du Soir",
            "Anne-Laure Picot",
            "Trois sœurs, une maison, un été : la cinéaste tire de ce presque rien un film d'une grande "
            "délicatesse.",
            None,
        ),
        (
            "Ciné Passion",
            "Marc Tessier, Julie Ren",
            "Joliment écrit, mais le dernier acte s'étire [...] et perd son mystère.",
            None,
        ),
        ("Regards", "J.-M.L.", "Voir le site de Regards.", None),
        ("L'Écho des Salles", "la rédaction", None, "https://www.echodessalles.example"),
    ]


def test_old_url_press_page(engine: Engine, tmp_path: Path) -> None:
    result = _import(engine, tmp_path, "press_old_url.txt")
    assert result.error is None and result.report is not None
    assert result.report.film == "Les Veilleurs de l'aube"
    stats = film_stats(engine, _film(engine, "Les Veilleurs de l'aube"))
    assert (stats.site_press_average, stats.site_press_count) == (3.5, 5)
    assert _press(engine, stats.id) == [
        (
            "Le Quotidien du Cinéma",
            "Hélène Marchetti",
            "Un thriller à hauteur d'homme (...) que la mer et le vent rendent presque fantastique.",
            None,
        ),
        ("Cinéma Revue", "A.B.", None, "https://www.cinemarevue.example"),
        (
            "La Gazette des Salles",
            None,
            'Une réussite modeste mais réelle : "on ne lâche rien", dit le gardien [Paul Arnaud], '
            "et le film non plus…",
            None,
        ),
        ("Studio Ciné Hebdo", "Paul Bernard et Léa Simon", None, "https://www.studiocine.example"),
        (
            "Le Petit Écran",
            "LA RÉDACTION",
            "Un beau film d'atmosphère, trop sage pour marquer. Le Petit Écran, 14 octobre 16",
            None,
        ),
    ]


OTHER_PAGES = {
    "film_main_page.txt": "film_main_page",
    "film_list_page.txt": "film_list_page",
    "series_spectators.txt": "series_page",
    "outlet_le_figaro.txt": "outlet_page",
}


@pytest.mark.parametrize(("name", "code"), OTHER_PAGES.items(), ids=OTHER_PAGES.keys())
def test_pages_that_are_not_a_films_reviews_store_nothing(
    engine: Engine, tmp_path: Path, name: str, code: str
) -> None:
    result = _import(engine, tmp_path, name, FilmHint(title="Les Veilleurs de l'aube"))
    assert result.report is None
    assert result.error is not None and result.error.code == code
    with engine.connect() as conn:
        for table in (FILM, SPECTATOR, PRESS):
            assert conn.execute(select(func.count()).select_from(table)).scalar_one() == 0


def test_the_refusal_is_worded_in_french() -> None:
    from bot.wording import problem_text

    assert "série" in problem_text(Problem("series_page"), "import")
    assert "page principale" in problem_text(Problem("film_main_page"), "import")
    assert "plusieurs films" in problem_text(Problem("film_list_page"), "import")
