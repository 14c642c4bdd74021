"""The refresh policy under a fake clock: plain floats for `now`, nothing else."""

from __future__ import annotations

import itertools
import random

import pytest

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
    cap,
    first_schedule,
    lead,
    to_front,
)

SETTINGS = PolicySettings()
DORMANT = FilmFacts(released=0.0, followers=1)
START = 100 * WEEK  # the fake clock's start, long after DORMANT's release


def read_again(schedule: FilmSchedule, new: int, facts: FilmFacts = DORMANT) -> FilmSchedule:
    return after_read(schedule, ReadResult(at=schedule.next_read, new_reviews=new), facts, SETTINGS)


def test_new_reviews_bring_the_next_read_sooner_and_nothing_new_later_up_to_the_caps() -> None:
    start = after_read(first_schedule(1, START, SETTINGS), ReadResult(at=START), DORMANT, SETTINGS)
    busy = read_again(start, new=30)
    quiet = read_again(start, new=0)
    assert busy.next_read - busy.last_read < start.interval < quiet.next_read - quiet.last_read  # type: ignore[operator]
    schedule = start
    intervals = []
    for _ in range(40):
        schedule = read_again(schedule, new=0)
        intervals.append(schedule.interval)
    assert intervals == sorted(intervals) and intervals[-1] == SETTINGS.max_interval
    for _ in range(10):
        schedule = read_again(schedule, new=500)
    assert schedule.interval == SETTINGS.min_interval


def test_recent_and_popular_films_are_capped() -> None:
    recent = FilmFacts(released=START - WEEK, followers=1)
    popular = FilmFacts(released=0.0, followers=SETTINGS.popular_followers)
    assert cap(recent, START, SETTINGS) == SETTINGS.recent_max_interval
    assert cap(popular, START, SETTINGS) == SETTINGS.popular_max_interval
    assert cap(recent, START + 10 * WEEK, SETTINGS) == SETTINGS.max_interval  # out of theatres
    schedule = first_schedule(1, START, SETTINGS)
    for _ in range(20):
        schedule = read_again(schedule, new=0, facts=recent)
    assert schedule.interval == SETTINGS.recent_max_interval


def test_a_new_follow_jumps_the_queue() -> None:
    picker = Picker()
    for film in range(1, 101):
        picker.schedule(FilmSchedule(film, next_read=START - film * HOUR, interval=DAY))
    picker.schedule(first_schedule(500, START, SETTINGS), lead=SETTINGS.front_lead)
    asked = to_front(FilmSchedule(501, next_read=START + WEEK, interval=WEEK), START)
    picker.schedule(asked, lead(asked, DORMANT, START, SETTINGS))
    assert [picker.pick(START) for _ in range(3)] == [500, 501, 100]  # then the most overdue


def test_the_picker_reads_the_most_overdue_first_and_not_before_due() -> None:
    picker = Picker()
    picker.schedule(FilmSchedule(1, next_read=START - HOUR, interval=DAY))
    picker.schedule(FilmSchedule(2, next_read=START - 3 * HOUR, interval=DAY))
    picker.schedule(FilmSchedule(3, next_read=START - 2 * HOUR, interval=DAY), lead=2 * HOUR)
    picker.schedule(FilmSchedule(4, next_read=START + HOUR, interval=DAY))
    assert [picker.pick(START) for _ in range(4)] == [3, 2, 1, None]
    assert picker.next_due() == START + HOUR
    picker.schedule(
        FilmSchedule(4, next_read=START + 2 * HOUR, interval=DAY)
    )  # rescheduled: older entry gone
    assert picker.pick(START + HOUR) is None
    assert picker.pick(START + 2 * HOUR) == 4 and len(picker) == 0


def test_a_failed_film_backs_off_is_reported_and_delays_no_other() -> None:
    facts = {1: DORMANT, 2: DORMANT}
    schedules = {f: FilmSchedule(f, next_read=START, interval=6 * HOUR) for f in facts}
    picker = Picker()
    for schedule in schedules.values():
        picker.schedule(schedule)
    now, waits, reads_of_2 = START, [], []
    while now < START + 2 * DAY:
        film = picker.pick(now)
        if film is None:
            now = picker.next_due() or now
            continue
        result = ReadResult(at=now, failed=film == 1)
        schedules[film] = after_read(schedules[film], result, facts[film], SETTINGS)
        if film == 1:
            waits.append(schedules[1].next_read - now)
        else:
            reads_of_2.append(now - START)
        picker.schedule(schedules[film])
    assert waits[:3] == [HOUR, 2 * HOUR, 4 * HOUR] and max(waits) == SETTINGS.failure_max
    assert schedules[1].reported(SETTINGS) and schedules[1].interval == 6 * HOUR
    expected, interval = [0.0], 6 * HOUR  # its own pace, as if film 1 were fine
    while expected[-1] + (interval := interval * SETTINGS.backoff) < 2 * DAY:
        expected.append(expected[-1] + interval)
    assert reads_of_2 == expected
    assert not schedules[2].reported(SETTINGS)
    after = after_read(schedules[1], ReadResult(at=now, new_reviews=1), DORMANT, SETTINGS)
    assert after.failures == 0


def simulate_day(seed: int) -> tuple[list[float], list[int]]:
    """A day of reads of 20 000 films under the default budget: the requests' times, the films read."""
    rng = random.Random(seed)
    budget = RequestBudget(BudgetSettings())
    picker = Picker()
    schedules = {}
    for film in range(20_000):
        schedules[film] = FilmSchedule(film, next_read=START + rng.uniform(0, DAY / 2), interval=DAY)
        picker.schedule(schedules[film])
    now, sent, read = START, [], []
    while now < START + DAY:
        on_demand = rng.random() < 0.05
        if on_demand:
            film = rng.randrange(20_000)
            picker.schedule(to_front(schedules[film], now), SETTINGS.front_lead)
        film_or_none = picker.pick(now)
        if film_or_none is None:
            now = max(now + 1, picker.next_due() or now)
            continue
        read.append(film_or_none)
        new = rng.choice([0, 0, 0, 3, 40])
        for _ in range(min(5, new // 15 + 1) + 1):  # spectator pages, then the press page
            now = budget.earliest(now, on_demand=on_demand)
            budget.spend(now, on_demand=on_demand)
            sent.append(now)
        schedules[film_or_none] = after_read(
            schedules[film_or_none], ReadResult(at=now, new_reviews=new), DORMANT, SETTINGS
        )
        picker.schedule(schedules[film_or_none])
    return sent, read


def test_the_budget_is_never_exceeded_over_a_simulated_day_and_the_plan_is_deterministic() -> None:
    sent, read = simulate_day(7)
    limit = BudgetSettings().per_hour
    assert len(sent) > BudgetSettings().scheduled_limit * 23  # the budget was the bottleneck
    start = 0
    for end, at in enumerate(sent):  # every window of one hour ending at a request
        while sent[start] <= at - HOUR:
            start += 1
        assert end - start + 1 <= limit
    assert all(b - a >= BudgetSettings().gap - 1e-6 for a, b in itertools.pairwise(sent))
    assert simulate_day(7) == (sent, read)


def test_scheduled_reads_leave_the_reserved_share_to_on_demand_ones() -> None:
    settings = BudgetSettings(per_hour=100, on_demand_share=0.2)
    budget = RequestBudget(settings)
    now = 0.0
    for _ in range(settings.scheduled_limit):
        now = budget.earliest(now)
        budget.spend(now)
    assert budget.earliest(now) >= HOUR  # scheduled reads wait for the window to move on
    assert budget.earliest(now, on_demand=True) == now + settings.gap
    with pytest.raises(ValueError):
        budget.spend(now + settings.gap)


def test_an_unfollowed_film_leaves_the_plan() -> None:
    picker = Picker()
    assert picker.next_due() is None and picker.pick(START) is None
    picker.schedule(FilmSchedule(1, next_read=START, interval=DAY))
    picker.schedule(FilmSchedule(2, next_read=START + HOUR, interval=DAY))
    picker.remove(1)
    assert picker.next_due() == START + HOUR
    assert picker.pick(START + HOUR) == 2 and picker.pick(START + WEEK) is None


def test_a_weekly_film_waits_for_an_hourly_one_due_later_when_the_budget_is_short() -> None:
    weekly = FilmSchedule(1, next_read=START - 2 * HOUR, interval=WEEK)
    hourly = FilmSchedule(2, next_read=START - HOUR, interval=HOUR)
    picker = Picker()
    for schedule in (weekly, hourly):
        picker.schedule(schedule, lead(schedule, DORMANT, START, SETTINGS))
    assert [picker.pick(START), picker.pick(START)] == [2, 1]
