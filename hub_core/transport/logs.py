"""Keeps keys out of the HTTP libraries' own log records.

httpcore's DEBUG traces print whole response headers (``receive_response_headers.complete
return_value=(..., [(b'x-echo', b'<key>')])``), so a gateway that echoes the key in a header would
put it in the user's logs. A filter on those loggers removes anything key-like first
(:func:`hub_core.errors.redact`). It runs only for records that are emitted (httpcore builds its
trace messages only when DEBUG is on), so it costs nothing otherwise.
"""

from __future__ import annotations

import logging

from hub_core.errors import redact

__all__ = ["HTTP_LOGGERS", "RedactingFilter", "install_log_filters"]

HTTP_LOGGERS = (
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)
"""Loggers of httpx and httpcore (a filter on a parent logger would not see their records)."""


class RedactingFilter(logging.Filter):
    """Rewrites a record whose message holds anything key-like; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


_FILTER = RedactingFilter()


def install_log_filters() -> None:
    """Attach the filter to every HTTP library logger (idempotent)."""
    for name in HTTP_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
