"""How fast critibot answers /note, /presse and /citation on a large synthetic catalogue.

    .venv/bin/python benchmarks/answers.py                      # 10 000 films, 1 000 000 reviews
    .venv/bin/python benchmarks/answers.py --db /tmp/bench.db   # keep the database: reruns skip the build
    .venv/bin/python benchmarks/answers.py --films 300 --reviews 30000 --calls 200   # a quick run

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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import Engine, func, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import LATENCY_COLUMNS, Cell, Latency, print_figures, print_table
from bot.answers.quotes import sentences
from storage.db.engine import make_engine
from storage.db.tables import FILM, PRESS, SOURCE, SPECTATOR
from storage.folding import fold
from storage.pages import (
    ParsedPressPage,
    ParsedSpectatorPage,
    PressReview,
    SiteFigures,
    SpectatorReview,
    decode,
)
from storage.pages.text import parse_text
from storage.store import FilmHint, spectator_key, store_page

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "storage" / "samples"
COMMANDS = ("note", "presse", "citation")
TARGET_P99_MS = 10.0
LOCATION = "bench://seed-{seed}/film-{index}/{kind}"

# --- words for titles, authors and outlets ------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    return tuple(w.strip() for w in text.split(",") if w.strip())


MASCULINE = _words(
    """le silence, l'été, le masque, l'hiver, le secret, le voyage, le testament, le dernier bal,
    le rivage, l'orage, le chant, le pacte, l'étranger, le retour, le jardin, le serment, le vertige,
    le fantôme, l'enfant, le prix, le rêve, le soldat, le cri, le train, le miroir, l'héritier, le désert,
    le mensonge, le bal, le complot, le visage"""
)
FEMININE = _words(
    """la nuit, la fuite, la promesse, la rivière, l'ombre, la chambre, la frontière, la mémoire,
    la colère, la maison, la tempête, la lumière, l'aube, la route, la passante, la danse, la vallée,
    la trahison, l'île, la comédie, la vérité, la saison, la veuve, la fièvre, la clé, la nageuse,
    la forêt, la dérive, l'absence"""
)
ADJECTIVES = tuple(
    tuple(pair.split("/"))
    for pair in _words(
        """noir/noire, blanc/blanche, perdu/perdue, dernier/dernière, secret/secrète, immobile/immobile,
        brûlant/brûlante, doux/douce, sauvage/sauvage, oublié/oubliée, interdit/interdite, rouge/rouge,
        lointain/lointaine, éternel/éternelle, cruel/cruelle, fragile/fragile, invisible/invisible,
        amer/amère, heureux/heureuse, silencieux/silencieuse, glacé/glacée, endormi/endormie, nu/nue,
        premier/première, sans retour/sans retour, d'automne/d'automne, d'ailleurs/d'ailleurs,
        de minuit/de minuit, de verre/de verre, en fuite/en fuite, ordinaire/ordinaire,
        impossible/impossible, parfait/parfaite, brisé/brisée, infini/infinie, clandestin/clandestine"""
    )
)
PLACES = _words(
    """Marseille, Brest, Paris, Lisbonne, Tanger, Montmartre, Belleville, Saint-Malo, Carthage, Naples,
    Vienne, Biarritz, Ouessant, Lyon, Alger, Québec, Dakar, Trieste, la plage, la ville, la mer, l'Ouest,
    nulle part, la montagne, l'autre rive, Pigalle, Chamonix, Bastia, Arles, Calais, Manosque, Montréal,
    Liège, Genève, Cannes"""
)
FIRST_NAMES = _words(
    """Jeanne, Lucien, Camille, Mathilde, Antoine, Louise, Émile, Adèle, Hugo, Inès, Léon, Margot, Jules,
    Suzanne, Victor, Zoé, Gaspard, Clémence, Raphaël, Élise, Paul, Rose, Étienne, Léa, Bastien, Agathe,
    Maxime, Chloé, Thibault, Juliette, Yann, Noémie, Aurélien, Manon, Sacha, Héloïse, Rémi, Océane,
    Florent, Anaïs"""
)
LAST_NAMES = _words(
    """Martin, Bernard, Dubois, Lefèvre, Moreau, Laurent, Garnier, Rousseau, Fournier, Girard, Bonnet,
    Mercier, Lambert, Faure, Chevalier, Gauthier, Perrin, Morel, Lemoine, Roussel, Marchand, Duval, Denis,
    Masson, Picard, Brunet, Blanchard"""
)
HANDLE_WORDS = _words(
    """Cinéphile, Popcorn, Travelling, Clap, Bobine, Cinoche, Pellicule, Plan-séquence, Toile, Ciné,
    Fauteuil, Strapontin, Générique, Projo, Nanar, Navet, Moviegoer"""
)
OUTLETS = _words(
    """Le Monde, Libération, Le Figaro, Télérama, Les Inrockuptibles, Première, Positif,
    Les Cahiers du Cinéma, L'Obs, L'Express, Le Parisien, Ouest-France, La Croix, Marianne, Le Point,
    Paris Match, Elle, Studio Ciné Live, Mad Movies, L'Humanité, Le Journal du Dimanche, 20 Minutes,
    CNews, Femme Actuelle, Voici, Ecran Large, Critikat.com, aVoir-aLire.com,
    Culturebox - France Télévisions, Franceinfo Culture, Le Nouvel Observateur, Sud Ouest,
    La Voix du Nord, Dernières Nouvelles d'Alsace, Le Dauphiné Libéré, Metro, Rolling Stone,
    Cinemateaser, Trois Couleurs, Transfuge, Bande à part, Chronic'art.com, Filmsactu,
    Le Journal de Montréal, La Septième Obsession"""
)


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
    fragments = _fragments(load_sentences())
    makers: list[Callable[[], str]] = [
        lambda: _article_noun(rng, with_adjective=True),
        lambda: f"{_article_noun(rng)} {_of(rng.choice(PLACES))}",
        lambda: f"{_article_noun(rng)} et {_article_noun(rng).lower()}",
        lambda: f"{rng.choice(FIRST_NAMES)} et {rng.choice(FIRST_NAMES)}",
        lambda: f"{_article_noun(rng, with_adjective=True)} à {rng.choice(PLACES)}",
        lambda: f"{rng.choice(FIRST_NAMES)}, {_article_noun(rng).lower()}",
    ]
    makers += [lambda: rng.choice(fragments)] * len(makers)
    titles: list[str] = []
    seen: set[str] = set()
    misses = 0  # in a row: when the combinations run out (huge catalogues), sequels get a number
    while len(titles) < count:
        title = rng.choice(makers)()
        if misses > 200:
            title = f"{title} {rng.randint(2, 9)}"
        folded = _name_key(title)
        if folded in seen:
            misses += 1
            continue
        misses = 0
        seen.add(folded)
        titles.append(title)
    return titles


# A title does not end on these words (« Le regard de », « Une équipe et »).
DANGLING = frozenset(
    _words(
        "le, la, les, l, de, des, du, d, un, une, et, a, au, aux, en, que, qu, qui, ce, se, "
        "sa, son, ses, on, il, elle, ne, pas, pour, par, dans, sur, mais, ou, si, y, c, j, s, n, "
        "me, te, je, tu, nous, vous, lui, leur, ma, ta, mon, ton, mes, tes, cette, cet, ces, est, avec"
    )
)


ARTICLES = frozenset(_words("le, la, les, l, un, une, des, the, a, an"))


def _name_key(title: str) -> str:
    """Titles equal once folded and without a leading article are one name for the title index."""
    words = fold(title).split()
    return " ".join(words[1:] if len(words) > 1 and words[0] in ARTICLES else words)


def _fragments(sentences: list[str]) -> list[str]:
    """Runs of 2 to 5 words of the sentences that could be titles, capitalised."""
    found: dict[str, str] = {}
    for sentence in sentences:
        words = re.findall(r"[^\W\d_]+(?:['’-][^\W\d_]+)*'?", sentence)
        for width in range(2, 6):
            for start in range(len(words) - width + 1):
                run = words[start : start + width]
                if fold(run[-1]) in DANGLING or run[-1].endswith("'") or len(run[0]) == 1:
                    continue
                title = " ".join(run)
                found.setdefault(_name_key(title), title[0].upper() + title[1:])
    return sorted(found.values())


def _article_noun(rng: random.Random, *, with_adjective: bool = False) -> str:
    feminine = rng.random() < 0.5
    text = rng.choice(FEMININE if feminine else MASCULINE)
    if with_adjective:
        text += " " + rng.choice(ADJECTIVES)[1 if feminine else 0]
    return text[0].upper() + text[1:]


def _of(place: str) -> str:
    return f"d'{place}" if fold(place[0]) in "aeiouy" else f"de {place}"


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


@dataclass
class Vocabulary:
    sentences: list[str]
    authors: list[str]
    critics: list[str] = field(default_factory=list)


def load_sentences() -> list[str]:
    """The sentences of the sample pages: real French reviews, spectators and press."""
    found: set[str] = set()
    for path in sorted(SAMPLES.glob("*.txt")):
        page = parse_text(decode(path.read_bytes()))
        texts = [getattr(r, "text", None) or getattr(r, "quote", None) for r in getattr(page, "reviews", [])]
        texts += list(getattr(page, "texts", []))
        for text in texts:
            if text:
                found.update(s for s in sentences(text) if len(s) >= 12)
    if not found:
        raise SystemExit(f"aucune phrase trouvée dans {SAMPLES}")
    return sorted(found)


def load_vocabulary(seed: int, authors: int) -> Vocabulary:
    """The samples' sentences, and a pool of distinct member names."""
    rng = random.Random(f"names:{seed}")
    names: list[str] = []
    seen: set[str] = set()
    people = [f"{f} {last}" for f in FIRST_NAMES for last in LAST_NAMES]
    rng.shuffle(people)
    for candidate in _names(rng, people):
        if len(names) >= authors:
            break
        if (key := fold(candidate)) and key not in seen:
            seen.add(key)
            names.append(candidate)
    return Vocabulary(sentences=load_sentences(), authors=names, critics=people[:300])


def _names(rng: random.Random, people: list[str]) -> Iterator[str]:
    yield from people
    while True:
        yield rng.choice(
            (
                f"{rng.choice(HANDLE_WORDS)}{rng.randint(1, 99999)}",
                f"{rng.choice(FIRST_NAMES)}{rng.randint(1, 9999)}",
                f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)[0]}.{rng.randint(1, 999)}",
            )
        )


def spectator_page(plan: FilmPlan, vocabulary: Vocabulary, rng: random.Random) -> ParsedSpectatorPage:
    mean = rng.uniform(1.4, 4.4)
    authors = rng.sample(vocabulary.authors, plan.reviews)
    reviews: list[SpectatorReview] = []
    keys: set[str] = set()
    released = date(plan.year, 1, 1)
    days = max(30, (date(2025, 12, 31) - released).days)
    for author in authors:
        anonymous = rng.random() < 0.05
        drawn = min(5.0, max(0.5, round((mean + rng.gauss(0, 1.0)) * 2) / 2))  # by half stars
        rating = None if rng.random() < 0.03 else drawn
        while True:
            review = SpectatorReview(
                author=None if anonymous else author,
                rating=rating,
                published=released + timedelta(days=rng.randrange(days)),
                text=_text(vocabulary, rng, 1, 6),
                followers=rng.choice((None, rng.randint(0, 2000))),
                author_reviews=rng.randint(1, 4000),
                spoiler=rng.random() < 0.02,
            )
            key = spectator_key(review)  # store_page keeps one review per key: make every key distinct
            if key not in keys:
                keys.add(key)
                reviews.append(review)
                break
    rated = [r.rating for r in reviews if r.rating is not None]
    histogram = {star: 0 for star in ("5", "4", "3", "2", "1", "0")}
    for rating in rated:
        histogram[str(int(rating))] += 1
    figures = SiteFigures(
        average=round(sum(rated) / len(rated), 1) if rated else None,
        ratings_count=len(rated) * rng.randint(2, 8) + rng.randint(0, 50),
        reviews_count=len(reviews) + rng.randint(0, len(reviews) // 3 + 2),
        histogram=histogram,
    )
    return ParsedSpectatorPage(title=plan.title, figures=figures, reviews=reviews)


def press_page(plan: FilmPlan, vocabulary: Vocabulary, rng: random.Random) -> ParsedPressPage:
    rated = rng.random() < 0.6  # HTML pages carry the ratings; text pages don't
    mean = rng.uniform(1.5, 4.5)
    reviews = []
    for outlet in rng.sample(OUTLETS, plan.press):
        link_only = rng.random() < 0.15
        slug = fold(outlet).replace(" ", "-")
        reviews.append(
            PressReview(
                outlet=outlet,
                critic=rng.choice(vocabulary.critics) if rng.random() < 0.8 else None,
                quote=None if link_only else _text(vocabulary, rng, 1, 3),
                link=f"https://www.{slug}.fr/cinema/critique-{plan.index}" if link_only else None,
                rating=min(5.0, max(1.0, round(mean + rng.gauss(0, 0.8)))) if rated else None,
            )
        )
    ratings = [r.rating for r in reviews if r.rating is not None]
    figures = SiteFigures(
        average=round(sum(ratings) / len(ratings), 1) if ratings else None, reviews_count=len(reviews)
    )
    return ParsedPressPage(title=None, figures=figures, reviews=reviews)


def _text(vocabulary: Vocabulary, rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choices(vocabulary.sentences, k=rng.randint(low, high)))


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
    vocabulary = load_vocabulary(corpus.seed, max(60_000, 2 * biggest))
    started = time.perf_counter()
    storing = 0.0
    written = 0
    for plan in corpus.plans:
        rng = random.Random(f"film:{corpus.seed}:{plan.index}")
        hint = FilmHint(title=plan.title, year=plan.year)
        pages: list[ParsedSpectatorPage | ParsedPressPage] = [spectator_page(plan, vocabulary, rng)]
        if plan.press:
            pages.append(press_page(plan, vocabulary, rng))
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
        reviews = dict(
            conn.execute(select(SPECTATOR.c.film_id, func.count()).group_by(SPECTATOR.c.film_id)).all()
        )
        press = dict(conn.execute(select(PRESS.c.film_id, func.count()).group_by(PRESS.c.film_id)).all())
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
    args = parser.parse_args(argv)
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
