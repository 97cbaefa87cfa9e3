"""Per-hub dialect: key prefix, unit, error bodies, plan limits, messages clients parse."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import jsonutil

HUBS = ("electronhub", "chainhub", "apihub", "tokenhub")

_OPENAI_TYPES = {
    400: ("invalid_request_error", "invalid_request"),
    401: ("authentication_error", "invalid_api_key"),
    402: ("insufficient_quota", "insufficient_credits"),
    403: ("permission_error", "permission_denied"),
    404: ("invalid_request_error", "not_found"),
    408: ("timeout_error", "timeout"),
    409: ("conflict_error", "conflict"),
    422: ("invalid_request_error", "unprocessable"),
    429: ("rate_limit_error", "rate_limit_exceeded"),
    500: ("server_error", "internal_error"),
    502: ("upstream_error", "bad_gateway"),
    503: ("server_error", "service_unavailable"),
    504: ("timeout_error", "gateway_timeout"),
}


@dataclass(frozen=True)
class Dialect:
    """What differs between hubs on the wire."""

    hub: str
    key_prefix: str
    unit: str  # "credits" or "tokens"
    billing: str  # "per_request" | "per_token_price" | "per_token_count"
    default_balance: float
    reasoning_field: str
    plans: dict[str, int | None] = field(default_factory=dict)

    def error_body(self, status: int, message: str, code: str | None = None,
                   *, task: bool = False) -> bytes:
        """The error body this hub sends for ``status``."""
        return jsonutil.dumps(self.error_obj(status, message, code, task=task))

    def error_obj(self, status: int, message: str, code: str | None = None,
                  *, task: bool = False) -> dict[str, Any]:
        """The error object this hub sends (also used for SSE error events)."""
        etype, default_code = _OPENAI_TYPES.get(status, ("error", "error"))
        if self.hub == "apihub":
            return {"detail": message}
        if task:
            return {"code": code or default_code, "message": message, "data": None}
        if self.hub == "electronhub":
            return {"error": {"message": message, "type": etype if status != 402 else "error",
                              "param": None, "code": status}}
        return {"error": {"message": message, "type": etype, "param": None,
                          "code": code or default_code}}

    def rpm_for(self, plan: str | int | None) -> int | None:
        """Requests per minute of a plan (``None`` = unlimited); ints and ``rpm:N`` accepted."""
        if plan is None:
            return None
        if isinstance(plan, int):
            return plan if plan > 0 else None
        if plan.startswith("rpm:"):
            return int(plan[4:]) or None
        if plan not in self.plans:
            raise ValueError(f"unknown plan {plan!r} for {self.hub}; plans: {sorted(self.plans)}")
        return self.plans[plan]

    def insufficient_message(self, *, balance: float, needed: float, requested_tokens: int,
                             affordable_tokens: int) -> str:
        """The 402 text, with numbers a client can parse."""
        if self.hub == "electronhub":
            return (f"Insufficient balance. You have {int(balance)} credits, "
                    f"this request needs {int(needed)}.")
        if self.hub == "apihub":
            return (f"Insufficient token balance. You have {int(balance)} tokens, "
                    f"this request needs up to {int(needed)}.")
        return ("This request requires more credits, or fewer max_tokens. You requested up to "
                f"{requested_tokens} tokens, but can only afford {max(0, affordable_tokens)}.")


DIALECTS: dict[str, Dialect] = {
    "electronhub": Dialect(
        "electronhub", "ek-", "credits", "per_request", 1_000_000_000, "reasoning",
        {"free": 5, "starter": 10, "plus": 15, "core": 20, "pro": 30, "business": 60,
         "enterprise": 100, "unlimited": None},
    ),
    "chainhub": Dialect(
        "chainhub", "sk-", "credits", "per_token_price", 1_000_000.0, "reasoning_content",
        {"free": 60, "standard": 600, "unlimited": None},
    ),
    "apihub": Dialect(
        "apihub", "sk-", "tokens", "per_token_count", 1_000_000_000_000, "reasoning_content",
        {"free": 60, "pro": 600, "unlimited": None},
    ),
    "tokenhub": Dialect(
        "tokenhub", "th-", "credits", "per_token_price", 1_000_000.0, "reasoning_content",
        {"free": 20, "standard": 600, "unlimited": None},
    ),
}
