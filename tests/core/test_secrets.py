"""The API key never shows up in a repr, log record, exception text or pickled error."""

from __future__ import annotations

import logging
from typing import Any
from uuid import uuid4

import pytest
from secret_probe import closed_port as _closed_port
from secret_probe import error_texts as _texts

from hub_core.errors import HubError
from hub_core.transport import Timeouts, Transport

CHAT = {"model": "openai/gpt-4.1", "messages": [{"role": "user", "content": "hi"}]}


def test_no_key_anywhere(hub_emulator: Any, caplog: pytest.LogCaptureFixture) -> None:
    key = f"th-test-{uuid4().hex}"
    base = hub_emulator.base_url("tokenhub")
    t = Transport(
        hub="tokenhub",
        base_url=base,
        api_key=key,
        rpm=1000,
        max_retries=1,
        timeout=Timeouts(read=0.1),
    )
    errors: list[BaseException] = []
    caplog.set_level(logging.DEBUG)
    faults: list[dict[str, Any]] = [
        {"status": 401, "body": {"error": {"message": f"Incorrect API key provided: {key}"}}},
        {"status": 400, "body": {"detail": f"Authorization: Bearer {key} rejected"}},
        {"status": 503, "count": 2, "headers": {"retry-after-ms": "1"}},
        {"delay": 0.5, "count": 2},
        {"drop": "before_response", "count": 2},
        {"error_200": 402, "body": {"error": {"message": f"key {key} has no credits"}}},
        {"sse": "error_event", "status": 500, "body": f"upstream saw {key}"},
    ]
    for rule in faults:
        rule = {"count": 1, **rule}
        hub_emulator.admin.fault(hub="tokenhub", path="chat/completions", **rule)
        try:
            if "sse" in rule:
                list(t.stream_json("POST", "chat/completions", json={**CHAT, "stream": True}))
            else:
                t.request("POST", "chat/completions", json=CHAT)
        except HubError as exc:
            errors.append(exc)
    refused = Transport(
        hub="tokenhub",
        base_url=f"http://127.0.0.1:{_closed_port()}/api/v1",
        api_key=key,
        max_retries=0,
    )
    try:
        refused.request("GET", "models")
    except HubError as exc:
        errors.append(exc)

    assert len(errors) == len(faults) + 1
    assert any(key in str(rule.get("body", "")) for rule in faults)  # the bait was really sent
    assert sum("[redacted]" in str(err) for err in errors) >= 3  # ...and came back, redacted
    for err in errors:
        for text in _texts(err):
            assert key not in text, type(err).__name__
        for attr in ("error",):
            inner = getattr(err, attr, None)
            if inner is not None:
                for text in _texts(inner):
                    assert key not in text
    assert caplog.records  # retries and httpx requests were logged
    for record in caplog.records:
        assert key not in record.getMessage()
        assert key not in repr(record.__dict__)
    for obj in (t, refused, t.limiter, t.request("GET", "models")):
        assert key not in repr(obj)
        assert key not in str(obj)
