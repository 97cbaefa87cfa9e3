"""Typed errors for every hub dialect, so callers catch one tree instead of parsing bodies.

Each error holds only safe data: the parsed message, the status, the request id and the body with
anything key-like removed. No error ever holds a request, so a pickled or logged error cannot leak
the API key (see ``redact``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from hub_core.retry import parse_retry_after

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
        message = f"{field} {rule}; got {redact(shown)}"
        if fix:
            message += f". Fix: {fix}"
        return cls(message, hub=hub, field=field, rule=rule, value=value)


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
        facts.append("top up or lower max_tokens")
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

_QUOTA_RE = re.compile(
    r"quota|credit|balance|afford|billing|payment required|insufficient[ _-]?(?:funds|token)"
    r"|exceeded allocated amount",
    re.IGNORECASE,
)
_NUM = r"\$?\s*([0-9][0-9,]*(?:\.[0-9]+)?)"
_BALANCE_RES = (
    re.compile(r"you have\s+(?:only\s+)?" + _NUM, re.IGNORECASE),
    re.compile(r"balance(?:\s+is|:|\s+of)?\s+" + _NUM, re.IGNORECASE),
    re.compile(r"remaining(?:\s+credits?)?(?:\s+is|:)?\s+" + _NUM, re.IGNORECASE),
)
_UNIT_RE = re.compile(
    r"you have\s+(?:only\s+)?" + _NUM + r"\s*(credits?|tokens?|usd|neutrinos?)\b", re.IGNORECASE
)
_REQUIRED_RES = (
    re.compile(r"\bneeds?\s+(?:up\s+to\s+)?" + _NUM, re.IGNORECASE),
    re.compile(r"\brequires?\s+" + _NUM, re.IGNORECASE),
    re.compile(r"\bcosts?\s+" + _NUM, re.IGNORECASE),
)
_AFFORD_RE = re.compile(r"(?:can\s+only\s+afford|affordable[^0-9]{0,20})\s*([0-9][0-9,]*)", re.I)
_MODEL_MSG_RE = re.compile(
    r"model[^A-Za-z0-9]{0,3}[`'\"]?([A-Za-z0-9][\w.:/\-]*)[`'\"]?\s+(?:does not exist|not found|"
    r"is not (?:available|supported|found))"
    r"|(?:unknown|invalid|no such)\s+model[:\s]+[`'\"]?([A-Za-z0-9][\w.:/\-]*)",
    re.IGNORECASE,
)
_MJ_OK = frozenset({1, 21, 22})
_MJ_STATUS = {3: 404, 4: 400, 9: 500, 23: 429, 24: 400}
_TASK_OK = frozenset({"success", "ok", "succeed", "succeeded", "0", "200"})
_CODE_STATUS = (
    ("insufficient", 402),
    ("quota", 402),
    ("balance", 402),
    ("credit", 402),
    ("rate_limit", 429),
    ("too_many", 429),
    ("invalid_api_key", 401),
    ("unauthorized", 401),
    ("authentication", 401),
    ("permission", 403),
    ("forbidden", 403),
    ("model_not_found", 404),
    ("not_exist", 404),
    ("not_found", 404),
    ("context_length", 400),
    ("invalid", 400),
    ("server_error", 500),
    ("upstream", 502),
    ("overloaded", 503),
    ("unavailable", 503),
    ("timeout", 504),
)


def _num(text: str) -> float | None:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def _first_num(patterns: Iterable[re.Pattern[str]], text: str) -> float | None:
    for pattern in patterns:
        m = pattern.search(text)
        if m:
            return _num(m.group(1))
    return None


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):  # FastAPI validation errors: [{"msg": ...}, ...]
        parts = [_as_text(v.get("msg") if isinstance(v, Mapping) else v) for v in value]
        return "; ".join(p for p in parts if p)
    if isinstance(value, Mapping):
        for key in ("message", "msg", "detail", "description", "error"):
            if value.get(key):
                return _as_text(value[key])
    return "" if value is None else json.dumps(value, default=str)[:500]


def _decode_body(body: bytes | str | Any) -> Any:
    if isinstance(body, bytes | bytearray | memoryview):
        body = bytes(body).decode("utf-8", "replace")
    if isinstance(body, str):
        stripped = body.strip()
        if stripped[:1] in ("{", "["):
            try:
                return json.loads(stripped)
            except ValueError:
                return body
        return body
    return body


def _extract(payload: Any) -> tuple[str, str | int | None, str | None, Mapping[str, Any]]:
    """Message, code, type and the innermost error object, tolerant of every dialect (§2.9)."""
    if not isinstance(payload, Mapping):
        return (_as_text(payload).strip(), None, None, {})
    err = payload.get("error")
    if isinstance(err, Mapping):
        code = err.get("code", payload.get("code"))
        return (_as_text(err), code, _opt_str(err.get("type")), err)
    if isinstance(err, str) and err:
        return (err, payload.get("code"), _opt_str(payload.get("type")), payload)
    for key in ("detail", "message", "msg", "description", "error_msg", "err", "fail_reason"):
        if payload.get(key):
            return (
                _as_text(payload[key]),
                payload.get("code"),
                _opt_str(payload.get("type")),
                payload,
            )
    return ("", payload.get("code"), _opt_str(payload.get("type")), payload)


def _opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _status_from_code(code: str | int | None, err_type: str | None, message: str) -> int | None:
    """An HTTP-like status for a body that only says what went wrong in its code/type/message."""
    if isinstance(code, bool):
        return None
    if isinstance(code, int) and 400 <= code < 600:
        return code
    if isinstance(code, str) and code.isdigit() and 400 <= int(code) < 600:
        return int(code)
    words = " ".join(str(x) for x in (code, err_type) if x).lower()
    for needle, status in _CODE_STATUS:
        if needle in words:
            return status
    if _QUOTA_RE.search(message):
        return 402
    return None


def error_from_response(
    status_code: int,
    body: bytes | str | Any,
    headers: Mapping[str, str] | None = None,
    *,
    hub: str | None,
    model: str | None = None,
    secrets: Iterable[str] = (),
) -> HubAPIError:
    """Map an error reply (status first, then the body) to the right ``HubAPIError`` subclass."""
    secret_list = tuple(s for s in secrets if s)
    payload = _decode_body(body)
    message, code, err_type, inner = _extract(payload)
    status = status_code
    if not 400 <= status < 600:  # a 200 carrying an error: let the body decide the class
        if isinstance(payload, Mapping) and "description" in payload and isinstance(code, int):
            status = mj_status(code) or status
        else:
            status = _status_from_code(code, err_type, message) or status
    message = redact(message or _default_message(status_code), secret_list)
    hdrs = _safe_headers(headers, secret_list)
    kwargs: dict[str, Any] = {
        "hub": hub,
        "status_code": status_code,
        "body": _redact_obj(payload, secret_list),
        "request_id": hdrs.get("x-request-id") or hdrs.get("request-id"),
        "headers": hdrs,
        "code": code if isinstance(code, str | int) and not isinstance(code, bool) else None,
        "error_type": err_type,
        "model": model,
    }
    blob = f"{message} {code or ''} {err_type or ''}"
    if status == 402 or (status in (403, 429) and _QUOTA_RE.search(blob)):
        return _credits_error(message, inner, payload, kwargs)
    if status == 429:
        retry_after = parse_retry_after(hdrs, message)
        return RateLimitError(message, retry_after=retry_after, **kwargs)
    if status in (400, 422):
        return BadRequestError(message, **kwargs)
    if status == 401:
        return AuthenticationError(message, **kwargs)
    if status == 403:
        return PermissionDeniedError(message, **kwargs)
    if status == 404:
        named = _named_model(message, code, model)
        if named is not None:
            kwargs["model"] = named
            return ModelNotFoundError(message, **kwargs)
        return NotFoundError(message, **kwargs)
    if status in (502, 503, 504):
        return UpstreamError(message, **kwargs)
    if status >= 500:
        return ServerError(message, **kwargs)
    return HubAPIError(message, **kwargs)


def _default_message(status: int) -> str:
    return {200: "error in response body", 402: "insufficient credits"}.get(status, "HTTP error")


def _named_model(message: str, code: Any, model: str | None) -> str | None:
    """The model a 404 is about, if the body names one (or says ``model_not_found``)."""
    if model and model in message:
        return model
    m = _MODEL_MSG_RE.search(message)
    if m:
        return m.group(1) or m.group(2)
    if model and ("model" in message.lower() or "model" in str(code).lower()):
        return model
    if isinstance(code, str) and "model" in code.lower():
        return ""
    return None


def _credits_error(
    message: str, inner: Mapping[str, Any], payload: Any, kwargs: dict[str, Any]
) -> InsufficientCreditsError:
    fields: Mapping[str, Any] = inner or (payload if isinstance(payload, Mapping) else {})
    balance = _field_num(fields, ("balance", "credits", "remaining"))
    if balance is None:
        balance = _first_num(_BALANCE_RES, message)
    required = _field_num(fields, ("required", "cost", "needed"))
    if required is None:
        required = _first_num(_REQUIRED_RES, message)
    affordable = _field_num(fields, ("affordable_max_tokens", "max_tokens_affordable"))
    if affordable is None:
        m = _AFFORD_RE.search(message)
        affordable = _num(m.group(1)) if m else None
    stated = _UNIT_RE.search(message)
    unit = stated.group(2).lower() if stated else ("usd" if "$" in message else None)
    return InsufficientCreditsError(
        message,
        balance=balance,
        affordable_max_tokens=int(affordable) if affordable is not None else None,
        required=required,
        unit="USD" if unit == "usd" else unit,
        **kwargs,
    )


def _field_num(fields: Mapping[str, Any], names: Iterable[str]) -> float | None:
    for name in names:
        value = fields.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    return None


def error_from_payload(
    payload: Mapping[str, Any] | Any,
    *,
    hub: str | None,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
    model: str | None = None,
    secrets: Iterable[str] = (),
) -> HubAPIError | None:
    """The error a 2xx body or an SSE event really is, or ``None`` when it is a normal payload.

    Recognised: ``{"error": ...}`` (not on job objects, which report failure in ``status``),
    a bare ``{"detail": ...}``, task ``{"code": "<not success>", "message"|"msg": ...}``,
    Kling ``{"code": <non-zero int>, "message"}`` and Midjourney ``{"code": <int not 1/21/22>,
    "description"}``.
    """
    if not isinstance(payload, Mapping) or not _is_error_payload(payload):
        return None
    return error_from_response(status_code, payload, headers, hub=hub, model=model, secrets=secrets)


def _is_error_payload(payload: Mapping[str, Any]) -> bool:
    err = payload.get("error")
    if err:
        # Job objects (OpenAI videos, Ark tasks) carry their failure next to a status word.
        return not isinstance(payload.get("status"), str)
    if "detail" in payload and not payload.keys() & {"id", "data", "object", "choices"}:
        return bool(payload["detail"])
    if "code" not in payload:
        return False
    code = payload["code"]
    if isinstance(code, bool):
        return False
    if "description" in payload and isinstance(code, int):  # Midjourney proxy
        return code not in _MJ_OK
    if not payload.keys() & {"message", "msg", "data"}:
        return False
    if isinstance(code, int):  # Kling-style: 0 is success
        return code != 0 and not (200 <= code < 300)
    if isinstance(code, str):
        return code.strip().lower() not in _TASK_OK
    return False


def mj_status(code: int) -> int | None:
    """HTTP-like status for a Midjourney-proxy result code (None when it is a success)."""
    return None if code in _MJ_OK else _MJ_STATUS.get(code, 400)
