"""The fault matrix: every fault row x every client column, against the emulator.

Cells come from ``reliab_matrix.ROWS`` x ``reliab_matrix.COLUMNS`` (chat, embeddings, media);
``README.md`` holds the same table (``test_readme_holds_the_table`` keeps them identical). Each
cell asserts the error type (or success with the whole answer), the requests the emulator saw,
that text already received is kept on the error (media: that a job the hub may hold is kept in
the journal), that no paid job was submitted twice, and that the fault was used up by this cell
alone. Cells marked n/a in the table are not run; ``test_not_applicable_cells_say_why`` checks
each has its reason and a media column where the fault does apply.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from reliab_columns import EXPECTED_REPLY, Column, Outcome, Setup
from reliab_matrix import COLUMNS, ROWS, Row, render_table
from secret_probe import closed_port

from hub_core.errors import StreamError

README = Path(__file__).with_name("README.md")


pytestmark = pytest.mark.usefixtures("short_backoff")
SETTLE_SECONDS = 4.0
"""Longest wait for late ledger rows (a delayed request is recorded when its handler ends)."""


def _requests(emu: Any, column: Column, key: str, expected: int) -> int:
    """Requests the emulator recorded for ``key`` (those the column counts), waiting (bounded)
    for late ones."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        rows = emu.admin.ledger(column.hub, key)["requests"]
        seen = len([r for r in rows if column.counted is None or column.counted(r)])
        if seen >= expected or time.monotonic() > deadline:
            return seen
        time.sleep(0.05)


def _check_answer(column: Column, outcome: Outcome) -> None:
    assert outcome.error is None, f"expected success, got {outcome.error!r}"
    assert outcome.answer
    assert outcome.answer.startswith(column.answer_prefix), outcome.answer
    assert outcome.unfinished == ()  # a media job that succeeded is finished in the journal


def _check_error(row: Row, column: Column, outcome: Outcome) -> None:
    expect = row.expect(column)
    err = outcome.error
    assert expect.error is not None
    assert isinstance(err, expect.error), f"expected {expect.error.__name__}, got {err!r}"
    if expect.cause is not None:
        behind = err.error if isinstance(err, StreamError) else err.__cause__
        assert isinstance(behind, expect.cause), f"{err!r} from {behind!r}"
    if expect.partial:
        assert isinstance(err, StreamError)
        assert outcome.shown, "the stream showed text before the fault"
        assert err.partial_text == outcome.shown  # what the caller saw is on the error
        shown = outcome.shown
        assert EXPECTED_REPLY.startswith(shown) or shown.startswith(EXPECTED_REPLY), shown
    else:
        assert outcome.shown == ""  # nothing arrived: nothing to keep
        assert getattr(err, "partial_text", "") == ""
    if expect.kept:  # the hub may hold this job: the journal keeps it, the error names it
        assert outcome.job_id is not None and outcome.unfinished == (outcome.job_id,), outcome
    else:
        assert outcome.unfinished == (), outcome


CELLS = [pytest.param(row, column, id=f"{row.name}-{column.name}")
         for row in ROWS for column in COLUMNS if not row.expect(column).na]


@pytest.mark.parametrize(("row", "column"), CELLS)
def test_cell(hub_emulator: Any, hub_key: Callable[[str], str], tmp_path: Path, row: Row,
              column: Column) -> None:
    hub_emulator.admin.clear_faults()  # a fault another test left pending must not land here
    key = hub_key(column.hub)
    base = hub_emulator.base_url(column.hub)
    if row.refused:
        base = f"http://127.0.0.1:{closed_port()}/{column.hub}/api/v1"
    fault = row.fault_for(column)
    if fault is not None:
        hub_emulator.admin.fault(hub=column.hub, path=column.path, method=column.method, **fault)
    setup = Setup(base, key, max_retries=1, timeout=row.timeout, emulator=hub_emulator,
                  workdir=tmp_path)
    outcome = column.run(setup)
    expect = row.expect(column)
    if expect.error is None:
        _check_answer(column, outcome)
    else:
        _check_error(row, column, outcome)
    assert _requests(hub_emulator, column, key, expect.requests) == expect.requests
    if column.ledger_check is not None:
        column.ledger_check(hub_emulator.admin.ledger(column.hub, key), outcome)
    assert hub_emulator.admin.faults() == []  # the fault was used up, and only by this cell


def test_not_applicable_cells_say_why() -> None:
    """An n/a cell is a fault that cannot reach that client (no event stream on a JSON route):
    it states why, and the fault applies to a media column that streams (Electron Hub video),
    except ``missing [DONE]``, which that stream never sends."""
    for row in ROWS:
        skipped = [c for c in COLUMNS if row.expect(c).na]
        for column in skipped:
            assert len(row.expect(column).na) > 10, (row.name, column.name)
            assert column.name.startswith("media"), "chat and embeddings cells all run"
        if skipped and row.name != "missing [DONE]":
            assert any(not row.expect(c).na for c in COLUMNS if c.name.startswith("media")), row


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
