"""Fault injection over the wire: statuses, drops, broken SSE, odd tool deltas, reasoning forms."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import openai
import pytest

from hub_emulator import Emulator

TWO_TOOLS = [
    {"type": "function", "function": {"name": "get_weather", "parameters": {
        "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}},
    {"type": "function", "function": {"name": "get_time", "parameters": {
        "type": "object", "properties": {"zone": {"type": "string"}}, "required": ["zone"]}}},
]
TOOL_PROMPT = "Use get_weather for 'Paris' and get_time for 'CET'"


def _chat(emu: Emulator, hub: str, key: str, **body: object) -> dict:
    return {"url": f"{emu.base_url(hub)}/chat/completions",
            "headers": {"Authorization": f"Bearer {key}"},
            "json": {"model": "gpt-4o-mini" if hub != "tokenhub" else "openai/gpt-4.1",
                     "messages": [{"role": "user", "content": "hello faults"}], **body}}


def _choices(line: str) -> object:
    data = line[6:]
    return data if data == "[DONE]" else json.loads(data)["choices"]


def _events(emu: Emulator, hub: str, key: str, **body: object) -> list[str]:
    with httpx.stream("POST", **_chat(emu, hub, key, stream=True, **body)) as resp:
        assert resp.status_code == 200
        return [line for line in resp.iter_lines() if line]


def test_status_with_retry_after_then_recovers(hub_emulator: Emulator,
                                               hub_key: Callable[[str], str]) -> None:
    key = hub_key("chainhub")
    hub_emulator.admin.fault(hub="chainhub", path="chat/completions", count=2, status=503,
                             headers={"Retry-After": "0"})
    for _ in range(2):
        resp = httpx.post(**_chat(hub_emulator, "chainhub", key))
        assert resp.status_code == 503 and resp.headers["retry-after"] == "0"
        assert "error" in resp.json()
    assert httpx.post(**_chat(hub_emulator, "chainhub", key)).status_code == 200
    statuses = [r["status"] for r in hub_emulator.admin.ledger("chainhub", key)["requests"]]
    assert statuses == [503, 503, 200]


def test_fault_matches_hub_path_and_method(hub_emulator: Emulator,
                                           hub_key: Callable[[str], str]) -> None:
    key = hub_key("tokenhub")
    hub_emulator.admin.fault(hub="tokenhub", path="embeddings", method="POST", status=500)
    assert httpx.post(**_chat(hub_emulator, "tokenhub", key)).status_code == 200
    emb = httpx.post(f"{hub_emulator.base_url('tokenhub')}/embeddings",
                     headers={"Authorization": f"Bearer {key}"},
                     json={"model": "openai/text-embedding-3-small", "input": "x"})
    assert emb.status_code == 500


def test_openai_sdk_retries_through_a_fault(hub_emulator: Emulator,
                                            hub_key: Callable[[str], str]) -> None:
    hub_emulator.admin.fault(hub="electronhub", path="chat/completions", status=429,
                             headers={"Retry-After": "0"}, body="slow down")
    client = openai.OpenAI(base_url=hub_emulator.base_url("electronhub"),
                           api_key=hub_key("electronhub"), max_retries=1)
    resp = client.chat.completions.create(model="gpt-4o",
                                          messages=[{"role": "user", "content": "x"}])
    assert resp.choices[0].message.content


def test_drop_before_response(hub_emulator: Emulator, hub_key: Callable[[str], str]) -> None:
    hub_emulator.admin.fault(hub="apihub", drop="before_response")
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.post(**_chat(hub_emulator, "apihub", hub_key("apihub"), model="qwen-max"))


def test_drop_after_chunks_in_stream(hub_emulator: Emulator,
                                     hub_key: Callable[[str], str]) -> None:
    hub_emulator.admin.fault(hub="electronhub", drop="after_chunks", after_chunks=3)
    got: list[str] = []
    with pytest.raises(httpx.RemoteProtocolError), httpx.stream(
            "POST", **_chat(hub_emulator, "electronhub", hub_key("electronhub"),
                            stream=True)) as resp:
        for line in resp.iter_lines():
            if line:
                got.append(line)
    assert len(got) == 3


def test_drop_after_chunks_plain_body(hub_emulator: Emulator,
                                      hub_key: Callable[[str], str]) -> None:
    hub_emulator.admin.fault(hub="chainhub", drop="after_chunks")
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.post(**_chat(hub_emulator, "chainhub", hub_key("chainhub")))


@pytest.mark.parametrize("mode", ["malformed_line", "missing_done", "error_event", "heartbeats",
                                  "no_finish", "unknown_event"])
def test_sse_faults(hub_emulator: Emulator, hub_key: Callable[[str], str], mode: str) -> None:
    key = hub_key("tokenhub")
    clean = _events(hub_emulator, "tokenhub", key)
    hub_emulator.admin.fault(hub="tokenhub", sse=mode, status=502 if mode == "error_event" else None)
    lines = _events(hub_emulator, "tokenhub", key)
    datas = [line[6:] for line in lines if line.startswith("data: ")]
    finishes = [d for d in datas if '"finish_reason":"' in d]
    if mode == "malformed_line":
        assert len(datas) == len(clean) + 1
        with pytest.raises(json.JSONDecodeError):
            [json.loads(d) for d in datas if d != "[DONE]"]
    elif mode == "missing_done":
        assert "[DONE]" not in datas and finishes
    elif mode == "error_event":
        last = json.loads(datas[-1])
        assert last["error"]["type"] == "upstream_error" and "[DONE]" not in datas
    elif mode == "unknown_event":
        assert datas[2:4] == ['{"type": "ping", "object": "hub.keepalive"}', "1"]
        kept = [line for line in lines if line.startswith("data: ")]
        del kept[2:4]
        assert [_choices(x) for x in kept] == [_choices(x) for x in clean]
    elif mode == "heartbeats":
        assert any(line.startswith(":") for line in lines)
        kept = [line for line in lines if not line.startswith(":")]
        assert [_choices(x) for x in kept] == [_choices(x) for x in clean]
    else:
        assert not finishes and "[DONE]" not in datas


def test_error_200_plain_and_stream(hub_emulator: Emulator,
                                    hub_key: Callable[[str], str]) -> None:
    key = hub_key("apihub")
    hub_emulator.admin.fault(hub="apihub", count=2, error_200=True, body="upstream said no")
    plain = httpx.post(**_chat(hub_emulator, "apihub", key, model="qwen-max"))
    assert plain.status_code == 200 and plain.json() == {"detail": "upstream said no"}
    streamed = httpx.post(**_chat(hub_emulator, "apihub", key, model="qwen-max", stream=True))
    assert streamed.status_code == 200
    assert streamed.headers["content-type"].startswith("application/json")


def _tool_stream(emu: Emulator, key: str, variant: str) -> list[list[dict]]:
    emu.admin.fault(hub="chainhub", tool_delta=variant)
    lines = _events(emu, "chainhub", key, tools=TWO_TOOLS,
                    messages=[{"role": "user", "content": TOOL_PROMPT}])
    out = []
    for line in lines:
        data = line[6:]
        if data != "[DONE]":
            obj = json.loads(data)
            if obj["choices"] and obj["choices"][0]["delta"].get("tool_calls"):
                out.append(obj["choices"][0]["delta"]["tool_calls"])
    return out


def test_two_tools_called_when_prompt_names_both(hub_emulator: Emulator,
                                                 hub_key: Callable[[str], str]) -> None:
    client = openai.OpenAI(base_url=hub_emulator.base_url("chainhub"), api_key=hub_key("chainhub"))
    msg = client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": TOOL_PROMPT}],
        tools=TWO_TOOLS).choices[0].message  # type: ignore[arg-type]
    calls = [(c.function.name, json.loads(c.function.arguments))  # type: ignore[union-attr]
             for c in msg.tool_calls or []]
    assert calls == [("get_weather", {"city": "Paris"}), ("get_time", {"zone": "CET"})]


@pytest.mark.parametrize("variant", ["no_index", "repeated_index", "empty_continuation_ids",
                                     "object_arguments", "name_with_args",
                                     "two_calls_one_chunk"])
def test_tool_delta_variants(hub_emulator: Emulator, hub_key: Callable[[str], str],
                             variant: str) -> None:
    deltas = _tool_stream(hub_emulator, hub_key("chainhub"), variant)
    flat = [d for group in deltas for d in group]
    heads = [d for d in flat if d.get("function", {}).get("name")]
    assert [h["function"]["name"] for h in heads] == ["get_weather", "get_time"]
    if variant == "no_index":
        assert all("index" not in d for d in flat)
    elif variant == "repeated_index":
        assert [h["index"] for h in heads] == [0, 0] and heads[0]["id"] != heads[1]["id"]
    elif variant == "empty_continuation_ids":
        conts = [d for d in flat if not d.get("function", {}).get("name")]
        assert conts and all(d["id"] == "" for d in conts)
    elif variant == "object_arguments":
        assert [h["function"]["arguments"] for h in heads] == [{"city": "Paris"}, {"zone": "CET"}]
    elif variant == "name_with_args":
        assert all(h["function"]["arguments"] for h in heads)
    else:
        assert len(deltas[0]) == 2


@pytest.mark.parametrize("mode", ["reasoning", "reasoning_content", "reasoning_details",
                                  "think_tags"])
def test_reasoning_override(hub_emulator: Emulator, hub_key: Callable[[str], str],
                            mode: str) -> None:
    key = hub_key("chainhub")
    hub_emulator.admin.fault(hub="chainhub", reasoning=mode)
    msg = httpx.post(**_chat(hub_emulator, "chainhub", key, model="deepseek-reasoner")
                     ).json()["choices"][0]["message"]
    if mode == "think_tags":
        assert msg["content"].startswith("<think>") and "</think>" in msg["content"]
    elif mode == "reasoning_details":
        assert msg["reasoning_details"][0]["type"] == "reasoning.text"
    else:
        assert msg[mode]
        assert {"reasoning", "reasoning_content"} - {mode} - set(msg) == {
            {"reasoning": "reasoning_content", "reasoning_content": "reasoning"}[mode]}


def test_delay_still_answers(hub_emulator: Emulator, hub_key: Callable[[str], str]) -> None:
    hub_emulator.admin.fault(hub="electronhub", delay=0.05)
    assert hub_emulator.admin.faults()[-1]["delay"] == 0.05
    resp = httpx.post(**_chat(hub_emulator, "electronhub", hub_key("electronhub")))
    assert resp.status_code == 200
    assert all(f["hub"] != "electronhub" or f["delay"] != 0.05 for f in hub_emulator.admin.faults())


def test_invalid_body_html_and_truncated_json(hub_emulator: Emulator,
                                              hub_key: Callable[[str], str]) -> None:
    key = hub_key("tokenhub")
    hub_emulator.admin.fault(hub="tokenhub", path="chat/completions", invalid_body="html")
    page = httpx.post(**_chat(hub_emulator, "tokenhub", key))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.text.startswith("<!DOCTYPE html>")
    hub_emulator.admin.fault(hub="tokenhub", path="chat/completions", count=2,
                             invalid_body="truncated_json")
    for stream in (False, True):
        cut = httpx.post(**_chat(hub_emulator, "tokenhub", key, stream=stream))
        assert cut.status_code == 200 and cut.headers["content-type"] == "application/json"
        assert cut.content.startswith(b'{"id":"chatcmpl-')
        with pytest.raises(json.JSONDecodeError):
            cut.json()
    with pytest.raises(Exception, match="invalid_body"):
        hub_emulator.admin.fault(hub="tokenhub", invalid_body="xml")
    statuses = [r["status"] for r in hub_emulator.admin.ledger("tokenhub", key)["requests"]]
    assert statuses == [200, 200, 200]
