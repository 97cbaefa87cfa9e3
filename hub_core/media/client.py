"""``HubMedia``: images, speech, transcription, music and video on one hub, paid for once.

Built on a :class:`~hub_core.client.HubClient` (same key, base URL, retries, rate limit;
pickles like it; no key in its repr). Every paid call is written to the job journal before it
is sent (see :mod:`hub_core.media.journal`), so ``unfinished()`` and ``resume(job_id)`` work
after a crash (those live in :class:`~hub_core.media.base.MediaBase`). Every operation has an
async twin prefixed ``a``.

Example:
    >>> from hub_core.media import HubMedia
    >>> media = HubMedia("tokenhub", api_key="th-...", output_dir="out")  # doctest: +SKIP
    >>> media.generate_image("a lighthouse at dawn").paths                 # doctest: +SKIP
    (PosixPath('/home/me/out/image-3f9c..._0.png'),)
    >>> job = media.submit_video("waves on a beach", duration=5)          # doctest: +SKIP
    >>> media.resume(job.job_id).wait().paths                             # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from hub_core.media.audio import Transcription, speech_flow, transcribe_flow
from hub_core.media.base import DEFAULT_TIMEOUT, MediaBase
from hub_core.media.images import edit_flow, generate_flow, variations_flow
from hub_core.media.jobs import MediaJob, ProgressCallback
from hub_core.media.music import music_flow
from hub_core.media.results import MediaResult
from hub_core.media.video import (
    aelectronhub_video,
    electronhub_video,
    submit_video_flow,
    video_request,
)

__all__ = ["DEFAULT_TIMEOUT", "HubMedia"]


class HubMedia(MediaBase):
    """Images, speech, transcription, music and video on one hub with one key, paid for once.

    Setup:
        Ships with ``ai-hubs`` (image edits and variations need Pillow: ``ai-hubs[media]``).
        Export the hub's key, e.g. ``export CHAINHUB_API_KEY="sk-..."`` (and
        ``CHAINHUB_BASE_URL`` to point elsewhere, such as the bundled emulator:
        ``ai-hubs emulator``). What each hub offers: ``hub_core.get_hub(name).capabilities``;
        anything else raises ``UnsupportedFeatureError`` before a request.

    Key init args:
        hub: ``"electronhub"``, ``"chainhub"``, ``"apihub"``, ``"tokenhub"`` or a profile.
        api_key, base_url: as for :class:`~hub_core.HubClient` (``<HUB>_API_KEY`` /
            ``<HUB>_BASE_URL``). client: use this HubClient instead (its key and URL win).
        output_dir: where result files go (default ``ai-hubs-media``; made absolute).
        journal: the job journal (default ``<output_dir>/.ai-hubs-jobs.sqlite3``).
        poll_interval: first seconds between polls (default per dialect: 10 s, Suno 5 s),
            backing off x1.5 up to three times that. timeout: seconds ``wait`` waits (900).
        max_download_bytes, enable_music (Electron Hub's undocumented ``/audio/music``),
        budget, and http_timeout, max_retries, default_headers, plan, rpm, proxy, rate_window
        for the client.

    Instantiate:
        .. code-block:: python

            from hub_core.media import HubMedia

            media = HubMedia("chainhub", api_key="sk-demo", base_url=emu.base_url("chainhub"),
                             output_dir="media-out", poll_interval=0.1, rpm=0)

    Images:
        .. code-block:: python

            image = media.generate_image("a lighthouse at dawn", size="1024x1024")
            image.path  # PosixPath('/.../media-out/image-..._0.png'), a complete file
            # edit_image(image.path, "add a boat") and image_variations(...) where the hub has them

    Speech and transcription:
        .. code-block:: python

            speech = media.speech("Hello from the hub", format="wav")
            transcript = media.transcribe(speech.path)
            transcript.text  # 'Hello from the hub'

    Video (a job: submitted once, polled, downloaded):
        .. code-block:: python

            seen = []
            video = media.generate_video("waves on a beach", duration=5,
                                         progress=lambda job: seen.append(job.status))
            video.path, video.mime_types  # (PosixPath('.../..._0.mp4'), ('video/mp4',))

    Music, and resuming a job:
        .. code-block:: python

            job = media.submit_music("a calm piano piece", instrumental=True)  # returns at once
            job.job_id  # recorded in the journal before the POST
            # ... after a crash, in a new process with the same key and output_dir:
            pending = [record.job_id for record in media.unfinished()]
            song = media.resume(job.job_id).wait()  # nothing is submitted again
            song.paths  # one file per track

    Async:
        .. code-block:: python

            dusk = await media.agenerate_image("a lighthouse at dusk")
            clip = await media.asubmit_video("waves at night", duration=5)
            night = await clip.async_wait()

    Budget:
        .. code-block:: python

            from hub_core import Budget, BudgetExceededError

            budget = Budget(max_cost=30, unit="credits")  # Electron Hub: dall-e-3 = 20 a request
            paid = HubMedia("electronhub", api_key="ek-demo", output_dir="media-out",
                            base_url=emu.base_url("electronhub"), rpm=0, budget=budget)
            first = paid.generate_image("a lighthouse", model="dall-e-3")  # first.cost: 20 credits
            try:
                paid.generate_image("a second lighthouse", model="dall-e-3")
            except BudgetExceededError as exc:  # 20 + 20 > 30: refused, nothing sent
                refusal = str(exc)

    Errors:
        ``UnsupportedFeatureError`` (no documented route: nothing sent), ``HubInputError``
        (bad arguments, before a request), ``MediaJobError`` (the hub failed the job; its
        ``reason`` and any ``result``), ``MediaJobTimeout`` (``wait`` gave up; the job keeps
        running, ``resume`` it later), ``DownloadError`` (a file could not be fetched; no
        partial file is left under the final name).

        .. code-block:: python

            from hub_core.errors import UnsupportedFeatureError

            try:
                HubMedia("apihub", api_key="sk-demo", base_url=emu.base_url("apihub")).speech("hi")
            except UnsupportedFeatureError as exc:
                unsupported = str(exc)  # 'apihub: API Hub documents no speech route'
    """

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
