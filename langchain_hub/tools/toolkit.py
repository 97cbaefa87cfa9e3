"""``HubMediaToolkit``: the media tools one hub supports, sharing one ``HubMedia``."""

from __future__ import annotations

from typing import Any

from langchain_core.tools import BaseTool, BaseToolkit
from pydantic import ConfigDict, Field, ValidationError

from hub_core.validate import input_error_in
from langchain_hub.tools.av import HubMusicGenerationTool, HubSpeechTool, HubVideoGenerationTool
from langchain_hub.tools.base import HubMediaTool, MediaToolSettings
from langchain_hub.tools.image import HubImageEditTool, HubImageGenerationTool
from langchain_hub.tools.jobs import HubMediaJobTool

__all__ = ["TOOLKIT_TOOLS", "HubMediaToolkit"]

TOOLKIT_TOOLS: tuple[type[HubMediaTool], ...] = (
    HubImageGenerationTool,
    HubImageEditTool,
    HubVideoGenerationTool,
    HubMusicGenerationTool,
    HubSpeechTool,
)
"""What a toolkit offers, in order, where the hub has the route (issue 11's lists; transcription
is a tool of its own, :class:`~langchain_hub.tools.HubTranscriptionTool`, not in the toolkit)."""


class HubMediaToolkit(MediaToolSettings, BaseToolkit):
    """Every media tool one hub supports, read from its profile, ready for an agent.

    ``get_tools()`` returns exactly the tools the hub documents: API Hub none; TokenHub image
    and video; Electron Hub image, edit, video and speech (music too with
    ``enable_music=True``); ChainHub image, edit, video, music and speech. Where the hub has a
    job kind (video, music), :class:`HubMediaJobTool` comes last so the agent can finish jobs
    by id. The tools share one ``HubMedia``: one journal, one connection pool, one budget.

    Setup:
        Install ``ai-hubs[langchain,media]`` and export the hub's key (``<HUB>_API_KEY``).

    Key init args:
        hub, output_dir, models (per tool operation: ``{"image": "dall-e-2", "video": ...}``;
        the hub's defaults otherwise), wait, poll_interval, timeout, show_progress,
        enable_music, allow_foreign_jobs, media_blocks, input_dirs, raise_errors, api_key,
        base_url, budget, http_timeout, max_retries, default_headers, plan, rpm, proxy.

    Instantiate:
        .. code-block:: python

            from langchain_hub.tools import HubMediaToolkit

            toolkit = HubMediaToolkit(hub="chainhub", api_key="sk-demo", rpm=0,
                                      base_url=emu.base_url("chainhub"), output_dir="media-out",
                                      poll_interval=0.05, wait=False)
            tools = toolkit.get_tools()
            [tool.name for tool in tools]
            # ['generate_image', 'edit_image', 'generate_video', 'generate_music',
            #  'text_to_speech', 'check_media_job']

    Use with an agent:
        .. code-block:: python

            from langchain.agents import create_agent
            from langchain_hub import ChatChainHub

            llm = ChatChainHub(model="gpt-4o-mini", api_key="sk-demo", rpm=0,
                               base_url=emu.base_url("chainhub"))
            agent = create_agent(llm, tools)
            state = agent.invoke({"messages": [("user", "Please draw a lighthouse at dusk.")]})
            state["messages"][-1].content  # the agent's answer, naming the PNG's path

    Per hub:
        .. code-block:: python

            none = HubMediaToolkit(hub="apihub", api_key="sk-demo").get_tools()  # []
    """

    models: dict[str, str] = Field(
        default_factory=dict, description="Model per operation (image, image_edit, video, ...).")
    allow_foreign_jobs: bool = Field(default=False,
                                     description="The job tool also follows foreign job ids.")

    model_config = ConfigDict(arbitrary_types_allowed=True, protected_namespaces=())

    def __init__(self, **kwargs: Any) -> None:
        """Build the toolkit; bad settings raise ``HubInputError`` (a ``ValueError``)."""
        try:
            super().__init__(**kwargs)
        except ValidationError as exc:
            raise input_error_in(exc) from None

    def tool_classes(self) -> list[type[HubMediaTool]]:
        """The tool classes this hub supports, in order (the job tool last when it applies)."""
        profile = self.profile
        chosen = [cls for cls in TOOLKIT_TOOLS
                  if cls.supported_by(profile, enable_music=self.enable_music)]
        if any(cls in (HubVideoGenerationTool, HubMusicGenerationTool) for cls in chosen):
            chosen.append(HubMediaJobTool)
        return chosen

    def get_tools(self) -> list[BaseTool]:
        """One tool per supported operation, sharing this toolkit's ``HubMedia``."""
        settings = {name: getattr(self, name) for name in MediaToolSettings.model_fields}
        media = self.media
        tools: list[BaseTool] = []
        for cls in self.tool_classes():
            extra: dict[str, Any] = {}
            if cls is HubMediaJobTool:
                extra["allow_foreign_jobs"] = self.allow_foreign_jobs
            elif cls.operation in self.models:
                extra["model"] = self.models[cls.operation]
            tools.append(cls(**settings, **extra).use_media(media))
        return tools
