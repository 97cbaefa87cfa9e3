"""Async job dialects over HTTP: TokenHub video, ChainHub Suno, Kling and Seedance. Lifecycle,
failure reasons, failed polls, a submit whose reply is lost, billing, unknown ids."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from media_support import auth, av_info, download, jobs, poll_statuses

from hub_emulator import Emulator


@dataclass(frozen=True)
class Dialect:
    """How one task API is submitted, polled and read."""

    name: str
    hub: str
    submit_path: str  # relative to the base ("api") or the root
    api: bool
    body: dict[str, Any]
    job_id: Callable[[dict], str]
    poll_path: str  # with {id}
    status: Callable[[dict], str]
    lifecycle: tuple[tuple[str, ...], ...]  # allowed words per phase: waiting, working, done
    failed: str
    url: Callable[[dict], str]
    reason: Callable[[dict], str]
    kind: str
    credits: float
    seconds: float  # the result file's duration

    def url_of(self, emu: Emulator, path: str) -> str:
        return f"{emu.base_url(self.hub) if self.api else emu.root_url(self.hub)}/{path}"

    def submit(self, emu: Emulator, key: str) -> httpx.Response:
        return httpx.post(self.url_of(emu, self.submit_path), headers=auth(key), json=self.body,
                          timeout=30)

    def poll(self, emu: Emulator, key: str, job_id: str) -> httpx.Response:
        return httpx.get(self.url_of(emu, self.poll_path.format(id=job_id)), headers=auth(key),
                         timeout=30)


DIALECTS = [
    Dialect("tokenhub", "tokenhub", "videos/generations", True,
            {"model": "bytedance/doubao-seedance-2.0", "prompt": "a kite", "duration": 5},
            lambda r: r["id"], "videos/generations/{id}", lambda r: r["status"],
            (("queued",), ("running",), ("succeeded",)), "failed",
            lambda r: r["data"][0]["video_url"], lambda r: r["error"]["message"],
            "video", 1.0, 5.0),
    Dialect("suno", "chainhub", "suno/submit/music", False,
            {"mv": "chirp-v3-5", "gpt_description_prompt": "sea shanty"},
            lambda r: r["data"], "suno/fetch/{id}", lambda r: r["data"]["status"],
            (("NOT_START", "SUBMITTED", "QUEUED"), ("IN_PROGRESS",), ("SUCCESS",)), "FAILURE",
            lambda r: r["data"]["data"][0]["audio_url"], lambda r: r["data"]["fail_reason"],
            "music", 0.1, 4.0),
    Dialect("kling", "chainhub", "kling/v1/videos/text2video", False,
            {"model_name": "kling-v2-master", "prompt": "a dog surfing", "duration": "5"},
            lambda r: r["data"]["task_id"], "kling/v1/videos/text2video/{id}",
            lambda r: r["data"]["task_status"], (("submitted",), ("processing",), ("succeed",)),
            "failed", lambda r: r["data"]["task_result"]["videos"][0]["url"],
            lambda r: r["data"]["task_status_msg"], "video", 1.4, 5.0),
    Dialect("seedance", "chainhub", "volc/v1/contents/generations/tasks", False,
            {"model": "doubao-seedance-1-0-pro-fast-251015",
             "content": [{"type": "text", "text": "a bird --ratio 9:16 --dur 3"}]},
            lambda r: r["id"], "volc/v1/contents/generations/tasks/{id}", lambda r: r["status"],
            (("queued",), ("running",), ("succeeded",)), "failed",
            lambda r: r["content"]["video_url"], lambda r: r["error"]["message"], "video",
            0.24, 3.0),
]


@pytest.fixture(params=DIALECTS, ids=[d.name for d in DIALECTS])
def dialect(request: pytest.FixtureRequest) -> Dialect:
    return request.param  # type: ignore[no-any-return]


def _done(d: Dialect) -> tuple[str, ...]:
    return (*d.lifecycle[2], d.failed)


def test_lifecycle_result_file_and_ledger(hub_emulator: Emulator,
                                          hub_key: Callable[[str], str], dialect: Dialect) -> None:
    key = hub_key(dialect.hub)
    hub_emulator.admin.fault(hub=dialect.hub, path=dialect.submit_path, job_seconds=2.0)
    resp = dialect.submit(hub_emulator, key)
    assert resp.status_code == 200, resp.text
    job_id = dialect.job_id(resp.json())
    seen, last = poll_statuses(lambda: dialect.poll(hub_emulator, key, job_id).json(),
                               dialect.status, _done(dialect))
    phases = [next(i for i, words in enumerate(dialect.lifecycle) if s in words) for s in seen]
    assert phases[0] == 0 and phases[-1] == 2 and 1 in phases
    assert phases == sorted(phases)  # never backwards
    data = download(dialect.url(last))
    info = av_info(data)
    assert info["seconds"] == pytest.approx(dialect.seconds, abs=0.1)
    assert info["codec"] == "h264" if dialect.kind == "video" else info["format"] == "mp3"
    ledger = hub_emulator.admin.ledger(dialect.hub, key)
    assert list(ledger["jobs"]) == [job_id] and ledger["submissions"] == {job_id: 1}
    job = ledger["jobs"][job_id]
    assert job["kind"] == dialect.kind and job["status"] == "succeeded"
    assert job["submits"] == 1 and job["polls"] == len(
        [r for r in ledger["requests"] if r["method"] == "GET"])
    assert job["downloads"] == 1
    assert job["credits"] == pytest.approx(dialect.credits)
    assert ledger["spent"] == pytest.approx(dialect.credits)


def test_job_fail_reports_the_reason(hub_emulator: Emulator, hub_key: Callable[[str], str],
                                     dialect: Dialect) -> None:
    key = hub_key(dialect.hub)
    hub_emulator.admin.fault(hub=dialect.hub, path=dialect.submit_path,
                             job_fail="content policy violation")
    job_id = dialect.job_id(dialect.submit(hub_emulator, key).json())
    seen, last = poll_statuses(lambda: dialect.poll(hub_emulator, key, job_id).json(),
                               dialect.status, _done(dialect))
    assert seen[-1] == dialect.failed
    assert dialect.reason(last) == "content policy violation"
    job = jobs(hub_emulator, dialect.hub, key)[job_id]
    assert job["status"] == "failed" and job["fail_reason"] == "content policy violation"
    assert job["urls"] == []


def test_failed_polls_then_success_after_one_submit(hub_emulator: Emulator,
                                                    hub_key: Callable[[str], str],
                                                    dialect: Dialect) -> None:
    key = hub_key(dialect.hub)
    job_id = dialect.job_id(dialect.submit(hub_emulator, key).json())
    poll_path = dialect.poll_path.format(id=job_id)
    hub_emulator.admin.fault(hub=dialect.hub, path=poll_path, status=503, count=2)
    hub_emulator.admin.fault(hub=dialect.hub, path=poll_path, drop="before_response")
    assert [dialect.poll(hub_emulator, key, job_id).status_code for _ in range(2)] == [503, 503]
    with pytest.raises(httpx.RemoteProtocolError):
        dialect.poll(hub_emulator, key, job_id)
    _, last = poll_statuses(lambda: dialect.poll(hub_emulator, key, job_id).json(),
                            dialect.status, _done(dialect))
    assert dialect.status(last) in dialect.lifecycle[2]
    job = jobs(hub_emulator, dialect.hub, key)[job_id]
    assert job["submits"] == 1 and job["status"] == "succeeded"


def test_submit_reply_dropped_after_accept(hub_emulator: Emulator,
                                           hub_key: Callable[[str], str],
                                           dialect: Dialect) -> None:
    key = hub_key(dialect.hub)
    hub_emulator.admin.fault(hub=dialect.hub, path=dialect.submit_path, drop="after_accept")
    with pytest.raises(httpx.RemoteProtocolError):
        dialect.submit(hub_emulator, key)
    ledger = hub_emulator.admin.ledger(dialect.hub, key)
    (job_id,) = ledger["jobs"]  # the job exists, was charged, and was submitted once
    assert ledger["jobs"][job_id]["submits"] == 1
    assert ledger["spent"] == pytest.approx(dialect.credits)
    _, last = poll_statuses(lambda: dialect.poll(hub_emulator, key, job_id).json(),
                            dialect.status, _done(dialect))
    assert dialect.status(last) in dialect.lifecycle[2]  # resumable by id


def test_insufficient_credits_creates_no_job(hub_emulator: Emulator,
                                             hub_key: Callable[[str], str],
                                             dialect: Dialect) -> None:
    key = hub_key(dialect.hub)
    hub_emulator.admin.set_account(dialect.hub, key, balance=dialect.credits / 2)
    resp = dialect.submit(hub_emulator, key)
    assert resp.status_code == 402
    body = resp.json()
    message = body["error"]["message"] if "error" in body else body["message"]
    assert f"costs {dialect.credits:g} credits" in message
    if dialect.hub == "chainhub":  # task routes answer in the relay shape
        assert body == {"code": "insufficient_credits", "message": message, "data": None}
    assert jobs(hub_emulator, dialect.hub, key) == {}


def test_unknown_job_id(hub_emulator: Emulator, hub_key: Callable[[str], str],
                        dialect: Dialect) -> None:
    key = hub_key(dialect.hub)
    other = hub_key(dialect.hub)
    job_id = dialect.job_id(dialect.submit(hub_emulator, other).json())
    for probe in ("no-such-task", job_id):  # another key's job is not yours
        resp = dialect.poll(hub_emulator, key, probe)
        if dialect.hub == "chainhub":
            assert resp.status_code == 400
            assert resp.json() == {"code": "task_not_exist", "message": "task_not_exist",
                                   "data": None}
        else:
            assert resp.status_code == 404
            assert resp.json()["error"]["code"] == "task_not_found"


def test_tokenhub_price_follows_duration_and_resolution(hub_emulator: Emulator,
                                                        hub_key: Callable[[str], str]) -> None:
    key = hub_key("tokenhub")
    base = hub_emulator.base_url("tokenhub")
    cases = [("doubao-seedance-2.0-fast", "720p", 10, 1.6),
             ("bytedance/doubao-seedance-2.0", "480p", 4, 0.48)]
    for model, resolution, duration, _ in cases:
        resp = httpx.post(f"{base}/videos/generations", headers=auth(key),
                          json={"model": model, "prompt": "x", "duration": duration,
                                "resolution": resolution, "aspect_ratio": "1:1"})
        assert resp.status_code == 200
        assert resp.json()["model"].startswith("bytedance/")
    credits = sorted(j["credits"] for j in jobs(hub_emulator, "tokenhub", key).values())
    assert credits == pytest.approx(sorted(c[3] for c in cases))


@pytest.mark.parametrize(("body", "needle"), [
    ({"duration": 3}, "'duration' must be an integer from 4 to 15"),
    ({"resolution": "4k"}, "'resolution' must be one of 480p, 720p"),
    ({"aspect_ratio": "2:1"}, "'aspect_ratio' must be one of"),
    ({"prompt": None}, "'prompt' is required"),
    ({"content": [{"type": "image_url", "role": "first_frame"},
                  {"type": "image_url", "role": "first_frame"}]}, "at most one first_frame"),
])
def test_tokenhub_video_rules(hub_emulator: Emulator, hub_key: Callable[[str], str],
                              body: dict, needle: str) -> None:
    key = hub_key("tokenhub")
    payload = {"model": "bytedance/doubao-seedance-2.0", "prompt": "x"} | body
    resp = httpx.post(f"{hub_emulator.base_url('tokenhub')}/videos/generations",
                      headers=auth(key), json=payload)
    assert resp.status_code == 400 and needle in resp.json()["error"]["message"]
    assert jobs(hub_emulator, "tokenhub", key) == {}


def test_suno_batch_fetch_and_clip_shape(hub_emulator: Emulator,
                                         hub_key: Callable[[str], str]) -> None:
    key = hub_key("chainhub")
    root = hub_emulator.root_url("chainhub")
    ids = [httpx.post(f"{root}/suno/submit/music", headers=auth(key),
                      json={"mv": mv, "prompt": "[Verse] la la", "title": "Song", "tags": "pop"}
                      ).json()["data"] for mv in ("chirp-v3-5", "chirp-v4")]
    resp = httpx.post(f"{root}/suno/fetch", headers=auth(key), json={"ids": [*ids, "nope"]})
    tasks = resp.json()["data"]
    assert [t["task_id"] for t in tasks] == ids
    _, last = poll_statuses(lambda: httpx.get(f"{root}/suno/fetch/{ids[1]}",
                                              headers=auth(key)).json(),
                            lambda r: r["data"]["status"], ("SUCCESS", "FAILURE"))
    clips = last["data"]["data"]
    assert len(clips) == 2 and last["data"]["progress"] == "100%"
    assert clips[0]["model_name"] == "chirp-v4" and clips[0]["major_model_version"] == "v4"
    assert clips[0]["text"] == "[Verse] la la" and clips[0]["metadata"]["tags"] == "pop"
    bad = httpx.post(f"{root}/suno/submit/music", headers=auth(key), json={"prompt": "x"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_request_error"
    assert "'mv' is required" in bad.json()["message"]


def test_seedance_flags_pick_shape_and_length(hub_emulator: Emulator,
                                              hub_key: Callable[[str], str]) -> None:
    key = hub_key("chainhub")
    root = hub_emulator.root_url("chainhub")
    resp = httpx.post(f"{root}/volc/v1/contents/generations/tasks", headers=auth(key),
                      json={"model": "doubao-seedance-1-0-pro-fast-251015",
                            "content": [{"type": "text", "text": "waves --rt 1:1 --dur 2"}]})
    task_id = resp.json()["id"]
    assert task_id.startswith("cgt-") and resp.json()["status"] == "submitted"
    _, last = poll_statuses(lambda: httpx.get(
        f"{root}/volc/v1/contents/generations/tasks/{task_id}", headers=auth(key)).json(),
        lambda r: r["status"], ("succeeded", "failed"))
    assert last["ratio"] == "1:1" and last["duration"] == 2
    info = av_info(download(last["content"]["video_url"]))
    assert info["size"] == (72, 72) and info["seconds"] == pytest.approx(2.0)
