"""The class docstring examples of the LangChain media tools and toolkit run against the
emulator (partner layout: Setup, Key init args, Instantiate, Invoke, Async, ...)."""

from __future__ import annotations

import wave
from pathlib import Path
from typing import Any

import pytest
from docstring_support import run_docstring
from PIL import Image

from langchain_hub.tools import (
    HubImageEditTool,
    HubImageGenerationTool,
    HubMediaJobTool,
    HubMediaToolkit,
    HubMusicGenerationTool,
    HubSpeechTool,
    HubTranscriptionTool,
    HubVideoGenerationTool,
)


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the examples write to ./media-out


def _run(cls: type, emu: Any, blocks: int) -> dict[str, Any]:
    return run_docstring(cls, {"emu": emu}, min_blocks=blocks)


def _files(paths: list[str], out: Path) -> list[Path]:
    files = [Path(p) for p in paths]
    assert files and all(p.parent == out and p.stat().st_size > 0 for p in files)
    return files


def test_image_generation_docstring_runs(hub_emulator: Any, tmp_path: Path) -> None:
    ns = _run(HubImageGenerationTool, hub_emulator, 5)
    assert "Price: 20 credits" in ns["tool"].args["n"]["description"]
    assert ns["content"][0]["text"].startswith("Made 1 image with dall-e-3 on Electron Hub "
                                               "(cost: 20 credits)")
    assert ns["content"][1]["type"] == "image"
    message = ns["message"]  # the async call's message
    assert message.artifact["cost"] == {"amount": 20.0, "unit": "credits"}
    (png,) = _files(message.artifact["paths"], tmp_path / "media-out")
    with Image.open(png) as img:
        assert (img.format, img.size) == ("PNG", (1024, 1024))
    assert [b["type"] for b in message.content] == ["text", "image"]
    assert ns["refusal"].status == "error"
    assert ns["refusal"].content.startswith("Out of credits on Electron Hub")


def test_image_edit_docstring_runs(hub_emulator: Any, tmp_path: Path) -> None:
    ns = _run(HubImageEditTool, hub_emulator, 4)
    first = _files(ns["edited"].artifact["paths"], tmp_path / "media-out")
    assert first[0].name != Path(ns["made"].artifact["paths"][0]).name
    assert any(".png" in block.get("text", "") for block in ns["again"])  # async: content only
    assert ns["outside"].status == "error" and "inside" in ns["outside"].content


def test_video_docstring_runs(hub_emulator: Any, tmp_path: Path) -> None:
    ns = _run(HubVideoGenerationTool, hub_emulator, 4)
    assert "4 to 15" in ns["video"].args["duration"]["description"]
    assert ns["queued"].artifact["status"] in {"queued", "running"}
    assert ns["queued"].artifact["paths"] == []
    assert ns["queued"].artifact["job_id"] in ns["queued"].content
    assert ".mp4" in ns["clip"]  # the async call: a plain string without a tool call


def test_music_docstring_runs(hub_emulator: Any, tmp_path: Path) -> None:
    ns = _run(HubMusicGenerationTool, hub_emulator, 3)
    assert isinstance(ns["song"], str) and ns["song"].count(".mp3") >= 2  # async: two tracks
    assert ns["music"].name == "generate_music"


def test_speech_docstring_runs(hub_emulator: Any, tmp_path: Path) -> None:
    ns = _run(HubSpeechTool, hub_emulator, 3)
    assert ns["speak"].args["voice"]["anyOf"][0]["enum"][:3] == ["alloy", "ash", "ballad"]
    assert ".mp3" in ns["said"]  # the async call: voice nova, the default format
    assert any(p.suffix == ".wav" for p in (tmp_path / "media-out").iterdir())


def test_transcription_docstring_runs(hub_emulator: Any, tmp_path: Path) -> None:
    ns = _run(HubTranscriptionTool, hub_emulator, 2)
    (wav,) = _files(ns["spoken"].artifact["paths"], tmp_path / "media-out")
    with wave.open(str(wav), "rb") as audio:
        assert audio.getnframes() > 0
    assert "Meet me at noon" in ns["heard"]


def test_job_tool_docstring_runs(hub_emulator: Any, tmp_path: Path) -> None:
    ns = _run(HubMediaJobTool, hub_emulator, 4)
    assert ns["job_id"] in ns["status"]
    (mp4,) = _files(ns["done"].artifact["paths"], tmp_path / "media-out")
    assert mp4.name.startswith(ns["job_id"])
    assert str(mp4) in ns["again"]
    assert ns["unknown"].status == "error" and "its own jobs" in ns["unknown"].content


def test_toolkit_docstring_runs(hub_emulator: Any, tmp_path: Path) -> None:
    ns = _run(HubMediaToolkit, hub_emulator, 3)
    assert [t.name for t in ns["tools"]] == ["generate_image", "edit_image", "generate_video",
                                             "generate_music", "text_to_speech",
                                             "check_media_job"]
    assert ns["none"] == []
    answer = ns["state"]["messages"][-1].content
    (png,) = _files([m.artifact["paths"][0] for m in ns["state"]["messages"]
                     if getattr(m, "artifact", None)], tmp_path / "media-out")
    assert png.suffix == ".png" and str(png) in answer
