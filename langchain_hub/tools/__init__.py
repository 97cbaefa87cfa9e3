"""LangChain tools that make images, video, music and speech on an AI hub, and a toolkit.

Each tool is a thin ``BaseTool`` over :class:`hub_core.media.HubMedia` (one module per concern:
``base`` settings, errors and replies (argument models: :mod:`hub_core.media.arguments`); ``blocks``
content blocks; ``progress`` events and bars; ``image``, ``av`` (video, music, speech,
transcription), ``jobs`` (finish a job by id) and ``toolkit``). Names are imported on first use.

Example:
    >>> from langchain_hub.tools import HubMediaToolkit
    >>> tools = HubMediaToolkit(hub="tokenhub").get_tools()  # doctest: +SKIP
    >>> [t.name for t in tools]                               # doctest: +SKIP
    ['generate_image', 'generate_video', 'check_media_job']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub_core._lazy import lazy_exports

if TYPE_CHECKING:
    from langchain_hub.tools.av import (
        HubMusicGenerationTool,
        HubSpeechTool,
        HubTranscriptionTool,
        HubVideoGenerationTool,
    )
    from langchain_hub.tools.base import HubMediaTool
    from langchain_hub.tools.image import HubImageEditTool, HubImageGenerationTool
    from langchain_hub.tools.jobs import HubMediaJobTool
    from langchain_hub.tools.progress import PROGRESS_EVENT
    from langchain_hub.tools.toolkit import HubMediaToolkit

_EXPORTS: dict[str, str] = {
    "HubMediaTool": "langchain_hub.tools.base",
    "HubImageGenerationTool": "langchain_hub.tools.image",
    "HubImageEditTool": "langchain_hub.tools.image",
    "HubVideoGenerationTool": "langchain_hub.tools.av",
    "HubMusicGenerationTool": "langchain_hub.tools.av",
    "HubSpeechTool": "langchain_hub.tools.av",
    "HubTranscriptionTool": "langchain_hub.tools.av",
    "HubMediaJobTool": "langchain_hub.tools.jobs",
    "HubMediaToolkit": "langchain_hub.tools.toolkit",
    "PROGRESS_EVENT": "langchain_hub.tools.progress",
}

__all__ = [
    "PROGRESS_EVENT",
    "HubImageEditTool",
    "HubImageGenerationTool",
    "HubMediaJobTool",
    "HubMediaTool",
    "HubMediaToolkit",
    "HubMusicGenerationTool",
    "HubSpeechTool",
    "HubTranscriptionTool",
    "HubVideoGenerationTool",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)
