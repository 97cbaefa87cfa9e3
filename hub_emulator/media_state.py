"""What the emulator remembers about media: settings, jobs (status over time), served files, and
the text of speech it produced (so transcribing it gives the text back)."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field, fields
from typing import Any

from .faults import FRAMINGS

QUEUED_SHARE = 0.25  # the first quarter of a job's time it is queued, then running
MAX_FILES = 20_000
MAX_TRANSCRIPTS = 2_000


@dataclass
class MediaConfig:
    """Server-wide media settings (``admin.configure(...)``)."""

    job_seconds: float = 0.3  # queued -> running -> done; sub-second so tests stay fast
    url_ttl: float = 3600.0  # result URLs answer 403 after this many seconds
    result_pad_bytes: int = 0  # grow every published result file by this many bytes
    heartbeat_interval: float = 0.1  # Electron Hub video: seconds between heartbeats
    video_framing: str = "bare"  # Electron Hub video events: bare JSON lines, sse, or mixed

    def update(self, values: dict[str, Any]) -> None:
        """Apply ``values`` after checking every one (nothing changes on a bad value)."""
        known = {f.name: f.type for f in fields(self)}
        unknown = set(values) - set(known)
        if unknown:
            raise ValueError(f"unknown media settings {sorted(unknown)}")
        checked: dict[str, Any] = {}
        for name, value in values.items():
            if name == "video_framing":
                if value not in FRAMINGS:
                    raise ValueError(f"video_framing must be one of {FRAMINGS}, got {value!r}")
                checked[name] = value
            elif name == "result_pad_bytes":
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise ValueError(f"result_pad_bytes must be an int >= 0, got {value!r}")
                checked[name] = value
            else:
                number = float(value)
                if number < 0 or number != number:
                    raise ValueError(f"{name} must be a number >= 0, got {value!r}")
                checked[name] = number
        for name, value in checked.items():
            setattr(self, name, value)

    def as_dict(self) -> dict[str, Any]:
        """JSON form for the admin API."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass
class MediaJob:
    """One paid media submission; async ones move queued -> running -> succeeded|failed."""

    id: str
    hub: str
    kind: str  # image | speech | transcription | music | video
    model: str
    path: str
    credits: float
    seconds: float  # how long the job takes (0 for sync media)
    fail_reason: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    urls: list[str] = field(default_factory=list)
    polls: int = 0
    downloads: int = 0
    submits: int = 1
    created: float = field(default_factory=time.monotonic)
    created_at: float = field(default_factory=time.time)

    def elapsed(self, now: float | None = None) -> float:
        """Seconds since submission."""
        return (time.monotonic() if now is None else now) - self.created

    def status(self, now: float | None = None) -> str:
        """``queued``, ``running``, ``succeeded`` or ``failed`` at ``now``."""
        elapsed = self.elapsed(now)
        if elapsed >= self.seconds:
            return "failed" if self.fail_reason else "succeeded"
        return "queued" if elapsed < self.seconds * QUEUED_SHARE else "running"

    def progress(self, now: float | None = None) -> float:
        """0..1; 1 once the job is done (failed jobs stop where they failed)."""
        if self.seconds <= 0:
            return 1.0
        share = min(1.0, self.elapsed(now) / self.seconds)
        return 0.9 * share if self.fail_reason else share

    def event_time(self, share: float) -> int:
        """Epoch seconds at ``share`` of the job's time (start = QUEUED_SHARE, finish = 1)."""
        return int(self.created_at + self.seconds * share)

    def row(self) -> dict[str, Any]:
        """The ledger view."""
        return {"kind": self.kind, "model": self.model, "path": self.path,
                "status": self.status(), "submits": self.submits, "polls": self.polls,
                "downloads": self.downloads, "credits": self.credits,
                "fail_reason": self.fail_reason, "urls": list(self.urls)}


@dataclass
class FileEntry:
    """A result file the emulator serves at ``/_files/{token}/{name}``."""

    token: str
    name: str
    data: bytes
    content_type: str
    hub: str
    job: MediaJob | None
    expires: float  # monotonic deadline
    pad: int = 0  # extra bytes streamed after (mp4: inside a ``free`` box), never held in memory

    @property
    def size(self) -> int:
        """Bytes on the wire."""
        return len(self.data) + self.pad


class MediaState:
    """Per-server media memory; ``reset()`` forgets jobs and files but keeps the settings."""

    def __init__(self) -> None:
        self.config = MediaConfig()
        self.files: dict[str, FileEntry] = {}
        self.transcripts: dict[str, str] = {}

    def reset(self) -> None:
        """Forget files and remembered speech."""
        self.files.clear()
        self.transcripts.clear()

    def add_file(self, entry: FileEntry) -> None:
        """Serve ``entry``; the oldest files are forgotten past ``MAX_FILES``."""
        self.files[entry.token] = entry
        while len(self.files) > MAX_FILES:
            del self.files[next(iter(self.files))]

    def hub_of_file(self, path: str) -> str | None:
        """The hub that published the file at ``/_files/{token}/...`` (for faults and logs)."""
        parts = path.split("/")
        entry = self.files.get(parts[2]) if len(parts) > 3 else None
        return entry.hub if entry is not None else None

    def remember_speech(self, audio: bytes, text: str) -> None:
        """Remember which text an audio file says."""
        self.transcripts[hashlib.sha256(audio).hexdigest()] = text
        while len(self.transcripts) > MAX_TRANSCRIPTS:
            del self.transcripts[next(iter(self.transcripts))]

    def spoken_text(self, audio: bytes) -> str | None:
        """The text of audio this emulator produced, if it did."""
        return self.transcripts.get(hashlib.sha256(audio).hexdigest())
