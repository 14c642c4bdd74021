"""`critibot db current` and `critibot db upgrade` on an early database, and a database too new to touch."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect

from storage.db import migrate
from tests.bot.cli.conftest import run
from tests.storage.db.test_migrations import make_early


def test_an_early_database_is_shown_behind_then_upgraded(db: str) -> None:
    early = create_engine(db)
    make_early(early)
    code, output = run("db", "current", "--db", db)
    assert code == 0 and "pas encore de version" in output and migrate.head() in output
    code, output = run("db", "upgrade", "--db", db)
    assert code == 0 and output.strip() == f"Schéma mis à jour : sans version → {migrate.head()}."
    assert "ix_spectator_film_rating" in {i["name"] for i in inspect(early).get_indexes("spectator_review")}
    code, output = run("db", "current", "--db", db)
    assert output.strip() == f"Le schéma de la base est à jour (version {migrate.head()})."
    code, output = run("db", "upgrade", "--db", db)
    assert output.strip() == f"Le schéma de la base est à jour (version {migrate.head()})."
    early.dispose()


def test_a_database_from_a_newer_critibot_is_refused_by_every_command(db: str) -> None:
    assert run("db", "upgrade", "--db", db)[0] == 0
    engine = create_engine(db)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'f00d'")
    for args in (("db", "current"), ("db", "upgrade"), ("films",), ("import", "nothing.txt")):
        code, output = run(*args, "--db", db)
        assert code == 1, args
        assert "mise à jour par un critibot plus récent (schéma f00d" in output, args
        assert "Traceback" not in output
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one() == "f00d"
    engine.dispose()
