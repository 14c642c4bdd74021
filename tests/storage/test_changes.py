"""What changed (storage/changes.py) and the digest ledger (storage/digest_ledger.py), with exact values."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, func, select

from bot.answers.digest import change
from storage import changes, digest_ledger
from storage.digest_ledger import TABLE as LEDGER
from storage.pages import ParsedPressPage, ParsedSpectatorPage, PressReview, SiteFigures, SpectatorReview
from storage.store import FilmHint, StoreReport, store_page
from tests.pages.seeds import press_seed, spectator_seed

T0 = datetime(2025, 1, 25, 8, 0, tzinfo=UTC)  # 9:00 in Paris
MASQUE = FilmHint(title="Derrière le masque", year=2006)
BACKSTAGE = FilmHint(title="Backstage", year=2005)


def review(
    author: str | None, rating: float | None, text: str, followers: int | None = None
) -> SpectatorReview:
    return SpectatorReview(
        author=author, rating=rating, published=date(2025, 1, 24), text=text, followers=followers
    )


def store_spectators(
    engine: Engine,
    hint: FilmHint,
    reviews: list[SpectatorReview],
    *,
    now: datetime,
    backlog: bool,
    figures: SiteFigures | None = None,
) -> StoreReport:
    page = ParsedSpectatorPage(title=hint.title, figures=figures or SiteFigures(), reviews=reviews)
    raw = f"{hint.title} {now.isoformat()} {[r.author for r in reviews]} {figures}"
    return store_page(engine, page, location="test", raw=raw, hint=hint, now=now, backlog=backlog)


def store_press(
    engine: Engine, hint: FilmHint, reviews: list[PressReview], *, now: datetime, backlog: bool
) -> StoreReport:
    page = ParsedPressPage(title=hint.title, figures=SiteFigures(), reviews=reviews)
    raw = f"presse {hint.title} {now.isoformat()} {[r.outlet for r in reviews]}"
    return store_page(engine, page, location="test", raw=raw, hint=hint, now=now, backlog=backlog)


def seed_masque(engine: Engine, *, now: datetime, backlog: bool = True) -> StoreReport:
    """The spectator seed: 15 reviews of Derrière le masque, 2,3/5 from 158 ratings."""
    seed = spectator_seed()
    return store_page(engine, seed, location="seed", raw=f"seed {now}", hint=MASQUE, now=now, backlog=backlog)


def authors(reviews: list[changes.NewSpectatorReview]) -> list[str | None]:
    return [r.author for r in reviews]


# --- new reviews -----------------------------------------------------------------------------------------


def test_backlog_and_reviews_older_than_the_floor_are_not_new(engine: Engine) -> None:
    seed_masque(engine, now=T0 - timedelta(hours=2))  # a film just added: its 15 reviews are backlog
    store_spectators(
        engine,
        MASQUE,
        [review("Ancien", 2.0, "Vu il y a longtemps.")],
        now=T0 - timedelta(hours=30),
        backlog=False,
    )
    store_spectators(
        engine,
        MASQUE,
        [review("Alice", 3.0, "Très drôle. Vraiment."), review(None, 4.5, "Un régal du début à la fin !")],
        now=T0 - timedelta(hours=1),
        backlog=False,
    )
    new = changes.new_spectator_reviews(engine, after_id=None, since=T0 - timedelta(hours=24))
    assert sorted(authors(new), key=str) == ["Alice", None]
    alice = next(r for r in new if r.author == "Alice")
    assert (alice.film_title, alice.film_year, alice.rating, alice.text) == (
        "Derrière le masque",
        2006,
        3.0,
        "Très drôle. Vraiment.",
    )
    # Named authors first, then the anonymous visitor.
    assert authors(new) == ["Alice", None]
    film_id = alice.film_id
    assert changes.new_review_counts(
        engine, "spectateurs", after_id=None, since=T0 - timedelta(hours=24)
    ) == {film_id: 2}
    # Without the floor, the 30-hour-old review counts too; the backlog never does.
    assert len(changes.new_spectator_reviews(engine, after_id=0, since=None)) == 3


def test_new_reviews_start_after_the_marks_and_stop_at_upto(engine: Engine) -> None:
    seed_masque(engine, now=T0 - timedelta(days=3))
    marks = changes.max_ids(engine)
    assert marks.spectator is not None and marks.press is None
    store_spectators(engine, MASQUE, [review("Bob", 1.0, "Raté.")], now=T0, backlog=False)
    middle = changes.max_ids(engine)
    store_spectators(
        engine, MASQUE, [review("Carla", 5.0, "Chef-d'œuvre.")], now=T0 + timedelta(hours=1), backlog=False
    )
    assert authors(changes.new_spectator_reviews(engine, after_id=marks.spectator, since=None)) == [
        "Bob",
        "Carla",
    ]
    assert authors(
        changes.new_spectator_reviews(engine, after_id=marks.spectator, since=None, upto=middle.spectator)
    ) == ["Bob"]
    assert authors(changes.new_spectator_reviews(engine, after_id=middle.spectator, since=None)) == ["Carla"]
    assert changes.new_spectator_reviews(engine, after_id=changes.max_ids(engine).spectator, since=None) == []


def test_the_most_notable_reviews_come_first_and_limit_keeps_them(engine: Engine) -> None:
    store_spectators(
        engine,
        MASQUE,
        [
            review(None, 2.0, "Anonyme."),
            review("Petit", 3.0, "Peu suivi.", followers=3),
            review("Inconnu", None, "Sans abonnés."),
            review("Star", 4.0, "Très suivie.", followers=900),
        ],
        now=T0,
        backlog=False,
    )
    new = changes.new_spectator_reviews(engine, after_id=0, since=None)
    assert authors(new) == ["Star", "Petit", "Inconnu", None]
    assert authors(changes.new_spectator_reviews(engine, after_id=0, since=None, limit=2)) == [
        "Star",
        "Petit",
    ]


def test_new_press_reviews(engine: Engine) -> None:
    seed = press_seed()
    store_page(
        engine,
        seed,
        location="seed",
        raw="press seed",
        hint=BACKSTAGE,
        now=T0 - timedelta(days=2),
        backlog=True,
    )
    marks = changes.max_ids(engine)
    store_press(
        engine,
        BACKSTAGE,
        [
            PressReview("Le Canard", "Jean Dupont", None),
            PressReview("Les Inrocks", None, "Une merveille. Vraiment.", rating=4.0),
        ],
        now=T0,
        backlog=False,
    )
    new = changes.new_press_reviews(engine, after_id=marks.press, since=None)
    # The one with a quote first: a link alone says little.
    assert [(r.outlet, r.critic, r.quote, r.rating) for r in new] == [
        ("Les Inrocks", None, "Une merveille. Vraiment.", 4.0),
        ("Le Canard", "Jean Dupont", None, None),
    ]
    assert changes.new_press_reviews(engine, after_id=None, since=T0 - timedelta(hours=24)) == new
    assert sum(changes.new_review_counts(engine, "presse", after_id=None, since=None).values()) == 2


# --- moved averages --------------------------------------------------------------------------------------


def test_a_moved_average_compares_the_newest_snapshot_with_the_one_before_since(engine: Engine) -> None:
    store_spectators(
        engine, MASQUE, [], now=T0 - timedelta(days=3), backlog=True, figures=SiteFigures(2.1, 140)
    )
    store_spectators(
        engine, MASQUE, [], now=T0 - timedelta(days=2), backlog=True, figures=SiteFigures(2.2, 146)
    )
    seed_masque(engine, now=T0)  # 2,3 from 158 ratings
    store_spectators(
        engine, BACKSTAGE, [], now=T0 - timedelta(days=2), backlog=True, figures=SiteFigures(3.1, 40)
    )
    store_spectators(engine, BACKSTAGE, [], now=T0, backlog=True, figures=SiteFigures(3.1, 40))  # unchanged
    newcomer = FilmHint(title="Nouveau", year=2025)
    store_spectators(engine, newcomer, [], now=T0, backlog=True, figures=SiteFigures(4.0, 10))  # no "before"

    (moved,) = changes.moved_films(engine, T0 - timedelta(days=1))
    assert (moved.title, moved.year, moved.average_before, moved.average_after) == (
        "Derrière le masque",
        2006,
        2.2,
        2.3,
    )
    assert (moved.ratings_before, moved.ratings_after, moved.ratings_delta) == (146, 158, 12)
    assert change(moved) == "2,2 → 2,3, +12 notes"
    # Nothing newer than `since`: nothing moved.
    assert changes.moved_films(engine, T0 + timedelta(minutes=1)) == []


def test_only_the_ratings_count_moved(engine: Engine) -> None:
    store_spectators(
        engine, MASQUE, [], now=T0 - timedelta(days=2), backlog=True, figures=SiteFigures(2.3, 170)
    )
    seed_masque(engine, now=T0)
    (moved,) = changes.moved_films(engine, T0 - timedelta(days=1))
    assert change(moved) == "2,3, −12 notes"


# --- the ledger ------------------------------------------------------------------------------------------

# Real Discord snowflakes: they need 64-bit columns.
GUILD, CHANNEL, OTHER_CHANNEL = (
    1_200_000_000_000_000_010,
    1_200_000_000_000_000_020,
    1_200_000_000_000_000_021,
)
DAY = date(2025, 1, 25)


def test_a_day_is_claimed_once(engine: Engine) -> None:
    first = digest_ledger.claim(engine, GUILD, CHANNEL, DAY, T0)
    assert first is not None
    assert digest_ledger.claim(engine, GUILD, CHANNEL, DAY, T0 + timedelta(seconds=1)) is None
    assert digest_ledger.posted_today(engine, GUILD, DAY)
    assert not digest_ledger.posted_today(engine, GUILD, DAY + timedelta(days=1))
    assert not digest_ledger.posted_today(engine, GUILD + 1, DAY)
    # Another server, or the next day, claims its own.
    assert digest_ledger.claim(engine, GUILD + 1, CHANNEL, DAY, T0) not in (None, first)
    assert digest_ledger.claim(engine, GUILD, CHANNEL, DAY + timedelta(days=1), T0) is not None
    row = digest_ledger.get(engine, first)
    assert row is not None and (row.status, row.finished_at, row.spectator_upto) == ("claimed", None, None)


def test_concurrent_claims_have_one_winner(engine: Engine) -> None:
    """Eight threads (as many bot processes would) race for the same day: the database picks one."""
    results: list[int | None] = []
    start = threading.Barrier(8)

    def race() -> None:
        start.wait()
        results.append(digest_ledger.claim(engine, GUILD, CHANNEL, DAY, T0))

    threads = [threading.Thread(target=race) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 8
    assert sum(r is not None for r in results) == 1
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(LEDGER)).scalar_one() == 1


def test_last_digest_is_the_latest_that_covered_its_reviews(engine: Engine) -> None:
    assert digest_ledger.last_digest(engine, GUILD) is None
    posted = digest_ledger.claim(engine, GUILD, CHANNEL, DAY, T0)
    assert posted is not None
    digest_ledger.complete(
        engine, posted, status="posted", message_id=999, spectator_upto=15, press_upto=None, now=T0
    )
    failed = digest_ledger.claim(engine, GUILD, CHANNEL, DAY + timedelta(days=1), T0 + timedelta(days=1))
    assert failed is not None
    digest_ledger.complete(
        engine, failed, status="failed", error="500 boom", spectator_upto=20, press_upto=3, now=T0
    )
    digest_ledger.claim(engine, GUILD, CHANNEL, DAY + timedelta(days=2), T0 + timedelta(days=2))  # crashed
    last = digest_ledger.last_digest(engine, GUILD)
    assert last is not None
    assert (last.id, last.status, last.message_id, last.spectator_upto, last.press_upto) == (
        posted,
        "posted",
        999,
        15,
        None,
    )

    skipped = digest_ledger.claim(
        engine, GUILD, OTHER_CHANNEL, DAY + timedelta(days=3), T0 + timedelta(days=3)
    )
    assert skipped is not None
    digest_ledger.complete(
        engine,
        skipped,
        status="skipped",
        error="403 Missing Permissions",
        spectator_upto=30,
        press_upto=4,
        now=T0,
    )
    last = digest_ledger.last_digest(engine, GUILD)
    assert last is not None and (last.status, last.spectator_upto, last.error) == (
        "skipped",
        30,
        "403 Missing Permissions",
    )
    assert digest_ledger.last_digest(engine, GUILD + 1) is None
