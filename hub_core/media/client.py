"""``HubMedia``: images, speech, transcription, music and video on one hub, paid for once.

Built on a :class:`~hub_core.client.HubClient` (same key, base URL, retries, rate limit;
pickles like it; no key in its repr). Every paid call is written to the job journal before it
is sent (see :mod:`hub_core.media.journal`), so ``unfinished()`` and ``resume(job_id)`` work
after a crash. Every operation has an async twin prefixed ``a``.

Example:
    >>> from hub_core.media import HubMedia
    >>> media = HubMedia("tokenhub", api_key="th-...", output_dir="out")  # doctest: +SKIP
    >>> media.generate_image("a lighthouse at dawn").paths                 # doctest: +SKIP
    (PosixPath('out/image-3f9c..._0.png'),)
    >>> job = media.submit_video("waves on a beach", duration=5)          # doctest: +SKIP
    >>> media.resume(job.job_id).wait().paths                             # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from hub_core.client import HubClient
from hub_core.errors import HubInputError, MediaJobError, UnsupportedFeatureError
from hub_core.hubs import HubProfile
from hub_core.media.audio import Transcription, speech_flow, transcribe_flow
from hub_core.media.effects import Flow, run_async, run_sync
from hub_core.media.images import edit_flow, generate_flow, variations_flow
from hub_core.media.jobs import MediaJob, ProgressCallback, StreamRunner
from hub_core.media.journal import JobRecord, Journal
from hub_core.media.music import music_flow
from hub_core.media.results import MediaResult
from hub_core.media.spend import BudgetLike
from hub_core.media.submit import lost_error
from hub_core.media.tasks import job_from_record
from hub_core.media.video import (
    aelectronhub_video,
    electronhub_video,
    submit_video_flow,
    video_request,
)
from hub_core.ratelimit import key_fingerprint

if TYPE_CHECKING:
    from hub_core.transport import Timeouts

__all__ = ["DEFAULT_TIMEOUT", "HubMedia"]

DEFAULT_TIMEOUT = 900.0
"""Seconds ``wait`` waits by default (gap 9: 15 minutes)."""
JOURNAL_NAME = ".ai-hubs-jobs.sqlite3"


class HubMedia:
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
        http_timeout, max_retries, default_headers, plan, rpm, proxy: for the HubClient.
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
        client: HubClient | None = None,
    ) -> None:
        self.client = client or HubClient(
            hub, api_key=api_key, base_url=base_url, timeout=http_timeout,
            max_retries=max_retries, default_headers=default_headers, plan=plan, rpm=rpm,
            proxy=proxy,
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

    def __enter__(self) -> HubMedia:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> HubMedia:
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
        if model is not None:
            if not isinstance(model, str) or not model.strip():
                raise HubInputError.invalid("model", "must be a non-empty model id", model,
                                            fix="pass None for the hub's default", hub=self.hub)
            return self.profile.normalize_model(model)
        default = self.profile.media_models.get(operation)
        if default is None:
            raise UnsupportedFeatureError(
                f"{self.profile.display_name} has no default model for {operation}; pass "
                "model=", hub=self.hub, capability=operation,
            )
        return default

    def _run(self, flow: Flow[Any]) -> Any:
        return run_sync(self.client.transport, flow)

    async def _arun(self, flow: Flow[Any]) -> Any:
        return await run_async(self.client.transport, flow)

    # -- images -----------------------------------------------------------------------------

    def generate_image(
        self, prompt: str, *, model: str | None = None, n: int = 1, size: str | None = None,
        quality: str | None = None, style: str | None = None, response_format: str = "url",
        enhance_prompt: bool = False,
    ) -> MediaResult:
        """Generate ``n`` images; their files. ``enhance_prompt``: ChainHub only."""
        result: MediaResult = self._run(generate_flow(
            self, prompt, model=model, n=n, size=size, quality=quality, style=style,
            response_format=response_format, enhance_prompt=enhance_prompt))
        return result

    async def agenerate_image(
        self, prompt: str, *, model: str | None = None, n: int = 1, size: str | None = None,
        quality: str | None = None, style: str | None = None, response_format: str = "url",
        enhance_prompt: bool = False,
    ) -> MediaResult:
        """Async twin of :meth:`generate_image`."""
        result: MediaResult = await self._arun(generate_flow(
            self, prompt, model=model, n=n, size=size, quality=quality, style=style,
            response_format=response_format, enhance_prompt=enhance_prompt))
        return result

    def edit_image(
        self, image: Any, prompt: str, *, mask: Any = None, model: str | None = None,
        n: int = 1, size: str | None = None, response_format: str | None = None,
    ) -> MediaResult:
        """Edit an image (path or bytes; optional PNG mask of the same size)."""
        result: MediaResult = self._run(edit_flow(
            self, image, prompt, mask=mask, model=model, n=n, size=size,
            response_format=response_format))
        return result

    async def aedit_image(
        self, image: Any, prompt: str, *, mask: Any = None, model: str | None = None,
        n: int = 1, size: str | None = None, response_format: str | None = None,
    ) -> MediaResult:
        """Async twin of :meth:`edit_image`."""
        result: MediaResult = await self._arun(edit_flow(
            self, image, prompt, mask=mask, model=model, n=n, size=size,
            response_format=response_format))
        return result

    def image_variations(
        self, image: Any, *, model: str | None = None, n: int = 1, size: str | None = None,
        response_format: str | None = None,
    ) -> MediaResult:
        """Variations of a square PNG (Electron Hub)."""
        result: MediaResult = self._run(variations_flow(
            self, image, model=model, n=n, size=size, response_format=response_format))
        return result

    async def aimage_variations(
        self, image: Any, *, model: str | None = None, n: int = 1, size: str | None = None,
        response_format: str | None = None,
    ) -> MediaResult:
        """Async twin of :meth:`image_variations`."""
        result: MediaResult = await self._arun(variations_flow(
            self, image, model=model, n=n, size=size, response_format=response_format))
        return result

    # -- audio ------------------------------------------------------------------------------

    def speech(
        self, text: str, *, model: str | None = None, voice: str | None = None,
        format: str = "mp3", speed: float | None = None, instructions: str | None = None,
    ) -> MediaResult:
        """Text to speech; the audio file (``format``: mp3, opus, aac, flac, wav, pcm)."""
        result: MediaResult = self._run(speech_flow(
            self, text, model=model, voice=voice, fmt=format, speed=speed,
            instructions=instructions))
        return result

    async def aspeech(
        self, text: str, *, model: str | None = None, voice: str | None = None,
        format: str = "mp3", speed: float | None = None, instructions: str | None = None,
    ) -> MediaResult:
        """Async twin of :meth:`speech`."""
        result: MediaResult = await self._arun(speech_flow(
            self, text, model=model, voice=voice, fmt=format, speed=speed,
            instructions=instructions))
        return result

    def transcribe(
        self, file: Any, *, model: str | None = None, language: str | None = None,
        prompt: str | None = None, response_format: str = "json",
        temperature: float | None = None,
    ) -> Transcription:
        """Speech to text (``response_format``: json, text, srt, verbose_json, vtt)."""
        result: Transcription = self._run(transcribe_flow(
            self, file, model=model, language=language, prompt=prompt,
            response_format=response_format, temperature=temperature))
        return result

    async def atranscribe(
        self, file: Any, *, model: str | None = None, language: str | None = None,
        prompt: str | None = None, response_format: str = "json",
        temperature: float | None = None,
    ) -> Transcription:
        """Async twin of :meth:`transcribe`."""
        result: Transcription = await self._arun(transcribe_flow(
            self, file, model=model, language=language, prompt=prompt,
            response_format=response_format, temperature=temperature))
        return result

    # -- video ------------------------------------------------------------------------------

    def submit_video(
        self, prompt: str, *, model: str | None = None, duration: float | None = None,
        resolution: str | None = None, aspect_ratio: str | None = None, force: bool = False,
    ) -> MediaJob:
        """Submit a video job once and return it at once (an identical running job is joined
        unless ``force=True``)."""
        req = video_request(self, prompt, model=model, duration=duration,
                            resolution=resolution, aspect_ratio=aspect_ratio, force=force)
        if req.dialect == "electronhub-video":
            return electronhub_video(self, req)
        job: MediaJob = self._run(submit_video_flow(self, req))
        return job

    async def asubmit_video(
        self, prompt: str, *, model: str | None = None, duration: float | None = None,
        resolution: str | None = None, aspect_ratio: str | None = None, force: bool = False,
    ) -> MediaJob:
        """Async twin of :meth:`submit_video`."""
        req = video_request(self, prompt, model=model, duration=duration,
                            resolution=resolution, aspect_ratio=aspect_ratio, force=force)
        if req.dialect == "electronhub-video":
            return await aelectronhub_video(self, req)
        job: MediaJob = await self._arun(submit_video_flow(self, req))
        return job

    def generate_video(
        self, prompt: str, *, model: str | None = None, duration: float | None = None,
        resolution: str | None = None, aspect_ratio: str | None = None, force: bool = False,
        progress: ProgressCallback | None = None, timeout: float | None = None,
    ) -> MediaResult:
        """Submit, wait and download: the video file."""
        job = self.submit_video(prompt, model=model, duration=duration, resolution=resolution,
                                aspect_ratio=aspect_ratio, force=force)
        return job.wait(progress=progress, timeout=timeout)

    async def agenerate_video(
        self, prompt: str, *, model: str | None = None, duration: float | None = None,
        resolution: str | None = None, aspect_ratio: str | None = None, force: bool = False,
        progress: ProgressCallback | None = None, timeout: float | None = None,
    ) -> MediaResult:
        """Async twin of :meth:`generate_video`."""
        job = await self.asubmit_video(prompt, model=model, duration=duration,
                                       resolution=resolution, aspect_ratio=aspect_ratio,
                                       force=force)
        return await job.async_wait(progress=progress, timeout=timeout)

    # -- music ------------------------------------------------------------------------------

    def submit_music(
        self, prompt: str, *, model: str | None = None, instrumental: bool = False,
        lyrics: str | None = None, title: str | None = None, tags: str | None = None,
        force: bool = False,
    ) -> MediaJob:
        """Submit a song once and return the job (``lyrics``: Suno custom mode)."""
        job: MediaJob = self._run(music_flow(
            self, prompt, model=model, instrumental=instrumental, lyrics=lyrics, title=title,
            tags=tags, force=force))
        return job

    async def asubmit_music(
        self, prompt: str, *, model: str | None = None, instrumental: bool = False,
        lyrics: str | None = None, title: str | None = None, tags: str | None = None,
        force: bool = False,
    ) -> MediaJob:
        """Async twin of :meth:`submit_music`."""
        job: MediaJob = await self._arun(music_flow(
            self, prompt, model=model, instrumental=instrumental, lyrics=lyrics, title=title,
            tags=tags, force=force))
        return job

    def generate_music(
        self, prompt: str, *, model: str | None = None, instrumental: bool = False,
        lyrics: str | None = None, title: str | None = None, tags: str | None = None,
        force: bool = False, progress: ProgressCallback | None = None,
        timeout: float | None = None,
    ) -> MediaResult:
        """Submit, wait and download: the audio file(s)."""
        job = self.submit_music(prompt, model=model, instrumental=instrumental, lyrics=lyrics,
                                title=title, tags=tags, force=force)
        return job.wait(progress=progress, timeout=timeout)

    async def agenerate_music(
        self, prompt: str, *, model: str | None = None, instrumental: bool = False,
        lyrics: str | None = None, title: str | None = None, tags: str | None = None,
        force: bool = False, progress: ProgressCallback | None = None,
        timeout: float | None = None,
    ) -> MediaResult:
        """Async twin of :meth:`generate_music`."""
        job = await self.asubmit_music(prompt, model=model, instrumental=instrumental,
                                       lyrics=lyrics, title=title, tags=tags, force=force)
        return await job.async_wait(progress=progress, timeout=timeout)

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
