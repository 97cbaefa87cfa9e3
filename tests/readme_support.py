"""README.md's code blocks, found by section and run as a reader would run them.

One place that knows the README's shape: ``blocks()`` lists the fenced blocks with the heading
they sit under; ``run()`` executes a python block (top-level ``await`` allowed), captures what it
prints and checks every ``# -> text`` comment against it. A block whose first line is
``# readme: <why>`` is not run by the README test; the comment says why and where it does run.
"""

from __future__ import annotations

import contextlib
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docstring_support import run_block

README = Path(__file__).resolve().parents[1] / "README.md"
_FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.MULTILINE | re.DOTALL)
_HEADING = re.compile(r"^(#{2,4}) (.+)$", re.MULTILINE)
_EXPECT = re.compile(r"# -> (.+)")
_DIRECTIVE = re.compile(r"^# readme: (.+)$")


@dataclass(frozen=True)
class Block:
    """One fenced block: the heading above it, its language, its code and its line."""

    section: str
    language: str
    code: str
    line: int

    @property
    def directive(self) -> str | None:
        """The ``# readme: ...`` note on the first line, if any."""
        first = self.code.splitlines()[0] if self.code else ""
        match = _DIRECTIVE.match(first)
        return match.group(1) if match else None

    @property
    def expected(self) -> list[str]:
        """What the block's ``# -> text`` comments say it prints."""
        return [text.strip() for text in _EXPECT.findall(self.code)]

    def __str__(self) -> str:
        return f"README.md:{self.line} ({self.section})"


def blocks(language: str | None = "python", section: str | None = None) -> list[Block]:
    """Fenced blocks in order; ``section`` keeps those under that heading (text, no ``#``)."""
    text = README.read_text(encoding="utf-8")
    headings = [(m.start(), m.group(2).strip()) for m in _HEADING.finditer(text)]
    found = []
    for match in _FENCE.finditer(text):
        above = [title for start, title in headings if start < match.start()]
        block = Block(
            section=above[-1] if above else "",
            language=match.group(1),
            code=match.group(2),
            line=text.count("\n", 0, match.start()) + 1,
        )
        if (language is None or block.language == language) and (
            section is None or block.section == section
        ):
            found.append(block)
    return found


def run(block: Block, namespace: dict[str, Any] | None = None) -> tuple[dict[str, Any], str]:
    """Execute ``block`` and check its ``# ->`` comments; the namespace and what it printed."""
    namespace = {"__name__": "__readme__"} if namespace is None else namespace
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        run_block(block.code, namespace, name=str(block))
    printed = out.getvalue()
    for text in block.expected:
        assert text in printed, f"{block}: expected {text!r} in the output:\n{printed}"
    return namespace, printed
