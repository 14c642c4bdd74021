"""Shared fixtures: the sample pages, and databases (SQLite always, PostgreSQL when configured)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import SQLModel

from storage.database import make_engine
from tests.fakeallocine import FakeAllocine

SAMPLES = Path(__file__).resolve().parent.parent / "storage" / "samples"
SPECTATOR_SEED = SAMPLES / "000_6c6d1f130c1f1b27.txt"
PRESS_SEED = SAMPLES / "001_b3b5a5d490d33aed.txt"
PLAIN_SEED = SAMPLES / "002_51397a140611350b.txt"
POSTGRES_URL = os.environ.get("CRITIBOT_TEST_POSTGRES_URL")

DATABASES = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


@pytest.fixture(params=DATABASES)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A fresh, empty database: a SQLite file, or the test PostgreSQL wiped clean."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'critibot.db'}")
    else:
        assert POSTGRES_URL
        engine = make_engine(POSTGRES_URL, create=False)
        SQLModel.metadata.drop_all(engine)
        SQLModel.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
async def fake_allocine() -> AsyncIterator[FakeAllocine]:
    """A fake AlloCiné started on 127.0.0.1 (tests/fakeallocine.py): no test ever reaches the real site."""
    async with FakeAllocine() as site:
        yield site
