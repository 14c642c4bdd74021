"""Settings: defaults in settings.toml beside this file, environment (CRITIBOT_*, DISCORD_TOKEN) on top."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

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

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'critibot.db'}"

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
