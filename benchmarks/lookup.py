"""How fast and how well critibot finds a film from a typed title, against a plain rapidfuzz scan.

    .venv/bin/python benchmarks/lookup.py                     # 100 000 titles, 500 typo queries (~5 min)
    .venv/bin/python benchmarks/lookup.py --titles 5000 --queries 200 --baseline-timed 20   # quick
    .venv/bin/python benchmarks/lookup.py --quick             # 1 000 titles: seconds (the tests run it)

From a fixed seed, it makes N plausible French and English film titles (shared words, accents, made-up
names, original titles and aliases for some films, remakes that share a title and differ by year), all
distinct once folded except the remakes. Then queries with known answers: letters dropped, swapped,
replaced or doubled, accents removed, case changed, leading article dropped, words reordered, a part of
the title (≥ 2 consecutive words, naming this film only), the original title with a typo, and remakes
with their year (`Titre (2017)` or `titre 2017`: the only way to tell them apart). Queries without a
single right answer (words that another film's name also has in another order, …) are not generated.
Titles made the same way but left out of the catalogue show how often `lookup` answers with a
look-alike film when the asked one is absent.

critibot's `TitleIndex` answers every query through `lookup` and `autocomplete`; keystrokes (every
prefix of the first queries, as Discord sends them while one types) go through `autocomplete` too. The
baseline is the plain call `rapidfuzz.process.extract(query, names, scorer=fuzz.WRatio, limit=25)` over
every name (titles, original titles, aliases). It takes half a second, so it is timed on the first
`--baseline-timed` queries only; its top-1 is computed on all queries, with the same call, untimed, in
worker processes. A second, untimed, baseline row adds rapidfuzz's `default_process` (lower case, no
punctuation), which the plain call lacks in rapidfuzz 3.

Top-1 counts a hit when the first film returned is the known answer. Times are wall-clock: on a busy
machine they grow. The last line printed is one JSON object; its `p50_ms` / `p99_ms` are critibot's
worst of lookup, autocomplete and keystrokes, its `top1` the worse of lookup and autocomplete.
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import random
import resource
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ParamSpec, TypeVar

from rapidfuzz import fuzz, process, utils

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import (
    ARTICLES,
    LATENCY_COLUMNS,
    Cell,
    DistinctNames,
    Latency,
    TitleMaker,
    parse_args,
    print_figures,
    print_table,
)
from storage.folding import fold
from storage.titles import TitleEntry, TitleIndex

P = ParamSpec("P")
T = TypeVar("T")
# --quick: a few seconds (the tests')
QUICK = {"titles": 1_000, "queries": 60, "absent": 20, "baseline_timed": 10, "keystrokes": 5, "workers": 2}


@dataclass(frozen=True)
class Film:
    entry: TitleEntry
    remake_of: int | None = None  # film_id of the older film with the same title


def make_films(count: int, seed: int) -> list[Film]:
    """`count` films; names distinct once folded across films, except remakes (same title, other year)."""
    rng = random.Random(f"titles:{seed}")
    maker = TitleMaker(rng, invented=True)
    names = DistinctNames(rng)
    films: list[Film] = []
    remade: set[int] = set()

    while len(films) < count:
        film_id = len(films) + 1
        year = min(2025, max(1930, round(2025 - rng.expovariate(1 / 20))))
        if films and rng.random() < 0.015:  # a remake: an older film's title, another year
            older = rng.choice(films).entry
            if older.year and abs(older.year - year) >= 3 and older.film_id not in remade:
                remade.add(older.film_id)
                remake = TitleEntry(film_id, older.title, year, older.original_title)
                films.append(Film(remake, older.film_id))
                continue
        english = rng.random() < 0.3
        title = names.fresh(maker.english_title if english and rng.random() < 0.3 else maker.french_title)
        if title is None:
            continue
        original = names.fresh(maker.english_title) if english else None
        aliases: tuple[str, ...] = ()
        if rng.random() < 0.03:
            alias = names.fresh(maker.french_title)
            aliases = (alias,) if alias else ()
        films.append(Film(TitleEntry(film_id, title, year, original, aliases)))
    return films


# --- queries ---------------------------------------------------------------------------------------------

KINDS = ("typo", "typo2", "accents", "article", "order", "partial", "original", "remake")
WEIGHTS = (25, 15, 10, 10, 10, 10, 10, 10)
GLUE = ARTICLES | {"de", "d", "et", "a", "of", "and", "in"}  # a part of a title does not end with these
KEYBOARD = "azertyuiopqsdfghjklmwxcvbn"


@dataclass(frozen=True)
class Query:
    text: str
    answer: int
    kind: str


def _typo(text: str, rng: random.Random) -> str:
    """One letter dropped, swapped with the next, replaced by a neighbour key, or doubled, in a word of
    at least 4 letters (articles and short words are left alone)."""
    spans = [(i, i + len(w)) for i, w in _word_spans(text) if len(w) >= 4]
    if not spans:
        return text
    start, end = rng.choice(spans)
    i = rng.randrange(start, end)
    edit = rng.choice(("drop", "swap", "replace", "double"))
    if edit == "drop":
        return text[:i] + text[i + 1 :]
    if edit == "swap" and i + 1 < end:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if edit == "replace":
        at = KEYBOARD.find(fold(text[i]) or "?")
        near = KEYBOARD[max(0, at - 1) : at + 2].replace(text[i].lower(), "") if at >= 0 else KEYBOARD
        return text[:i] + rng.choice(near or KEYBOARD) + text[i + 1 :]
    return text[:i] + text[i] + text[i:]


def _word_spans(text: str) -> list[tuple[int, str]]:
    spans, start = [], None
    for i, ch in enumerate([*text, " "]):
        if ch.isalnum() and start is None:
            start = i
        elif not ch.isalnum() and start is not None:
            spans.append((start, text[start:i]))
            start = None
    return spans


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _random_case(text: str, rng: random.Random) -> str:
    return rng.choice((str.lower, str.upper, str.title, lambda s: s))(text)


def make_queries(films: list[Film], count: int, seed: int) -> list[Query]:
    rng = random.Random(f"queries:{seed}")
    by_word: dict[str, set[int]] = {}
    orders: Counter[str] = Counter()  # the words of a title, sorted: a reordered query needs a single owner
    for film in films:
        e = film.entry
        for name in dict.fromkeys(fold(n) for n in (e.title, e.original_title, *e.aliases) if n):
            for word in name.split():
                by_word.setdefault(word, set()).add(e.film_id)
            orders[" ".join(sorted(name.split()))] += 1
    remakes = [f for f in films if f.remake_of is not None]
    remade = {f.remake_of for f in remakes}
    queries: list[Query] = []
    while len(queries) < count:
        kind = rng.choices(KINDS, WEIGHTS)[0]
        film = rng.choice(films)
        entry = film.entry
        if kind == "remake":
            if not remakes:
                continue
            film = rng.choice(remakes)
            if rng.random() < 0.5:  # the older one, just as often
                film = films[film.remake_of - 1]  # type: ignore[operator]
            entry = film.entry
            title = _typo(entry.title, rng) if rng.random() < 0.5 else _random_case(entry.title, rng)
            text = f"{title} ({entry.year})" if rng.random() < 0.5 else f"{title} {entry.year}"
        elif film.remake_of is not None or entry.film_id in remade:
            continue  # without a year, remakes have no single right answer
        elif kind == "typo":
            text = _typo(entry.title, rng)
        elif kind == "typo2":
            text = _typo(_typo(entry.title, rng), rng)
        elif kind == "accents":
            text = _random_case(_strip_accents(entry.title), rng)
            if fold(text) == fold(entry.title):
                text = _typo(text, rng)
        elif kind == "article":
            words = entry.title.split()
            if fold(words[0]) not in ARTICLES and not fold(entry.title).startswith("l "):
                continue
            rest = entry.title[2:] if fold(entry.title).startswith("l ") else " ".join(words[1:])
            text = _typo(rest, rng) if rng.random() < 0.5 else rest
        elif kind == "order":
            words = entry.title.split()
            if len(words) < 2 or orders[" ".join(sorted(fold(entry.title).split()))] > 1:
                continue
            cut = rng.randrange(1, len(words))
            text = " ".join(words[cut:] + words[:cut])
            if rng.random() < 0.3:
                text = _typo(text, rng)
        elif kind == "partial":
            words = fold(entry.title).split()
            parts = [
                words[start : start + size]
                for size in range(2, len(words))
                for start in range(len(words) - size + 1)
            ]
            parts = [
                part
                for part in parts
                if part[-1] not in GLUE
                and not set(part) <= GLUE
                # other films with these words too: no single right answer
                and set.intersection(*(by_word[w] for w in part)) == {entry.film_id}
            ]
            if not parts:
                continue
            text = " ".join(rng.choice(parts))
        else:  # original
            if not entry.original_title:
                continue
            text = _typo(entry.original_title, rng)
        if not fold(text):
            continue
        queries.append(Query(text, entry.film_id, kind))
    return queries


# --- measuring -------------------------------------------------------------------------------------------


def _timed(call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> tuple[float, T]:
    """Milliseconds the call took, and what it returned."""
    start = time.perf_counter()
    result = call(*args, **kwargs)
    return (time.perf_counter() - start) * 1000, result


_CHOICES: list[str] = []


def _init_worker(choices: list[str]) -> None:
    global _CHOICES
    _CHOICES = choices


def _plain_first(query: str) -> int | None:
    """The baseline call, exactly as timed: the index of its first name."""
    found = process.extract(query, _CHOICES, scorer=fuzz.WRatio, limit=25)
    return found[0][2] if found else None


def _processed_first(query: str) -> int | None:
    """The same with rapidfuzz's `default_process` (lower case, no punctuation) on both sides."""
    query = utils.default_process(query)
    found = process.extract(query, _CHOICES, scorer=fuzz.WRatio, processor=None, limit=25)
    return found[0][2] if found else None


@dataclass
class Row:
    label: str
    times: list[float]
    top1: float | None = None

    def cells(self) -> list[Cell]:
        top = f"{self.top1:.1%}" if self.top1 is not None else None
        timed: list[Cell] = Latency.of(self.times).cells() if self.times else ["", "", "", ""]
        return [self.label, *timed, top]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--titles", type=int, default=100_000, help="films in the catalogue (default 100000)")
    parser.add_argument("--queries", type=int, default=500, help="typo queries (default 500)")
    parser.add_argument("--absent", type=int, default=200, help="queries for films not in the catalogue")
    parser.add_argument("--baseline-timed", type=int, default=100, help="queries timed for the baseline")
    parser.add_argument("--keystrokes", type=int, default=100, help="queries typed letter by letter")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=0, help="processes for the baseline's top-1 (0: all)")
    args = parse_args(parser, argv, QUICK)

    everything = make_films(args.titles + args.absent, args.seed)
    films = everything[: args.titles]
    queries = make_queries(films, args.queries, args.seed)
    rng = random.Random(f"absent:{args.seed}")
    absent = [
        _typo(f.entry.title, rng) if rng.random() < 0.5 else f.entry.title
        for f in everything[args.titles :]
        if f.remake_of is None
    ]
    entries = [f.entry for f in films]
    names: list[str] = []
    owners: list[int] = []
    for e in entries:
        for name in dict.fromkeys(n for n in (e.title, e.original_title, *e.aliases) if n):
            names.append(name)
            owners.append(e.film_id)

    gc.collect()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    build_ms, index = _timed(TitleIndex, entries)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    # critibot
    lookups, autos = Row("critibot lookup", []), Row("critibot autocomplete", [])
    keys = Row("critibot keystrokes", [])
    lookup_hits = auto_hits = 0
    outcomes: Counter[tuple[str, str]] = Counter()
    misses: list[tuple[Query, str]] = []
    for q in queries:
        ms, result = _timed(index.lookup, q.text)
        lookups.times.append(ms)
        first = result.candidates[0] if result.candidates else None
        right = first is not None and first.film_id == q.answer
        lookup_hits += right
        outcomes[result.outcome, "right" if right else "wrong"] += 1
        if not right:
            misses.append((q, first.label if first else "—"))
        ms, choices = _timed(index.autocomplete, q.text)
        autos.times.append(ms)
        auto_hits += bool(choices) and TitleIndex.parse_value(choices[0][1]) == q.answer
    for q in queries[: args.keystrokes]:
        for end in range(1, len(q.text) + 1):
            ms, _ = _timed(index.autocomplete, q.text[:end])
            keys.times.append(ms)
    absent_outcomes = Counter(index.lookup(text).outcome for text in absent)
    n = len(queries)
    lookups.top1, autos.top1 = lookup_hits / n, auto_hits / n

    # baseline: the plain scan, timed here; its top-1 on every query, in worker processes
    plain = Row("baseline: plain WRatio scan", [])
    plain_first: list[int | None] = []
    timed = queries[: args.baseline_timed]
    for q in timed:
        ms, found = _timed(process.extract, q.text, names, scorer=fuzz.WRatio, limit=25)
        plain.times.append(ms)
        plain_first.append(found[0][2] if found else None)
    workers = args.workers or multiprocessing.cpu_count()
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, _init_worker, (names,)) as pool:
        plain_first += pool.map(_plain_first, [q.text for q in queries[len(timed) :]], chunksize=4)
    processed_names = [utils.default_process(name) for name in names]
    with context.Pool(workers, _init_worker, (processed_names,)) as pool:
        processed_first = pool.map(_processed_first, [q.text for q in queries], chunksize=4)

    def top1(firsts: list[int | None]) -> float:
        return sum(f is not None and owners[f] == q.answer for f, q in zip(firsts, queries, strict=True)) / n

    plain.top1 = top1(plain_first)
    processed = Row("baseline + default_process", [], top1(processed_first))

    print(
        f"{args.titles} films, {len(names)} names, vocabulary {len(index._postings)} words; {n} queries: "
        + ", ".join(f"{k} {v}" for k, v in sorted(Counter(q.kind for q in queries).items()))
    )
    memory = (rss_after - rss_before) / 1024
    print(f"index build {build_ms / 1000:.2f} s, memory ≈ {memory:.0f} MB (growth of the peak RSS)")
    print()
    print_table(
        ("", *LATENCY_COLUMNS, "top-1"), [r.cells() for r in (lookups, autos, keys, plain, processed)]
    )
    print()
    print(f"keystrokes: every prefix of the first {min(n, args.keystrokes)} queries, through autocomplete.")
    print(
        f"baseline: `process.extract(query, names, scorer=fuzz.WRatio, limit=25)`, timed on the first "
        f"{len(timed)} queries; its top-1 on all {n} (the same call, untimed, in {workers} processes)."
    )
    print("  rapidfuzz 3 applies no processor by default: the plain scan is case- and accent-sensitive;")
    print("  the `default_process` row (untimed) lowers case and drops punctuation on both sides.")
    print("critibot's p50/p99 in the JSON line: the worse of lookup, autocomplete and keystrokes;")
    print("its top-1: the worse of lookup and autocomplete.")
    print()
    print("lookup outcomes:", ", ".join(f"{o} {r} {c}" for (o, r), c in sorted(outcomes.items())))
    print(
        f"films not in the catalogue ({len(absent)} titles, half with a typo): "
        + ", ".join(f"{o} {absent_outcomes[o]}" for o in ("found", "ambiguous", "none"))
        + " (found = a look-alike title answered in their place)"
    )
    kinds = Counter(q.kind for q, _ in misses)
    print("lookup misses by kind:", ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())) or "none")
    for q, got in misses[:10]:
        wanted = films[q.answer - 1].entry
        print(f"  {q.kind:8} {q.text!r}: wanted {wanted.title!r} ({wanted.year}), got {got!r}")

    critibot = [Latency.of(r.times) for r in (lookups, autos, keys)]
    print_figures(
        {
            "titles": args.titles,
            "p50_ms": round(max(t.p50 for t in critibot), 3),
            "p99_ms": round(max(t.p99 for t in critibot), 3),
            "top1": round(min(lookup_hits, auto_hits) / n, 4),
            "baseline_p99_ms": round(Latency.of(plain.times).p99, 3),
            "baseline_top1": round(plain.top1, 4),
        }
    )


if __name__ == "__main__":
    main()
