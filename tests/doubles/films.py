"""Films the fake AlloCiné serves whole for on-demand tests: main page, first spectator page, press page
and a search answer, with invented values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from tests.doubles.fakeallocine import (
    FakeAllocine,
    film_html,
    movie_result,
    press_html,
    spectator_html,
)

INCEPTION = 1_000_001  # invented ids: never a real film's
ORIGINE = 1_000_002
ORIGINE_2019 = 1_000_003


def main_path(allocine_id: int) -> str:
    return f"/film/fichefilm_gen_cfilm={allocine_id}.html"


def spectator_path(allocine_id: int) -> str:
    return f"/film/fichefilm-{allocine_id}/critiques/spectateurs/recentes/"


def press_path(allocine_id: int) -> str:
    return f"/film/fichefilm-{allocine_id}/critiques/presse/"


def serve_film(
    site: FakeAllocine,
    allocine_id: int,
    title: str,
    *,
    year: int = 2010,
    director: str = "Christophe Nolant",
    average: float = 4.4,
    ratings_count: int = 51_234,
    reviews_count: int = 2_345,
    press: bool = True,
    shape: str = "2024",
    newer: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """Serve film `allocine_id`'s three pages (`newer`: spectator reviews above the usual two, as if
    written since); its search result (for `site.set_autocomplete`)."""
    site.set_page(
        main_path(allocine_id),
        film_html(
            title,
            allocine_id=allocine_id,
            shape=shape,
            release=date(year, 7, 21),
            directors=[director],
            genres=["Science-fiction", "Thriller"],
            duration_minutes=148,
            poster_url=f"https://fr.web.img6.acsta.net/c_310_420/medias/{allocine_id}.jpg",
            synopsis="Un voleur s'introduit dans les rêves des autres. Il doit y semer une idée.",
            spectators={"average": average, "ratings_count": ratings_count, "reviews_count": reviews_count},
            press={"average": 4.1, "reviews_count": 2} if press else None,
        ),
    )
    site.set_page(
        spectator_path(allocine_id),
        spectator_html(
            title,
            average=average,
            ratings_count=ratings_count,
            reviews_count=reviews_count,
            histogram={5: 20_000, 4: 18_000, 3: 8_000, 2: 3_000, 1: 1_500, 0: 734},
            reviews=[
                *newer,
                {
                    "author": "Rêveuse",
                    "rating": 5.0,
                    "published": date(2024, 5, 2),
                    "text": "Un film vertigineux qui se revoit avec plaisir. Chaque rêve a sa couleur.",
                    "site_id": allocine_id * 10 + 1,
                },
                {
                    "author": "Grincheux",
                    "rating": 1.5,
                    "published": date(2024, 4, 1),
                    "text": "Trop long et trop bruyant pour moi. Je me suis endormi avant le dernier niveau.",
                    "site_id": allocine_id * 10 + 2,
                },
            ],
            allocine_id=allocine_id,
        ),
    )
    if press:
        site.set_page(
            press_path(allocine_id),
            press_html(
                title,
                reviews=[
                    {
                        "outlet": "Le Quotidien du Cinéma",
                        "critic": "A. Martin",
                        "quote": "Vertigineux.",
                        "rating": 4.5,
                    },
                    {"outlet": "Revue Imaginaire", "quote": "Une mécanique impeccable.", "rating": 4.0},
                ],
                allocine_id=allocine_id,
            ),
        )
    return movie_result(allocine_id, title, year=year, directors=[director])
