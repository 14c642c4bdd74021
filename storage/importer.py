"""Import page files (text or HTML) from paths: each file on its own, a bad one never stops the rest."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from storage.pages import PageError, parse_page
from storage.problems import Problem
from storage.store import Counts, FilmHint, StoreError, StoreReport, same_name, store_page
from storage.watchlist import WatchedFilm, film_for_file

PAGE_SUFFIXES = {".txt", ".text", ".html", ".htm"}


@dataclass
class FileResult:
    path: Path
    report: StoreReport | None = None
    error: Problem | None = None


@dataclass
class ImportSummary:
    results: list[FileResult] = field(default_factory=list)

    @property
    def failed(self) -> list[FileResult]:
        return [r for r in self.results if r.error]

    def totals(self) -> dict[str, Counts]:
        totals: dict[str, Counts] = {}
        for result in self.results:
            if result.report:
                for kind, counts in result.report.counts.items():
                    totals.setdefault(kind, Counts()).add(counts)
        return totals


def collect_files(paths: Iterable[Path]) -> tuple[list[Path], list[FileResult]]:
    """Files named directly, and page files (by suffix) found under folders; missing paths as errors."""
    files: list[Path] = []
    missing: list[FileResult] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file() and p.suffix.lower() in PAGE_SUFFIXES and not p.name.startswith(".")
                )
            )
        elif path.is_file():
            files.append(path)
        else:
            missing.append(FileResult(path, error=Problem("not_found")))
    return files, missing


def import_files(
    engine: Engine,
    paths: Iterable[Path],
    *,
    hint: FilmHint | None = None,
    watchlist: list[WatchedFilm] | None = None,
    on_file: Callable[[FileResult], None] | None = None,
) -> ImportSummary:
    """Import every page under `paths`; `on_file` hears of each result, missing paths included."""
    files, missing = collect_files(paths)
    summary = ImportSummary()
    results = (import_file(engine, path, hint=hint, watchlist=watchlist or []) for path in files)
    for result in itertools.chain(missing, results):
        summary.results.append(result)
        if on_file:
            on_file(result)
    return summary


def import_file(
    engine: Engine, path: Path, *, hint: FilmHint | None, watchlist: list[WatchedFilm]
) -> FileResult:
    try:
        raw = path.read_bytes()
        page = parse_page(raw)
        film_hint = hint or _watchlist_hint(watchlist, path, getattr(page, "title", None))
        report = store_page(engine, page, location=str(path), raw=raw, hint=film_hint)
    except (PageError, StoreError, OSError, SQLAlchemyError) as error:
        return FileResult(path, error=Problem.of(error))
    return FileResult(path, report=report)


def _watchlist_hint(watchlist: list[WatchedFilm], path: Path, page_title: str | None) -> FilmHint | None:
    if film := film_for_file(watchlist, path):
        return film.hint
    if page_title:
        for film in watchlist:
            if any(same_name(page_title, name) for name in film.hint.names):
                return film.hint
    return None
