"""What every stored page leaves besides its reviews: its source row, and the site's figures for the film,
both on the film row (its latest figures) and as a rating snapshot (its history). Shared by the review
pages' writer (`store_page`) and the main page's (`store_film_page`)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from storage.db.tables import SNAPSHOT, SOURCE
from storage.db.upsert import upsert, upsert_statement
from storage.pages import STARS, SiteFigures


def content_hash(data: bytes | str) -> str:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()


def film_columns(kind: str, figures: SiteFigures) -> dict[str, Any]:
    """The film columns that copy a page's latest figures of `kind` (spectateurs | presse); none when
    the page shows none, so that a page without them keeps what another page said."""
    if figures == SiteFigures():
        return {}
    if kind == "presse":
        # Press pages often give the count alone (no ratings): the main page's average stays then.
        return {"site_press_average": figures.average} if figures.average is not None else {}
    return {
        "site_average": figures.average,
        "site_ratings_count": figures.ratings_count,
        "site_reviews_count": figures.reviews_count,
    }


def upsert_source(
    conn: Connection, digest: str, location: str, kind: str, film_id: int, now: datetime
) -> int:
    row = {
        "content_hash": digest,
        "location": location,
        "page_kind": kind,
        "film_id": film_id,
        "imported_at": now,
    }
    stmt = upsert_statement(conn.dialect.name, SOURCE, ("content_hash",), ("location",), returning="id")
    source_id: int = conn.execute(stmt, row).scalar_one()
    return source_id


def snapshot(
    conn: Connection, film_id: int, kind: str, figures: SiteFigures, source_id: int, now: datetime
) -> None:
    """Append the page's figures to the film's history, once per distinct page (the film row has them)."""
    if figures == SiteFigures():
        return
    histogram = figures.histogram or {}
    row = {
        "film_id": film_id,
        "kind": kind,
        "average": figures.average,
        "ratings_count": figures.ratings_count,
        "reviews_count": figures.reviews_count,
        "taken_at": now,
        "source_id": source_id,
        **{f"stars_{star}": histogram.get(star) for star in STARS},
    }
    upsert(conn, SNAPSHOT, [row], keys=("film_id", "kind", "source_id"), updates=())
