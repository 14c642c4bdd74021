"""Finding a film from what someone typed: a fuzzy title index, in memory, for lookups and autocompletion.

Every film argument of the slash commands autocompletes on every keystroke, so a query must answer in a
few milliseconds over 100 000 films: the index never scans every title. It folds every name once
(title, original title, aliases: `storage.folding.fold`, plus the same without a leading article, and
the same with its numbers in digits, `storage.title_numbers`: `les 7 samourais`), and per query (also
read with its numbers in digits, when it has number words, Roman numerals or ordinals):

1. gathers a few hundred candidate names from three cheap sources: names equal to the query or
   starting with it (bisect in a sorted list); and an inverted index of words, in which each query word
   also reaches the words one typo away (a table of one-letter deletions; two typos through shared
   letter pairs when nothing is one typo away) and, for the last word, the words it begins (the user is
   still typing), and two query words to the word they make together (`old boy` → `oldboy`). Names
   rank there by the summed rarity (idf) of the query words they contain. Names writing a query word
   as several (`lalaland` → *La La Land*) join them;
2. scores those names (`_Similarity`: rapidfuzz ratios on the folded strings, word order, the query as
   a part of the title, spaces ignored, a sequel's number), keeps each film's best name and applies
   the numbers asked (a name lacking one loses `NUMBER_WRONG`) and the year (given, or typed anywhere:
   `Titre (2005)`, `2005 titre`, `titre, 2005`);
3. decides between `found`, `ambiguous` and `none` (thresholds: see `Lookup`).

`benchmarks/lookup.py` measures speed and accuracy against a plain rapidfuzz scan of every title.
"""

from __future__ import annotations

import itertools
import math
import re
from array import array
from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Final, Literal

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from storage.folding import fold
from storage.title_numbers import mark_numerals, numbers_in, to_digits

__all__ = [
    "ALLOCINE_PREFIX",
    "AllocineRef",
    "Candidate",
    "Lookup",
    "TitleEntry",
    "TitleIndex",
    "allocine_value",
    "choice_label",
    "clearly_found",
    "parse_allocine_value",
    "rank",
]

ARTICLES = frozenset({"le", "la", "les", "l", "un", "une", "des", "the", "a", "an"})
MAX_QUERY_CHARS = 200  # longer queries are cut (before and after folding)
MAX_NAME_CHARS = 400  # names are indexed on this many characters at most
MAX_QUERY_WORDS = 12  # words beyond these do not gather candidates (they still count in the scores)
LABEL_MAX = 100  # Discord's limit for a choice's name
AUTOCOMPLETE_MAX = 25  # Discord's limit for the number of choices
# The two kinds of autocomplete values (a choice's value, at most 100 characters for Discord):
# - `film:<id>`: a film of the catalogue, by critibot's own id (`TitleIndex.parse_value`);
# - `allocine:<id>` (a film) or `allocine:series:<id>` (a series): an AlloCiné search candidate not
#   read yet, by its AlloCiné id (1 to 10 digits; `parse_allocine_value`). Films and series are
#   numbered apart on the site, hence the kind for series.
VALUE_PREFIX = "film:"
ALLOCINE_PREFIX = "allocine:"

# Decision thresholds, on the 0–100 scale of `_Similarity` (see `Lookup`).
FOUND_CLOSE = (92.0, 4.0)  # a best score at least this high and this far ahead of the next film, …
FOUND_LOOSE = (80.0, 8.0)  # … or at least this high and this far ahead, is a clear match
FOUND_RULES = (FOUND_CLOSE, FOUND_LOOSE)
MIN_SCORE = 62.0  # below this nothing matches: outcome "none"
AMBIGUOUS_WINDOW = 10.0  # films within this distance of the best are the "close ones"
AMBIGUOUS_MAX = 10  # at most this many close ones are returned
SUGGEST_MIN = 40.0  # "none" suggests the nearest films scoring at least this much …
SUGGEST_MAX = 5  # … at most this many
# Year: a film of the asked year loses nothing, one year off (release dates differ between countries)
# a little, another year or no known year more.
YEAR_OFF_BY_ONE = 5.0
YEAR_UNKNOWN = 5.0
YEAR_WRONG = 15.0

# Candidate gathering.
TOKEN_CANDIDATES = 150  # names kept from the word index, by summed idf
PREFIX_NAMES = 40  # names kept from the "starts with" source (alphabetical)
PREFIX_WORDS = 40  # indexed words a last, unfinished query word may stand for
COMMON_POSTINGS = 0.15  # a word in more than this share of names (le, la, de …) gathers no candidates
TYPO_FACTOR = 0.8  # a word one typo away counts this much of its idf …
TYPO2_FACTOR = 0.6  # … two typos away (long words only)
PREFIX_FACTOR = 0.7  # a word the last query word begins counts this much
# A query word some names write apart (`lalaland`): names holding its rarest piece are checked (at most
# SPLIT_SCAN, shortest first), those holding the word once spaces are dropped join (at most SPLIT_NAMES);
# an indexed word too, if in at most SPLIT_KNOWN_NAMES names (`gardenlie`: *Gardenlie*, *Garden-Lie …*).
SPLIT_SCAN = 2000
SPLIT_NAMES = 50
SPLIT_KNOWN_NAMES = 20
MIN_TYPO_WORD = 3  # shorter words are not corrected (too many neighbours)
MIN_TYPO2_WORD = 5  # shorter words are not corrected by two letters
MAX_TYPO_WORD = 24  # longer words are not corrected either (nobody types those)
BIGRAM_WORDS = 100  # for a word with no neighbour one typo away: words checked for two typos
CANDIDATE_BUDGET = 3000  # names the word index puts in play before commoner words only refine

# Numbers (`storage.title_numbers`): a number asked that a name lacks costs this much (`terminator 2`
# is not *Terminator*; `bronzes 2` where only *Les Bronzés* and *Les Bronzés 3* exist picks neither); a
# query ending with a number that begins a name (`terminator 2` → *Terminator 2 : Le Jugement dernier*,
# the episode named by its number then its subtitle) scores this much.
NUMBER_WRONG = 12.0
SEQUEL_SCORE = 95.0
# Words joined or split (`lalaland`, `old boy`): a name equal to the query but for its spaces scores this.
GLUED_SCORE = 98.0
MIN_GLUED = 5  # letters a query needs (spaces aside) for its spacing to be ignored

_YEAR_TOKEN = re.compile(r"(?:18[89]\d|19\d\d|20\d\d|2100)")
_VALUE = re.compile(r"film:(\d{1,18})")
_ALLOCINE_VALUE = re.compile(r"allocine:(?:(film|series):)?(\d{1,10})")

_Film = tuple[int, str, int | None, str | None, tuple[str, ...]]  # a TitleEntry's fields, in order
_TITLE: Final = 1  # positions in a `_Film` (Final: mypy then knows each one's type)
_YEAR: Final = 2


def clearly_found(best: float, second: float) -> bool:
    """Whether a best score this far ahead of the next one names the film meant (FOUND_RULES): the
    catalogue's rule, which AlloCiné's candidates are judged by too, on the same scale."""
    return any(best >= score and best - second >= lead for score, lead in FOUND_RULES)


@dataclass(frozen=True)
class TitleEntry:
    """A film as the index knows it. `aliases` are other names it is known by (other languages …)."""

    film_id: int
    title: str
    year: int | None = None
    original_title: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class AllocineRef:
    """An AlloCiné entity an autocomplete value names: `kind` "film" or "series", and its id there."""

    kind: Literal["film", "series"]
    allocine_id: int


def allocine_value(allocine_id: int, kind: Literal["film", "series"] = "film") -> str:
    """The autocomplete value of an AlloCiné candidate: `allocine:123`, `allocine:series:45`."""
    return f"{ALLOCINE_PREFIX}{'series:' if kind == 'series' else ''}{allocine_id}"


def parse_allocine_value(value: object) -> AllocineRef | None:
    """`allocine:123` → a film, `allocine:series:45` → a series (`allocine:film:123` is read too);
    anything else (a title, `film:123`, an id of 0 or of more than 10 digits) → None."""
    match = _ALLOCINE_VALUE.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None or int(match.group(2)) == 0:
        return None
    kind: Literal["film", "series"] = "series" if match.group(1) == "series" else "film"
    return AllocineRef(kind, int(match.group(2)))


@dataclass(frozen=True)
class Candidate:
    """A film matching a query; `matched` is the name (title, original title or alias) that matched."""

    film_id: int
    title: str
    year: int | None
    original_title: str | None
    score: float  # 0–100
    matched: str

    @property
    def label(self) -> str:
        """`Titre (2006)`, or `Titre — Original Title (2006)`; ≤ 100 characters, cut on a word with `…`."""
        return choice_label(self.title, self.original_title, self.year)

    @property
    def value(self) -> str:
        """What an autocomplete choice carries: `film:123` (see `TitleIndex.parse_value`)."""
        return f"{VALUE_PREFIX}{self.film_id}"


@dataclass(frozen=True)
class Lookup:
    """What a query found. Scores are 0–100 (see `_Similarity`).

    - `found`: one clear match, `candidates[0]` (= `film`), then the next best (at most 4). Clear means
      the query equals the name of exactly one film once folded (with its article, else without; the
      year, if any, compatible), or the best film scores ≥ 92 and leads the next by ≥ 4 (one typo in
      a title leaves it at 92–97; a look-alike title rarely comes that close), or ≥ 80 with a lead of
      ≥ 8 (two typos, a part of the title). Identical titles tie, so remakes stay ambiguous until a
      year tells them apart. Chosen on the benchmark: 90 % of the typo queries are found, none of them
      wrongly, while a title absent from the catalogue is answered with a look-alike ~6 % of the time.
    - `ambiguous`: the best scores ≥ 62 but is not clear: the films within 10 of it, best first, at
      least 2, at most 10 (several films named exactly as the query come first).
    - `none`: nothing reaches 62 (unrelated titles score under ~55), or the query is empty once folded:
      the nearest films scoring ≥ 40 as suggestions (at most 5; maybe none). A single film scoring
      between 62 and 80 is a suggestion too (not clear enough to be found, nothing to choose from).
    """

    outcome: Literal["found", "ambiguous", "none"]
    candidates: list[Candidate]

    @property
    def film(self) -> Candidate | None:
        return self.candidates[0] if self.outcome == "found" else None


@dataclass(frozen=True)
class _Query:
    full: str  # folded
    core: str  # folded, leading article removed
    tokens: tuple[str, ...]  # words of `full`, distinct, in order (capped at MAX_QUERY_WORDS)
    year: int | None  # the year asked for, if any
    year_token: str | None  # the year typed in the query (its last word that looks like one), if any
    bare_full: str  # `full` without that year
    bare_core: str
    numbers: frozenset[int]  # the numbers asked, in `bare_full` (digits, words, Roman, ordinals) …
    numbers_full: frozenset[int]  # … and in `full` (with the year, for `Blade Runner 2049`)
    alt: _Query | None = None  # the same with its numbers in digits (`sept` → `7`), if that differs


class TitleIndex:
    """An in-memory fuzzy index of film names. Build it from entries; `add` / `remove` keep it current.

    Not thread-safe for writes: the bot builds or updates it on the event loop (or builds a new one and
    swaps it in).
    """

    def __init__(self, entries: Iterable[TitleEntry] = ()) -> None:
        self._build(entries)

    def _build(self, entries: Iterable[TitleEntry]) -> None:
        # Films by slot, as plain tuples (which the garbage collector stops tracking: a full collection
        # does not walk 100 000 objects); None once removed or replaced.
        self._entries: list[_Film | None] = []
        self._slot: dict[int, int] = {}  # film_id → slot
        # Names, by name id (parallel lists).
        self._name_slot = array("i")
        self._name_text: list[str] = []
        self._name_full: list[str] = []
        self._name_core: list[str] = []
        self._name_numbers: list[frozenset[int]] = []  # the numbers each name carries (`_forms`)
        self._names = 0
        self._alive_names = 0
        # Ids are kept as `bytes` of C ints (untracked by the garbage collector, compact), arrays while
        # building.
        self._postings: dict[str, bytes] = {}  # word → name ids
        self._deletes: dict[str, str] = {}  # word minus one letter → words (space-separated)
        self._vocab: list[str] = []  # sorted words
        self._words: list[str] = []  # words by word id …
        self._bigrams: dict[str, bytes] = {}  # … and `^w`, `wo`, …, `d$` → word ids (for two typos)
        self._growing_postings: dict[str, array] = {}  # the same while building
        self._growing_bigrams: dict[str, array] = {}
        self._keys: list[str] = []  # sorted folded names (with and without article) …
        self._key_names = array("i")  # … and their name ids
        self._alpha: list[tuple[str, int, int, int]] = []  # (folded title, year, film_id, slot), sorted
        self._slot_names: list[range] = []  # by slot: its name ids (consecutive)
        self._building = True
        for entry in entries:
            self.add(entry)
        self._finish_build()

    # --- building ---------------------------------------------------------------------------------

    def add(self, entry: TitleEntry) -> None:
        """Index a film; a film already indexed under the same `film_id` is replaced (an identical entry
        costs nothing). For a bulk refresh, building a new index is as fast and keeps it compact."""
        film: _Film = (entry.film_id, entry.title, entry.year, entry.original_title, tuple(entry.aliases))
        slot = self._slot.get(entry.film_id)
        if slot is not None and self._entries[slot] == film:
            return
        self.remove(entry.film_id)
        slot = len(self._entries)
        self._entries.append(film)
        self._slot[entry.film_id] = slot
        first = self._names
        seen: set[str] = set()
        folded_title = ""
        for text in (entry.title, entry.original_title, *entry.aliases):
            if not text:
                continue
            full = fold(text[:MAX_NAME_CHARS])
            folded_title = folded_title or full
            # Each name is indexed as written and with its numbers in digits (`les 7 samourais`).
            for form, numbers in _forms(full, text[:MAX_NAME_CHARS]):
                if form not in seen:
                    seen.add(form)
                    self._add_name(slot, text, form, numbers)
        self._slot_names.append(range(first, self._names))
        alpha = (folded_title, entry.year or 0, entry.film_id, slot)
        if self._building:
            self._alpha.append(alpha)
        else:
            insort(self._alpha, alpha)

    def remove(self, film_id: int) -> None:
        """Forget a film (no error if unknown). Its names stay in the structures, skipped, until replaced
        films leave more dead names than a quarter of the live ones: then the index rebuilds itself."""
        slot = self._slot.pop(film_id, None)
        if slot is None:
            return
        film = self._entries[slot]
        assert film is not None
        self._entries[slot] = None
        self._alive_names -= len(self._slot_names[slot])
        if self._building:  # `_alpha` is not sorted yet: `_finish_build` drops the dead
            return
        names = self._slot_names[slot]  # the first is the folded title (see `add`)
        key = (self._name_full[names.start] if names else "", film[_YEAR] or 0, film_id, slot)
        at = bisect_left(self._alpha, key)
        if at < len(self._alpha) and self._alpha[at] == key:
            del self._alpha[at]
        if self._names - self._alive_names > max(1000, self._alive_names // 4):
            self._compact()

    def _compact(self) -> None:
        self._build([TitleEntry(*film) for film in self._entries if film is not None])

    def _add_name(self, slot: int, text: str, full: str, numbers: frozenset[int]) -> None:
        nid = self._names
        self._names += 1
        self._alive_names += 1
        core = _strip_article(full)
        self._name_slot.append(slot)
        self._name_text.append(text)
        self._name_full.append(full)
        self._name_core.append(core)
        self._name_numbers.append(numbers)
        if self._building:  # sorted, and words indexed, by `_finish_build`
            self._keys.append(full)
            self._key_names.append(nid)
            if core is not full:
                self._keys.append(core)
                self._key_names.append(nid)
            return
        for key in dict.fromkeys((full, core)):
            at = bisect_left(self._keys, key)
            self._keys.insert(at, key)
            self._key_names.insert(at, nid)
        self._index_words(nid)

    def _index_words(self, nid: int) -> None:
        for word in dict.fromkeys(self._name_full[nid].split()):
            if self._building:
                if word not in self._growing_postings:
                    self._new_word(word)
                _grow(self._growing_postings, word, nid)
            else:  # after the build: copying `bytes` is fine for a few films
                if word not in self._postings:
                    self._new_word(word)
                self._postings[word] = self._postings.get(word, b"") + array("i", (nid,)).tobytes()

    def _new_word(self, word: str) -> None:
        if not self._building:
            insort(self._vocab, word)
        if MIN_TYPO_WORD <= len(word) <= MAX_TYPO_WORD:
            deletes = self._deletes
            for variant in _deletions(word):
                known = deletes.get(variant)
                deletes[variant] = f"{known} {word}" if known else word
        if MIN_TYPO2_WORD - 2 <= len(word) <= MAX_TYPO_WORD:
            wid = len(self._words)
            self._words.append(word)
            for bigram in _bigrams(word):
                if self._building:
                    _grow(self._growing_bigrams, bigram, wid)
                else:
                    self._bigrams[bigram] = self._bigrams.get(bigram, b"") + array("i", (wid,)).tobytes()

    def _finish_build(self) -> None:
        # Shortest names first in every postings list: they win ties (names added later go last).
        lengths = [len(full) for full in self._name_full]
        for nid in sorted(range(self._names), key=lengths.__getitem__):
            if self._entries[self._name_slot[nid]] is not None:
                self._index_words(nid)
        self._postings = {word: ids.tobytes() for word, ids in self._growing_postings.items()}
        self._bigrams = {bigram: ids.tobytes() for bigram, ids in self._growing_bigrams.items()}
        self._growing_postings, self._growing_bigrams = {}, {}
        self._building = False
        self._vocab = sorted(self._postings)
        self._alpha = sorted(a for a in self._alpha if self._entries[a[3]] is not None)
        order = sorted(range(len(self._keys)), key=self._keys.__getitem__)
        self._keys = [self._keys[i] for i in order]
        self._key_names = array("i", (self._key_names[i] for i in order))

    def __len__(self) -> int:
        return len(self._slot)

    def entry(self, film_id: int) -> TitleEntry | None:
        slot = self._slot.get(film_id)
        film = None if slot is None else self._entries[slot]
        return None if film is None else TitleEntry(*film)

    # --- queries ----------------------------------------------------------------------------------

    @staticmethod
    def parse_value(value: str) -> int | None:
        """`film:123` (an autocomplete value) → 123; anything else → None (then use `lookup`)."""
        match = _VALUE.fullmatch(value.strip()) if isinstance(value, str) else None
        return int(match.group(1)) if match else None

    def lookup(self, query: str, year: int | None = None) -> Lookup:
        """The film `query` names (see `Lookup` for the three outcomes). `year` separates remakes; a
        year typed in the query (`Backstage (2005)`, `backstage 2005`, `2005 backstage`) does the same."""
        film_id = self.parse_value(query) if isinstance(query, str) else None
        if film_id is not None and film_id in self._slot:
            film = self._entries[self._slot[film_id]]
            assert film is not None
            return Lookup("found", [_candidate(film, 100.0, film[_TITLE])])
        q = _parse(query, year)
        if q is None:
            return Lookup("none", [])
        ranked = self._rank(q)
        if not ranked:
            return Lookup("none", [])
        best = ranked[0]
        exact = self._exact_films(q)
        if len(exact) == 1:
            (slot,) = exact
            first = next((c for c in ranked if c[1] == slot), None)
            if first is not None:
                others = [self._candidate(c) for c in ranked if c[1] != slot][:4]
                return Lookup("found", [self._candidate(first, 100.0), *others])
        second = ranked[1][0] if len(ranked) > 1 else 0.0
        if not exact and clearly_found(best[0], second):
            return Lookup("found", [self._candidate(c) for c in ranked[:5]])
        if best[0] < MIN_SCORE or len(ranked) == 1:  # nothing near, or a single weak film: suggestions
            near = [self._candidate(c) for c in ranked[:SUGGEST_MAX] if c[0] >= SUGGEST_MIN]
            return Lookup("none", near)
        close = sum(1 for c in ranked if c[0] >= best[0] - AMBIGUOUS_WINDOW)
        chosen = ranked[: max(2, min(close, AMBIGUOUS_MAX))]
        if exact:  # several films carry exactly this name: they come first
            chosen.sort(key=lambda c: c[1] not in exact)
        return Lookup("ambiguous", [self._candidate(c) for c in chosen])

    def exact(self, query: str, year: int | None = None) -> int | None:
        """The id of the one film named exactly `query` (folded), or None: no fuzzy ranking, so the
        commonest case (a title picked or typed right) costs a dictionary lookup."""
        q = _parse(query, year)
        films = self._exact_films(q) if q is not None else set()
        if len(films) != 1:
            return None
        film = self._entries[next(iter(films))]
        return film[0] if film is not None else None

    def autocomplete(self, query: str, limit: int = AUTOCOMPLETE_MAX) -> list[tuple[str, str]]:
        """Up to `limit` (≤ 25, Discord's maximum) choices `(label, value)`, best first, as `search`
        finds them; `value` is `film:<id>` (see `parse_value`)."""
        limit = max(0, min(limit, AUTOCOMPLETE_MAX))
        return [(c.label, c.value) for c in self.search(query, limit)]

    def search(self, query: str, limit: int = AUTOCOMPLETE_MAX) -> list[Candidate]:
        """The films matching `query` best, best first, at most `limit`: a ranking, not a decision.

        Names starting with the query (or with a word starting with it) come first while the user
        types; films scoring under 40 are left out (no choice beats a senseless one). An empty query
        (nothing left once folded) lists the first films in alphabetical order, so that a menu is never
        blank. A year typed in it counts as in `lookup`.
        """
        if limit <= 0:
            return []
        q = _parse(query, None)
        if q is None:
            films = (self._entries[slot] for _, _, _, slot in self._alpha[:limit])
            return [_candidate(film, 0.0, film[_TITLE]) for film in films if film is not None]
        ranked = [c for c in self._rank(q, typing=True)[:limit] if c[0] >= SUGGEST_MIN]
        return [self._candidate(c) for c in ranked]

    # --- internals --------------------------------------------------------------------------------

    def _exact_films(self, q: _Query) -> set[int]:
        """Slots of the films named exactly as the query (folded), the year (if asked) compatible: first
        names equal with their article (`la nuit` → *La Nuit*), else equal without (`nuit`, `la nuit` →
        *Nuit*, *La Nuit*). A year typed may belong to the title (`Blade Runner 2049`, `2001 : l'odyssée
        de l'espace`): names equal to the whole query come before those equal to it without the year."""
        if q.year_token:  # the whole query a name (`2001 l odyssee de l espace`): the year is its own
            titled = [n for n in self._named(q.full) + self._named(q.core) if self._live(n, None)]
            if titled:
                tier = [n for n in titled if self._name_full[n] == q.full] or titled
                return {self._name_slot[n] for n in tier}
        bare = [n for n in self._named(q.bare_full) + self._named(q.bare_core) if self._live(n, q.year)]
        tier = [n for n in bare if self._name_full[n] == q.bare_full] or bare
        return {self._name_slot[n] for n in tier}

    def _live(self, nid: int, year: int | None) -> bool:
        film = self._entries[self._name_slot[nid]]
        return film is not None and _year_penalty(year, film[_YEAR]) <= YEAR_OFF_BY_ONE

    def _named(self, key: str, prefix: bool = False, limit: int = 1_000) -> list[int]:
        """Ids of the names equal to `key` (with or without their article), or starting with it."""
        keys, found = self._keys, []
        at = bisect_left(keys, key)
        for i in range(at, min(at + limit, len(keys))):
            if not (keys[i].startswith(key) if prefix else keys[i] == key):
                break
            found.append(self._key_names[i])
        return found

    def _rank(self, q: _Query, typing: bool = False) -> list[tuple[float, int, int, float]]:
        """Films matching the query, best first: (score, slot, name id, tie-break). Ties go to the name
        closest to the query letter by letter (a swap counts once), then to the shortest."""
        scorer = _Scorer(q, typing)
        names = self._gather(q)
        if q.alt is not None:
            names |= self._gather(q.alt)
        best: dict[int, tuple[float, int]] = {}  # slot → (score, name id)
        for nid in names:
            slot = self._name_slot[nid]
            film = self._entries[slot]
            if film is None:
                continue
            score = scorer(self._name_full[nid], self._name_core[nid], self._name_numbers[nid], film[_YEAR])
            if score > best.get(slot, (-1.0, 0))[0]:
                best[slot] = (score, nid)
        ranked = [(max(0.0, s), slot, nid, self._closeness(q, nid)) for slot, (s, nid) in best.items()]
        ranked.sort(key=lambda c: (-c[0], -c[3], c[1]))
        return ranked

    def _closeness(self, q: _Query, nid: int) -> float:
        full = self._name_full[nid]
        return OSA.normalized_similarity(q.full, full) - len(full) / 10_000

    def _gather(self, q: _Query) -> set[int]:
        """Name ids worth scoring: exact names, names starting with the query, and the word index."""
        names: set[int] = set()
        for key in {q.full, q.core, q.bare_full, q.bare_core}:
            names.update(self._named(key))
            names.update(self._named(key, prefix=True, limit=PREFIX_NAMES))
        total = max(1, self._names)
        common = max(50, int(COMMON_POSTINGS * total))
        # Per query word, the indexed words it may stand for, weighted by rarity; rarest query word first.
        plans: list[tuple[int, list[tuple[float, memoryview]]]] = []
        last = q.tokens[-1] if q.tokens else ""
        # Query words written apart that a name writes as one (`old boy` → *Oldboy*) count as one more word.
        pairs = (a + b for a, b in itertools.pairwise(q.tokens))
        joined = [w for w in pairs if w in self._postings and w not in q.tokens]
        for word in (*q.tokens, *joined):
            groups = []
            for factor, match in self._expand(word, prefix=word == last):
                postings = _ids(self._postings[match])
                if len(postings) <= common:
                    groups.append((factor * math.log((total + 1) / (len(postings) + 0.5)), postings))
            if groups:
                groups.sort(key=lambda g: -g[0])
                plans.append((sum(len(p) for _, p in groups), groups))  # (postings, groups)
        plans.sort(key=lambda plan: plan[0])
        # Sum the weights per name. Once `CANDIDATE_BUDGET` names are in play, words only add to names
        # already there (a set intersection, in C, instead of a walk through long postings). Postings
        # list the shortest names first: a common first word brings in its shortest names.
        scores: dict[int, float] = {}
        for _, groups in plans:
            seen: set[int] | None = set() if len(groups) > 1 else None  # a name counts a word once
            for weight, postings in groups:
                room = max(0, CANDIDATE_BUDGET - len(scores))
                if len(postings) <= room:
                    found = dict.fromkeys(postings, weight)
                else:
                    found = dict.fromkeys(postings[:room], weight)
                    found.update(dict.fromkeys(scores.keys() & postings[room:], weight))
                if seen is not None:
                    for nid in seen & found.keys():
                        del found[nid]
                    seen.update(found)
                for nid in scores.keys() & found.keys():
                    found[nid] += scores[nid]
                scores.update(found)
        # Ties keep the order names came in: rarest word first, shortest name first in each postings list.
        best = sorted(scores, key=scores.__getitem__, reverse=True)  # stable: ties keep their order
        names.update(itertools.islice(best, TOKEN_CANDIDATES))
        for word in q.tokens:
            names.update(self._written_apart(word))
        return names

    def _written_apart(self, word: str) -> list[int]:
        """Names writing `word` as several words (`lalaland` → *La La Land*, `chtis` → *Bienvenue chez
        les Ch'tis*; `gardenlie` too, a title being *Gardenlie*, when few names have it): among the
        names holding one of its pieces, those holding it whole once spaces are dropped."""
        known = self._postings.get(word)
        if known is not None and len(known) > SPLIT_KNOWN_NAMES * 4:  # 4 bytes an id
            return []
        pieces = self._split(word)
        if not pieces:
            return []
        full = self._name_full
        # The pieces are one way to cut the word (`sulsul yaxidragri` where a name has `sul sul
        # yaxidragri`): each piece's names are checked in turn, rarest first, until some hold the word.
        for postings in sorted((_ids(self._postings[piece]) for piece in set(pieces)), key=len):
            found = [nid for nid in postings[:SPLIT_SCAN] if word in full[nid].replace(" ", "")]
            if found:
                return found[:SPLIT_NAMES]
        return []

    def _expand(self, word: str, prefix: bool) -> list[tuple[float, str]]:
        """Indexed words `word` may stand for, with how much they count: itself, one or two typos away,
        and (for the word being typed) the words it begins."""
        found: dict[str, float] = {}
        if word in self._postings:
            found[word] = 1.0
        if MIN_TYPO_WORD <= len(word) <= MAX_TYPO_WORD:
            deletes = self._deletes
            near: set[str] = set(deletes.get(word, "").split())  # one letter added
            for variant in _deletions(word):
                if variant in self._postings:  # one letter dropped
                    near.add(variant)
                near.update(deletes.get(variant, "").split())  # one letter changed, or swapped
            near.difference_update(found)
            for other in near:
                distance = OSA.distance(word, other, score_cutoff=2)
                if distance <= 1:
                    found[other] = TYPO_FACTOR
                elif distance == 2 and len(word) >= MIN_TYPO2_WORD:
                    found[other] = TYPO2_FACTOR
            if not found and len(word) >= MIN_TYPO2_WORD:  # nothing near: words sharing most letter pairs
                shared: Counter[int] = Counter()
                for bigram in _bigrams(word):
                    shared.update(_ids(self._bigrams.get(bigram, b"")))
                for wid, _ in shared.most_common(BIGRAM_WORDS):
                    other = self._words[wid]
                    if OSA.distance(word, other, score_cutoff=2) <= 2:
                        found[other] = TYPO2_FACTOR
        if prefix and len(word) >= 2:
            at = bisect_left(self._vocab, word)
            for other in self._vocab[at : at + PREFIX_WORDS]:
                if not other.startswith(word):
                    break
                found.setdefault(other, PREFIX_FACTOR)
        return [(f, w) for w, f in found.items()]

    def _split(self, word: str) -> list[str]:
        """`lalaland` → [`la`, `la`, `land`]: the fewest indexed words that make `word` once joined (at
        least two), or [] when none do."""
        if not MIN_GLUED <= len(word) <= MAX_TYPO_WORD:
            return []
        postings = self._postings
        best: list[list[str] | None] = [[]] + [None] * len(word)  # the fewest pieces making word[:end]
        for end in range(1, len(word) + 1):
            for start in range(1 if end == len(word) else 0, end):  # two pieces at least
                before = best[start]
                if before is not None and word[start:end] in postings:
                    pieces = best[end]
                    if pieces is None or len(before) + 1 < len(pieces):
                        best[end] = [*before, word[start:end]]
        pieces = best[-1]
        return pieces if pieces is not None and len(pieces) > 1 else []

    def _candidate(self, ranked: tuple[float, int, int, float], score: float | None = None) -> Candidate:
        s, slot, nid, _ = ranked
        film = self._entries[slot]
        assert film is not None
        return _candidate(film, round(s if score is None else score, 1), self._name_text[nid])


def choice_label(
    title: str, original_title: str | None, year: int | None, width: int = LABEL_MAX, suffix: str = ""
) -> str:
    """`Titre (2006)`, or `Titre — Original Title (2006)`, then `suffix`; at most `width` characters,
    the names cut on a word with `…` (the year and the suffix are kept)."""
    head = " ".join(title.split()) or "(sans titre)"
    original = " ".join((original_title or "").split())
    if original and fold(original) != fold(head):
        head = f"{head} — {original}"
    tail = (f" ({year})" if year else "") + suffix
    return _shorten(head, max(1, width - len(tail))) + tail


def rank(query: str, entries: Iterable[TitleEntry], year: int | None = None) -> list[Candidate]:
    """Every entry scored against `query` as `TitleIndex.lookup` scores films (its best name, the year
    given or typed in the query), best first; ties go to the name closest to the query letter by letter,
    then to the entry given first. A plain scan, for a handful of entries that did not come from the
    catalogue (AlloCiné's search answer): no index is built. An empty query (once folded): []."""
    q = _parse(query, year)
    if q is None:
        return []
    scorer = _Scorer(q, False)
    ranked: list[tuple[float, float, int, TitleEntry, str]] = []
    for position, entry in enumerate(entries):
        best: tuple[float, str, str] | None = None  # (score, name, folded name)
        for text in (entry.title, entry.original_title, *entry.aliases):
            if not text:
                continue
            for full, numbers in _forms(fold(text[:MAX_NAME_CHARS]), text[:MAX_NAME_CHARS]):
                score = scorer(full, _strip_article(full), numbers, entry.year)
                if best is None or score > best[0]:
                    best = (score, text, full)
        if best is not None:
            closeness = OSA.normalized_similarity(q.full, best[2]) - len(best[2]) / 10_000
            ranked.append((max(0.0, best[0]), closeness, position, entry, best[1]))
    ranked.sort(key=lambda r: (-r[0], -r[1], r[2]))
    return [
        Candidate(e.film_id, e.title, e.year, e.original_title, score=round(s, 1), matched=matched)
        for s, _, _, e, matched in ranked
    ]


def _forms(full: str, text: str) -> list[tuple[str, frozenset[int]]]:
    """A folded name (`full`, folded from `text`) as written and, if that differs, with its numbers in
    digits; each with the numbers it carries. [] for an empty name."""
    if not full:
        return []
    marked = mark_numerals(text)
    digits = to_digits(full if marked == text else fold(marked))
    numbers = numbers_in(digits, articles=True)
    return [(full, numbers)] if digits == full else [(full, numbers), (digits, numbers)]


class _Scorer:
    """A name's score for one query: its best `_Similarity` with the query as typed or with its numbers
    in digits, less what a number or a year asked and missing costs."""

    __slots__ = ("plain", "q", "with_year")

    def __init__(self, q: _Query, typing: bool) -> None:
        forms = (q, q.alt) if q.alt is not None else (q,)
        self.q = q
        self.plain = [_Similarity(f.bare_full, f.bare_core, typing) for f in forms]
        self.with_year = [_Similarity(f.full, f.core, typing) for f in forms] if q.year_token else []

    def __call__(self, full: str, core: str, numbers: frozenset[int], year: int | None) -> float:
        """`full`, `core`: the name folded, without its article; `numbers`: those it carries; `year`:
        its film's."""
        q = self.q
        plain = self.plain
        score = plain[0](full, core) if len(plain) == 1 else max(plain[0](full, core), plain[1](full, core))
        if not q.numbers <= numbers:
            score -= NUMBER_WRONG
        if q.year is not None:
            score -= _year_penalty(q.year, year)
            if self.with_year and q.year_token in full.split():  # `Blade Runner 2049`, `1917`
                titled = max(similarity(full, core) for similarity in self.with_year)
                if not q.numbers_full <= numbers:
                    titled -= NUMBER_WRONG
                score = max(score, titled)
        return score


def _candidate(film: _Film, score: float, matched: str) -> Candidate:
    film_id, title, year, original_title, _ = film
    return Candidate(film_id, title, year, original_title, score=score, matched=matched)


def _grow(lists: dict[str, array], key: str, value: int) -> None:
    ids = lists.get(key)
    if ids is None:
        lists[key] = array("i", (value,))
    else:
        ids.append(value)


def _ids(packed: bytes) -> memoryview:
    """The ids in `bytes` of C ints, without copying them."""
    return memoryview(packed).cast("i")


def _parse(query: object, year: int | None) -> _Query | None:
    """Fold the query and find a year typed in it (`nosferatu 1922`, `1922 nosferatu`, `(1922)`: the
    last word that looks like a year, when there are other words); None when nothing is left to search."""
    if not isinstance(query, str):
        return None
    full = fold(query[:MAX_QUERY_CHARS])[:MAX_QUERY_CHARS].strip()
    if not full:
        return None
    words = full.split()
    at = next((i for i in range(len(words) - 1, -1, -1) if _YEAR_TOKEN.fullmatch(words[i])), None)
    year_token = words[at] if at is not None and len(words) > 1 else None
    if year_token is not None and year is None:
        year = int(year_token)
    bare_full = " ".join(words[:at] + words[at + 1 :]) if year_token and at is not None else full
    if year is not None and not isinstance(year, int):
        year = None
    q = _query(full, bare_full, year, year_token)
    digits, bare_digits = to_digits(full), to_digits(bare_full)
    if digits == full and bare_digits == bare_full:
        return q
    alt = _query(digits, bare_digits, year, year_token)
    return replace(q, alt=alt)


def _query(full: str, bare_full: str, year: int | None, year_token: str | None) -> _Query:
    words = full.split()
    return _Query(
        full=full,
        core=_strip_article(full),
        tokens=tuple(dict.fromkeys(words))[:MAX_QUERY_WORDS],
        year=year,
        year_token=year_token,
        bare_full=bare_full,
        bare_core=_strip_article(bare_full),
        numbers=numbers_in(to_digits(bare_full)),
        numbers_full=numbers_in(to_digits(full)),
    )


def _strip_article(folded: str) -> str:
    """`le masque` → `masque`, `l ete` → `ete`; a name made of an article alone stays."""
    head, _, rest = folded.partition(" ")
    return rest if rest and head in ARTICLES else folded


class _Similarity:
    """How well a name matches the query, 0–100: the best of

    - the whole strings compared (rapidfuzz `ratio`), with and without leading articles: typos, accents;
    - the same with the words sorted, × 0.97: the right words in another order;
    - how much of the query is found in the name, word by word (each query word but articles counts by
      its length and its best `ratio` against the name's words), × 0.85–0.95 by how much of the name
      the query covers: a query naming part of the title. One way only: a name whose words are all in
      the query while the query has more (a typo'd word, say) gets no credit for it (WRatio's
      `token_set_ratio` would give it 95 and beat the right, misspelt, title);
    - while typing, a name starting with the query (or with a word starting with it): 85–100, more as
      more of the name is typed;
    - a query ending with a number that begins the name (`terminator 2` → *Terminator 2 : Le Jugement
      dernier*): 95, an episode named by its number;
    - words joined or split (`lalaland`, `old boy` → *Oldboy*): a name equal but for its spaces, 98; a
      name holding the query but for its spaces, on word boundaries (`les chtis` → *Bienvenue chez les
      Ch'tis*), as a part of the title above.
    """

    __slots__ = (
        "core",
        "full",
        "glued",
        "glued_core",
        "sequel",
        "several",
        "spaced",
        "spacing",
        "typing",
        "wanted",
        "wanted_length",
    )
    spacing: re.Pattern[str] | None

    def __init__(self, full: str, core: str, typing: bool) -> None:
        self.full, self.core, self.typing = full, core, typing
        words = full.split()
        self.several = len(words) > 1
        self.wanted = tuple(w for w in words if w not in ARTICLES)
        self.wanted_length = sum(len(w) for w in self.wanted)
        self.spaced = f" {core}"
        self.sequel = (f"{full} ", f"{core} ") if self.several and words[-1].isdigit() else None
        self.glued, self.glued_core = full.replace(" ", ""), core.replace(" ", "")
        self.spacing = None  # compiled when first needed (`_spacing`)

    def __call__(self, full: str, core: str) -> float:
        score = fuzz.ratio(self.full, full)
        if core is not full or self.core is not self.full:
            score = max(score, fuzz.ratio(self.core, core))
        if self.several:
            score = max(score, fuzz.token_sort_ratio(self.full, full) * 0.97)
        if self.wanted and len(self.core) < len(full):
            words = full.split()
            covered = 0.0
            for word in self.wanted:
                if word in words:
                    covered += len(word)
                else:
                    best = process.extractOne(word, words, scorer=fuzz.ratio, processor=None)
                    covered += len(word) * (best[1] if best else 0.0) / 100
            share = len(self.full) / len(full)
            score = max(score, 100 * covered / self.wanted_length * (0.85 + 0.1 * min(1.0, share)))
        if (
            self.sequel is not None
            and score < SEQUEL_SCORE
            and (full.startswith(self.sequel[0]) or core.startswith(self.sequel[1]))
        ):
            score = SEQUEL_SCORE
        if score < GLUED_SCORE and len(self.glued_core) >= MIN_GLUED:
            glued = full.replace(" ", "")
            if self.glued_core not in glued:  # one test in C rules out nearly every name
                pass
            elif glued in (self.glued, self.glued_core) or core.replace(" ", "") == self.glued_core:
                score = GLUED_SCORE
            elif len(self.core) < len(full) and self._spacing().search(full):
                score = max(score, 100 * (0.85 + 0.1 * min(1.0, len(self.full) / len(full))))
        if self.typing:
            if full.startswith(self.full) or core.startswith(self.core):
                score = max(score, 90 + 10 * len(self.core) / len(core))
            elif self.spaced in f" {full}":
                score = max(score, 85 + 10 * len(self.core) / len(full))
        return min(score, 100.0)

    def _spacing(self) -> re.Pattern[str]:
        """The query's letters, with or without a space between any two, as whole words of a name."""
        if self.spacing is None:
            letters = " ?".join(map(re.escape, self.glued_core))
            self.spacing = re.compile(f"(?:^| ){letters}(?: |$)")
        return self.spacing


def _year_penalty(asked: int | None, year: int | None) -> float:
    if asked is None:
        return 0.0
    if year is None:
        return YEAR_UNKNOWN
    gap = abs(asked - year)
    return 0.0 if gap == 0 else YEAR_OFF_BY_ONE if gap == 1 else YEAR_WRONG


def _bigrams(word: str) -> set[str]:
    padded = f"^{word}$"
    return {padded[i : i + 2] for i in range(len(padded) - 1)}


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _shorten(text: str, width: int) -> str:
    """`text` in at most `width` characters, cut after a whole word and ending with `…` if cut."""
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    if text[width - 1] != " " and " " in cut:
        cut = cut[: cut.rindex(" ")]
    cut = cut.rstrip(" —-–,;:.")
    return (cut or text[: width - 1]) + "…"
