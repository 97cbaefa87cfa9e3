"""Terminal layout for the showcase: numbered sections, aligned tables, wrapped text.

Plain text on purpose: it reads the same in a terminal, a CI log and a pasted issue.
"""

from __future__ import annotations

import shutil
import textwrap
import threading
from collections.abc import Sequence

_PRINT = threading.Lock()  # jobs run in parallel threads: one whole line at a time
WIDTH = min(100, shutil.get_terminal_size((100, 24)).columns)


def section(number: int, title: str) -> None:
    """A numbered heading with a rule under it."""
    head = f" {number}. {title} "
    print(f"\n{head}\n{'─' * max(len(head), 40)}")


def say(label: str, text: object, *, indent: int = 2) -> None:
    """``label: text``, wrapped to the terminal width, continuation lines aligned."""
    prefix = " " * indent + (f"{label}: " if label else "")
    body = str(text).replace("\n", " ").strip()
    wrapped = textwrap.fill(
        body, width=WIDTH, initial_indent=prefix, subsequent_indent=" " * len(prefix),
        break_long_words=False, break_on_hyphens=False,
    )
    print(wrapped)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], *, indent: int = 2) -> None:
    """An aligned table; numbers are right-aligned."""
    cells = [[_fmt(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h)
              for i, h in enumerate(headers)]
    numeric = [all(_is_number(row[i]) for row in rows) if rows else False
               for i in range(len(headers))]
    pad = " " * indent

    # the last column wraps so the table fits the terminal
    lead = indent + sum(w + 2 for w in widths[:-1])
    widths[-1] = max(len(headers[-1]), min(widths[-1], WIDTH - lead))

    def line(values: Sequence[str]) -> str:
        columns = zip(values, widths, numeric, strict=True)
        parts = [v.rjust(w) if num else v.ljust(w) for v, w, num in columns]
        return pad + "  ".join(parts).rstrip()

    print(line(list(headers)))
    print(pad + "  ".join("─" * w for w in widths))
    for row in cells:
        last = textwrap.wrap(row[-1], widths[-1], break_long_words=True) or [""]
        print(line([*row[:-1], last[0]]))
        for more in last[1:]:
            print(" " * lead + more)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return "" if value is None else str(value)


def result(ok: bool, name: str, detail: str = "") -> str:
    """One summary line: ``✓ name`` or ``✗ name: detail``."""
    mark = "✓" if ok else "✗"
    return f"  {mark} {name}" + (f": {detail}" if detail else "")


def progress(label: str, fraction: float | None, status: str, *, indent: int = 2) -> None:
    """One progress line: ``video  [########............]  40% running``."""
    done = max(0.0, min(1.0, fraction or 0.0))
    filled = round(done * 20)
    bar = "#" * filled + "." * (20 - filled)
    line = f"{' ' * indent}{label:<6} [{bar}] {done:4.0%} {status}\n"
    with _PRINT:
        print(line, end="", flush=True)
