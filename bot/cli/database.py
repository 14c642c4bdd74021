"""`critibot db upgrade` and `critibot db current`: the database's schema revision (Alembic)."""

from __future__ import annotations

import typer

from bot import texts
from bot.cli.common import DbOption, database_url, err, out
from storage.db import migrate
from storage.db.engine import make_engine

db_app = typer.Typer(help="Le schéma de la base : sa version, sa mise à jour.", no_args_is_help=True)


@db_app.command("current")
def current_command(db: DbOption = None) -> None:
    """La version du schéma de la base, et celle que ce critibot attend."""
    found = migrate.current(make_engine(database_url(db), create=False))
    if found is None:
        out.print(texts.DB_UNVERSIONED.format(head=migrate.head()))
    elif found == migrate.head():
        out.print(texts.DB_CURRENT.format(revision=found))
    elif found in migrate.known():
        out.print(texts.DB_BEHIND.format(revision=found, head=migrate.head()))
    else:
        err.print(texts.DB_TOO_NEW.format(found=found, head=migrate.head()))
        raise typer.Exit(code=1)


@db_app.command("upgrade")
def upgrade_command(db: DbOption = None) -> None:
    """Met le schéma de la base à jour (une seule fois, même si plusieurs critibot démarrent ensemble)."""
    try:
        done = migrate.upgrade(make_engine(database_url(db), create=False))
    except migrate.SchemaTooNew as problem:
        err.print(texts.DB_TOO_NEW.format(**problem.params))
        raise typer.Exit(code=1) from None
    if not done.changed:
        out.print(texts.DB_CURRENT.format(revision=done.after))
    elif done.created:
        out.print(texts.DB_CREATED.format(revision=done.after))
    else:
        out.print(texts.DB_UPGRADED.format(before=done.before or texts.DB_NO_VERSION, after=done.after))
