"""Storing parsed pages: exact figures from the seeds, idempotency, updates, rollback, refusals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, Table, func, select

from storage import store
from storage.db.tables import ALIAS, FILM, PRESS, SNAPSHOT, SOURCE, SPECTATOR
from storage.pages import ParsedOutletPage, ParsedSpectatorPage, SiteFigures, SpectatorReview, parse_page
from storage.pages.text import parse_text
from storage.queries import film_stats, find_films, press_reviews, spectator_reviews
from storage.store import AmbiguousFilm, FilmHint, NoFilmNamed, OtherFilm, OutletPage, store_page
from tests.conftest import PLAIN_SEED, PRESS_SEED, SPECTATOR_SEED

MASQUE = FilmHint(
    title="Derrière le masque", year=2006, original_title="Behind the Mask: The Rise of Leslie Vernon"
)
BACKSTAGE = FilmHint(title="Backstage", year=2005)
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "html"


def _store(
    engine: Engine, path: Path, hint: FilmHint | None = None, text: str | None = None
) -> store.StoreReport:
    raw = text if text is not None else path.read_text(encoding="utf-8")
    return store_page(engine, parse_text(raw), location=str(path), raw=raw, hint=hint)


def _count(engine: Engine, table: Table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def _film_id(engine: Engine, title: str) -> int:
    (film,) = find_films(engine, title)
    return film.id


def test_spectator_page_figures_are_stored_exactly(engine: Engine) -> None:
    report = _store(engine, SPECTATOR_SEED, MASQUE)
    assert report.film == "Derrière le masque"
    assert (report.counts["spectateurs"].new, report.counts["spectateurs"].updated) == (15, 0)

    stats = film_stats(engine, _film_id(engine, "derriere le MASQUE"))
    assert stats.year == 2006
    assert stats.site_average == 2.3
    assert stats.site_ratings_count == 158
    assert stats.site_reviews_count == 39
    assert stats.histogram == {"5": 3, "4": 7, "3": 8, "2": 10, "1": 2, "0": 9}
    assert stats.spectator_reviews == 15
    assert stats.rated_reviews == 15
    assert stats.stored_average == 2.53  # 38 / 15
    assert stats.press_reviews == 0 and stats.press_average is None


def test_spectator_reviews_keep_page_order_and_values(engine: Engine) -> None:
    _store(engine, SPECTATOR_SEED, MASQUE)
    reviews = spectator_reviews(engine, _film_id(engine, "Derrière le masque"))
    assert len(reviews) == 15
    assert sum(r.author is None for r in reviews) == 5
    first = reviews[0]
    assert (first.author, first.followers, first.author_reviews) == ("Shawn777", 574, 3461)
    assert (first.rating, first.published) == (3.0, date(2023, 1, 25))
    assert first.as_json()["date"] == "2023-01-25"
    assert [r.rating for r in reviews] == [
        3.0,
        1.0,
        4.0,
        0.5,
        4.0,
        0.5,
        2.0,
        2.0,
        3.5,
        2.5,
        3.0,
        3.0,
        3.5,
        2.0,
        3.5,
    ]
    ollavatelli = next(r for r in reviews if r.author == "ollavatelli")
    assert "\n\nLa première partie du film" in ollavatelli.text
    assert reviews[-1].text.endswith("que j’avais quelque peu deviné.")
    assert "meilleurs films" not in reviews[-1].text.lower()


def test_press_page_is_stored_once_with_link_only_reviews(engine: Engine) -> None:
    report = _store(engine, PRESS_SEED, BACKSTAGE)
    assert report.counts["presse"].new == 24

    film_id = _film_id(engine, "backstage")
    reviews = press_reviews(engine, film_id)
    assert len(reviews) == 24
    link_only = [r for r in reviews if r.quote is None]
    assert [r.outlet for r in link_only] == ["Le Point", "Ciné Live", "Studio Magazine", "L'Express"]
    assert link_only[0].link == "https://www.lepoint.fr"
    le_monde = next(r for r in reviews if r.outlet == "Le Monde")
    assert le_monde.critic == "Jean-Luc Douin"
    assert (le_monde.quote or "").startswith("Qu'elle dénonce le voyeurisme de la télé-réalité")
    stats = film_stats(engine, film_id)
    assert (stats.press_reviews, stats.press_with_quote, stats.press_average) == (24, 20, None)
    assert stats.site_press_count == 24


def test_plain_reviews_join_the_press_film(engine: Engine) -> None:
    _store(engine, PRESS_SEED, BACKSTAGE)
    report = _store(engine, PLAIN_SEED, BACKSTAGE)
    assert report.counts["spectateurs"].new == 11
    stats = film_stats(engine, _film_id(engine, "Backstage"))
    assert (stats.spectator_reviews, stats.rated_reviews, stats.stored_average) == (11, 0, None)
    assert (stats.press_reviews, stats.site_average) == (24, None)


def test_importing_the_same_pages_twice_changes_nothing(engine: Engine) -> None:
    for path, hint in ((SPECTATOR_SEED, MASQUE), (PRESS_SEED, BACKSTAGE), (PLAIN_SEED, BACKSTAGE)):
        _store(engine, path, hint)
    before = {t.name: _count(engine, t) for t in (FILM, SPECTATOR, PRESS, SNAPSHOT, SOURCE)}
    again = [_store(engine, path, hint) for path, hint in ((SPECTATOR_SEED, MASQUE), (PRESS_SEED, BACKSTAGE))]
    assert again[0].counts["spectateurs"].unchanged == 15
    assert again[1].counts["presse"].unchanged == 24
    assert all(c.new == 0 and c.updated == 0 for r in again for c in r.counts.values())
    after = {t.name: _count(engine, t) for t in (FILM, SPECTATOR, PRESS, SNAPSHOT, SOURCE)}
    assert (
        after
        == before
        == {
            "film": 2,
            "spectator_review": 26,
            "press_review": 24,
            "rating_snapshot": 2,
            "source": 3,
        }
    )


def test_an_edited_review_is_updated_not_duplicated(engine: Engine) -> None:
    _store(engine, SPECTATOR_SEED, MASQUE)
    original = SPECTATOR_SEED.read_text(encoding="utf-8")
    edited = original.replace("Dommage, l'idée de départ est plutôt sympa.", "Dommage, l'idée était bonne.")
    assert edited != original
    report = _store(engine, SPECTATOR_SEED, MASQUE, text=edited)
    counts = report.counts["spectateurs"]
    assert (counts.new, counts.updated, counts.unchanged) == (0, 1, 14)
    reviews = spectator_reviews(engine, _film_id(engine, "Derrière le masque"))
    assert len(reviews) == 15
    tof = reviews[1]
    assert tof.author == "Tof Benjamin"  # kept its place in page order
    assert tof.text.endswith("Dommage, l'idée était bonne.")
    # A new version of the page is a new observation of the site's figures.
    assert _count(engine, SNAPSHOT) == 2


def test_a_failing_page_rolls_back_entirely(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disque plein")

    monkeypatch.setattr(store, "merge_reviews", explode)
    with pytest.raises(RuntimeError):
        _store(engine, SPECTATOR_SEED, MASQUE)
    assert _count(engine, FILM) == 0
    assert _count(engine, SOURCE) == 0
    assert _count(engine, SNAPSHOT) == 0


def test_a_page_without_a_film_name_is_refused_clearly(engine: Engine) -> None:
    with pytest.raises(NoFilmNamed):
        _store(engine, PRESS_SEED)
    assert _count(engine, FILM) == 0


def test_a_page_about_another_film_is_refused(engine: Engine) -> None:
    with pytest.raises(OtherFilm) as refused:
        _store(engine, SPECTATOR_SEED, BACKSTAGE)
    assert refused.value.params == {"page_title": "Derrière le masque", "expected": "Backstage"}


def test_an_outlet_page_is_never_stored_as_a_film(engine: Engine) -> None:
    page = ParsedOutletPage(outlet="Le Figaro", reviews=[])
    with pytest.raises(OutletPage) as refused:
        store_page(engine, page, location="x", raw="x", hint=BACKSTAGE)
    assert refused.value.outlet == "Le Figaro"
    assert _count(engine, FILM) == 0


def test_original_title_is_an_alias(engine: Engine) -> None:
    _store(engine, SPECTATOR_SEED, MASQUE)
    (film,) = find_films(engine, "behind the mask  the rise of leslie vernon")
    assert film.title == "Derrière le masque"


def test_two_films_with_one_title_need_a_year(engine: Engine) -> None:
    _store(engine, PRESS_SEED, BACKSTAGE)
    _store(engine, PLAIN_SEED, FilmHint(title="Backstage", year=2017))
    assert len(find_films(engine, "Backstage")) == 2
    with pytest.raises(AmbiguousFilm) as refused:
        _store(engine, PLAIN_SEED, FilmHint(title="Backstage"))
    assert refused.value.params == {"title": "Backstage", "years": [2005, 2017]}


def test_a_films_first_reviews_are_backlog_and_later_ones_news(engine: Engine) -> None:
    original = SPECTATOR_SEED.read_text(encoding="utf-8")
    # The first page read for a film is its backlog: the digest will not announce it.
    without_shawn = original.replace("Shawn777", "Shawn777 bis")  # a new author: a new review
    store_page(
        engine,
        parse_text(original),
        location="v1",
        raw=original,
        hint=MASQUE,
        now=datetime(2023, 1, 20, tzinfo=UTC),  # before its reviews were written
    )
    later = datetime(2023, 1, 26, tzinfo=UTC)
    report = store_page(
        engine, parse_text(without_shawn), location="v2", raw=without_shawn, hint=MASQUE, now=later
    )
    assert report.counts["spectateurs"].new == 1
    with engine.connect() as conn:
        rows = conn.execute(select(SPECTATOR.c.author, SPECTATOR.c.backlog, SPECTATOR.c.first_seen_at)).all()
    news = [(author, seen) for author, backlog, seen in rows if not backlog]
    assert len(rows) == 16
    assert [author for author, _seen in news] == ["Shawn777 bis"]
    assert news[0][1].replace(tzinfo=UTC) == later
    # An updated review keeps the day it was first seen.
    assert {seen.replace(tzinfo=UTC) for _a, backlog, seen in rows if backlog} == {
        datetime(2023, 1, 20, tzinfo=UTC)
    }


def test_explicit_backlog_overrides_the_default(engine: Engine) -> None:
    raw = PRESS_SEED.read_text(encoding="utf-8")
    store_page(engine, parse_text(raw), location="p", raw=raw, hint=BACKSTAGE, backlog=False)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).where(PRESS.c.backlog.is_(False))).scalar_one() == 24


@pytest.mark.parametrize("control", ["\x00", "\x1b", "\x85"])
def test_control_characters_in_a_page_or_a_name_are_never_stored(engine: Engine, control: str) -> None:
    """PostgreSQL refuses NUL in text: one byte deep in a page used to lose the whole page there."""
    html = (FIXTURES / "spectateurs_derriere_le_masque.html").read_text(encoding="utf-8")
    cut = html.index("</body>") - 10
    assert cut > 4096
    poisoned = html[:cut] + control + html[cut:]
    poisoned = poisoned.replace("Shawn777", f"Shawn{control}777", 1)
    hint = FilmHint(title=f"Derrière{control} le masque", year=2006)
    report = store_page(engine, parse_page(poisoned), location="x", raw=poisoned, hint=hint)
    assert report.counts["spectateurs"].new > 0
    with engine.connect() as conn:
        texts = [*conn.scalars(select(SPECTATOR.c.text)), *conn.scalars(select(SPECTATOR.c.author))]
        titles = [*conn.scalars(select(FILM.c.title)), *conn.scalars(select(ALIAS.c.alias))]
    assert all(control not in t for t in [*texts, *titles] if t)
    assert "Derrière le masque" in titles


def test_reviews_older_than_the_films_first_read_are_never_news(engine: Engine) -> None:
    """On demand reads a film's newest page only: a later refresh that goes on to older pages finds
    reviews written before that first read, and those are its backlog, not news for the digest."""
    first_read = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

    def page(*reviews: tuple[str, date]) -> ParsedSpectatorPage:
        listed = [
            SpectatorReview(author=a, rating=3.0, published=d, text=f"Avis de {a}.") for a, d in reviews
        ]
        return ParsedSpectatorPage(title="Lu à la demande", figures=SiteFigures(), reviews=listed)

    hint = FilmHint(title="Lu à la demande", allocine_id=5)
    store_page(
        engine, page(("Première", date(2026, 11, 19))), location="p1", raw="p1", hint=hint, now=first_read
    )
    later = page(("Nouvelle", date(2026, 11, 25)), ("Ancienne", date(2026, 10, 2)), ("Sans date", None))  # type: ignore[arg-type]
    store_page(
        engine, later, location="p2", raw="p2", hint=hint, now=first_read + timedelta(days=6), backlog=False
    )
    with engine.connect() as conn:
        backlog = dict(conn.execute(select(SPECTATOR.c.author, SPECTATOR.c.backlog)).all())
    assert backlog == {"Première": True, "Ancienne": True, "Nouvelle": False, "Sans date": False}
