"""The watchlist (`config/films.toml`): the films critibot follows and which pages are theirs."""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import tomlkit
from tomlkit.items import AoT

from storage.folding import fold
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

    @property
    def label(self) -> str:
        return f"{self.title} ({self.year})" if self.year else self.title


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


# --- editing (`critibot watch`): tomlkit keeps the file's comments and layout -----------------------


def add_film(path: Path, film: WatchedFilm) -> WatchedFilm:
    """Append `film` to the watchlist; refuses a second film with the same title and year or AlloCiné id."""
    for known in load_watchlist(path):
        if film.allocine_id is not None and known.allocine_id == film.allocine_id:
            raise WatchlistError(f"l'identifiant AlloCiné {film.allocine_id} est déjà suivi : {known.label}")
        if fold(known.title) == fold(film.title) and (
            known.year == film.year or None in (known.year, film.year)
        ):
            raise WatchlistError(f"« {known.label} » est déjà dans la liste")
    document = _read(path)
    films = document.get("film")
    if films is None:
        films = document["film"] = tomlkit.aot()
    entry = tomlkit.table()
    entry["title"] = film.title
    for key in ("original_title", "year", "allocine_id"):
        if (value := getattr(film, key)) is not None:
            entry[key] = value
    if film.files:
        entry["files"] = list(film.files)
    if len(films):
        films[-1].add(tomlkit.nl())  # a blank line between entries, as people write them
    films.append(entry)
    _write(path, document)
    return film


def remove_film(path: Path, *, title: str | None = None, allocine_id: int | None = None) -> WatchedFilm:
    """Remove the film named `title` (any case and accents) or carrying `allocine_id`; the rest stays."""
    watchlist = load_watchlist(path)
    matches = [
        i
        for i, film in enumerate(watchlist)
        if (allocine_id is not None and film.allocine_id == allocine_id)
        or (title is not None and fold(title) in {fold(film.title), fold(film.original_title or "")})
    ]
    if not matches:
        wanted = f"l'identifiant AlloCiné {allocine_id}" if allocine_id is not None else f"« {title} »"
        raise WatchlistError(f"{wanted} n'est pas dans la liste des films suivis")
    if len(matches) > 1:
        names = ", ".join(watchlist[i].label for i in matches)
        raise WatchlistError(f"plusieurs films correspondent ({names}) : précisez --allocine-id")
    document = _read(path)
    films = document["film"]
    assert isinstance(films, AoT)
    del films[matches[0]]
    _write(path, document)
    return watchlist[matches[0]]


def _read(path: Path) -> tomlkit.TOMLDocument:
    if not path.exists():
        return tomlkit.document()
    try:
        return tomlkit.parse(path.read_text(encoding="utf-8"))
    except (tomlkit.exceptions.ParseError, UnicodeDecodeError) as error:
        raise WatchlistError(f"liste de films illisible ({path}) : {error}") from None


def _write(path: Path, document: tomlkit.TOMLDocument) -> None:
    # Write then rename: an interrupted write never leaves half a watchlist.
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".tmp")
    partial.write_text(tomlkit.dumps(document), encoding="utf-8")
    partial.replace(path)
