"""Transport against the emulator over loopback: retry table, limiter, pools, event loops."""

from __future__ import annotations

import asyncio
import pickle
from typing import Any
from uuid import uuid4

import pytest
from secret_probe import closed_port

from hub_core._version import __version__
from hub_core.errors import (
    AuthenticationError,
    BadRequestError,
    HubConnectionError,
    HubTimeoutError,
    InsufficientCreditsError,
    ModelNotFoundError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UpstreamError,
)
from hub_core.transport import HubResponse, Timeouts, Transport

HUB = "tokenhub"
CHAT = {"model": "openai/gpt-4.1", "messages": [{"role": "user", "content": "hello there"}]}


def _key() -> str:
    return f"th-test-{uuid4().hex}"


def _transport(emu: Any, key: str, **kw: Any) -> Transport:
    return Transport(hub=HUB, base_url=emu.base_url(HUB), api_key=key, **kw)


def _statuses(emu: Any, key: str, hub: str = HUB) -> list[int]:
    return [r["status"] for r in emu.admin.ledger(hub, key)["requests"]]


def test_request_sends_auth_user_agent_and_headers(hub_emulator: Any) -> None:
    key = _key()
    t = _transport(hub_emulator, key, default_headers={"X-Default": "d"})
    resp = t.request("POST", "chat/completions", json=CHAT, headers={"X-Extra": "e"})
    assert isinstance(resp, HubResponse)
    assert resp.status_code == 200
    assert resp.json()["choices"][0]["message"]["content"].startswith("You said")
    assert resp.request_id
    sent = hub_emulator.admin.ledger(HUB, key)["requests"][0]["headers"]
    assert sent["user-agent"] == f"ai-hubs/{__version__}"
    assert sent["x-default"] == "d"
    assert sent["x-extra"] == "e"
    t.close()


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504])
def test_retryable_statuses_are_retried(hub_emulator: Any, status: int) -> None:
    key = _key()
    hub_emulator.admin.fault(
        hub=HUB, path="chat/completions", status=status, count=1, headers={"retry-after-ms": "10"}
    )
    resp = _transport(hub_emulator, key).request("POST", "chat/completions", json=CHAT)
    assert resp.status_code == 200
    assert _statuses(hub_emulator, key) == [status, 200]


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (402, InsufficientCreditsError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
    ],
)
def test_client_errors_are_not_retried(hub_emulator: Any, status: int, error: type) -> None:
    key = _key()
    hub_emulator.admin.fault(hub=HUB, path="chat/completions", status=status, count=1)
    with pytest.raises(error) as info:
        _transport(hub_emulator, key).request("POST", "chat/completions", json=CHAT)
    assert info.value.status_code == status
    assert info.value.hub == HUB
    assert _statuses(hub_emulator, key) == [status]


def test_retries_give_up_after_max_retries(hub_emulator: Any) -> None:
    key = _key()
    hub_emulator.admin.fault(
        hub=HUB, path="chat/completions", status=502, count=3, headers={"retry-after-ms": "1"}
    )
    with pytest.raises(UpstreamError):
        _transport(hub_emulator, key, max_retries=2).request("POST", "chat/completions", json=CHAT)
    assert _statuses(hub_emulator, key) == [502, 502, 502]


def test_retry_waits_the_server_delay(hub_emulator: Any) -> None:
    key = _key()
    hub_emulator.admin.fault(
        hub=HUB, path="chat/completions", status=429, count=1, headers={"Retry-After": "1"}
    )
    _transport(hub_emulator, key).request("POST", "chat/completions", json=CHAT)
    first, second = hub_emulator.admin.ledger(HUB, key)["requests"]
    assert (first["status"], second["status"]) == (429, 200)
    assert second["time"] - first["time"] >= 0.9  # server-given delay honoured (ledger clock)


def test_long_server_delay_raises_at_once_and_freezes_limiter(hub_emulator: Any) -> None:
    key = f"ek-test-{uuid4().hex}"
    hub_emulator.admin.fault(
        hub="electronhub",
        path="chat/completions",
        status=429,
        count=1,
        body={
            "error": {
                "message": "Rate limit exceeded. Try again in 180 seconds.",
                "type": "error",
                "code": 429,
            }
        },
    )
    t = Transport(
        hub="electronhub", base_url=hub_emulator.base_url("electronhub"), api_key=key, rpm=1000
    )
    with pytest.raises(RateLimitError) as info:
        t.request("POST", "chat/completions", json={**CHAT, "model": "gpt-4o"})
    assert info.value.retry_after == 180.0
    assert _statuses(hub_emulator, key, "electronhub") == [429]
    assert t.limiter is not None
    assert t.limiter.delay() > 100  # every user of the key now waits for the cooldown


def test_quota_429_is_credits_error_not_retried(hub_emulator: Any) -> None:
    key = _key()
    hub_emulator.admin.fault(
        hub=HUB,
        path="chat/completions",
        status=429,
        count=1,
        body={
            "error": {"message": "You exceeded your current quota", "code": "insufficient_quota"}
        },
    )
    with pytest.raises(InsufficientCreditsError):
        _transport(hub_emulator, key).request("POST", "chat/completions", json=CHAT)
    assert _statuses(hub_emulator, key) == [429]


def test_submit_not_retried_after_the_hub_answered(hub_emulator: Any) -> None:
    key = _key()
    hub_emulator.admin.fault(hub=HUB, path="chat/completions", status=503, count=1)
    with pytest.raises(UpstreamError):
        _transport(hub_emulator, key).request("POST", "chat/completions", json=CHAT, kind="submit")
    assert _statuses(hub_emulator, key) == [503]


def test_submit_retried_on_429_not_accepted(hub_emulator: Any) -> None:
    key = _key()
    hub_emulator.admin.fault(
        hub=HUB, path="chat/completions", status=429, count=1, headers={"retry-after-ms": "10"}
    )
    t = _transport(hub_emulator, key)
    assert t.request("POST", "chat/completions", json=CHAT, kind="submit").status_code == 200
    assert _statuses(hub_emulator, key) == [429, 200]


def test_dropped_connection_retried_for_calls_never_for_submits(hub_emulator: Any) -> None:
    key = _key()
    hub_emulator.admin.fault(hub=HUB, path="chat/completions", drop="before_response", count=1)
    t = _transport(hub_emulator, key, rpm=1000)
    assert t.request("POST", "chat/completions", json=CHAT).status_code == 200
    assert t.limiter is not None
    assert t.limiter.in_window == 2  # each attempt took a limiter slot

    key2 = _key()
    hub_emulator.admin.fault(hub=HUB, path="chat/completions", drop="before_response", count=1)
    t2 = _transport(hub_emulator, key2, rpm=1000)
    with pytest.raises(HubConnectionError) as info:
        t2.request("POST", "chat/completions", json=CHAT, kind="submit")
    assert info.value.sent is True
    assert t2.limiter is not None
    assert t2.limiter.in_window == 1


def test_poll_retried(hub_emulator: Any) -> None:
    key = _key()
    hub_emulator.admin.fault(
        hub=HUB, path="models", status=503, count=2, headers={"retry-after-ms": "1"}
    )
    resp = _transport(hub_emulator, key).request("GET", "models", kind="poll")
    assert resp.json()["data"]
    assert _statuses(hub_emulator, key) == [503, 503, 200]


@pytest.mark.parametrize("kind", ["call", "submit", "poll"])
def test_connection_refused_is_retried_for_every_kind(kind: str) -> None:
    key = _key()
    t = Transport(
        hub=HUB,
        base_url=f"http://127.0.0.1:{closed_port()}/api/v1",
        api_key=key,
        rpm=1000,
        max_retries=1,
    )
    with pytest.raises(HubConnectionError) as info:
        t.request("POST", "chat/completions", json=CHAT, kind=kind)  # type: ignore[arg-type]
    assert info.value.sent is False
    assert info.value.__cause__ is None
    assert info.value.__context__ is None  # nothing that holds the request (and key) is chained
    assert t.limiter is not None
    assert t.limiter.in_window == 2


def test_read_timeout_is_retried_with_phase(hub_emulator: Any) -> None:
    key = _key()
    hub_emulator.admin.fault(hub=HUB, path="chat/completions", delay=0.5, count=1)
    t = _transport(hub_emulator, key, timeout=Timeouts(read=0.1))
    assert t.request("POST", "chat/completions", json=CHAT).status_code == 200

    key2 = _key()
    hub_emulator.admin.fault(hub=HUB, path="chat/completions", delay=0.5, count=1)
    t2 = _transport(hub_emulator, key2, timeout=Timeouts(read=0.1), max_retries=0)
    with pytest.raises(HubTimeoutError) as info:
        t2.request("POST", "chat/completions", json=CHAT)
    assert info.value.phase == "read"


def test_error_200_body_is_an_error(hub_emulator: Any) -> None:
    key = _key()
    hub_emulator.admin.fault(hub=HUB, path="chat/completions", error_200=400, count=1)
    with pytest.raises(BadRequestError) as info:
        _transport(hub_emulator, key).request("POST", "chat/completions", json=CHAT)
    assert info.value.status_code == 200


def test_model_not_found_names_model(hub_emulator: Any) -> None:
    with pytest.raises(ModelNotFoundError) as info:
        _transport(hub_emulator, _key()).request(
            "POST", "chat/completions", json={**CHAT, "model": "nobody/nothing"}
        )
    assert info.value.model == "nobody/nothing"


@pytest.mark.parametrize(
    ("hub", "prefix", "model"),
    [
        ("electronhub", "ek-", "gpt-4o"),
        ("apihub", "sk-", "qwen-max"),
        ("chainhub", "sk-", "gpt-4o"),
        ("tokenhub", "th-", "openai/gpt-4.1"),
    ],
)
def test_out_of_credits_in_every_dialect(
    hub_emulator: Any, hub: str, prefix: str, model: str
) -> None:
    key = f"{prefix}test-{uuid4().hex}"
    hub_emulator.admin.set_account(hub, key, balance=0)
    t = Transport(hub=hub, base_url=hub_emulator.base_url(hub), api_key=key)
    with pytest.raises(InsufficientCreditsError) as info:
        t.request("POST", "chat/completions", json={**CHAT, "model": model})
    assert info.value.message
    assert len(_statuses(hub_emulator, key, hub)) == 1


def test_bad_key_in_each_dialect(hub_emulator: Any) -> None:
    for hub in ("electronhub", "apihub", "chainhub", "tokenhub"):
        t = Transport(hub=hub, base_url=hub_emulator.base_url(hub), api_key="wrong-prefix-key")
        with pytest.raises(AuthenticationError) as info:
            t.request("POST", "chat/completions", json=CHAT)
        assert info.value.message


def test_second_event_loop_gets_a_fresh_async_client(hub_emulator: Any) -> None:
    t = _transport(hub_emulator, _key())

    async def call() -> tuple[int, int]:
        resp = await t.arequest("POST", "chat/completions", json=CHAT)
        chunks = [
            c
            async for c in t.astream_json("POST", "chat/completions", json={**CHAT, "stream": True})
        ]
        return resp.status_code, len(chunks)

    first = asyncio.run(call())
    second = asyncio.run(call())  # a closed loop's client must not be reused
    assert first == second
    assert first[0] == 200
    assert first[1] > 1

    async def close() -> None:
        await t.aclose()

    asyncio.run(close())


def test_clients_are_shared_per_key_and_closed_with_last_user(hub_emulator: Any) -> None:
    key = _key()
    a, b = _transport(hub_emulator, key), _transport(hub_emulator, key)
    other = _transport(hub_emulator, _key())
    a.request("GET", "models")
    b.request("GET", "models")
    other.request("GET", "models")
    assert a._client() is b._client()
    assert a._client() is not other._client()
    client = b._client()
    a.close()
    assert not client.is_closed
    b.close()
    assert client.is_closed
    with _transport(hub_emulator, key) as c:  # a fresh pool after the last one closed
        assert c.request("GET", "models").status_code == 200


def test_transport_pickles_and_rebuilds(hub_emulator: Any) -> None:
    key = _key()
    t = _transport(hub_emulator, key, rpm=1000, max_retries=1)
    t.request("GET", "models")
    copy = pickle.loads(pickle.dumps(t))
    assert copy.request("GET", "models").status_code == 200
    assert copy.max_retries == 1
    assert copy.limiter is not None
    assert copy.limiter.in_window == 2  # same key, same shared window
    resp = pickle.loads(pickle.dumps(copy.request("GET", "models")))
    assert resp.json()["data"]
    assert resp.headers["x-request-id"] == resp.request_id


def test_threads_with_their_own_loops_share_one_transport(hub_emulator: Any) -> None:
    import threading

    t = _transport(hub_emulator, _key())
    results: list[int] = []
    failures: list[BaseException] = []

    def worker() -> None:
        async def calls() -> None:
            for _ in range(3):
                resp = await t.arequest("GET", "models", kind="poll")
                results.append(resp.status_code)

        try:
            asyncio.run(calls())
        except BaseException as exc:  # collected and asserted below
            failures.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert failures == []
    assert results == [200] * 9
