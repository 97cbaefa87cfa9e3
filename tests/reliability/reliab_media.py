"""The media columns of the fault matrix: a paid job's submit, its polls, Electron Hub's stream.

- ``media submit``: TokenHub ``HubMedia.submit_video`` with the fault on the submit POST, then
  ``job.wait()`` for the file (the answer: a whole MP4);
- ``media poll``: a TokenHub video submitted cleanly (done at once), then ``job.wait()`` with
  the fault on the poll GET (``connection refused``: the wait runs on a second ``HubMedia``
  pointed at a closed port, resuming the job by id from the shared journal);
- ``media stream``: Electron Hub ``submit_video`` + ``wait()``: one held-open stream of
  heartbeats then the result, so the SSE rows land here (exactly ``STREAM_HEARTBEATS``
  heartbeats per faulted stream, so a fault after K chunks always comes before the result).

Each records the job the answer or the error names and the journal rows left unfinished, so a
cell can check that a job the hub may have taken is kept (listed by ``unfinished()``, named by
the error's ``job_id``), and the emulator's ledger shows every paid job submitted once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from reliab_columns import Column, Outcome, Setup

from hub_core.media import HubMedia

VIDEO_PROMPT = "a paper boat on a pond"
POLL_WAIT = 3.0
"""Seconds the poll column's ``wait`` waits: well past a retried read timeout (2 x 0.5 s),
short enough that a cell the wait cannot finish (429 for 120 s, a closed port) ends quickly."""
WAIT = 30.0
"""The other columns' wait: their faults are on the submit, so the wait never runs out."""
STREAM_HEARTBEATS = 4
"""Heartbeats a faulted Electron Hub stream sends before its result (more than K = 3)."""
SUBMIT = "videos/generations"
MP4_BRAND = b"ftyp"
ANSWER = "an MP4 file for job"


def _media(setup: Setup, hub: str, base_url: str | None = None, wait: float = WAIT
           ) -> HubMedia:
    """A HubMedia for this cell: fast polls, the cell's retries and HTTP timeout."""
    return HubMedia(hub, api_key=setup.key, base_url=base_url or setup.base_url,
                    output_dir=setup.workdir, poll_interval=0.02, timeout=wait,
                    http_timeout=setup.timeout, max_retries=setup.max_retries, rpm=0)


def _finish(media: HubMedia, call: Callable[[], Any]) -> Outcome:
    """Run ``call`` (it returns a MediaResult) and record the answer or the error, plus the
    journal rows this key still has unfinished."""
    try:
        result = call()
    except Exception as exc:
        outcome = Outcome(error=exc, job_id=getattr(exc, "job_id", None))
    else:
        path = result.path
        head = path.read_bytes()[:12] if path is not None and path.exists() else b""
        brand = ANSWER if head[4:8] == MP4_BRAND else f"not an MP4 ({head!r})"
        outcome = Outcome(answer=f"{brand} {result.job_id}", job_id=result.job_id)
    outcome.unfinished = tuple(r.id for r in media.unfinished())
    media.close()
    return outcome


def media_submit(setup: Setup) -> Outcome:
    """TokenHub ``submit_video`` (the fault is on this POST), then ``wait()`` for the file."""
    media = _media(setup, "tokenhub")
    return _finish(media, lambda: media.submit_video(VIDEO_PROMPT, duration=4).wait())


def media_poll(setup: Setup) -> Outcome:
    """A TokenHub video already done on the hub, then ``wait()`` (the fault is on its polls)."""
    assert setup.emulator is not None, "the poll column submits through the emulator first"
    hub_url = setup.emulator.base_url("tokenhub")
    submitter = _media(setup, "tokenhub", hub_url, POLL_WAIT)
    setup.emulator.admin.fault(hub="tokenhub", path=SUBMIT, method="POST", job_seconds=0)
    job = submitter.submit_video(VIDEO_PROMPT, duration=4)  # done on the hub at once
    if setup.base_url == hub_url:
        media = submitter
    else:  # the hub went away after the submit: wait from another object, by the job's id
        submitter.close()
        media = _media(setup, "tokenhub", wait=POLL_WAIT)
        job = media.resume(job.job_id)
    return _finish(media, job.wait)


def media_stream(setup: Setup) -> Outcome:
    """Electron Hub ``submit_video``: the stream opens (fault here), ``wait()`` follows it.

    The key's plan window is 1 s, so the ``X-RateLimit-Reset`` Electron Hub sends with every
    reply (a 429 without ``Retry-After`` included) is a second away, not the usual minute.
    """
    assert setup.emulator is not None, "the stream column sets the key's plan window"
    setup.emulator.admin.set_account("electronhub", setup.key, plan=1000, rate_window=1)
    media = _media(setup, "electronhub")
    return _finish(media, lambda: media.submit_video(VIDEO_PROMPT).wait())


def paid_once(ledger: Mapping[str, Any], outcome: Outcome) -> None:
    """The hub took at most one job for this cell, each submitted once; a success is that job
    (Electron Hub gives the client no job id, so the match is by count and downloads)."""
    jobs: Mapping[str, Any] = ledger["jobs"]
    assert len(jobs) <= 1, f"more than one paid job: {sorted(jobs)}"
    assert all(job["submits"] == 1 for job in jobs.values()), jobs
    assert all(n == 1 for n in ledger["submissions"].values()), ledger["submissions"]
    if outcome.error is None:  # the file came from the one job the hub made
        (job,) = jobs.values()
        assert job["status"] == "succeeded" and job["downloads"] >= 1, job


def _is_submit(row: Mapping[str, Any]) -> bool:
    return bool(row["method"] == "POST" and row["path"].endswith(SUBMIT))


def _is_poll(row: Mapping[str, Any]) -> bool:
    return bool(row["method"] == "GET" and f"{SUBMIT}/" in row["path"])


MEDIA_COLUMNS: tuple[Column, ...] = (
    Column("media submit", SUBMIT, False, media_submit, paid_once, method="POST",
           counted=_is_submit, fault_extra={"job_seconds": 0}, answer_prefix=ANSWER),
    Column("media poll", f"{SUBMIT}/", False, media_poll, paid_once, method="GET",
           counted=_is_poll, answer_prefix=ANSWER),
    Column("media stream", SUBMIT, True, media_stream, paid_once, hub="electronhub",
           method="POST", counted=_is_submit, fault_extra={"heartbeats": STREAM_HEARTBEATS},
           answer_prefix=ANSWER),
)
"""Media columns; requests counted are the faulted route's (submit POSTs, or poll GETs)."""
