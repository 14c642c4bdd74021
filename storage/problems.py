"""Why a file or a film could not be read or stored, as data: a code and its details.

Storage never words these for people: the CLI, the inbox report and `critibot status` do
(`bot.wording.problem_text`), each for where it is shown. Refresh reports keep them as JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from storage.pages import PageError


@dataclass(frozen=True)
class Problem:
    code: str  # see bot/texts.py PROBLEMS for every code and its wording
    params: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, error: BaseException) -> Problem:
        """The problem an exception raised while reading or storing a page stands for."""
        # An error that carries its data (StoreError, FetchError, SchemaTooNew) has a `code`, and its
        # details as `problem_params` (all a report keeps) or else `params`.
        code = getattr(error, "code", None)
        params = getattr(error, "problem_params", None) or getattr(error, "params", None)
        if isinstance(code, str) and isinstance(params, Mapping):
            return cls(code, params)
        if isinstance(error, PageError):
            return cls("page_unreadable", {"reason": str(error)})
        if isinstance(error, OSError):
            return cls("file_unreadable", {"reason": error.strerror or str(error)})
        if isinstance(error, SQLAlchemyError):
            return cls("database", {"error": error.__class__.__name__})
        raise TypeError(f"not a reading or storing problem: {error!r}") from error

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": dict(self.params)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Problem:
        return cls(str(data["code"]), dict(data.get("params") or {}))
