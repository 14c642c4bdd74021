"""What the parsers refuse to pass on from a page, whatever its layout: control characters.

Applied to every parser's output, so that the store and the answers never see such values.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TypeVar

# C0 controls but tab and line feed, DEL, C1 controls: invisible in a review, and PostgreSQL refuses
# NUL in text (one NUL would make it reject the whole page).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

_T = TypeVar("_T")


def strip_controls(text: str) -> str:
    return _CONTROL.sub("", text) if _CONTROL.search(text) else text


def scrub(result: _T) -> _T:
    """`result` (a parsed page, or one of its parts) with control characters removed from every text."""
    if isinstance(result, str):
        return strip_controls(result)  # type: ignore[return-value]
    if isinstance(result, list):
        return [scrub(item) for item in result]  # type: ignore[return-value]
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        changes = {}
        for field in dataclasses.fields(result):
            value = getattr(result, field.name)
            if isinstance(value, str | list) or dataclasses.is_dataclass(value):
                cleaned = scrub(value)
                if cleaned != value:
                    changes[field.name] = cleaned
        return dataclasses.replace(result, **changes) if changes else result
    return result
