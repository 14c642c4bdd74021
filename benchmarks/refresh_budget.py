"""Keeping 20 000 followed films current within the request budget: the refresh policy against today's
fixed interval, on the same simulated week.

    .venv/bin/python benchmarks/refresh_budget.py            # 20 000 films, a week after a week's warm-up
    .venv/bin/python benchmarks/refresh_budget.py --quick    # 2 000 films, a day after a day (the tests)

The films (seeded): about 5 % in theatres (released in the last three weeks, 12 to 72 new reviews a
day), 20 % with a few a week (1 to 6), the rest dormant (a review every 20 weeks on average, some never).
Reviews arrive as a Poisson process per film. Servers following a film: more for films in theatres.

A read costs what the real refresher spends (storage/refresher.py): spectator pages newest first until
one with nothing new (15 reviews a page, at most 5 pages: older new reviews are lost), then the press
page; a page that has not changed comes back 304, a request all the same. A review arrives when its
film's read ends.

- **policy**: storage/refresh_policy.py under a simulated clock: the picker gives the next due film,
  each request waits for the budget (default 1 500 an hour, 10 % kept for on-demand reads), the read's
  result sets the film's next read. `--asks-per-hour` on-demand asks of random films go to the front
  and spend the reserved share.
- **baseline**: today's refresher: every `--baseline-hours`, the films in watchlist order, one request
  every 2 s, no film begun once the interval is over (the next run starts where this one stopped).

Both start a `--warmup-days` before the measured week (every film last read then), so that neither is
measured on its cold start, and go on `--drain-days` after it, so that the week's last reviews can arrive.
Delays are those of the reviews published during the measured week. Targets: p95 ≤ 6 h for films in
theatres, ≤ 48 h for the others, never over the budget, the picker's work ≤ 1 ms per film read.
"""

from __future__ import annotations

import argparse
import bisect
import random
import statistics
import sys
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import Cell, parse_args, percentile, print_figures, print_table
from storage.refresh_policy import (
    DAY,
    HOUR,
    WEEK,
    BudgetSettings,
    FilmFacts,
    FilmSchedule,
    Picker,
    PolicySettings,
    ReadResult,
    RequestBudget,
    after_read,
    lead,
    to_front,
)

QUICK = {"films": 2000, "warmup_days": 1.0, "days": 1.0, "drain_days": 0.5}
CLASSES = ("en salles", "quelques/semaine", "dormants")
PER_PAGE = 15  # reviews on a spectator page
MAX_PAGES = 5  # allocine_max_pages


@dataclass
class Film:
    kind: int  # index in CLASSES
    facts: FilmFacts
    published: list[float]  # its reviews' publication times, sorted
    fetched: int = 0  # reviews published before this index have been read (or lost)


@dataclass
class Outcome:
    """One run's measures: delays (hours) per class, lost reviews per class, requests and their times."""

    delays: list[list[float]] = field(default_factory=lambda: [[], [], []])
    lost: list[int] = field(default_factory=lambda: [0, 0, 0])
    requests: int = 0  # during the measured week
    reads: int = 0  # during the measured week
    peak: int = 0  # most requests in any hour
    pick_seconds: float = 0.0  # the picker's and the policy's own work, over the whole simulation…
    picks: int = 0  # …and the films read in it


def make_films(count: int, start: float, end: float, week: float, rng: random.Random) -> list[Film]:
    """`count` films, their reviews published between `start` and `end`; films in theatres were released
    in the three weeks before `week`, the measured week's start."""
    films = []
    for _ in range(count):
        draw = rng.random()
        if draw < 0.05:
            kind, per_hour = 0, rng.uniform(12, 72) / 24
            released = week - rng.uniform(0, 3 * WEEK)
        elif draw < 0.25:
            kind, per_hour = 1, rng.uniform(1, 6) / WEEK * HOUR
            released = start - rng.uniform(10 * WEEK, 60 * 52 * WEEK)
        else:
            kind, per_hour = 2, rng.expovariate(1 / 0.05) / WEEK * HOUR
            released = start - rng.uniform(52 * WEEK, 60 * 52 * WEEK)
        followers = 1 + int(rng.expovariate(1 / (4.0 if kind == 0 else 0.6)))
        published: list[float] = []
        t = max(start, released)
        while per_hour > 0:
            t += rng.expovariate(per_hour) * HOUR
            if t >= end:
                break
            published.append(t)
        films.append(Film(kind, FilmFacts(released=released, followers=followers), published))
    return films


def read(film: Film, began: float, ended: float, measured: tuple[float, float], outcome: Outcome) -> int:
    """Read `film` at `began` (its reviews arrive at `ended`): the new reviews it found."""
    upto = bisect.bisect_right(film.published, began)
    new = upto - film.fetched
    kept = min(new, MAX_PAGES * PER_PAGE)
    low, high = measured
    for index in range(film.fetched, upto):
        published = film.published[index]
        if low <= published < high:
            if index >= upto - kept:
                outcome.delays[film.kind].append((ended - published) / HOUR)
            else:
                outcome.lost[film.kind] += 1
    film.fetched = upto
    return new


def cost(new: int) -> int:
    """Requests of one read: spectator pages until one with nothing new (the first 304 when nothing
    changed), at most MAX_PAGES, and the press page."""
    return min(MAX_PAGES, new // PER_PAGE + 1) + 1


def unread(films: Sequence[Film], measured: tuple[float, float], outcome: Outcome) -> None:
    """Reviews of the measured week still unread at the end: counted as lost."""
    for film in films:
        outcome.lost[film.kind] += sum(measured[0] <= p < measured[1] for p in film.published[film.fetched :])


def run_policy(
    films: list[Film],
    begin: float,
    end: float,
    measured: tuple[float, float],
    asks_per_hour: float,
    seed: int,
    settings: PolicySettings | None = None,
) -> Outcome:
    settings = settings or PolicySettings()
    budget = RequestBudget(BudgetSettings())
    rng = random.Random(seed)
    outcome = Outcome()
    picker = Picker()
    schedules: dict[int, FilmSchedule] = {}
    for film_id, film in enumerate(films):
        # As if read just before the warm-up, spread over the first hours.
        schedules[film_id] = FilmSchedule(
            film_id,
            next_read=begin + rng.uniform(0, settings.first_interval),
            interval=settings.first_interval,
        )
        picker.schedule(schedules[film_id], lead(schedules[film_id], film.facts, begin, settings))
    asked: set[int] = set()
    next_ask = begin + rng.expovariate(asks_per_hour) * HOUR if asks_per_hour > 0 else end
    now = begin
    while now < end:
        if now >= next_ask:
            film_id = rng.randrange(len(films))
            schedules[film_id] = to_front(schedules[film_id], now)
            picker.schedule(schedules[film_id], settings.front_lead)
            asked.add(film_id)
            next_ask += rng.expovariate(asks_per_hour) * HOUR
        clock = time.perf_counter()
        picked = picker.pick(now)
        outcome.pick_seconds += time.perf_counter() - clock
        if picked is None:
            due = picker.next_due()
            now = min(next_ask, due if due is not None else end)
            continue
        film, on_demand = films[picked], picked in asked
        asked.discard(picked)
        began = now = budget.earliest(now, on_demand=on_demand)
        new = bisect.bisect_right(film.published, began) - film.fetched
        for _ in range(cost(new)):
            now = budget.earliest(now, on_demand=on_demand)
            budget.spend(now, on_demand=on_demand)
            outcome.peak = max(outcome.peak, budget.used(now))
            outcome.requests += measured[0] <= now < measured[1]
        read(film, began, now, measured, outcome)
        outcome.reads += measured[0] <= now < measured[1]
        outcome.picks += 1
        clock = time.perf_counter()
        schedules[picked] = after_read(
            schedules[picked], ReadResult(at=now, new_reviews=new), film.facts, settings
        )
        picker.schedule(schedules[picked], lead(schedules[picked], film.facts, now, settings))
        outcome.pick_seconds += time.perf_counter() - clock
    unread(films, measured, outcome)
    return outcome


def run_baseline(
    films: list[Film], begin: float, end: float, measured: tuple[float, float], every: float, gap: float
) -> Outcome:
    outcome = Outcome()
    window: deque[float] = deque()
    position = 0
    run_start = begin
    while run_start < end:
        now, run_end = run_start, run_start + every
        for _ in range(len(films)):  # each film once a run, none begun once the interval is over
            if now >= run_end:
                break
            film = films[position]
            position = (position + 1) % len(films)
            began = now
            new = bisect.bisect_right(film.published, began) - film.fetched
            for _ in range(cost(new)):
                window.append(now)
                while window[0] <= now - HOUR:
                    window.popleft()
                outcome.peak = max(outcome.peak, len(window))
                outcome.requests += measured[0] <= now < measured[1]
                now += gap
            read(film, began, now - gap, measured, outcome)
            outcome.reads += measured[0] <= began < measured[1]
        run_start = max(run_end, now)
    unread(films, measured, outcome)
    return outcome


def figures_of(outcome: Outcome, kinds: Sequence[int]) -> tuple[int, float | None, float | None, int]:
    """Reviews, median and p95 delay (hours), lost, over the classes `kinds`."""
    delays = [d for kind in kinds for d in outcome.delays[kind]]
    lost = sum(outcome.lost[kind] for kind in kinds)
    if not delays:
        return 0, None, None, lost
    return len(delays), statistics.median(delays), percentile(delays, 95), lost


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--films", type=int, default=20_000)
    parser.add_argument("--days", type=float, default=7.0, help="the measured stretch")
    parser.add_argument("--warmup-days", type=float, default=7.0)
    parser.add_argument("--drain-days", type=float, default=2.0)
    parser.add_argument("--asks-per-hour", type=float, default=20.0, help="on-demand asks (policy only)")
    parser.add_argument("--baseline-hours", type=float, default=6.0, help="refresh_every_hours")
    parser.add_argument("--baseline-gap", type=float, default=2.0, help="allocine_delay, seconds")
    parser.add_argument("--seed", type=int, default=12)
    args = parse_args(parser, argv, QUICK)

    begin = 0.0
    measured = (args.warmup_days * DAY, (args.warmup_days + args.days) * DAY)
    end = measured[1] + args.drain_days * DAY

    def corpus() -> list[Film]:
        return make_films(args.films, begin, end, measured[0], random.Random(args.seed))

    films = corpus()
    counts = [sum(f.kind == k for f in films) for k in range(3)]
    policy = run_policy(films, begin, end, measured, args.asks_per_hour, args.seed)
    baseline = run_baseline(corpus(), begin, end, measured, args.baseline_hours * HOUR, args.baseline_gap)
    budget = BudgetSettings().per_hour

    rows: list[list[Cell]] = []
    for name, outcome in (("politique", policy), ("intervalle fixe", baseline)):
        for kind, label in enumerate(CLASSES):
            reviews, median, p95, lost = figures_of(outcome, [kind])
            rows.append([f"{name}: {label}", counts[kind], reviews, median, p95, lost])
    print_table(
        ("", "films", "avis", "médiane h", "p95 h", "perdus*"),
        rows,
        title=f"Délai publication → base, semaine mesurée ({args.films} films)",
    )
    print()
    print_table(
        ("", "lectures", "requêtes", "pic/h", "pic / budget"),
        [
            [name, o.reads, o.requests, o.peak, o.peak / budget]
            for name, o in (("politique", policy), ("intervalle fixe", baseline))
        ],
        title=f"Lectures et requêtes de la semaine mesurée; pic: toute heure glissante, budget {budget}/h",
    )
    active = figures_of(policy, [0])
    other = figures_of(policy, [1, 2])
    base_active = figures_of(baseline, [0])
    base_other = figures_of(baseline, [1, 2])
    pick_ms = policy.pick_seconds * 1000 / max(1, policy.picks)
    print("* perdus: au-delà de la 5e page d'une lecture, ou pas encore lus à la fin de la simulation")
    print(f"\nchoix du film suivant: {pick_ms:.4f} ms par film lu")
    print_figures(
        {
            "films": args.films,
            "active_p95_h": round(active[2] or 0.0, 2),
            "other_p95_h": round(other[2] or 0.0, 2),
            "baseline_active_p95_h": round(base_active[2] or 0.0, 2),
            "baseline_other_p95_h": round(base_other[2] or 0.0, 2),
            "requests": policy.requests,
            "baseline_requests": baseline.requests,
            "budget": budget,
            "budget_peak_use": round(policy.peak / budget, 3),
            "baseline_budget_peak_use": round(baseline.peak / budget, 3),
            "lost": sum(policy.lost),
            "baseline_lost": sum(baseline.lost),
            "pick_ms_per_film": round(pick_ms, 4),
        }
    )


if __name__ == "__main__":
    main()
