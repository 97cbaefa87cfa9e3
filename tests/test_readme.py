"""Every python block of README.md runs against the emulator, and prints what it says it prints.

Each block runs in a fresh namespace and a fresh directory, with ``<HUB>_API_KEY`` (a new account
per block) and ``<HUB>_BASE_URL`` pointing at an emulator of this module's own (the account
example registers a fixed email, so it needs a server no other test used). A block that defines
``test_*`` functions (the pytest example) has them called with the same fixtures pytest would
pass. A block that starts with ``# readme: <why>`` is run elsewhere; the note must name that
test file, and the file must exist and read that README section.
"""

from __future__ import annotations

import inspect
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from readme_support import README, Block, blocks, run

import hub_emulator
from hub_core import get_hub
from hub_core.catalog import clear_catalog

PREFIX = {"electronhub": "ek-", "chainhub": "sk-", "apihub": "sk-", "tokenhub": "th-"}
PYTHON = blocks("python")


@pytest.fixture(scope="module")
def emulator() -> Iterator[hub_emulator.Emulator]:
    with hub_emulator.serve() as emu:
        yield emu


@pytest.fixture
def readme_env(
    emulator: hub_emulator.Emulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[None]:
    for hub, prefix in PREFIX.items():
        monkeypatch.setenv(f"{hub.upper()}_API_KEY", f"{prefix}readme-{uuid.uuid4().hex}")
        monkeypatch.setenv(f"{hub.upper()}_BASE_URL", emulator.base_url(hub))
    monkeypatch.chdir(tmp_path)
    yield
    clear_catalog()  # a block's /models listing must not change what later tests see


def test_the_readme_has_its_sections_and_blocks() -> None:
    text = README.read_text(encoding="utf-8")
    assert text.lstrip().startswith("# ai-hubs")
    first_section = re.search(r"^## (.+)$", text, re.MULTILINE)
    assert first_section is not None and first_section.group(1) == "Two commands"
    for heading in ("Install", "Quick start", "What works on each hub", "Configuration",
                    "Errors and what to do", "Credits, budgets and usage", "Media", "Media tools",
                    "Using the emulator in your own tests", "Scaling out with Ray",
                    "Troubleshooting"):
        assert f"\n## {heading}\n" in text, heading
    assert len(PYTHON) >= 12
    missing = [str(b) for b in PYTHON if not b.expected and not b.directive
               and "def test_" not in b.code]
    assert not missing, f"blocks that show nothing they print: {missing}"


@pytest.mark.parametrize("block", PYTHON, ids=[f"line{b.line}" for b in PYTHON])
def test_python_block_runs(
    block: Block, emulator: hub_emulator.Emulator, readme_env: None,
) -> None:
    if block.directive is not None:
        _check_runs_elsewhere(block)
        return
    namespace, _ = run(block)
    tests = [fn for name, fn in namespace.items() if name.startswith("test_") and callable(fn)]
    for test in tests:  # the pytest example: call it with the fixtures pytest would give
        test(**_fixtures(test, emulator))


def _fixtures(test: Callable[..., Any], emulator: hub_emulator.Emulator) -> dict[str, Any]:
    available: dict[str, Any] = {
        "hub_emulator": emulator,
        "hub_key": lambda hub: f"{PREFIX[hub]}test-{uuid.uuid4().hex}",
    }
    return {name: available[name] for name in inspect.signature(test).parameters}


def _check_runs_elsewhere(block: Block) -> None:
    """A ``# readme:`` note names the test file that runs the block; that file must do so."""
    named = re.search(r"(tests/[\w/]+\.py)", block.directive or "")
    assert named, f"{block}: the note must name the test that runs it: {block.directive!r}"
    path = README.parent / named.group(1)
    assert path.exists(), f"{block}: {named.group(1)} does not exist"
    assert block.section in path.read_text(encoding="utf-8"), (
        f"{named.group(1)} does not read the README section {block.section!r}"
    )


def test_the_capability_table_matches_the_hub_profiles() -> None:
    """The "What works on each hub" table says what the profiles say (no route: "–")."""
    text = README.read_text(encoding="utf-8")
    table = text.split("## What works on each hub", 1)[1].split("\n\n", 2)[1]
    rows = {cells[0]: cells[1:] for line in table.splitlines()[2:]
            if (cells := [c.strip() for c in line.strip("|").split("|")])}
    hubs = ("electronhub", "chainhub", "apihub", "tokenhub")
    checks = {"images": "images", "balance": "balance", "usage history": "usage",
              "music": "music", "video": "video", "embeddings": "embeddings"}
    for row, capability in checks.items():
        for hub, cell in zip(hubs, rows[row], strict=True):
            assert (cell != "–") == get_hub(hub).supports(capability), (row, hub, cell)
    speech = [cell.split(" / ")[0] for cell in rows["speech / transcription"]]
    for hub, cell in zip(hubs, speech, strict=True):
        assert (cell != "–") == get_hub(hub).supports("speech"), ("speech", hub, cell)
