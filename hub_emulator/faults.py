"""Fault injection: rules that change the next N matching requests."""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass, field
from typing import Any

DROPS = ("before_response", "after_chunks", "after_accept")
SSE_FAULTS = ("malformed_line", "missing_done", "error_event", "heartbeats", "no_finish",
              "unknown_event")
TOOL_DELTAS = ("no_index", "repeated_index", "empty_continuation_ids", "object_arguments",
               "name_with_args", "two_calls_one_chunk")
REASONING = ("reasoning", "reasoning_content", "reasoning_details", "think_tags")
FRAMINGS = ("bare", "sse", "mixed")
INVALID_BODIES = ("html", "truncated_json")

_ids = itertools.count(1)


@dataclass
class Fault:
    """One fault rule; ``count`` is how many more requests it applies to."""

    hub: str | None = None
    path: str | None = None  # substring of the request path
    method: str | None = None
    count: int = 1
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    delay: float = 0.0
    drop: str | None = None
    after_chunks: int = 0
    sse: str | None = None
    error_200: bool | int = False
    tool_delta: str | None = None
    reasoning: str | None = None
    # media: the job a submit creates fails with this reason / takes this long; Electron Hub
    # video: exactly this many heartbeats, events framed this way
    job_fail: str | None = None
    job_seconds: float | None = None
    heartbeats: int | None = None
    framing: str | None = None
    # a reply that is not valid JSON: "html" (a proxy's page, status ``status`` or 200) or
    # "truncated_json" (the real reply, or a stream's first event, cut in half; 200)
    invalid_body: str | None = None
    id: int = field(default_factory=lambda: next(_ids))

    def __post_init__(self) -> None:
        """Reject unknown values early so a typo fails the test that made it."""
        checks = ((self.drop, DROPS, "drop"), (self.sse, SSE_FAULTS, "sse"),
                  (self.tool_delta, TOOL_DELTAS, "tool_delta"),
                  (self.reasoning, REASONING, "reasoning"), (self.framing, FRAMINGS, "framing"),
                  (self.invalid_body, INVALID_BODIES, "invalid_body"))
        for value, allowed, name in checks:
            if value is not None and value not in allowed:
                raise ValueError(f"{name} must be one of {allowed}, got {value!r}")
        if self.count < 1:
            raise ValueError("count must be >= 1")
        if self.job_seconds is not None and not self.job_seconds >= 0:
            raise ValueError("job_seconds must be >= 0")
        if self.heartbeats is not None and self.heartbeats < 0:
            raise ValueError("heartbeats must be >= 0")
        if self.method:
            self.method = self.method.upper()

    def matches(self, hub: str, path: str, method: str) -> bool:
        """Whether this rule applies to a request."""
        return ((self.hub is None or self.hub == hub)
                and (self.path is None or self.path in path)
                and (self.method is None or self.method == method))

    def as_dict(self) -> dict[str, Any]:
        """JSON form for the admin API."""
        return asdict(self)


FAULT_FIELDS = frozenset(Fault.__dataclass_fields__) - {"id"}


class FaultBook:
    """Pending faults, consumed first-registered-first."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        """Register a rule."""
        self._faults.append(fault)
        return fault

    def take(self, hub: str, path: str, method: str) -> Fault | None:
        """The first matching rule, with one use consumed; ``None`` if none applies."""
        if not self._faults:
            return None
        for fault in self._faults:
            if fault.matches(hub, path, method):
                fault.count -= 1
                if fault.count <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def clear(self) -> None:
        """Forget every rule."""
        self._faults.clear()

    def pending(self) -> list[dict[str, Any]]:
        """Rules still waiting, for the admin API."""
        return [f.as_dict() for f in self._faults]
