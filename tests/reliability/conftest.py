"""Fixtures of the reliability suite."""

from __future__ import annotations

import pytest

from hub_core import retry


@pytest.fixture
def short_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Backoff between retries shortened to 5 ms, so the many retried cells stay fast.

    Which faults are retried, how often, and server-given delays (``Retry-After``) are unchanged;
    the backoff curve itself is tested in ``tests/core/test_retry.py``.
    """
    monkeypatch.setattr(retry, "backoff", lambda retries_taken, policy=None: 0.005)
