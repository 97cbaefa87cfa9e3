"""Tolerant readers for values in hub replies (numbers as text, epoch or ISO times, ...).

Hubs name and type the same value differently (PROTOCOL.md gap 18), so parsers look a value up
under several names and read it leniently; a value that cannot be read is ``None``, never a
guess. ``scrubbed`` copies a reply for a ``raw`` field with key- and token-like text removed.

Example:
    >>> first({"prompt_tokens": "12"}, ("input_tokens", "prompt_tokens"), whole)
    12
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any, TypeVar

from hub_core.errors import HubAPIError, redact

T = TypeVar("T")
EPOCH = datetime.fromtimestamp(0, tz=timezone.utc)


def number(value: Any) -> float | None:
    """A float from a number or numeric text (booleans are not numbers)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def whole(value: Any) -> int | None:
    """A non-negative int from a finite number or numeric text."""
    found = number(value)
    return int(found) if found is not None and 0 <= found < math.inf else None


def positive(value: Any) -> int | None:
    """An int above zero from a number or numeric text."""
    found = whole(value)
    return found if found else None


def text(value: Any) -> str | None:
    """A non-empty string, else None."""
    return value if isinstance(value, str) and value else None


def first(
    row: Mapping[str, Any], names: tuple[str, ...], read: Callable[[Any], T | None]
) -> T | None:
    """The first of ``names`` in ``row`` that ``read`` can read."""
    for name in names:
        if name in row:
            value = read(row[name])
            if value is not None:
                return value
    return None


def parse_time(value: Any) -> datetime | None:
    """Epoch seconds or milliseconds, or ISO 8601 text, as an aware datetime; else None."""
    if isinstance(value, str):
        stripped = value.strip()
        if number(stripped) is None:
            try:
                parsed = datetime.fromisoformat(stripped.replace("Z", "+00:00"))
            except ValueError:
                return None
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    seconds = number(value)
    if seconds is None or seconds <= 0:
        return None
    if seconds > 1e12:  # milliseconds
        seconds /= 1000
    try:
        return datetime.fromtimestamp(seconds, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


def scrubbed(obj: Any) -> Any:
    """A copy of a reply with key-like text redacted and ``token`` fields dropped."""
    if isinstance(obj, str):
        return redact(obj)
    if isinstance(obj, Mapping):
        return {str(k): scrubbed(v) for k, v in obj.items() if str(k).lower() != "token"}
    if isinstance(obj, list):
        return [scrubbed(v) for v in obj]
    return obj


def without(obj: Any, secret: str) -> Any:
    """``obj`` (text or decoded JSON) with every occurrence of ``secret`` replaced."""
    if isinstance(obj, str):
        return obj.replace(secret, "[redacted]")
    if isinstance(obj, Mapping):
        return {k: without(v, secret) for k, v in obj.items()}
    if isinstance(obj, list):
        return [without(v, secret) for v in obj]
    return obj


def unreadable(hub: str, message: str, data: Any) -> HubAPIError:
    """The error for a 200 reply we cannot read (never treated as an empty success)."""
    shape = sorted(map(str, data))[:10] if isinstance(data, Mapping) else type(data).__name__
    return HubAPIError(f"{message} (got {shape})", hub=hub, status_code=200, body=scrubbed(data))
