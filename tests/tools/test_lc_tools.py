"""LangChain media tools and toolkit against the emulator: what each hub offers, what the model
sees, agents that make files, jobs finished without paying twice, errors an agent can read,
progress, pickling into another process, and keys that never show."""

from __future__ import annotations

import asyncio
import multiprocessing
import pickle
import uuid
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from langchain.agents import create_agent
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import AIMessage, ToolMessage
from PIL import Image

from hub_core import Budget
from hub_core.errors import InsufficientCreditsError, UnsupportedFeatureError
from hub_core.media import HubMedia
from hub_emulator.server import KEY_PREFIXES
from langchain_hub import ChatChainHub, ChatTokenHub
from langchain_hub.tools import (
    PROGRESS_EVENT,
    HubImageEditTool,
    HubImageGenerationTool,
    HubMediaJobTool,
    HubMediaToolkit,
    HubVideoGenerationTool,
)

_VIDEO_SUBMIT = {"tokenhub": "/videos/generations", "chainhub": "/text2video"}


def _key(hub: str) -> str:
    return f"{KEY_PREFIXES[hub]}test-{uuid.uuid4().hex}"


def _settings(emu: Any, hub: str, out: Path, **kw: Any) -> dict[str, Any]:
    return {"hub": hub, "api_key": _key(hub), "base_url": emu.base_url(hub), "output_dir": out,
            "rpm": 0, "poll_interval": 0.02, "timeout": 60, **kw}


def _call(tool: Any, args: dict[str, Any], call_id: str = "c1") -> ToolMessage:
    message = tool.invoke({"name": tool.name, "id": call_id, "type": "tool_call", "args": args})
    assert isinstance(message, ToolMessage)
    return message


def _requests(emu: Any, hub: str, key: str, part: str, method: str = "POST") -> list[Any]:
    return [r for r in emu.admin.ledger(hub, key)["requests"]
            if r["method"] == method and part in r["path"]]


# -- what each hub offers ---------------------------------------------------------------------

@pytest.mark.parametrize(("hub", "enable_music", "names"), [
    ("apihub", False, []),
    ("tokenhub", False, ["generate_image", "generate_video", "check_media_job"]),
    ("electronhub", False, ["generate_image", "edit_image", "generate_video", "text_to_speech",
                            "check_media_job"]),
    ("electronhub", True, ["generate_image", "edit_image", "generate_video", "generate_music",
                           "text_to_speech", "check_media_job"]),
    ("chainhub", False, ["generate_image", "edit_image", "generate_video", "generate_music",
                         "text_to_speech", "check_media_job"]),
])
def test_toolkit_offers_exactly_what_the_hub_supports(
    hub: str, enable_music: bool, names: list[str], tmp_path: Path
) -> None:
    toolkit = HubMediaToolkit(hub=hub, api_key=_key(hub), output_dir=tmp_path,
                              enable_music=enable_music)
    tools = toolkit.get_tools()
    assert [t.name for t in tools] == names
    assert len({id(t.media) for t in tools}) <= 1  # one journal, pool and budget for all


def test_a_tool_on_a_hub_without_the_route_is_refused_at_construction(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFeatureError, match="API Hub"):
        HubImageGenerationTool(hub="apihub", api_key=_key("apihub"), output_dir=tmp_path)


def test_bad_settings_name_the_field_before_anything_is_sent(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="poll_interval"):
        HubVideoGenerationTool(hub="tokenhub", api_key=_key("tokenhub"), output_dir=tmp_path,
                               poll_interval=-1)


def test_schemas_list_what_this_hub_and_model_take_and_the_price(tmp_path: Path) -> None:
    video = HubVideoGenerationTool(hub="tokenhub", api_key=_key("tokenhub"), output_dir=tmp_path)
    duration = video.tool_call_schema.model_json_schema()["properties"]["duration"]
    assert "from 4 to 15" in duration["description"] and "per second" in duration["description"]
    kling = HubVideoGenerationTool(hub="chainhub", api_key=_key("chainhub"), output_dir=tmp_path)
    assert kling.args["duration"]["anyOf"][0]["enum"] == [5, 10]
    dalle3 = HubImageGenerationTool(hub="electronhub", api_key=_key("electronhub"),
                                    output_dir=tmp_path)
    assert dalle3.args["n"]["maximum"] == 1 and "20 credits" in dalle3.args["n"]["description"]
    assert dalle3.args["size"]["anyOf"][0]["enum"] == ["1024x1024", "1024x1792", "1792x1024"]


def test_arguments_the_hub_would_refuse_come_back_as_text_and_nothing_is_sent(
    hub_emulator: Any, tmp_path: Path
) -> None:
    settings = _settings(hub_emulator, "electronhub", tmp_path)
    tool = HubImageGenerationTool(**settings)
    message = _call(tool, {"prompt": "a fox", "size": "512x512", "n": 3})
    assert message.status == "error"
    assert "size" in message.content and "'1024x1024'" in message.content
    assert "n:" in message.content and "Correct them" in message.content
    assert hub_emulator.admin.ledger("electronhub", settings["api_key"])["requests"] == []


# -- agents ------------------------------------------------------------------------------------

def test_an_agent_asked_in_plain_words_makes_a_png_at_the_requested_size(
    hub_emulator: Any, tmp_path: Path
) -> None:
    settings = _settings(hub_emulator, "chainhub", tmp_path)
    tools = HubMediaToolkit(**settings).get_tools()
    llm = ChatChainHub(model="gpt-4o-mini", api_key=settings["api_key"], rpm=0,
                       base_url=settings["base_url"])
    agent = create_agent(llm, tools)
    state = agent.invoke({"messages": [(
        "user", 'Please make me an image of "a lighthouse at dusk" in size "1024x1536".')]})
    (tool_message,) = [m for m in state["messages"] if isinstance(m, ToolMessage)]
    assert tool_message.name == "generate_image" and tool_message.status == "success"
    (path,) = (Path(p) for p in tool_message.artifact["paths"])
    with Image.open(path) as img:
        assert (img.format, img.size) == ("PNG", (1024, 1536))
    answer = state["messages"][-1]
    assert isinstance(answer, AIMessage) and str(path) in answer.text
    assert len(_requests(hub_emulator, "chainhub", settings["api_key"], "/images/")) == 1


def test_out_of_credits_reaches_the_agent_as_a_readable_tool_error_after_one_submission(
    hub_emulator: Any, tmp_path: Path
) -> None:
    settings = _settings(hub_emulator, "tokenhub", tmp_path)
    hub_emulator.admin.set_account("tokenhub", settings["api_key"], balance=0.3)  # chat: yes
    tools = HubMediaToolkit(**settings).get_tools()  # the cheapest clip, 4 s at 480p, costs 0.48: no
    llm = ChatTokenHub(model="openai/gpt-4.1", api_key=settings["api_key"], rpm=0,
                       base_url=settings["base_url"], max_tokens=200)
    agent = create_agent(llm, tools)
    state = agent.invoke({"messages": [(
        "user", 'Use generate_video to film "a paper boat on a river".')]})
    (tool_message,) = [m for m in state["messages"] if isinstance(m, ToolMessage)]
    assert tool_message.status == "error"
    assert tool_message.content.startswith("Out of credits on TokenHub")
    assert "Nothing was made" in tool_message.content and "top up" in tool_message.content
    answer = state["messages"][-1]
    assert isinstance(answer, AIMessage) and "Out of credits" in answer.text
    assert len(_requests(hub_emulator, "tokenhub", settings["api_key"], "/videos/")) == 1


def test_raise_errors_raises_the_typed_error_instead(hub_emulator: Any, tmp_path: Path) -> None:
    settings = _settings(hub_emulator, "tokenhub", tmp_path, raise_errors=True)
    hub_emulator.admin.set_account("tokenhub", settings["api_key"], balance=0.01)
    tool = HubVideoGenerationTool(**settings)
    with pytest.raises(InsufficientCreditsError) as info:
        _call(tool, {"prompt": "a fox", "duration": 4})
    assert "max_tokens" not in str(info.value)
    assert len(_requests(hub_emulator, "tokenhub", settings["api_key"], "/videos/")) == 1


# -- jobs: submitted once, finished by id ------------------------------------------------------

@pytest.mark.parametrize("hub", ["tokenhub", "chainhub"])
def test_a_non_blocking_video_is_finished_by_the_job_tool_with_one_submission(
    hub: str, hub_emulator: Any, tmp_path: Path
) -> None:
    settings = _settings(hub_emulator, hub, tmp_path, wait=False)
    video, jobs = (t for t in HubMediaToolkit(**settings).get_tools()
                   if t.name in {"generate_video", "check_media_job"})
    queued = _call(video, {"prompt": "a paper boat"})
    job_id = queued.artifact["job_id"]
    assert queued.artifact["status"] in {"queued", "running"} and queued.artifact["paths"] == []
    assert f"check_media_job with job_id='{job_id}'" in queued.content
    checked = _call(jobs, {"job_id": job_id, "action": "check"}, "c2")
    assert checked.artifact["job_id"] == job_id
    done = _call(jobs, {"job_id": job_id}, "c3")
    assert done.status == "success" and done.artifact["status"] == "succeeded"
    (mp4,) = (Path(p) for p in done.artifact["paths"])
    assert mp4.read_bytes()[4:8] == b"ftyp" and mp4.name.startswith(job_id)
    again = _call(jobs, {"job_id": job_id}, "c4")  # finished: the same file, no new job
    assert again.artifact["paths"] == done.artifact["paths"]
    assert len(_requests(hub_emulator, hub, settings["api_key"], _VIDEO_SUBMIT[hub])) == 1
    assert list(hub_emulator.admin.ledger(hub, settings["api_key"])["jobs"]) == [job_id]


async def test_the_async_path_submits_once_and_finishes_the_job(
    hub_emulator: Any, tmp_path: Path
) -> None:
    settings = _settings(hub_emulator, "tokenhub", tmp_path, wait=False)
    video = HubVideoGenerationTool(**settings)
    jobs = HubMediaJobTool(**settings)
    queued = await video.ainvoke({"name": video.name, "id": "a1", "type": "tool_call",
                                  "args": {"prompt": "a fox", "duration": 4}})
    done = await jobs.ainvoke({"name": jobs.name, "id": "a2", "type": "tool_call",
                               "args": {"job_id": queued.artifact["job_id"]}})
    assert Path(done.artifact["paths"][0]).stat().st_size > 0
    assert len(_requests(hub_emulator, "tokenhub", settings["api_key"], "/videos/")) == 1


def test_the_job_tool_acts_only_on_its_own_jobs_unless_told(
    hub_emulator: Any, tmp_path: Path
) -> None:
    settings = _settings(hub_emulator, "tokenhub", tmp_path / "mine")
    elsewhere = HubMedia("tokenhub", api_key=settings["api_key"], base_url=settings["base_url"],
                         output_dir=tmp_path / "elsewhere", rpm=0)
    foreign = elsewhere.submit_video("a fox", duration=4)  # same key, another journal
    own_only = HubMediaJobTool(**settings)
    refused = _call(own_only, {"job_id": foreign.job_id})
    assert refused.status == "error" and "its own jobs" in refused.content
    assert _requests(hub_emulator, "tokenhub", settings["api_key"], foreign.job_id, "GET") == []
    stranger = HubMediaJobTool(**{**settings, "api_key": _key("tokenhub")},
                               allow_foreign_jobs=True)
    assert _call(stranger, {"job_id": foreign.job_id}).status == "error"  # hub: not this key
    follower = HubMediaJobTool(**settings, allow_foreign_jobs=True)
    done = _call(follower, {"job_id": foreign.job_id})
    assert done.status == "success" and Path(done.artifact["paths"][0]).exists()
    assert len(_requests(hub_emulator, "tokenhub", settings["api_key"], "/videos/")) == 1
    elsewhere.close()


def test_a_wait_that_runs_out_names_the_job_to_finish_later(
    hub_emulator: Any, tmp_path: Path
) -> None:
    settings = _settings(hub_emulator, "tokenhub", tmp_path)
    slow = HubVideoGenerationTool(**{**settings, "timeout": 0.05, "poll_interval": 0.02})
    hub_emulator.admin.fault(hub="tokenhub", path="/videos/generations/", method="GET",
                             delay=0.2, count=3)
    try:
        message = _call(slow, {"prompt": "a fox", "duration": 4})
    finally:
        hub_emulator.admin.clear_faults()
    (job_id,) = hub_emulator.admin.ledger("tokenhub", settings["api_key"])["jobs"]
    assert message.status == "error" and f"job_id='{job_id}'" in message.content
    done = _call(HubMediaJobTool(**settings), {"job_id": job_id})
    assert done.status == "success"
    assert len(_requests(hub_emulator, "tokenhub", settings["api_key"], "/videos/")) == 1


# -- money, files and progress -----------------------------------------------------------------

def test_a_budget_refuses_before_anything_is_sent(hub_emulator: Any, tmp_path: Path) -> None:
    budget = Budget(max_cost=0.5, unit="credits")  # a 4 s Seedance clip at 720p is 0.8
    settings = _settings(hub_emulator, "tokenhub", tmp_path, budget=budget)
    message = _call(HubVideoGenerationTool(**settings),
                    {"prompt": "a fox", "duration": 4, "resolution": "720p"})
    assert message.status == "error" and "budget" in message.content.lower()
    assert "max_tokens" not in message.content
    assert hub_emulator.admin.ledger("tokenhub", settings["api_key"])["requests"] == []
    ok = _call(HubVideoGenerationTool(**settings),
               {"prompt": "a fox", "duration": 4, "resolution": "480p"})  # 0.48 fits
    assert ok.status == "success" and budget.spent == pytest.approx(0.48)


def test_an_edit_reads_only_files_inside_its_folders(hub_emulator: Any, tmp_path: Path) -> None:
    secret = tmp_path / "private.png"
    Image.new("RGB", (256, 256)).save(secret)
    settings = _settings(hub_emulator, "electronhub", tmp_path / "out")
    edit = HubImageEditTool(**settings)
    refused = _call(edit, {"prompt": "x", "image": str(secret)})
    assert refused.status == "error" and "inside" in refused.content
    assert hub_emulator.admin.ledger("electronhub", settings["api_key"])["requests"] == []
    allowed = HubImageEditTool(**settings, input_dirs=[tmp_path])
    made = _call(allowed, {"prompt": "add a moon", "image": str(secret), "size": "256x256"})
    assert made.status == "success", made.content


class _Events(BaseCallbackHandler):
    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    def on_custom_event(self, name: str, data: Any, **kwargs: Any) -> None:
        self.events.append((name, data))


def test_progress_reaches_callbacks_and_a_tqdm_bar(
    hub_emulator: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = _settings(hub_emulator, "tokenhub", tmp_path, show_progress=True)
    video = HubVideoGenerationTool(**settings)
    handler = _Events()
    message = video.invoke({"name": video.name, "id": "p1", "type": "tool_call",
                            "args": {"prompt": "a fox", "duration": 4}},
                           config={"callbacks": [handler]})
    job_id = message.artifact["job_id"]
    assert handler.events and {name for name, _ in handler.events} == {PROGRESS_EVENT}
    statuses = [data["status"] for _, data in handler.events]
    assert statuses[-1] == "succeeded" and all(d["job_id"] == job_id for _, d in handler.events)
    bar = capsys.readouterr().err
    assert f"video {job_id}" in bar and "100%" in bar and "succeeded" in bar


async def test_progress_streams_as_custom_events_in_astream_events(
    hub_emulator: Any, tmp_path: Path
) -> None:
    video = HubVideoGenerationTool(**_settings(hub_emulator, "tokenhub", tmp_path))
    seen = [event async for event in video.astream_events(
        {"prompt": "a fox", "duration": 4}, version="v2")
        if event["event"] == "on_custom_event"]
    assert seen and seen[-1]["name"] == PROGRESS_EVENT
    assert seen[-1]["data"]["status"] == "succeeded"


# -- another process, and no key anywhere ------------------------------------------------------

def _invoke_in_child(tool: Any, args: dict[str, Any]) -> dict[str, Any]:
    message = tool.invoke({"name": tool.name, "id": "child", "type": "tool_call", "args": args})
    return {"status": message.status, "artifact": message.artifact}


def test_a_tool_pickles_and_runs_in_another_process(hub_emulator: Any, tmp_path: Path) -> None:
    settings = _settings(hub_emulator, "tokenhub", tmp_path)
    tool = HubImageGenerationTool(**settings)
    _call(tool, {"prompt": "warm up the client first", "size": "256x256"})  # a live pool
    copy = pickle.loads(pickle.dumps(tool))
    assert copy.args == tool.args and copy.name == tool.name
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        result = pool.submit(_invoke_in_child, tool, {"prompt": "a kite",
                                                      "size": "320x256"}).result(timeout=120)
    assert result["status"] == "success"
    with Image.open(result["artifact"]["paths"][0]) as img:
        assert img.size == (320, 256)


def test_no_key_in_reprs_errors_or_artifacts(hub_emulator: Any, tmp_path: Path) -> None:
    settings = _settings(hub_emulator, "tokenhub", tmp_path)
    key = settings["api_key"]
    toolkit = HubMediaToolkit(**settings)
    tools = toolkit.get_tools()
    made = _call(tools[0], {"prompt": "a fox", "size": "256x256"})
    hub_emulator.admin.set_account("tokenhub", key, balance=0.0)
    failed = _call(tools[1], {"prompt": "a fox", "duration": 4})
    assert failed.status == "error"
    seen = [repr(toolkit), str(toolkit), *map(repr, tools), *map(str, tools),
            toolkit.model_dump_json(), failed.model_dump_json(), made.model_dump_json(),
            repr(made), repr(failed), repr(made.artifact)]
    assert not [text for text in seen if key in text]


def test_tool_runs_do_not_block_each_other(hub_emulator: Any, tmp_path: Path) -> None:
    """Three async image calls on one tool share its pool and all finish whole."""
    tool = HubImageGenerationTool(**_settings(hub_emulator, "tokenhub", tmp_path))

    async def three() -> list[Any]:
        return list(await asyncio.gather(*(
            tool.ainvoke({"prompt": f"image {i}", "size": "256x256"}) for i in range(3))))

    contents = asyncio.run(three())
    assert len({c[0]["text"] for c in contents}) == 3
    assert len(list(tmp_path.glob("*.png"))) == 3


# -- every hub refusal is a tool error the model can read --------------------------------------

def test_a_failed_job_comes_back_with_the_hubs_reason(hub_emulator: Any, tmp_path: Path) -> None:
    settings = _settings(hub_emulator, "chainhub", tmp_path)
    hub_emulator.admin.fault(hub="chainhub", path="/text2video", method="POST",
                             job_fail="the prompt was flagged by the content filter")
    message = _call(HubVideoGenerationTool(**settings), {"prompt": "a fox"})
    assert message.status == "error"
    assert "but it failed: the prompt was flagged by the content filter." in message.content
    assert "change it before trying again" in message.content
    assert len(_requests(hub_emulator, "chainhub", settings["api_key"], "/text2video")) == 1


def test_a_rate_limit_comes_back_as_when_to_try_again(hub_emulator: Any, tmp_path: Path) -> None:
    settings = _settings(hub_emulator, "tokenhub", tmp_path, max_retries=0)
    hub_emulator.admin.fault(hub="tokenhub", path="/images/generations", status=429,
                             headers={"Retry-After": "7"}, body="Too many requests")
    message = _call(HubImageGenerationTool(**settings), {"prompt": "a fox", "size": "256x256"})
    assert message.status == "error"
    assert message.content.startswith("TokenHub is rate-limiting this key (it asks to wait 7 s)")
    assert "Wait before calling again" in message.content
    assert list(tmp_path.glob("*.png")) == []


def test_an_argument_this_hub_does_not_take_is_refused_not_dropped(
    hub_emulator: Any, tmp_path: Path
) -> None:
    settings = _settings(hub_emulator, "chainhub", tmp_path)
    kling = HubVideoGenerationTool(**settings)  # Kling takes no resolution
    assert "resolution" not in kling.args
    message = _call(kling, {"prompt": "a fox", "resolution": "720p"})
    assert message.status == "error"
    assert "resolution: Extra inputs are not permitted (got '720p')" in message.content
    assert hub_emulator.admin.ledger("chainhub", settings["api_key"])["requests"] == []
