"""The fault matrix as data: one row per fault, what each kind of client must do about it.

A row gives the emulator fault (``hub_emulator.admin.fault`` fields; the column fills in ``hub``
and ``path``) and the expected outcome for plain calls and for streams. ``render_table()`` writes
the rows x columns table that ``README.md`` holds (a test keeps the two identical).

Clients retry once (``max_retries=1``), so "ok, 2 requests" means: failed once, retried, succeeded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from reliab_columns import COLUMNS, Column

from hub_core.errors import (
    AuthenticationError,
    BadRequestError,
    HubConnectionError,
    InsufficientCreditsError,
    InvalidResponseError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    StreamError,
    UpstreamError,
)

K = 3
"""Events (or, for plain replies, half the body) sent before a mid-body fault."""


@dataclass(frozen=True)
class Expect:
    """One cell: an error type (None: success with the whole answer) and the requests the
    emulator saw; ``partial``: the error carries exactly the text the caller already got."""

    error: type[BaseException] | None
    requests: int
    partial: bool = False
    cause: type[BaseException] | None = None
    """For a StreamError: the type of the hub error it carries (``.error``)."""

    def describe(self) -> str:
        what = "ok" if self.error is None else self.error.__name__.removesuffix("Error")
        if self.cause is not None:
            what += f"({self.cause.__name__.removesuffix('Error')})"
        if self.partial:
            what += " +partial"
        return f"{what}, {self.requests}"


OK1 = Expect(None, 1)
OK2 = Expect(None, 2)


@dataclass(frozen=True)
class Row:
    """A fault and what plain calls (invoke, chat, embeddings) and streams must do."""

    name: str
    fault: Mapping[str, Any] | None
    plain: Expect
    stream: Expect | None = None
    timeout: float | None = None
    """Client timeout (seconds, every phase) for this row; None: the defaults."""
    refused: bool = False
    """No emulator fault: the client points at a closed port."""
    note: str = field(default="", compare=False)
    by_column: Mapping[str, Expect] = field(default_factory=dict)
    """Column name -> its own expectation, where it differs from plain/stream (a paid submit
    is never retried once the hub may have accepted it)."""

    def expect(self, column: Column) -> Expect:
        if column.name in self.by_column:
            return self.by_column[column.name]
        return self.stream if column.stream and self.stream is not None else self.plain


def _status(code: int, error: type[BaseException] | None, **extra: Any) -> Row:
    return Row(str(code), {"status": code, **extra}, Expect(error, 1) if error else OK2)


ROWS: tuple[Row, ...] = (
    _status(400, BadRequestError),
    _status(401, AuthenticationError),
    _status(402, InsufficientCreditsError),
    _status(403, PermissionDeniedError),
    _status(404, NotFoundError),
    _status(408, None),
    _status(409, None),
    _status(422, BadRequestError),
    Row("429 Retry-After 1 s", {"status": 429, "headers": {"Retry-After": "1"}}, OK2,
        note="waits the server's delay, then succeeds"),
    Row("429 Retry-After 120 s", {"status": 429, "headers": {"Retry-After": "120"}},
        Expect(RateLimitError, 1), note="longer than max_retry_wait (60 s): raised at once"),
    Row("429 no Retry-After", {"status": 429}, OK2, note="backoff, then succeeds"),
    _status(500, None),
    _status(502, None),
    _status(503, None),
    _status(504, None),
    Row("connection refused", None, Expect(HubConnectionError, 0), refused=True,
        note="retried (never reached the hub), then raised; the emulator saw nothing"),
    Row("dropped before response", {"drop": "before_response"}, OK2),
    Row(f"dropped after {K} chunks", {"drop": "after_chunks", "after_chunks": K}, OK2,
        stream=Expect(StreamError, 1, partial=True),
        note="plain: half the body then a reset, retried; streams: the body started, not retried"),
    Row("read timeout", {"delay": 1.0}, OK2, timeout=0.5,
        note="the reply comes 1 s late, the client reads for 0.5 s"),
    Row("malformed SSE line", {"sse": "malformed_line", "after_chunks": K}, OK1,
        stream=Expect(StreamError, 1, partial=True), note="plain calls: nothing to break"),
    Row("missing [DONE]", {"sse": "missing_done"}, OK1,
        note="finish_reason arrived: the reply is whole"),
    Row("stream ends without finish", {"sse": "no_finish"}, OK1,
        stream=Expect(StreamError, 1, partial=True), note="no [DONE], no finish_reason: cut short"),
    Row("error event mid-stream", {"sse": "error_event", "status": 502, "after_chunks": K}, OK1,
        stream=Expect(StreamError, 1, partial=True, cause=UpstreamError)),
    Row("unknown well-formed event", {"sse": "unknown_event", "after_chunks": K}, OK1,
        note="ignored"),
    Row("200 with an error body", {"error_200": 402}, Expect(InsufficientCreditsError, 1)),
    Row("non-JSON body (HTML)", {"invalid_body": "html", "count": 2},
        Expect(InvalidResponseError, 2), note="retried like a 502, then raised"),
    Row("truncated JSON", {"invalid_body": "truncated_json", "count": 2},
        Expect(InvalidResponseError, 2), note="retried like a 502, then raised"),
)


def render_table(columns: tuple[Column, ...] = COLUMNS) -> str:
    """The README table: one line per row, one cell per column (``outcome, requests``)."""
    head = "| fault | " + " | ".join(c.name for c in columns) + " | notes |"
    rule = "|---|" + "---|" * len(columns) + "---|"
    lines = [head, rule]
    for row in ROWS:
        cells = " | ".join(row.expect(c).describe() for c in columns)
        lines.append(f"| {row.name} | {cells} | {row.note} |")
    return "\n".join(lines) + "\n"
