"""`critibot` on the command line: import pages, look at what is stored."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import re
import signal
import time
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo

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
from bot.digest.preview import digest_command
from bot.wording import count, decimal, figures_change, long_date, plural, problem_text
from config import get_settings
from storage.db.engine import make_engine
from storage.importer import FileResult, ImportSummary, collect_files, import_files
from storage.problems import Problem
from storage.queries import all_film_ids, film_stats, find_films, press_reviews, spectator_reviews
from storage.store import Counts, FilmHint
from storage.watchlist import WatchedFilm, WatchlistError, add_film, load_watchlist, remove_film

if TYPE_CHECKING:
    from storage.refresher import RefreshReport

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
                err.print(f"[red]✗ {result.path}[/] : {problem_text(result.error, 'import')}")

        # The folders are walked once: from here on every path is a file or a missing path.
        found = [*files, *(result.path for result in missing)]
        return import_files(engine, found, hint=hint, watchlist=watchlist, on_file=advance)


def _print_summary(summary: ImportSummary) -> None:
    for result in summary.results:
        if not result.report:
            continue
        report = result.report
        out.print(f"✓ {result.path.name} → « {report.film} » — {_counts_text(report.counts, unchanged=True)}")
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
    films = find_films(engine, title, year)
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


# --- the watchlist, the refresh and its status ----------------------------------------------------

watch_app = typer.Typer(help="La liste des films suivis (config/films.toml).", no_args_is_help=True)
app.add_typer(watch_app, name="watch")


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
def watch_list_command(as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False) -> None:
    """Les films suivis."""
    films = _watchlist_or_exit()
    if as_json:
        _print_json([dataclasses.asdict(film) for film in films])
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


def _watchlist_or_exit() -> list[WatchedFilm]:
    try:
        return load_watchlist(get_settings().watchlist)
    except WatchlistError as error:
        err.print(f"{error}.")
        raise typer.Exit(code=1) from None


_DURATION = re.compile(r"^\s*(?:(\d+)\s*j)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*(?:m|min))?\s*(?:(\d+)\s*s)?\s*$")


def parse_duration(text: str) -> timedelta | None:
    """`6h`, `30m`, `1h30m`, `2j`, `90s` (or a bare number of hours) → timedelta; None if unreadable."""
    text = text.strip().lower()
    if re.fullmatch(r"\d+(?:[.,]\d+)?", text):
        return timedelta(hours=float(text.replace(",", "."))) or None
    match = _DURATION.match(text)
    if not match or not any(match.groups()):
        return None
    days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds) or None


@app.command("refresh")
def refresh_command(
    every: Annotated[
        str | None,
        typer.Option("--every", help="Recommence à cet intervalle (6h, 30m, 1h30m…) jusqu'à Ctrl-C."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Rafraîchit la base : les fichiers des boîtes de dépôt, puis les pages AlloCiné des films suivis."""
    interval = parse_duration(every) if every is not None else None
    if every is not None and interval is None:
        err.print(f"Intervalle illisible : « {every} ». Exemples : 6h, 30m, 1h30m, 2j.")
        raise typer.Exit(code=2)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s : %(message)s")
    engine = _engine(db)
    settings = get_settings()
    _watchlist_or_exit()  # an unreadable watchlist stops here, with its reason

    import asyncio

    from storage.refresher import refresh

    if interval is None:
        report = asyncio.run(refresh(engine, settings))
        _print_refresh(report)
        if not report.ok:
            raise typer.Exit(code=1)
        return
    out.print(f"Rafraîchissement toutes les {_duration_text(interval)} ; Ctrl-C pour arrêter.")
    signal.signal(signal.SIGTERM, _interrupt)  # a service manager's stop ends the loop like Ctrl-C
    try:
        while True:
            _print_refresh(asyncio.run(refresh(engine, settings)))
            time.sleep(interval.total_seconds())
    except KeyboardInterrupt:
        out.print("Arrêt.")


def _interrupt(_signal: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _duration_text(interval: timedelta) -> str:
    """`6 h`, `1 h 30 min`, `30 min`, `90 s`: for « toutes les … »."""
    seconds = round(interval.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [
        f"{hours} h" if hours else "",
        f"{minutes} min" if minutes else "",
        f"{seconds} s" if seconds else "",
    ]
    return " ".join(part for part in parts if part)


def _print_refresh(report: RefreshReport) -> None:
    when = report.started_at.astimezone(ZoneInfo(get_settings().timezone))
    out.print(f"Rafraîchissement du {long_date(when.date())} à {when:%H:%M} :")
    for file in report.files:
        if file.error:
            out.print(
                f"  [red]✗ {file.path}[/] : {problem_text(file.error, 'inbox')} (fichier laissé en place)"
            )
        else:
            out.print(f"  ✓ {file.path} — {_counts_text(file.counts)}")
    for film in report.films:
        if film.error:
            reason = problem_text(film.error, "site")
            out.print(f"  [red]✗ {film.title}[/] : {reason} (nouvel essai au prochain rafraîchissement)")
            continue
        line = f"  ✓ {film.title} — {_counts_text(film.counts)}"
        if film.unchanged_pages and not film.pages:
            line += " (pages inchangées)"
        if film.moved and film.before and film.after:
            b, a = film.before, film.after
            line += f" ; note {figures_change(b.average, a.average, b.ratings_count, a.ratings_count)}"
        out.print(line)
    if not report.files and not report.films:
        out.print("  Rien à lire : ni fichier dans les boîtes de dépôt, ni film suivi avec --allocine-id.")
    totals = report.totals()
    summary = _counts_text(totals)
    errors = f", {plural(len(report.errors), 'erreur')}" if report.errors else ""
    out.print(f"Total : {summary}{errors}.")


def _counts_text(counts: dict[str, Counts], *, unchanged: bool = False) -> str:
    """`critiques spectateurs : 15 nouvelles, 0 mise à jour[, 0 inchangée] ; critiques presse : …`."""
    if not counts:
        return "rien de neuf"
    parts = []
    for kind, c in counts.items():
        part = f"{KIND_LABELS.get(kind, kind)} : {plural(c.new, 'nouvelle')}, "
        part += plural(c.updated, "mise à jour", "mises à jour")
        if unchanged:
            part += f", {plural(c.unchanged, 'inchangée')}"
        parts.append(part)
    return " ; ".join(parts)


@app.command("status")
def status_command(
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
    db: DbOption = None,
) -> None:
    """L'état de critibot : les derniers rafraîchissements et leurs erreurs, les films suivis."""
    from storage.refresher import last_runs

    engine = _engine(db)
    runs = last_runs(engine, limit=5)
    if as_json:
        _print_json(
            [
                {**past, "started_at": str(past["started_at"]), "finished_at": str(past["finished_at"])}
                for past in runs
            ]
        )
        return
    films = _watchlist_or_exit()
    online = sum(1 for film in films if film.allocine_id is not None)
    out.print(f"{plural(len(films), 'film suivi', 'films suivis')}, dont {online} lus sur AlloCiné.")
    out.print(f"Boîtes de dépôt : {', '.join(str(p) for p in get_settings().inboxes)}")
    if not runs:
        out.print("Aucun rafraîchissement encore : « critibot refresh ».")
        return
    zone = ZoneInfo(get_settings().timezone)
    for past in runs:
        started = past["started_at"].astimezone(zone)
        report = past["report"]
        if past["finished_at"] is None:
            state = "[yellow]interrompu ou en cours[/]"
        elif past["ok"]:
            state = "[green]réussi[/]"
        else:
            state = f"[red]{plural(len(report.get('errors', [])), 'erreur')}[/]"
        totals = report.get("totals", {})
        news = ", ".join(f"{KIND_LABELS.get(k, k)} +{c['new']}" for k, c in totals.items()) or "rien de neuf"
        out.print(f"• {long_date(started.date())} à {started:%H:%M} — {state} — {news}")
        for problem in report.get("errors", []):
            out.print(f"    ✗ {_recorded_problem(problem)}")


def _recorded_problem(recorded: str | dict[str, Any]) -> str:
    """An error of a recorded refresh: {where, code, params}, or a sentence (reports before 2026-11)."""
    if isinstance(recorded, str):
        return recorded
    problem = Problem.from_dict(recorded)
    return f"{recorded.get('where', '')} : {problem_text(problem, recorded.get('source', 'site'))}"


app.command("digest")(digest_command)


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
