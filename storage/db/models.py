"""The database tables (SQLModel). Column comments say what the site calls each figure."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Index, Integer, Text, UniqueConstraint, false, text
from sqlmodel import Column, Field, SQLModel


class Film(SQLModel, table=True):
    # One row per film identity (storage/store/identity.py). Unknown years and ids count as 0, so two
    # writers racing to create the same film cannot both succeed (NULLs never collide in UNIQUE); films of
    # one title and year stay apart only by their AlloCiné ids (two films, same name, same year).
    __table_args__ = (
        Index(
            "uq_film_identity",
            "title_folded",
            text("coalesce(year, 0)"),
            text("coalesce(allocine_id, 0)"),
            unique=True,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    title: str
    title_folded: str = Field(index=True)  # accent- and case-folded, for lookup
    original_title: str | None = None
    year: int | None = None
    # Film ids have reached 10 digits (1000045609): 64 bits. SQLite's INTEGER is 64-bit already, so the
    # column keeps that name there (no table copy, which would lose the expression index above).
    allocine_id: int | None = Field(
        default=None, unique=True, sa_type=BigInteger().with_variant(Integer(), "sqlite")
    )
    url: str | None = None
    created_at: datetime
    # The site's latest figures, copied from the newest rating snapshot so that rankings need no join.
    site_average: float | None = Field(default=None, index=True)
    site_ratings_count: int | None = None
    site_reviews_count: int | None = None
    site_press_average: float | None = None
    # From the film's main page (fichefilm), when it was read: what /note and /film show beside the figures.
    kind: str = Field(default="film", sa_column_kwargs={"server_default": "film"})  # film | series
    release_date: date | None = None
    directors: str | None = None  # JSON list of names
    genres: str | None = None  # JSON list
    duration_minutes: int | None = None
    poster_url: str | None = None
    synopsis: str | None = Field(default=None, sa_column=Column(Text))
    details_at: datetime | None = None  # when the main page was last read


class FilmAlias(SQLModel, table=True):
    """Other names a film goes by (original title, translations): all count for lookup."""

    __tablename__ = "film_alias"
    __table_args__ = (UniqueConstraint("film_id", "alias_folded", name="uq_alias"),)

    id: int | None = Field(default=None, primary_key=True)
    film_id: int = Field(foreign_key="film.id", index=True)
    alias: str
    alias_folded: str = Field(index=True)


class Source(SQLModel, table=True):
    """Where rows came from: one row per distinct page content (file or URL)."""

    id: int | None = Field(default=None, primary_key=True)
    content_hash: str = Field(unique=True)  # sha256 of the page bytes
    location: str  # file path or URL it was last read from
    page_kind: str  # spectateurs | presse | simples
    film_id: int | None = Field(default=None, foreign_key="film.id")
    imported_at: datetime


class RatingSnapshot(SQLModel, table=True):
    """The site's figures for a film as one page showed them: the film's rating history."""

    __tablename__ = "rating_snapshot"
    __table_args__ = (
        UniqueConstraint("film_id", "kind", "source_id", name="uq_snapshot_source"),
        Index("ix_snapshot_film_time", "film_id", "kind", "taken_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    film_id: int = Field(foreign_key="film.id")
    kind: str  # spectateurs | presse
    average: float | None = None  # "Note moyenne", out of 5
    ratings_count: int | None = None  # "158 notes"
    reviews_count: int | None = None  # "39 critiques spectateurs" / "24 critiques presse"
    stars_5: int | None = None  # histogram: number of reviews per star value
    stars_4: int | None = None
    stars_3: int | None = None
    stars_2: int | None = None
    stars_1: int | None = None
    stars_0: int | None = None
    taken_at: datetime
    source_id: int = Field(foreign_key="source.id")


class SpectatorReview(SQLModel, table=True):
    __tablename__ = "spectator_review"
    __table_args__ = (
        UniqueConstraint("film_id", "review_key", name="uq_spectator_review"),
        Index("ix_spectator_film_position", "film_id", "position"),
        Index("ix_spectator_film_published", "film_id", "published"),
        Index("ix_spectator_film_rating", "film_id", "rating"),  # stored averages and note_min from the index
    )

    id: int | None = Field(default=None, primary_key=True)
    film_id: int = Field(foreign_key="film.id")
    review_key: str  # stable identity across re-reads: see storage.store.spectator_key
    author: str | None = None  # None: anonymous visitor
    followers: int | None = None  # "574 abonnés"
    author_reviews: int | None = None  # "3 461 critiques" written by the author, all films
    rating: float | None = None  # out of 5, by half stars
    published: date | None = None
    text: str = Field(sa_column=Column(Text, nullable=False))
    spoiler: bool = False
    site_id: str | None = None  # AlloCiné's review id when the markup gives it
    position: int  # page order, stable: new reviews go after the known ones
    source_id: int = Field(foreign_key="source.id")  # last page it was read from
    updated_at: datetime
    first_seen_at: datetime | None = None  # when critibot first stored it (never updated)
    # Stored with the film's first pages (its backlog): old news, which the digest does not announce.
    backlog: bool = Field(default=False, sa_column_kwargs={"server_default": false()})


class PressReview(SQLModel, table=True):
    __tablename__ = "press_review"
    __table_args__ = (
        UniqueConstraint("film_id", "outlet_key", name="uq_press_review"),
        Index("ix_press_film_position", "film_id", "position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    film_id: int = Field(foreign_key="film.id")
    outlet: str
    outlet_key: str  # folded outlet name: one review per outlet and film
    critic: str | None = None
    quote: str | None = Field(default=None, sa_column=Column(Text))  # None: link-only review
    link: str | None = None
    rating: float | None = None  # out of 5; only HTML pages give it
    site_id: str | None = None
    position: int
    source_id: int = Field(foreign_key="source.id")
    updated_at: datetime
    first_seen_at: datetime | None = None
    backlog: bool = Field(default=False, sa_column_kwargs={"server_default": false()})


class GuildSettings(SQLModel, table=True):
    """A Discord server's choices, set with /reglages by members who may manage the server."""

    __tablename__ = "guild_settings"

    # Discord ids are 64-bit snowflakes: BIGINT on PostgreSQL (SQLite's INTEGER is 64-bit anyway).
    guild_id: int = Field(primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False})
    digest_channel_id: int | None = Field(default=None, sa_type=BigInteger)
    digest_time: str = "09:00"  # HH:MM, in the configured time zone (Europe/Paris)
    digest_enabled: bool = False
    updated_at: datetime


class FetchedPage(SQLModel, table=True):
    """An AlloCiné URL's HTTP validators: an unchanged page is asked with If-None-Match and costs nothing."""

    __tablename__ = "fetched_page"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(unique=True)
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None  # sha256 of the body last stored
    checked_at: datetime  # last request (200 or 304)
    changed_at: datetime  # last 200 whose body was stored


class RefreshRun(SQLModel, table=True):
    """One refresh (scheduled or `critibot refresh`): what it did, for `critibot status` and the log."""

    __tablename__ = "refresh_run"

    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime = Field(index=True)
    finished_at: datetime | None = None
    ok: bool = False  # finished without any error
    report: str = Field(default="{}", sa_column=Column(Text, nullable=False))  # JSON of the RefreshReport


class DigestPost(SQLModel, table=True):
    """The digest ledger: one row per server and local day, whatever its channel; claimed with a lease
    before posting, completed after (storage/digest_ledger.py)."""

    __tablename__ = "digest_post"
    __table_args__ = (UniqueConstraint("guild_id", "day", name="uq_digest_guild_day"),)

    id: int | None = Field(default=None, primary_key=True)
    # Discord snowflakes need 64 bits: INTEGER is 32 on PostgreSQL.
    guild_id: int = Field(index=True, sa_type=BigInteger)
    channel_id: int = Field(sa_type=BigInteger)  # where it was (or is being) posted
    day: date  # the server's local day (settings.timezone) the digest is for
    status: str = "claimed"  # claimed | posted | empty (nothing new, nothing posted) | skipped | failed
    claimed_at: datetime
    finished_at: datetime | None = None
    message_id: int | None = Field(default=None, sa_type=BigInteger)
    # High-water marks: the digest covered reviews with ids up to these; the next one starts after them.
    # Written before the post, so whoever records it later records what that message announced.
    spectator_upto: int | None = None
    press_upto: int | None = None
    error: str | None = None
    # The process posting it, until when: a claim past its lease may be taken over.
    lease_owner: str | None = None
    lease_until: datetime | None = None


class SearchCache(SQLModel, table=True):
    """AlloCiné's autocomplete answer for a query, kept a while: a search typed twice costs one request."""

    __tablename__ = "search_cache"

    id: int | None = Field(default=None, primary_key=True)
    query_folded: str = Field(unique=True)
    results: str = Field(
        sa_column=Column(Text, nullable=False)
    )  # JSON list of candidates ([]: nothing found)
    fetched_at: datetime
    expires_at: datetime = Field(index=True)


class GuildFollow(SQLModel, table=True):
    """A film a Discord server follows (/suivre): the refresher reads it, the server's digest covers it."""

    __tablename__ = "guild_follow"
    __table_args__ = (UniqueConstraint("guild_id", "film_id", name="uq_guild_follow"),)

    id: int | None = Field(default=None, primary_key=True)
    guild_id: int = Field(index=True, sa_type=BigInteger)
    film_id: int = Field(foreign_key="film.id", index=True)
    followed_at: datetime
    followed_by: int | None = Field(default=None, sa_type=BigInteger)  # the member's Discord id


class OnDemandRequest(SQLModel, table=True):
    """One request made to AlloCiné because someone asked (a search, a film read): counted by budgets."""

    __tablename__ = "ondemand_request"
    __table_args__ = (Index("ix_ondemand_scope_time", "scope", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    scope: str  # "guild:<id>", "console"…: the budget it counts against (and the global one)
    kind: str  # search | read
    at: datetime


class RefreshQueue(SQLModel, table=True):
    """Each followed film's place in the refresh: when it is next due, what its last read found, and which
    refresher holds it now (a lease with an expiry, so that a crashed refresher's films come back)."""

    __tablename__ = "refresh_queue"

    id: int | None = Field(default=None, primary_key=True)
    film_id: int = Field(foreign_key="film.id", unique=True)
    next_read_at: datetime = Field(index=True)
    priority: int = 0  # higher first among the films due: a new follow or an on-demand ask jumps ahead
    interval_seconds: int = 0  # the gap the scheduler chose after the last read (its back-off state)
    last_read_at: datetime | None = None
    last_outcome: str = "never"  # new | unchanged | failed | never
    failures: int = 0  # failed reads in a row
    lease_owner: str | None = None  # the refresher reading it now
    lease_until: datetime | None = None  # past this, the lease is void and the film claimable again


class RefreshRequest(SQLModel, table=True):
    """Requests made to AlloCiné, counted over the last hour by every refresher process together."""

    __tablename__ = "refresh_request"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    kind: str  # refresh | ondemand
    count: int = 1
