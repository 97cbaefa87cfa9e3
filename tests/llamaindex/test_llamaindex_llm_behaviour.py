"""HubLLM properties beyond the scenario suite: secrets, pickling, env keys, the plan limiter,
instrumentation counts, reasoning dialects, broken streams and a small RAG pipeline."""

from __future__ import annotations

import asyncio
import pickle
import uuid
from typing import Any

import pytest
from li_support import HubCase, MakeLLM, chat_requests
from llama_index.core.base.llms.types import ChatMessage, ThinkingBlock
from llama_index.core.instrumentation.event_handlers import BaseEventHandler
from llama_index.core.instrumentation.events import BaseEvent
from llama_index.core.rate_limiter import BaseRateLimiter
from llama_index_instrumentation import get_dispatcher

from hub_core.errors import AuthenticationError, StreamError
from hub_core.ratelimit import limiter_for
from llamaindex_hub import ElectronHubLLM, HubLLM, TokenHubLLM
from llamaindex_hub._rate_limiter import HubPlanRateLimiter

PROMPT = "Please repeat: green turtle"


class _Recorder(BaseEventHandler):
    """Collects every instrumentation event while installed."""

    events: list[BaseEvent] = []

    @classmethod
    def class_name(cls) -> str:
        return "_Recorder"

    def handle(self, event: BaseEvent, **kwargs: Any) -> None:
        self.events.append(event)


@pytest.fixture
def recorder() -> Any:
    rec = _Recorder(events=[])
    dispatcher = get_dispatcher()
    dispatcher.add_event_handler(rec)
    yield rec
    dispatcher.event_handlers.remove(rec)


class _CountingLimiter(BaseRateLimiter):
    def __init__(self) -> None:
        self.calls = 0

    def acquire(self, num_tokens: int = 0) -> None:
        self.calls += 1

    async def async_acquire(self, num_tokens: int = 0) -> None:
        self.calls += 1


# -- secrets ---------------------------------------------------------------------------------


def test_key_never_leaks(make_llm: MakeLLM, key: str, recorder: Any) -> None:
    llm = make_llm()
    llm.chat([ChatMessage(role="user", content=PROMPT)])
    list(llm.stream_complete(PROMPT))
    secret = key.split("-", 1)[1]
    assert recorder.events, "no instrumentation events were recorded"
    places = {
        "repr": repr(llm),
        "str": str(llm),
        "to_dict": str(llm.to_dict()),
        "to_json": llm.to_json(),
        "to_payload": str(llm.to_payload()),
        "events": " ".join(str(e.model_dump()) for e in recorder.events),
        "client": repr(llm.client),
        "limiter": repr(llm.rate_limiter),
    }
    for where, text in places.items():
        assert secret not in text, where


def test_auth_error_does_not_carry_the_key(hub_emulator: Any, case: HubCase) -> None:
    bad = f"nope-{uuid.uuid4().hex}"
    llm = case.cls(model=case.model, api_key=bad, base_url=hub_emulator.base_url(case.hub), rpm=0)
    with pytest.warns(UserWarning, match="usually start with"), pytest.raises(AuthenticationError) as info:
        llm.chat([ChatMessage(role="user", content=PROMPT)])
    assert bad not in str(info.value)
    assert bad not in repr(info.value.args)


def test_pickled_copy_keeps_its_key_for_worker_processes(
    make_llm: MakeLLM, case: HubCase, ledger: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    llm = make_llm(temperature=0.5, max_tokens=64)
    monkeypatch.delenv(f"{case.hub.upper()}_API_KEY", raising=False)
    copy = pickle.loads(pickle.dumps(llm))
    assert type(copy) is type(llm)
    assert (copy.model, copy.temperature, copy.max_tokens) == (llm.model, 0.5, 64)
    assert "green turtle" in copy.complete(PROMPT).text
    assert len(chat_requests(ledger())) == 1
    assert "**********" in repr(copy._api_key)


def test_from_dict_round_trip(make_llm: MakeLLM, case: HubCase) -> None:
    llm = make_llm(temperature=0.2)
    data = llm.to_dict()
    assert data["class_name"] == case.cls.class_name()
    again = case.cls.from_dict(data)
    assert (again.hub, again.model, again.temperature) == (case.hub, case.model, 0.2)


def test_env_key_and_never_openai_key(
    hub_emulator: Any, case: HubCase, key: str, ledger: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    openai_key = f"sk-openai-{uuid.uuid4().hex}"
    monkeypatch.setenv("OPENAI_API_KEY", openai_key)
    monkeypatch.delenv(f"{case.hub.upper()}_API_KEY", raising=False)
    base = hub_emulator.base_url(case.hub)
    keyless = case.cls(model=case.model, base_url=base, rpm=0)
    with pytest.raises(AuthenticationError):
        keyless.chat([ChatMessage(role="user", content=PROMPT)])
    monkeypatch.setenv(f"{case.hub.upper()}_API_KEY", key)
    from_env = case.cls(model=case.model, base_url=base, rpm=0)
    assert "green turtle" in (from_env.chat([ChatMessage(content=PROMPT)]).message.content or "")
    assert len(chat_requests(ledger())) == 1
    assert hub_emulator.admin.ledger(case.hub, openai_key)["requests"] == []


def test_generic_class_and_hub_mismatch(hub_emulator: Any) -> None:
    llm = HubLLM(hub="tokenhub", model="openai/gpt-4.1", api_key="th-test-x", rpm=0)
    assert llm.class_name() == "HubLLM" and llm.hub == "tokenhub"
    with pytest.raises(ValueError, match="tokenhub"):
        TokenHubLLM(model="gpt-4o", hub="electronhub")
    with pytest.raises(TypeError):
        HubLLM(model="gpt-4o")


# -- metadata --------------------------------------------------------------------------------


def test_metadata_from_catalog_and_unknown_models() -> None:
    known = TokenHubLLM(model="openai/gpt-4.1", api_key="th-test-x", rpm=0).metadata
    assert known.context_window == 1_047_576
    assert known.is_chat_model and known.is_function_calling_model
    assert known.model_name == "openai/gpt-4.1"
    unknown = HubLLM(hub="apihub", model="totally-new-model-9", api_key="sk-x", rpm=0).metadata
    assert unknown.context_window > 3900 and unknown.num_output > 256
    assert unknown.is_chat_model
    image_only = TokenHubLLM(model="bytedance/seedream-4.0", api_key="th-x", rpm=0).metadata
    assert not image_only.is_function_calling_model
    pinned = TokenHubLLM(
        model="openai/gpt-4.1", api_key="th-x", rpm=0, context_window=8192, max_tokens=100
    ).metadata
    assert (pinned.context_window, pinned.num_output) == (8192, 100)


def test_request_body_layers(make_llm: MakeLLM, case: HubCase, ledger: Any) -> None:
    llm = make_llm(
        temperature=0.3, max_tokens=50, additional_kwargs={"top_p": 0.9, "seed": 1},
        stream_usage=False,
    )
    llm.chat([ChatMessage(role="user", content=PROMPT)], seed=7)
    list(llm.stream_chat([ChatMessage(role="user", content=PROMPT)]))
    plain, streamed = (r["body"] for r in chat_requests(ledger()))
    assert (plain["temperature"], plain["max_tokens"], plain["top_p"]) == (0.3, 50, 0.9)
    assert plain["seed"] == 7  # call kwargs win over additional_kwargs
    assert "stream" not in plain or plain["stream"] is False
    assert streamed["stream"] is True
    assert "stream_options" not in streamed
    default = make_llm()
    default.chat([ChatMessage(role="user", content=PROMPT)])
    body = chat_requests(ledger())[-1]["body"]
    assert "temperature" not in body and "max_tokens" not in body


# -- rate limiting and instrumentation counts ------------------------------------------------


def test_default_rate_limiter_is_the_plan_limiter() -> None:
    free = ElectronHubLLM(model="gpt-4o", api_key="ek-test-plan")
    assert isinstance(free.rate_limiter, HubPlanRateLimiter)
    assert free.rate_limiter.rpm == 5
    assert ElectronHubLLM(model="gpt-4o", api_key="ek-x", plan="business").rate_limiter.rpm == 60
    assert ElectronHubLLM(model="gpt-4o", api_key="ek-x", rpm=0).rate_limiter is None
    assert TokenHubLLM(model="openai/gpt-4.1", api_key="th-x").rate_limiter is None
    custom = _CountingLimiter()
    assert TokenHubLLM(model="m", api_key="th-x", rate_limiter=custom).rate_limiter is custom


def test_each_call_takes_exactly_one_plan_slot(make_llm: MakeLLM, case: HubCase, key: str) -> None:
    llm = make_llm(rpm=1000)
    shared = limiter_for(case.hub, key, 1000)
    assert shared is not None
    assert isinstance(llm.rate_limiter, HubPlanRateLimiter)
    llm.rate_limiter.acquire()
    assert shared.in_window == 0  # waiting never takes a slot
    llm.complete(PROMPT)
    assert shared.in_window == 1
    list(llm.stream_complete(PROMPT))
    assert shared.in_window == 2
    asyncio.run(llm.acomplete(PROMPT))
    assert shared.in_window == 3


def test_complete_is_counted_once(make_llm: MakeLLM, recorder: Any) -> None:
    counting = _CountingLimiter()
    llm = make_llm(rate_limiter=counting)
    llm.complete(PROMPT)
    list(llm.stream_complete(PROMPT))

    async def run() -> None:
        await llm.acomplete(PROMPT)
        async for _ in await llm.astream_complete(PROMPT):
            pass

    asyncio.run(run())
    names = [type(e).__name__ for e in recorder.events]
    assert counting.calls == 4
    assert names.count("LLMCompletionStartEvent") == 4
    assert names.count("LLMCompletionEndEvent") == 4
    assert names.count("LLMChatStartEvent") == 0


# -- reasoning dialects and broken streams ---------------------------------------------------


@pytest.mark.parametrize("dialect", ["reasoning", "reasoning_content", "reasoning_details",
                                     "think_tags"])
def test_reasoning_dialects(
    make_llm: MakeLLM, hub_emulator: Any, case: HubCase, dialect: str
) -> None:
    if case.reasoning_model is None:
        pytest.skip(f"the {case.hub} emulator lists no reasoning model")
    llm = make_llm(case.reasoning_model)
    messages = [ChatMessage(role="user", content=PROMPT)]
    hub_emulator.admin.fault(hub=case.hub, path="chat/completions", count=1, reasoning=dialect)
    plain = llm.chat(messages)
    hub_emulator.admin.fault(hub=case.hub, path="chat/completions", count=1, reasoning=dialect)
    streamed = list(llm.stream_chat(messages))[-1]
    for resp in (plain, streamed):
        thinking = [b for b in resp.message.blocks if isinstance(b, ThinkingBlock)]
        assert len(thinking) == 1 and "green turtle" in (thinking[0].content or "")
        assert "<think>" not in (resp.message.content or "")
        assert (resp.message.content or "").startswith("You said")


def test_broken_stream_raises_stream_error_with_partial_text(
    make_llm: MakeLLM, hub_emulator: Any, case: HubCase
) -> None:
    llm = make_llm()
    hub_emulator.admin.fault(
        hub=case.hub, path="chat/completions", count=1, drop="after_chunks", after_chunks=3
    )
    seen: list[str] = []
    with pytest.raises(StreamError) as info:
        for resp in llm.stream_chat([ChatMessage(role="user", content=PROMPT)]):
            seen.append(resp.delta or "")
    assert info.value.partial_text == "".join(seen)


# -- RAG -------------------------------------------------------------------------------------


def test_vector_store_index_answers_from_the_relevant_document(
    hub_emulator: Any, case: HubCase, make_llm: MakeLLM, key: str
) -> None:
    embeddings = pytest.importorskip("llamaindex_hub.embeddings")
    from llama_index.core import Document, VectorStoreIndex

    embed = embeddings.HubEmbedding(
        hub=case.hub, api_key=key, base_url=hub_emulator.base_url(case.hub), rpm=0
    )
    docs = [
        Document(text="The Eiffel Tower is a wrought-iron lattice tower in Paris, France.",
                 doc_id="eiffel"),
        Document(text="Photosynthesis lets green plants turn sunlight into chemical energy.",
                 doc_id="plants"),
        Document(text="The Pacific Ocean is the largest and deepest of Earth's oceans.",
                 doc_id="ocean"),
    ]
    index = VectorStoreIndex.from_documents(docs, embed_model=embed)
    engine = index.as_query_engine(llm=make_llm(), similarity_top_k=1)
    answer = engine.query("Which ocean is the largest and deepest?")
    assert answer.source_nodes[0].node.ref_doc_id == "ocean"
    assert str(answer).strip()
