"""The reviews' fast write (tuples to the DBAPI cursor) stores exactly what SQLAlchemy Core stored."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, select
from sqlmodel import SQLModel

from storage.db.tables import FILM, SPECTATOR
from storage.db.upsert import upsert_statement
from storage.pages import ParsedPressPage, ParsedSpectatorPage, SiteFigures
from storage.pages import PressReview as Press
from storage.pages import SpectatorReview as Spectator
from storage.pages.text import parse_text
from storage.store import FilmHint, reviews, store_page
from tests.conftest import PLAIN_SEED, PRESS_SEED, SPECTATOR_SEED

FIGURES = SiteFigures(average=3.5, ratings_count=12, reviews_count=4, histogram={"5": 1, "4": 3})
ODD = [
    Spectator(author="  Zoé   Lambert ", rating=4.5, published=date(2024, 2, 29), text="Belle.", followers=0),
    Spectator(author=None, rating=None, published=None, text="Sans date ni note.", spoiler=True),
    Spectator(author=None, rating=0.5, published=date(999, 1, 2), text="Très  ancien.", site_id="r-12"),
    Spectator(author="Hugo", rating=3.0, published=date(2023, 5, 1), text="Bien.", author_reviews=20_000),
    Spectator(author="hugo", rating=1.0, published=date(2023, 5, 2), text="Doublon : gardé une fois."),
]
EDITED = [
    ODD[0],
    Spectator(author=None, rating=None, published=None, text="Sans date ni note.", spoiler=False),
    Spectator(
        author="Hugo", rating=3.5, published=date(2023, 5, 1), text="Bien, revu.", author_reviews=20_001
    ),
    # Written after the film was first read (March 2026): news, not backlog.
    Spectator(author="Jeanne", rating=5.0, published=date(2026, 3, 7), text="Nouvelle.", spoiler=True),
]
PRESS = [
    Press(outlet="Le Monde", critic="A. B.", quote="Fort.", rating=4.0),
    Press(outlet="Télérama", critic=None, quote=None, link="https://example.org"),
]


def _reference_write_rows(
    conn: Connection,
    writer: Any,
    film_id: int,
    rows: list[tuple[str, tuple[Any, ...], int]],
    source_id: int,
    now: datetime,
    backlog: bool,
) -> None:
    """The previous write: dicts through SQLAlchemy Core's executemany of the ON CONFLICT statement."""
    page = {"film_id": film_id, "source_id": source_id, "updated_at": now, "first_seen_at": now}
    dicts = [
        {writer.key: key, **dict(zip(writer.fields, values, strict=True)), "position": position, **page}
        | {"backlog": backlog}
        for key, values, position in rows
    ]
    updates = (*writer.fields, "source_id", "updated_at")
    stmt = upsert_statement(conn.dialect.name, writer.table, ("film_id", writer.key), updates)
    conn.execute(stmt, dicts)


def _import_all(engine: Engine) -> list[dict[str, tuple[int, int, int]]]:
    """A mix of pages: seeds, edits (updates, unchanged), new reviews on a known film, odd values."""
    reports = []
    pages: list[tuple[Any, str, FilmHint | None, bool | None]] = []
    seeds: tuple[tuple[Path, FilmHint], ...] = (
        (SPECTATOR_SEED, FilmHint(title="Derrière le masque", year=2006)),
        (PRESS_SEED, FilmHint(title="Backstage", year=2005)),
        (PLAIN_SEED, FilmHint(title="Backstage", year=2005)),
    )
    for path, hint in seeds:
        text = path.read_text(encoding="utf-8")
        pages.append((parse_text(text), text, hint, None))
        edited = text.replace("Dommage, l'idée de départ est plutôt sympa.", "Dommage.").replace(
            "Shawn777", "Shawn777 bis"
        )
        pages.append((parse_text(edited), edited, hint, None))
    pages += [
        (ParsedSpectatorPage(title="Bizarre", figures=FIGURES, reviews=ODD), "odd", None, None),
        (ParsedSpectatorPage(title="Bizarre", figures=SiteFigures(), reviews=EDITED), "edited", None, False),
        (ParsedSpectatorPage(title="Bizarre", figures=FIGURES, reviews=EDITED), "again", None, True),
        (
            ParsedPressPage(title="Bizarre", figures=SiteFigures(average=4.0), reviews=PRESS),
            "press",
            None,
            None,
        ),
        (ParsedPressPage(title="Bizarre", figures=SiteFigures(), reviews=PRESS[::-1]), "press 2", None, None),
    ]
    for day, (page, raw, page_hint, backlog) in enumerate(pages, start=1):
        report = store_page(
            engine,
            page,
            location=f"page-{day}",
            raw=raw,
            hint=page_hint,
            now=datetime(2026, 3, day, 8, 30, 15, 123456 * day % 1_000_000, tzinfo=UTC),
            backlog=backlog,
        )
        reports.append({kind: (c.new, c.updated, c.unchanged) for kind, c in report.counts.items()})
    return reports


def _contents(engine: Engine) -> dict[str, Any]:
    """Every table as SQLAlchemy reads it, and as the driver returns it (the stored representation)."""
    contents: dict[str, Any] = {}
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            contents[table.name] = conn.execute(select(table).order_by(*table.primary_key)).all()
            order = ", ".join(c.name for c in table.primary_key)
            raw = conn.exec_driver_sql(f"SELECT * FROM {table.name} ORDER BY {order}").all()
            # the Python type too: the same value stored as 1 or 1.0, '…' or a date, is not the same
            contents[f"{table.name} (driver)"] = [[(type(v).__name__, v) for v in row] for row in raw]
    return contents


def test_the_fast_write_stores_what_sqlalchemy_core_stored(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast_reports = _import_all(engine)
    fast = _contents(engine)
    assert len(fast["spectator_review"]) > 30 and len(fast["press_review"]) > 20

    SQLModel.metadata.drop_all(engine)
    SQLModel.metadata.create_all(engine)
    monkeypatch.setattr(reviews, "_write_rows", _reference_write_rows)
    assert _import_all(engine) == fast_reports
    reference = _contents(engine)
    for table, rows in reference.items():
        assert fast[table] == rows, table


def test_the_page_counts_cover_new_updated_and_unchanged(engine: Engine) -> None:
    reports = _import_all(engine)
    assert reports[0] == {"spectateurs": (15, 0, 0)}
    assert reports[1] == {"spectateurs": (1, 1, 13)}  # "Shawn777 bis" is new, the edit an update
    odd, edited, again = reports[6:9]
    assert odd == {"spectateurs": (4, 0, 0)}  # "hugo" is "Hugo" again: the page's first is kept
    assert edited == {"spectateurs": (1, 2, 1)}
    assert again == {"spectateurs": (0, 0, 4)}
    with engine.connect() as conn:
        jeanne = conn.execute(
            select(SPECTATOR.c.backlog, SPECTATOR.c.spoiler, SPECTATOR.c.position).where(
                SPECTATOR.c.author == "Jeanne"
            )
        ).one()
        film = conn.execute(select(FILM).where(FILM.c.title == "Bizarre")).one()
    assert tuple(jeanne) == (False, True, 4)  # after the film's four known reviews
    assert (film.site_average, film.site_ratings_count, film.site_press_average) == (3.5, 12, 4.0)
