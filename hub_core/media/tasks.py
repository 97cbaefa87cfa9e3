"""Submitting a submit-then-poll task (video, music): once, journalled, joined when identical."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from hub_core.errors import MediaJobError
from hub_core.media.dialects import TaskDialect
from hub_core.media.effects import Call, Flow
from hub_core.media.jobs import MediaJob
from hub_core.media.journal import JobRecord
from hub_core.media.submit import Submission, accept, paid_call, send_once

if TYPE_CHECKING:
    from hub_core.media.base import MediaBase

__all__ = ["job_from_record", "submit_task_flow"]


def job_from_record(media: MediaBase, record: JobRecord) -> MediaJob:
    """The ``MediaJob`` for a journal row (the in-process stream runner when there is one)."""
    return MediaJob(media, record, runner=media._runners.get(record.local_id))


def submit_task_flow(
    media: MediaBase, dialect: TaskDialect, sub: Submission, body: Mapping[str, Any]
) -> Flow[MediaJob]:
    """POST ``body`` once (journal first) and return the job at once.

    An identical active job (same hub, key, model, kind, request) is joined instead unless the
    caller forced a new one (``sub.join`` False).

    Raises:
        InsufficientCreditsError: the hub refused for money (402); not retried.
        MediaJobError: the reply was lost or held no job id; the job may exist and was not
            submitted again.
    """
    url = media.client.url(dialect.submit_endpoint)
    record, response, spend = yield from paid_call(
        media, sub, send_once(Call("POST", url, json=dict(body), kind="submit"))
    )
    if response is None:
        return job_from_record(media, record)
    try:
        reply = response.json()
    except ValueError:
        reply = response.text()
    job_id = dialect.job_id(reply)
    if job_id is None:
        spend.unknown()
        record = media.journal.update(record.local_id, phase="lost", status=None,
                                      note="the submit reply held no job id")
        raise MediaJobError(
            f"{media.profile.display_name} answered the {sub.kind} submit without a job id "
            f"this client can read, so the job cannot be polled; it may exist and was NOT "
            f"submitted again. The reply is attached as .body; journal id "
            f"{record.local_id!r} is marked 'lost'.",
            hub=media.hub, job_id=record.local_id, status="unknown", body=reply,
        )
    record = accept(media, record, spend, job_id, phase="accepted", status="queued")
    job = MediaJob(media, record)
    job.raw = reply
    job._contact = time.monotonic()
    return job

