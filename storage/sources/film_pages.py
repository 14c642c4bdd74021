"""A fetched review page checked to be a given film's own, whoever fetched it (the refresher, a read on
demand): parsed, of the kind its address says, and declaring that film's AlloCiné id, or, when it
declares none, titled with one of the film's names. Stored under the film otherwise, another film's page
would make its title the film's alias, and that title would resolve to the wrong film everywhere."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from storage.folding import fold
from storage.pages import PageError, ParsedPressPage, ParsedSpectatorPage, parse_page
from storage.sources.allocine import Fetched, film_ids


class PageRefused(Exception):
    """A film's page that is not stored: `code` (page_unreadable, unexpected_page, other_film_page,
    unproven_page, series…) and its `params`, worded by bot/texts.py."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code, params)
        self.code = code
        self.params = params


def review_page(
    fetched: Fetched, allocine_id: int, names: Callable[[], Collection[str]]
) -> tuple[ParsedSpectatorPage | ParsedPressPage, bool]:
    """The page parsed, and whether its film id proves it is film `allocine_id`'s; PageRefused when it
    is not a review page of the kind asked, another film's, or shows neither the id nor a name of the
    film (`names`: the film's folded names, asked for only then)."""
    body = fetched.body or b""
    try:
        page = parse_page(body)
    except PageError as error:
        raise PageRefused("page_unreadable", reason=str(error), url=fetched.url) from None
    expected = ParsedPressPage if "/critiques/presse" in fetched.url else ParsedSpectatorPage
    if not isinstance(page, expected):
        raise PageRefused("unexpected_page", url=fetched.url, kind=page.kind)
    ids = film_ids(body)
    about = ids.about(allocine_id)
    params = {"url": fetched.url, "allocine_id": allocine_id, "page_title": page.title or ""}
    if about is False:
        raise PageRefused("other_film_page", page_id=ids.main(), **params)
    if about is None and not (page.title and fold(page.title) in names()):
        raise PageRefused("unproven_page", **params)
    return page, about is True
