"""critibot's configuration: `config/settings.toml` defaults, overridden by CRITIBOT_* variables."""

from config.settings import Settings, get_settings

__all__ = ["Settings", "get_settings"]
