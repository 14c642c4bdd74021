"""Inbox folders: page dumps dropped there are imported on the next refresh, each file once per content.

A file is known by the sha256 of its bytes (the `source` table keeps the hash of every stored page), so
an unchanged file costs one hash and a renamed or copied one is not imported again. A file that fails is
reported and left where it is: it is tried again on each refresh until it is fixed or removed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from sqlalchemy import Engine, select

from storage.db.tables import SOURCE
from storage.importer import FileResult, collect_files, import_file
from storage.problems import Problem
from storage.store import content_hash
from storage.watchlist import WatchedFilm

_CHUNK = 500  # hashes per IN (…) query


def import_inbox(
    engine: Engine, folders: Iterable[Path], watchlist: Sequence[WatchedFilm]
) -> list[FileResult]:
    """Import the inbox files whose content is new; returns what happened to each of them."""
    files, refused = collect_files(folder for folder in folders if folder.is_dir())
    pending: dict[Path, str] = {}
    results: list[FileResult] = list(refused)
    for path in files:
        try:
            pending[path] = content_hash(path.read_bytes())
        except OSError as error:
            results.append(FileResult(path, error=Problem.of(error)))
    known = known_hashes(engine, set(pending.values()))
    films = list(watchlist)
    for path, digest in pending.items():
        if digest not in known:
            results.append(import_file(engine, path, hint=None, watchlist=films))
            known.add(digest)  # the same content twice in the inbox: imported once
    return results


def known_hashes(engine: Engine, hashes: set[str]) -> set[str]:
    found: set[str] = set()
    wanted = sorted(hashes)
    with engine.connect() as conn:
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            found.update(conn.scalars(select(SOURCE.c.content_hash).where(SOURCE.c.content_hash.in_(chunk))))
    return found
