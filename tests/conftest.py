"""Shared fixtures: the sample pages, and databases (SQLite always, PostgreSQL when configured)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import SQLModel

from storage.db.engine import make_engine
from tests.doubles.fakeallocine import FakeAllocine

# No test reaches the real AlloCiné: on-demand reading is off unless a test starts it against the fake
# (set before any Settings is read; subprocesses inherit it).
os.environ.setdefault("CRITIBOT_ONDEMAND_ENABLED", "false")

SAMPLES = Path(__file__).resolve().parent.parent / "storage" / "samples"
SPECTATOR_SEED = SAMPLES / "000_6c6d1f130c1f1b27.txt"
PRESS_SEED = SAMPLES / "001_b3b5a5d490d33aed.txt"
PLAIN_SEED = SAMPLES / "002_51397a140611350b.txt"
POSTGRES_URL = os.environ.get("CRITIBOT_TEST_POSTGRES_URL")

DATABASES = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The test PostgreSQL, in a schema of this test run's own: parallel runs never share tables."""
    assert POSTGRES_URL
    schema = f"critibot_test_{os.getpid()}"
    admin = make_engine(POSTGRES_URL, create=False)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    admin.dispose()


@pytest.fixture(params=DATABASES)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A fresh, empty database: a SQLite file, or the test PostgreSQL wiped clean."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'critibot.db'}")
    else:
        url = request.getfixturevalue("postgres_url")
        wipe = make_engine(url, create=False)
        SQLModel.metadata.drop_all(wipe)
        with wipe.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        wipe.dispose()
        engine = make_engine(url)  # created as on SQLite: tables, then the migrations' head stamped
    yield engine
    engine.dispose()


@pytest.fixture
async def fake_allocine() -> AsyncIterator[FakeAllocine]:
    """A fake AlloCiné on 127.0.0.1 (tests/doubles/fakeallocine.py): no test ever reaches the real site."""
    async with FakeAllocine() as site:
        yield site
