"""What the benchmarks share: the synthetic corpus's words and makers, one percentile, one way to print
their table and figures, and `--quick`.

House rule: a benchmark prints a readable table (`print_table`) and, as its last line, one JSON object
of its figures (`print_figures`), measured against a baseline run in the same process.

The corpus is made of French (and some English) title words, member names, outlets, and sentences of
the real reviews in storage/samples; every maker takes a seeded `random.Random`, so that the same seed
always gives the same corpus.

The scripts import it as `benchmarks._common`, with the repository's root on `sys.path`.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import random
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from bot.answers.quotes import sentences
from storage.folding import fold
from storage.pages import (
    STARS,
    ParsedPlainReviews,
    ParsedPressPage,
    ParsedSpectatorPage,
    SiteFigures,
    SpectatorReview,
    decode,
)
from storage.pages.text import parse_text
from storage.store import spectator_key

SAMPLES = Path(__file__).resolve().parent.parent / "storage" / "samples"
Cell = str | int | float | None

# --- words ---------------------------------------------------------------------------------------------


def words(text: str) -> tuple[str, ...]:
    """`"le silence, l'été"` → `("le silence", "l'été")`: comma-separated, so that entries may hold spaces."""
    return tuple(w.strip() for w in text.split(",") if w.strip())


MASCULINE = words(
    """le silence, l'été, le masque, l'hiver, le secret, le voyage, le testament, le dernier bal,
    le rivage, l'orage, le chant, le pacte, l'étranger, le retour, le jardin, le serment, le vertige,
    le fantôme, l'enfant, le prix, le rêve, le soldat, le cri, le train, le miroir, l'héritier, le désert,
    le mensonge, le bal, le complot, le visage, le château, le détective, le garçon, le loup, le cœur,
    le marché, le phare, le piège, le royaume, le sang, le temps, le vent, le monde, le ciel, le feu"""
)
FEMININE = words(
    """la nuit, la fuite, la promesse, la rivière, l'ombre, la chambre, la frontière, la mémoire,
    la colère, la maison, la tempête, la lumière, l'aube, la route, la passante, la danse, la vallée,
    la trahison, l'île, la comédie, la vérité, la saison, la veuve, la fièvre, la clé, la nageuse,
    la forêt, la dérive, l'absence, la guerre, la fille, la reine, la lettre, la vengeance, la chute,
    la cité, la planète, la légende, la femme, la peur, la mer, la neige, la pluie, l'étoile"""
)
ADJECTIVES = tuple(  # (masculine, feminine)
    (pair[0], pair[1])
    for pair in (
        entry.split("/")
        for entry in words(
            """noir/noire, blanc/blanche, perdu/perdue, dernier/dernière, secret/secrète, immobile/immobile,
            brûlant/brûlante, doux/douce, sauvage/sauvage, oublié/oubliée, interdit/interdite, rouge/rouge,
            lointain/lointaine, éternel/éternelle, cruel/cruelle, fragile/fragile, invisible/invisible,
            amer/amère, heureux/heureuse, silencieux/silencieuse, glacé/glacée, endormi/endormie, nu/nue,
            premier/première, sans retour/sans retour, d'automne/d'automne, d'ailleurs/d'ailleurs,
            de minuit/de minuit, de verre/de verre, en fuite/en fuite, ordinaire/ordinaire,
            impossible/impossible, parfait/parfaite, brisé/brisée, infini/infinie, clandestin/clandestine,
            maudit/maudite, étrange/étrange, mortel/mortelle, sacré/sacrée, fou/folle, vivant/vivante"""
        )
    )
)
PREPOSITIONS = words("Derrière, Sous, Après, Avant, Loin de, Contre, Pour, Dans, Au-delà de, Entre, Sans")
CITIES = words(
    """Marseille, Brest, Paris, Lisbonne, Tanger, Montmartre, Belleville, Saint-Malo, Carthage, Naples,
    Vienne, Biarritz, Ouessant, Lyon, Alger, Québec, Dakar, Trieste, Pigalle, Chamonix, Bastia, Arles,
    Calais, Manosque, Montréal, Liège, Genève, Cannes, Berlin, Tokyo, Chicago, Harlem, Brooklyn, Oslo"""
)
PLACES = CITIES + words("la plage, la ville, la mer, l'Ouest, nulle part, la montagne, l'autre rive")
FIRST_NAMES = words(
    """Jeanne, Lucien, Camille, Mathilde, Antoine, Louise, Émile, Adèle, Hugo, Inès, Léon, Margot, Jules,
    Suzanne, Victor, Zoé, Gaspard, Clémence, Raphaël, Élise, Paul, Rose, Étienne, Léa, Bastien, Agathe,
    Maxime, Chloé, Thibault, Juliette, Yann, Noémie, Aurélien, Manon, Sacha, Héloïse, Rémi, Océane,
    Florent, Anaïs, Jack, Emma, Harry, Lucy, Frank, Grace, Leslie, Vernon, Sam, Nora, Eddie, Ruby"""
)
LAST_NAMES = words(
    """Martin, Bernard, Dubois, Lefèvre, Moreau, Laurent, Garnier, Rousseau, Fournier, Girard, Bonnet,
    Mercier, Lambert, Faure, Chevalier, Gauthier, Perrin, Morel, Lemoine, Roussel, Marchand, Duval, Denis,
    Masson, Picard, Brunet, Blanchard"""
)
HANDLES = words(
    """Cinéphile, Popcorn, Travelling, Clap, Bobine, Cinoche, Pellicule, Plan-séquence, Toile, Ciné,
    Fauteuil, Strapontin, Générique, Projo, Nanar, Navet, Moviegoer"""
)
EN_NOUNS = words(
    """mask, night, house, river, ghost, stranger, secret, road, heart, shadow, mirror, king, queen,
    garden, storm, island, war, girl, boy, city, dream, game, witness, hunter, machine, kingdom, future,
    letter, promise, bridge, fire, wolf, silence, lie, summer, winter, dawn, tower, sea, star"""
)
EN_ADJECTIVES = words(
    """dark, last, lost, silent, broken, wild, hidden, golden, cold, red, black, white, endless, strange,
    quiet, forgotten, burning, little, big, long, secret, final, perfect, deadly, lonely, sweet"""
)
EN_PREPOSITIONS = words("Behind, Beyond, Under, After, Before, Into, Across, Inside, Against, Beneath")
SYLLABLES = words(
    """ka, ro, va, li, za, mor, tel, dra, ven, sa, ku, ri, nos, bel, tan, gri, fa, lo, mé, zé, qua, xi,
    do, ber, nak, sul, ti, vor, ya, ha, pé, ru, chan, dor, mi, len, kor, ba, gu, né, sti, wa, fen, ol"""
)
ARTICLES = frozenset(words("le, la, les, l, un, une, des, the, a, an"))
OUTLETS = words(
    """Le Monde, Libération, Le Figaro, Télérama, Les Inrockuptibles, Première, Positif,
    Les Cahiers du Cinéma, L'Obs, L'Express, Le Parisien, Ouest-France, La Croix, Marianne, Le Point,
    Paris Match, Elle, Studio Ciné Live, Mad Movies, L'Humanité, Le Journal du Dimanche, 20 Minutes,
    CNews, Femme Actuelle, Voici, Ecran Large, Critikat.com, aVoir-aLire.com,
    Culturebox - France Télévisions, Franceinfo Culture, Le Nouvel Observateur, Sud Ouest,
    La Voix du Nord, Dernières Nouvelles d'Alsace, Le Dauphiné Libéré, Metro, Rolling Stone,
    Cinemateaser, Trois Couleurs, Transfuge, Bande à part, Chronic'art.com, Filmsactu,
    Le Journal de Montréal, La Septième Obsession"""
)


# --- titles --------------------------------------------------------------------------------------------


def capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def of(place: str) -> str:
    """`Brest` → `de Brest`, `Alger` → `d'Alger`."""
    return f"d'{place}" if fold(place[0]) in "aeiouy" else f"de {place}"


class TitleMaker:
    """Titles from templates over the word lists; with `invented`, made-up names too (`Kamorvel`), so
    that a large catalogue's vocabulary is as varied as a real one's."""

    def __init__(self, rng: random.Random, *, invented: bool = False) -> None:
        self.rng = r = rng
        self.invented: list[str] = []
        self.french: list[Callable[[], str]] = [
            lambda: self.noun(adjective=True),
            lambda: f"{self.noun()} {of(r.choice(PLACES))}",
            lambda: f"{self.noun()} et {self.noun().lower()}",
            lambda: f"{r.choice(FIRST_NAMES)} et {r.choice(FIRST_NAMES)}",
            lambda: f"{self.noun(adjective=True)} à {r.choice(PLACES)}",
            lambda: f"{r.choice(FIRST_NAMES)}, {self.noun().lower()}",
        ]
        if invented:
            sizes = (2, 2, 3, 3, 4)  # syllables
            self.invented = sorted(
                {
                    capitalized("".join(r.choice(SYLLABLES) for _ in range(r.choice(sizes))))
                    for _ in range(40_000)
                }
            )
            self.french += [
                lambda: f"{r.choice(PREPOSITIONS)} {self.noun().lower()}",
                lambda: f"{r.choice(PREPOSITIONS)} {self.noun(adjective=True).lower()}",
                lambda: self.name(),
                lambda: f"{self.noun()} {of(self.name())}",
                lambda: f"{self.name()} {self.name()}",
                lambda: f"{self.noun(adjective=True)} {of(self.name())}",
            ]
        self.english: list[Callable[[], str]] = [
            lambda: f"The {r.choice(EN_ADJECTIVES)} {r.choice(EN_NOUNS)}".title(),
            lambda: f"{r.choice(EN_NOUNS)} of the {r.choice(EN_NOUNS)}".title(),
            lambda: f"The {r.choice(EN_NOUNS)} of {r.choice(CITIES)}".title(),
            lambda: f"{r.choice(EN_PREPOSITIONS)} the {r.choice(EN_NOUNS)}".title(),
            lambda: f"A {r.choice(EN_NOUNS)} in {r.choice(CITIES)}".title(),
            lambda: f"{r.choice(FIRST_NAMES)} and the {r.choice(EN_ADJECTIVES)} {r.choice(EN_NOUNS)}".title(),
            lambda: f"{r.choice(EN_PREPOSITIONS)} the {r.choice(EN_ADJECTIVES)} {r.choice(EN_NOUNS)}".title(),
        ]
        if invented:
            self.english += [
                lambda: f"{self.name()}: The {r.choice(EN_NOUNS).title()} of {r.choice(FIRST_NAMES)}",
                lambda: f"The {self.name()} {r.choice(EN_NOUNS).title()}",
            ]

    def french_title(self) -> str:
        return self.rng.choice(self.french)()

    def english_title(self) -> str:
        return self.rng.choice(self.english)()

    def noun(self, *, adjective: bool = False) -> str:
        """`La nuit`, or with `adjective` `La nuit blanche` (the adjective agrees)."""
        feminine = self.rng.random() < 0.5
        text = self.rng.choice(FEMININE if feminine else MASCULINE)
        if adjective:
            text += " " + self.rng.choice(ADJECTIVES)[1 if feminine else 0]
        return capitalized(text)

    def name(self) -> str:
        return self.rng.choice(self.invented)


class DistinctNames:
    """Names that differ by `key` (folded, by default). When the combinations run out (200 misses in a
    row), sequels: a number is added (2 to 9, then up to 999 when even those run out)."""

    def __init__(self, rng: random.Random, key: Callable[[str], str] = fold) -> None:
        self.rng = rng
        self.key = key
        self.seen: set[str] = set()
        self.misses = 0

    def fresh(self, make: Callable[[], str], tries: int = 50) -> str | None:
        """A name from `make` not seen before, or None after `tries` names already seen."""
        for _ in range(tries):
            text = make()
            if self.misses > 200:
                text = f"{text} {self.rng.randint(2, 9 if self.misses <= 2000 else 999)}"
            if (key := self.key(text)) not in self.seen:
                self.misses = 0
                self.seen.add(key)
                return text
            self.misses += 1
        return None

    def take(self, count: int, make: Callable[[], str]) -> list[str]:
        """`count` new names from `make`."""
        names: list[str] = []
        while len(names) < count:
            if (name := self.fresh(make)) is not None:
                names.append(name)
        return names


# --- reviews -------------------------------------------------------------------------------------------

ANONYMOUS_SHARE = 0.05  # "Un visiteur": keyed on date and folded text instead of the author
SPOILER_SHARE = 0.02
LAST_DAY = date(2025, 5, 31)  # reviews are published before it


@functools.cache
def sample_sentences() -> tuple[str, ...]:
    """The sentences (12 characters or more) of the sample pages' real French reviews: spectators'
    texts, press quotes and plain reviews."""
    found: set[str] = set()
    for path in sorted(SAMPLES.glob("*.txt")):
        page = parse_text(decode(path.read_bytes()))
        texts: list[str | None] = []
        if isinstance(page, ParsedSpectatorPage):
            texts = [r.text for r in page.reviews]
        elif isinstance(page, ParsedPressPage):
            texts = [r.quote for r in page.reviews]
        elif isinstance(page, ParsedPlainReviews):
            texts = list(page.texts)
        for text in texts:
            found.update(s for s in sentences(text or "") if len(s) >= 12)
    if not found:
        raise SystemExit(f"aucune phrase de critique trouvée dans {SAMPLES}")
    return tuple(sorted(found))


def member_names(count: int, rng: random.Random) -> list[str]:
    """`count` member names, distinct once folded: first and last names (shuffled), then handles."""
    people = [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES]
    rng.shuffle(people)

    def candidates() -> Iterator[str]:
        yield from people
        while True:
            yield rng.choice(
                (
                    f"{rng.choice(HANDLES)}{rng.randint(1, 99999)}",
                    f"{rng.choice(FIRST_NAMES)}{rng.randint(1, 9999)}",
                    f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)[0]}.{rng.randint(1, 999)}",
                )
            )

    names = DistinctNames(rng)
    found = candidates()
    return names.take(count, lambda: next(found))


@dataclass(frozen=True)
class Vocabulary:
    sentences: tuple[str, ...]
    authors: tuple[str, ...]  # distinct once folded


def vocabulary(authors: int, rng: random.Random) -> Vocabulary:
    """The samples' sentences, and a pool of `authors` distinct member names."""
    return Vocabulary(sentences=sample_sentences(), authors=tuple(member_names(authors, rng)))


def review_text(vocabulary: Vocabulary, rng: random.Random, low: int, high: int) -> str:
    """`low` to `high` sentences of the samples, drawn with replacement."""
    return " ".join(rng.choices(vocabulary.sentences, k=rng.randint(low, high)))


def half_star(rating: float) -> float:
    """A rating on AlloCiné's scale: 0.5 to 5, by half stars."""
    return min(5.0, max(0.5, round(rating * 2) / 2))


def spectator_page(
    title: str,
    *,
    year: int,
    authors: Sequence[str],
    vocabulary: Vocabulary,
    rng: random.Random,
    unrated_share: float = 0.0,
) -> ParsedSpectatorPage:
    """What the parser would have read on a film's spectator page: one review by each of `authors`
    (some anonymous; `unrated_share` without a rating), by half stars around the film's own mean,
    all keys distinct (store_page keeps one review per key); the site's figures and histogram."""
    mean = rng.uniform(1.5, 4.5)
    released = date(year, 1, 1)
    days = max(30, (LAST_DAY - released).days)
    reviews: list[SpectatorReview] = []
    keys: set[str] = set()
    for author in authors:
        anonymous = rng.random() < ANONYMOUS_SHARE
        drawn = half_star(mean + rng.gauss(0, 1.0))
        rating = None if rng.random() < unrated_share else drawn
        while True:
            review = SpectatorReview(
                author=None if anonymous else author,
                rating=rating,
                published=released + timedelta(days=rng.randrange(days)),
                text=review_text(vocabulary, rng, 1, 6),
                followers=None if anonymous else rng.randint(0, 5000),
                author_reviews=None if anonymous else rng.randint(1, 20_000),
                spoiler=rng.random() < SPOILER_SHARE,
            )
            if (key := spectator_key(review)) not in keys:
                keys.add(key)
                reviews.append(review)
                break
    rated = [r.rating for r in reviews if r.rating is not None]
    histogram = dict.fromkeys(STARS, 0)
    for rating in rated:
        histogram[str(int(rating))] += 1
    figures = SiteFigures(
        average=round(sum(rated) / len(rated), 1) if rated else None,
        ratings_count=len(rated) * rng.randint(2, 8) + rng.randint(0, 50),
        reviews_count=len(reviews) + rng.randint(0, len(reviews) // 3 + 2),
        histogram=histogram,
    )
    return ParsedSpectatorPage(title=title, figures=figures, reviews=reviews)


# --- measuring -----------------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile of `values` (0 ≤ q ≤ 100), by linear interpolation between closest ranks.

    The value at position (n − 1) × q / 100 of the sorted values, interpolated between its two
    neighbours: numpy's default (`numpy.percentile(values, q)`, method "linear", Hyndman and Fan's
    type 7) and `statistics.quantiles(values, n=100, method="inclusive")[q - 1]` for a whole q. So
    `percentile(values, 50)` is `statistics.median(values)`, the 0th is the minimum, the 100th the maximum.
    """
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} outside 0–100")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class Latency:
    """A series of timed calls, summed up (the unit is the caller's: milliseconds in the benchmarks)."""

    calls: int
    p50: float
    p99: float
    max: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Latency:
        return cls(len(values), percentile(values, 50), percentile(values, 99), max(values))

    def cells(self) -> list[Cell]:
        """The four figures as table cells: calls, p50, p99, max."""
        return [self.calls, self.p50, self.p99, self.max]


LATENCY_COLUMNS = ("appels", "p50 ms", "p99 ms", "max ms")


# --- printing ------------------------------------------------------------------------------------------


def format_cell(value: Cell, digits: int = 2) -> str:
    """`None` → `—`, an int with thin spaces (`200 000`), a float with `digits` decimals, text as it is."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}".replace(",", "\u202f")
    if isinstance(value, float):
        return f"{value:,.{digits}f}".replace(",", "\u202f")
    return value


def table(columns: Sequence[str], rows: Iterable[Sequence[Cell]], *, title: str = "", digits: int = 2) -> str:
    """A plain-text table: the first column (the rows' labels) on the left, the figures on the right."""
    lines = [[format_cell(cell, digits) for cell in row] for row in rows]
    header = list(columns)
    for line in lines:
        if len(line) != len(header):
            raise ValueError(f"{len(line)} cells for {len(header)} columns: {line}")
    widths = [max(len(cells[i]) for cells in [header, *lines]) for i in range(len(header))]

    def render(cells: Sequence[str]) -> str:
        first, *rest = zip(cells, widths, strict=True)
        return "  ".join([first[0].ljust(first[1]), *(cell.rjust(width) for cell, width in rest)])

    rule = "-" * len(render(header))
    out = [title] if title else []
    out += [render(header), rule, *(render(line) for line in lines)]
    return "\n".join(line.rstrip() for line in out)


def print_table(
    columns: Sequence[str], rows: Iterable[Sequence[Cell]], *, title: str = "", digits: int = 2
) -> None:
    print(table(columns, rows, title=title, digits=digits), flush=True)


def print_figures(figures: Mapping[str, Cell]) -> None:
    """The benchmark's last line: one JSON object of its figures, a baseline's among them."""
    if not any(key.startswith("baseline") for key in figures):
        raise ValueError(f"no baseline figure among {sorted(figures)}")
    print(json.dumps(dict(figures)), flush=True)


# --- options -------------------------------------------------------------------------------------------


def parse_args(
    parser: argparse.ArgumentParser, argv: Sequence[str] | None, quick: Mapping[str, object]
) -> argparse.Namespace:
    """The parser's arguments, with `--quick`: `quick`'s values become the defaults (a run of a few
    seconds, for the tests); options given explicitly still win."""
    sizes = ", ".join(f"--{name.replace('_', '-')} {value}" for name, value in quick.items())
    parser.add_argument("--quick", action="store_true", help=f"a run of a few seconds: {sizes}")
    args = parser.parse_args(argv)
    if args.quick:
        parser.set_defaults(**quick)
        args = parser.parse_args(argv)
    return args
