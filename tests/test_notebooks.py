"""The notebooks run top to bottom in a real kernel, show what they claim, and are committed run.

Each notebook has a list of things its outputs must show. They are checked twice: in a fresh run
against the emulator, and in the committed file (so a reader on GitHub sees real results).
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

NOTEBOOK_DIR = Path(__file__).parent.parent / "notebooks"
sys.path.insert(0, str(NOTEBOOK_DIR))
import run as notebook_runner  # noqa: E402

MUST_SHOW = {
    "01_langchain_quickstart.ipynb": [
        "usage on 1 of them",  # stream usage on exactly one chunk
        "'args': {'city': 'Paris'}",  # tool call
        "City(name='Lyon', country='France')",  # structured output
        "tool: 18C and sunny in Oslo",  # agent loop
        "InsufficientCreditsError",
        "requests the hub saw: 1",
    ],
    "02_llamaindex_rag.ipynb": [
        "4 documents indexed",
        "answer: Going over the rate limit gives a 429 error and then a cooldown of 180 seconds.",
        "source: electron_hub.md",
        "billed per second of output video, 0.20 dollars per second",  # agent via the index
        "prompt tokens:",
    ],
    "03_media_agent.ipynb": [
        "tools: generate_image, edit_image, generate_video, generate_music, text_to_speech, "
        "check_media_job",  # exactly ChainHub's tools
        "duration: Length in seconds: 5 or 10.",  # the schema tells the model what it may pass
        "generate_image -> ",  # the agent called the tool in plain words
        "PNG 1024x1024",  # at the size asked for
        "[image/png shown]",  # displayed inline
        "[audio player shown]",  # speech and music get a player
        "Made 2 songs with chirp-v3-5",
        "status: queued | job id:",  # a video without blocking
        "finished: succeeded",
        "submissions of that job the hub saw: 1",
        "error | Out of credits on ChainHub",  # a 402 as a tool error the agent can read
        "['generate_image', 'edit_image', 'generate_video', 'generate_music', 'text_to_speech', "
        "'check_job']",  # the LlamaIndex tool spec
    ],
    "04_credits_and_budgets.ipynb": [
        "qwen-max           context  32,768  $0.3 in / $0.3 out per 1M tokens",  # the catalog
        "tokens cost",  # response_metadata cost
        "within budget: True",
        "refused",
        "total: 5 requests",  # hub_usage
        "balance:",
        "HubInsufficientCreditsError | balance: 3.0 tokens",
        "requests the hub saw: 1",
        "worst-case cost",  # ai-hubs estimate
    ],
}
NOTEBOOKS = notebook_runner.NOTEBOOKS


def test_every_notebook_has_checks() -> None:
    assert sorted(p.name for p in NOTEBOOKS) == sorted(MUST_SHOW)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_and_shows_its_results(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for hub in ("ELECTRONHUB", "CHAINHUB", "APIHUB", "TOKENHUB"):
        monkeypatch.delenv(f"{hub}_API_KEY", raising=False)  # the kernel inherits this env
    text = notebook_runner.outputs_text(notebook_runner.execute(path))
    missing = [want for want in MUST_SHOW[path.name] if want not in text]
    assert not missing, f"{path.name} did not show {missing}:\n{text[-3000:]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_committed_with_its_outputs(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(c.get("execution_count") for c in code), "run `make notebooks` before committing"
    errors = [o for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    text = notebook_runner.outputs_text(notebook)
    assert all(want in text for want in MUST_SHOW[path.name]), "stale outputs: `make notebooks`"
