"""Settings: defaults in settings.toml beside this file, environment (CRITIBOT_*, DISCORD_TOKEN) on top."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

CONFIG_DIR = Path(__file__).resolve().parent
PROJECT_DIR = CONFIG_DIR.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CRITIBOT_",
        env_file=".env",
        extra="ignore",
        toml_file=CONFIG_DIR / "settings.toml",
    )

    data_dir: Path = PROJECT_DIR / "data"
    database_url: str | None = None  # default: SQLite file critibot.db in data_dir
    watchlist: Path = CONFIG_DIR / "films.toml"
    discord_token: str | None = Field(default=None, validation_alias="DISCORD_TOKEN", repr=False)
    # Another Discord-compatible server (self-hosted, or a test double); default: discord.com.
    discord_api_base: str = "https://discord.com/api/v10"
    discord_gateway_url: str = "wss://gateway.discord.gg/"
    discord_test_guild: int | None = None  # sync commands to this server only: instant updates while testing
    timezone: str = "Europe/Paris"

    # Refresh: inbox folders of page dumps, and AlloCiné over HTTP for watchlist films with an allocine_id.
    inbox_dirs: list[Path] = Field(default_factory=list)  # default: data_dir/inbox
    # Hours between two refresh rounds (in the bot, or `critibot refresh --every`): a round reads the films
    # due, each film having its own next read (storage/refresh_policy.py), within the request budget.
    refresh_every_hours: float = 0.25
    allocine_base_url: str = "https://www.allocine.fr"
    allocine_user_agent: str = (
        "critibot/0.1 (bot Discord de critiques de films; +https://github.com/critibot)"
    )
    allocine_delay: float = 2.0  # seconds between two requests to the site
    # Requests per hour to AlloCiné, every refresher and on-demand read together (one every 2,4 s); of
    # those, ondemand_requests_per_hour_total are kept for on-demand reads.
    allocine_requests_per_hour: int = Field(default=1500, ge=1)
    allocine_timeout: float = 20.0  # seconds per request
    allocine_retries: int = 3  # further attempts after a timeout, a network error, a 5xx or a 429
    allocine_max_pages: int = 5  # spectator pages read per film and refresh, newest first
    # A page larger than this once decompressed is refused (a real one is about 0,5 MB).
    allocine_max_page_bytes: int = 5_000_000
    # After a challenge page (the site blocks us), seconds without asking it; doubled at each block in a row.
    allocine_block_pause: float = 1800.0
    # Seconds a refresh gives one film (its pages, waits and retries included), and the whole run: past
    # the run's, no film is begun (they come first next time).
    refresh_film_deadline: float = 600.0
    refresh_run_deadline: float = 3600.0
    # AlloCiné's search answers are kept this many days (a search typed twice costs one request), and an
    # answer that found nothing this many (a film may be added to the site meanwhile).
    search_cache_days: float = 7.0
    search_cache_empty_days: float = 1.0
    # Autocomplete's background searches (to fill the cache for the next keystrokes, never waited for):
    # at most this many begun per minute, one at a time; not counted in the on-demand budgets.
    autocomplete_searches_per_minute: int = 6
    # On demand: a film the catalogue lacks is searched on AlloCiné and read when someone asks. Seconds an
    # answer may spend with AlloCiné (its search and its read together), and budgets per hour: searches
    # and reads per Discord server, and on-demand requests in all (a read is 3): the refresh keeps its share.
    ondemand_enabled: bool = True
    ondemand_deadline: float = 20.0
    ondemand_searches_per_hour_per_server: int = 30
    ondemand_reads_per_hour_per_server: int = 10
    ondemand_requests_per_hour_total: int = 120

    # The daily digest: what to post when nothing is new ("message": a short line; "nothing": no post).
    digest_when_empty: Literal["message", "nothing"] = "message"
    # Seconds a process holds a server's day while posting its digest (renewed meanwhile): past it, a
    # claim whose holder died is taken over, after a look at the channel's history.
    digest_lease_seconds: float = 180.0
    # A post that fails for a transient reason (5xx, timeout, connection lost) is tried again this many
    # times, the first after digest_retry_delay seconds, doubling up to digest_retry_max_delay.
    digest_retries: int = 8
    digest_retry_delay: float = 10.0
    digest_retry_max_delay: float = 600.0
    digest_post_timeout: float = 30.0  # seconds one post may take before it counts as a transient failure

    # Shards: this process connects the shards `shard_ids` (None: all) out of `shard_count`, and posts the
    # digests of their servers only (a server's shard is (guild_id >> 22) % shard_count).
    shard_count: int = 1
    shard_ids: list[int] | None = None

    def serves(self, guild_id: int) -> bool:
        """Whether this process's shards hold `guild_id` (Discord's rule)."""
        return self.shard_ids is None or (guild_id >> 22) % max(1, self.shard_count) in self.shard_ids

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'critibot.db'}"

    @property
    def inboxes(self) -> list[Path]:
        return self.inbox_dirs or [self.data_dir / "inbox"]

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, dotenv_settings, TomlConfigSettingsSource(settings_cls))


@lru_cache
def get_settings() -> Settings:
    return Settings()
