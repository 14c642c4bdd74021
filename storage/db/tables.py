"""Typed handles on the tables, for SQLAlchemy Core: declared once, imported everywhere."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table

from storage.db import models

# SQLModel sets __table__ at class creation; mypy cannot see it, so it is cast here once.
FILM = cast(Table, models.Film.__table__)  # type: ignore[attr-defined]
ALIAS = cast(Table, models.FilmAlias.__table__)  # type: ignore[attr-defined]
SOURCE = cast(Table, models.Source.__table__)  # type: ignore[attr-defined]
SNAPSHOT = cast(Table, models.RatingSnapshot.__table__)  # type: ignore[attr-defined]
SPECTATOR = cast(Table, models.SpectatorReview.__table__)  # type: ignore[attr-defined]
PRESS = cast(Table, models.PressReview.__table__)  # type: ignore[attr-defined]
GUILD_SETTINGS = cast(Table, models.GuildSettings.__table__)  # type: ignore[attr-defined]
FETCHED_PAGE = cast(Table, models.FetchedPage.__table__)  # type: ignore[attr-defined]
REFRESH_RUN = cast(Table, models.RefreshRun.__table__)  # type: ignore[attr-defined]
DIGEST_POST = cast(Table, models.DigestPost.__table__)  # type: ignore[attr-defined]
SEARCH_CACHE = cast(Table, models.SearchCache.__table__)  # type: ignore[attr-defined]
GUILD_FOLLOW = cast(Table, models.GuildFollow.__table__)  # type: ignore[attr-defined]
ONDEMAND_REQUEST = cast(Table, models.OnDemandRequest.__table__)  # type: ignore[attr-defined]
REFRESH_QUEUE = cast(Table, models.RefreshQueue.__table__)  # type: ignore[attr-defined]
REFRESH_REQUEST = cast(Table, models.RefreshRequest.__table__)  # type: ignore[attr-defined]

REVIEW_TABLES = {"spectateurs": SPECTATOR, "presse": PRESS}
