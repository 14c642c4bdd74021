"""`critibot` on the command line: import pages, look at what is stored."""

from __future__ import annotations

import contextlib
import json
import logging
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy import Engine

from bot import render, terminal
from bot.answers.commands import CommandLineError, parse_command_line, run
from bot.answers.context import AnswerContext
from bot.answers.film_arg import error
from bot.answers.model import Answer
from bot.wording import count, decimal, plural
from config import get_settings
from storage.database import make_engine
from storage.importer import FileResult, ImportSummary, collect_files, import_files
from storage.queries import all_film_ids, film_stats, find_films, press_reviews, spectator_reviews
from storage.store import FilmHint
from storage.watchlist import WatchlistError, load_watchlist

SAMPLES = Path(__file__).resolve().parent.parent / "storage" / "samples"
KIND_LABELS = {"spectateurs": "critiques spectateurs", "presse": "critiques presse"}

app = typer.Typer(
    help="critibot : les critiques AlloCiné, en base et à portée de commande.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
# soft_wrap: long lines stay whole (paths, counts), for people and for scripts reading the output.
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="URL de la base (défaut : CRITIBOT_DATABASE_URL, sinon data/critibot.db)."),
]


def _engine(db: str | None) -> Engine:
    return make_engine(db or get_settings().resolved_database_url)


def _print_json(data: Any) -> None:
    # Plain print: rich would wrap long lines and break the JSON.
    print(json.dumps(data, ensure_ascii=False, indent=2))


@app.command("import")
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
    summary = _import(_engine(db), paths, hint)
    _print_summary(summary)
    if summary.failed:
        raise typer.Exit(code=1)


def _import(engine: Engine, paths: list[Path], hint: FilmHint | None) -> ImportSummary:
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
                err.print(f"[red]✗ {result.path}[/] : {result.error}")

        # The folders are walked once: from here on every path is a file or a missing path.
        found = [*files, *(result.path for result in missing)]
        return import_files(engine, found, hint=hint, watchlist=watchlist, on_file=advance)


def _print_summary(summary: ImportSummary) -> None:
    for result in summary.results:
        if not result.report:
            continue
        report = result.report
        parts = [
            f"{KIND_LABELS.get(kind, kind)} : {plural(c.new, 'nouvelle')}, "
            f"{plural(c.updated, 'mise à jour', 'mises à jour')}, {plural(c.unchanged, 'inchangée')}"
            for kind, c in report.counts.items()
        ]
        out.print(f"✓ {result.path.name} → « {report.film} » — " + " ; ".join(parts))
        for warning in report.warnings:
            out.print(f"  [yellow]⚠ {warning}[/]")
    ok = len(summary.results) - len(summary.failed)
    line = f"{plural(ok, 'page importée', 'pages importées')}"
    if summary.failed:
        line += f", {plural(len(summary.failed), 'en échec', 'en échec')}"
    out.print(line + ".")


@app.command("films")
def films_command(
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
    db: DbOption = None,
) -> None:
    """Le catalogue : un film par ligne, avec ses chiffres."""
    engine = _engine(db)
    stats = [film_stats(engine, film_id) for film_id in all_film_ids(engine)]
    if as_json:
        _print_json([s.as_json() for s in stats])
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


def _one_film(engine: Engine, title: str, year: int | None) -> int:
    films = [f for f in find_films(engine, title) if year is None or f.year == year]
    if not films:
        err.print(f"Aucun film « {title} » en base. La liste : « critibot films ».")
        raise typer.Exit(code=1)
    if len(films) > 1:
        years = ", ".join(str(f.year or "année inconnue") for f in films)
        err.print(f"Plusieurs films s'appellent « {title} » ({years}) : précisez --year.")
        raise typer.Exit(code=1)
    return films[0].id


@app.command("film")
def film_command(
    title: Annotated[str, typer.Argument(help="Titre du film (casse et accents indifférents).")],
    year: Annotated[
        int | None, typer.Option("--year", help="Année, si plusieurs films ont ce titre.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
    db: DbOption = None,
) -> None:
    """Tout ce qui est en base sur un film."""
    engine = _engine(db)
    stats = film_stats(engine, _one_film(engine, title, year))
    if as_json:
        _print_json(stats.as_json())
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


@app.command("reviews")
def reviews_command(
    title: Annotated[str, typer.Argument(help="Titre du film.")],
    kind: Annotated[str, typer.Option("--kind", help="spectateurs ou presse.")] = "spectateurs",
    year: Annotated[
        int | None, typer.Option("--year", help="Année, si plusieurs films ont ce titre.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
    db: DbOption = None,
) -> None:
    """Les critiques en base d'un film, dans l'ordre de la page."""
    if kind not in KIND_LABELS:
        err.print("--kind vaut « spectateurs » ou « presse ».")
        raise typer.Exit(code=2)
    engine = _engine(db)
    film_id = _one_film(engine, title, year)
    rows = spectator_reviews(engine, film_id) if kind == "spectateurs" else press_reviews(engine, film_id)
    if as_json:
        _print_json(rows)
        return
    for row in rows:
        who = row.get("author") or row.get("outlet") or "Un visiteur"
        body = row.get("text") or row.get("quote") or "(critique en lien seulement)"
        out.print(f"[bold]{who}[/] — {body[:200]}")


@app.command("demo")
def demo_command(db: DbOption = None) -> None:
    """Importe les pages d'exemple (storage/samples) et montre ce qui a été gardé."""
    engine = _engine(db)
    summary = _import(engine, [SAMPLES], None)
    _print_summary(summary)
    films_command(as_json=False, db=db)
    if summary.failed:
        raise typer.Exit(code=1)


# --- asking critibot, without Discord -----------------------------------------------------------------


def _answer_line(ctx: AnswerContext, line: str, *, scope: str) -> Answer:
    try:
        name, arguments = parse_command_line(line)
    except CommandLineError as problem:
        return error(str(problem))
    return run(ctx, name, arguments, scope=scope)


@app.command("ask")
def ask_command(
    line: Annotated[
        str, typer.Argument(help='Une commande comme sur Discord, par exemple "/note Backstage".')
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Affiche le message que le bot enverrait à Discord (JSON).")
    ] = False,
    db: DbOption = None,
) -> None:
    """Pose une question à critibot, exactement comme sur Discord."""
    ctx = AnswerContext.open(_engine(db))
    answer = _answer_line(ctx, line, scope="ask")
    if as_json:
        _print_json(render.message(answer))
    else:
        print(terminal.to_text(answer), end="")
    if answer.tone == "error":
        raise typer.Exit(code=1)


@app.command("console")
def console_command(db: DbOption = None) -> None:
    """Une invite interactive pour poser des questions à critibot (historique avec ↑ ↓)."""
    _console(AnswerContext.open(_engine(db)))


def _console(ctx: AnswerContext) -> None:
    history = get_settings().data_dir / "console_history"
    try:
        import readline

        history.parent.mkdir(parents=True, exist_ok=True)
        if history.exists():
            readline.read_history_file(history)
    except (ImportError, OSError):
        readline = None  # type: ignore[assignment]
    print("critibot — tapez une commande (/aide pour la liste), ou « quitter ».")
    try:
        while True:
            try:
                line = input("critibot> ").strip()
            except EOFError:
                print()
                break
            if line.lower() in {"quitter", "exit", "quit", "q"}:
                break
            if line:
                print(terminal.to_text(_answer_line(ctx, line, scope="console")))
    except KeyboardInterrupt:
        print()
    finally:
        if readline is not None:
            with contextlib.suppress(OSError):
                readline.write_history_file(history)


@app.command("run")
def run_command(db: DbOption = None) -> None:
    """Lance critibot : importe les exemples si la base est vide, puis le bot Discord (ou la console)."""
    engine = _engine(db)
    if not all_film_ids(engine):
        out.print("Base vide : import des pages d'exemple…")
        _print_summary(_import(engine, [SAMPLES], None))
    settings = get_settings()
    ctx = AnswerContext.open(engine)
    if not settings.discord_token:
        err.print(NO_TOKEN)
        _console(ctx)
        return
    import asyncio

    import discord

    from bot.discord_ui.client import run_bot

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s : %(message)s")
    try:
        asyncio.run(run_bot(ctx, settings, settings.discord_token))
    except discord.LoginFailure:
        err.print("Discord a refusé le jeton DISCORD_TOKEN : vérifiez-le sur https://discord.com/developers.")
        raise typer.Exit(code=1) from None


NO_TOKEN = (
    "DISCORD_TOKEN n'est pas défini : critibot démarre en console.\n"
    "Pour le bot Discord : créez une application sur https://discord.com/developers/applications, "
    "copiez le jeton de son bot, puis lancez DISCORD_TOKEN=… make run (ou mettez-le dans un fichier .env). "
    "Le README explique comment inviter le bot."
)


def main() -> None:
    app()
