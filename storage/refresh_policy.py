"""When to read each followed film again, how many requests per hour, and in what order: pure code.

No database, no HTTP, no clock of its own: every function takes `now`, in seconds (POSIX timestamps as
floats), so a fake clock drives it deterministically. The refresher keeps a `FilmSchedule` per film
(the queue of issue 12 stores it), asks the `Picker` for the next film, spends its requests through the
`RequestBudget`, and gives what the read found to `after_read`.

Rules (every constant is a `PolicySettings` field):
- a read that found new reviews sets the interval so that about `target_new_per_read` reviews wait for
  the next read (the film's own rate), between `min_interval` (hourly) and `active_max_interval`;
- a read that found nothing (304, or pages with nothing new) multiplies the interval by `backoff`, up to
  `max_interval` (weekly);
- caps: a film released in the last `recent_release` is read at least every `recent_max_interval`, a
  film followed by `popular_followers` servers or more at least every `popular_max_interval`;
- a failed read retries after `failure_first`, doubled at each failure in a row up to `failure_max`,
  without touching the film's interval (and from `report_after` failures in a row it is reported);
- a new follow or an on-demand ask makes the film due now, ahead of every other (`front_lead`);
- among due films, the most overdue first, a priority film counting as overdue by its lead more and
  a film with a long interval by `slack_share` of it less (earliest deadline first).
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from dataclasses import dataclass, replace

HOUR = 3600.0
DAY = 24 * HOUR
WEEK = 7 * DAY


@dataclass(frozen=True)
class PolicySettings:
    """The policy's constants, in seconds unless said otherwise (settings-ready: plain fields)."""

    min_interval: float = HOUR  # never read a film more often
    first_interval: float = 6 * HOUR  # after a film's first read, when its pace is unknown
    target_new_per_read: float = 6.0  # new reviews a read should find: well within one page of 15
    active_max_interval: float = DAY  # a film that just had new reviews is read again within this
    backoff: float = 1.25  # each read with nothing new multiplies the interval by this
    max_interval: float = WEEK  # a dormant film is still read weekly
    recent_release: float = 4 * WEEK  # a film released this recently is "in theatres"…
    recent_max_interval: float = 3 * HOUR  # …and read at least this often
    popular_followers: int = 5  # a film followed by this many servers or more…
    popular_max_interval: float = 12 * HOUR  # …is read at least this often
    popular_lead: float = HOUR  # and counts as overdue by this much more when due
    recent_lead: float = HOUR  # same for a recent release
    front_lead: float = 10 * WEEK  # a new follow or an on-demand ask: before any other due film
    # Earliest deadline first when the budget cannot keep up: a due film's deadline is its next read plus
    # this share of its interval, so a weekly film waits before an hourly one is late by much.
    slack_share: float = 0.5
    failure_first: float = HOUR  # a failed read is retried after this…
    failure_max: float = DAY  # …doubled at each failure in a row, up to this
    report_after: int = 3  # failures in a row from which the film is reported


@dataclass(frozen=True)
class FilmFacts:
    """What the policy needs to know of a film besides its reads."""

    released: float | None = None  # release date as a timestamp, if known
    followers: int = 0  # servers following it


@dataclass(frozen=True)
class ReadResult:
    """What one read of a film found: new reviews (0 when its first page came back 304 or with nothing
    new), or a failure (an error, a timeout, the film's deadline)."""

    at: float
    new_reviews: int = 0
    failed: bool = False


@dataclass(frozen=True)
class FilmSchedule:
    """A film's place in the plan: when it is due, the interval its reads have earned, and why."""

    film_id: int
    next_read: float
    interval: float
    last_read: float | None = None  # last successful read
    failures: int = 0  # failed reads in a row
    front: bool = False  # a new follow or an on-demand ask: first among the due films

    def reported(self, settings: PolicySettings) -> bool:
        """Whether its failures in a row are many enough to be shown to the owner."""
        return self.failures >= settings.report_after


def first_schedule(film_id: int, now: float, settings: PolicySettings) -> FilmSchedule:
    """A film just followed: due now, at the front."""
    return FilmSchedule(film_id, next_read=now, interval=settings.first_interval, front=True)


def to_front(schedule: FilmSchedule, now: float) -> FilmSchedule:
    """A new follow or an on-demand ask: due now, ahead of the others (its interval is kept)."""
    return replace(schedule, next_read=min(schedule.next_read, now), front=True)


def cap(facts: FilmFacts, now: float, settings: PolicySettings) -> float:
    """The longest interval the film may have: weekly, less for a recent release or a popular film."""
    longest = settings.max_interval
    if facts.released is not None and 0 <= now - facts.released <= settings.recent_release:
        longest = min(longest, settings.recent_max_interval)
    if facts.followers >= settings.popular_followers:
        longest = min(longest, settings.popular_max_interval)
    return max(settings.min_interval, longest)


def after_read(
    schedule: FilmSchedule, read: ReadResult, facts: FilmFacts, settings: PolicySettings
) -> FilmSchedule:
    """The film's schedule once `read` is done: its next read and the interval it has earned."""
    if read.failed:
        failures = schedule.failures + 1
        wait = min(settings.failure_max, settings.failure_first * 2 ** (failures - 1))
        # The interval is kept: a flaky site says nothing about the film's pace.
        return replace(schedule, next_read=read.at + wait, failures=failures, front=False)
    longest = cap(facts, read.at, settings)
    if read.new_reviews > 0:
        elapsed = read.at - schedule.last_read if schedule.last_read is not None else schedule.interval
        # The film's own pace: this many reviews came in `elapsed`, aim at target_new_per_read per read.
        paced = max(elapsed, settings.min_interval) * settings.target_new_per_read / read.new_reviews
        interval = min(paced, settings.active_max_interval)
    else:
        interval = schedule.interval * settings.backoff
    interval = max(settings.min_interval, min(interval, longest))
    return FilmSchedule(
        schedule.film_id, next_read=read.at + interval, interval=interval, last_read=read.at, failures=0
    )


def lead(schedule: FilmSchedule, facts: FilmFacts, now: float, settings: PolicySettings) -> float:
    """How much more overdue than it is a due film counts: the picker's priority, in seconds (less than
    nothing for a film with a long interval: it can wait)."""
    if schedule.front:
        return settings.front_lead
    extra = -settings.slack_share * schedule.interval
    if facts.released is not None and 0 <= now - facts.released <= settings.recent_release:
        extra += settings.recent_lead
    if facts.followers >= settings.popular_followers:
        extra += settings.popular_lead
    return extra


# --- the request budget --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BudgetSettings:
    """Requests per hour to the site (default one every 2,4 s), a share of which only on-demand reads
    may use."""

    per_hour: int = 1500
    on_demand_share: float = 0.1
    window: float = HOUR

    @property
    def gap(self) -> float:
        """The shortest time between two requests: spread evenly, never a burst."""
        return self.window / self.per_hour

    @property
    def scheduled_limit(self) -> int:
        """Requests per window that scheduled reads may spend; the rest is kept for on-demand reads."""
        return math.floor(self.per_hour * (1 - self.on_demand_share))


class RequestBudget:
    """A sliding window over the requests spent: `per_hour` in any window, at most one per `gap`, and
    scheduled reads at most `scheduled_limit` of them. Ask `earliest` when the next request may go, then
    `spend` it."""

    def __init__(self, settings: BudgetSettings) -> None:
        self.settings = settings
        self._all: deque[float] = deque()
        self._scheduled: deque[float] = deque()

    def _forget(self, now: float) -> None:
        start = now - self.settings.window
        for spent in (self._all, self._scheduled):
            while spent and spent[0] <= start:
                spent.popleft()

    def earliest(self, now: float, *, on_demand: bool = False) -> float:
        """The first moment ≥ `now` a request may be sent."""
        self._forget(now)
        s = self.settings
        at = now
        if self._all:
            at = max(at, self._all[-1] + s.gap)
            if len(self._all) >= s.per_hour:
                at = max(at, self._all[len(self._all) - s.per_hour] + s.window)
        if not on_demand and len(self._scheduled) >= s.scheduled_limit:
            at = max(at, self._scheduled[len(self._scheduled) - s.scheduled_limit] + s.window)
        return at

    def spend(self, at: float, *, on_demand: bool = False) -> None:
        """Count one request sent at `at` (which must be allowed: see `earliest`)."""
        if self.earliest(at, on_demand=on_demand) > at:
            raise ValueError(f"request at {at} over the budget")
        self._all.append(at)
        if not on_demand:
            self._scheduled.append(at)

    def used(self, now: float) -> int:
        """Requests spent in the window ending at `now`."""
        self._forget(now)
        return len(self._all)


# --- the picker ----------------------------------------------------------------------------------------


class Picker:
    """The due films, most overdue (plus their lead) first. Two heaps: films waiting, by next read, and
    films due, by next read − lead; each film moves from one to the other once, so a pick is O(log n).
    A film scheduled again replaces its older entry (left in the heap, skipped when it comes up)."""

    def __init__(self) -> None:
        self._waiting: list[tuple[float, int, int]] = []  # (next_read, version, film)
        self._due: list[tuple[float, int, int]] = []  # (next_read − lead, version, film)
        self._entries: dict[int, tuple[int, float]] = {}  # film → (version, lead)
        self._version = 0

    def __len__(self) -> int:
        return len(self._entries)

    def schedule(self, schedule: FilmSchedule, lead: float = 0.0) -> None:
        """Put the film in the plan (again), due at its next read."""
        self._version += 1
        self._entries[schedule.film_id] = (self._version, lead)
        heapq.heappush(self._waiting, (schedule.next_read, self._version, schedule.film_id))

    def remove(self, film_id: int) -> None:
        """No server follows it any more."""
        self._entries.pop(film_id, None)

    def _current(self, version: int, film_id: int) -> bool:
        entry = self._entries.get(film_id)
        return entry is not None and entry[0] == version

    def _promote(self, now: float) -> None:
        waiting, due = self._waiting, self._due
        while waiting and waiting[0][0] <= now:
            next_read, version, film_id = heapq.heappop(waiting)
            if self._current(version, film_id):
                heapq.heappush(due, (next_read - self._entries[film_id][1], version, film_id))

    def pick(self, now: float) -> int | None:
        """The film to read now, taken out of the plan (schedule it again after its read), or None when
        no film is due."""
        self._promote(now)
        due = self._due
        while due:
            _, version, film_id = heapq.heappop(due)
            if self._current(version, film_id):
                del self._entries[film_id]
                return film_id
        return None

    def next_due(self) -> float | None:
        """When the next film becomes due (now or past, if one is due already), None if the plan is empty."""
        while self._due and not self._current(self._due[0][1], self._due[0][2]):
            heapq.heappop(self._due)
        if self._due:
            return -math.inf
        while self._waiting and not self._current(self._waiting[0][1], self._waiting[0][2]):
            heapq.heappop(self._waiting)
        return self._waiting[0][0] if self._waiting else None
