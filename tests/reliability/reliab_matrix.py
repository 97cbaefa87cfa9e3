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

from reliab_columns import CHAT_COLUMNS, Column
from reliab_media import MEDIA_COLUMNS

from hub_core.errors import (
    AuthenticationError,
    BadRequestError,
    HubAPIError,
    HubConnectionError,
    HubTimeoutError,
    InsufficientCreditsError,
    InvalidResponseError,
    MediaJobError,
    MediaJobTimeout,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    StreamError,
    UpstreamError,
)

K = 3
"""Events (or, for plain replies, half the body) sent before a mid-body fault."""

COLUMNS: tuple[Column, ...] = CHAT_COLUMNS + MEDIA_COLUMNS
"""Every column of the matrix, in table order."""


@dataclass(frozen=True)
class Expect:
    """One cell: an error type (None: success with the whole answer) and the requests the
    emulator saw; ``partial``: the error carries exactly the text the caller already got;
    ``kept``: the error names a job the hub may hold, and the journal keeps it unfinished."""

    error: type[BaseException] | None
    requests: int
    partial: bool = False
    cause: type[BaseException] | None = None
    """The hub error behind it: a StreamError's ``.error``, else the ``__cause__``."""
    kept: bool = False
    na: str = ""
    """Why this fault cannot apply to this column (the cell is not run)."""

    def describe(self) -> str:
        if self.na:
            return f"n/a: {self.na}"
        what = "ok" if self.error is None else self.error.__name__.removesuffix("Error")
        if self.cause is not None:
            what += f"({self.cause.__name__.removesuffix('Error')})"
        if self.partial:
            what += " +partial"
        if self.kept:
            what += " +kept"
        return f"{what}, {self.requests}"


def not_applicable(why: str) -> Expect:
    """A cell that cannot exist, and why (shown in the table, not run)."""
    return Expect(None, 0, na=why)


OK1 = Expect(None, 1)
OK2 = Expect(None, 2)
OK3 = Expect(None, 3)


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
    fault_by_column: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Column name -> fault fields that replace the row's for that column."""

    def expect(self, column: Column) -> Expect:
        if column.name in self.by_column:
            return self.by_column[column.name]
        return self.stream if column.stream and self.stream is not None else self.plain

    def fault_for(self, column: Column) -> dict[str, Any] | None:
        """The emulator fault for this cell (``count`` 1 unless the row says otherwise)."""
        if self.fault is None:
            return None
        return {"count": 1, **self.fault, **column.fault_extra,
                **self.fault_by_column.get(column.name, {})}


SUBMIT, POLL, STREAM = (c.name for c in MEDIA_COLUMNS)
NO_EVENTS = not_applicable("JSON reply, no events")
NO_DONE = not_applicable("no [DONE] in video")
ONCE = {SUBMIT: {"count": 1}, STREAM: {"count": 1}}
"""A paid submit is sent once, so a fault meant for two attempts is given once there."""


def _lost(cause: type[BaseException] | None = None) -> Expect:
    """A paid request whose reply never came back readable: not sent again, the job kept."""
    return Expect(MediaJobError, 1, cause=cause, kept=True)


def _paid(submit: Expect, poll: Expect | None = None, stream: Expect | None = None
          ) -> dict[str, Expect]:
    """The media columns of a row: submit, poll (default: as the plain calls), stream (default:
    as the submit)."""
    cells = {SUBMIT: submit, STREAM: stream or submit}
    return cells if poll is None else {**cells, POLL: poll}


def _status(code: int, error: type[BaseException] | None, submit: type[BaseException] = HubAPIError
            ) -> Row:
    """A status row: refused (``error``), or retried by calls and polls but never for a paid
    submit, which raises ``submit`` after one request."""
    if error is not None:
        return Row(str(code), {"status": code}, Expect(error, 1),
                   by_column={POLL: Expect(MediaJobError, 1, cause=error, kept=True)})
    return Row(str(code), {"status": code}, OK2, by_column=_paid(Expect(submit, 1)))


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
        note="waits the server's delay, then succeeds (a submit too: a 429 was not accepted)"),
    Row("429 Retry-After 120 s", {"status": 429, "headers": {"Retry-After": "120"}},
        Expect(RateLimitError, 1), by_column={POLL: Expect(MediaJobTimeout, 1, kept=True)},
        note="longer than max_retry_wait (60 s): raised at once; poll: the wait's own deadline "
             "(3 s here) comes first"),
    Row("429 no Retry-After", {"status": 429}, OK2,
        note="backoff, then succeeds (Electron Hub: its X-RateLimit-Reset, 1 s here)"),
    _status(500, None, ServerError),
    _status(502, None, UpstreamError),
    _status(503, None, UpstreamError),
    _status(504, None, UpstreamError),
    Row("connection refused", None, Expect(HubConnectionError, 0), refused=True,
        by_column={POLL: Expect(MediaJobTimeout, 0, kept=True)},
        note="retried (never reached the hub), then raised; the emulator saw nothing; poll: the "
             "hub went away after the submit, the wait retries until its deadline"),
    Row("dropped before response", {"drop": "before_response"}, OK2,
        by_column=_paid(_lost(HubConnectionError))),
    Row(f"dropped after {K} chunks", {"drop": "after_chunks", "after_chunks": K}, OK2,
        stream=Expect(StreamError, 1, partial=True),
        by_column=_paid(_lost(HubConnectionError), stream=_lost(StreamError)),
        note="plain: half the body then a reset, retried; streams: the body started, not retried"),
    Row("read timeout", {"delay": 1.0}, OK2, timeout=0.5,
        by_column=_paid(_lost(HubTimeoutError), stream=OK1),
        note="the reply comes 1 s late, the client reads for 0.5 s (the video stream: 900 s)"),
    Row("malformed SSE line", {"sse": "malformed_line", "after_chunks": K}, OK1,
        stream=Expect(StreamError, 1, partial=True),
        by_column=_paid(NO_EVENTS, NO_EVENTS, _lost(StreamError)),
        note="plain calls: nothing to break"),
    Row("missing [DONE]", {"sse": "missing_done"}, OK1,
        by_column=_paid(NO_DONE, NO_DONE), note="finish_reason arrived: the reply is whole"),
    Row("stream ends without finish", {"sse": "no_finish", "after_chunks": K}, OK1,
        stream=Expect(StreamError, 1, partial=True),
        by_column=_paid(NO_EVENTS, NO_EVENTS, _lost()),
        note="no [DONE], no finish_reason (video: no result): cut short"),
    Row("error event mid-stream", {"sse": "error_event", "status": 502, "after_chunks": K}, OK1,
        stream=Expect(StreamError, 1, partial=True, cause=UpstreamError),
        by_column=_paid(NO_EVENTS, NO_EVENTS, Expect(MediaJobError, 1)),
        note="video: the hub failed the job, in its words"),
    Row("unknown well-formed event", {"sse": "unknown_event", "after_chunks": K}, OK1,
        by_column=_paid(NO_EVENTS, NO_EVENTS, OK1), note="ignored"),
    Row("200 with an error body", {"error_200": 402}, Expect(InsufficientCreditsError, 1),
        by_column={POLL: Expect(MediaJobError, 1, cause=InsufficientCreditsError, kept=True)}),
    Row("non-JSON body (HTML)", {"invalid_body": "html", "count": 2},
        Expect(InvalidResponseError, 2), by_column=_paid(_lost(InvalidResponseError), OK3),
        fault_by_column=ONCE, note="retried like a 502, then raised; a paid submit: kept as "
        "lost, never sent again; poll: the wait polls again"),
    Row("truncated JSON", {"invalid_body": "truncated_json", "count": 2},
        Expect(InvalidResponseError, 2), by_column=_paid(_lost(InvalidResponseError), OK3),
        fault_by_column=ONCE, note="as above (the hub took and charged the paid job)"),
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
