"""Two `critibot refresh` processes on one PostgreSQL database against the fake AlloCiné, as an operator
runs them: every followed film read, none twice in a round, the hour's budget held by both together."""

from __future__ import annotations

import asyncio
import os
import re
import sys
import time
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from storage import follows
from storage import refresh_queue as rq
from storage.pages import ParsedSpectatorPage, SiteFigures, SpectatorReview
from storage.store import FilmHint, store_page
from tests.doubles.fakeallocine import FakeAllocine, Hold, spectator_html

CRITIBOT = Path(sys.executable).parent / "critibot"
GUILD = 333_333_333_333_333_333
FILMS = 24
FIRST_READ = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def spectator_path(allocine_id: int) -> str:
    return f"/film/fichefilm-{allocine_id}/critiques/spectateurs/recentes/"


def review(n: int, k: int) -> SpectatorReview:
    return SpectatorReview(
        author=f"Membre {n}-{k}", rating=3.0, published=date(2026, 10, 30), text=f"Avis {k} sur le film {n}."
    )


def follow_films(engine: Engine, site: FakeAllocine) -> list[int]:
    """FILMS films read once before (their rows exist), followed by a server: queued, due, at the front.
    The site has one new review on each."""
    allocine_ids = []
    for n in range(FILMS):
        allocine_id = 9000 + n
        page = ParsedSpectatorPage(
            title=f"Film {n}", figures=SiteFigures(average=3.0, ratings_count=5), reviews=[review(n, 0)]
        )
        hint = FilmHint(title=f"Film {n}", year=2000 + n % 20, allocine_id=allocine_id)
        stored = store_page(engine, page, location="before", raw="before", hint=hint, now=FIRST_READ)
        assert follows.follow(engine, GUILD, stored.film_id, None, FIRST_READ)
        site.set_page(
            spectator_path(allocine_id),
            spectator_html(
                f"Film {n}",
                average=3.0,
                ratings_count=6,
                reviews_count=2,
                histogram={3: 2},
                reviews=[
                    {
                        "author": f"Membre {n}-1",
                        "rating": 3.0,
                        "published": date(2026, 11, 2),
                        "text": f"Avis 1 sur le film {n}.",
                    },
                    {
                        "author": f"Membre {n}-0",
                        "rating": 3.0,
                        "published": date(2026, 10, 30),
                        "text": f"Avis 0 sur le film {n}.",
                    },
                ],
                allocine_id=allocine_id,
            ),
        )  # no press page: a 404, one request
        allocine_ids.append(allocine_id)
    return allocine_ids


async def two_refreshers(
    engine: Engine, site: FakeAllocine, tmp_path: Path, *, hold: list[str], **settings: str
) -> list[str]:
    """Run two `critibot refresh` at once; the paths in `hold` are answered once both have asked one, so
    that both are surely reading side by side. Their outputs."""
    watchlist = tmp_path / "films.toml"
    watchlist.write_text("", encoding="utf-8")  # the films are the server's follows
    env = {
        **os.environ,
        "CRITIBOT_WATCHLIST": str(watchlist),
        "CRITIBOT_INBOX_DIRS": f'["{tmp_path / "inbox"}"]',
        "CRITIBOT_ALLOCINE_BASE_URL": site.base_url,
        "CRITIBOT_ALLOCINE_DELAY": "0",
        "CRITIBOT_ALLOCINE_MAX_PAGES": "1",
        **{f"CRITIBOT_{key.upper()}": value for key, value in settings.items()},
    }
    release = asyncio.Event()
    for path in hold:
        site.script(path, Hold(release))
    url = engine.url.render_as_string(hide_password=False)
    processes = [
        await asyncio.create_subprocess_exec(
            str(CRITIBOT),
            "refresh",
            "--db",
            url,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        for _ in range(2)
    ]
    deadline = time.monotonic() + 60
    while sum(len(site.requests_for(path)) for path in hold) < len(hold):
        assert time.monotonic() < deadline, "the two refreshers did not both begin"
        await asyncio.sleep(0.05)
    release.set()
    outputs = []
    for process in processes:
        output, _ = await asyncio.wait_for(process.communicate(), 120)
        assert process.returncode == 0, output.decode()
        outputs.append(output.decode())
    return outputs


def films_read(output: str) -> list[str]:
    return re.findall(r"✓ (Film \d+) \(", output)


@pytest.fixture
def postgres_engine(engine: Engine) -> Engine:
    if engine.dialect.name != "postgresql":
        pytest.skip("several refreshers share a PostgreSQL database; SQLite runs one")
    return engine


async def test_two_refreshers_read_every_film_once_between_them(
    postgres_engine: Engine, fake_allocine: FakeAllocine, tmp_path: Path
) -> None:
    engine = postgres_engine
    allocine_ids = follow_films(engine, fake_allocine)
    # The two films claimed first (front, then by film): one in each process, held until both asked.
    outputs = await two_refreshers(
        engine,
        fake_allocine,
        tmp_path,
        hold=[spectator_path(allocine_ids[0]), spectator_path(allocine_ids[1])],
    )
    per_process = [films_read(output) for output in outputs]
    assert all(per_process), outputs  # both read films
    everything = Counter(title for titles in per_process for title in titles)
    assert set(everything) == {f"Film {n}" for n in range(FILMS)}  # every film read…
    assert set(everything.values()) == {1}  # …by one process only
    asked = Counter(request.path for request in fake_allocine.requests)
    assert {asked[spectator_path(allocine_id)] for allocine_id in allocine_ids} == {1}  # none twice
    now = datetime.now(UTC)
    state = rq.queue_state(engine, now)
    assert (state.films, state.late, state.reading, state.failing) == (FILMS, 0, 0, 0)
    assert state.requests_last_hour == len(fake_allocine.requests) == 2 * FILMS  # a page and a 404 each


async def test_two_refreshers_hold_the_budget_together(
    postgres_engine: Engine, fake_allocine: FakeAllocine, tmp_path: Path
) -> None:
    engine = postgres_engine
    allocine_ids = follow_films(engine, fake_allocine)
    # 14 requests an hour, 4 kept for on-demand reads: 10 for the refresh, 5 films of 2 requests.
    outputs = await two_refreshers(
        engine,
        fake_allocine,
        tmp_path,
        hold=[spectator_path(allocine_ids[0]), spectator_path(allocine_ids[1])],
        allocine_requests_per_hour="14",
        ondemand_requests_per_hour_total="4",
    )
    read = [title for output in outputs for title in films_read(output)]
    assert len(read) == len(set(read)) >= 4  # five films of two requests, or four and one cut short
    spent = rq.requests_in_last_hour(engine, datetime.now(UTC))
    assert len(fake_allocine.requests) == spent and 9 <= spent <= 10  # 10 at most, both together
    asked = Counter(request.path for request in fake_allocine.requests)
    assert max(asked[spectator_path(allocine_id)] for allocine_id in allocine_ids) == 1
    assert all("budget de requêtes atteint (14 par heure" in output for output in outputs), outputs
    state = rq.queue_state(engine, datetime.now(UTC))
    assert state.reading == 0 and state.late >= FILMS - 5  # the others wait for the next hour
