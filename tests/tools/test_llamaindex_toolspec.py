"""LlamaIndex ``HubMediaToolSpec`` against the emulator: the functions each hub offers, schemas
an agent reads, a FunctionAgent that makes a PNG at the asked size, jobs finished without paying
twice, errors as text an agent can read, pickling into another process, no key anywhere."""

from __future__ import annotations

import asyncio
import multiprocessing
import pickle
import uuid
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from docstring_support import run_docstring
from llama_index.core.agent.workflow import FunctionAgent, ToolCallResult
from PIL import Image

from hub_core.errors import HubInputError, InsufficientCreditsError
from hub_core.media import HubMedia
from hub_emulator.server import KEY_PREFIXES
from llamaindex_hub import ChainHubLLM, HubMediaToolSpec, TokenHubLLM


def _key(hub: str) -> str:
    return f"{KEY_PREFIXES[hub]}test-{uuid.uuid4().hex}"


def _spec(emu: Any, hub: str, out: Path, **kw: Any) -> HubMediaToolSpec:
    kw.setdefault("api_key", _key(hub))
    return HubMediaToolSpec(hub, base_url=emu.base_url(hub), output_dir=out, rpm=0,
                            poll_interval=0.02, timeout=60, **kw)


def _key_of(spec: HubMediaToolSpec) -> str:
    key = spec.media.client.api_key
    assert key is not None
    return key.get_secret_value()


def _posts(emu: Any, spec: HubMediaToolSpec, part: str) -> list[Any]:
    return [r for r in emu.admin.ledger(spec.hub, _key_of(spec))["requests"]
            if r["method"] == "POST" and part in r["path"]]


def _job_id(text: str) -> str:
    return text.split("job_id='")[1].split("'")[0]


async def _agent_run(tools: list[Any], llm: Any, ask: str) -> tuple[str, list[ToolCallResult]]:
    handler = FunctionAgent(tools=tools, llm=llm).run(user_msg=ask)
    results = [ev async for ev in handler.stream_events() if isinstance(ev, ToolCallResult)]
    return str(await handler), results


@pytest.mark.parametrize(("hub", "enable_music", "names"), [
    ("apihub", False, []),
    ("tokenhub", False, ["generate_image", "generate_video", "check_job"]),
    ("electronhub", False, ["generate_image", "edit_image", "generate_video", "text_to_speech",
                            "check_job"]),
    ("electronhub", True, ["generate_image", "edit_image", "generate_video", "generate_music",
                           "text_to_speech", "check_job"]),
    ("chainhub", False, ["generate_image", "edit_image", "generate_video", "generate_music",
                         "text_to_speech", "check_job"]),
])
def test_the_tool_list_holds_exactly_what_the_hub_offers(
    hub: str, enable_music: bool, names: list[str], tmp_path: Path
) -> None:
    spec = HubMediaToolSpec(hub, api_key=_key(hub), output_dir=tmp_path,
                            enable_music=enable_music)
    tools = spec.to_tool_list()
    assert [t.metadata.name for t in tools] == names
    assert all(t.async_fn is not None for t in tools)  # acall runs the native async twin


def test_schemas_and_descriptions_reach_the_agent(tmp_path: Path) -> None:
    spec = HubMediaToolSpec("electronhub", api_key=_key("electronhub"), output_dir=tmp_path)
    tools = {t.metadata.name: t.metadata for t in spec.to_tool_list()}
    image = tools["generate_image"].get_parameters_dict()["properties"]
    assert image["size"]["anyOf"][0]["enum"] == ["1024x1024", "1024x1792", "1792x1024"]
    assert image["n"]["maximum"] == 1 and "20 credits" in image["n"]["description"]
    assert "Price: 20 credits per request" in tools["generate_image"].description
    voice = tools["text_to_speech"].get_parameters_dict()["properties"]["voice"]
    assert "alloy" in voice["anyOf"][0]["enum"]
    tokenhub = HubMediaToolSpec("tokenhub", api_key=_key("tokenhub"), output_dir=tmp_path)
    video = {t.metadata.name: t.metadata for t in tokenhub.to_tool_list()}["generate_video"]
    duration = video.get_parameters_dict()["properties"]["duration"]
    assert "from 4 to 15" in duration["description"] and "per second" in duration["description"]
    assert "waits for the file" in video.description


def test_bad_settings_name_the_field_before_anything_is_sent(tmp_path: Path) -> None:
    with pytest.raises(HubInputError, match="models"):
        HubMediaToolSpec("tokenhub", api_key=_key("tokenhub"), output_dir=tmp_path,
                         models={"music": "chirp-v3-5"})
    with pytest.raises(HubInputError, match="poll_interval"):
        HubMediaToolSpec("tokenhub", api_key=_key("tokenhub"), output_dir=tmp_path,
                         poll_interval=0)


def test_a_function_agent_asked_in_plain_words_makes_a_png_at_the_requested_size(
    hub_emulator: Any, tmp_path: Path
) -> None:
    spec = _spec(hub_emulator, "chainhub", tmp_path)
    llm = ChainHubLLM("gpt-4o-mini", api_key=_key_of(spec), rpm=0,
                      base_url=hub_emulator.base_url("chainhub"))
    answer, results = asyncio.run(_agent_run(
        spec.to_tool_list(), llm,
        'Please make me an image of "a lighthouse at dusk" in size "1536x1024".'))
    (result,) = results
    assert result.tool_name == "generate_image" and not result.tool_output.is_error
    (png,) = tmp_path.glob("*.png")
    assert str(png) in result.tool_output.content and str(png) in answer
    with Image.open(png) as img:
        assert (img.format, img.size) == ("PNG", (1536, 1024))
    assert len(_posts(hub_emulator, spec, "/images/")) == 1


def test_out_of_credits_reaches_the_agent_as_text_after_one_submission(
    hub_emulator: Any, tmp_path: Path
) -> None:
    spec = _spec(hub_emulator, "tokenhub", tmp_path)
    hub_emulator.admin.set_account("tokenhub", _key_of(spec), balance=0.3)  # chat yes, video no
    llm = TokenHubLLM("openai/gpt-4.1", api_key=_key_of(spec), rpm=0, max_tokens=200,
                      base_url=hub_emulator.base_url("tokenhub"))
    answer, results = asyncio.run(_agent_run(
        spec.to_tool_list(), llm, 'Use generate_video to film "a paper boat on a river".'))
    (result,) = results
    assert result.tool_name == "generate_video"
    assert result.tool_output.content.startswith("Out of credits on TokenHub")
    assert "Nothing was made" in result.tool_output.content
    assert "Out of credits" in answer  # the agent answered the user with it
    assert len(_posts(hub_emulator, spec, "/videos/")) == 1


def test_raise_errors_raises_the_typed_error(hub_emulator: Any, tmp_path: Path) -> None:
    spec = _spec(hub_emulator, "tokenhub", tmp_path, raise_errors=True)
    hub_emulator.admin.set_account("tokenhub", _key_of(spec), balance=0.01)
    with pytest.raises(InsufficientCreditsError):
        spec.generate_video("a fox", duration=4)
    with pytest.raises(HubInputError, match="duration"):
        spec.generate_video("a fox", duration=99)
    assert len(_posts(hub_emulator, spec, "/videos/")) == 1


@pytest.mark.parametrize("hub", ["tokenhub", "chainhub"])
def test_a_non_blocking_video_is_finished_by_check_job_with_one_submission(
    hub: str, hub_emulator: Any, tmp_path: Path
) -> None:
    spec = _spec(hub_emulator, hub, tmp_path, wait=False)
    queued = spec.generate_video("a paper boat")
    job_id = _job_id(queued)
    assert "Call check_job with job_id=" in queued and not list(tmp_path.glob("*.mp4"))
    assert job_id in spec.check_job(job_id, action="check")
    done = spec.check_job(job_id)
    (mp4,) = tmp_path.glob("*.mp4")
    assert str(mp4) in done and mp4.read_bytes()[4:8] == b"ftyp"
    assert spec.check_job(job_id) == done  # finished: the same files again, nothing new
    submit = "/videos/generations" if hub == "tokenhub" else "/text2video"
    assert len(_posts(hub_emulator, spec, submit)) == 1
    assert list(hub_emulator.admin.ledger(hub, _key_of(spec))["jobs"]) == [job_id]


async def test_the_async_twins_through_the_tools(hub_emulator: Any, tmp_path: Path) -> None:
    spec = _spec(hub_emulator, "chainhub", tmp_path, wait=False)
    tools = {t.metadata.name: t for t in spec.to_tool_list()}
    queued = await tools["generate_music"].acall(prompt="a calm piano piece",
                                                 instrumental=True)
    done = await tools["check_job"].acall(job_id=_job_id(queued.content))
    songs = sorted(tmp_path.glob("*.mp3"))
    assert done.content.startswith("Made 2 songs") and len(songs) == 2
    assert all(str(song) in done.content for song in songs)
    spoken = await tools["text_to_speech"].acall(prompt="Hello there.", format="wav")
    (wav,) = tmp_path.glob("*.wav")
    assert str(wav) in spoken.content
    assert len(_posts(hub_emulator, spec, "/suno/submit")) == 1


def test_check_job_acts_only_on_its_own_jobs_unless_told(
    hub_emulator: Any, tmp_path: Path
) -> None:
    spec = _spec(hub_emulator, "tokenhub", tmp_path / "mine")
    elsewhere = HubMedia("tokenhub", api_key=_key_of(spec), output_dir=tmp_path / "other",
                         base_url=hub_emulator.base_url("tokenhub"), rpm=0)
    foreign = elsewhere.submit_video("a fox", duration=4)
    refused = spec.check_job(foreign.job_id)
    assert refused.startswith("The arguments were refused") and "its own jobs" in refused
    follower = _spec(hub_emulator, "tokenhub", tmp_path / "mine", api_key=_key_of(spec),
                     allow_foreign_jobs=True)
    assert "Made 1 video" in follower.check_job(foreign.job_id)
    assert len(_posts(hub_emulator, spec, "/videos/")) == 1
    elsewhere.close()


def test_edit_reads_only_files_inside_its_folders(hub_emulator: Any, tmp_path: Path) -> None:
    private = tmp_path / "private.png"
    Image.new("RGB", (256, 256)).save(private)
    spec = _spec(hub_emulator, "electronhub", tmp_path / "out")
    refused = spec.edit_image("add a moon", str(private))
    assert "inside" in refused and "refused before anything was sent" in refused
    assert hub_emulator.admin.ledger("electronhub", _key_of(spec))["requests"] == []
    allowed = _spec(hub_emulator, "electronhub", tmp_path / "out", api_key=_key_of(spec),
                    input_dirs=[tmp_path])
    assert "Made 1 image" in allowed.edit_image("add a moon", str(private), size="256x256")


def _run_in_child(spec: HubMediaToolSpec) -> str:
    return spec.generate_image("a kite", size="320x256")


def test_the_spec_pickles_and_runs_in_another_process(
    hub_emulator: Any, tmp_path: Path
) -> None:
    spec = _spec(hub_emulator, "tokenhub", tmp_path)
    spec.generate_image("warm up", size="256x256")
    copy = pickle.loads(pickle.dumps(spec))
    assert copy.function_names == spec.function_names
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        text = pool.submit(_run_in_child, spec).result(timeout=120)
    path = Path(text.split("Files: ")[1].split(".png")[0] + ".png")
    with Image.open(path) as img:
        assert img.size == (320, 256)


def test_no_key_in_repr_replies_or_errors(hub_emulator: Any, tmp_path: Path) -> None:
    spec = _spec(hub_emulator, "tokenhub", tmp_path)
    key = _key_of(spec)
    made = spec.generate_image("a fox", size="256x256")
    hub_emulator.admin.set_account("tokenhub", key, balance=0.0)
    failed = spec.generate_video("a fox", duration=4)
    assert failed.startswith("Out of credits")
    seen = [repr(spec), str(spec), made, failed,
            *(repr(t.metadata) for t in spec.to_tool_list())]
    assert not [text for text in seen if key in text]


def test_the_class_docstring_runs(
    hub_emulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the examples write to ./media-out
    ns = run_docstring(HubMediaToolSpec, {"emu": hub_emulator}, min_blocks=6)
    out = tmp_path / "media-out"
    assert [t.metadata.name for t in ns["tools"]][-1] == "check_job"
    assert "Made 1 image with gpt-image-1 on ChainHub" in ns["text"]
    assert "Made 1 image" in ns["output"].content
    assert ns["song"].startswith("Made 2 songs") and len(list(out.glob("*.mp3"))) == 2
    assert ns["job_id"] in ns["queued"] and f"{out}/{ns['job_id']}_0.mp4" in ns["done"]
    pngs = sorted(out.glob("*.png"))
    assert len(pngs) == 3 and any(str(p) in str(ns["answer"]) for p in pngs)
    assert "its own jobs" in ns["refused"]


def test_an_argument_this_hub_does_not_take_is_refused_not_dropped(
    hub_emulator: Any, tmp_path: Path
) -> None:
    spec = _spec(hub_emulator, "chainhub", tmp_path)
    refused = spec.generate_video("a fox", resolution="720p")  # Kling takes no resolution
    assert refused.startswith("The arguments were refused before anything was sent")
    assert "resolution: Extra inputs are not permitted" in refused
    assert hub_emulator.admin.ledger("chainhub", _key_of(spec))["requests"] == []
