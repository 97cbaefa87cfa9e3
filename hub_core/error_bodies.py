"""Reading error bodies of every hub dialect into the typed errors of :mod:`hub_core.errors`.

Split from ``errors`` (the tree) along its seam: this module knows the dialects (OpenAI error
objects, FastAPI ``detail``, task ``code``/``message``, Midjourney ``description``), the quota and
balance phrases, and what a reply that is not JSON at all becomes. Every name here is also
importable from ``hub_core.errors``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from hub_core.errors import (
    AuthenticationError,
    BadRequestError,
    HubAPIError,
    InsufficientCreditsError,
    InvalidResponseError,
    ModelNotFoundError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    UpstreamError,
    _redact_obj,
    _safe_headers,
    redact,
)
from hub_core.retry import parse_retry_after

__all__ = ["error_from_payload", "error_from_response", "invalid_response", "mj_status"]

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


EXCERPT_CHARS = 200
"""Longest excerpt of an unreadable body shown in an error message."""


def invalid_response(
    status_code: int,
    content: bytes,
    headers: Mapping[str, str] | None,
    *,
    hub: str | None,
    model: str | None = None,
    secrets: Iterable[str] = (),
) -> InvalidResponseError:
    """The error for a success reply whose body is not valid JSON (HTML page, cut-short JSON).

    The message states the status, content type, size and a short redacted excerpt, and what to
    check; ``body`` keeps the whole redacted text.

    Example:
        >>> err = invalid_response(200, b"<html>Bad Gateway</html>", {"content-type": "text/html"},
        ...                        hub="tokenhub")
        >>> err.content_type, err.excerpt
        ('text/html', '<html>Bad Gateway</html>')
    """
    secret_list = tuple(s for s in secrets if s)
    hdrs = _safe_headers(headers, secret_list)
    content_type = hdrs.get("content-type", "")
    text = redact(bytes(content).decode("utf-8", "replace"), secret_list)
    excerpt = text.strip()[:EXCERPT_CHARS]
    shown = f"{content_type or 'no content type'}, {len(content)} bytes"
    what = "an empty body" if not text.strip() else "a body that is not valid JSON"
    message = (
        f"the hub answered {status_code} with {what} ({shown}): {excerpt!r}. Something between "
        "you and the hub (a proxy or gateway) may have answered instead, or cut the reply short; "
        "check base_url and any HTTP(S) proxy, then retry"
    )
    return InvalidResponseError(
        message,
        hub=hub,
        status_code=status_code,
        body=text,
        request_id=hdrs.get("x-request-id") or hdrs.get("request-id"),
        headers=hdrs,
        model=model,
        content_type=content_type,
        excerpt=excerpt,
    )

