"""A tqdm bar for one media job (percent done, the status beside it), shared by the tools.

tqdm is imported on the first update, so code that never shows a bar never needs it.

Example:
    >>> bar = JobBar(show=False)  # show=False draws nothing: every call is a no-op
    >>> bar.close()
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hub_core._tqdm import open_bar

if TYPE_CHECKING:
    from hub_core.media.jobs import MediaJob

__all__ = ["JobBar"]


class JobBar:
    """One job's progress as it is polled: ``update(job)`` per look, ``close()`` at the end."""

    def __init__(self, *, show: bool) -> None:
        self.show = show
        self._bar: Any = None
        self._shown = 0

    def update(self, job: MediaJob) -> None:
        """Advance to the job's progress (100% once it succeeded) and show its status.

        Raises:
            ImportError: tqdm is not installed (``pip install 'ai-hubs[progress]'``).
        """
        if not self.show:
            return
        if self._bar is None:
            self._bar = open_bar(total=100, desc=f"{job.kind} {job.job_id}", unit="%")
        done = 100 if job.status == "succeeded" else int((job.progress or 0.0) * 100)
        if done > self._shown:
            self._bar.update(done - self._shown)
            self._shown = done
        self._bar.set_postfix_str(job.status, refresh=False)

    def close(self) -> None:
        """Close the bar, if one was drawn."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
