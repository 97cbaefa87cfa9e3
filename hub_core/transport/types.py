"""The transport's value types: per-phase ``Timeouts`` and ``HubResponse`` (what adapters see)."""

from __future__ import annotations

import json as _json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from hub_core.errors import invalid_response

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

    __slots__ = ("_json", "content", "headers", "hub", "request_id", "status_code")

    def __init__(
        self, status_code: int, headers: Mapping[str, str], content: bytes, hub: str | None = None
    ) -> None:
        self.status_code = status_code
        self.headers = headers  # case-insensitive; iterates lower-case keys
        self.content = content
        self.hub = hub
        self.request_id: str | None = headers.get("x-request-id") or headers.get("request-id")
        self._json: Any = _UNSET

    def json(self) -> Any:
        """The body decoded as JSON (decoded once, then cached).

        Raises:
            InvalidResponseError: the body is not valid JSON (status, content type and a short
                redacted excerpt attached), never a bare ``JSONDecodeError``.
        """
        if self._json is _UNSET:
            try:
                self._json = _loads(self.content)
            except ValueError:
                raise invalid_response(
                    self.status_code, self.content, self.headers, hub=self.hub
                ) from None
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
            "hub": self.hub,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(  # type: ignore[misc]
            state["status_code"], state["headers"], state["content"], state.get("hub")
        )

    def __repr__(self) -> str:
        return f"HubResponse(status_code={self.status_code}, request_id={self.request_id!r})"
