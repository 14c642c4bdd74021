"""How fast critibot answers /note, /presse and /citation on a large synthetic catalogue.

    .venv/bin/python benchmarks/answers.py                      # 10 000 films, 1 000 000 reviews
    .venv/bin/python benchmarks/answers.py --db /tmp/bench.db   # keep the database: reruns skip the build
    .venv/bin/python benchmarks/answers.py --films 300 --reviews 30000 --calls 200   # a quick run
    .venv/bin/python benchmarks/answers.py --quick                                    # seconds (the tests)

The catalogue is written through the real write path (`storage.store.store_page` with parsed page
objects), from a fixed seed: the same options always give the same database. Answers are timed
through the real entry point `bot.answers.commands.run`, interleaved with a baseline measured in
the same run (a primary-key SELECT of one film row through the same engine), so that the ratios
stay meaningful on a noisy machine. The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, func, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import (
    ARTICLES,
    LATENCY_COLUMNS,
    OUTLETS,
    Cell,
    DistinctNames,
    Latency,
    TitleMaker,
    Vocabulary,
    parse_args,
    print_figures,
    print_table,
    review_text,
    sample_sentences,
    spectator_page,
    vocabulary,
    words,
)
from storage.db.engine import make_engine
from storage.db.tables import FILM, PRESS, SOURCE, SPECTATOR
from storage.folding import fold
from storage.pages import (
    ParsedPressPage,
    ParsedSpectatorPage,
    PressReview,
    SiteFigures,
)
from storage.store import FilmHint, store_page

COMMANDS = ("note", "presse", "citation")
TARGET_P99_MS = 10.0
LOCATION = "bench://seed-{seed}/film-{index}/{kind}"
CRITICS = 300  # press critics, among the members' names
QUICK = {"films": 60, "reviews": 3_000, "calls": 30, "warmup": 3}  # --quick: a few seconds (the tests')

# --- the plan: what the database will hold ------------------------------------------------------------


@dataclass(frozen=True)
class FilmPlan:
    index: int
    title: str
    year: int
    reviews: int  # spectator reviews stored
    press: int  # press reviews stored (0: no press page)


@dataclass
class Corpus:
    plans: list[FilmPlan]
    seed: int

    @property
    def reviews(self) -> int:
        return sum(p.reviews for p in self.plans)

    @property
    def press(self) -> int:
        return sum(p.press for p in self.plans)


def make_titles(count: int, rng: random.Random) -> list[str]:
    """`count` French-ish titles, distinct as names (see `_name_key`); sequels get a number when the
    words run out.

    Half come from patterns over a small vocabulary (many titles share words: « La nuit de Brest »,
    « La nuit blanche »), half are fragments of the samples' sentences, so that the words of the
    catalogue are as varied as real titles' for the title index.
    """
    fragments = _fragments(sample_sentences())
    maker = TitleMaker(rng)

    def make() -> str:
        return rng.choice(fragments) if rng.random() < 0.5 else maker.french_title()

    return DistinctNames(rng, key=_name_key).take(count, make)


# A title does not end on these words (« Le regard de », « Une équipe et »).
DANGLING = frozenset(
    words(
        "le, la, les, l, de, des, du, d, un, une, et, a, au, aux, en, que, qu, qui, ce, se, "
        "sa, son, ses, on, il, elle, ne, pas, pour, par, dans, sur, mais, ou, si, y, c, j, s, n, "
        "me, te, je, tu, nous, vous, lui, leur, ma, ta, mon, ton, mes, tes, cette, cet, ces, est, avec"
    )
)


def _name_key(title: str) -> str:
    """Titles equal once folded and without a leading article are one name for the title index."""
    tokens = fold(title).split()
    return " ".join(tokens[1:] if len(tokens) > 1 and tokens[0] in ARTICLES else tokens)


def _fragments(sentences: Sequence[str]) -> list[str]:
    """Runs of 2 to 5 words of the sentences that could be titles, capitalised."""
    found: dict[str, str] = {}
    for sentence in sentences:
        tokens = re.findall(r"[^\W\d_]+(?:['’-][^\W\d_]+)*'?", sentence)
        for width in range(2, 6):
            for start in range(len(tokens) - width + 1):
                run = tokens[start : start + width]
                if fold(run[-1]) in DANGLING or run[-1].endswith("'") or len(run[0]) == 1:
                    continue
                title = " ".join(run)
                found.setdefault(_name_key(title), title[0].upper() + title[1:])
    return sorted(found.values())


def make_plan(films: int, reviews: int, seed: int) -> Corpus:
    """Films with a long-tailed number of reviews (a few with thousands, some with a handful)."""
    rng = random.Random(f"plan:{seed}")
    titles = make_titles(films, rng)
    weights = [rng.lognormvariate(0.0, 1.0) for _ in range(films)]
    total_weight = sum(weights)
    counts = [max(1, round(reviews * w / total_weight)) for w in weights]
    # Bring the sum to exactly `reviews`, taking from or giving to the biggest films.
    order = sorted(range(films), key=lambda i: -counts[i])
    gap = reviews - sum(counts)
    step = 0
    while gap and step < 100 * films:
        i = order[step % max(1, min(films, 50))]
        if gap > 0 or counts[i] > 1:
            counts[i] += 1 if gap > 0 else -1
            gap += -1 if gap > 0 else 1
        step += 1
    plans = []
    for index, (title, n) in enumerate(zip(titles, counts, strict=True)):
        year = min(2025, max(1930, round(2025 - rng.expovariate(1 / 18))))
        # Press pages for well-known films more often: the more spectator reviews, the likelier.
        has_press = rng.random() < (0.85 if n >= 100 else 0.45)
        press = rng.randint(5, 25) if has_press else 0
        plans.append(FilmPlan(index=index, title=title, year=year, reviews=n, press=press))
    return Corpus(plans=plans, seed=seed)


# --- pages: what the parser would have produced for each film -----------------------------------------


def press_page(plan: FilmPlan, vocabulary: Vocabulary, rng: random.Random) -> ParsedPressPage:
    """What the parser would have read on a film's press page: `plan.press` outlets, quotes or links."""
    critics = vocabulary.authors[:CRITICS]  # the first names drawn are all « Prénom Nom »
    rated = rng.random() < 0.6  # HTML pages carry the ratings; text pages don't
    mean = rng.uniform(1.5, 4.5)
    reviews = []
    for outlet in rng.sample(OUTLETS, plan.press):
        link_only = rng.random() < 0.15
        slug = fold(outlet).replace(" ", "-")
        reviews.append(
            PressReview(
                outlet=outlet,
                critic=rng.choice(critics) if rng.random() < 0.8 else None,
                quote=None if link_only else review_text(vocabulary, rng, 1, 3),
                link=f"https://www.{slug}.fr/cinema/critique-{plan.index}" if link_only else None,
                rating=min(5.0, max(1.0, round(mean + rng.gauss(0, 0.8)))) if rated else None,
            )
        )
    ratings = [r.rating for r in reviews if r.rating is not None]
    figures = SiteFigures(
        average=round(sum(ratings) / len(ratings), 1) if ratings else None, reviews_count=len(reviews)
    )
    return ParsedPressPage(title=None, figures=figures, reviews=reviews)


# --- building the database ----------------------------------------------------------------------------


def corpus_present(engine: Engine, corpus: Corpus) -> bool:
    """True when the database holds exactly this corpus (same counts, written from the same seed)."""
    with engine.connect() as conn:
        films = conn.execute(select(func.count()).select_from(FILM)).scalar_one()
        if films == 0:
            return False
        reviews = conn.execute(select(func.count()).select_from(SPECTATOR)).scalar_one()
        press = conn.execute(select(func.count()).select_from(PRESS)).scalar_one()
        last = corpus.plans[-1]
        marker = LOCATION.format(seed=corpus.seed, index=last.index, kind="spectateurs")
        marked = conn.execute(
            select(FILM.c.title)
            .join(SOURCE, SOURCE.c.film_id == FILM.c.id)
            .where(SOURCE.c.location == marker)
        ).all()
    expected = (len(corpus.plans), corpus.reviews, corpus.press, [(last.title,)])
    if (films, reviews, press, [tuple(r) for r in marked]) == expected:
        return True
    raise SystemExit(
        f"la base contient déjà autre chose ({films} films, {reviews} critiques spectateurs) : "
        "donnez un autre --db, ou --rebuild pour la refaire"
    )


def build(engine: Engine, corpus: Corpus) -> tuple[float, float]:
    """Write every film's pages through store_page; the seconds it took in all, and in store_page."""
    biggest = max(p.reviews for p in corpus.plans)
    pool = vocabulary(max(60_000, 2 * biggest), random.Random(f"names:{corpus.seed}"))
    started = time.perf_counter()
    storing = 0.0
    written = 0
    for plan in corpus.plans:
        rng = random.Random(f"film:{corpus.seed}:{plan.index}")
        hint = FilmHint(title=plan.title, year=plan.year)
        spectators = spectator_page(
            plan.title,
            year=plan.year,
            authors=rng.sample(pool.authors, plan.reviews),
            vocabulary=pool,
            rng=rng,
            unrated_share=0.03,
        )
        pages: list[ParsedSpectatorPage | ParsedPressPage] = [spectators]
        if plan.press:
            pages.append(press_page(plan, pool, rng))
        for page in pages:
            location = LOCATION.format(seed=corpus.seed, index=plan.index, kind=page.kind)
            begin = time.perf_counter()
            store_page(engine, page, location=location, raw=location, hint=hint)
            storing += time.perf_counter() - begin
        written += plan.reviews + plan.press
        if plan.index % 500 == 499 or plan.index == len(corpus.plans) - 1:
            elapsed = time.perf_counter() - started
            print(
                f"  {plan.index + 1:>6} films, {written:>9} critiques, {elapsed:6.1f} s "
                f"({written / elapsed:,.0f} lignes/s)",
                file=sys.stderr,
                flush=True,
            )
    return time.perf_counter() - started, storing


# --- timing -------------------------------------------------------------------------------------------


@dataclass
class Call:
    command: str
    label: str  # what was asked, for the slowest calls
    seconds: float


@dataclass
class Film:
    id: int
    title: str
    year: int | None
    reviews: int
    press: int

    @property
    def heading(self) -> str:
        return f"{self.title} ({self.year})" if self.year else self.title


def load_films(engine: Engine) -> list[Film]:
    with engine.connect() as conn:
        reviews: dict[int, int] = dict(
            conn.execute(select(SPECTATOR.c.film_id, func.count()).group_by(SPECTATOR.c.film_id)).all()
        )
        press: dict[int, int] = dict(
            conn.execute(select(PRESS.c.film_id, func.count()).group_by(PRESS.c.film_id)).all()
        )
        rows = conn.execute(select(FILM.c.id, FILM.c.title, FILM.c.year).order_by(FILM.c.id)).all()
    return [Film(i, t, y, reviews.get(i, 0), press.get(i, 0)) for i, t, y in rows]


def eligible_reviews(engine: Engine, film_id: int, note_min: float | None) -> int:
    """How many of the film's reviews, spectators and press, have a text and reach `note_min`."""
    spectators = select(func.count()).where(SPECTATOR.c.film_id == film_id)
    press = select(func.count()).where(PRESS.c.film_id == film_id, PRESS.c.quote.is_not(None))
    if note_min is not None:
        spectators = spectators.where(SPECTATOR.c.rating >= note_min)
        press = press.where(PRESS.c.rating >= note_min)
    with engine.connect() as conn:
        return conn.execute(spectators).scalar_one() + conn.execute(press).scalar_one()


class Checks:
    def __init__(self) -> None:
        self.failures: list[str] = []
        self.none_found = 0

    def fail(self, message: str) -> None:
        if len(self.failures) < 20:
            print("ÉCHEC : " + message, file=sys.stderr)
        self.failures.append(message)


def bench(engine: Engine, seed: int, calls: int, warmup: int) -> tuple[dict[str, list[Call]], Checks, float]:
    from bot import texts
    from bot.answers.commands import run
    from bot.answers.context import AnswerContext

    started = time.perf_counter()
    ctx = AnswerContext.open(engine, seed=seed)
    index_seconds = time.perf_counter() - started
    films = load_films(engine)
    with_press = [f for f in films if f.press]
    rng = random.Random(f"bench:{seed}")
    checks = Checks()

    def note(film: Film) -> Callable[[], None]:
        def call() -> None:
            answer = run(ctx, "note", {"film": film.title})
            if answer.title != film.heading or answer.film_id != film.id:
                checks.fail(f"/note {film.title!r} → {answer.title!r}")

        return call

    def presse(film: Film) -> Callable[[], None]:
        def call() -> None:
            answer = run(ctx, "presse", {"film": film.title})
            expected = texts.PRESS_TITLE.format(film=film.heading)
            if answer.title != expected or texts.PRESS_NONE in answer.description:
                checks.fail(f"/presse {film.title!r} → {answer.title!r}: {answer.description[:80]!r}")

        return call

    def citation(film: Film | None, note_min: float | None, scope: str) -> Callable[[], None]:
        arguments = {"film": film.title if film else None, "note_min": note_min}
        # "No quote fits" is a right answer only for a film with hardly any review above the bar.
        eligible = eligible_reviews(engine, film.id, note_min) if film else None

        def call() -> None:
            answer = run(ctx, "citation", arguments, scope=scope)
            if answer.title != texts.QUOTE_TITLE or answer.tone == "error":
                checks.fail(f"/citation {arguments!r} → {answer.title!r}: {answer.description[:80]!r}")
            elif answer.film_id is None:
                if eligible is None or eligible >= 3:
                    checks.fail(f"/citation {arguments!r} → aucune citation ({eligible} critiques possibles)")
                checks.none_found += 1
            elif film is not None and answer.film_id != film.id:
                checks.fail(f"/citation {arguments!r} → film {answer.film_id}, pas {film.id}")

        return call

    def baseline(film: Film) -> Callable[[], None]:
        query = select(FILM).where(FILM.c.id == film.id)

        def call() -> None:
            with engine.connect() as conn:
                row = conn.execute(query).one()
            if row.title != film.title:
                checks.fail(f"film {film.id}: {row.title!r}")

        return call

    def make(command: str) -> tuple[str, Callable[[], None]]:
        film = rng.choice(with_press if command == "presse" else films)
        if command == "citation":
            shape = rng.randrange(4)  # with a film, without, and each with a minimum rating
            note_min = rng.choice((2.5, 3.0, 3.5, 4.0, 4.5)) if shape >= 2 else None
            chosen = film if shape % 2 == 0 else None
            label = f"film={chosen.title!r} ({film.reviews} critiques)" if chosen else "sans film"
            return label + (f" note_min={note_min}" if note_min else ""), citation(
                chosen, note_min, f"salon-{rng.randrange(20)}"
            )
        label = f"{film.title!r} ({film.reviews} critiques, {film.press} presse)"
        maker = {"note": note, "presse": presse, "baseline": baseline}[command]
        return label, maker(film)

    names = ("baseline", *COMMANDS)
    results: dict[str, list[Call]] = {name: [] for name in names}
    for round_ in range(warmup + calls):
        order = list(names)
        rng.shuffle(order)  # interleaved, so that a noisy moment hits every command alike
        for name in order:
            label, call = make(name)
            begin = time.perf_counter()
            call()
            seconds = time.perf_counter() - begin
            if round_ >= warmup:
                results[name].append(Call(name, label, seconds))
    return results, checks, index_seconds


def warm_file_cache(path: Path) -> None:
    """Read the database once, so that every run starts from the OS cache a running bot would have."""
    for suffix in ("", "-wal"):
        file = path.with_name(path.name + suffix)
        if file.exists():
            with file.open("rb") as handle:
                while handle.read(1 << 24):
                    pass


def report(
    corpus: Corpus,
    films: int,
    reviews: int,
    results: dict[str, list[Call]],
    build_seconds: tuple[float, float] | None,
    index_seconds: float,
) -> dict[str, float]:
    latency = {name: Latency.of([c.seconds * 1000 for c in calls]) for name, calls in results.items()}
    base = latency["baseline"]
    print()
    print(f"Catalogue : {films:,} films, {reviews:,} critiques spectateurs, {corpus.press:,} de presse")
    if build_seconds is not None:
        total, storing = build_seconds
        rate = (corpus.reviews + corpus.press) / storing
        print(f"Construction : {total:.1f} s, dont {storing:.1f} s dans store_page ({rate:,.0f} critiques/s)")
    print(f"Index des titres (AnswerContext.open) : {index_seconds * 1000:.0f} ms")
    print()
    rows: list[list[Cell]] = []
    for name, figures in latency.items():
        verdict = "" if name == "baseline" else ("ok" if figures.p99 <= TARGET_P99_MS else "MANQUÉE")
        rows.append([name, *figures.cells(), f"{figures.p99 / base.p99:.1f}", verdict])
    print_table(("commande", *LATENCY_COLUMNS, "p99/base", "cible"), rows, digits=3)
    print()
    print("Appels les plus lents :")
    for name in COMMANDS:
        for call in sorted(results[name], key=lambda c: -c.seconds)[:3]:
            print(f"  /{name:<9} {call.seconds * 1000:8.2f} ms  {call.label}")
    summary: dict[str, float] = {"films": films, "reviews": reviews}
    for name in COMMANDS:
        summary[f"{name}_p99_ms"] = round(latency[name].p99, 3)
    for name in COMMANDS:
        summary[f"{name}_p50_ms"] = round(latency[name].p50, 3)
    summary["baseline_p99_ms"] = round(base.p99, 3)
    summary["baseline_p50_ms"] = round(base.p50, 3)
    for name in COMMANDS:
        summary[f"{name}_p99_ratio"] = round(latency[name].p99 / base.p99, 1)
    summary["calls"] = latency["note"].calls
    if build_seconds is not None:
        summary["store_page_s"] = round(build_seconds[1], 1)
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--films", type=int, default=10_000)
    parser.add_argument("--reviews", type=int, default=1_000_000, help="spectator reviews in all")
    parser.add_argument("--calls", type=int, default=500, help="timed calls per command")
    parser.add_argument("--warmup", type=int, default=50, help="untimed calls per command first")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--db", type=Path, help="SQLite file to build, or to reuse if it holds the corpus")
    parser.add_argument("--rebuild", action="store_true", help="delete the --db file and build it again")
    parser.add_argument("--max-p99-ms", type=float, help="exit 1 when a command's p99 is above this")
    args = parse_args(parser, argv, QUICK)
    if args.films < 1 or args.reviews < args.films:
        parser.error("il faut au moins un film, et au moins une critique par film")

    with tempfile.TemporaryDirectory(prefix="critibot-bench-") as scratch:
        path: Path = args.db or Path(scratch) / "answers.db"
        if args.rebuild:
            for suffix in ("", "-wal", "-shm"):
                path.with_name(path.name + suffix).unlink(missing_ok=True)
        engine = make_engine(f"sqlite:///{path}")
        corpus = make_plan(args.films, args.reviews, args.seed)
        build_seconds = None
        if corpus_present(engine, corpus):
            print(f"Base réutilisée : {path}", file=sys.stderr)
        else:
            print(f"Construction de {path} …", file=sys.stderr)
            build_seconds = build(engine, corpus)
        warm_file_cache(path)
        results, checks, index_seconds = bench(engine, args.seed, args.calls, args.warmup)
        films = len(corpus.plans)
        summary = report(corpus, films, corpus.reviews, results, build_seconds, index_seconds)
        print(f"/citation « aucune citation » (film peu critiqué, note_min haute) : {checks.none_found}")
        engine.dispose()

    status = 0
    if checks.failures:
        print(f"\n{len(checks.failures)} réponses fausses (voir ci-dessus)", file=sys.stderr)
        status = 1
    if args.max_p99_ms is not None and any(summary[f"{n}_p99_ms"] > args.max_p99_ms for n in COMMANDS):
        print(f"\np99 au-dessus de {args.max_p99_ms} ms", file=sys.stderr)
        status = status or 1
    print_figures(summary)
    return status


if __name__ == "__main__":
    sys.exit(main())
