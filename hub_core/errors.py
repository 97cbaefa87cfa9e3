"""Typed errors for every hub dialect, so callers catch one tree instead of parsing bodies.

Each error holds only safe data: the parsed message, the status, the request id and the body with
anything key-like removed. No error ever holds a request, so a pickled or logged error cannot leak
the API key (see ``redact``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hub_core.error_bodies import (
        error_from_payload,
        error_from_response,
        invalid_response,
        mj_status,
    )

__all__ = [
    "AuthenticationError",
    "BadRequestError",
    "BudgetExceededError",
    "DownloadError",
    "HubAPIError",
    "HubCapabilityError",
    "HubConnectionError",
    "HubError",
    "HubInputError",
    "HubTimeoutError",
    "InsufficientCreditsError",
    "MediaFormatError",
    "MediaJobError",
    "MediaJobTimeout",
    "ModelNotFoundError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "StreamError",
    "UnsupportedFeatureError",
    "UpstreamError",
    "error_from_payload",
    "error_from_response",
    "redact",
]

# ---------------------------------------------------------------------------------------------
# Redaction

_KEY_RE = re.compile(
    r"(?:Bearer\s+[^\s\"',;]+)"  # an Authorization value
    r"|(?:\b(?:ek|sk|th|pk|rk)-[A-Za-z0-9_\-]{6,})"  # hub key prefixes
    r"|(?:\beyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*)"  # JWTs (API Hub logins)
)
_SENSITIVE_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "x-api-key", "api-key", "cookie", "set-cookie"}
)
_REDACTED = "[redacted]"


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Remove anything that looks like a key (and the given exact secrets) from ``text``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, _REDACTED)
    return _KEY_RE.sub(_REDACTED, text)


def _redact_obj(obj: Any, secrets: tuple[str, ...]) -> Any:
    """Deep-copy a decoded JSON body with every string redacted."""
    if isinstance(obj, str):
        return redact(obj, secrets)
    if isinstance(obj, Mapping):
        return {
            str(k): (_REDACTED if str(k).lower() in _SENSITIVE_HEADERS else _redact_obj(v, secrets))
            for k, v in obj.items()
        }
    if isinstance(obj, list | tuple):
        return [_redact_obj(v, secrets) for v in obj]
    return obj


def _safe_headers(headers: Mapping[str, str] | None, secrets: tuple[str, ...]) -> dict[str, str]:
    """Lower-case response headers without anything that can carry a credential."""
    if not headers:
        return {}
    return {
        k.lower(): redact(str(v), secrets)
        for k, v in headers.items()
        if k.lower() not in _SENSITIVE_HEADERS
    }


# ---------------------------------------------------------------------------------------------
# The tree


class HubError(Exception):
    """Base of every ai-hubs error; ``hub`` names the hub the call went to."""

    def __init__(self, message: str = "", *, hub: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hub = hub

    def __str__(self) -> str:
        return f"{self.hub}: {self.message}" if self.hub else self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class UnsupportedFeatureError(HubError):
    """The hub has no documented route for this operation (e.g. a balance endpoint).

    Raised before any request, so nothing was sent; ``capability`` names the feature.
    """

    def __init__(
        self, message: str = "", *, hub: str | None = None, capability: str | None = None
    ) -> None:
        super().__init__(message, hub=hub)
        self.capability = capability


class HubInputError(HubError, ValueError):
    """Bad input refused before any request: names the field, the rule, the value and the fix.

    Also a ``ValueError``, so code that validates with ``except ValueError`` keeps working.

    Example:
        >>> str(HubInputError.invalid("n", "must be from 1 to 10", 12, fix="ask for fewer images"))
        'n must be from 1 to 10; got 12. Fix: ask for fewer images'
    """

    def __init__(
        self,
        message: str = "",
        *,
        hub: str | None = None,
        field: str | None = None,
        rule: str | None = None,
        value: Any = None,
    ) -> None:
        super().__init__(message, hub=hub)
        self.field = field
        self.rule = rule
        self.value = value

    @classmethod
    def invalid(
        cls, field: str, rule: str, value: Any, *, fix: str = "", hub: str | None = None
    ) -> HubInputError:
        """The standard message: ``<field> <rule>; got <value>. Fix: <fix>``."""
        shown = repr(value)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        message = f"{field} {rule}; got {shown}"
        if fix:
            message += f". Fix: {fix}"
        kept = redact(value) if isinstance(value, str) else value  # a key pasted by mistake
        return cls(redact(message), hub=hub, field=field, rule=rule, value=kept)


HubCapabilityError = UnsupportedFeatureError
"""Earlier name of :class:`UnsupportedFeatureError`, kept so old imports work."""


class HubAPIError(HubError):
    """The hub answered with an error (an HTTP error status, or a 200 whose body is an error)."""

    def __init__(
        self,
        message: str = "",
        *,
        hub: str | None = None,
        status_code: int = 0,
        body: Any = None,
        request_id: str | None = None,
        headers: Mapping[str, str] | None = None,
        code: str | int | None = None,
        error_type: str | None = None,
        model: str | None = None,
    ) -> None:
        super().__init__(message, hub=hub)
        self.status_code = status_code
        self.body = body
        self.request_id = request_id
        self.headers: dict[str, str] = dict(headers or {})
        self.code = code
        self.error_type = error_type
        self.model = model

    def __str__(self) -> str:
        text = f"{self.status_code} {self.message}".strip()
        return f"{self.hub}: {text}" if self.hub else text


class BadRequestError(HubAPIError):
    """400 / 422: the request itself is wrong; retrying cannot help."""


class AuthenticationError(HubAPIError):
    """401: the key is missing, wrong or expired."""


class InsufficientCreditsError(HubAPIError):
    """Out of credits/quota (402, or a 429/403 that says so); never retried, it never cools down."""

    def __init__(
        self,
        message: str = "",
        *,
        balance: float | None = None,
        affordable_max_tokens: int | None = None,
        required: float | None = None,
        unit: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.balance = balance
        self.affordable_max_tokens = affordable_max_tokens
        self.required = required
        self.unit = unit
        self.fix: str | None = None
        """What to do, when the caller knows better than the default (media: no max_tokens)."""

    def __str__(self) -> str:
        """The hub's words, then what is left and what to do: ``... (balance 3 credits; ...)``."""
        unit = f" {self.unit}" if getattr(self, "unit", None) else ""
        facts = []
        if self.balance is not None:
            facts.append(f"balance {self.balance:g}{unit}")
        if self.required is not None:
            facts.append(f"this call needs {self.required:g}{unit}")
        if self.affordable_max_tokens is not None:
            facts.append(f"you can afford max_tokens={self.affordable_max_tokens}")
        facts.append(getattr(self, "fix", None) or "top up or lower max_tokens")
        return f"{super().__str__()} ({'; '.join(facts)})"


class PermissionDeniedError(HubAPIError):
    """403: the key may not do this (model not allowed, IP key limit, ...)."""


class NotFoundError(HubAPIError):
    """404: the route or resource does not exist."""


class ModelNotFoundError(NotFoundError):
    """404 that names the model: a typo or a model this hub does not carry."""


class RateLimitError(HubAPIError):
    """429 rate limit; ``retry_after`` (seconds) is what the hub asked us to wait, if it said."""

    def __init__(self, message: str = "", *, retry_after: float | None = None, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(HubAPIError):
    """500 (and other 5xx): the hub itself failed."""


class UpstreamError(HubAPIError):
    """502 / 503 / 504: the provider behind the hub failed or is offline."""


class InvalidResponseError(HubAPIError):
    """A success status whose body is not the JSON the call needs: a proxy's HTML page, JSON cut
    short, an empty body.

    ``content_type`` and ``excerpt`` (at most 200 characters, keys removed) say what came;
    ``body`` keeps the whole text (keys removed), so nothing the hub sent is lost. Retried like a
    502 from a broken proxy (calls and polls, never a paid submission). If it persists, something
    between you and the hub answers instead of it: check ``base_url`` and any HTTP(S) proxy.
    """

    def __init__(
        self, message: str = "", *, content_type: str = "", excerpt: str = "", **kwargs: Any
    ) -> None:
        super().__init__(message, **kwargs)
        self.content_type = content_type
        self.excerpt = excerpt


class HubConnectionError(HubError):
    """The connection failed; ``sent`` says whether the request may have reached the hub."""

    def __init__(self, message: str = "", *, hub: str | None = None, sent: bool = False) -> None:
        super().__init__(message, hub=hub)
        self.sent = sent


class HubTimeoutError(HubError):
    """A timeout in one phase: ``connect``, ``read``, ``write`` or ``pool``."""

    def __init__(self, message: str = "", *, hub: str | None = None, phase: str = "read") -> None:
        super().__init__(message, hub=hub)
        self.phase = phase


class StreamError(HubError):
    """A stream broke or carried an error event after it started; keeps what arrived so far.

    ``error`` is the mapped hub error of an error event (also in ``__cause__`` when raised there);
    the chat layer fills ``partial_text`` (the transport only counts events).
    """

    def __init__(
        self,
        message: str = "",
        *,
        hub: str | None = None,
        partial_text: str = "",
        chunks: int = 0,
        error: HubError | None = None,
    ) -> None:
        super().__init__(message, hub=hub)
        self.partial_text = partial_text
        self.chunks = chunks
        self.error = error

    @property
    def status_code(self) -> int | None:
        """Status of the error event, when the stream carried one."""
        return self.error.status_code if isinstance(self.error, HubAPIError) else None


class BudgetExceededError(HubError):
    """The client refused to spend past a budget; raised before anything is sent.

    ``estimated`` is the refused call's worst case (None when its price was unknown),
    ``spent`` / ``reserved`` / ``limit`` the budget's state at the refusal.
    """

    def __init__(
        self,
        message: str = "",
        *,
        hub: str | None = None,
        spent: float = 0.0,
        limit: float = 0.0,
        estimated: float | None = 0.0,
        reserved: float = 0.0,
        model: str | None = None,
    ) -> None:
        super().__init__(message, hub=hub)
        self.spent = spent
        self.limit = limit
        self.estimated = estimated
        self.reserved = reserved
        self.model = model


class MediaJobError(HubError):
    """A media job failed; ``job_id`` lets the caller look it up or resume it.

    ``reason`` is the hub's own failure reason when it gave one; ``result`` holds whatever the
    call did produce (a ``MediaResult`` with URLs or files), so nothing paid for is lost.
    """

    def __init__(
        self,
        message: str = "",
        *,
        hub: str | None = None,
        job_id: str | None = None,
        status: str | None = None,
        body: Any = None,
        reason: str | None = None,
        result: Any = None,
    ) -> None:
        super().__init__(message, hub=hub)
        self.job_id = job_id
        self.status = status
        self.body = body
        self.reason = reason
        self.result = result


class DownloadError(HubError):
    """A result file could not be fetched whole; nothing was left at the final path.

    The job itself is not affected: its URLs stay in the result and the journal, and only the
    download needs retrying. ``url`` has its query string removed (signed URLs carry tokens).
    """

    def __init__(
        self,
        message: str = "",
        *,
        hub: str | None = None,
        url: str | None = None,
        received: int = 0,
        status_code: int | None = None,
        result: Any = None,
    ) -> None:
        super().__init__(message, hub=hub)
        self.url = url
        self.received = received
        self.status_code = status_code
        self.result = result
        """The media result (URLs kept, files that did arrive) when a media call raised this."""


class MediaJobTimeout(MediaJobError):
    """Waiting for a media job took too long; the job may still finish (resume by ``job_id``)."""


class MediaFormatError(MediaJobError):
    """A result is not the format asked for (e.g. WAV bytes for ``format="mp3"``).

    The bytes are kept, saved under the extension of what they really are (``result.paths``),
    never under a misleading one; ``expected`` and ``actual`` are MIME types.
    """

    def __init__(
        self, message: str = "", *, expected: str | None = None, actual: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.expected = expected
        self.actual = actual


# ---------------------------------------------------------------------------------------------
# Parsing bodies

# The parsers need the classes above, so they live in ``hub_core.error_bodies``; they are
# re-exported here on first use (``from hub_core.errors import error_from_response`` works).
_BODY_PARSERS = frozenset(
    {"error_from_payload", "error_from_response", "invalid_response", "mj_status"}
)
__all__ += ["InvalidResponseError", "invalid_response", "mj_status"]


def __getattr__(name: str) -> Any:
    if name in _BODY_PARSERS:
        from hub_core import error_bodies

        return getattr(error_bodies, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
