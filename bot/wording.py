"""French wording helpers: numbers, dates, plurals as a French reader expects them."""

from __future__ import annotations

from datetime import date, timedelta

from bot import texts
from storage.problems import Problem

MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip
MONTHS_SHORT = (
    "janv.", "févr.", "mars", "avr.", "mai", "juin",
    "juil.", "août", "sept.", "oct.", "nov.", "déc.",
)  # fmt: skip
NNBSP = "\u202f"  # French thousands separator


def decimal(value: float, digits: int = 1) -> str:
    """2.3 → `2,3`."""
    return f"{value:.{digits}f}".replace(".", ",")


def count(value: int) -> str:
    """3461 → `3 461` (narrow no-break space)."""
    return f"{value:,}".replace(",", NNBSP)


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """`1 critique`, `0 critique`, `2 critiques` (French singular for 0 and 1)."""
    word = singular if abs(n) < 2 else (plural_form or singular + "s")
    return f"{count(n)} {word}"


def duration(minutes: int) -> str:
    """98 → `1 h 38`, 120 → `2 h`, 125 → `2 h 05`, 45 → `45 min`."""
    hours, rest = divmod(max(0, minutes), 60)
    if not hours:
        return texts.DURATION_MINUTES.format(minutes=rest)
    if not rest:
        return texts.DURATION_WHOLE_HOURS.format(hours=hours)
    return texts.DURATION_HOURS.format(hours=hours, minutes=rest)


def ago(delta: timedelta) -> str:
    """How long ago, rounded as people say it: `12 min`, `2 h`, `3 j`."""
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 60:
        return texts.DURATION_MINUTES.format(minutes=minutes)
    if minutes < 48 * 60:
        return texts.DURATION_WHOLE_HOURS.format(hours=round(minutes / 60))
    return texts.AGO_DAYS.format(days=round(minutes / (24 * 60)))


def joined(items: list[str] | tuple[str, ...]) -> str:
    """`A`, `A et B`, `A, B et C`: a French list."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {texts.AND} {items[-1]}"


def long_date(day: date) -> str:
    """2023-01-25 → `25 janvier 2023`; the first of the month reads `1er`."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {MONTHS[day.month - 1]} {day.year}"


def short_date(day: date, *, with_year: bool = False) -> str:
    """2026-01-12 → `12 janv.` (`12 janv. 2026`): for a chart's axis, where room is short."""
    number = "1er" if day.day == 1 else str(day.day)
    text = f"{number} {MONTHS_SHORT[day.month - 1]}"
    return f"{text} {day.year}" if with_year else text


def figures_change(
    before_average: float | None,
    after_average: float | None,
    before_count: int | None,
    after_count: int | None,
) -> str:
    """How a film's site figures moved: `2,2 → 2,3, +12 notes`, at the precision the site shows."""
    parts = []
    if (
        before_average is not None
        and after_average is not None
        and decimal(before_average) != decimal(after_average)
    ):
        parts.append(
            texts.DIGEST_MOVED_AVERAGE.format(before=decimal(before_average), after=decimal(after_average))
        )
    elif after_average is not None:
        parts.append(decimal(after_average))
    if before_count is not None and after_count is not None and after_count != before_count:
        delta = after_count - before_count
        template = texts.DIGEST_RATINGS_UP if delta > 0 else texts.DIGEST_RATINGS_DOWN
        parts.append(template.format(ratings=plural(abs(delta), "note")))
    return ", ".join(parts)


def problem_text(problem: Problem, where: str) -> str:
    """A storage problem as the sentence for `where` ("import", "inbox" or "site"): see texts.PROBLEMS."""
    template = texts.PROBLEMS.get(problem.code)
    if template is None:
        return texts.PROBLEM_UNKNOWN.format(code=problem.code)
    params = dict(problem.params)
    if "years" in params:
        params["years"] = ", ".join(str(y) if y is not None else texts.YEAR_UNKNOWN for y in params["years"])
    try:
        sentence = template.format(**params)
    except (KeyError, IndexError, ValueError):  # a report written by another version of critibot
        return texts.PROBLEM_UNKNOWN.format(code=problem.code)
    remedy = texts.PROBLEM_REMEDIES.get((problem.code, where))
    return f"{sentence} : {remedy}" if remedy else sentence
