"""Every hub's job status and progress words, normalised (PROTOCOL.md gap 15).

Hubs say ``SUCCESS`` (relay), ``succeed`` (Kling), ``completed`` (Sora), ``succeeded`` (Ark,
TokenHub) for the same thing; callers see four words only. Pure functions, no I/O.

Example:
    >>> normalize_status("IN_PROGRESS"), normalize_status("succeed"), parse_progress("42%")
    ('running', 'succeeded', 0.42)
"""

from __future__ import annotations

import math
import sys
from typing import Literal

__all__ = [
    "TERMINAL",
    "Status",
    "needs_action",
    "normalize_status",
    "parse_progress",
]

Status = Literal["queued", "running", "succeeded", "failed"]

TERMINAL: frozenset[str] = frozenset({"succeeded", "failed"})
"""Statuses after which a job never changes again."""

_WORDS: dict[str, Status] = {
    # queued
    "not_start": "queued",
    "not_started": "queued",
    "submitted": "queued",
    "queued": "queued",
    "queue": "queued",
    "pending": "queued",
    "waiting": "queued",
    "created": "queued",
    # running
    "in_progress": "running",
    "processing": "running",
    "running": "running",
    "started": "running",
    "generating": "running",
    # succeeded
    "success": "succeeded",
    "succeed": "succeeded",
    "succeeded": "succeeded",
    "completed": "succeeded",
    "complete": "succeeded",
    "done": "succeeded",
    "finished": "succeeded",
    # failed
    "failure": "failed",
    "failed": "failed",
    "fail": "failed",
    "cancel": "failed",
    "canceled": "failed",
    "cancelled": "failed",
    "error": "failed",
    "expired": "failed",
}

_LARGEST_FLOAT = int(sys.float_info.max)
_ACTION_WORDS = frozenset({"modal"})
"""Midjourney ``MODAL``: the hub waits for a follow-up request, so polling on is pointless."""


def _key(raw: object) -> str:
    return str(raw).strip().lower().replace("-", "_").replace(" ", "_")


def normalize_status(raw: object) -> Status:
    """One of ``queued | running | succeeded | failed`` for any hub's status word.

    An unknown word (or none at all) counts as ``running``: the wait goes on until its timeout,
    as gap 15 says, instead of guessing an outcome.
    """
    if raw is None or isinstance(raw, bool):
        return "running"
    return _WORDS.get(_key(raw), "running")


def needs_action(raw: object) -> bool:
    """True when the status asks the caller for a follow-up (Midjourney ``MODAL``)."""
    return raw is not None and _key(raw) in _ACTION_WORDS


def parse_progress(value: object) -> float | None:
    """Progress as a fraction 0..1, or None when the hub gave none (or nonsense).

    ``"42%"`` and integers are percentages (``42`` -> 0.42; OpenAI videos send 0-100);
    a float from 0 to 1 is already a fraction; a float above 1 is a percentage. Results are
    clamped to 0..1; negative, infinite, NaN and integers too large for a float give None.
    """
    if value is None or isinstance(value, bool):
        return None
    percent: bool
    number: float
    if isinstance(value, int):
        if abs(value) > _LARGEST_FLOAT:  # JSON integers have no size limit; floats do
            return None
        number, percent = float(value), True
    elif isinstance(value, float):
        number, percent = value, value > 1.0
    elif isinstance(value, str):
        text = value.strip()
        percent = text.endswith("%")
        text = text.rstrip("%").strip()
        try:
            number = float(text)
        except ValueError:
            return None
        integral = text.lstrip("+-").isdigit()  # "42" reads like the integer 42: a percentage
        percent = percent or integral or number > 1.0
    else:
        return None
    if not math.isfinite(number) or number < 0:
        return None
    fraction = number / 100.0 if percent else number
    return min(fraction, 1.0)
