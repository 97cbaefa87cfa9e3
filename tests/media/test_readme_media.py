"""The README's "Media" section runs as written, against the emulator."""

from __future__ import annotations

import re
from pathlib import Path

from tests.media.conftest import fresh_key

README = Path(__file__).resolve().parents[2] / "README.md"


def _media_blocks() -> list[str]:
    text = README.read_text()
    section = text.split("\n## Media\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)


def test_the_readme_media_section_runs(hub_emulator, monkeypatch, tmp_path, capsys):
    blocks = _media_blocks()
    assert blocks, "the README lost its Media example"
    monkeypatch.setenv("TOKENHUB_API_KEY", fresh_key("tokenhub"))
    monkeypatch.setenv("TOKENHUB_BASE_URL", hub_emulator.base_url("tokenhub"))
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)
    media = namespace["media"]
    video = namespace["video"]
    assert video.paths[0].exists() and video.paths[0].parent == tmp_path / "media-out"
    assert media.unfinished() == []
    printed = capsys.readouterr().out
    assert "succeeded 1.0" in printed and "_0.mp4" in printed
