"""`critibot digest --preview [--server ID]`: the digest in the terminal, without posting or claiming."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from sqlalchemy import Engine

from bot import terminal, texts
from bot.answers.digest import server_digest
from bot.cli.common import DbOption, engine_for
from config import Settings, get_settings


def preview(engine: Engine, settings: Settings, *, guild_id: int | None, now: datetime | None = None) -> str:
    """The digest as the terminal shows it (bot/terminal.py): `guild_id`'s next one, over the films it
    follows (the watchlist's when it follows none), or with None the one a server that never had a
    digest and follows nothing would get. Reads only: the ledger is left untouched."""
    digest = server_digest(
        engine,
        guild_id,
        now=now or datetime.now(UTC),
        zone=ZoneInfo(settings.timezone),
        watchlist=settings.watchlist,
    )
    text = terminal.to_text(digest.answer)
    if digest.is_empty and settings.digest_when_empty == "nothing":
        text += "\n" + texts.DIGEST_PREVIEW_SILENT + "\n"
    return text


def digest_command(
    server: Annotated[
        int | None, typer.Option("--server", help="Le serveur Discord (id) : son prochain résumé.")
    ] = None,
    preview_only: Annotated[
        bool, typer.Option("--preview", help="Affiche le résumé dans le terminal, sans rien poster.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Le résumé quotidien : son aperçu dans le terminal."""
    if not preview_only:
        typer.echo(texts.DIGEST_PREVIEW_ONLY, err=True)
        raise typer.Exit(code=2)
    settings = get_settings()
    engine = engine_for(db)
    try:
        typer.echo(texts.DIGEST_PREVIEW_NOTE + "\n")
        typer.echo(preview(engine, settings, guild_id=server), nl=False)
    finally:
        engine.dispose()
