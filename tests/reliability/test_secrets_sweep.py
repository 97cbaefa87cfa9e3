"""Secrets sweep: the API key and the API Hub login JWT never show up where they must not.

Across the failures of this suite (error statuses whose bodies echo the key, invalid bodies, a
malformed stream, error events, refused connections, bad input) and every client class: no log
record (DEBUG included), repr, exception (text, attributes, traceback, pickle), LangChain
``dumpd``/``dumps`` or LlamaIndex ``to_dict``/``to_json`` holds them.

Pickled *models and clients* carry the key on purpose (as a ``SecretStr``, so worker processes
can call the hub: DESIGN "objects are picklable"); the test checks that the key is in them only in
that form. The JWT is never pickled (a copy logs in again).
"""

from __future__ import annotations

import asyncio
import logging
import pickle
from collections.abc import Callable
from typing import Any
from uuid import uuid4

import pytest
from langchain_core.load import dumpd, dumps
from llama_index.core.base.llms.types import ChatMessage
from reliab_columns import CHAT_MODEL, EMBED_MODEL, HUB, PROMPT
from secret_probe import assert_error_clean, assert_logs_clean, closed_port

from hub_core import APIHubAccount, HubClient
from hub_core.errors import HubError, HubInputError
from langchain_hub import ChatHub, HubEmbeddings
from llamaindex_hub import HubEmbedding, HubLLM

pytestmark = pytest.mark.usefixtures("short_backoff")


def _faults(key: str) -> list[dict[str, Any]]:
    """Faults whose replies echo the key back, the way careless gateways do."""
    return [
        {"status": 401, "body": {"error": {"message": f"Incorrect API key provided: {key}"}}},
        {"status": 400, "body": {"detail": f"Authorization: Bearer {key} rejected"}},
        {"status": 402, "body": f"key {key} has no credits"},
        {"error_200": 403, "body": {"error": {"message": f"{key} may not use this model"}}},
        {"invalid_body": "html", "count": 2, "body": f"<html><p>Blocked key {key}</p></html>"},
        {"invalid_body": "truncated_json", "count": 2},
        {"status": 503, "count": 2, "headers": {"x-echo": key}},
        {"drop": "before_response", "count": 2},
    ]


STREAM_FAULTS = [
    {"sse": "malformed_line", "after_chunks": 2},
    {"sse": "error_event", "status": 502},
    {"drop": "after_chunks", "after_chunks": 2},
]


def _calls(emu: Any, key: str) -> list[tuple[str, Callable[[], Any]]]:
    """One call through every client class (each built anew, so nothing is cached)."""
    base = emu.base_url(HUB)
    kw = {"api_key": key, "base_url": base, "max_retries": 1, "rpm": 0}
    msgs = [ChatMessage(role="user", content=PROMPT)]
    client = HubClient(HUB, **kw)
    body = {"model": CHAT_MODEL, "messages": [{"role": "user", "content": PROMPT}]}
    return [
        ("chat/completions", lambda: ChatHub(hub=HUB, model=CHAT_MODEL, **kw).invoke(PROMPT)),
        ("chat/completions", lambda: list(ChatHub(hub=HUB, model=CHAT_MODEL, **kw).stream(PROMPT))),
        ("chat/completions", lambda: HubLLM(model=CHAT_MODEL, hub=HUB, **kw).chat(msgs)),
        ("chat/completions", lambda: list(HubLLM(model=CHAT_MODEL, hub=HUB, **kw).stream_chat(msgs))),
        ("chat/completions", lambda: asyncio.run(client.achat(body))),
        ("embeddings", lambda: HubEmbeddings(hub=HUB, model=EMBED_MODEL, **kw).embed_query("a")),
        ("embeddings", lambda: HubEmbedding(EMBED_MODEL, hub=HUB, **kw).get_text_embedding("a")),
    ]


def test_no_key_in_errors_or_logs_across_the_faults(
    hub_emulator: Any, hub_key: Callable[[str], str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    key = hub_key(HUB)
    errors: list[BaseException] = []
    hub_emulator.admin.clear_faults()
    for path, call in _calls(hub_emulator, key):
        faults = _faults(key) + (STREAM_FAULTS if path == "chat/completions" else [])
        for rule in faults:
            hub_emulator.admin.fault(hub=HUB, path=path, **{"count": 1, **rule})
            try:
                call()
            except HubError as exc:
                errors.append(exc)
            hub_emulator.admin.clear_faults()  # a rule a call did not use up must not leak on
    refused = {"api_key": key, "base_url": f"http://127.0.0.1:{closed_port()}/v1",
               "max_retries": 0}
    for make in (lambda: ChatHub(hub=HUB, model=CHAT_MODEL, **refused).invoke("hi"),
                 lambda: HubLLM(model=CHAT_MODEL, hub=HUB, **refused).complete("hi")):
        try:
            make()
        except HubError as exc:
            errors.append(exc)
    with pytest.raises(HubInputError) as bad_input:
        HubClient(HUB, api_key=key, base_url=f"{key}.example:80/v1")
    errors.append(bad_input.value)

    assert len(errors) >= 40  # the faults really failed the calls
    assert sum("[redacted]" in str(err) for err in errors) >= 5  # the bait came back, redacted
    for err in errors:
        assert_error_clean(err, key)
    assert len(caplog.records) > 50  # DEBUG records of httpx, httpcore and our retries
    assert_logs_clean(caplog.records, key)


def test_no_key_in_reprs_serialisations_and_only_secretstr_in_pickles(
    hub_emulator: Any, hub_key: Callable[[str], str]
) -> None:
    key = hub_key(HUB)
    base = hub_emulator.base_url(HUB)
    kw = {"api_key": key, "base_url": base, "rpm": 60}
    lc = ChatHub(hub=HUB, model=CHAT_MODEL, **kw)
    lc_emb = HubEmbeddings(hub=HUB, model=EMBED_MODEL, **kw)
    li = HubLLM(model=CHAT_MODEL, hub=HUB, **kw)
    li_emb = HubEmbedding(EMBED_MODEL, hub=HUB, **kw)
    client = HubClient(HUB, **kw)
    lc.invoke(PROMPT)
    response = client.chat({"model": CHAT_MODEL, "messages": [{"role": "user", "content": "x"}]})
    for obj in (lc, lc_emb, li, li_emb, client, client.transport, client.transport.limiter,
                lc.rate_limiter, li.rate_limiter, response):
        assert key not in repr(obj) and key not in str(obj), type(obj).__name__
    for obj in (client.transport.limiter, response):
        assert key.encode() not in pickle.dumps(obj)
    assert key not in str(dumpd(lc)) and key not in dumps(lc)
    assert key not in str(dumpd(lc_emb)) and key not in dumps(lc_emb)
    assert dumpd(lc)["kwargs"]["api_key"] == {"lc": 1, "type": "secret", "id": ["TOKENHUB_API_KEY"]}
    for li_obj in (li, li_emb):
        assert key not in str(li_obj.to_dict()) and key not in li_obj.to_json()
    for model in (lc, lc_emb, li, li_emb, client):
        copy = pickle.loads(pickle.dumps(model))
        assert key not in repr(copy)
        held = getattr(copy, "api_key", None) or getattr(copy, "_api_key", None)
        assert held is not None and held.get_secret_value() == key  # as a SecretStr only


def test_no_jwt_anywhere(hub_emulator: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    account = APIHubAccount(base_url=hub_emulator.base_url("apihub"), max_retries=0)
    registered = account.register(f"sweep-{uuid4().hex[:8]}@example.com", "s3cret-pw")
    jwt = account._jwt.get_secret_value() if account._jwt is not None else ""
    assert jwt.startswith("eyJ") and registered.api_key is not None
    key = registered.api_key.get_secret_value()
    errors: list[BaseException] = []
    created = account.create_key("sweep")
    listed = account.list_keys()
    hub_emulator.admin.fault(hub="apihub", path="api-keys", status=500,
                             body={"detail": f"token {jwt} expired"})
    try:
        account.list_keys()
    except HubError as exc:
        errors.append(exc)
    try:
        account.deactivate_key("no-such-key")
    except HubError as exc:
        errors.append(exc)
    hub_emulator.admin.clear_faults()
    assert len(errors) == 2
    for err in errors:
        assert_error_clean(err, jwt, key)
    for obj in (account, registered, created, *listed):
        assert jwt not in repr(obj) and key not in repr(obj)
    copy = pickle.dumps(account)
    assert jwt.encode() not in copy
    assert not pickle.loads(copy).logged_in
    assert_logs_clean(caplog.records, jwt, key)
