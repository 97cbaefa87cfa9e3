"""Run the emulator: ``serve()`` in a background thread, the ``Emulator`` handle, admin client."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

import uvicorn

from .app import create_app
from .dialects import HUBS

_BASES = {
    "electronhub": "/electronhub/v1",
    "chainhub": "/chainhub/v1",
    "apihub": "/apihub/v1",
    "tokenhub": "/tokenhub/api/v1",
}
_ROOTS = {"electronhub": "/electronhub", "chainhub": "/chainhub", "apihub": "/apihub",
          "tokenhub": "/tokenhub/api/v1"}
KEY_PREFIXES = {"electronhub": "ek-", "chainhub": "sk-", "apihub": "sk-", "tokenhub": "th-"}


class AdminError(RuntimeError):
    """The admin API refused a request (bad hub, bad fault field, ...)."""


class AdminClient:
    """Calls ``/_emulator/*`` over HTTP, so it works for in-process and separate servers alike."""

    def __init__(self, url: str) -> None:
        self.url = url

    def _call(self, method: str, path: str, payload: Any = None,
              query: dict[str, str] | None = None) -> Any:
        url = f"{self.url}/_emulator/{path}"
        if query:
            url += "?" + urllib.parse.urlencode(query)
        data = json.dumps(payload).encode() if payload is not None else None
        req = urllib.request.Request(url, data=data, method=method,
                                     headers={"content-type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as exc:
            raise AdminError(exc.read().decode(errors="replace")) from None

    def reset(self) -> None:
        """Forget every account, API Hub user and pending fault."""
        self._call("POST", "reset", {})

    def set_account(self, hub: str, key: str, balance: float | None = None,
                    plan: str | int | None = None, cooldown: float | None = None,
                    rate_window: float | None = None) -> dict[str, Any]:
        """Set a key's balance (hub unit), plan (name, RPM int or ``rpm:N``), EH cooldown (s),
        and ``rate_window``: the seconds the plan's rpm counts over (60; smaller in tests)."""
        body = {"hub": hub, "key": key, "balance": balance, "plan": plan, "cooldown": cooldown,
                "rate_window": rate_window}
        result: dict[str, Any] = self._call("POST", "accounts", body)
        return result

    def ledger(self, hub: str, key: str) -> dict[str, Any]:
        """``{"balance", "spent", "plan", "rpm", "requests": [...], "submissions": {job: n},
        "jobs": {job_id: {kind, model, path, status, submits, polls, downloads, credits,
        fail_reason, urls}}, "input_tokens", "output_tokens"}`` (tokens billed so far)."""
        result: dict[str, Any] = self._call("GET", "ledger", query={"hub": hub, "key": key})
        return result

    def fault(self, **rule: Any) -> dict[str, Any]:
        """Inject a fault for the next ``count`` matching requests (fields: see README)."""
        result: dict[str, Any] = self._call("POST", "faults", rule)
        return result

    def faults(self) -> list[dict[str, Any]]:
        """Faults still pending."""
        result: list[dict[str, Any]] = self._call("GET", "faults")
        return result

    def clear_faults(self) -> None:
        """Drop every pending fault."""
        self._call("DELETE", "faults")

    def configure(self, *, default_cooldown: float | None = None,
                  job_seconds: float | None = None, url_ttl: float | None = None,
                  result_pad_bytes: int | None = None, heartbeat_interval: float | None = None,
                  video_framing: str | None = None) -> dict[str, Any]:
        """Server-wide settings; returns all of them. ``default_cooldown``: Electron Hub cooldown
        for accounts created later; media: ``job_seconds`` (queued -> done), ``url_ttl`` (result
        URLs then answer 403), ``result_pad_bytes`` (grow result files), ``heartbeat_interval``
        and ``video_framing`` ("bare" | "sse" | "mixed") of Electron Hub video streams."""
        given = {"default_cooldown": default_cooldown, "job_seconds": job_seconds,
                 "url_ttl": url_ttl, "result_pad_bytes": result_pad_bytes,
                 "heartbeat_interval": heartbeat_interval, "video_framing": video_framing}
        body = {k: v for k, v in given.items() if v is not None}
        result: dict[str, Any] = self._call("POST", "config", body)
        return result


class Emulator:
    """A running emulator: where it listens and how to steer it."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self.admin = AdminClient(self.url)

    def base_url(self, hub: str, variant: str | None = None) -> str:
        """OpenAI-style base URL of ``hub``; Electron Hub variants: v1legacy, v1thinking, root."""
        if hub not in _BASES:
            raise ValueError(f"unknown hub {hub!r}; expected one of {HUBS}")
        if variant is None or variant == "v1":
            return self.url + _BASES[hub]
        if hub != "electronhub":
            raise ValueError("only electronhub has base-URL variants")
        if variant == "root":
            return self.url + "/electronhub"
        if variant not in ("v1legacy", "v1thinking"):
            raise ValueError(f"unknown electronhub variant {variant!r}")
        return f"{self.url}/electronhub/{variant}"

    def root_url(self, hub: str) -> str:
        """Host-root prefix: ChainHub task routes, API Hub account routes."""
        return self.url + _ROOTS[hub]

    def __repr__(self) -> str:
        return f"Emulator(url={self.url!r})"


def _free_socket(host: str, port: int) -> socket.socket:
    # proto must be IPPROTO_TCP: asyncio sets TCP_NODELAY on accepted sockets only then, and
    # without it Nagle + delayed ACK cost ~40 ms per response
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def uvicorn_config(app: Any, host: str, port: int, log_level: str = "warning") -> uvicorn.Config:
    """Settings tuned for many concurrent loopback clients."""
    return uvicorn.Config(app, host=host, port=port, log_level=log_level, access_log=False,
                          lifespan="off", backlog=4096, timeout_keep_alive=60,
                          proxy_headers=False, server_header=False, date_header=False)


@contextlib.contextmanager
def serve(host: str = "127.0.0.1", port: int = 0, *, startup_timeout: float = 20.0
          ) -> Iterator[Emulator]:
    """Start the emulator on a free port in a background thread; stop it on exit."""
    sock = _free_socket(host, port)
    real_port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn_config(create_app(), host, real_port))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]},
                              name="hub-emulator", daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError("hub_emulator failed to start")
        time.sleep(0.01)
    try:
        yield Emulator(f"http://{host}:{real_port}")
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
