"""langchain-tests ``ToolsUnitTests`` and ``ToolsIntegrationTests`` for every hub media tool,
against the emulator (one fresh account per class)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from langchain_core.tools import BaseTool
from langchain_tests.integration_tests import ToolsIntegrationTests
from langchain_tests.unit_tests import ToolsUnitTests

from hub_core.media import HubMedia
from hub_emulator.server import KEY_PREFIXES
from langchain_hub.tools import (
    HubImageEditTool,
    HubImageGenerationTool,
    HubMediaJobTool,
    HubMusicGenerationTool,
    HubSpeechTool,
    HubTranscriptionTool,
    HubVideoGenerationTool,
)

_ENV = {"electronhub": "ELECTRONHUB", "chainhub": "CHAINHUB", "tokenhub": "TOKENHUB"}


class _Setup:
    """Class-wide emulator account and output folder; ``_prepare`` makes input files."""

    tool_class: type[BaseTool]
    hub = ""
    extra: dict[str, Any] = {}
    example: dict[str, Any] = {}
    base_url = ""
    key = ""
    out = ""

    @pytest.fixture(autouse=True)
    def _emulator(self, hub_emulator: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
        cls = type(self)
        cls.base_url = hub_emulator.base_url(self.hub)
        if not cls.key:  # one account and folder per class (pytest removes old folders)
            cls.key = f"{KEY_PREFIXES[self.hub]}test-{uuid.uuid4().hex}"
            cls.out = str(tmp_path_factory.mktemp(cls.__name__))
            cls.example = self._prepare()

    def _media(self) -> HubMedia:
        return HubMedia(self.hub, api_key=self.key, base_url=self.base_url, output_dir=self.out,
                        rpm=0, poll_interval=0.02)

    def _prepare(self) -> dict[str, Any]:
        return dict(self.example)

    @property
    def tool_constructor(self) -> type[BaseTool]:
        return self.tool_class

    @property
    def tool_constructor_params(self) -> dict[str, Any]:
        return {"hub": self.hub, "api_key": self.key, "base_url": self.base_url,
                "output_dir": self.out, "rpm": 0, "poll_interval": 0.02, "timeout": 60,
                **self.extra}

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return self.example

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        env = _ENV[self.hub]
        key = f"{KEY_PREFIXES[self.hub]}env-key-123"
        return ({f"{env}_API_KEY": key, f"{env}_BASE_URL": "http://127.0.0.1:9/v1"},
                {"hub": self.hub, "output_dir": self.out or "media-out", **self.extra},
                {"api_key": key, "base_url": "http://127.0.0.1:9/v1"})


class _Integration(ToolsIntegrationTests):
    """The standard integration tests, plus one that checks what was made."""

    key: str
    out: str
    example: dict[str, Any]

    def test_tool_call_makes_what_it_says(self, tool: BaseTool) -> None:
        """Beyond the standard shape checks: the call succeeded and its files exist whole."""
        message = tool.invoke({"name": tool.name, "id": "own-1", "type": "tool_call",
                               "args": self.example})
        assert message.status == "success", message.content
        artifact = message.artifact
        assert self.key not in str(message.content) + repr(artifact) + repr(tool)
        if "text" in artifact:  # a transcript
            assert "Meet me at noon" in artifact["text"]
            return
        paths = [Path(p) for p in artifact["paths"]]
        assert paths and all(p.parent == Path(self.out) and p.stat().st_size > 0 for p in paths)
        assert all(str(p) in str(message.content) for p in paths)
        assert len(artifact["mime_types"]) == len(paths) >= len(artifact["urls"])  # b64: no URL


class _ImageGen(_Setup):
    tool_class = HubImageGenerationTool
    hub = "tokenhub"
    example = {"prompt": "a red fox in the snow", "size": "256x256"}


class _ImageEdit(_Setup):
    tool_class = HubImageEditTool
    hub = "chainhub"

    def _prepare(self) -> dict[str, Any]:
        made = self._media().generate_image("a cat", model="gpt-image-1", size="1024x1024")
        return {"prompt": "give the cat a hat", "image": str(made.path)}


class _Video(_Setup):
    tool_class = HubVideoGenerationTool
    hub = "chainhub"
    example = {"prompt": "waves on a beach", "duration": 5}


class _Music(_Setup):
    tool_class = HubMusicGenerationTool
    hub = "chainhub"
    example = {"prompt": "a calm piano piece", "instrumental": True}


class _Speech(_Setup):
    tool_class = HubSpeechTool
    hub = "electronhub"
    example = {"prompt": "Your video is ready.", "format": "wav"}


class _Transcription(_Setup):
    tool_class = HubTranscriptionTool
    hub = "electronhub"

    def _prepare(self) -> dict[str, Any]:
        spoken = self._media().speech("Meet me at noon.", format="wav")
        return {"audio": str(spoken.path)}


class _Job(_Setup):
    tool_class = HubMediaJobTool
    hub = "tokenhub"

    def _prepare(self) -> dict[str, Any]:
        job = self._media().submit_video("a paper boat", duration=4)
        return {"job_id": job.job_id}


class TestImageGenerationUnit(_ImageGen, ToolsUnitTests):
    pass


class TestImageGenerationIntegration(_ImageGen, _Integration):
    pass


class TestImageEditUnit(_ImageEdit, ToolsUnitTests):
    pass


class TestImageEditIntegration(_ImageEdit, _Integration):
    pass


class TestVideoUnit(_Video, ToolsUnitTests):
    pass


class TestVideoIntegration(_Video, _Integration):
    pass


class TestMusicUnit(_Music, ToolsUnitTests):
    pass


class TestMusicIntegration(_Music, _Integration):
    pass


class TestSpeechUnit(_Speech, ToolsUnitTests):
    pass


class TestSpeechIntegration(_Speech, _Integration):
    pass


class TestTranscriptionUnit(_Transcription, ToolsUnitTests):
    pass


class TestTranscriptionIntegration(_Transcription, _Integration):
    pass


class TestMediaJobUnit(_Job, ToolsUnitTests):
    pass


class TestMediaJobIntegration(_Job, _Integration):
    pass
