"""Run the ``.. code-block:: python`` examples of a docstring (importable suite-wide).

A docstring example is only worth showing if it runs, so the docstring tests execute every block
of a class's docstring, in order, in one namespace (a later block uses what an earlier one made)
and then assert on that namespace. A block with a top-level ``await`` / ``async for`` is
compiled as the asyncio REPL does (``PyCF_ALLOW_TOP_LEVEL_AWAIT``) and run with ``asyncio.run``;
its assignments land in the same namespace as a sync block's.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import textwrap
from typing import Any

_DIRECTIVE = ".. code-block:: python"


def code_blocks(doc: str | None) -> list[str]:
    """The dedented source of each ``.. code-block:: python`` block of ``doc``, in order.

    A block is every line after the directive that is blank or indented deeper than it, so it
    works at any docstring indentation (class, method or module).
    """
    blocks: list[str] = []
    lines = (doc or "").expandtabs().splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if line.strip() != _DIRECTIVE:
            continue
        indent = len(line) - len(line.lstrip())
        body: list[str] = []
        while i < len(lines) and (
            not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > indent
        ):
            body.append(lines[i])
            i += 1
        source = textwrap.dedent("\n".join(body)).strip("\n")
        if source:
            blocks.append(source + "\n")
    return blocks


def run_block(source: str, ns: dict[str, Any], *, name: str = "<docstring>") -> None:
    """Execute one block in ``ns``; a block that awaits runs on a fresh event loop."""
    code = compile(source, name, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    if code.co_flags & inspect.CO_COROUTINE:
        asyncio.run(eval(code, ns))
    else:
        exec(code, ns)


def run_docstring(
    obj: Any, ns: dict[str, Any] | None = None, *, min_blocks: int = 1
) -> dict[str, Any]:
    """Run every code block of ``obj.__doc__`` in order in ``ns``; returns the namespace.

    Fails when the docstring has fewer than ``min_blocks`` blocks, so a block that stops being
    recognised (bad indentation, a typo in the directive) cannot silently stop being tested.
    """
    blocks = code_blocks(obj.__doc__)
    label = getattr(obj, "__qualname__", type(obj).__name__)
    assert len(blocks) >= min_blocks, f"{label}: {len(blocks)} code blocks, want {min_blocks}+"
    namespace: dict[str, Any] = {} if ns is None else ns
    for number, source in enumerate(blocks, 1):
        run_block(source, namespace, name=f"<{label} docstring, block {number}>")
    return namespace
