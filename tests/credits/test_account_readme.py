"""README's balances / accounts / catalog / CLI sections run as written, against a fresh emulator.

Python blocks run with ``exec``; a ``# -> text`` comment is output that must appear. The bash
block runs each ``ai-hubs`` line through ``main()``; ``ai-hubs emulator`` (a server that runs
until stopped) is left to tests/emulator/test_cli.py, which starts and probes it.
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import uuid
from pathlib import Path

import pytest
from account_support import fresh_catalog

import hub_emulator
from ai_hubs_cli import OK, main

pytestmark = pytest.mark.usefixtures(fresh_catalog.__name__)

README = Path(__file__).resolve().parents[2] / "README.md"
FIRST = "## Balances, usage history, accounts and the catalog"
AFTER = "## Media"
BLOCK = re.compile(r"```(python|bash)\n(.*?)```", re.DOTALL)


def blocks(language: str) -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index(FIRST): text.index(AFTER)]
    return [code for lang, code in BLOCK.findall(section) if lang == language]


@pytest.fixture(scope="module")
def emulator():
    """A server of its own: README registers me@example.com, which must be new."""
    with hub_emulator.serve() as emu:
        yield emu


@pytest.fixture
def readme_env(emulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for hub, prefix in (("electronhub", "ek-"), ("chainhub", "sk-"), ("apihub", "sk-"),
                        ("tokenhub", "th-")):
        monkeypatch.setenv(f"{hub.upper()}_API_KEY", f"{prefix}readme-{uuid.uuid4().hex}")
        monkeypatch.setenv(f"{hub.upper()}_BASE_URL", emulator.base_url(hub))
    monkeypatch.chdir(tmp_path)


def test_the_sections_have_code() -> None:
    assert len(blocks("python")) == 4 and len(blocks("bash")) == 1


@pytest.mark.parametrize("index", range(4))
def test_python_block_runs(readme_env, index: int) -> None:
    code = blocks("python")[index]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, f"README.md python block {index + 1}", "exec"), {})
    expected = re.findall(r"# -> (.+)", code)
    assert expected, "every block shows what it prints"
    for text in expected:
        assert text.strip() in out.getvalue(), out.getvalue()


def test_cli_block_runs(readme_env, capsys: pytest.CaptureFixture[str]) -> None:
    Path("prompt.txt").write_text("Summarise the history of the credit card.", encoding="utf-8")
    ran = 0
    for line in blocks("bash")[0].splitlines():
        argv = shlex.split(line, comments=True)
        if not argv or argv[:2] == ["ai-hubs", "emulator"]:
            continue
        assert argv[0] == "ai-hubs"
        assert main(argv[1:]) == OK, capsys.readouterr().err
        ran += 1
    out = capsys.readouterr().out
    assert ran == 4
    assert '"unit": "tokens"' in out and "worst-case cost" in out and "openai/gpt-4.1" in out
