"""The film option's choices while someone types: the catalogue first, then AlloCiné's candidates.

Called on the event loop on every keystroke (Discord allows 3 s; this takes milliseconds): everything
comes from memory, the title index and the search answers kept by `AnswerContext.suggestions`. When
the catalogue offers fewer than `GOOD_ENOUGH` good matches for a query of three letters or more,
AlloCiné's candidates known for it are added, marked as not read yet (`Inception (2010) · AlloCiné`,
value `allocine:<id>`: see storage/titles.py); when none is known, a background search is begun and
serves the next keystrokes. Nothing here waits on the network or the database.
"""

from __future__ import annotations

from bot import texts
from bot.answers.context import AnswerContext
from storage.folding import fold
from storage.sources.search import SearchCandidate
from storage.sources.suggestions import begins, suggestion_key
from storage.titles import AUTOCOMPLETE_MAX, LABEL_MAX, Candidate, allocine_value, choice_label

GOOD_SCORE = 80.0  # a catalogue film scoring this much is a good match (a title being typed scores 85+)
GOOD_ENOUGH = 5  # with this many good matches, AlloCiné is not consulted
ALLOCINE_MAX = 10  # AlloCiné candidates shown at most
ALLOCINE_MIN_SCORE = 40.0  # below, unless its name begins with the words typed: AlloCiné's misses (a
# promoted film) are left out


def film_choices(ctx: AnswerContext, query: str, limit: int = AUTOCOMPLETE_MAX) -> list[tuple[str, str]]:
    """Up to `limit` choices `(label, value)`: the catalogue's good matches, AlloCiné's candidates not in
    the catalogue, then the catalogue's weaker matches."""
    limit = max(0, min(limit, AUTOCOMPLETE_MAX))
    local = ctx.titles.search(query, limit)
    good = [c for c in local if c.score >= GOOD_SCORE]
    if len(good) >= GOOD_ENOUGH or not suggestion_key(query):
        return [(c.label, c.value) for c in local]
    found = ctx.searched(query)
    if found is None or not ctx.suggestions.has(query):
        ctx.background_search(query)  # for the next keystrokes
    extra = _not_in(query, local, found or [])
    weaker = local[len(good) :]
    choices = [(c.label, c.value) for c in good]
    choices += [(_label(c), allocine_value(c.allocine_id, c.kind)) for c in extra]
    choices += [(c.label, c.value) for c in weaker]
    return choices[:limit]


def _not_in(query: str, local: list[Candidate], found: list[SearchCandidate]) -> list[SearchCandidate]:
    """AlloCiné's candidates worth showing that the catalogue's choices do not already show."""
    shown = {(fold(c.title), c.year) for c in local} | {(fold(c.original_title or ""), c.year) for c in local}
    typed, other = [], []
    for candidate in found:
        if candidate.kind != "film" or (fold(candidate.title), candidate.year) in shown:
            continue  # critibot reads films only: a series offered would only be refused
        if begins(query, candidate.title, candidate.original_title):  # being typed: scores low, comes first
            typed.append(candidate)
        elif candidate.score >= ALLOCINE_MIN_SCORE:
            other.append(candidate)
    return (typed + other)[:ALLOCINE_MAX]


def _label(candidate: SearchCandidate) -> str:
    return choice_label(
        candidate.title, candidate.original_title, candidate.year, LABEL_MAX, texts.CHOICE_ALLOCINE
    )
