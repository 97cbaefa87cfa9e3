"""The transport's value types: per-phase ``Timeouts`` and ``HubResponse`` (what adapters see)."""

from __future__ import annotations

import json as _json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

__all__ = ["HubResponse", "Timeouts"]

_loads = _json.loads
_UNSET: Any = object()


@dataclass(frozen=True)
class Timeouts:
    """Per-phase timeouts in seconds. ``read`` is per socket read (inactivity), not a deadline."""

    connect: float = 5.0
    read: float = 120.0
    write: float = 30.0
    pool: float = 10.0

    @classmethod
    def of(cls, value: Timeouts | float | None) -> Timeouts:
        """``None`` -> defaults; a number -> that many seconds for every phase."""
        if value is None:
            return cls()
        if isinstance(value, Timeouts):
            return value
        seconds = float(value)
        return cls(connect=seconds, read=seconds, write=seconds, pool=seconds)

    def to_httpx(self) -> httpx.Timeout:
        """The httpx form (kept private to this module's callers)."""
        return httpx.Timeout(connect=self.connect, read=self.read, write=self.write, pool=self.pool)


class HubResponse:
    """What adapters see instead of ``httpx.Response``: status, headers, body, request id."""

    __slots__ = ("_json", "content", "headers", "request_id", "status_code")

    def __init__(self, status_code: int, headers: Mapping[str, str], content: bytes) -> None:
        self.status_code = status_code
        self.headers = headers  # case-insensitive; iterates lower-case keys
        self.content = content
        self.request_id: str | None = headers.get("x-request-id") or headers.get("request-id")
        self._json: Any = _UNSET

    def json(self) -> Any:
        """The body decoded as JSON (decoded once, then cached)."""
        if self._json is _UNSET:
            self._json = _loads(self.content)
        return self._json

    def text(self) -> str:
        """The body as text (UTF-8, undecodable bytes replaced)."""
        return self.content.decode("utf-8", "replace")

    @property
    def rate_limit(self) -> dict[str, str]:
        """The ``x-ratelimit-*`` headers the hub sent (limit, remaining, reset)."""
        return {k: v for k, v in self.headers.items() if k.lower().startswith("x-ratelimit-")}

    def __getstate__(self) -> dict[str, Any]:
        return {
            "status_code": self.status_code,
            "headers": dict(self.headers.items()),
            "content": self.content,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["status_code"], state["headers"], state["content"])  # type: ignore[misc]

    def __repr__(self) -> str:
        return f"HubResponse(status_code={self.status_code}, request_id={self.request_id!r})"
