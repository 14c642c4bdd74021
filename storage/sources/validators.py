"""HTTP validators of the AlloCiné pages, in the `fetched_page` table: an unchanged page costs a 304.

The refresher calls `remember` only after the page's content was stored. A page that failed to store
thus keeps its old validators (or none), and is fetched again in full next time instead of being
answered 304 for content critibot never kept.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, select

from storage.db.tables import FETCHED_PAGE
from storage.db.upsert import upsert
from storage.sources.allocine import Fetched

__all__ = ["remember", "validators_for"]

TABLE = FETCHED_PAGE


def validators_for(engine: Engine, url: str) -> tuple[str | None, str | None]:
    """(etag, last_modified) last remembered for `url`; (None, None) when unknown."""
    query = select(TABLE.c.etag, TABLE.c.last_modified).where(TABLE.c.url == url)
    with engine.connect() as conn:
        row = conn.execute(query).first()
    return (row.etag, row.last_modified) if row is not None else (None, None)


def remember(engine: Engine, fetched: Fetched, *, content_hash: str | None, now: datetime) -> None:
    """Record a fetch of `fetched.url`, to call once its content is stored (see the module docstring).

    A 200 replaces the validators and content hash and marks the page changed; a 304 only says when it
    was checked.
    """
    changes: dict[str, str | datetime | None]
    if fetched.status == 304:
        changes = {"checked_at": now}
    elif 200 <= fetched.status < 300:
        changes = {
            "etag": fetched.etag,
            "last_modified": fetched.last_modified,
            "content_hash": content_hash,
            "checked_at": now,
            "changed_at": now,
        }
    else:
        raise ValueError(f"statut HTTP {fetched.status} : rien à retenir")
    # A first sight (even a 304, for validators kept elsewhere) creates the row with what is known.
    row = {
        "url": fetched.url,
        "etag": fetched.etag,
        "last_modified": fetched.last_modified,
        "content_hash": content_hash,
        "checked_at": now,
        "changed_at": now,
    }
    with engine.begin() as conn:
        # On a known URL only `changes` are written (each equals the row's own value).
        upsert(conn, TABLE, [row], keys=("url",), updates=changes)
