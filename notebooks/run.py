"""Run the notebooks top to bottom in a real Jupyter kernel and save their outputs.

``make notebooks`` refreshes the committed outputs; the test suite calls :func:`execute` and then
checks what the outputs show. Without ``<HUB>_API_KEY`` set, each notebook starts the embedded
hub emulator itself.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
NOTEBOOKS = sorted(HERE.glob("[0-9][0-9]_*.ipynb"))


def execute(path: Path, *, timeout: int = 180) -> nbformat.NotebookNode:
    """The notebook after running every cell (raises ``CellExecutionError`` on the first error)."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, timeout=timeout, kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    return notebook


def outputs_text(notebook: nbformat.NotebookNode) -> str:
    """Everything the cells printed or displayed as text, in order; an inline image and an audio
    player show as ``[image/png shown]`` and ``[audio player shown]``."""
    parts: list[str] = []
    for cell in notebook.cells:
        for out in cell.get("outputs", []):
            if "text" in out:
                parts.append(out["text"])
            data = out.get("data", {})
            if "text/plain" in data:
                parts.append(data["text/plain"])
            if "image/png" in data:  # an inline picture
                parts.append("[image/png shown]")
            if "<audio" in str(data.get("text/html", "")):  # an embedded player
                parts.append("[audio player shown]")
    return "\n".join(parts)


def main(paths: list[str]) -> int:
    for path in [Path(p) for p in paths] or NOTEBOOKS:
        notebook = execute(path)
        nbformat.write(notebook, path)
        print(f"ran and saved {path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
