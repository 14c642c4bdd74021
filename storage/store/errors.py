"""Why a parsed page cannot be stored as asked. Each error carries its data; the wording is the caller's
(bot/texts.py words them for the terminal, the inbox report and `critibot status`)."""

from __future__ import annotations

from typing import Any


class StoreError(Exception):
    """A page that parsed but cannot be stored as asked. `code` names the case, `params` its data."""

    code = "store"

    @property
    def params(self) -> dict[str, Any]:
        return {}


class NoFilmNamed(StoreError):
    """The page does not say which film it is about, and the caller did not either."""

    code = "no_film_named"

    def __init__(self) -> None:
        super().__init__("the page names no film and no film was given")


class AmbiguousFilm(StoreError):
    """Several stored films go by this name and no year or AlloCiné id tells them apart."""

    code = "ambiguous_film"

    def __init__(self, title: str, years: list[int | None]) -> None:
        super().__init__(f"several films are called {title!r}: {years}")
        self.title = title
        self.years = years

    @property
    def params(self) -> dict[str, Any]:
        return {"title": self.title, "years": self.years}


class OtherFilm(StoreError):
    """The page is about another film than the one the caller named."""

    code = "other_film"

    def __init__(self, page_title: str, expected: str) -> None:
        super().__init__(f"the page is about {page_title!r}, not {expected!r}")
        self.page_title = page_title
        self.expected = expected

    @property
    def params(self) -> dict[str, Any]:
        return {"page_title": self.page_title, "expected": self.expected}


class OutletPage(StoreError):
    """An outlet's page ("Toutes les critiques de Télérama") covers many films: it is not stored."""

    code = "outlet_page"

    def __init__(self, outlet: str) -> None:
        super().__init__(f"an outlet's page ({outlet!r}) covers several films")
        self.outlet = outlet

    @property
    def params(self) -> dict[str, Any]:
        return {"outlet": self.outlet}
