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

About 8 % of the catalogue has the shapes people type differently (`make_shaped`), each with its query
class (`--class-queries` queries each, reported per class beside the typo set's kinds): `numbers`
(digits for words and words for digits, Roman episodes, ordinals: `7 salopards`, `kamorvel episode 5`,
`kamorvel 2e partie`), `sequel` (`kamorvels 3` for *Les Kamorvels 3 : Le Retour*, the first film in the
catalogue too), `year` (two films of one title, the year anywhere: `1922 nosferatu`, `nosferatu, 1922`),
`year_title` (titles that are or begin with a year: `1917`, `2001 : …`), `spacing` (`spiderman`,
`lalaland`, `old boy` for *Oldboy*) and `part` (`les chtis` for *Bienvenue chez les Ch'tis*). Each
class's "clear match" is the share the bot answers without asking "Vouliez-vous dire… ?".

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
import bisect
import gc
import multiprocessing
import random
import re
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
from rapidfuzz.distance import Levenshtein

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import (
    ARTICLES,
    CITIES,
    EN_NOUNS,
    LATENCY_COLUMNS,
    SYLLABLES,
    Cell,
    DistinctNames,
    Latency,
    TitleMaker,
    capitalized,
    of,
    parse_args,
    print_figures,
    print_table,
    words,
)
from storage.folding import fold
from storage.title_numbers import to_digits
from storage.titles import TitleEntry, TitleIndex

P = ParamSpec("P")
T = TypeVar("T")
# --quick: a few seconds (the tests')
QUICK = {
    "titles": 1_000,
    "queries": 60,
    "absent": 20,
    "baseline_timed": 10,
    "keystrokes": 5,
    "workers": 2,
    "class_queries": 30,
}
SHAPED_SHARE = 0.08  # films whose titles have the shapes of the query classes below (numbers, sequels …)


@dataclass(frozen=True)
class Film:
    entry: TitleEntry
    remake_of: int | None = None  # film_id of the older film with the same title
    # For the films made for a query class: the class, and what its queries are made from.
    shape: str | None = None
    asks: tuple[str, ...] = ()  # ready queries (each names this film only)


def title_key(text: str) -> str:
    """Titles are distinct by this: folded, numbers in digits, spaces ignored (`Les Sept Nuits` and
    `Les 7 nuits`, `Nightwolf` and `Night Wolf` would leave a query without a single right answer)."""
    return to_digits(fold(text)).replace(" ", "")


def make_films(count: int, seed: int, absent: int = 0) -> list[Film]:
    """`count` films then `absent` more (left out of the catalogue); names distinct (`title_key`) across
    films, except remakes (same title, other year). About 8 % of the catalogue's films have the shapes
    of the query classes (`make_shaped`), the others are plain titles."""
    rng = random.Random(f"titles:{seed}")
    maker = TitleMaker(rng, invented=True)
    names = DistinctNames(rng, key=title_key)
    shaped = make_shaped(round(count * SHAPED_SHARE), seed, maker, names, first_id=1) if count else []
    films: list[Film] = list(shaped)
    remade: set[int] = set()

    while len(films) < count + absent:
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


# --- titles of the new query classes ----------------------------------------------------------------------

FR_UNITS = [
    "zéro",
    "un",
    "deux",
    "trois",
    "quatre",
    "cinq",
    "six",
    "sept",
    "huit",
    "neuf",
    "dix",
    "onze",
    "douze",
    "treize",
    "quatorze",
    "quinze",
    "seize",
]
FR_TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}
EN_NUMBERS = words(
    "zero, one, two, three, four, five, six, seven, eight, nine, ten, eleven, twelve, thirteen, "
    "fourteen, fifteen, sixteen, seventeen, eighteen, nineteen, twenty"
)
PLURALS = words(
    """Coups, Samouraïs, Salopards, Nuits, Jours, Vies, Balles, Fenêtres, Marches, Hommes, Femmes, Lunes,
    Portes, Frères, Sœurs, Mercenaires, Mondes, Chemins, Secrets, Heures, Minutes, Étoiles, Saisons,
    Clés, Lettres, Loups, Soldats, Enfants, Rois, Reines, Vents, Ponts, Visages, Collines, Îles, Jurés"""
)
# How often a number appears in a title: small ones mostly, some famous round ones.
TITLE_NUMBERS = (*range(2, 13), *range(2, 13), 15, 20, 21, 30, 40, 77, 80, 99, 100, 101, 300, 400, 1000, 1001)


def french_number(n: int) -> str:
    """0 to 1999 in French words, hyphens as written (`quatre-vingt-dix-neuf`, `deux cents`)."""
    if n < 17:
        return FR_UNITS[n]
    if n < 20:
        return f"dix-{FR_UNITS[n - 10]}"
    if n < 70:
        tens, unit = divmod(n, 10)
        word = FR_TENS[tens]
        return word if unit == 0 else f"{word} et un" if unit == 1 else f"{word}-{FR_UNITS[unit]}"
    if n < 80:
        return "soixante et onze" if n == 71 else f"soixante-{french_number(n - 60)}"
    if n < 100:
        return "quatre-vingts" if n == 80 else f"quatre-vingt-{french_number(n - 80)}"
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        head = "cent" if hundreds == 1 else f"{FR_UNITS[hundreds]} cent{'' if rest else 's'}"
        return head if not rest else f"{head} {french_number(rest)}"
    rest = n - 1000
    return "mille" if not rest else "mille et une" if rest == 1 else f"mille {french_number(rest)}"


def french_ordinal(n: int, feminine: bool = False) -> str:
    """`premier` / `première`, `deuxième`, `cinquième`, `neuvième`, `vingt et unième`."""
    if n == 1:
        return "première" if feminine else "premier"
    word = french_number(n)
    for end, stem in (("cinq", "cinqu"), ("neuf", "neuv"), ("cents", "cent"), ("vingts", "vingt")):
        if word.endswith(end):
            return word[: -len(end)] + stem + "ième"
    return word.removesuffix("e") + "ième"


def roman(n: int) -> str:
    """1 to 39."""
    tens, unit = divmod(n, 10)
    units = ("", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX")
    return "X" * tens + units[unit]


def make_shaped(count: int, seed: int, maker: TitleMaker, names: DistinctNames, first_id: int) -> list[Film]:
    """About `count` films whose titles have the shapes of the new query classes, with their queries:

    - numbers: `Les Sept Salopards` asked `7 salopards`, `Les 400 Coups` asked `quatre cents coups`,
      `Kamorvel : Épisode V - La Nuit blanche` asked `kamorvel episode 5`, `Kamorvel : Deuxième
      partie` asked `kamorvel 2e partie`, `Le Cinquième Rivage` asked `5e rivage`;
    - sequel: a first film and its sequels `Les Kamorvels 3 : Le Retour` asked `kamorvels 3`;
    - year: two films of one title (`Nosferatu`, 1922 and 1979) asked `1922 nosferatu`,
      `nosferatu, 1922`, `(1922) nosferatu`, `nosferatu - 1922`; and titles that are a year or begin
      with one (`1917`, `2001 : l'odyssée de l'espace`) asked as written;
    - spacing: `Spider-Man`, `Night Wolf`, `Za Za Tel` asked glued, `Nightwolf` asked split;
    - part: a long title's distinctive end, an elided word glued (`Bienvenue chez les Ch'tis` asked
      `les chtis`) or its made-up name alone (`La Nuit blanche de Kamorvel et le vent` asked
      `kamorvel`); not asked when another title is two typos away from it (`Kamorvels`: the typo
      classes' own measure of a look-alike), for then two films answer.
    """
    rng = random.Random(f"shaped:{seed}")
    films: list[Film] = []
    years = lambda: min(2025, max(1920, round(2025 - rng.expovariate(1 / 25))))  # noqa: E731

    def add(title: str | None, shape: str, asks: list[str], year: int | None = None) -> None:
        if title is not None:
            entry = TitleEntry(first_id + len(films), title, year or years())
            films.append(Film(entry, shape=shape, asks=tuple(asks)))

    def loosen(text: str) -> str:
        """As people type: maybe without accents, in lower case, without the leading article."""
        if rng.random() < 0.5:
            text = _strip_accents(text)
        if rng.random() < 0.5:
            text = text.lower()
        head, _, rest = text.partition(" ")
        if rest and fold(head) in ARTICLES and rng.random() < 0.5:
            text = rest
        return text

    def subtitle() -> str:
        return rng.choice(
            (maker.noun(adjective=True), maker.noun(), f"{maker.noun()} {of(rng.choice(CITIES))}")
        )

    def fresh(text: str) -> str | None:
        return names.fresh(lambda: text, tries=1)

    makers = ("numbers", "episodes", "parts", "ordinal", "sequel", "remake", "year_title", "spacing", "part")
    weights = (30, 4, 4, 8, 6, 10, 5, 20, 15)
    while len(films) < count:
        kind = rng.choices(makers, weights)[0]
        if kind == "numbers":
            n = rng.choice(TITLE_NUMBERS)
            plural = rng.choice(PLURALS)
            english = rng.random() < 0.15 and n <= 20
            spelled = EN_NUMBERS[n].title() if english else capitalized(french_number(n))
            in_words = english or rng.random() < 0.6
            number = spelled if in_words else str(n)
            shape = rng.choice(("les", "of", "a"))
            if english:
                title = f"The {number} {rng.choice(EN_NOUNS).title()}s"
            elif shape == "les":
                title = f"Les {number} {plural}"
            elif shape == "of":
                title = f"{capitalized(number)} {plural.lower()} {of(rng.choice(CITIES))}"
            else:
                title = f"{capitalized(number)} {plural.lower()} à {rng.choice(CITIES)}"
            # asked the other way: digits for words, words for digits
            other = str(n) if in_words else french_number(n)
            add(fresh(title), "numbers", [loosen(title.replace(number, other, 1))])
        elif kind == "episodes":  # a saga: episodes in Roman numerals
            saga = rng.choice((maker.name(), f"{maker.name()} {maker.name()}"))
            for k in range(1, rng.randint(3, 9) + 1):
                asks = [f"{saga} episode {k}", f"{saga} {k}", f"{saga} épisode {french_number(k)}"]
                add(
                    fresh(f"{saga} : Épisode {roman(k)} - {subtitle()}"),
                    "numbers",
                    [loosen(rng.choice(asks))],
                )
        elif kind == "parts":  # `Dune : Deuxième partie`
            saga = rng.choice((maker.name(), maker.noun(), f"{maker.noun()} {of(maker.name())}"))
            for k in range(1, rng.randint(2, 3) + 1):
                part = fresh(f"{saga} : {capitalized(french_ordinal(k, feminine=True))} partie")
                suffix = "re" if k == 1 else "e"
                asks = [f"{saga} {k}{suffix} partie", f"{saga} partie {k}", f"{saga} {k}"]
                add(part, "numbers", [loosen(rng.choice(asks))])
        elif kind == "ordinal":  # `Le Cinquième Élément`
            feminine = rng.random() < 0.5
            noun = maker.noun()
            head, _, rest = noun.partition(" ")
            if "'" in head:  # `l'été`: no room for an ordinal
                continue
            n = rng.choice((*range(1, 13), 20, 21, 100))
            ordinal = french_ordinal(n, feminine=fold(head) == "la")
            title = f"{capitalized(head)} {ordinal} {rest}"
            short = f"{n}{'er' if n == 1 and not feminine else 're' if n == 1 else rng.choice(('e', 'eme'))}"
            add(fresh(title), "numbers", [loosen(f"{head} {short} {rest}")])
        elif kind == "sequel":
            base = rng.choice((maker.name(), f"Les {maker.name()}s", f"{maker.noun()} {of(maker.name())}"))
            if fresh(base) is None:
                continue
            add(base, "sequel_first", [])
            for k in range(2, rng.randint(2, 5) + 1):
                written = roman(k) if rng.random() < 0.15 else str(k)
                title = f"{base} {written} : {subtitle()}" if rng.random() < 0.85 else f"{base} {written}"
                add(fresh(title), "sequel", [loosen(f"{base} {k}")])
        elif kind == "remake":  # two films of one title, told apart by the year only
            same = fresh(rng.choice((maker.name(), maker.noun(adjective=True), maker.english_title())))
            if same is None:
                continue
            title = same
            forms = ("{y} {t}", "{t}, {y}", "({y}) {t}", "{t} - {y}", "{t} ({y})", "{y} - {t}")
            older = 0
            for year in (rng.randint(1920, 1990), rng.randint(1995, 2025)):
                ask = rng.choice(forms).format(y=year, t=loosen(title))
                entry = TitleEntry(first_id + len(films), title, year)
                films.append(Film(entry, remake_of=older or None, shape="year", asks=(ask,)))
                older = older or entry.film_id
        elif kind == "year_title":  # `1917`, `2001 : l'odyssée de l'espace`
            year = rng.randint(1900, 2099)
            title = str(year) if rng.random() < 0.3 else f"{year} : {subtitle()}"
            add(
                fresh(title),
                "year_title",
                [loosen(title)],
                year=max(1920, min(2025, year - rng.randint(0, 40))),
            )
        elif kind == "spacing":
            a, b = rng.sample(EN_NOUNS, 2)
            shape = rng.choice(("hyphen", "split", "glued", "syllables"))
            if shape == "hyphen":  # `Spider-Man`, maybe with more words
                compound = f"{a.title()}-{b.title()}"
                title = rng.choice(
                    (compound, f"The Amazing {compound}", f"{compound} {of(rng.choice(CITIES))}")
                )
                ask = title.replace(compound, f"{a}{b}")
            elif shape == "split":  # `Old Boy` asked `oldboy`
                title = f"{a.title()} {b.title()}"
                ask = f"{a}{b}"
            elif shape == "glued":  # `Oldboy` asked `old boy`
                title = f"{a.title()}{b}"
                ask = f"{a} {b}"
            else:  # `La La Land`
                syllable = rng.choice(SYLLABLES)
                title = f"{capitalized(syllable)} {capitalized(syllable)} {maker.name()}"
                ask = title.replace(" ", "")
            add(fresh(title), "spacing", [loosen(ask)])
        else:  # part: a long title and its distinctive end
            elided = f"{rng.choice(SYLLABLES)}'{rng.choice(SYLLABLES)}{rng.choice(SYLLABLES)}s"
            if rng.random() < 0.5:
                start = rng.choice(
                    ("Bienvenue chez", "Un été chez", "Le Retour chez", "La Fête chez", "Noël chez")
                )
                title = f"{start} les {capitalized(elided)}"
                ask = rng.choice((f"les {elided.replace(chr(39), '')}", elided.replace("'", "")))
            else:
                name = maker.name()
                title = f"{maker.noun(adjective=True)} {of(name)} et {maker.noun().lower()}"
                ask = name.lower()
            add(fresh(title), "part", [ask])
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


CLASSES = ("numbers", "sequel", "year", "year_title", "spacing", "part")


def make_class_queries(films: list[Film], per_class: int, seed: int) -> list[Query]:
    """Up to `per_class` queries of each new class, from the shaped films' own queries, kept only when
    no other film of the catalogue answers them as well: no other name equal to the query or starting
    with it (numbers in digits, article and year aside), none equal but for its spaces, and for a part,
    none holding it on word boundaries."""
    rng = random.Random(f"class-queries:{seed}")
    heads: list[tuple[str, int]] = []  # every name's digit form, with and without its article
    glued: dict[str, set[int]] = {}
    texts: list[str] = []
    for film in films:
        e = film.entry
        for name in {fold(n) for n in (e.title, e.original_title, *e.aliases) if n}:
            digits = to_digits(name)
            for form in {digits, _without_article(digits)}:
                heads.append((form, e.film_id))
                glued.setdefault(form.replace(" ", ""), set()).add(e.film_id)
            texts.append(f"{e.film_id}\t{digits}")
    heads.sort()
    keys = [h for h, _ in heads]
    everything = "\n".join(texts)
    # films by the sorted words of a name: `witness summer` asks for *Summer Witness* as well
    orders: dict[str, set[int]] = {}
    for film in films:
        e = film.entry
        for text in (e.title, e.original_title, *e.aliases):
            if text:
                words_ = " ".join(sorted(_without_article(fold(text)).split()))
                orders.setdefault(words_, set()).add(e.film_id)
    titled: dict[str, set[int]] = {}  # films by folded title: remakes made of a shaped film too
    for film in films:
        titled.setdefault(fold(film.entry.title), set()).add(film.entry.film_id)
    cores, core_owners = [], []
    for film in films:
        e = film.entry
        for name in {_without_article(fold(n)).replace(" ", "") for n in (e.title, e.original_title) if n}:
            cores.append(name)
            core_owners.append(e.film_id)

    def others(ask: str, answer: int, kind: str) -> bool:
        twins = titled[fold(films[answer - 1].entry.title)]
        if len(twins) != (2 if kind == "year" else 1):  # a shaped film remade once more
            return True
        words = to_digits(fold(ask)).split()
        if kind in ("year", "year_title"):  # the year asked does not belong to the title
            return False
        core = _without_article(" ".join(words))
        at = bisect.bisect_left(keys, core)
        for key, film_id in heads[at : at + 200]:
            if key != core and not key.startswith(f"{core} "):
                break
            if film_id != answer:
                return True
        if glued.get(core.replace(" ", ""), {answer}) - {answer}:
            return True
        if orders.get(" ".join(sorted(core.split())), {answer}) - {answer}:  # the same words, another order
            return True
        if kind == "part":
            # a name two typos from the part asked could be meant as well (`kadorbers`, *Kadorber*)
            glued_core = core.replace(" ", "")
            for _, _, at in process.extract_iter(
                glued_core, cores, scorer=Levenshtein.distance, processor=None, score_cutoff=2
            ):
                if core_owners[at] != answer:
                    return True
            letters = " ?".join(map(re.escape, core.replace(" ", "")))
            pattern = re.compile(f"^(\\d+)\t(?:.* )?{letters}(?: .*)?$", re.MULTILINE)
            return any(int(m.group(1)) != answer for m in pattern.finditer(everything))
        return False

    queries: list[Query] = []
    for kind in CLASSES:
        asked = [(ask, f.entry.film_id) for f in films if f.shape == kind for ask in f.asks]
        rng.shuffle(asked)
        kept = 0
        for ask, answer in asked:
            if kept >= per_class:
                break
            if fold(ask) and not others(ask, answer, kind):
                queries.append(Query(ask, answer, kind))
                kept += 1
    return queries


def _without_article(folded: str) -> str:
    head, _, rest = folded.partition(" ")
    return rest if rest and head in ARTICLES else folded


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


def _outcomes(
    index: TitleIndex, queries: list[Query], lookups: Row | None = None, autos: Row | None = None
) -> list[tuple[Counter[str], str]]:
    """Per query: its counts (queries, top1, auto, found, wrong_found) and, when lookup missed, what it
    gave first (else ""). Times go to the rows given."""
    results: list[tuple[Counter[str], str]] = []
    for q in queries:
        ms, result = _timed(index.lookup, q.text)
        if lookups is not None:
            lookups.times.append(ms)
        ms, choices = _timed(index.autocomplete, q.text)
        if autos is not None:
            autos.times.append(ms)
        first = result.candidates[0] if result.candidates else None
        right = first is not None and first.film_id == q.answer
        counts = Counter(
            queries=1,
            top1=int(right),
            auto=int(bool(choices) and TitleIndex.parse_value(choices[0][1]) == q.answer),
            found=int(right and result.outcome == "found"),
            wrong_found=int(not right and result.outcome == "found"),
        )
        results.append((counts, "" if right else f"{result.outcome}: {first.label if first else '—'}"))
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--titles", type=int, default=100_000, help="films in the catalogue (default 100000)")
    parser.add_argument("--queries", type=int, default=500, help="typo queries (default 500)")
    parser.add_argument("--absent", type=int, default=200, help="queries for films not in the catalogue")
    parser.add_argument("--baseline-timed", type=int, default=100, help="queries timed for the baseline")
    parser.add_argument("--keystrokes", type=int, default=100, help="queries typed letter by letter")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=0, help="processes for the baseline's top-1 (0: all)")
    parser.add_argument("--class-queries", type=int, default=200, help="queries per new class (default 200)")
    args = parse_args(parser, argv, QUICK)

    everything = make_films(args.titles, args.seed, absent=args.absent)
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
    class_queries = make_class_queries(films, args.class_queries, args.seed)  # after: not in the memory

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
    # the new classes: each query through lookup and autocomplete
    classes = Row("critibot lookup, new classes", [])
    class_autos = Row("critibot autocomplete, new classes", [])
    by_class: dict[str, Counter[str]] = {kind: Counter() for kind in (*KINDS, *CLASSES)}
    for q, (o, _) in zip(queries, _outcomes(index, queries), strict=True):
        by_class[q.kind].update(o)
    for q, (o, r) in zip(class_queries, _outcomes(index, class_queries, classes, class_autos), strict=True):
        by_class[q.kind].update(o)
        if r:
            misses.append((q, r))
    absent_outcomes = Counter(index.lookup(text).outcome for text in absent)
    n = len(queries)
    lookups.top1, autos.top1 = lookup_hits / n, auto_hits / n
    new = [by_class[kind] for kind in CLASSES]
    classes.top1 = sum(c["top1"] for c in new) / max(1, sum(c["queries"] for c in new))
    class_autos.top1 = sum(c["auto"] for c in new) / max(1, sum(c["queries"] for c in new))

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
        ("", *LATENCY_COLUMNS, "top-1"),
        [r.cells() for r in (lookups, autos, keys, classes, class_autos, plain, processed)],
    )
    print()
    print_table(
        ("query class", "queries", "lookup top-1", "autocomplete top-1", "clear match", "wrong clear match"),
        [
            [
                f"{kind}{' (new)' if kind in CLASSES else ''}",
                c["queries"],
                f"{c['top1'] / max(1, c['queries']):.1%}",
                f"{c['auto'] / max(1, c['queries']):.1%}",
                f"{c['found'] / max(1, c['queries']):.1%}",
                c["wrong_found"],
            ]
            for kind, c in by_class.items()
        ],
    )
    print("clear match: the right film found as one clear match (the bot answers instead of asking);")
    print("wrong clear match: another film found as one (the bot answers about the wrong film).")
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

    critibot = [Latency.of(r.times) for r in (lookups, autos, keys, classes, class_autos) if r.times]
    print_figures(
        {
            "titles": args.titles,
            "p50_ms": round(max(t.p50 for t in critibot), 3),
            "p99_ms": round(max(t.p99 for t in critibot), 3),
            "top1": round(min(lookup_hits, auto_hits) / n, 4),
            "baseline_p99_ms": round(Latency.of(plain.times).p99, 3),
            "baseline_top1": round(plain.top1, 4),
            **{
                f"{figure}_{kind}": round(by_class[kind][key] / max(1, by_class[kind]["queries"]), 4)
                for kind in CLASSES
                for figure, key in (("top1", "top1"), ("found", "found"))
            },
        }
    )


if __name__ == "__main__":
    main()
