"""Server-side state: accounts per (hub, key), the credit ledger, plan rate limits."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from .dialects import DIALECTS
from .faults import FaultBook
from .media_state import MediaJob, MediaState

WINDOW = 60.0
DEFAULT_COOLDOWN = 180.0


@dataclass
class Account:
    """One key's (or one API Hub user's) balance, plan and history."""

    hub: str
    balance: float
    plan: str | int | None = None
    rpm: int | None = None
    cooldown: float = DEFAULT_COOLDOWN
    rate_window: float = WINDOW  # seconds the rpm counts over (tests scale plans down in time)
    spent: float = 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    submissions: dict[str, int] = field(default_factory=dict)  # job id -> submits
    jobs: dict[str, MediaJob] = field(default_factory=dict)
    window: deque[float] = field(default_factory=deque)
    cooldown_until: float = 0.0
    input_tokens: int = 0
    output_tokens: int = 0

    def snapshot(self) -> dict[str, Any]:
        """The ledger view the admin API returns."""
        return {"balance": self.balance, "spent": self.spent, "plan": self.plan,
                "rpm": self.rpm, "rate_window": self.rate_window, "requests": list(self.requests),
                "submissions": dict(self.submissions),
                "jobs": {job_id: job.row() for job_id, job in self.jobs.items()}}

    def charge(self, amount: float) -> float:
        """Take ``amount`` (never below zero); returns what was taken."""
        take = min(max(amount, 0.0), max(self.balance, 0.0))
        if isinstance(self.balance, int) and float(take).is_integer():
            take = int(take)
        self.balance -= take
        self.spent += take
        return take

    def admit(self, now: float) -> tuple[bool, float]:
        """Sliding-window check: (allowed, seconds until allowed). Every attempt counts."""
        if self.rpm is None:
            return True, 0.0
        if now < self.cooldown_until:
            return False, self.cooldown_until - now
        win = self.window
        while win and now - win[0] >= self.rate_window:
            win.popleft()
        if len(win) >= self.rpm:
            wait = self.cooldown if self.hub == "electronhub" else self.rate_window - (now - win[0])
            if self.hub == "electronhub":
                # the cooldown replaces the window: once it ends the key starts afresh
                self.cooldown_until = now + self.cooldown
                win.clear()
            return False, wait
        win.append(now)
        return True, 0.0

    def remaining(self, now: float) -> tuple[int, int, int]:
        """(limit, remaining, reset epoch seconds) for ``X-RateLimit-*`` headers."""
        if self.rpm is None:
            return 1_000_000, 1_000_000, int(time.time()) + int(WINDOW)
        if now < self.cooldown_until:
            return self.rpm, 0, int(time.time() + self.cooldown_until - now) + 1
        win = self.window
        while win and now - win[0] >= self.rate_window:
            win.popleft()
        reset = time.time() + (self.rate_window - (now - win[0]) if win else self.rate_window)
        return self.rpm, max(0, self.rpm - len(win)), int(reset) + 1


@dataclass
class ApiHubUser:
    """An API Hub user created by ``/auth/register``; all its keys share one account."""

    email: str
    password: str
    token: str
    account: Account
    keys: dict[str, dict[str, Any]] = field(default_factory=dict)  # key_id -> record


class EmulatorState:
    """Everything the server remembers; reset by the admin API."""

    def __init__(self) -> None:
        self.accounts: dict[tuple[str, str], Account] = {}
        self.faults = FaultBook()
        self.users: dict[str, ApiHubUser] = {}
        self.tokens: dict[str, ApiHubUser] = {}
        self.revoked: set[str] = set()
        self.request_seq = 0
        self.default_cooldown = DEFAULT_COOLDOWN
        self.media = MediaState()

    def reset(self) -> None:
        """Forget accounts, users, faults, media jobs and files (settings stay)."""
        self.accounts.clear()
        self.media.reset()
        self.faults.clear()
        self.users.clear()
        self.tokens.clear()
        self.revoked.clear()

    def account(self, hub: str, key: str) -> Account:
        """The account of ``key``, created on first use with a large balance and no limit."""
        acct = self.accounts.get((hub, key))
        if acct is None:
            acct = Account(hub, DIALECTS[hub].default_balance, "unlimited", None,
                           self.default_cooldown)
            self.accounts[(hub, key)] = acct
        return acct

    def set_account(self, hub: str, key: str, *, balance: float | None = None,
                    plan: str | int | None = None, cooldown: float | None = None,
                    rate_window: float | None = None) -> Account:
        """Admin: change balance, plan, Electron Hub cooldown or rate window of a key."""
        acct = self.account(hub, key)
        if balance is not None:
            acct.balance = balance
        if plan is not None:
            acct.rpm = DIALECTS[hub].rpm_for(plan)
            acct.plan = plan
            acct.window.clear()
            acct.cooldown_until = 0.0
        if cooldown is not None:
            acct.cooldown = float(cooldown)
        if rate_window is not None:
            if not float(rate_window) > 0:
                raise ValueError(f"rate_window must be > 0 seconds, got {rate_window!r}")
            acct.rate_window = float(rate_window)
            acct.window.clear()
        return acct
