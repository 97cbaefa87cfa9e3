"""Route registry and the request context handlers see (the seam media routes plug into)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from . import jsonutil
from .dialects import Dialect
from .faults import Fault
from .state import Account, EmulatorState


class HTTPError(Exception):
    """Raised by handlers; answered in the hub's dialect."""

    def __init__(self, status: int, message: str, code: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.headers = headers or {}


@dataclass
class Out:
    """What a handler answers: a JSON/binary body, SSE events, or a ``stream`` of chunks sent as
    they are produced (large files, held-open event streams); ``length`` is its size if known."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    events: list[bytes] | None = None
    stream: AsyncIterator[bytes] | None = None
    length: int | None = None
    model: str | None = None
    credits: float = 0

    @classmethod
    def json(cls, obj: Any, status: int = 200, **kw: Any) -> Out:
        """A JSON reply."""
        return cls(status=status, body=jsonutil.dumps(obj), **kw)


@dataclass
class Ctx:
    """One request as handlers see it."""

    state: EmulatorState
    hub: str
    dialect: Dialect
    surface: str  # "api" (OpenAI paths) or "root" (task / account routes)
    variant: str  # electronhub: v1 | v1legacy | v1thinking | root; others: v1 | root
    sub: str  # path below the surface prefix, e.g. "chat/completions"
    path: str  # full request path
    method: str
    headers: dict[str, str]
    query: dict[str, str]
    raw_body: bytes
    key: str | None
    account: Account | None
    request_id: str
    fault: Fault | None
    params: dict[str, str] = field(default_factory=dict)
    _json: Any = None
    _parsed: bool = False

    def json(self) -> Any:
        """The parsed JSON body (400 in the hub's dialect if it is not JSON)."""
        if not self._parsed:
            self._parsed = True
            if not self.raw_body:
                self._json = None
            else:
                try:
                    self._json = jsonutil.loads(self.raw_body)
                except ValueError:
                    raise HTTPError(400, "Request body is not valid JSON", "invalid_json") from None
        return self._json

    def require_account(self) -> Account:
        """The caller's account (handlers behind key auth always have one)."""
        if self.account is None:
            raise HTTPError(401, "Missing API key", "invalid_api_key")
        return self.account


Handler = Callable[[Ctx], Awaitable[Out]]


@dataclass(frozen=True)
class Route:
    """A registered route: ``auth`` is key | jwt | jwt_or_key | none."""

    handler: Handler
    auth: str = "key"
    paid: bool = False


_EXACT: dict[tuple[str, str, str, str], Route] = {}
_PATTERNS: list[tuple[str, str, str, list[str], Route]] = []


def register(hubs: tuple[str, ...] | str, surface: str, method: str, path: str, handler: Handler,
             *, auth: str = "key", paid: bool = False) -> None:
    """Add a route; ``{name}`` segments capture one segment, ``{name:path}`` the rest."""
    for hub in (hubs,) if isinstance(hubs, str) else hubs:
        route = Route(handler, auth, paid)
        if "{" in path:
            _PATTERNS.append((hub, surface, method.upper(), path.split("/"), route))
        else:
            _EXACT[(hub, surface, method.upper(), path)] = route


def lookup(hub: str, surface: str, method: str, sub: str) -> tuple[Route | None, dict[str, str]]:
    """The route for a request and its captured parameters."""
    route = _EXACT.get((hub, surface, method, sub))
    if route is not None:
        return route, {}
    parts = sub.split("/")
    for r_hub, r_surface, r_method, segs, route in _PATTERNS:
        if r_hub != hub or r_surface != surface or r_method != method:
            continue
        params = _match(segs, parts)
        if params is not None:
            return route, params
    return None, {}


def _match(segs: list[str], parts: list[str]) -> dict[str, str] | None:
    params: dict[str, str] = {}
    for i, seg in enumerate(segs):
        if seg.startswith("{") and seg.endswith(":path}"):
            rest = "/".join(parts[i:])
            if not rest:
                return None
            params[seg[1:-6]] = rest
            return params
        if i >= len(parts):
            return None
        if seg.startswith("{") and seg.endswith("}"):
            if not parts[i]:
                return None
            params[seg[1:-1]] = parts[i]
        elif seg != parts[i]:
            return None
    return params if len(parts) == len(segs) else None


def allowed_methods(hub: str, surface: str, sub: str) -> list[str]:
    """Methods that exist for a path (to tell 405 from 404)."""
    methods = {m for (h, s, m, p) in _EXACT if h == hub and s == surface and p == sub}
    parts = sub.split("/")
    for r_hub, r_surface, r_method, segs, _ in _PATTERNS:
        if r_hub == hub and r_surface == surface and _match(segs, parts) is not None:
            methods.add(r_method)
    return sorted(methods)
