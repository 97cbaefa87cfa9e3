"""README's ``ai-hubs`` block runs as written: each command line through ``main()``.

The python blocks of the credits sections run in tests/test_readme.py. ``ai-hubs emulator`` (a
server that runs until stopped) is left to tests/emulator/test_cli.py, which starts and probes it.
"""

from __future__ import annotations

import shlex
import uuid
from pathlib import Path

import pytest
from account_support import fresh_catalog
from readme_support import blocks

from ai_hubs_cli import OK, main

pytestmark = pytest.mark.usefixtures(fresh_catalog.__name__)
SECTION = "The `ai-hubs` command"


@pytest.fixture
def readme_env(hub_emulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for hub, prefix in (("electronhub", "ek-"), ("chainhub", "sk-"), ("apihub", "sk-"),
                        ("tokenhub", "th-")):
        monkeypatch.setenv(f"{hub.upper()}_API_KEY", f"{prefix}readme-{uuid.uuid4().hex}")
        monkeypatch.setenv(f"{hub.upper()}_BASE_URL", hub_emulator.base_url(hub))
    monkeypatch.chdir(tmp_path)


def test_cli_block_runs(readme_env, capsys: pytest.CaptureFixture[str]) -> None:
    (block,) = blocks("bash", section=SECTION)
    Path("prompt.txt").write_text("Summarise the history of the credit card.", encoding="utf-8")
    ran = 0
    for line in block.code.splitlines():
        argv = shlex.split(line, comments=True)
        if not argv or argv[:2] == ["ai-hubs", "emulator"]:
            continue
        assert argv[0] == "ai-hubs"
        assert main(argv[1:]) == OK, capsys.readouterr().err
        ran += 1
    out = capsys.readouterr().out
    assert ran == 4
    assert '"unit": "tokens"' in out and "worst-case cost" in out and "openai/gpt-4.1" in out
