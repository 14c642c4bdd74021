"""A film's main page stored: its details (kind, release date, directors, genres, duration, poster,
synopsis) and the site's figures, in one transaction, under the one film identity."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from storage.pages.film import ParsedFilmPage
from storage.store.figures import content_hash, film_columns, snapshot, upsert_source
from storage.store.identity import FilmHint, FilmRef, resolve_film

FILM_PAGE = "fiche"  # the source row's page_kind


def store_film_page(
    engine: Engine,
    parsed: ParsedFilmPage,
    *,
    allocine_id: int,
    url: str,
    now: datetime,
    raw: bytes | str | None = None,
) -> FilmRef:
    """Store a film's main page read from `url` (AlloCiné id `allocine_id`): nothing of it if anything fails.

    The film is found or created by `resolve_film` (the id first, then its names with the year); its
    figures go on its row and into a rating snapshot per kind (spectateurs, presse), keyed by the page's
    source row (`raw`'s hash, else the parsed facts'), so storing the same page again changes nothing but
    `details_at`, and a newer page adds a snapshot. Details the page does not give keep their known value.
    """
    with engine.begin() as conn:
        return write_film_page(conn, parsed, allocine_id=allocine_id, url=url, now=now, raw=raw)


def write_film_page(
    conn: Connection,
    parsed: ParsedFilmPage,
    *,
    allocine_id: int,
    url: str,
    now: datetime,
    raw: bytes | str | None = None,
) -> FilmRef:
    """`store_film_page` inside the caller's transaction (a film read on demand: all its pages or none)."""
    if parsed.allocine_id is not None and parsed.allocine_id != allocine_id:
        raise ValueError(f"the page is AlloCiné film {parsed.allocine_id}, not {allocine_id}")
    hint = FilmHint(
        title=parsed.title,
        year=parsed.year,
        allocine_id=allocine_id,
        original_title=parsed.original_title,
        url=url,
        from_film_address=True,
    )
    columns = {
        **film_columns("spectateurs", parsed.spectators),
        **film_columns("presse", parsed.press),
        **details_columns(parsed),
        "details_at": now,
    }
    digest = content_hash(raw if raw is not None else _fingerprint(parsed))
    film = resolve_film(conn, parsed.title, hint, now, columns)  # the film row written once
    source_id = upsert_source(conn, digest, url, FILM_PAGE, film.id, now)
    snapshot(conn, film.id, "spectateurs", parsed.spectators, source_id, now)
    snapshot(conn, film.id, "presse", parsed.press, source_id, now)
    return film


def details_columns(parsed: ParsedFilmPage) -> dict[str, Any]:
    """The film columns the page gives (lists as JSON text); what it leaves out is not written."""
    columns: dict[str, Any] = {
        "kind": parsed.kind,
        "release_date": parsed.release_date,
        "directors": json.dumps(list(parsed.directors), ensure_ascii=False) if parsed.directors else None,
        "genres": json.dumps(list(parsed.genres), ensure_ascii=False) if parsed.genres else None,
        "duration_minutes": parsed.duration_minutes,
        "poster_url": parsed.poster_url,
        "synopsis": parsed.synopsis,
    }
    return {key: value for key, value in columns.items() if value is not None}


def _fingerprint(parsed: ParsedFilmPage) -> str:
    """The page's facts as text: one source row per distinct reading when the bytes are not kept."""
    return "fiche:" + json.dumps(asdict(parsed), sort_keys=True, default=str, ensure_ascii=False)
