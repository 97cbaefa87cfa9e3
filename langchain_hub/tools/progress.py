"""Progress of a long media job: a LangChain custom event per poll, and a tqdm bar on request.

A UI listening with ``astream_events`` (or any callback handler's ``on_custom_event``) gets one
``hub_media_progress`` event per look at the job: ``{job_id, hub, model, kind, status,
progress}`` (progress 0..1 or None). Events need a parent run, so they are sent only when the
tool runs inside one (``invoke``/``ainvoke``, an agent), never from a bare ``_run`` call.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import (
    AsyncCallbackManagerForToolRun,
    CallbackManagerForToolRun,
    adispatch_custom_event,
    dispatch_custom_event,
)
from langchain_core.runnables import RunnableConfig

from hub_core.media.bar import JobBar
from hub_core.media.jobs import MediaJob

__all__ = ["PROGRESS_EVENT", "Progress"]

PROGRESS_EVENT = "hub_media_progress"
"""The custom event's name."""


class Progress:
    """Reports one job's progress; ``report`` (sync) or ``areport`` (async) is the callback
    given to ``MediaJob.wait``."""

    def __init__(
        self,
        run_manager: CallbackManagerForToolRun | AsyncCallbackManagerForToolRun | None,
        *,
        show: bool,
    ) -> None:
        self._config: RunnableConfig | None = (
            {"callbacks": run_manager.get_child()} if run_manager is not None else None
        )
        self._bar = JobBar(show=show)

    @staticmethod
    def data(job: MediaJob) -> dict[str, Any]:
        """The event's payload (no key, JSON-ready)."""
        return {"job_id": job.job_id, "hub": job.hub, "model": job.model, "kind": job.kind,
                "status": job.status, "progress": job.progress}

    def report(self, job: MediaJob) -> None:
        """Sync callback: the custom event, then the bar."""
        if self._config is not None:
            dispatch_custom_event(PROGRESS_EVENT, self.data(job), config=self._config)
        self._bar.update(job)

    async def areport(self, job: MediaJob) -> None:
        """Async callback: the custom event, then the bar."""
        if self._config is not None:
            await adispatch_custom_event(PROGRESS_EVENT, self.data(job), config=self._config)
        self._bar.update(job)

    def close(self) -> None:
        """Close the bar, if one was drawn."""
        self._bar.close()
