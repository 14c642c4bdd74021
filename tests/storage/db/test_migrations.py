"""Schema migrations: an early critibot's database upgrades to today's schema with its rows, on SQLite and
PostgreSQL; fresh databases are the migrations' head; newer databases are refused; one process migrates."""

from __future__ import annotations

import importlib.util
import multiprocessing
import os
import uuid
import warnings
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine
from sqlmodel import SQLModel

from storage import guild_settings
from storage.db import migrate
from storage.db.engine import make_engine
from storage.db.migrate import SchemaTooNew, Upgrade
from tests.conftest import DATABASES, POSTGRES_URL

# --- an early critibot's schema ---------------------------------------------------------------------------
# storage/models.py at 0be71de, the commit before the rating index (c25f575), written out by hand as its
# create_all made it: no ix_spectator_film_rating, no first_seen_at or backlog columns, 32-bit Discord
# ids, and none of the tables for HTTP validators, refresh runs or the digest ledger.


def early_schema() -> sa.MetaData:
    metadata = sa.MetaData()
    when = sa.DateTime(timezone=True)  # SQLModel's UTCDateTime
    sa.Table(
        "film",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("title", sa.String, nullable=False),
        sa.Column("title_folded", sa.String, nullable=False, index=True),
        sa.Column("original_title", sa.String),
        sa.Column("year", sa.Integer),
        sa.Column("allocine_id", sa.Integer, unique=True),
        sa.Column("url", sa.String),
        sa.Column("created_at", when, nullable=False),
        sa.Column("site_average", sa.Float, index=True),
        sa.Column("site_ratings_count", sa.Integer),
        sa.Column("site_reviews_count", sa.Integer),
        sa.Column("site_press_average", sa.Float),
        sa.UniqueConstraint("title_folded", "year", name="uq_film_title_year"),
    )
    sa.Table(
        "film_alias",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("film_id", sa.Integer, sa.ForeignKey("film.id"), nullable=False, index=True),
        sa.Column("alias", sa.String, nullable=False),
        sa.Column("alias_folded", sa.String, nullable=False, index=True),
        sa.UniqueConstraint("film_id", "alias_folded", name="uq_alias"),
    )
    sa.Table(
        "source",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("content_hash", sa.String, nullable=False, unique=True),
        sa.Column("location", sa.String, nullable=False),
        sa.Column("page_kind", sa.String, nullable=False),
        sa.Column("film_id", sa.Integer, sa.ForeignKey("film.id")),
        sa.Column("imported_at", when, nullable=False),
    )
    sa.Table(
        "rating_snapshot",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("film_id", sa.Integer, sa.ForeignKey("film.id"), nullable=False),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("average", sa.Float),
        sa.Column("ratings_count", sa.Integer),
        sa.Column("reviews_count", sa.Integer),
        *(sa.Column(f"stars_{n}", sa.Integer) for n in (5, 4, 3, 2, 1, 0)),
        sa.Column("taken_at", when, nullable=False),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("source.id"), nullable=False),
        sa.UniqueConstraint("film_id", "kind", "source_id", name="uq_snapshot_source"),
        sa.Index("ix_snapshot_film_time", "film_id", "kind", "taken_at"),
    )
    sa.Table(
        "spectator_review",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("film_id", sa.Integer, sa.ForeignKey("film.id"), nullable=False),
        sa.Column("review_key", sa.String, nullable=False),
        sa.Column("author", sa.String),
        sa.Column("followers", sa.Integer),
        sa.Column("author_reviews", sa.Integer),
        sa.Column("rating", sa.Float),
        sa.Column("published", sa.Date),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("spoiler", sa.Boolean, nullable=False),
        sa.Column("site_id", sa.String),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("source.id"), nullable=False),
        sa.Column("updated_at", when, nullable=False),
        sa.UniqueConstraint("film_id", "review_key", name="uq_spectator_review"),
        sa.Index("ix_spectator_film_position", "film_id", "position"),
        sa.Index("ix_spectator_film_published", "film_id", "published"),
    )
    sa.Table(
        "press_review",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("film_id", sa.Integer, sa.ForeignKey("film.id"), nullable=False),
        sa.Column("outlet", sa.String, nullable=False),
        sa.Column("outlet_key", sa.String, nullable=False),
        sa.Column("critic", sa.String),
        sa.Column("quote", sa.Text),
        sa.Column("link", sa.String),
        sa.Column("rating", sa.Float),
        sa.Column("site_id", sa.String),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("source.id"), nullable=False),
        sa.Column("updated_at", when, nullable=False),
        sa.UniqueConstraint("film_id", "outlet_key", name="uq_press_review"),
        sa.Index("ix_press_film_position", "film_id", "position"),
    )
    sa.Table(
        "guild_settings",
        metadata,
        sa.Column("guild_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("digest_channel_id", sa.Integer),
        sa.Column("digest_time", sa.String, nullable=False),
        sa.Column("digest_enabled", sa.Boolean, nullable=False),
        sa.Column("updated_at", when, nullable=False),
    )
    return metadata


def _uniform(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # One INSERT for many rows wants the same keys in each.
    keys = list(dict.fromkeys(key for row in rows for key in row))
    return [{key: row.get(key) for key in keys} for row in rows]


T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
EARLY_ROWS: dict[str, list[dict[str, Any]]] = {
    "film": [
        {
            "id": 1,
            "title": "Derrière le masque",
            "title_folded": "derriere le masque",
            "year": 2006,
            "allocine_id": 110_000,
            "created_at": T0,
            "site_average": 3.1,
            "site_ratings_count": 158,
        },
        {"id": 2, "title": "Backstage", "title_folded": "backstage", "year": 2005, "created_at": T0},
    ],
    "film_alias": [{"id": 1, "film_id": 1, "alias": "Behind the Mask", "alias_folded": "behind the mask"}],
    "source": [
        {
            "id": 1,
            "content_hash": "a" * 64,
            "location": "pages/1.txt",
            "page_kind": "spectateurs",
            "film_id": 1,
            "imported_at": T0,
        },
        {
            "id": 2,
            "content_hash": "b" * 64,
            "location": "pages/2.txt",
            "page_kind": "presse",
            "film_id": 2,
            "imported_at": T0,
        },
    ],
    "rating_snapshot": [
        {
            "id": 1,
            "film_id": 1,
            "kind": "spectateurs",
            "average": 3.1,
            "ratings_count": 158,
            "stars_5": 12,
            "taken_at": T0,
            "source_id": 1,
        },
    ],
    "spectator_review": [
        {
            "id": n,
            "film_id": 1,
            "review_key": f"k{n}",
            "author": f"auteur {n}",
            "rating": (n % 11) / 2,
            "published": date(2024, 1, 1 + n % 28),
            "text": f"critique n° {n} — « très drôle »",
            "spoiler": n % 7 == 0,
            "position": n,
            "source_id": 1,
            "updated_at": T0,
        }
        for n in range(1, 301)
    ],
    "press_review": [
        {
            "id": 1,
            "film_id": 2,
            "outlet": "Le Figaro",
            "outlet_key": "le figaro",
            "quote": "Réjouissant.",
            "rating": 4.0,
            "position": 1,
            "source_id": 2,
            "updated_at": T0,
        },
    ],
    "guild_settings": [
        {
            "guild_id": 77,
            "digest_channel_id": 78,
            "digest_time": "08:30",
            "digest_enabled": True,
            "updated_at": T0,
        },
    ],
}
EARLY_ROWS = {name: _uniform(rows) for name, rows in EARLY_ROWS.items()}


LATER_TABLES = {
    "search_cache",
    "guild_follow",
    "ondemand_request",
    "refresh_queue",
    "refresh_request",
}  # made by revisions after the baseline
RESHAPED_TABLES = {"digest_post"}  # baseline tables a later revision changed (0006: keyed by server and day)


def baseline_table(name: str, metadata: sa.MetaData) -> sa.Table:
    """A table as the baseline revision declares it (revisions are loaded by path, not imported)."""
    path = Path(migrate.__file__).parent / "migrations" / "versions" / "v0001_baseline.py"
    spec = importlib.util.spec_from_file_location("v0001_baseline", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return sa.Table(name, metadata, *module.TABLES[name]())


# --- databases ---------------------------------------------------------------------------------------------


@pytest.fixture(params=DATABASES)
def blank_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database: a new SQLite file, or a PostgreSQL schema of this test's own (so its
    alembic_version is its own too)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'critibot.db'}"
        return
    assert POSTGRES_URL
    schema = f"critibot_migr_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = make_engine(POSTGRES_URL, create=False)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    admin.dispose()


@pytest.fixture
def blank(blank_url: str) -> Iterator[Engine]:
    engine = make_engine(blank_url, create=False)
    yield engine
    engine.dispose()


def make_early(engine: Engine) -> None:
    """The early critibot's database, with rows in every table."""
    metadata = early_schema()
    metadata.create_all(engine)
    with engine.begin() as conn:
        for table in metadata.sorted_tables:
            conn.execute(table.insert(), EARLY_ROWS[table.name])


def migrate_from_nothing(engine: Engine) -> None:
    """Every revision from an empty database, as Alembic runs them (not make_engine's shortcut)."""
    with engine.begin() as conn:
        command.upgrade(migrate.config(conn), "head")


def schema_of(engine: Engine) -> dict[str, Any]:
    """The schema as the database reports it: tables, columns (type, nullability, default), primary
    keys, indexes, unique constraints and foreign keys."""
    inspector = sa.inspect(engine)
    schema: dict[str, Any] = {}
    with warnings.catch_warnings():  # SQLite's "skipped expression-based index": read apart, see _indexes
        warnings.simplefilter("ignore", sa.exc.SAWarning)
        for table in sorted(inspector.get_table_names()):
            schema[table] = _table_schema(engine, inspector, table)
    return schema


def _table_schema(engine: Engine, inspector: sa.Inspector, table: str) -> dict[str, Any]:
    pk = inspector.get_pk_constraint(table)
    return {
        "columns": {
            column["name"]: (
                column["type"].compile(dialect=engine.dialect),
                column["nullable"],
                column["default"],
            )
            for column in inspector.get_columns(table)
        },
        "primary key": (pk["name"], tuple(pk["constrained_columns"])),
        "indexes": _indexes(engine, inspector, table),
        "unique": sorted(
            (u["name"] or "", tuple(u["column_names"])) for u in inspector.get_unique_constraints(table)
        ),
        "foreign keys": sorted(
            (
                fk["name"] or "",
                tuple(fk["constrained_columns"]),
                fk["referred_table"],
                tuple(fk["referred_columns"]),
            )
            for fk in inspector.get_foreign_keys(table)
        ),
    }


def _indexes(engine: Engine, inspector: sa.Inspector, table: str) -> dict[str | None, Any]:
    """Each index's columns (expressions too) and uniqueness. SQLite's reflection skips expression
    indexes such as uq_film_identity, so there they are read from the SQL that made them."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master"
                " WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
                (table,),
            ).all()
        return {name: " ".join(sql.replace('"', "").split()) for name, sql in rows}
    return {
        index["name"]: (
            tuple(
                c or e
                for c, e in zip(
                    index["column_names"], index.get("expressions") or index["column_names"], strict=True
                )
            ),
            bool(index["unique"]),
        )
        for index in inspector.get_indexes(table)
    }


def rows_of(engine: Engine, name: str, columns: list[str]) -> list[tuple[Any, ...]]:
    table = sa.Table(name, sa.MetaData(), autoload_with=engine)
    with engine.connect() as conn:
        query = sa.select(*(table.c[c] for c in columns)).order_by(*table.primary_key.columns)
        return [tuple(row) for row in conn.execute(query)]


def as_stored(value: Any) -> Any:
    # SQLite gives datetimes back naive (they were written in UTC).
    return value.replace(tzinfo=None) if isinstance(value, datetime) else value


def indexes(engine: Engine, table: str) -> dict[str | None, list[str | None]]:
    return {index["name"]: index["column_names"] for index in sa.inspect(engine).get_indexes(table)}


def version_rows(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars())


@pytest.fixture
def reference(blank_url: str, tmp_path: Path) -> dict[str, Any]:
    """A fresh database's schema, on the same engine kind as `blank_url`, in a database of its own."""
    if blank_url.startswith("sqlite"):
        engine = make_engine(f"sqlite:///{tmp_path / 'reference.db'}")
        schema = schema_of(engine)
        engine.dispose()
        return schema
    # Same PostgreSQL schema, emptied afterwards: names of constraints are per table, not per schema.
    engine = make_engine(blank_url)
    schema = schema_of(engine)
    SQLModel.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE alembic_version")
    engine.dispose()
    return schema


# --- tests -------------------------------------------------------------------------------------------------


def test_an_early_database_upgrades_to_todays_schema_with_its_rows(
    blank: Engine, reference: dict[str, Any]
) -> None:
    make_early(blank)
    assert migrate.current(blank) is None
    assert "ix_spectator_film_rating" not in indexes(blank, "spectator_review")

    done = migrate.ensure_current(blank)

    assert done == Upgrade(before=None, after=migrate.head(), adopted=True)
    assert migrate.current(blank) == migrate.head()
    assert version_rows(blank) == [migrate.head()]
    assert schema_of(blank) == reference
    assert indexes(blank, "spectator_review")["ix_spectator_film_rating"] == ["film_id", "rating"]
    for name, rows in EARLY_ROWS.items():
        columns = list(rows[0])
        expected = [tuple(row.get(c) for c in columns) for row in rows]
        found = rows_of(blank, name, columns)
        if blank.dialect.name == "sqlite":
            expected = [tuple(as_stored(v) for v in row) for row in expected]
        assert found == expected, name
    # The columns the early version lacked: no first sighting known, not announced as backlog... by default.
    assert set(rows_of(blank, "spectator_review", ["first_seen_at", "backlog"])) == {(None, False)}
    assert migrate.ensure_current(blank) is None  # once


def test_a_database_patched_by_add_missing_columns_is_completed(
    blank: Engine, reference: dict[str, Any]
) -> None:
    """The early database as a later critibot left it before migrations: add_missing_columns gave it the
    new columns, but `backlog` nullable, the rating index never, and 32-bit ids on SQLite."""
    make_early(blank)
    when = sa.DateTime(timezone=True).compile(dialect=blank.dialect)
    no = sa.false().compile(dialect=blank.dialect)
    with blank.begin() as conn:  # its statements, as it ran them
        for table in ("spectator_review", "press_review"):
            conn.exec_driver_sql(f'ALTER TABLE {table} ADD COLUMN "first_seen_at" {when}')
            conn.exec_driver_sql(f'ALTER TABLE {table} ADD COLUMN "backlog" BOOLEAN DEFAULT {no}')
        conn.exec_driver_sql("UPDATE spectator_review SET backlog = (id <= 100), first_seen_at = updated_at")
    # The tables it lacked, as that critibot declared them: the baseline's, not those of later revisions.
    SQLModel.metadata.create_all(
        blank,
        tables=[t for t in SQLModel.metadata.sorted_tables if t.name not in LATER_TABLES | RESHAPED_TABLES],
    )
    old = sa.MetaData()
    for name in RESHAPED_TABLES:
        baseline_table(name, old)
    old.create_all(blank)

    assert migrate.ensure_current(blank) == Upgrade(before=None, after=migrate.head(), adopted=True)

    assert schema_of(blank) == reference
    rows = rows_of(blank, "spectator_review", ["id", "backlog", "first_seen_at"])
    assert [(id_, backlog) for id_, backlog, _ in rows] == [(n, n <= 100) for n in range(1, 301)]
    assert {as_stored(seen) for _, _, seen in rows} == {as_stored(T0)}


def test_discord_ids_hold_64_bits_after_the_upgrade(blank: Engine) -> None:
    make_early(blank)
    migrate.ensure_current(blank)
    snowflake = 1_200_000_000_000_000_010
    assert guild_settings.update(blank, snowflake, channel_id=snowflake + 1).channel_id == snowflake + 1
    assert guild_settings.update(blank, 77, channel_id=snowflake).channel_id == snowflake


def test_a_table_missing_every_kind_of_item_is_completed(blank: Engine, reference: dict[str, Any]) -> None:
    """Beyond the early version's history: a table without its unique constraints, foreign keys, indexes
    and 64-bit ids is brought to the baseline, its rows kept."""
    metadata = early_schema()
    metadata.remove(metadata.tables["film_alias"])
    sa.Table(
        "film_alias",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("film_id", sa.Integer, nullable=False),
        sa.Column("alias", sa.String, nullable=False),
        sa.Column("alias_folded", sa.String, nullable=False),
    )
    metadata.create_all(blank)
    with blank.begin() as conn:
        for table in metadata.sorted_tables:
            conn.execute(table.insert(), EARLY_ROWS[table.name])
        conn.execute(sa.text("DROP INDEX ix_press_film_position"))

    migrate.ensure_current(blank)

    assert schema_of(blank) == reference
    assert rows_of(blank, "film_alias", ["film_id", "alias"]) == [(1, "Behind the Mask")]


def test_a_fresh_database_is_the_migrations_head(blank: Engine, reference: dict[str, Any]) -> None:
    """make_engine's shortcut (create_all, then stamp) and every revision run from nothing agree."""
    migrate_from_nothing(blank)
    assert schema_of(blank) == reference
    assert migrate.current(blank) == migrate.head()


def test_the_models_and_the_migrations_agree(blank: Engine) -> None:
    """`alembic check`: a model changed without a migration fails here. Write the revision (see
    storage/db/migrate.py) and this passes again."""
    migrate_from_nothing(blank)
    with blank.connect() as conn:
        options = {"compare_type": True, "compare_server_default": True}
        assert compare_metadata(MigrationContext.configure(conn, opts=options), SQLModel.metadata) == []


def test_current_and_upgrade(blank: Engine) -> None:
    assert migrate.current(blank) is None
    assert migrate.upgrade(blank) == Upgrade(before=None, after=migrate.head(), created=True)
    assert migrate.current(blank) == migrate.head() == migrate.known()[-1]
    assert migrate.upgrade(blank) == Upgrade(before=migrate.head(), after=migrate.head())
    assert not migrate.upgrade(blank).changed
    assert migrate.ensure_current(blank) is None
    assert version_rows(blank) == [migrate.head()]


PROBE_REVISION = '''"""A later change, for the test: an index on film.url."""

from alembic import op

revision = "{revision}"
down_revision = "{down}"


def upgrade() -> None:
    op.create_index("ix_probe_film_url", "film", ["url"])
'''


def test_a_database_behind_runs_the_revisions_it_lacks(
    blank: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_early(blank)
    migrate.ensure_current(blank)  # adopted: at the baseline, with its rows
    base = migrate.head()
    # A critibot one revision later: the same migrations plus one in a folder of the test's.
    (tmp_path / "v_probe.py").write_text(PROBE_REVISION.format(revision="probe", down=base), encoding="utf-8")
    config = migrate.config
    monkeypatch.setattr(migrate, "config", lambda conn=None, also=None: config(conn, also=tmp_path))
    monkeypatch.setattr(migrate, "scripts", lambda: migrate.ScriptDirectory.from_config(migrate.config()))

    assert migrate.head() == "probe" and migrate.known()[-2:] == (base, "probe")
    assert migrate.ensure_current(blank) == Upgrade(before=base, after="probe")
    assert indexes(blank, "film")["ix_probe_film_url"] == ["url"]
    assert version_rows(blank) == ["probe"]
    assert len(rows_of(blank, "spectator_review", ["id"])) == len(EARLY_ROWS["spectator_review"])
    assert migrate.ensure_current(blank) is None


def test_a_database_newer_than_the_code_is_refused_and_left_alone(blank: Engine, blank_url: str) -> None:
    make_engine(blank_url).dispose()
    with blank.begin() as conn:  # as a later critibot might leave it: a revision unknown here, an index gone
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'f00d_from_the_future'")
        conn.exec_driver_sql("DROP INDEX ix_spectator_film_rating")
    before = schema_of(blank)

    for attempt in (migrate.ensure_current, migrate.upgrade, lambda e: make_engine(blank_url)):
        with pytest.raises(SchemaTooNew) as refused:
            attempt(blank)
        assert refused.value.found == "f00d_from_the_future"
        assert refused.value.known == migrate.known()
        assert refused.value.code == "schema_too_new"
        assert refused.value.params == {
            "found": "f00d_from_the_future",
            "known": list(migrate.known()),
            "head": migrate.head(),
        }
        assert "f00d_from_the_future" in str(refused.value) and "newer critibot" in str(refused.value)

    assert schema_of(blank) == before
    assert migrate.current(blank) == "f00d_from_the_future"


def _race(url: str, barrier: Any, results: Any) -> None:
    """One process starting critibot: its engine, then the upgrade at the same moment as the other's."""
    engine = make_engine(url, create=False)
    barrier.wait()
    try:
        done = migrate.ensure_current(engine)
        results.put(("ok", done))
    except Exception as error:  # reported to the test, which shows it
        results.put(("error", repr(error)))
    engine.dispose()


def test_two_processes_starting_together_migrate_once(blank: Engine, blank_url: str) -> None:
    make_early(blank)
    spawn = multiprocessing.get_context("spawn")
    barrier = spawn.Barrier(2)
    results = spawn.Queue()
    processes = [spawn.Process(target=_race, args=(blank_url, barrier, results)) for _ in range(2)]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0

    assert all(status == "ok" for status, _ in outcomes), outcomes
    done = [upgrade for _, upgrade in outcomes if upgrade is not None]
    assert done == [Upgrade(before=None, after=migrate.head(), adopted=True)]
    assert version_rows(blank) == [migrate.head()]
    assert len(rows_of(blank, "spectator_review", ["id"])) == len(EARLY_ROWS["spectator_review"])


def test_a_new_revision_is_drafted_after_head(tmp_path: Path) -> None:
    draft = migrate.new_revision("nothing yet", directory=tmp_path)
    assert draft.parent == tmp_path and draft.name == f"v{len(migrate.known()) + 1:04d}_nothing_yet.py"
    source = draft.read_text(encoding="utf-8")
    assert f"down_revision: str | None = {migrate.head()!r}" in source
    upgrade = source[source.index("def upgrade") : source.index("def downgrade")]
    assert "op." not in upgrade  # the models are head: nothing to do


def test_films_that_racing_writers_stored_twice_are_merged_by_the_identity_revision(blank: Engine) -> None:
    """Revision 0002: before it, two writers could both create "Backstage" of unknown year."""
    with blank.begin() as conn:
        command.upgrade(migrate.config(conn), "0001")
    now = datetime(2025, 1, 1, tzinfo=UTC)
    film = {"title_folded": "backstage", "year": None, "created_at": now}
    with blank.begin() as conn:
        for film_id, title in ((1, "Backstage"), (2, "BACKSTAGE")):
            conn.execute(
                sa.text(
                    "INSERT INTO film (id, title, title_folded, year, created_at) "
                    "VALUES (:id, :title, :title_folded, :year, :created_at)"
                ),
                {"id": film_id, "title": title, **film},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO source (id, content_hash, location, page_kind, film_id, imported_at) "
                    "VALUES (:id, :hash, 'x', 'spectateurs', :id, :now)"
                ),
                {"id": film_id, "hash": f"h{film_id}", "now": now},
            )
        reviews = [
            (1, "a:alice", 0, "Gardée."),
            (1, "a:bob", 1, "Bob."),
            (2, "a:alice", 0, "Doublon."),
            (2, "a:chloe", 1, "Chloé."),
        ]
        for film_id, key, position, text in reviews:
            conn.execute(
                sa.text(
                    "INSERT INTO spectator_review (film_id, review_key, text, spoiler, position, source_id, "
                    "updated_at, backlog) VALUES (:film, :key, :text, false, :position, :film, :now, false)"
                ),
                {"film": film_id, "key": key, "text": text, "position": position, "now": now},
            )
    assert migrate.upgrade(blank).after == migrate.head()
    with blank.connect() as conn:
        assert conn.execute(sa.text("SELECT id, title FROM film")).all() == [(1, "Backstage")]
        kept = conn.execute(
            sa.text(
                "SELECT review_key, position, text FROM spectator_review WHERE film_id = 1 ORDER BY position"
            )
        ).all()
        assert [tuple(r) for r in kept] == [
            ("a:alice", 0, "Gardée."),
            ("a:bob", 1, "Bob."),
            ("a:chloe", 3, "Chloé."),
        ]
        assert conn.execute(sa.text("SELECT count(*) FROM source WHERE film_id = 1")).scalar_one() == 2
        # From now on the database itself refuses the duplicate.
        with pytest.raises(sa.exc.IntegrityError):
            conn.execute(
                sa.text("INSERT INTO film (title, title_folded, created_at) VALUES ('B', 'backstage', :now)"),
                {"now": now},
            )


def test_the_digest_ledger_keeps_one_row_per_server_and_day(blank: Engine) -> None:
    """Revision 0006: before it, a day could hold one row per channel. The best row is kept (posted
    first), and a claim left by a process of before the upgrade has no lease: it may be taken over."""
    with blank.begin() as conn:
        command.upgrade(migrate.config(conn), "0005")
    now = datetime(2025, 1, 25, 9, tzinfo=UTC)
    rows = [  # id, guild, channel, day, status
        (1, 7, 70, date(2025, 1, 24), "posted"),
        (2, 7, 71, date(2025, 1, 24), "claimed"),  # the channel changed: a second row, the same day
        (3, 7, 70, date(2025, 1, 25), "failed"),
        (4, 7, 71, date(2025, 1, 25), "skipped"),
        (5, 8, 80, date(2025, 1, 25), "claimed"),
        (6, 9, 90, date(2025, 1, 25), "posted"),
        (7, 9, 91, date(2025, 1, 25), "posted"),  # a double: the later one (its marks) is kept
    ]
    with blank.begin() as conn:
        for id_, guild, channel, day, status in rows:
            conn.execute(
                sa.text(
                    "INSERT INTO digest_post"
                    " (id, guild_id, channel_id, day, status, claimed_at, spectator_upto)"
                    " VALUES (:id, :guild, :channel, :day, :status, :now, :id)"
                ),
                {"id": id_, "guild": guild, "channel": channel, "day": day, "status": status, "now": now},
            )
    assert migrate.upgrade(blank).after == migrate.head()
    kept = rows_of(blank, "digest_post", ["id", "guild_id", "status", "lease_owner", "lease_until"])
    assert kept == [
        (1, 7, "posted", None, None),
        (4, 7, "skipped", None, None),
        (5, 8, "claimed", None, None),
        (7, 9, "posted", None, None),
    ]
    with pytest.raises(sa.exc.IntegrityError), blank.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO digest_post (guild_id, channel_id, day, status, claimed_at)"
                " VALUES (7, 72, :day, 'claimed', :now)"
            ),
            {"day": date(2025, 1, 25), "now": now},
        )
