"""Video, music, speech and transcription tools (thin over ``HubMedia``)."""

from __future__ import annotations

from typing import Any

from hub_core.media.follow import afollow, follow
from hub_core.media.jobs import MediaJob
from hub_core.media.music import music_dialect
from hub_core.media.options import VideoOptions, video_options
from langchain_hub.tools.base import HubMediaTool, Outcome
from langchain_hub.tools.progress import Progress

__all__ = [
    "HubMusicGenerationTool",
    "HubSpeechTool",
    "HubTranscriptionTool",
    "HubVideoGenerationTool",
]


class _JobTool(HubMediaTool):
    """A tool whose call is a job: submit once, then (``wait=True``) wait with progress."""

    def _finish(self, job: MediaJob, progress: Progress) -> Outcome:
        return follow(job, wait=self.wait, progress=progress.report)

    async def _afinish(self, job: MediaJob, progress: Progress) -> Outcome:
        return await afollow(job, wait=self.wait, progress=progress.areport)



class HubVideoGenerationTool(_JobTool):
    """Make a video from words on an AI hub: submitted once, waited for, saved as an MP4.

    A LangChain ``BaseTool`` over :meth:`hub_core.media.HubMedia.submit_video`. The argument
    schema lists what this hub and model take (TokenHub Seedance 4-15 whole seconds, 480p or
    720p; ChainHub Kling 5 or 10 s; Electron Hub an aspect ratio) and the price per second
    where the profile knows it. With ``wait=False`` the tool returns the job id at once and
    :class:`HubMediaJobTool` finishes it later, without paying again.

    Setup:
        Install ``ai-hubs[langchain]``; export the hub's key (``TOKENHUB_API_KEY`` ...). Video
        exists on TokenHub, ChainHub (Kling, Doubao Seedance) and Electron Hub (one held-open
        stream: keep the process alive until the job ends).

    Key init args:
        hub, model, output_dir, wait (False: return the job id at once), poll_interval,
        timeout (seconds a call waits, 900), show_progress (a tqdm bar), media_blocks,
        raise_errors, api_key, base_url, budget and the client params.

    Instantiate:
        .. code-block:: python

            from langchain_hub.tools import HubVideoGenerationTool

            video = HubVideoGenerationTool(hub="tokenhub", api_key="th-demo", rpm=0,
                                           base_url=emu.base_url("tokenhub"),
                                           output_dir="media-out", poll_interval=0.05)
            video.args["duration"]["description"]  # '... from 4 to 15 ... 0.2 credits per second'

    Invoke (waits, with progress as custom events ``hub_media_progress``):
        .. code-block:: python

            clip = video.invoke({"name": video.name, "id": "v1", "type": "tool_call",
                                 "args": {"prompt": "waves on a beach", "duration": 4,
                                          "resolution": "480p"}})
            clip.artifact["paths"], clip.artifact["cost"]  # (['/.../tsk-..._0.mp4'], 0.48 credits)

    Without blocking:
        .. code-block:: python

            later = HubVideoGenerationTool(hub="tokenhub", api_key="th-demo", rpm=0, wait=False,
                                           base_url=emu.base_url("tokenhub"),
                                           output_dir="media-out", poll_interval=0.05)
            queued = later.invoke({"name": later.name, "id": "v2", "type": "tool_call",
                                   "args": {"prompt": "a fox", "duration": 4}})
            queued.artifact["status"], queued.artifact["job_id"]  # ('queued', 'tsk-...')

    Async:
        .. code-block:: python

            clip = await video.ainvoke({"prompt": "rain on a window", "duration": 4})

    Errors:
        A failed job, a refusal, running out of credits or the wait running out come back as
        a tool error the model can read (the last one names the job id to finish later).
    """

    name: str = "generate_video"
    operation = "video"

    def _options(self) -> VideoOptions:
        return video_options(self.profile, self.model or "")

    def _check_supported(self) -> None:
        self._options()

    def _video_args(self, args: Any) -> dict[str, Any]:
        return {"model": self.model, "duration": args.duration,
                "resolution": getattr(args, "resolution", None),
                "aspect_ratio": args.aspect_ratio}

    def _call(self, args: Any, progress: Progress) -> Outcome:
        return self._finish(self.media.submit_video(args.prompt, **self._video_args(args)),
                            progress)

    async def _acall(self, args: Any, progress: Progress) -> Outcome:
        job = await self.media.asubmit_video(args.prompt, **self._video_args(args))
        return await self._afinish(job, progress)


class HubMusicGenerationTool(_JobTool):
    """Make a song (or an instrumental) from words: ChainHub's Suno, or Electron Hub's music
    route when ``enable_music=True`` (undocumented, gap 13).

    A LangChain ``BaseTool`` over :meth:`hub_core.media.HubMedia.submit_music`; Suno makes two
    tracks per call. ``wait=False`` returns the job id for :class:`HubMediaJobTool`.

    Setup:
        Install ``ai-hubs[langchain]``; export ``CHAINHUB_API_KEY`` (or ``ELECTRONHUB_API_KEY``
        with ``enable_music=True``).

    Key init args:
        hub, model (ChainHub ``chirp-v3-5``), enable_music, output_dir, wait, poll_interval,
        timeout, show_progress, media_blocks, raise_errors, api_key, base_url, budget, ...

    Instantiate:
        .. code-block:: python

            from langchain_hub.tools import HubMusicGenerationTool

            music = HubMusicGenerationTool(hub="chainhub", api_key="sk-demo", rpm=0,
                                           base_url=emu.base_url("chainhub"),
                                           output_dir="media-out", poll_interval=0.05)

    Invoke:
        .. code-block:: python

            song = music.invoke({"name": music.name, "id": "m1", "type": "tool_call",
                                 "args": {"prompt": "a calm piano piece", "instrumental": True}})
            song.artifact["paths"]  # two MP3 files

    Async:
        .. code-block:: python

            song = await music.ainvoke({"prompt": "a sea shanty"})
    """

    name: str = "generate_music"
    operation = "music"

    def _check_supported(self) -> None:
        music_dialect(self.media, self.model or "")

    def _call(self, args: Any, progress: Progress) -> Outcome:
        job = self.media.submit_music(args.prompt, model=self.model,
                                      instrumental=args.instrumental)
        return self._finish(job, progress)

    async def _acall(self, args: Any, progress: Progress) -> Outcome:
        job = await self.media.asubmit_music(args.prompt, model=self.model,
                                             instrumental=args.instrumental)
        return await self._afinish(job, progress)


class HubSpeechTool(HubMediaTool):
    """Speak words aloud: an audio file (mp3 by default) from text, on Electron Hub or ChainHub.

    A LangChain ``BaseTool`` over :meth:`hub_core.media.HubMedia.speech`; the file's type is
    checked against what was asked for.

    Setup:
        Install ``ai-hubs[langchain]``; export ``ELECTRONHUB_API_KEY`` or ``CHAINHUB_API_KEY``.

    Key init args:
        hub, model (``tts-1``, ``gpt-4o-mini-tts``), output_dir, media_blocks (``"all"`` adds
        an audio block), raise_errors, api_key, base_url, budget and the client params.

    Instantiate:
        .. code-block:: python

            from langchain_hub.tools import HubSpeechTool

            speak = HubSpeechTool(hub="electronhub", api_key="ek-demo", rpm=0,
                                  base_url=emu.base_url("electronhub"), output_dir="media-out")
            speak.args["voice"]["anyOf"][0]["enum"][:3]  # ['alloy', 'ash', 'ballad']

    Invoke:
        .. code-block:: python

            said = speak.invoke({"name": speak.name, "id": "s1", "type": "tool_call",
                                 "args": {"prompt": "Your video is ready.", "format": "wav"}})
            said.artifact["mime_types"]  # ['audio/wav']

    Async:
        .. code-block:: python

            said = await speak.ainvoke({"prompt": "Good night.", "voice": "nova"})
    """

    name: str = "text_to_speech"
    operation = "speech"

    def _call(self, args: Any, progress: Progress) -> Outcome:
        return self.media.speech(args.prompt, model=self.model, voice=args.voice,
                                 format=args.format)

    async def _acall(self, args: Any, progress: Progress) -> Outcome:
        return await self.media.aspeech(args.prompt, model=self.model, voice=args.voice,
                                        format=args.format)


class HubTranscriptionTool(HubMediaTool):
    """Write down what an audio file says (Electron Hub and ChainHub ``/audio/transcriptions``).

    A LangChain ``BaseTool`` over :meth:`hub_core.media.HubMedia.transcribe`. The audio must
    be a file inside ``output_dir`` or ``input_dirs`` (the tool uploads only from folders it
    was given) of at most 25 MB. The reply is the transcript text; the artifact has it as
    ``text``.

    Setup:
        Install ``ai-hubs[langchain]``; export ``ELECTRONHUB_API_KEY`` or ``CHAINHUB_API_KEY``.

    Key init args:
        hub, model (``whisper-1``), output_dir, input_dirs, raise_errors, api_key, base_url,
        budget and the client params.

    Instantiate and invoke:
        .. code-block:: python

            from langchain_hub.tools import HubSpeechTool, HubTranscriptionTool

            settings = dict(hub="chainhub", api_key="sk-demo", rpm=0, output_dir="media-out",
                            base_url=emu.base_url("chainhub"))
            spoken = HubSpeechTool(**settings).invoke(
                {"name": "text_to_speech", "id": "t1", "type": "tool_call",
                 "args": {"prompt": "Meet me at noon.", "format": "wav"}})
            listen = HubTranscriptionTool(**settings)
            heard = listen.invoke({"name": listen.name, "id": "t2", "type": "tool_call",
                                   "args": {"audio": spoken.artifact["paths"][0]}})
            heard.artifact["text"]  # 'Meet me at noon.'

    Async:
        .. code-block:: python

            heard = await listen.ainvoke({"audio": spoken.artifact["paths"][0],
                                          "format": "text"})
    """

    name: str = "transcribe_audio"
    operation = "transcription"

    def _call(self, args: Any, progress: Progress) -> Outcome:
        audio = self.readable_path(args.audio, "audio")
        return self.media.transcribe(audio, model=self.model, prompt=args.prompt,
                                     response_format=args.format)

    async def _acall(self, args: Any, progress: Progress) -> Outcome:
        audio = self.readable_path(args.audio, "audio")
        return await self.media.atranscribe(audio, model=self.model, prompt=args.prompt,
                                            response_format=args.format)
