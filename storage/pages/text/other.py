"""Pages that are not one film's reviews: a film's main page, a list of films, a series' reviews.

Recognised before any card is read, and refused (NotFilmReviews): their snippets, their many films or a
series' reviews must never be stored as one film's spectator or press reviews. An outlet's page, many
films with one outlet's quotes, is read apart (outlet.py) and refused by the store.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from storage.pages.french import parse_decimal
from storage.pages.model import NotFilmReviews
from storage.pages.text.lines import Joined, Line
from storage.pages.vocabulary import (
    CARD_CHROME,
    FIGURE_LABEL,
    HISTO_STAR,
    LIST_HEADING,
    MAIN_PAGE_MARK,
    NAVIGATION,
    PRESS_COUNT,
    SERIES_MARK,
    SPECTATOR_COUNT,
)

HEAD = 300  # the lines where a main page or a list shows what it is
LIST_HEADING_LINES = 15


def refuse_other_pages(page: Joined, cards: list[int], has_entries: bool) -> None:
    """Raise NotFilmReviews for a page that is none of one film's review pages; `cards`: where its
    spectator cards are read from (`Publiée le`, a labelled rating), `has_entries`: it holds press
    entries."""
    if series := page.matching(SERIES_MARK, "series"):
        raise NotFilmReviews("series_page", page.content[series[0]].number)
    head = page.content[:HEAD]
    if (tabs := _series_tabs(head)) is not None:
        raise NotFilmReviews("series_page", tabs.number)
    marks: set[str] = set()
    labelled: dict[str, int] = {}  # `Presse` / `Spectateurs` followed by an average, per label
    review_figures = False
    cut = buttons = 0
    for k, line in enumerate(head):
        text = line.text
        if MAIN_PAGE_MARK.match(text):
            marks.add(text.split()[0].casefold())
        elif text.endswith(_CUT):
            cut += 1  # a text cut short: a main page's extract (or a review that trails off)
        elif k and CARD_CHROME.match(text) and head[k - 1].text.endswith(_CUT):
            buttons += 1  # cut short, with `Lire plus` to read the rest
        elif FIGURE_LABEL.match(text) and k + 1 < len(head) and _average(head[k + 1].text):
            labelled[text.casefold()] = labelled.get(text.casefold(), 0) + 1
        elif SPECTATOR_COUNT.match(text) or PRESS_COUNT.match(text) or HISTO_STAR.match(text):
            review_figures = True
    # A review page may show the film's details and averages above its cards; its cards are whole,
    # where a main page's are all cut short.
    cards_in_head = bisect_left(cards, len(head))
    if (buttons and buttons >= cards_in_head) or (cards_in_head >= 2 and cut >= cards_in_head):
        marks.add("snippets")
    elif cards_in_head:
        return
    if len(marks) + bool(labelled) >= 2 and not review_figures:
        raise NotFilmReviews("film_main_page", head[0].number)
    heading = next((line for line in head[:LIST_HEADING_LINES] if LIST_HEADING.match(line.text)), None)
    several = any(n >= 2 for n in labelled.values())  # the figures of several films
    if not cards and not has_entries and not review_figures and (heading is not None or several):
        raise NotFilmReviews("film_list_page", (heading or head[0]).number)


def _series_tabs(head: list[Line]) -> Line | None:
    """A series' tabs near the top: a tab bar naming seasons or episodes, or the two lines `Critiques
    spectateurs` and `Critiques presse` alone under the title (a film's tab bar has more tabs)."""
    texts = [line.text.casefold() for line in head[:TABS_LINES]]

    def tab_bar(k: int) -> bool:
        return 0 <= k < len(texts) and NAVIGATION.match(texts[k]) is not None

    for k, text in enumerate(texts):
        if tab_bar(k) and SEASONS.search(text):
            return head[k]
        pair = {text, texts[k + 1] if k + 1 < len(texts) else ""}
        if pair == _SERIES_TABS and not tab_bar(k - 1) and not tab_bar(k + 2):
            return head[k]
    return None


_SERIES_TABS = {"critiques spectateurs", "critiques presse"}
SEASONS = re.compile(r"\b(?:saisons?|épisodes?)\b")
TABS_LINES = 40
_CUT = ("...", "…")


def _average(text: str) -> bool:
    return parse_decimal(text) is not None or text in {"--", "-"}
