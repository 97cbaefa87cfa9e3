"""``HubMediaToolSpec``: image, video, music and speech tools for LlamaIndex agents.

A thin ``BaseToolSpec`` over one :class:`hub_core.media.HubMedia`: every check, journal row,
download and cost lives in ``hub_core.media``, and the argument schemas, descriptions, replies
and error words are the ones the LangChain tools use (``hub_core.media.arguments``,
``summary``, ``explain``, ``follow``). Each function returns TEXT: a FunctionAgent on an
OpenAI-format LLM sends a tool's output back as a ``tool`` message, and media blocks there break
the next request (research: llamaindex.md section 3); the text names every path and URL.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any, Literal

from llama_index.core.tools import FunctionTool, ToolMetadata
from llama_index.core.tools.tool_spec.base import BaseToolSpec
from pydantic import BaseModel, SecretStr, ValidationError

from hub_core.errors import HubError, HubInputError
from hub_core.hubs import HubProfile, get_hub
from hub_core.media import HubMedia
from hub_core.media.arguments import arguments_for, invalid_arguments_text, tool_description
from hub_core.media.bar import JobBar
from hub_core.media.base import pick_model
from hub_core.media.explain import explain
from hub_core.media.follow import (
    acheck_or_finish,
    afollow,
    aown_job,
    check_or_finish,
    follow,
    own_job,
)
from hub_core.media.jobs import MediaJob
from hub_core.media.music import music_dialect
from hub_core.media.options import offers
from hub_core.media.results import MediaResult
from hub_core.media.spend import BudgetLike
from hub_core.media.summary import job_text, result_text
from hub_core.media.validate import check_inside
from hub_core.usage import collecting
from llamaindex_hub.usage import UsageEvents

__all__ = ["CHECK_TOOL", "HubMediaToolSpec"]

CHECK_TOOL = "check_job"
"""The job function's name, which replies and errors tell the agent to call."""

_OPERATIONS: tuple[tuple[str, str], ...] = (
    ("generate_image", "image"),
    ("edit_image", "image_edit"),
    ("generate_video", "video"),
    ("generate_music", "music"),
    ("text_to_speech", "speech"),
)
_OPERATION_OF = dict(_OPERATIONS)
_JOB_KINDS = ("video", "music")


class HubMediaToolSpec(BaseToolSpec):
    """Make images, videos, music and speech on an AI hub from a LlamaIndex agent.

    ``to_tool_list()`` holds exactly the functions the hub offers: API Hub none; TokenHub
    ``generate_image`` and ``generate_video``; Electron Hub ``generate_image``, ``edit_image``,
    ``generate_video`` and ``text_to_speech`` (``generate_music`` with ``enable_music=True``);
    ChainHub all five. Where video or music is offered, ``check_job`` comes last: it checks or
    finishes a job by id without submitting it again, and only for jobs this spec's journal
    holds (``allow_foreign_jobs=True`` opts out). Every function has an async twin
    (``agenerate_image``, ...) that the tools use under ``acall``. Each returns text with the
    paths and URLs; a refusal, running out of credits, a failed job or bad arguments come back
    as text saying what happened and what to do (``raise_errors=True`` raises the typed
    ``hub_core`` error instead). Spend reaches :class:`~llamaindex_hub.HubUsageHandler` as
    ``HubUsageEvent``s (kind ``image``, ``video``, ...).

    Setup:
        Install ``ai-hubs[llamaindex,media]`` and export the hub's key (``<HUB>_API_KEY``;
        ``<HUB>_BASE_URL`` points elsewhere, such as the emulator).

    Key init args:
        hub, output_dir (files and the job journal), models (per operation: ``{"image":
        "dall-e-2", "video": ...}``; the hub's defaults otherwise), wait (False: video and
        music return the job id at once), allow_foreign_jobs, input_dirs (more folders
        ``edit_image`` may read), show_progress (a tqdm bar), enable_music, raise_errors,
        api_key, base_url, poll_interval, timeout, budget, http_timeout, max_retries,
        default_headers, plan, rpm, rate_window, proxy.

    Instantiate:
        .. code-block:: python

            from llamaindex_hub import HubMediaToolSpec

            spec = HubMediaToolSpec(hub="chainhub", api_key="sk-demo", rpm=0,
                                    base_url=emu.base_url("chainhub"), output_dir="media-out",
                                    poll_interval=0.05)
            tools = spec.to_tool_list()
            [tool.metadata.name for tool in tools]
            # ['generate_image', 'edit_image', 'generate_video', 'generate_music',
            #  'text_to_speech', 'check_job']

    Invoke:
        .. code-block:: python

            text = spec.generate_image("a lighthouse at dusk", size="1024x1024")
            # 'Made 1 image with gpt-image-1 on ChainHub (...). Files: /.../media-out/...png.'
            output = tools[0].call(prompt="a red kite", size="1024x1536")
            output.content  # the same kind of text

    Async:
        .. code-block:: python

            song = await spec.agenerate_music("a calm piano piece", instrumental=True)

    Without blocking:
        .. code-block:: python

            later = HubMediaToolSpec(hub="tokenhub", api_key="th-demo", rpm=0, wait=False,
                                     base_url=emu.base_url("tokenhub"), output_dir="media-out",
                                     poll_interval=0.05)
            queued = later.generate_video("a paper boat", duration=4)
            # "The video job 'tsk-...' ... Call check_job with job_id='tsk-...' ..."
            job_id = queued.split("job_id='")[1].split("'")[0]
            done = later.check_job(job_id)  # waits, downloads: submitted and paid once

    Use with an agent:
        .. code-block:: python

            from llama_index.core.agent.workflow import FunctionAgent
            from llamaindex_hub import ChainHubLLM

            llm = ChainHubLLM(model="gpt-4o-mini", api_key="sk-demo", rpm=0,
                              base_url=emu.base_url("chainhub"))
            agent = FunctionAgent(tools=spec.to_tool_list(), llm=llm)
            answer = await agent.run('Make an image of "a fox in the snow" at "1024x1024".')
            str(answer)  # the agent's answer, naming the PNG's path

    Errors:
        .. code-block:: python

            refused = spec.check_job("somebody-elses-job")
            # 'The arguments were refused before anything was sent: job_id must be the id of
            #  a job these tools started with this key ...'
    """

    spec_functions: list[str | tuple[str, str]] = [
        (name, f"a{name}") for name in [*(n for n, _ in _OPERATIONS), CHECK_TOOL]]

    def __init__(
        self,
        hub: str,
        *,
        output_dir: str | os.PathLike[str] = "ai-hubs-media",
        models: Mapping[str, str] | None = None,
        wait: bool = True,
        allow_foreign_jobs: bool = False,
        input_dirs: Collection[str | os.PathLike[str]] = (),
        show_progress: bool = False,
        enable_music: bool = False,
        raise_errors: bool = False,
        api_key: str | SecretStr | None = None,
        base_url: str | None = None,
        poll_interval: float | None = None,
        timeout: float | None = None,
        max_download_bytes: int | None = None,
        budget: BudgetLike | None = None,
        http_timeout: float | None = None,
        max_retries: int = 2,
        default_headers: Mapping[str, str] | None = None,
        plan: str | None = None,
        rpm: int | None = None,
        rate_window: float | None = None,
        proxy: str | None = None,
    ) -> None:
        """Build the spec and its ``HubMedia``; bad settings raise ``HubInputError`` (a
        ``ValueError``) naming the field, before anything is sent."""
        self.profile: HubProfile = get_hub(hub)
        self.hub = self.profile.name
        self.wait, self.allow_foreign_jobs = wait, allow_foreign_jobs
        self.show_progress, self.raise_errors = show_progress, raise_errors
        self.output_dir = Path(output_dir)
        self.input_dirs = [Path(d) for d in input_dirs]
        self.media = HubMedia(
            self.hub, api_key=api_key, base_url=base_url, output_dir=self.output_dir,
            poll_interval=poll_interval, timeout=timeout, max_download_bytes=max_download_bytes,
            enable_music=enable_music, budget=budget, http_timeout=http_timeout,
            max_retries=max_retries, default_headers=default_headers, plan=plan, rpm=rpm,
            rate_window=rate_window, proxy=proxy,
        )
        offered = [(name, op) for name, op in _OPERATIONS
                   if offers(self.profile, op, enable_music=enable_music)]
        chosen = dict(models or {})
        unknown = sorted(set(chosen) - {op for _, op in offered})
        if unknown:
            raise HubInputError.invalid(
                "models", f"must name operations {self.profile.display_name} offers here "
                f"({', '.join(op for _, op in offered) or 'none'})", unknown,
                fix="drop the others", hub=self.hub)
        self.models = {op: pick_model(self.profile, op, chosen.get(op)) for _, op in offered}
        if "music" in self.models:
            music_dialect(self.media, self.models["music"])
        names = [name for name, _ in offered]
        if any(op in _JOB_KINDS for _, op in offered):
            names.append(CHECK_TOOL)
        self.function_names: list[str] = names
        """The functions this hub offers, in tool order."""
        self.spec_functions = [(name, f"a{name}") for name in names]

    def __repr__(self) -> str:
        return (f"HubMediaToolSpec(hub={self.hub!r}, output_dir={str(self.output_dir)!r}, "
                f"tools={self.function_names})")

    # -- the tool list ----------------------------------------------------------------------

    def _schema(self, name: str) -> type[BaseModel]:
        op = _OPERATION_OF.get(name, "job")
        return arguments_for(op, self.profile, self.models.get(op, ""))

    def metadata(self, name: str) -> ToolMetadata:
        """The function's name, description (model, hub, price, waiting) and argument schema."""
        op = _OPERATION_OF.get(name, "job")
        description = tool_description(op, self.profile, self.models.get(op, ""),
                                       wait=self.wait, check_tool=CHECK_TOOL)
        return ToolMetadata(name=name, description=description, fn_schema=self._schema(name))

    def to_tool_list(  # type: ignore[override]
        self,
        spec_functions: list[str | tuple[str, str]] | None = None,
        func_to_metadata_mapping: dict[str, ToolMetadata] | None = None,
    ) -> list[FunctionTool]:
        """One ``FunctionTool`` (sync and async) per function this hub offers."""
        mapping = {name: self.metadata(name) for name in self.function_names}
        mapping.update(func_to_metadata_mapping or {})
        return super().to_tool_list(spec_functions or list(self.spec_functions), mapping)

    # -- running ----------------------------------------------------------------------------

    def _args(self, name: str, given: dict[str, Any]) -> Any:
        try:
            return self._schema(name).model_validate(given)
        except ValidationError as exc:
            if self.raise_errors:
                raise HubInputError(invalid_arguments_text(exc), hub=self.hub) from None
            raise _Refused(invalid_arguments_text(exc)) from None

    def _words(self, outcome: MediaResult | MediaJob) -> str:
        if isinstance(outcome, MediaJob):
            return job_text(outcome, check_tool=CHECK_TOOL)
        return result_text(outcome)

    def _failure_text(self, exc: Exception) -> str:
        """What the agent reads when a call did not make anything (``raise_errors``: raise)."""
        if isinstance(exc, _Refused):
            return str(exc)
        if self.raise_errors:
            raise exc
        return explain(exc, check_tool=CHECK_TOOL)

    def _run(self, name: str, given: dict[str, Any], call: Callable[[Any, JobBar], Any]) -> str:
        bar = JobBar(show=self.show_progress)
        try:
            args = self._args(name, given)
            with collecting(UsageEvents(_OPERATION_OF.get(name, "job"))):
                return self._words(call(args, bar))
        except (_Refused, HubError) as exc:
            return self._failure_text(exc)
        finally:
            bar.close()

    async def _arun(self, name: str, given: dict[str, Any], call: Callable[[Any, JobBar], Any]
                    ) -> str:
        bar = JobBar(show=self.show_progress)
        try:
            args = self._args(name, given)
            with collecting(UsageEvents(_OPERATION_OF.get(name, "job"))):
                return self._words(await call(args, bar))
        except (_Refused, HubError) as exc:
            return self._failure_text(exc)
        finally:
            bar.close()

    def _path(self, value: Any, field: str) -> Path:
        return check_inside(value, [self.output_dir, *self.input_dirs], field=field,
                            hub=self.hub)

    # -- the functions (sync, then async) ----------------------------------------------------

    def generate_image(self, prompt: str, size: str | None = None, n: int = 1) -> str:
        """Make images from a text description and save them as files."""
        return self._run("generate_image", {"prompt": prompt, "size": size, "n": n},
                         lambda a, bar: self.media.generate_image(
                             a.prompt, model=self.models["image"], n=a.n, size=a.size))

    async def agenerate_image(self, prompt: str, size: str | None = None, n: int = 1) -> str:
        """Async twin of :meth:`generate_image`."""
        return await self._arun("generate_image", {"prompt": prompt, "size": size, "n": n},
                                lambda a, bar: self.media.agenerate_image(
                                    a.prompt, model=self.models["image"], n=a.n, size=a.size))

    def edit_image(self, prompt: str, image: str, mask: str | None = None,
                   size: str | None = None, n: int = 1) -> str:
        """Edit an image file (inside ``output_dir`` or ``input_dirs``) from words."""
        given = {"prompt": prompt, "image": image, "mask": mask, "size": size, "n": n}
        return self._run("edit_image", given, lambda a, bar: self.media.edit_image(
            self._path(a.image, "image"), a.prompt, model=self.models["image_edit"], n=a.n,
            mask=None if a.mask is None else self._path(a.mask, "mask"), size=a.size))

    async def aedit_image(self, prompt: str, image: str, mask: str | None = None,
                          size: str | None = None, n: int = 1) -> str:
        """Async twin of :meth:`edit_image`."""
        given = {"prompt": prompt, "image": image, "mask": mask, "size": size, "n": n}
        return await self._arun("edit_image", given, lambda a, bar: self.media.aedit_image(
            self._path(a.image, "image"), a.prompt, model=self.models["image_edit"], n=a.n,
            mask=None if a.mask is None else self._path(a.mask, "mask"), size=a.size))

    def _video(self, a: Any) -> dict[str, Any]:
        return {"model": self.models["video"], "duration": a.duration,
                "resolution": getattr(a, "resolution", None), "aspect_ratio": a.aspect_ratio}

    def generate_video(self, prompt: str, duration: float | None = None,
                       resolution: str | None = None, aspect_ratio: str | None = None) -> str:
        """Make a short video from words (``wait=False``: the job id at once)."""
        given = _given(prompt=prompt, duration=duration, resolution=resolution,
                       aspect_ratio=aspect_ratio)
        return self._run("generate_video", given, lambda a, bar: follow(
            self.media.submit_video(a.prompt, **self._video(a)), wait=self.wait,
            progress=bar.update))

    async def agenerate_video(self, prompt: str, duration: float | None = None,
                              resolution: str | None = None,
                              aspect_ratio: str | None = None) -> str:
        """Async twin of :meth:`generate_video`."""
        given = _given(prompt=prompt, duration=duration, resolution=resolution,
                       aspect_ratio=aspect_ratio)

        async def call(a: Any, bar: JobBar) -> Any:
            job = await self.media.asubmit_video(a.prompt, **self._video(a))
            return await afollow(job, wait=self.wait, progress=bar.update)

        return await self._arun("generate_video", given, call)

    def generate_music(self, prompt: str, instrumental: bool = False) -> str:
        """Make music from words (``wait=False``: the job id at once)."""
        given = {"prompt": prompt, "instrumental": instrumental}
        return self._run("generate_music", given, lambda a, bar: follow(
            self.media.submit_music(a.prompt, model=self.models["music"],
                                    instrumental=a.instrumental),
            wait=self.wait, progress=bar.update))

    async def agenerate_music(self, prompt: str, instrumental: bool = False) -> str:
        """Async twin of :meth:`generate_music`."""
        given = {"prompt": prompt, "instrumental": instrumental}

        async def call(a: Any, bar: JobBar) -> Any:
            job = await self.media.asubmit_music(a.prompt, model=self.models["music"],
                                                 instrumental=a.instrumental)
            return await afollow(job, wait=self.wait, progress=bar.update)

        return await self._arun("generate_music", given, call)

    def text_to_speech(self, prompt: str, voice: str | None = None,
                       format: str = "mp3") -> str:
        """Speak words aloud: an audio file."""
        given = {"prompt": prompt, "voice": voice, "format": format}
        return self._run("text_to_speech", given, lambda a, bar: self.media.speech(
            a.prompt, model=self.models["speech"], voice=a.voice, format=a.format))

    async def atext_to_speech(self, prompt: str, voice: str | None = None,
                              format: str = "mp3") -> str:
        """Async twin of :meth:`text_to_speech`."""
        given = {"prompt": prompt, "voice": voice, "format": format}
        return await self._arun("text_to_speech", given, lambda a, bar: self.media.aspeech(
            a.prompt, model=self.models["speech"], voice=a.voice, format=a.format))

    def _job_kind(self) -> Literal["video", "music"]:
        return "video" if "video" in self.models else "music"

    def check_job(self, job_id: str, action: Literal["finish", "check"] = "finish") -> str:
        """Check on (``check``) or finish (``finish``: wait and download) a job by its id."""
        def call(a: Any, bar: JobBar) -> Any:
            kind = self._job_kind()
            job = own_job(self.media, a.job_id, allow_foreign=self.allow_foreign_jobs,
                          kind=kind, model=self.models.get(kind))
            return check_or_finish(job, a.action, bar.update)

        return self._run(CHECK_TOOL, {"job_id": job_id, "action": action}, call)

    async def acheck_job(self, job_id: str,
                         action: Literal["finish", "check"] = "finish") -> str:
        """Async twin of :meth:`check_job`."""
        async def call(a: Any, bar: JobBar) -> Any:
            kind = self._job_kind()
            job = await aown_job(self.media, a.job_id, allow_foreign=self.allow_foreign_jobs,
                                 kind=kind, model=self.models.get(kind))
            return await acheck_or_finish(job, a.action, bar.update)

        return await self._arun(CHECK_TOOL, {"job_id": job_id, "action": action}, call)


class _Refused(Exception):
    """Arguments the schema refused; its text goes back to the agent."""


def _given(**kwargs: Any) -> dict[str, Any]:
    """The arguments that were passed (a left-out one takes the schema's default)."""
    return {k: v for k, v in kwargs.items() if v is not None}
