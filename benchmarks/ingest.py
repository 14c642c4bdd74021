"""How fast critibot imports spectator reviews, against plain `sqlite3` writing the same rows.

    .venv/bin/python benchmarks/ingest.py                  # 2 000 films × 100 reviews = 200 000 reviews
    .venv/bin/python benchmarks/ingest.py --films 50       # a quick run
    .venv/bin/python benchmarks/ingest.py --quick          # 10 films: a second (the tests run it)

The corpus is synthetic and deterministic (fixed seed): review texts are made of sentences taken from
the sample pages in storage/samples, with distinct film titles, member names, half-star ratings,
French dates and follower counts. Each film becomes one parsed `ParsedSpectatorPage` (with its figures
and histogram), built before any timing.

- critibot: `storage.store.store_page` for each page, into a fresh SQLite file (one transaction per page).
- baseline: the same rows through a bare `sqlite3` connection into another fresh file, same columns,
  same UNIQUE(film_id, review_key), same PRAGMAs, one `executemany` and one commit per film; its rows are
  ready-made (keys computed, dates as text) before the clock starts. `--baseline-indexes` also runs a
  second baseline with spectator_review's secondary indexes, for a second ratio (the JSON's `ratio`
  stays the one against the plain baseline).

Both write film after film in turn (`--sequential`: one after the other), so that the noise of a
shared machine hits both alike: the ratio is steadier than the rates. The text layer of a few pages is
also rendered and parsed, for the parser's speed (`--parse-pages`).

The target is ratio = critibot / baseline ≥ 0.5. The last line printed is one JSON object with the figures;
the exit status is non-zero when either database does not hold every review.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from rich.console import Console
from sqlalchemy import func, select
from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect
from sqlalchemy.schema import CreateIndex

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import (
    Cell,
    DistinctNames,
    TitleMaker,
    format_cell,
    parse_args,
    print_figures,
    print_table,
    spectator_page,
    vocabulary,
)
from storage.db.engine import make_engine
from storage.db.tables import SPECTATOR
from storage.pages import (
    ParsedSpectatorPage,
)
from storage.pages.text import parse_text
from storage.store import FilmHint, spectator_key, store_page

SEED = 20240601
TARGET_RATIO = 0.5
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip
QUICK = {"films": 10, "parse_pages": 2}  # --quick: a few seconds (the tests')


# --- the corpus ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FilmPage:
    index: int
    title: str
    page: ParsedSpectatorPage

    @property
    def location(self) -> str:
        return f"bench://ingest/film-{self.index}/spectateurs"


def make_corpus(films: int, per_film: int, seed: int) -> list[FilmPage]:
    """`films` pages of `per_film` reviews each: the same seed always gives the same corpus."""
    rng = random.Random(seed)
    words = vocabulary(max(2_000, 4 * per_film), rng)
    maker = TitleMaker(rng)
    titles = DistinctNames(rng).take(films, lambda: maker.noun(adjective=True))
    return [
        FilmPage(
            index=i,
            title=title,
            page=spectator_page(
                title,
                year=rng.randint(1950, 2024),
                authors=rng.sample(words.authors, per_film),
                vocabulary=words,
                rng=rng,
            ),
        )
        for i, title in enumerate(titles)
    ]


# --- the page's text layer, as a browser shows it (for the parse timing) -------------------------------


def _french_number(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")


def _french_decimal(x: float) -> str:
    return f"{x:.1f}".replace(".", ",")


def render_text(film: FilmPage) -> str:
    """A film's page in the layout of storage/samples/000_… (AlloCiné's spectator page as text)."""
    page, figures = film.page, film.page.figures
    assert figures.average is not None and figures.histogram is not None
    lines = [
        "Mon compte",
        film.title,
        "Note moyenne",
        _french_decimal(figures.average),
        f"{_french_number(figures.ratings_count or 0)} notes En savoir plus sur les notes spectateurs",
        f"Votre avis sur {film.title} ?",
        "",
        f"{_french_number(figures.reviews_count or 0)} critiques spectateurs",
        "",
    ]
    for star, count in figures.histogram.items():
        lines += [star, f"{_french_number(count)} critiques"]
    lines += ["Trier par :", "Les plus utiles Les plus récentes"]
    for review in page.reviews:
        if review.author is None:
            lines += ["anonyme", "Un visiteur"]
        else:
            stats = f"{_french_number(review.followers or 0)} abonnés "
            stats += f"{_french_number(review.author_reviews or 0)} critiques Suivre son activité"
            lines += [review.author, review.author, "", stats, ""]
        assert review.published is not None and review.rating is not None
        day = review.published
        lines += [
            _french_decimal(review.rating),
            f"Publiée le {day.day} {MONTHS[day.month - 1]} {day.year}",
            review.text,
        ]
    lines += ["Les meilleurs films de tous les temps", "• Meilleurs films"]
    return "\n".join(lines) + "\n"


def time_parse(corpus: list[FilmPage], pages: int) -> tuple[int, float]:
    """Parse the text layer of the first `pages` films: (reviews read, seconds). Checks what it reads."""
    texts = [(film, render_text(film)) for film in corpus[:pages]]
    reviews = 0
    started = time.perf_counter()
    for film, text in texts:
        parsed = parse_text(text)
        if (
            not isinstance(parsed, ParsedSpectatorPage)
            or len(parsed.reviews) != len(film.page.reviews)
            or parsed.figures != film.page.figures
        ):
            raise SystemExit(f"le texte rendu de « {film.title} » ne se relit pas à l'identique")
        reviews += len(parsed.reviews)
    return reviews, time.perf_counter() - started


# --- the two imports -----------------------------------------------------------------------------------


class Importer(Protocol):
    label: str

    def write(self, film: FilmPage) -> None: ...

    def stored(self) -> int: ...

    def close(self) -> None: ...


class CritibotImport:
    """`store_page` for each film into a fresh SQLite file (the schema is created before any timing)."""

    label = "critibot (store_page)"

    def __init__(self, path: Path) -> None:
        self.engine = make_engine(f"sqlite:///{path}")

    def write(self, film: FilmPage) -> None:
        hint = FilmHint(title=film.title)
        store_page(self.engine, film.page, location=film.location, raw=film.location, hint=hint, now=NOW)

    def stored(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(SPECTATOR)).scalar_one()

    def close(self) -> None:
        self.engine.dispose()


BASELINE_SCHEMA = """
CREATE TABLE spectator_review (
    id INTEGER PRIMARY KEY,
    film_id INTEGER NOT NULL,
    review_key VARCHAR NOT NULL,
    author VARCHAR,
    followers INTEGER,
    author_reviews INTEGER,
    rating FLOAT,
    published DATE,
    text TEXT NOT NULL,
    spoiler BOOLEAN NOT NULL,
    site_id VARCHAR,
    position INTEGER NOT NULL,
    source_id INTEGER NOT NULL,
    updated_at DATETIME NOT NULL,
    CONSTRAINT uq_spectator_review UNIQUE (film_id, review_key)
)
"""
# spectator_review's secondary indexes, as critibot's schema has them (the read side uses each one)
BASELINE_INDEXES = tuple(
    str(CreateIndex(index).compile(dialect=sqlite_dialect()))
    for index in sorted(SPECTATOR.indexes, key=lambda index: str(index.name))
)
BASELINE_INSERT = (
    "INSERT INTO spectator_review (film_id, review_key, author, followers, author_reviews, rating, "
    "published, text, spoiler, site_id, position, source_id, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
Row = tuple[
    int, str, str | None, int | None, int | None, float | None, str | None, str, int, None, int, int, str
]


def baseline_rows(film: FilmPage) -> list[Row]:
    """The rows critibot stores for a film, as plain values (dates as the ISO text SQLAlchemy writes)."""
    updated = NOW.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    return [
        (
            film.index + 1,
            spectator_key(r),
            r.author,
            r.followers,
            r.author_reviews,
            r.rating,
            r.published.isoformat() if r.published else None,
            r.text,
            int(r.spoiler),
            None,
            position,
            film.index + 1,
            updated,
        )
        for position, r in enumerate(film.page.reviews)
    ]


class BaselineImport:
    """The same rows through bare sqlite3: one `executemany` and one commit per film."""

    def __init__(self, path: Path, corpus: list[FilmPage], *, indexes: bool) -> None:
        self.label = "sqlite3 executemany" + (" + index" if indexes else "")
        self.rows = {film.index: baseline_rows(film) for film in corpus}  # ready before any timing
        self.db = sqlite3.connect(path, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute(BASELINE_SCHEMA)
        for ddl in BASELINE_INDEXES if indexes else ():
            self.db.execute(ddl)
        self.db.commit()

    def write(self, film: FilmPage) -> None:
        self.db.executemany(BASELINE_INSERT, self.rows[film.index])
        self.db.commit()

    def stored(self) -> int:
        count: int = self.db.execute("SELECT count(*) FROM spectator_review").fetchone()[0]
        return count

    def close(self) -> None:
        self.db.close()


def run_interleaved(corpus: list[FilmPage], importers: Sequence[Importer]) -> list[float]:
    """Each importer's seconds, writing film after film in turn, who goes first alternating.

    Interleaving puts both through the same machine noise, which makes their ratio stable.
    """
    seconds = [0.0] * len(importers)
    order = list(enumerate(importers))
    for film in corpus:
        for k, importer in order:
            started = time.perf_counter()
            importer.write(film)
            seconds[k] += time.perf_counter() - started
        order.reverse()
    return seconds


# --- main ----------------------------------------------------------------------------------------------


def run_sequential(corpus: list[FilmPage], importers: Sequence[Importer]) -> list[float]:
    """Each importer's seconds, writing the whole corpus one importer after the other."""
    seconds = []
    for importer in importers:
        started = time.perf_counter()
        for film in corpus:
            importer.write(film)
        seconds.append(time.perf_counter() - started)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--films", type=int, default=2_000, help="films (default 2000)")
    parser.add_argument("--reviews-per-film", type=int, default=100, help="reviews per film (default 100)")
    parser.add_argument("--seed", type=int, default=SEED, help="random seed of the corpus")
    parser.add_argument(
        "--parse-pages", type=int, default=5, help="pages whose text parse is timed (0: none)"
    )
    parser.add_argument(
        "--baseline-indexes",
        action="store_true",
        help="also run a baseline whose table has spectator_review's secondary indexes (a second ratio)",
    )
    parser.add_argument(
        "--sequential",
        action="store_true",
        help="import everything with critibot, then with the baseline (default: film by film, in turn)",
    )
    args = parse_args(parser, argv, QUICK)
    if args.films < 1 or args.reviews_per_film < 1:
        parser.error("--films and --reviews-per-film must be at least 1")
    err = Console(stderr=True)
    expected = args.films * args.reviews_per_film

    err.print(f"corpus : {args.films} films × {args.reviews_per_film} critiques (graine {args.seed})…")
    corpus = make_corpus(args.films, args.reviews_per_film, args.seed)
    with tempfile.TemporaryDirectory(prefix="critibot-bench-") as tmp:
        importers: list[Importer] = [
            CritibotImport(Path(tmp) / "critibot.db"),
            BaselineImport(Path(tmp) / "baseline.db", corpus, indexes=False),
        ]
        if args.baseline_indexes:
            importers.append(BaselineImport(Path(tmp) / "indexed.db", corpus, indexes=True))
        err.print("import : critibot puis sqlite3…" if args.sequential else "import : critibot et sqlite3…")
        seconds = (run_sequential if args.sequential else run_interleaved)(corpus, importers)
        stored = [importer.stored() for importer in importers]
        for importer in importers:
            importer.close()
    parsed = time_parse(corpus, args.parse_pages) if args.parse_pages > 0 else None

    rates = [expected / s for s in seconds]
    ratio = rates[0] / rates[1]
    rows: list[list[Cell]] = [
        [importer.label, n, s, round(rate)]
        for importer, n, s, rate in zip(importers, stored, seconds, rates, strict=True)
    ]
    if parsed:
        n, s = parsed
        rows.append([f"(parse_text, {args.parse_pages} pages)", n, f"{s:.3f}", round(n / s)])
    title = f"Import de {format_cell(expected)} critiques spectateurs ({format_cell(args.films)} pages)"
    print_table(("", "critiques", "secondes", "critiques/s"), rows, title=title)
    verdict = "atteint" if ratio >= TARGET_RATIO else "non atteint"
    print(f"ratio critibot / baseline : {ratio:.2f} (objectif ≥ {TARGET_RATIO} : {verdict})")
    if args.baseline_indexes:
        print(f"ratio critibot / baseline avec index : {rates[0] / rates[2]:.2f} (pour information)")

    failed = False
    for importer, n in zip(importers, stored, strict=True):
        if n != expected:
            print(f"ERREUR : {importer.label} a stocké {n} critiques, {expected} attendues")
            failed = True
    figures = {
        "reviews": expected,
        "reviews_per_s": round(rates[0]),
        "baseline_per_s": round(rates[1]),
        "ratio": round(ratio, 3),
    }
    if args.baseline_indexes:
        figures |= {"baseline_indexed_per_s": round(rates[2]), "ratio_indexed": round(rates[0] / rates[2], 3)}
    print_figures(figures)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
