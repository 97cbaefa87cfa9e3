"""hub_core errors that are also langchain-core ``ModelError`` subclasses.

Each class inherits from the hub_core error *and* the matching ``langchain_core.exceptions``
class, so ``except InsufficientCreditsError`` and ``except ModelRateLimitError`` both work, and
``is_retryable`` tells ``with_retry`` / ``with_fallbacks`` what to do. A 402 (credits) is a plain
``ModelError`` with ``is_retryable = False``: waiting never refills a balance.
"""

from __future__ import annotations

import re
from typing import Any

from langchain_core.exceptions import (
    ContextOverflowError,
    ModelAPIError,
    ModelAuthenticationError,
    ModelConnectionError,
    ModelError,
    ModelInvalidRequestError,
    ModelPermissionDeniedError,
    ModelRateLimitError,
    ModelTimeoutError,
)
from langchain_core.exceptions import ModelNotFoundError as LCModelNotFoundError

from hub_core import errors as core

__all__ = [
    "HubAuthenticationError",
    "HubBadRequestError",
    "HubBudgetExceededError",
    "HubContextOverflowError",
    "HubInsufficientCreditsError",
    "HubInvalidResponseError",
    "HubModelNotFoundError",
    "HubNotFoundError",
    "HubPermissionDeniedError",
    "HubRateLimitError",
    "HubServerError",
    "HubStreamError",
    "HubUpstreamError",
    "is_retryable",
    "to_langchain_error",
]


def _rebuild(cls: type[BaseException], state: dict[str, Any], args: tuple[Any, ...]) -> Any:
    """Unpickle without calling ``__init__`` (hub_core errors take keyword-only fields)."""
    obj = cls.__new__(cls)
    obj.args = args
    obj.__dict__.update(state)
    return obj


class _Dual:
    """Mixin: pickle by state, since hub_core's keyword-only ``__init__`` cannot rerun from args."""

    def __reduce__(self) -> tuple[Any, ...]:
        exc: BaseException = self  # type: ignore[assignment]
        return (_rebuild, (type(self), dict(exc.__dict__), exc.args))


class HubInsufficientCreditsError(_Dual, core.InsufficientCreditsError, ModelError):
    """402 / quota: out of credits. Never retried (``is_retryable`` is False)."""

    is_retryable = False


class HubAuthenticationError(_Dual, core.AuthenticationError, ModelAuthenticationError):
    """401: bad or missing key."""


class HubPermissionDeniedError(_Dual, core.PermissionDeniedError, ModelPermissionDeniedError):
    """403: the key may not do this."""


class HubModelNotFoundError(_Dual, core.ModelNotFoundError, LCModelNotFoundError):
    """404 naming the model."""


class HubNotFoundError(_Dual, core.NotFoundError, LCModelNotFoundError):
    """404 on a chat route: for a chat model that almost always means the model."""


class HubContextOverflowError(_Dual, core.BadRequestError, ContextOverflowError):
    """400 saying the prompt is longer than the model's context window."""


class HubBadRequestError(_Dual, core.BadRequestError, ModelInvalidRequestError):
    """400 / 422: the request is wrong; retrying cannot help."""


class HubRateLimitError(_Dual, core.RateLimitError, ModelRateLimitError):
    """429 rate limit (not quota); ``retry_after`` says how long the hub wants us to wait."""


class HubServerError(_Dual, core.ServerError, ModelAPIError):
    """500: the hub failed."""


class HubUpstreamError(_Dual, core.UpstreamError, ModelAPIError):
    """502 / 503 / 504: the provider behind the hub failed."""


class HubInvalidResponseError(_Dual, core.InvalidResponseError, ModelAPIError):
    """A 2xx reply that is not valid JSON (a proxy's page, a cut body); retryable like a 502."""


class HubAPIStatusError(_Dual, core.HubAPIError, ModelAPIError):
    """Any other error status."""

    @property
    def is_retryable(self) -> bool:  # type: ignore[override]
        """Only 408/409/5xx-like statuses are worth another try."""
        return self.status_code in (408, 409) or self.status_code >= 500


class HubConnectionFailedError(_Dual, core.HubConnectionError, ModelConnectionError):
    """The hub could not be reached."""


class HubRequestTimeoutError(_Dual, core.HubTimeoutError, ModelTimeoutError):
    """A connect/read/write/pool timeout."""


class HubStreamError(_Dual, core.StreamError, ModelAPIError):
    """A stream broke after it started; ``partial_text`` holds what arrived."""

    @property
    def is_retryable(self) -> bool:  # type: ignore[override]
        """A broken connection is worth retrying; an in-stream error event follows its cause."""
        cause = self.error
        if cause is None:
            return True
        return is_retryable(to_langchain_error(cause))


class HubBudgetExceededError(_Dual, core.BudgetExceededError, ModelError):
    """The client refused to spend past its budget (nothing was sent)."""

    is_retryable = False


class HubGenericError(_Dual, core.HubError, ModelError):
    """Any other hub_core error."""


_CONTEXT_RE = re.compile(
    r"context[_ ]length|context window|maximum context|prompt is too long|too many tokens"
    r"|reduce the length",
    re.IGNORECASE,
)

# Most specific first: the first isinstance match wins.
_MAP: tuple[tuple[type[core.HubError], type[core.HubError]], ...] = (
    (core.InsufficientCreditsError, HubInsufficientCreditsError),
    (core.AuthenticationError, HubAuthenticationError),
    (core.PermissionDeniedError, HubPermissionDeniedError),
    (core.ModelNotFoundError, HubModelNotFoundError),
    (core.NotFoundError, HubNotFoundError),
    (core.RateLimitError, HubRateLimitError),
    (core.UpstreamError, HubUpstreamError),
    (core.ServerError, HubServerError),
    (core.InvalidResponseError, HubInvalidResponseError),
    (core.HubAPIError, HubAPIStatusError),
    (core.HubConnectionError, HubConnectionFailedError),
    (core.HubTimeoutError, HubRequestTimeoutError),
    (core.StreamError, HubStreamError),
    (core.BudgetExceededError, HubBudgetExceededError),
    (core.HubError, HubGenericError),
)


def _target(exc: core.HubError) -> type[core.HubError]:
    if isinstance(exc, core.BadRequestError):
        return HubContextOverflowError if _CONTEXT_RE.search(exc.message) else HubBadRequestError
    for source, target in _MAP:
        if isinstance(exc, source):
            return target
    return HubGenericError


def to_langchain_error(exc: BaseException) -> BaseException:
    """The same error as an instance of its dual (hub_core + langchain-core) class.

    Non-hub errors and errors that already are ``ModelError`` come back unchanged.
    """
    if not isinstance(exc, core.HubError) or isinstance(exc, ModelError):
        return exc
    cls = _target(exc)
    if isinstance(exc, cls):
        return exc
    new = cls.__new__(cls)
    new.args = exc.args
    new.__dict__.update(exc.__dict__)
    new.__cause__ = exc.__cause__
    new.__context__ = exc.__context__
    new.__traceback__ = exc.__traceback__
    if isinstance(new, core.StreamError) and isinstance(new.error, core.HubError):
        new.error = to_langchain_error(new.error)  # type: ignore[assignment]
    return new


def is_retryable(exc: BaseException) -> bool:
    """Whether another attempt may succeed: ``ModelError.is_retryable``, else True."""
    if isinstance(exc, ModelError):
        return bool(exc.is_retryable)
    if isinstance(exc, core.HubError):
        return is_retryable(to_langchain_error(exc))
    return True
