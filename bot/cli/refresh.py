"""`critibot refresh [--every 6h]` and `critibot status`: keeping the database current, and its record."""

from __future__ import annotations

import logging
import re
import signal
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer

from bot.cli.common import (
    KIND_LABELS,
    DbOption,
    JsonOption,
    counts_text,
    engine_for,
    err,
    out,
    print_json,
    watchlist_or_exit,
)
from bot.wording import count, duration, figures_change, long_date, plural, problem_text
from config import get_settings
from storage.refresh_queue import QueueState, queue_state
from storage.run_log import RecordedError, last_runs

if TYPE_CHECKING:
    from storage.refresher import RefreshReport

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
    engine = engine_for(db)
    settings = get_settings()
    watchlist_or_exit()  # an unreadable watchlist stops here, with its reason

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
    if report.busy and report.failure:
        err.print(problem_text(report.failure, "site"))
        return
    out.print(f"Rafraîchissement du {long_date(when.date())} à {when:%H:%M} :")
    for file in report.files:
        if file.error:
            out.print(
                f"  [red]✗ {file.path}[/] : {problem_text(file.error, 'inbox')} (fichier laissé en place)"
            )
        else:
            out.print(f"  ✓ {file.path} — {counts_text(file.counts)}")
    for film in report.films:
        if film.error:
            reason = problem_text(film.error, "site")
            out.print(f"  [red]✗ {film.title}[/] : {reason} (nouvel essai au prochain rafraîchissement)")
            continue
        line = f"  ✓ {film.title} — {counts_text(film.counts)}"
        if film.unchanged_pages and not film.pages:
            line += " (pages inchangées)"
        if film.unfinished:
            line += " (lecture interrompue par le budget de requêtes : la suite au prochain tour)"
        if film.moved and film.before and film.after:
            b, a = film.before, film.after
            line += f" ; note {figures_change(b.average, a.average, b.ratings_count, a.ratings_count)}"
        out.print(line)
    if report.failure:
        out.print(f"  [red]✗ {problem_text(report.failure, 'site')}[/]")
    elif report.stopped is not None:
        waiting = f" ({plural(report.left_due, 'film')} en attente)" if report.left_due else ""
        out.print(f"  [yellow]… {problem_text(report.stopped, 'site')}{waiting}[/]")
    elif not report.files and not report.films:
        out.print("  Rien à lire : ni fichier dans les boîtes de dépôt, ni film suivi avec --allocine-id.")
    totals = report.totals()
    summary = counts_text(totals)
    errors = f", {plural(len(report.errors), 'erreur')}" if report.errors else ""
    out.print(f"Total : {summary}{errors}.")


def status_command(
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """L'état de critibot : les derniers rafraîchissements et leurs erreurs, les films suivis."""
    engine = engine_for(db)
    runs = last_runs(engine, limit=5)
    if as_json:
        print_json([past.as_json() for past in runs])
        return
    films = watchlist_or_exit()
    online = sum(1 for film in films if film.allocine_id is not None)
    out.print(f"{plural(len(films), 'film suivi', 'films suivis')}, dont {online} lus sur AlloCiné.")
    out.print(f"Boîtes de dépôt : {', '.join(str(p) for p in get_settings().inboxes)}")
    zone = ZoneInfo(get_settings().timezone)
    now = datetime.now(UTC)
    budget = get_settings().allocine_requests_per_hour
    for line in queue_lines(queue_state(engine, now), now, zone, budget=budget):
        out.print(line)
    if not runs:
        out.print("Aucun rafraîchissement encore : « critibot refresh ».")
        return
    for past in runs:
        started = past.started_at.astimezone(zone)
        if past.finished_at is None:
            state = "[yellow]interrompu ou en cours[/]"
        elif past.ok:
            state = "[green]réussi[/]"
        else:
            state = f"[red]{plural(len(past.errors), 'erreur')}[/]"
        news = (
            ", ".join(f"{KIND_LABELS.get(k, k)} +{c.new}" for k, c in past.totals.items()) or "rien de neuf"
        )
        out.print(f"• {long_date(started.date())} à {started:%H:%M} — {state} — {news}")
        for error in past.errors:
            out.print(f"    ✗ {_recorded_problem(error)}")


def queue_lines(state: QueueState, now: datetime, zone: ZoneInfo, *, budget: int | None) -> list[str]:
    """The refresh queue as `critibot status` tells it (nothing while no film is queued)."""
    if not state.films:
        return []
    late = "aucun en retard"
    if state.late:
        late = f"{count(state.late)} en retard"
        if state.most_late is not None and state.median_late is not None:
            late += f" (médiane {_ago(state.median_late)}, au plus {_ago(state.most_late)})"
    lines = [f"File de rafraîchissement : {plural(state.up_to_date, 'film')} à jour, {late}"]
    extras = []
    if state.reading:
        extras.append(f"{count(state.reading)} en cours de lecture")
    if state.failing:
        extras.append(f"{count(state.failing)} en échec à la dernière lecture")
    if extras:
        lines[0] += ", " + ", ".join(extras)
    lines[0] += "."
    requests = f"Requêtes à AlloCiné dans la dernière heure : {count(state.requests_last_hour)}"
    if budget:
        requests += f" sur un budget de {count(budget)} ({round(100 * state.requests_last_hour / budget)} %)"
    lines.append(requests + ".")
    if state.next_due:
        lines.append("Prochains films :")
        for due in state.next_due:
            when = due.next_read_at.astimezone(zone)
            lines.append(f"  – {due.title} : {'maintenant' if when <= now else f'{when:%d/%m à %H:%M}'}")
    return lines


def _ago(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes >= 48 * 60:
        return plural(minutes // (24 * 60), "jour")
    return duration(minutes)


def _recorded_problem(error: RecordedError) -> str:
    if error.problem is None:  # an older report's own sentence
        return error.sentence or ""
    text = problem_text(error.problem, error.source)
    return f"{error.where} : {text}" if error.where else text
