"""``HubMediaJobTool``: check or finish a media job by id, never submitting it again."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from hub_core.media.follow import acheck_or_finish, aown_job, check_or_finish, own_job
from langchain_hub.tools.base import JOB_TOOL_NAME, HubMediaTool, Outcome
from langchain_hub.tools.progress import Progress

__all__ = ["HubMediaJobTool"]


class HubMediaJobTool(HubMediaTool):
    """Check on, or finish, a media job by its id: the job is never submitted or paid again.

    The partner of the generation tools with ``wait=False`` (and of any call whose wait ran
    out): ``action="finish"`` waits for the job and downloads its files, ``"check"`` looks
    once and says where it stands. A model can be talked into passing any id, so by default
    the tool acts only on jobs in its own journal (``<output_dir>/.ai-hubs-jobs.sqlite3``)
    made with its own key: in a multi-user app, one user's agent cannot read another's
    results. An unknown id is a readable refusal. ``allow_foreign_jobs=True`` also follows ids
    submitted elsewhere with this key (the hub itself still answers only for its own key).

    Setup:
        Give it the same ``hub``, key and ``output_dir`` as the tools that started the jobs (a
        :class:`HubMediaToolkit` does).

    Key init args:
        hub, output_dir, allow_foreign_jobs, kind and model (the poll route of foreign jobs:
        ``"video"``/``"music"``, the hub's default model), poll_interval, timeout,
        show_progress, media_blocks, raise_errors, api_key, base_url and the client params.

    Instantiate:
        .. code-block:: python

            from langchain_hub.tools import HubMediaJobTool, HubVideoGenerationTool

            settings = dict(hub="tokenhub", api_key="th-demo", rpm=0, output_dir="media-out",
                            base_url=emu.base_url("tokenhub"), poll_interval=0.05)
            start = HubVideoGenerationTool(wait=False, **settings)
            jobs = HubMediaJobTool(**settings)

    Invoke:
        .. code-block:: python

            queued = start.invoke({"name": start.name, "id": "j1", "type": "tool_call",
                                   "args": {"prompt": "a paper boat", "duration": 4}})
            job_id = queued.artifact["job_id"]
            status = jobs.invoke({"job_id": job_id, "action": "check"})  # where it stands
            done = jobs.invoke({"name": jobs.name, "id": "j2", "type": "tool_call",
                                "args": {"job_id": job_id}})
            done.artifact["paths"]  # ['/.../media-out/tsk-..._0.mp4']: submitted once

    Async:
        .. code-block:: python

            again = await jobs.ainvoke({"job_id": job_id})  # already done: its files

    Errors:
        .. code-block:: python

            unknown = jobs.invoke({"name": jobs.name, "id": "j3", "type": "tool_call",
                                   "args": {"job_id": "tsk-somebody-else"}})
            unknown.status  # 'error': the tool acts only on its own jobs
    """

    name: str = JOB_TOOL_NAME
    allow_foreign_jobs: bool = Field(
        default=False, description="Also follow job ids this journal did not start.")
    kind: Literal["video", "music"] = Field(
        default="video", description="What a foreign job makes (picks its poll route).")

    def _call(self, args: Any, progress: Progress) -> Outcome:
        job = own_job(self.media, args.job_id, allow_foreign=self.allow_foreign_jobs,
                      kind=self.kind, model=self.model)
        return check_or_finish(job, args.action, progress.report)

    async def _acall(self, args: Any, progress: Progress) -> Outcome:
        job = await aown_job(self.media, args.job_id, allow_foreign=self.allow_foreign_jobs,
                             kind=self.kind, model=self.model)
        return await acheck_or_finish(job, args.action, progress.areport)
