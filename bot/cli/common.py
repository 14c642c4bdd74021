"""What every `critibot` command group shares: the consoles, the --db option, JSON output, counts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from sqlalchemy import Engine

from bot import texts
from bot.wording import plural
from config import get_settings
from storage.db.engine import make_engine
from storage.db.migrate import SchemaTooNew
from storage.store import Counts
from storage.watchlist import WatchedFilm, WatchlistError, load_watchlist

SAMPLES = Path(__file__).resolve().parent.parent.parent / "storage" / "samples"
KIND_LABELS = {"spectateurs": "critiques spectateurs", "presse": "critiques presse"}

# soft_wrap: long lines stay whole (paths, counts), for people and for scripts reading the output.
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="URL de la base (défaut : CRITIBOT_DATABASE_URL, sinon data/critibot.db)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Sortie JSON.")]
# --year where a title names a stored film: only needed when several share it.
WhichYearOption = Annotated[
    int | None, typer.Option("--year", help="Année, si plusieurs films ont ce titre.")
]


def database_url(db: str | None) -> str:
    return db or get_settings().resolved_database_url


def engine_for(db: str | None) -> Engine:
    """The database, its schema brought up to date first if it is behind (once, under a lock)."""
    try:
        return make_engine(database_url(db))
    except SchemaTooNew as problem:
        err.print(texts.DB_TOO_NEW.format(**problem.params))
        raise typer.Exit(code=1) from None


def print_json(data: Any) -> None:
    # Plain print: rich would wrap long lines and break the JSON.
    print(json.dumps(data, ensure_ascii=False, indent=2))


def counts_text(counts: dict[str, Counts], *, unchanged: bool = False) -> str:
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


def watchlist_or_exit() -> list[WatchedFilm]:
    try:
        return load_watchlist(get_settings().watchlist)
    except WatchlistError as error:
        err.print(f"{error}.")
        raise typer.Exit(code=1) from None
