"""`critibot films`, `film` and `reviews`: what is stored, film by film."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import Engine

from bot.cli.common import (
    KIND_LABELS,
    DbOption,
    JsonOption,
    WhichYearOption,
    engine_for,
    err,
    out,
    print_json,
)
from bot.wording import count, decimal, plural
from storage.queries import all_film_ids, film_stats, find_films, press_reviews, spectator_reviews


def films_command(
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Le catalogue : un film par ligne, avec ses chiffres."""
    engine = engine_for(db)
    stats = [film_stats(engine, film_id) for film_id in all_film_ids(engine)]
    if as_json:
        print_json([s.as_json() for s in stats])
        return
    if not stats:
        out.print("La base est vide : importez des pages avec « critibot import CHEMIN… ».")
        return
    table = Table(title="Films en base")
    for column in ("Film", "Année", "Note spectateurs", "Notes", "Critiques (site)", "En base", "Presse"):
        table.add_column(column)
    for s in stats:
        table.add_row(
            s.title,
            str(s.year) if s.year else "—",
            f"{decimal(s.site_average)}/5" if s.site_average is not None else "inconnue",
            count(s.site_ratings_count) if s.site_ratings_count is not None else "—",
            count(s.site_reviews_count) if s.site_reviews_count is not None else "—",
            count(s.spectator_reviews),
            count(s.press_reviews),
        )
    out.print(table)


def one_film(engine: Engine, title: str, year: int | None) -> int:
    """The one film called `title` (in `year`), or exit saying why not. Film lookup is being unified in
    storage (one film identity): this stays a single function so that it is swapped in one place."""
    films = find_films(engine, title, year)
    if not films:
        err.print(f"Aucun film « {title} » en base. La liste : « critibot films ».")
        raise typer.Exit(code=1)
    if len(films) > 1:
        years = ", ".join(str(f.year or "année inconnue") for f in films)
        err.print(f"Plusieurs films s'appellent « {title} » ({years}) : précisez --year.")
        raise typer.Exit(code=1)
    return films[0].id


def film_command(
    title: Annotated[str, typer.Argument(help="Titre du film (casse et accents indifférents).")],
    year: WhichYearOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Tout ce qui est en base sur un film."""
    engine = engine_for(db)
    stats = film_stats(engine, one_film(engine, title, year))
    if as_json:
        print_json(stats.as_json())
        return
    out.print(f"[bold]{stats.title}[/]" + (f" ({stats.year})" if stats.year else ""))
    if stats.site_average is not None:
        out.print(f"Note moyenne des spectateurs : {decimal(stats.site_average)}/5")
    if stats.site_ratings_count is not None:
        out.print(plural(stats.site_ratings_count, "note"))
    if stats.site_reviews_count is not None:
        out.print(plural(stats.site_reviews_count, "critique spectateurs", "critiques spectateurs"))
    if stats.histogram:
        for star, n in stats.histogram.items():
            out.print(f"  {star} ★ {'█' * n} {n}")
    out.print(
        f"En base : {plural(stats.spectator_reviews, 'critique spectateur', 'critiques spectateurs')}, "
        f"{plural(stats.press_reviews, 'critique presse', 'critiques presse')}"
    )


def reviews_command(
    title: Annotated[str, typer.Argument(help="Titre du film.")],
    kind: Annotated[str, typer.Option("--kind", help="spectateurs ou presse.")] = "spectateurs",
    year: WhichYearOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Les critiques en base d'un film, dans l'ordre de la page."""
    if kind not in KIND_LABELS:
        err.print("--kind vaut « spectateurs » ou « presse ».")
        raise typer.Exit(code=2)
    engine = engine_for(db)
    film_id = one_film(engine, title, year)
    if kind == "spectateurs":
        spectators = spectator_reviews(engine, film_id)
        shown = [(r.author or "Un visiteur", r.text) for r in spectators]
        data = [r.as_json() for r in spectators]
    else:
        press = press_reviews(engine, film_id)
        shown = [(r.outlet, r.quote or "(critique en lien seulement)") for r in press]
        data = [r.as_json() for r in press]
    if as_json:
        print_json(data)
        return
    for who, body in shown:
        out.print(f"[bold]{who}[/] — {body[:200]}")
