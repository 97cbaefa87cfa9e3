"""Admin API under ``/_emulator``: accounts, ledger, faults, reset (Starlette routes)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import jsonutil
from .dialects import DIALECTS
from .faults import FAULT_FIELDS, Fault
from .state import EmulatorState


def _json(obj: Any, status: int = 200) -> Response:
    return Response(jsonutil.dumps(obj), status, media_type="application/json")


def _state(request: Request) -> EmulatorState:
    state: EmulatorState = request.app.state.emulator
    return state


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    data = jsonutil.loads(raw)
    if not isinstance(data, dict):
        raise ValueError("body must be a JSON object")
    return data


def _hub(value: Any) -> str:
    if value not in DIALECTS:
        raise ValueError(f"unknown hub {value!r}; expected one of {sorted(DIALECTS)}")
    return str(value)


async def health(request: Request) -> Response:
    """Liveness probe (``serve()`` waits on it)."""
    return _json({"ok": True})


async def reset(request: Request) -> Response:
    """Forget every account, user and fault."""
    _state(request).reset()
    return _json({"ok": True})


async def set_account(request: Request) -> Response:
    """``{hub, key, balance?, plan?, cooldown?, rate_window?}`` -> the account's ledger."""
    try:
        data = await _body(request)
        hub = _hub(data.get("hub"))
        key = data.get("key")
        if not isinstance(key, str) or not key:
            raise ValueError("key is required")
        acct = _state(request).set_account(hub, key, balance=data.get("balance"),
                                           plan=data.get("plan"), cooldown=data.get("cooldown"),
                                           rate_window=data.get("rate_window"))
    except (ValueError, KeyError) as exc:
        return _json({"error": f"bad account settings: {exc}"}, 400)
    return _json(acct.snapshot())


async def ledger(request: Request) -> Response:
    """``?hub=&key=`` -> balance, spent, requests, submissions, input/output tokens billed."""
    try:
        hub = _hub(request.query_params.get("hub"))
    except ValueError as exc:
        return _json({"error": str(exc)}, 400)
    key = request.query_params.get("key", "")
    acct = _state(request).account(hub, key)
    return _json({**acct.snapshot(), "input_tokens": acct.input_tokens,
                  "output_tokens": acct.output_tokens})


async def add_fault(request: Request) -> Response:
    """Register a fault rule (fields as in ARCHITECTURE.md §3)."""
    try:
        data = await _body(request)
        unknown = set(data) - FAULT_FIELDS
        if unknown:
            raise ValueError(f"unknown fault fields {sorted(unknown)}")
        if data.get("hub") is not None:
            _hub(data["hub"])
        fault = _state(request).faults.add(Fault(**data))
    except (ValueError, TypeError) as exc:
        return _json({"error": f"bad fault: {exc}"}, 400)
    return _json(fault.as_dict())


async def list_faults(request: Request) -> Response:
    """Faults still pending."""
    return _json(_state(request).faults.pending())


async def clear_faults(request: Request) -> Response:
    """Drop every pending fault."""
    _state(request).faults.clear()
    return _json({"ok": True})


async def config(request: Request) -> Response:
    """``{default_cooldown?, job_seconds?, url_ttl?, result_pad_bytes?, heartbeat_interval?,
    video_framing?}``: server-wide settings; answers all of them."""
    state = _state(request)
    try:
        data = await _body(request)
        cooldown = float(data.pop("default_cooldown", state.default_cooldown))
        state.media.config.update(data)
        state.default_cooldown = cooldown
    except (ValueError, TypeError) as exc:
        return _json({"error": str(exc)}, 400)
    return _json({"default_cooldown": state.default_cooldown, **state.media.config.as_dict()})


ROUTES = [
    Route("/_emulator/health", health, methods=["GET"]),
    Route("/_emulator/reset", reset, methods=["POST"]),
    Route("/_emulator/accounts", set_account, methods=["POST"]),
    Route("/_emulator/ledger", ledger, methods=["GET"]),
    Route("/_emulator/faults", add_fault, methods=["POST"]),
    Route("/_emulator/faults", list_faults, methods=["GET"]),
    Route("/_emulator/faults", clear_faults, methods=["DELETE"]),
    Route("/_emulator/config", config, methods=["POST"]),
]
