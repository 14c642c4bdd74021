"""`critibot run`, `console`, `ask` and `demo`: critibot itself, on Discord or in the terminal."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import Engine

from bot import render, terminal, texts
from bot.answers.commands import answer_line
from bot.answers.context import AnswerContext, Member
from bot.answers.pictures import drawn
from bot.cli.catalogue import films_command
from bot.cli.common import SAMPLES, DbOption, engine_for, err, out, print_json
from bot.cli.importing import import_pages, print_summary
from config import get_settings
from storage.queries import all_film_ids

NO_TOKEN = (
    "DISCORD_TOKEN n'est pas défini : critibot démarre en console.\n"
    "Pour le bot Discord : créez une application sur https://discord.com/developers/applications, "
    "copiez le jeton de son bot, puis lancez DISCORD_TOKEN=… make run (ou mettez-le dans un fichier .env). "
    "Le README explique comment inviter le bot."
)


def demo_command(db: DbOption = None) -> None:
    """Importe les pages d'exemple (storage/samples) et montre ce qui a été gardé."""
    engine = engine_for(db)
    summary = import_pages(engine, [SAMPLES], None)
    print_summary(summary)
    films_command(as_json=False, db=db)
    if summary.failed:
        raise typer.Exit(code=1)


ServerOption = Annotated[
    int | None,
    typer.Option(
        "--server",
        help="Le serveur Discord (id) pour /suivre, /ne-plus-suivre et /suivis, "
        "avec les droits d'un membre qui peut le gérer.",
    ),
]


def _member(server: int | None) -> Member | None:
    # Whoever runs critibot in the terminal holds its database: they may manage any server's follows.
    return Member(server, can_manage=True) if server is not None else None


def ask_command(
    line: Annotated[
        str, typer.Argument(help='Une commande comme sur Discord, par exemple "/note Backstage".')
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Affiche le message que le bot enverrait à Discord (JSON).")
    ] = False,
    server: ServerOption = None,
    images: Annotated[
        Path | None,
        typer.Option(
            "--images",
            help="Écrit dans ce dossier les images de la réponse (graphiques PNG) et affiche leurs chemins.",
            file_okay=False,
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Pose une question à critibot, exactement comme sur Discord."""
    with _answering(engine_for(db)) as ctx:
        answer = answer_line(ctx, line, scope="ask", member=_member(server))
    if as_json:
        print_json(render.message(answer))
    else:
        print(terminal.to_text(answer), end="")
    if images is not None and answer.image is not None and (png := drawn(answer.image)) is not None:
        images.mkdir(parents=True, exist_ok=True)
        path = images / answer.image.name
        path.write_bytes(png)
        # Beside JSON, on stderr: stdout stays one JSON document.
        (err if as_json else out).print(texts.TERMINAL_IMAGE_WRITTEN.format(path=path), highlight=False)
    if answer.tone == "error":
        raise typer.Exit(code=1)


def console_command(server: ServerOption = None, db: DbOption = None) -> None:
    """Une invite interactive pour poser des questions à critibot (historique avec ↑ ↓)."""
    with _answering(engine_for(db)) as ctx:
        _console(ctx, _member(server))


@contextlib.contextmanager
def _answering(engine: Engine) -> Iterator[AnswerContext]:
    """The answers' context in the terminal: AlloCiné on demand on a loop thread of its own (settings),
    closed on the way out."""
    ctx = AnswerContext.open(engine)
    ctx.follow_refresh(get_settings())
    ctx.enable_ondemand(get_settings())
    try:
        yield ctx
    finally:
        if ctx.ondemand is not None:
            ctx.ondemand.close()


def _console(ctx: AnswerContext, member: Member | None = None) -> None:
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
                print(terminal.to_text(answer_line(ctx, line, scope="console", member=member)))
    except KeyboardInterrupt:
        print()
    finally:
        if readline is not None:
            with contextlib.suppress(OSError):
                readline.write_history_file(history)


def run_command(db: DbOption = None) -> None:
    """Lance critibot : importe les exemples si la base est vide, puis le bot Discord (ou la console)."""
    engine = engine_for(db)
    if not all_film_ids(engine):
        out.print("Base vide : import des pages d'exemple…")
        print_summary(import_pages(engine, [SAMPLES], None))
    settings = get_settings()
    if not settings.discord_token:
        err.print(NO_TOKEN)
        with _answering(engine) as ctx:
            _console(ctx)
        return
    ctx = AnswerContext.open(engine)  # run_bot starts on-demand reading on the bot's loop
    ctx.searches_per_minute = settings.autocomplete_searches_per_minute
    ctx.follow_refresh(settings)
    import asyncio

    import aiohttp
    import discord

    from bot.discord_ui.client import run_bot

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s : %(message)s")
    try:
        asyncio.run(run_bot(ctx, settings, settings.discord_token))
    except discord.LoginFailure:
        err.print("Discord a refusé le jeton DISCORD_TOKEN : vérifiez-le sur https://discord.com/developers.")
        raise typer.Exit(code=1) from None
    except (OSError, aiohttp.ClientError, discord.GatewayNotFound, discord.ConnectionClosed) as problem:
        # No traceback for a network that is down: the operator needs the reason, not the stack.
        reason = problem.__class__.__name__
        err.print(f"Impossible de joindre Discord ({settings.discord_api_base}) : {reason}.")
        raise typer.Exit(code=2) from None
