"""`critibot watch add/list/remove`: the watchlist (config/films.toml), its comments kept."""

from __future__ import annotations

import dataclasses
from typing import Annotated

import typer
from rich.table import Table

from bot.cli.common import JsonOption, err, out, print_json, watchlist_or_exit
from config import get_settings
from storage.watchlist import WatchedFilm, WatchlistError, add_film, remove_film

watch_app = typer.Typer(help="La liste des films suivis (config/films.toml).", no_args_is_help=True)


@watch_app.command("add")
def watch_add_command(
    title: Annotated[str, typer.Argument(help="Le titre du film.")],
    allocine_id: Annotated[
        int | None, typer.Option("--allocine-id", help="Son identifiant AlloCiné (le N de fichefilm-N).")
    ] = None,
    year: Annotated[int | None, typer.Option("--year", help="Son année de sortie.")] = None,
    original_title: Annotated[
        str | None, typer.Option("--original-title", help="Son titre original.")
    ] = None,
) -> None:
    """Suit un film : ses pages AlloCiné seront lues à chaque rafraîchissement."""
    if allocine_id is not None and allocine_id <= 0:
        err.print("L'identifiant AlloCiné est un nombre positif, celui de l'adresse …/fichefilm-N/….")
        raise typer.Exit(code=2)
    path = get_settings().watchlist
    film = WatchedFilm(title=title.strip(), year=year, allocine_id=allocine_id, original_title=original_title)
    try:
        add_film(path, film)
    except WatchlistError as error:
        err.print(f"{error}.")
        raise typer.Exit(code=1) from None
    out.print(f"✓ « {film.label} » ajouté à {path}.")
    if allocine_id is None:
        out.print(
            "  Sans --allocine-id, ses pages ne sont pas lues en ligne : seulement depuis les fichiers."
        )


@watch_app.command("list")
def watch_list_command(as_json: JsonOption = False) -> None:
    """Les films suivis."""
    films = watchlist_or_exit()
    if as_json:
        print_json([dataclasses.asdict(film) for film in films])
        return
    if not films:
        out.print("Aucun film suivi : « critibot watch add TITRE --allocine-id N ».")
        return
    table = Table(title="Films suivis")
    for column in ("Film", "Identifiant AlloCiné", "Fichiers"):
        table.add_column(column)
    for film in films:
        table.add_row(film.label, str(film.allocine_id or "—"), ", ".join(film.files) or "—")
    out.print(table)


@watch_app.command("remove")
def watch_remove_command(
    title: Annotated[str | None, typer.Argument(help="Le titre du film.")] = None,
    allocine_id: Annotated[
        int | None, typer.Option("--allocine-id", help="Ou son identifiant AlloCiné.")
    ] = None,
) -> None:
    """Ne suit plus un film (ce qui est en base reste)."""
    if title is None and allocine_id is None:
        err.print("Précisez le titre du film, ou --allocine-id N.")
        raise typer.Exit(code=2)
    try:
        film = remove_film(get_settings().watchlist, title=title, allocine_id=allocine_id)
    except WatchlistError as error:
        err.print(f"{error}.")
        raise typer.Exit(code=1) from None
    out.print(f"✓ « {film.label} » n'est plus suivi ; ses critiques restent en base.")
