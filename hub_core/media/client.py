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
    """Media generation on one hub with one key (arguments: see :class:`MediaBase`)."""

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
