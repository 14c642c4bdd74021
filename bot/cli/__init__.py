"""`critibot` on the command line: one module per command group, registered here in `--help` order.

Shared pieces (consoles, --db) live in bot/cli/common.py rather than here: the group modules import
them, and this module imports the groups, so keeping them here would make an import cycle.
"""

from __future__ import annotations

import typer

from bot.cli import catalogue, database, digest, importing, refresh, run, watch

app = typer.Typer(
    help="critibot : les critiques AlloCiné, en base et à portée de commande.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
app.command("import")(importing.import_command)
app.command("films")(catalogue.films_command)
app.command("film")(catalogue.film_command)
app.command("reviews")(catalogue.reviews_command)
app.command("demo")(run.demo_command)
app.command("ask")(run.ask_command)
app.command("console")(run.console_command)
app.add_typer(watch.watch_app, name="watch")
app.command("refresh")(refresh.refresh_command)
app.command("status")(refresh.status_command)
app.command("digest")(digest.digest_command)
app.command("run")(run.run_command)
app.add_typer(database.db_app, name="db")


def main() -> None:
    app()
