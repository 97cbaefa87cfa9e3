"""Electron Hub video: one request held open with heartbeats, then the result (gap 12), in bare
JSON-line, SSE and mixed framings; failures, exact heartbeat counts, a cut stream."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from media_support import auth, av_info, download, jobs

from hub_emulator import Emulator


def _lines(emu: Emulator, key: str, model: str = "t2v-turbo", **body: Any) -> list[str]:
    payload = {"model": model, "prompt": "a paper boat", "size": "9:16"} | body
    with httpx.stream("POST", f"{emu.base_url('electronhub')}/videos/generations",
                      headers=auth(key) | {"Accept": "text/event-stream"}, json=payload,
                      timeout=30) as resp:
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("text/event-stream")
        return [line for line in resp.iter_lines() if line]


def _event(line: str) -> dict[str, Any]:
    obj: dict[str, Any] = json.loads(line.removeprefix("data: "))
    return obj


@pytest.mark.parametrize("framing", ["bare", "sse", "mixed"])
def test_heartbeats_then_a_playable_video(hub_emulator: Emulator,
                                          hub_key: Callable[[str], str], framing: str) -> None:
    key = hub_key("electronhub")
    hub_emulator.admin.fault(hub="electronhub", path="videos/generations", framing=framing,
                             heartbeats=4)
    lines = _lines(hub_emulator, key)
    events = [_event(line) for line in lines]
    assert [bool(e.get("heartbeat")) for e in events] == [True] * 4 + [False]
    prefixed = [line.startswith("data: ") for line in lines]
    expected = {"bare": [False] * 5, "sse": [True] * 5,
                "mixed": [False, True, False, True, True]}[framing]
    assert prefixed == expected
    info = av_info(download(events[-1]["data"][0]["url"]))
    assert info["codec"] == "h264" and info["size"] == (72, 128)  # 9:16
    assert info["seconds"] == pytest.approx(5.0)
    (job,) = jobs(hub_emulator, "electronhub", key).values()
    assert job["kind"] == "video" and job["status"] == "succeeded" and job["credits"] == 30
    assert job["submits"] == 1 and job["downloads"] == 1


def test_held_open_while_the_job_runs(hub_emulator: Emulator,
                                      hub_key: Callable[[str], str],
                                      emu_settings: Callable[..., Any]) -> None:
    emu_settings(heartbeat_interval=0.05, video_framing="sse")
    hub_emulator.admin.fault(hub="electronhub", path="videos/generations", job_seconds=0.6)
    events = [_event(line) for line in _lines(hub_emulator, hub_key("electronhub"),
                                              model="midjourney-video")]
    beats = [e for e in events if e.get("heartbeat")]
    assert len(beats) >= 2  # the stream stayed open with heartbeats until the job finished
    progress = [b["progress"] for b in beats]
    assert progress == sorted(progress)
    assert events[-1]["model"] == "midjourney-video" and "url" in events[-1]["data"][0]


def test_failure_arrives_as_an_error_event(hub_emulator: Emulator,
                                           hub_key: Callable[[str], str]) -> None:
    key = hub_key("electronhub")
    hub_emulator.admin.fault(hub="electronhub", path="videos/generations",
                             job_fail="content policy violation", heartbeats=1)
    events = [_event(line) for line in _lines(hub_emulator, key)]
    assert events[-1] == {"error": {"message": "content policy violation", "type": "error",
                                    "code": 400}}
    (job,) = jobs(hub_emulator, "electronhub", key).values()
    assert job["status"] == "failed" and job["urls"] == []


def test_cut_stream_keeps_the_paid_job(hub_emulator: Emulator,
                                       hub_key: Callable[[str], str]) -> None:
    key = hub_key("electronhub")
    hub_emulator.admin.fault(hub="electronhub", path="videos/generations", heartbeats=5,
                             drop="after_chunks", after_chunks=2)
    got: list[str] = []
    with pytest.raises(httpx.RemoteProtocolError):
        got.extend(_lines(hub_emulator, key))
    (job,) = jobs(hub_emulator, "electronhub", key).values()
    assert job["submits"] == 1 and job["credits"] == 30


def test_video_rules_and_credits(hub_emulator: Emulator, hub_key: Callable[[str], str]) -> None:
    key = hub_key("electronhub")
    url = f"{hub_emulator.base_url('electronhub')}/videos/generations"
    bad = httpx.post(url, headers=auth(key), json={"model": "t2v-turbo", "prompt": "x",
                                                   "size": "2:1"})
    assert bad.status_code == 400 and "'size' must be one of 16:9" in bad.text
    hub_emulator.admin.set_account("electronhub", key, balance=50)
    poor = httpx.post(url, headers=auth(key), json={"model": "midjourney-video", "prompt": "x"})
    assert poor.status_code == 402
    assert poor.json()["error"]["message"] == ("Insufficient balance. You have 50 credits, "
                                               "this request needs 100.")
    assert jobs(hub_emulator, "electronhub", key) == {}


def _raw_lines(emu: Emulator, key: str, **fault: Any) -> list[str]:
    emu.admin.fault(hub="electronhub", path="videos/generations", heartbeats=4, **fault)
    return _lines(emu, key)


def test_sse_faults_act_after_k_heartbeats(hub_emulator: Emulator,
                                           hub_key: Callable[[str], str]) -> None:
    """``sse=`` faults reach the held-open video stream too (the fault matrix's SSE rows)."""
    malformed = _raw_lines(hub_emulator, hub_key("electronhub"), sse="malformed_line",
                           after_chunks=3)
    assert len(malformed) == 6 and [bool(_event(x).get("heartbeat")) for x in malformed[:3]] \
        == [True] * 3
    with pytest.raises(ValueError):
        json.loads(malformed[3])  # the fourth line is not JSON; the stream then goes on
    assert "url" in _event(malformed[-1])["data"][0]

    unknown = _raw_lines(hub_emulator, hub_key("electronhub"), sse="unknown_event",
                         after_chunks=1)
    assert [_event(x) for x in unknown[1:3]] == [{"type": "ping", "object": "hub.keepalive"}, 1]
    assert "url" in _event(unknown[-1])["data"][0]

    key = hub_key("electronhub")
    failed = _raw_lines(hub_emulator, key, sse="error_event", status=502, after_chunks=2)
    assert len(failed) == 3
    assert _event(failed[-1])["error"]["code"] == 502  # the hub's error object, then the end
    (job,) = jobs(hub_emulator, "electronhub", key).values()
    assert job["status"] == "failed"

    ended = _raw_lines(hub_emulator, hub_key("electronhub"), sse="no_finish", after_chunks=2)
    assert [bool(_event(x).get("heartbeat")) for x in ended] == [True, True]  # no result
    assert hub_emulator.admin.faults() == []


def test_truncated_json_cuts_the_first_event_of_the_stream(
    hub_emulator: Emulator, hub_key: Callable[[str], str]
) -> None:
    key = hub_key("electronhub")
    hub_emulator.admin.fault(hub="electronhub", path="videos/generations",
                             invalid_body="truncated_json")
    resp = httpx.post(f"{hub_emulator.base_url('electronhub')}/videos/generations",
                      headers=auth(key), json={"model": "t2v-turbo", "prompt": "a boat"})
    assert resp.status_code == 200 and resp.headers["content-type"] == "application/json"
    assert resp.content.startswith(b'{"heartbeat":')
    with pytest.raises(ValueError):
        resp.json()
    (job,) = jobs(hub_emulator, "electronhub", key).values()
    assert job["submits"] == 1  # the handler ran: the job was taken and charged
