"""Output for people (plain aligned tables) and for scripts (JSON), one module for both."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from hub_core.hubs import ModelPrice

MISSING = "-"


def cell(value: Any) -> str:
    """A table cell: thousands separators for ints, short floats, ``-`` for nothing."""
    if value is None or value == "":
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() and abs(value) >= 1000 else f"{value:.6g}"
    return str(value)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, numeric: frozenset[int]) -> str:
    """Plain text columns; ``numeric`` column indexes are right-aligned."""
    cells = [[cell(v) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if i in numeric else v.ljust(w)
            for i, (v, w) in enumerate(zip(values, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    return "\n".join([line(headers), *(line(row) for row in cells)])


def pairs(values: Mapping[str, Any]) -> str:
    """A two-column ``name  value`` block."""
    width = max(len(k) for k in values)
    return "\n".join(f"{k.ljust(width)}  {cell(v)}" for k, v in values.items())


def price_text(price: ModelPrice | None) -> str:
    """``in 2.5 / out 10 per 1M``, ``5 per request``, ``0.2 per second``, or ``-``."""
    if price is None:
        return MISSING
    parts = []
    if price.per_request is not None:
        parts.append(f"{price.per_request:g} per request")
    if price.input_per_mtok is not None or price.output_per_mtok is not None:
        given_in = MISSING if price.input_per_mtok is None else f"{price.input_per_mtok:g}"
        given_out = MISSING if price.output_per_mtok is None else f"{price.output_per_mtok:g}"
        parts.append(f"in {given_in} / out {given_out} per 1M")
    if price.per_second is not None:
        parts.append(f"{price.per_second:g} per second")
    return ", ".join(parts) or MISSING


def as_json(data: Any) -> str:
    """Indented JSON with a stable key order (what ``--json`` prints)."""
    return json.dumps(data, indent=2, ensure_ascii=False, default=str)
