"""Where pages come from besides files: AlloCiné over HTTP, and the validators that keep it cheap."""

from storage.sources.allocine import AllocineClient, Fetched, FetchError

__all__ = ["AllocineClient", "FetchError", "Fetched"]
