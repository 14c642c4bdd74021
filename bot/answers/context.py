"""What every answer needs: the database, the title index, chance, and which quotes were already said."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Engine

from storage.queries import title_rows
from storage.titles import TitleEntry, TitleIndex


def load_title_index(engine: Engine) -> TitleIndex:
    return TitleIndex(
        TitleEntry(film_id=i, title=t, year=y, original_title=o, aliases=a)
        for i, t, y, o, a in title_rows(engine)
    )


@dataclass
class AnswerContext:
    engine: Engine
    titles: TitleIndex
    rng: random.Random = field(default_factory=random.Random)
    # Quotes already given, per scope (a Discord channel, a console session): no repeat while others are left.
    said: dict[str, set[tuple[str, int, int]]] = field(default_factory=lambda: defaultdict(set))

    @classmethod
    def open(cls, engine: Engine, *, seed: int | None = None) -> AnswerContext:
        return cls(engine=engine, titles=load_title_index(engine), rng=random.Random(seed))

    def reload_titles(self) -> None:
        """After an import or a refresh. The index lives in memory, so autocomplete never waits on SQL."""
        self.titles = load_title_index(self.engine)


@dataclass(frozen=True)
class Member:
    """Who asks, and on which Discord server: what /suivre, /ne-plus-suivre and /suivis act on.

    `guild_id` None: no server (a private message; the console without --server). The console's
    operator passes `--server ID` and may manage it: whoever holds the shell holds the database.
    """

    guild_id: int | None
    user_id: int | None = None
    can_manage: bool = False  # Discord's *Gérer le serveur*, checked by the Discord layer
