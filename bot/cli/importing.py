"""`critibot import`: page files into the database, with what was stored per page."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress
from sqlalchemy import Engine

from bot.cli.common import DbOption, counts_text, engine_for, err, out
from bot.wording import plural, problem_text
from config import get_settings
from storage.importer import FileResult, ImportSummary, collect_files, import_files, shown_path
from storage.store import FilmHint
from storage.watchlist import WatchlistError, load_watchlist


def import_command(
    paths: Annotated[list[Path], typer.Argument(help="Fichiers ou dossiers de pages (texte ou HTML).")],
    film: Annotated[
        str | None, typer.Option("--film", help="Le film des pages qui ne le nomment pas.")
    ] = None,
    year: Annotated[int | None, typer.Option("--year", help="Son année de sortie.")] = None,
    allocine_id: Annotated[
        int | None, typer.Option("--allocine-id", help="Son identifiant AlloCiné.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Importe des pages de critiques AlloCiné dans la base."""
    hint = FilmHint(title=film, year=year, allocine_id=allocine_id) if film or allocine_id else None
    summary = import_pages(engine_for(db), paths, hint)
    print_summary(summary)
    if summary.failed:
        raise typer.Exit(code=1)


def import_pages(engine: Engine, paths: list[Path], hint: FilmHint | None) -> ImportSummary:
    try:
        watchlist = load_watchlist(get_settings().watchlist)
    except WatchlistError as error:
        err.print(f"[yellow]{error}[/] : la liste de films est ignorée.")
        watchlist = []
    files, missing = collect_files(paths)
    total = len(files) + len(missing)
    with Progress(console=err, transient=True, disable=total < 5) as progress:
        task = progress.add_task("Import des pages", total=total)

        def advance(result: FileResult) -> None:
            progress.advance(task)
            if result.error:
                err.print(f"[red]✗ {shown_path(result.path)}[/] : {problem_text(result.error, 'import')}")

        # The folders are walked once: from here on every path is a file or a missing path.
        found = [*files, *(result.path for result in missing)]
        return import_files(engine, found, hint=hint, watchlist=watchlist, on_file=advance)


def print_summary(summary: ImportSummary) -> None:
    for result in summary.results:
        if not result.report:
            continue
        report = result.report
        out.print(f"✓ {result.path.name} → « {report.film} » — {counts_text(report.counts, unchanged=True)}")
        for warning in report.warnings:
            out.print(f"  [yellow]⚠ {warning}[/]")
    ok = len(summary.results) - len(summary.failed)
    line = f"{plural(ok, 'page importée', 'pages importées')}"
    if summary.failed:
        line += f", {plural(len(summary.failed), 'en échec', 'en échec')}"
    out.print(line + ".")
