"""``MediaBase``: what every media operation stands on -- settings, client, journal, resume, track.

``HubMedia`` (``client.py``) adds the operations. This half holds the configuration (output
folder, journal, poll interval, wait timeout, download cap, budget), the identity the journal
is scoped to (hub + key fingerprint, never the key), pickling, lifecycle, the checks every
operation starts with, the sync/async drivers, and journal access: ``job``, ``unfinished``,
``resume``, and ``track`` (follow a job submitted elsewhere, paying nothing).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import SecretStr

from hub_core.client import HubClient
from hub_core.errors import HubError, HubInputError, MediaJobError, UnsupportedFeatureError
from hub_core.hubs import HubProfile
from hub_core.media.dialects import DIALECTS, resolve_dialect
from hub_core.media.effects import Flow, run_async, run_sync
from hub_core.media.jobs import MediaJob, StreamRunner, poll_failure_is_transient
from hub_core.media.journal import JobRecord, Journal
from hub_core.media.spend import BudgetLike
from hub_core.media.submit import lost_error
from hub_core.media.tasks import job_from_record
from hub_core.ratelimit import key_fingerprint

if TYPE_CHECKING:
    from hub_core.transport import Timeouts

__all__ = ["DEFAULT_TIMEOUT", "JOURNAL_NAME", "MediaBase", "pick_model"]

DEFAULT_TIMEOUT = 900.0
"""Seconds ``wait`` waits by default (gap 9: 15 minutes)."""
JOURNAL_NAME = ".ai-hubs-jobs.sqlite3"
_M = TypeVar("_M", bound="MediaBase")


def pick_model(profile: HubProfile, operation: str, model: str | None) -> str:
    """``model`` in the hub's id style, or the hub's default for ``operation``.

    Raises:
        HubInputError: an empty model id.
        UnsupportedFeatureError: no model given and the hub has no default for ``operation``.
    """
    if model is not None:
        if not isinstance(model, str) or not model.strip():
            raise HubInputError.invalid("model", "must be a non-empty model id", model,
                                        fix="pass None for the hub's default", hub=profile.name)
        return profile.normalize_model(model)
    default = profile.media_models.get(operation)
    if default is None:
        raise UnsupportedFeatureError(
            f"{profile.display_name} has no default model for {operation}; pass model=",
            hub=profile.name, capability=operation,
        )
    return default


class MediaBase:
    """Media generation on one hub with one key.

    Args:
        hub: ``"electronhub"``, ``"chainhub"``, ``"apihub"``, ``"tokenhub"`` or a profile.
        api_key, base_url: as for :class:`HubClient` (``<HUB>_API_KEY`` / ``<HUB>_BASE_URL``).
        output_dir: where result files go (created on first write; made absolute, so result
            paths work from any working directory).
        journal: the job journal's path (default ``<output_dir>/.ai-hubs-jobs.sqlite3``).
        poll_interval: seconds between polls at first (default per dialect: 10 s, Suno 5 s);
            the wait backs off x1.5 per poll up to three times this.
        timeout: seconds ``wait`` waits before ``MediaJobTimeout`` (default 900).
        max_download_bytes: refuse result files larger than this (default: no cap).
        enable_music: allow Electron Hub's undocumented ``/audio/music`` (gap 13).
        budget: a ``hub_core.Budget`` (anything with its ``reserve`` contract).
        http_timeout, max_retries, default_headers, plan, rpm, proxy, rate_window: for the
            HubClient.
        client: use this HubClient instead of building one (its key and URL win).
    """

    def __init__(
        self,
        hub: str | HubProfile,
        *,
        api_key: str | SecretStr | None = None,
        base_url: str | None = None,
        output_dir: str | os.PathLike[str] = "ai-hubs-media",
        journal: str | os.PathLike[str] | None = None,
        poll_interval: float | None = None,
        timeout: float | None = None,
        max_download_bytes: int | None = None,
        enable_music: bool = False,
        budget: BudgetLike | None = None,
        http_timeout: float | Timeouts | None = None,
        max_retries: int = 2,
        default_headers: Mapping[str, str] | None = None,
        plan: str | None = None,
        rpm: int | None = None,
        proxy: str | None = None,
        rate_window: float | None = None,
        client: HubClient | None = None,
    ) -> None:
        self.client = client or HubClient(
            hub, api_key=api_key, base_url=base_url, timeout=http_timeout,
            max_retries=max_retries, default_headers=default_headers, plan=plan, rpm=rpm,
            proxy=proxy, rate_window=rate_window,
        )
        for name, value in (("poll_interval", poll_interval), ("timeout", timeout)):
            if value is not None and (isinstance(value, bool) or not value > 0):
                raise HubInputError.invalid(name, "must be a positive number of seconds",
                                            value, fix=f"pass {name}=None for the default",
                                            hub=self.client.hub)
        if max_download_bytes is not None and max_download_bytes <= 0:
            raise HubInputError.invalid("max_download_bytes", "must be a positive number of "
                                        "bytes", max_download_bytes, fix="None means no cap",
                                        hub=self.client.hub)
        self.output_dir = Path(output_dir).expanduser().absolute()  # results carry full paths
        self.journal = Journal(journal if journal is not None else self.output_dir / JOURNAL_NAME)
        self.poll_interval = poll_interval
        self.timeout = float(timeout) if timeout is not None else DEFAULT_TIMEOUT
        self.max_download_bytes = max_download_bytes
        self.enable_music = enable_music
        self.budget = budget
        self._runners: dict[str, StreamRunner] = {}

    # -- identity ---------------------------------------------------------------------------

    @property
    def hub(self) -> str:
        """The hub's name."""
        return self.client.hub

    @property
    def profile(self) -> HubProfile:
        """The hub's profile."""
        return self.client.profile

    @property
    def base_url(self) -> str:
        """The hub's API base URL."""
        return self.client.base_url

    @property
    def key_fp(self) -> str:
        """The key's one-way fingerprint: the journal's owner column (never the key)."""
        return key_fingerprint(self.client.api_key)

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_runners"] = {}  # threads and tasks stay in the process that started them
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __repr__(self) -> str:
        key = "set" if self.client.api_key is not None else "missing"
        return (f"HubMedia(hub={self.hub!r}, base_url={self.base_url!r}, api_key={key}, "
                f"output_dir={str(self.output_dir)!r})")

    def close(self) -> None:
        """Release connections and this thread's journal connection."""
        self.client.close()
        self.journal.close()

    async def aclose(self) -> None:
        """Async twin of :meth:`close`."""
        await self.client.aclose()
        self.journal.close()

    def __enter__(self: _M) -> _M:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self: _M) -> _M:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- shared checks ----------------------------------------------------------------------

    def require(self, capability: str, what: str) -> None:
        """Refuse, before any request, what this hub documents no route for."""
        if not self.profile.supports(capability):
            raise UnsupportedFeatureError(
                f"{self.profile.display_name} documents no {what} route", hub=self.hub,
                capability=capability,
            )

    def model_for(self, operation: str, model: str | None) -> str:
        """``model``, or the hub's default for ``operation``."""
        return pick_model(self.profile, operation, model)

    def _run(self, flow: Flow[Any]) -> Any:
        return run_sync(self.client.transport, flow)

    async def _arun(self, flow: Flow[Any]) -> Any:
        return await run_async(self.client.transport, flow)

    # -- the journal ------------------------------------------------------------------------

    def job(self, job_id: str) -> JobRecord | None:
        """The journal row of a job id or local id, for this hub and key only."""
        return self.journal.get(self.hub, self.key_fp, job_id)

    def unfinished(self) -> list[JobRecord]:
        """Rows of this hub and key not finished (resume those with ``resumable``)."""
        return self.journal.unfinished(self.hub, self.key_fp)

    def resume(self, job_id: str) -> MediaJob:
        """The job with this id from the journal, to ``refresh``/``wait``/``download``.

        Nothing is submitted. Only jobs of this hub and key are found.

        Raises:
            MediaJobError: unknown id (for this hub and key); the submission was refused;
                or its outcome is unknown (reply lost, process died while submitting, an
                Electron Hub stream cut): such a job cannot be carried on.
        """
        record = self.job(job_id)
        if record is None:
            raise MediaJobError(
                f"no job {job_id!r} in the journal {self.journal.path} for this "
                f"{self.profile.display_name} key; jobs of other keys or hubs are not "
                "resumed", hub=self.hub, job_id=job_id,
            )
        if record.phase == "rejected":
            raise MediaJobError(f"job {job_id!r} was refused by the hub ({record.note}); "
                                "there is nothing to resume", hub=self.hub, job_id=job_id,
                                status="failed")
        if record.phase == "lost":
            raise lost_error(self, record, record.note or "its reply was lost")
        job = job_from_record(self, record)
        if job.dialect is None and job._runner is None and not record.resumable:
            job._from_journal()  # raises if its submitter died; else follows the journal
        return job

    async def aresume(self, job_id: str) -> MediaJob:
        """Async twin of :meth:`resume` (a local journal read; no request)."""
        return self.resume(job_id)

    def _track_record(self, job_id: str, kind: str, model: str | None
                      ) -> tuple[JobRecord, bool]:
        """``(row, new)``: a new journal row for a job submitted elsewhere (no POST, no cost),
        or the journal's existing row for this id."""
        if not isinstance(job_id, str) or not job_id.strip():
            raise HubInputError.invalid("job_id", "must be a non-empty job id", job_id,
                                        fix="pass the id the hub returned", hub=self.hub)
        found = self.job(job_id.strip())
        if found is not None:
            return found, False
        model = self.model_for(kind, model)
        dialect = resolve_dialect(self.profile, kind, model)
        if dialect not in DIALECTS:
            raise UnsupportedFeatureError(
                f"{self.profile.display_name} {kind} jobs have no id to poll, so a job "
                "submitted elsewhere cannot be followed", hub=self.hub, capability=kind)
        record, _ = self.journal.begin(
            hub=self.hub, base_url=self.base_url, key_fp=self.key_fp, model=model, kind=kind,
            dialect=dialect, endpoint=f"track:{dialect}", request={"tracked": job_id},
            phase="accepted")
        record = self.journal.update(record.local_id, job_id=job_id.strip(),
                                     note="tracked: submitted elsewhere, not paid through here")
        return record, True

    def _track_flow(self, record: JobRecord) -> Flow[MediaJob]:
        """One poll of a newly tracked job; an id the hub does not show this key is refused."""
        job = job_from_record(self, record)
        try:
            yield from job._poll_flow()
        except HubError as exc:
            if poll_failure_is_transient(exc):
                raise  # the row stays: track or resume it again later
            self.journal.update(record.local_id, phase="rejected", status=None,
                                note=f"tracked id unknown to the hub: {exc}"[:500])
            raise MediaJobError(
                f"{self.profile.display_name} does not show {record.kind} job "
                f"{record.job_id!r} to this key ({exc}); nothing was submitted",
                hub=self.hub, job_id=record.job_id, status="unknown") from exc
        return job

    def track(self, job_id: str, *, kind: str = "video", model: str | None = None) -> MediaJob:
        """Follow a job this journal did not submit (another app, the hub's dashboard).

        Nothing is submitted or paid: the job gets a journal row (no cost) and one poll; the
        hub answers only for its own key's jobs. A job already in the journal is returned as
        :meth:`resume` returns it. ``model`` picks the poll route where the hub has several
        (ChainHub video: ``kling-*`` or ``doubao-seedance-*``; default: the hub's).

        Raises:
            MediaJobError: the hub does not show the id to this key (the row is ``rejected``).
            UnsupportedFeatureError: the hub's jobs of this kind have no id (Electron Hub).
        """
        record, new = self._track_record(job_id, kind, model)
        if not new:
            return self.resume(record.id)
        job: MediaJob = self._run(self._track_flow(record))
        return job

    async def atrack(
        self, job_id: str, *, kind: str = "video", model: str | None = None
    ) -> MediaJob:
        """Async twin of :meth:`track`."""
        record, new = self._track_record(job_id, kind, model)
        if not new:
            return self.resume(record.id)
        job: MediaJob = await self._arun(self._track_flow(record))
        return job
