"""The watchlist (`config/films.toml`): the films critibot follows and which pages are theirs."""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from storage.store import FilmHint


class WatchlistError(Exception):
    pass


@dataclass(frozen=True)
class WatchedFilm:
    title: str
    year: int | None = None
    allocine_id: int | None = None
    original_title: str | None = None
    files: tuple[str, ...] = field(default_factory=tuple)  # glob patterns of page files that are this film's

    @property
    def hint(self) -> FilmHint:
        return FilmHint(
            title=self.title, year=self.year, allocine_id=self.allocine_id, original_title=self.original_title
        )


def load_watchlist(path: Path) -> list[WatchedFilm]:
    if not path.exists():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return [
            WatchedFilm(
                title=str(entry["title"]),
                year=entry.get("year"),
                allocine_id=entry.get("allocine_id"),
                original_title=entry.get("original_title"),
                files=tuple(entry.get("files", ())),
            )
            for entry in data.get("film", [])
        ]
    except (tomllib.TOMLDecodeError, KeyError, TypeError, UnicodeDecodeError) as error:
        raise WatchlistError(f"liste de films illisible ({path}) : {error}") from None


def film_for_file(watchlist: list[WatchedFilm], path: Path) -> WatchedFilm | None:
    for film in watchlist:
        if any(fnmatch.fnmatch(path.name, pattern) for pattern in film.files):
            return film
    return None
