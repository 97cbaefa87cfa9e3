"""The only package that speaks HTTP (and the only one that imports httpx).

Split along its seams:
- ``types``: ``Timeouts`` and ``HubResponse``, the values adapters see;
- ``pools``: shared pooled clients and their lifecycle (per process, per event loop);
- ``core``: ``Transport``, requests with the retry table, multipart and binary bodies;
- ``streams``: SSE and JSON-lines event streams (chat, held-open video streams);
- ``downloads``: result files streamed to disk, whole or not at all;
- ``logs``: a filter that keeps key-like text out of httpx/httpcore log records.
"""

from __future__ import annotations

from hub_core.transport.core import Transport
from hub_core.transport.downloads import Downloaded, check_download_url, safe_url
from hub_core.transport.streams import AsyncJSONEventStream, JSONEventStream
from hub_core.transport.types import HubResponse, Timeouts

__all__ = [
    "AsyncJSONEventStream",
    "Downloaded",
    "HubResponse",
    "JSONEventStream",
    "Timeouts",
    "Transport",
    "check_download_url",
    "safe_url",
]
