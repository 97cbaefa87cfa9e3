"""The one retry policy (DESIGN.md table), as pure functions so it is testable without a network.

``decide`` looks only at facts (request kind, attempt, status or failure phase, server delay), so
the transport and the media poller share it and no other layer retries.
"""

from __future__ import annotations

import math
import random
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Literal

__all__ = [
    "RETRYABLE_STATUSES",
    "Decision",
    "Failure",
    "RequestKind",
    "RetryPolicy",
    "backoff",
    "decide",
    "parse_retry_after",
]

RequestKind = Literal["call", "submit", "poll"]
"""``call``: chat/embeddings; ``submit``: a paid media job POST; ``poll``: an idempotent GET."""

Failure = Literal["not_sent", "sent"]
"""``not_sent``: connect error / connect or pool timeout; ``sent``: it may have reached the hub."""

RETRYABLE_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """How many retries, the backoff curve, and the longest server-asked wait we sit through."""

    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_wait: float = 60.0


@dataclass(frozen=True)
class Decision:
    """Whether to retry and after how long; ``reason`` is for logs and tests."""

    retry: bool
    delay: float = 0.0
    reason: str = ""


def backoff(retries_taken: int, policy: RetryPolicy = RetryPolicy()) -> float:
    """``min(initial * 2**n, max) * U(0.75, 1)``: jitter only shortens, as in openai-python."""
    base = min(policy.initial_delay * (2.0 ** min(retries_taken, 30)), policy.max_delay)
    return base * (1.0 - 0.25 * random.random())


def decide(
    policy: RetryPolicy,
    kind: RequestKind,
    retries_taken: int,
    *,
    status: int | None = None,
    failure: Failure | None = None,
    retry_after: float | None = None,
    quota: bool = False,
) -> Decision:
    """Apply the retry table to one failed attempt.

    Exactly one of ``status`` (the hub answered) or ``failure`` (it did not) is given. ``quota``
    marks a 429/403 that is really out-of-credits (never retried). A server delay longer than
    ``policy.max_retry_wait`` means "do not retry": the caller gets the error at once.
    """
    if retries_taken >= policy.max_retries:
        return Decision(False, reason="retries exhausted")
    if failure is not None:
        if failure == "sent" and kind == "submit":
            return Decision(False, reason="submit may have been accepted")
        return Decision(True, backoff(retries_taken, policy), reason=f"connection {failure}")
    if status is None or quota or status not in RETRYABLE_STATUSES:
        return Decision(False, reason=f"status {status} not retryable")
    if kind == "submit" and status != 429:
        return Decision(False, reason="submit may have been accepted")
    if retry_after is not None and retry_after > 0:
        if retry_after > policy.max_retry_wait:
            return Decision(False, reason="server delay longer than max_retry_wait")
        return Decision(True, retry_after, reason=f"status {status}, server delay")
    return Decision(True, backoff(retries_taken, policy), reason=f"status {status}")


_MSG_RE = re.compile(
    r"(?:try again|retry|wait|again)\s+(?:after|in)\s+(?:about\s+)?([0-9]+(?:\.[0-9]+)?)\s*"
    r"(ms|milliseconds?|s\b|secs?|seconds?|m\b|mins?|minutes?|h\b|hours?)?",
    re.IGNORECASE,
)
_DURATION_RE = re.compile(r"([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)")
_UNIT = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) and value >= 0 else None


def _seconds_or_date(value: str, now: float) -> float | None:
    try:
        return _finite(float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - now)


def _reset(value: str, now: float) -> float | None:
    """``x-ratelimit-reset``: epoch seconds (Electron Hub), a delta, or ``1m30s`` (OpenAI)."""
    try:
        number = float(value)
    except ValueError:
        parts = _DURATION_RE.findall(value.strip())
        if not parts:
            return None
        return sum(float(n) * _UNIT[u] for n, u in parts)
    if not math.isfinite(number):
        return None
    if number > 1e12:  # epoch milliseconds
        return max(0.0, number / 1000.0 - now)
    if number > 1e9:  # epoch seconds
        return max(0.0, number - now)
    return max(0.0, number)


def parse_retry_after(
    headers: Mapping[str, str] | None,
    message: str | None = None,
    *,
    now: float | None = None,
    reset_headers: bool = True,
) -> float | None:
    """Seconds the hub asked us to wait, or None.

    Order: ``retry-after-ms``, ``Retry-After`` (seconds or HTTP date), the message text ("Try
    again in 180 seconds": Electron Hub's cooldown is longer than its window reset), then
    ``x-ratelimit-reset`` (skipped with ``reset_headers=False``: on a 5xx it is only the RPM
    window, not a hint). ``headers`` must have lower-case keys or be case-insensitive.
    """
    now = time.time() if now is None else now
    if headers:
        raw = headers.get("retry-after-ms")
        if raw:
            try:
                ms = _finite(float(raw))
            except ValueError:
                ms = None
            if ms is not None:
                return ms / 1000.0
        raw = headers.get("retry-after")
        if raw:
            seconds = _seconds_or_date(raw.strip(), now)
            if seconds is not None:
                return seconds
    if message:
        m = _MSG_RE.search(message)
        if m:
            unit = (m.group(2) or "s").lower()
            if unit.startswith(("ms", "milli")):
                factor = 0.001
            elif unit.startswith("m"):
                factor = 60.0
            elif unit.startswith("h"):
                factor = 3600.0
            else:
                factor = 1.0
            return float(m.group(1)) * factor
    if headers and reset_headers:
        for name in ("x-ratelimit-reset", "x-ratelimit-reset-requests"):
            raw = headers.get(name)
            if raw:
                seconds = _reset(raw, now)
                if seconds is not None:
                    return seconds
    return None
