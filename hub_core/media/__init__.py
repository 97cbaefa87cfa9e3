"""Media on the hubs: images, speech, transcription, music and video, each paid for once.

One module per concern: ``status`` (status words), ``mime`` (types and magic bytes),
``dialects`` (task wire shapes), ``validate`` (input rules), ``journal`` (sqlite job journal),
``spend`` (budget and usage seams), ``submit`` (journal first, POST once), ``effects``
(one flow, sync and async drivers), ``jobs`` (``MediaJob``), ``results`` (``MediaResult``,
files), ``images``, ``audio``, ``music``, ``video``, ``tasks``, ``base`` (settings, journal access,
resume) and the facade ``client`` (``HubMedia``).
Names are imported on first use.

Example:
    >>> from hub_core.media import HubMedia, normalize_status
    >>> normalize_status("SUCCESS")
    'succeeded'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub_core._lazy import lazy_exports

if TYPE_CHECKING:
    from hub_core.media.audio import Transcription
    from hub_core.media.client import HubMedia
    from hub_core.media.dialects import JobState
    from hub_core.media.jobs import MediaJob
    from hub_core.media.journal import JobRecord, Journal
    from hub_core.media.results import MediaResult
    from hub_core.media.status import normalize_status, parse_progress

_EXPORTS: dict[str, str] = {
    "HubMedia": "hub_core.media.client",
    "MediaJob": "hub_core.media.jobs",
    "MediaResult": "hub_core.media.results",
    "JobRecord": "hub_core.media.journal",
    "Journal": "hub_core.media.journal",
    "JobState": "hub_core.media.dialects",
    "Transcription": "hub_core.media.audio",
    "normalize_status": "hub_core.media.status",
    "parse_progress": "hub_core.media.status",
}

__all__ = [
    "HubMedia",
    "JobRecord",
    "JobState",
    "Journal",
    "MediaJob",
    "MediaResult",
    "Transcription",
    "normalize_status",
    "parse_progress",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)
