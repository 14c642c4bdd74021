"""Import page files (text or HTML) from paths: each file on its own, a bad one never stops the rest."""

from __future__ import annotations

import itertools
import os
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


def shown_path(path: Path) -> str:
    """The path as text that can be printed and stored: bytes that are not UTF-8 shown escaped (\\xff)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def collect_files(paths: Iterable[Path]) -> tuple[list[Path], list[FileResult]]:
    """Files named directly, and page files (by suffix) found under folders; the paths that cannot be
    read as pages (missing, a broken link, a name that is not UTF-8) as errors."""
    files: list[Path] = []
    refused: list[FileResult] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*") if p.suffix.lower() in PAGE_SUFFIXES and not p.name.startswith(".")
            )
            for p in found:
                if p.is_file():
                    files.append(p)
                elif p.is_symlink() and not p.exists():
                    refused.append(FileResult(p, error=Problem("broken_link")))
        elif path.is_file():
            files.append(path)
        elif path.is_symlink():
            refused.append(FileResult(path, error=Problem("broken_link")))
        else:
            refused.append(FileResult(path, error=Problem("not_found")))
    named = []
    for file in files:
        if shown_path(file) != str(file):  # the store, the log and the terminal all need text
            refused.append(FileResult(file, error=Problem("file_name", {"name": shown_path(file)})))
        else:
            named.append(file)
    return named, refused


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
