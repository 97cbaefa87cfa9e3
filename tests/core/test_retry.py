"""The retry table and Retry-After parsing (pure functions)."""

from __future__ import annotations

from email.utils import formatdate

import pytest

from hub_core.retry import RetryPolicy, backoff, decide, parse_retry_after

P = RetryPolicy(max_retries=2, max_retry_wait=60.0)


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504])
def test_retryable_statuses_for_calls(status: int) -> None:
    assert decide(P, "call", 0, status=status).retry
    assert decide(P, "poll", 1, status=status).retry


@pytest.mark.parametrize("status", [400, 401, 402, 403, 404, 422])
def test_never_retried(status: int) -> None:
    for kind in ("call", "submit", "poll"):
        assert not decide(P, kind, 0, status=status).retry  # type: ignore[arg-type]


def test_submit_only_when_not_accepted() -> None:
    assert decide(P, "submit", 0, failure="not_sent").retry
    assert not decide(P, "submit", 0, failure="sent").retry
    assert decide(P, "submit", 0, status=429).retry
    assert not decide(P, "submit", 0, status=503).retry
    assert decide(P, "call", 0, failure="sent").retry


def test_quota_429_not_retried_and_exhaustion() -> None:
    assert not decide(P, "call", 0, status=429, quota=True).retry
    assert not decide(P, "call", 2, status=503).retry
    assert not decide(RetryPolicy(max_retries=0), "call", 0, failure="not_sent").retry


def test_server_delay_honoured_or_refused() -> None:
    d = decide(P, "call", 0, status=429, retry_after=3.0)
    assert d.retry
    assert d.delay == 3.0
    assert not decide(P, "call", 0, status=429, retry_after=180.0).retry


def test_backoff_bounds() -> None:
    for n in range(6):
        value = backoff(n)
        top = min(0.5 * 2**n, 8.0)
        assert 0.75 * top <= value <= top


def test_parse_retry_after_sources() -> None:
    now = 1_700_000_000.0
    assert parse_retry_after({"retry-after-ms": "1500", "retry-after": "9"}) == 1.5
    assert parse_retry_after({"retry-after": "7"}) == 7.0
    date = formatdate(now + 30, usegmt=True)
    assert parse_retry_after({"retry-after": date}, now=now) == pytest.approx(30.0)
    assert parse_retry_after({"x-ratelimit-reset": str(int(now + 12))}, now=now) == 12.0
    assert parse_retry_after({"x-ratelimit-reset": "5"}, now=now) == 5.0
    assert parse_retry_after({"x-ratelimit-reset-requests": "1m30s"}) == 90.0
    assert parse_retry_after({}, "Rate limit exceeded. Try again in 180 seconds.") == 180.0
    assert parse_retry_after({}, "please retry after 250ms") == 0.25
    assert parse_retry_after({}, "try again in 2 minutes") == 120.0
    assert parse_retry_after({"retry-after": "garbage"}, "no hint") is None
    # the message (a cooldown) wins over the RPM window reset; 5xx callers skip the reset
    reset = {"x-ratelimit-reset": str(int(now + 12))}
    assert parse_retry_after(reset, "Try again in 180 seconds.", now=now) == 180.0
    assert parse_retry_after(reset, None, now=now, reset_headers=False) is None
    assert parse_retry_after(None, None) is None
