"""Turn stream parts into the wire event list, applying an ``sse=`` fault."""

from __future__ import annotations

from typing import Any

from .chat import DONE, StreamParts, error_event
from .faults import Fault

HEARTBEAT = b": PROCESSING\n\n"
MALFORMED = b'data: {"id": "chatcmpl-broken", "choices": [{"delta": \n\n'
UNKNOWN = b'event: ping\ndata: {"type": "ping", "object": "hub.keepalive"}\n\ndata: 1\n\n'


def assemble(parts: StreamParts, fault: Fault | None, error_obj: dict[str, Any]) -> list[bytes]:
    """Final events: body, finish, usage chunks, then ``[DONE]``, unless a fault says otherwise."""
    tail = [*parts.finish, *([parts.usage] if parts.usage else []), DONE]
    mode = fault.sse if fault is not None else None
    if mode is None:
        return [*parts.body, *tail]
    assert fault is not None
    body = parts.body
    k = min(fault.after_chunks or 2, len(body))
    if mode == "malformed_line":
        return [*body[:k], MALFORMED, *body[k:], *tail]
    if mode == "unknown_event":  # well-formed JSON of a shape no client knows
        return [*body[:k], UNKNOWN, *body[k:], *tail]
    if mode == "missing_done":
        return [*body, *tail[:-1]]
    if mode == "error_event":
        return [*body[:k], error_event(error_obj)]
    if mode == "no_finish":
        return list(body)
    # heartbeats: a comment before the first event and between all others
    out = [HEARTBEAT]
    for event in [*body, *tail]:
        out.extend((event, HEARTBEAT))
    return out
