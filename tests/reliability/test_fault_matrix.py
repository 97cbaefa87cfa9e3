"""The fault matrix: every fault row x every client column, against the emulator.

Cells come from ``reliab_matrix.ROWS`` x ``reliab_columns.COLUMNS``; ``README.md`` holds the same
table (``test_readme_holds_the_table`` keeps them identical). Each cell asserts the error type
(or success with the whole answer), the requests the emulator saw, that text already received is
kept on the error, and that the fault was used up by this cell alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from reliab_columns import COLUMNS, EXPECTED_REPLY, HUB, Column, Outcome, Setup
from reliab_matrix import ROWS, Row, render_table
from secret_probe import closed_port

from hub_core.errors import StreamError

README = Path(__file__).with_name("README.md")


pytestmark = pytest.mark.usefixtures("short_backoff")
SETTLE_SECONDS = 4.0
"""Longest wait for late ledger rows (a delayed request is recorded when its handler ends)."""


def _requests(emu: Any, key: str, expected: int) -> int:
    """Requests the emulator recorded for ``key``, waiting (bounded) for late ones."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        seen = len(emu.admin.ledger(HUB, key)["requests"])
        if seen >= expected or time.monotonic() > deadline:
            return seen
        time.sleep(0.05)


def _check_answer(column: Column, outcome: Outcome) -> None:
    assert outcome.error is None, f"expected success, got {outcome.error!r}"
    assert outcome.answer
    if column.path == "chat/completions":
        assert outcome.answer.startswith(EXPECTED_REPLY), outcome.answer
    else:
        assert outcome.answer.startswith("2 vectors of ")


def _check_error(row: Row, column: Column, outcome: Outcome) -> None:
    expect = row.expect(column)
    err = outcome.error
    assert expect.error is not None
    assert isinstance(err, expect.error), f"expected {expect.error.__name__}, got {err!r}"
    if expect.cause is not None:
        assert isinstance(err, StreamError) and isinstance(err.error, expect.cause), repr(err)
    if expect.partial:
        assert isinstance(err, StreamError)
        assert outcome.shown, "the stream showed text before the fault"
        assert err.partial_text == outcome.shown  # what the caller saw is on the error
        shown = outcome.shown
        assert EXPECTED_REPLY.startswith(shown) or shown.startswith(EXPECTED_REPLY), shown
    else:
        assert outcome.shown == ""  # nothing arrived: nothing to keep
        assert getattr(err, "partial_text", "") == ""


@pytest.mark.parametrize("column", COLUMNS, ids=lambda c: c.name)
@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.name)
def test_cell(hub_emulator: Any, hub_key: Callable[[str], str], row: Row, column: Column) -> None:
    hub_emulator.admin.clear_faults()  # a fault another test left pending must not land here
    key = hub_key(HUB)
    base = hub_emulator.base_url(HUB)
    if row.refused:
        base = f"http://127.0.0.1:{closed_port()}/{HUB}/api/v1"
    if row.fault is not None:
        hub_emulator.admin.fault(hub=HUB, path=column.path, **{"count": 1, **row.fault})
    outcome = column.run(Setup(base, key, max_retries=1, timeout=row.timeout))
    expect = row.expect(column)
    if expect.error is None:
        _check_answer(column, outcome)
    else:
        _check_error(row, column, outcome)
    assert _requests(hub_emulator, key, expect.requests) == expect.requests
    if column.ledger_check is not None:
        column.ledger_check(hub_emulator.admin.ledger(HUB, key))
    assert hub_emulator.admin.faults() == []  # the fault was used up, and only by this cell


def test_readme_holds_the_table() -> None:
    assert render_table() in README.read_text(encoding="utf-8")


def test_every_fault_of_the_issue_has_a_row() -> None:
    names = {row.name for row in ROWS}
    wanted = {"400", "401", "402", "403", "404", "408", "409", "422", "500", "502", "503", "504",
              "connection refused", "dropped before response", "read timeout",
              "malformed SSE line", "missing [DONE]", "error event mid-stream",
              "200 with an error body", "non-JSON body (HTML)", "truncated JSON"}
    assert wanted <= names
    assert sum(name.startswith("429") for name in names) == 3
    assert any(name.startswith("dropped after") for name in names)
