"""The notebooks run top to bottom (their code cells, in order, in one namespace)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path: Path) -> None:
    cells = json.loads(path.read_text())["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    assert code, f"{path.name} has no code cells"
    namespace: dict[str, object] = {"__name__": "__notebook__"}
    for source in code:
        exec(compile(source, str(path), "exec"), namespace)
    assert namespace["answer"].source_nodes[0].text.startswith("The Eiffel Tower")  # type: ignore[attr-defined]


def test_there_is_a_notebook() -> None:
    assert NOTEBOOKS
