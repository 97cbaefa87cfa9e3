"""``HubMediaTool``: what every hub media tool shares -- settings, the HubMedia, errors, replies.

A tool is a thin shell over :class:`hub_core.media.HubMedia`: every job, check, journal row,
download and cost lives there. The shell adds what an agent needs:

- an argument schema built for the tool's hub and model (allowed values, price), so a model
  sees what it may pass (:mod:`hub_core.media.arguments`, shared with LlamaIndex);
- a reply the model can read (paths, URLs, cost; a content block where it can use one) and an
  artifact for the program (``{job_id, status, urls, paths, mime_types, cost, model}``);
- errors as ``ToolException`` text saying what happened and what to do (``raise_errors=True``
  raises the typed ``hub_core`` error instead);
- progress of long jobs as LangChain custom events and a tqdm bar (``progress.py``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, ClassVar, Literal

from langchain_core.callbacks import AsyncCallbackManagerForToolRun, CallbackManagerForToolRun
from langchain_core.tools import BaseTool, ToolException
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    model_validator,
)
from typing_extensions import Self

from hub_core.budget import Budget
from hub_core.errors import HubError, UnsupportedFeatureError
from hub_core.hubs import HubProfile, get_hub
from hub_core.media import HubMedia
from hub_core.media.arguments import arguments_for, invalid_arguments_text, tool_description
from hub_core.media.audio import Transcription
from hub_core.media.base import pick_model
from hub_core.media.explain import explain
from hub_core.media.jobs import MediaJob
from hub_core.media.options import CAPABILITY_OF, offers
from hub_core.media.results import MediaResult
from hub_core.media.summary import artifact, job_text, result_text
from hub_core.media.validate import check_inside
from hub_core.validate import input_error_in
from langchain_hub.tools.blocks import MediaBlocks, content_for
from langchain_hub.tools.progress import Progress

__all__ = [
    "JOB_TOOL_NAME",
    "HubMediaTool",
    "MediaToolSettings",
    "Outcome",
    "describe_validation_error",
]

JOB_TOOL_NAME = "check_media_job"
"""The job tool's default name, which replies and errors tell the model to call."""
Outcome = MediaResult | Transcription | MediaJob


describe_validation_error = invalid_arguments_text
"""Bad tool arguments, in words a model can fix (``handle_validation_error``)."""


class MediaToolSettings(BaseModel):
    """The settings every media tool and the toolkit take (one ``HubMedia`` is built from them).

    ``timeout`` is how long a call waits for a job (the HubMedia wait); ``http_timeout`` is
    the per-request timeout.
    """

    hub: str = Field(description="Hub name: 'electronhub', 'chainhub', 'apihub' or 'tokenhub'.")
    api_key: SecretStr | None = Field(default=None, description="Defaults to <HUB>_API_KEY.")
    base_url: str | None = Field(default=None, description="Defaults to <HUB>_BASE_URL.")
    output_dir: Path = Field(default=Path("ai-hubs-media"),
                             description="Where result files and the job journal go.")
    poll_interval: float | None = Field(default=None, gt=0,
                                        description="First seconds between polls of a job.")
    timeout: float | None = Field(default=None, gt=0,
                                  description="Seconds a call waits for a job (900).")
    wait: bool = Field(default=True, description="False: video/music return the job id at once.")
    show_progress: bool = Field(default=False, description="A tqdm bar while a job runs.")
    raise_errors: bool = Field(default=False,
                               description="Raise hub_core errors instead of ToolException.")
    media_blocks: MediaBlocks = Field(
        default="images", description="Content blocks beside the text: images, all or none.")
    input_dirs: list[Path] = Field(
        default_factory=list, description="Folders (besides output_dir) files may be read from.")
    enable_music: bool = Field(default=False,
                               description="Electron Hub's undocumented /audio/music (gap 13).")
    max_download_bytes: int | None = Field(default=None, gt=0)
    http_timeout: float | None = Field(default=None, gt=0, description="Per-request timeout.")
    max_retries: int = Field(default=2, ge=0)
    default_headers: dict[str, str] | None = Field(default=None, repr=False)
    plan: str | None = Field(default=None, description="Hub plan whose RPM limit applies.")
    rpm: int | None = Field(default=None, ge=0, description="None = plan preset, 0 = no limit.")
    rate_window: float | None = Field(default=None, gt=0)
    proxy: str | None = Field(default=None, repr=False)
    budget: Budget | None = Field(default=None, exclude=True, description="Spending cap.")

    _media: HubMedia | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _resolve_client_settings(self) -> Self:
        """Key and URL from ``<HUB>_API_KEY`` / ``<HUB>_BASE_URL`` when not given."""
        profile = get_hub(self.hub)
        self.hub = profile.name
        if self.api_key is None and (from_env := os.environ.get(profile.api_key_env)):
            self.api_key = SecretStr(from_env)
        self.base_url = profile.resolve_base_url(self.base_url)
        return self

    @property
    def profile(self) -> HubProfile:
        """The hub's profile."""
        return get_hub(self.hub)

    def build_media(self) -> HubMedia:
        """A :class:`HubMedia` from these settings (the toolkit shares one among its tools)."""
        return HubMedia(
            self.hub, api_key=self.api_key, base_url=self.base_url, output_dir=self.output_dir,
            poll_interval=self.poll_interval, timeout=self.timeout,
            max_download_bytes=self.max_download_bytes, enable_music=self.enable_music,
            budget=self.budget, http_timeout=self.http_timeout, max_retries=self.max_retries,
            default_headers=self.default_headers, plan=self.plan, rpm=self.rpm,
            proxy=self.proxy, rate_window=self.rate_window,
        )

    @property
    def media(self) -> HubMedia:
        """The HubMedia every call goes through (built on first use)."""
        if self._media is None:
            self._media = self.build_media()
        return self._media

    def use_media(self, media: HubMedia) -> Self:
        """Share ``media`` (its journal, connections and running streams); returns self."""
        self._media = media
        return self

    def readable_path(self, value: Any, field: str) -> Path:
        """A file the model named, refused unless inside ``output_dir`` or ``input_dirs``."""
        return check_inside(value, [self.output_dir, *self.input_dirs], field=field,
                            hub=self.hub)


class HubMediaTool(MediaToolSettings, BaseTool):
    """Base of the hub media tools: subclasses give the schema, the description and the call.

    Subclass hooks: ``operation`` (the ``HubProfile.media_models`` key of the default model),
    ``_check_supported()`` (raise before anything is sent when the hub lacks the route),
    ``_describe()``, ``_call(args, progress)`` and ``_acall`` (the argument model comes from
    :func:`hub_core.media.arguments.arguments_for` by ``operation``).
    """

    operation: ClassVar[str] = ""

    model: str | None = Field(default=None, description="Model id (the hub's default if unset).")
    response_format: Literal["content", "content_and_artifact"] = "content_and_artifact"
    handle_tool_error: Any = True
    handle_validation_error: Any = describe_validation_error
    description: str = ""

    model_config = ConfigDict(arbitrary_types_allowed=True, protected_namespaces=())

    def __init__(self, **kwargs: Any) -> None:
        """Build the tool; bad settings raise ``HubInputError`` (a ``ValueError``) naming the
        field, and a hub without the route raises ``UnsupportedFeatureError``: nothing is sent."""
        try:
            super().__init__(**kwargs)
        except ValidationError as exc:
            raise input_error_in(exc) from None

    @classmethod
    def supported_by(cls, profile: HubProfile, *, enable_music: bool = False) -> bool:
        """Whether ``profile``'s hub offers this tool's operation (Electron Hub music only
        with ``enable_music``: :func:`hub_core.media.options.offers`)."""
        return not cls.operation or offers(profile, cls.operation, enable_music=enable_music)

    @model_validator(mode="after")
    def _fit_to_hub(self) -> Self:
        """Pick the model, refuse a hub without the route, build the schema and description."""
        capability = CAPABILITY_OF.get(self.operation)
        if capability and not self.profile.supports(capability):
            raise UnsupportedFeatureError(
                f"{self.profile.display_name} documents no {capability} route, so "
                f"{type(self).__name__} cannot run there (nothing was sent)", hub=self.hub,
                capability=capability)
        if self.operation:
            self.model = pick_model(self.profile, self.operation, self.model)
        self._check_supported()
        self.args_schema = self._schema()
        if not self.description:
            self.description = self._describe()
        if self.raise_errors and "handle_validation_error" not in self.model_fields_set:
            self.handle_validation_error = False
        return self

    # -- pickling: the schema class is built per hub and model, so it is rebuilt, not pickled --

    def __getstate__(self) -> dict[Any, Any]:
        state = super().__getstate__()
        state["__dict__"] = {**state["__dict__"], "args_schema": None}
        return state

    def __setstate__(self, state: dict[Any, Any]) -> None:
        super().__setstate__(state)
        self.__dict__["args_schema"] = self._schema()

    # -- subclass hooks -----------------------------------------------------------------------

    def _schema(self) -> type[BaseModel]:
        """This tool's argument model (built once per operation, hub and model, in hub_core)."""
        return arguments_for(self.operation or "job", self.profile, self.model or "")

    def _check_supported(self) -> None:
        """Raise ``UnsupportedFeatureError`` when the hub has no route for this tool."""

    def _describe(self) -> str:
        return tool_description(self.operation or "job", self.profile, self.model or "",
                                wait=self.wait, check_tool=JOB_TOOL_NAME)

    def _call(self, args: Any, progress: Progress) -> Outcome:
        raise NotImplementedError

    async def _acall(self, args: Any, progress: Progress) -> Outcome:
        raise NotImplementedError

    # -- running ------------------------------------------------------------------------------

    def _args(self, kwargs: dict[str, Any]) -> Any:
        return self._schema().model_validate(kwargs)  # the defaults of what was left out

    def _failure(self, exc: HubError) -> BaseException:
        if self.raise_errors:
            return exc
        return ToolException(explain(exc, check_tool=JOB_TOOL_NAME))

    def _reply(self, outcome: Outcome) -> tuple[str | list[Any], dict[str, Any]]:
        if isinstance(outcome, MediaJob):
            text = job_text(outcome, check_tool=JOB_TOOL_NAME)
            shown: MediaResult | Transcription | None = outcome.result
        else:
            text, shown = result_text(outcome), outcome
        blocks = content_for(text, shown, self.media_blocks) if shown is not None else text
        return blocks, artifact(outcome)

    def _run(
        self, run_manager: CallbackManagerForToolRun | None = None, **kwargs: Any
    ) -> tuple[str | list[Any], dict[str, Any]]:
        progress = Progress(run_manager, show=self.show_progress)
        try:
            outcome = self._call(self._args(kwargs), progress)
        except HubError as exc:
            raise self._failure(exc) from exc
        finally:
            progress.close()
        return self._reply(outcome)

    async def _arun(
        self, run_manager: AsyncCallbackManagerForToolRun | None = None, **kwargs: Any
    ) -> tuple[str | list[Any], dict[str, Any]]:
        progress = Progress(run_manager, show=self.show_progress)
        try:
            outcome = await self._acall(self._args(kwargs), progress)
        except HubError as exc:
            raise self._failure(exc) from exc
        finally:
            progress.close()
        return self._reply(outcome)
