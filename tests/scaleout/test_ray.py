"""Scale-out on Ray against the emulator: a corpus embedded with Ray Data ``map_batches`` using
``HubEmbeddings``, batch chat through ``ChatHub`` inside Ray tasks, both from
examples/ray_embed_and_chat.py, on a local Ray runtime (2 CPUs, no dashboard, loopback only).

Results must come back complete and in order, the free plan (5 requests per window; the window
scaled to 2 s on both sides) must hold for both workers together (the emulator answers no 429),
every request must have gone through the one shared window, and the key must not be in any Ray
log. The README's "Scaling out with Ray" block runs here too, in the same Ray session.
"""

from __future__ import annotations

import importlib.util
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
import ray  # the `ray` extra is in `dev`: make test installs it, so this never skips
from readme_support import blocks, run

from ai_hubs_ray import SharedRateLimit, share_rate_limit
from hub_emulator import Emulator
from langchain_hub import ChatHub, HubEmbeddings

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
WINDOW = 2.0


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ray_example", ROOT / "examples" /
                                                  "ray_embed_and_chat.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def ray_session() -> Iterator[str]:
    """A local Ray runtime for this module; yields its session directory (logs live there)."""
    context = ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        assert context.address_info["node_ip_address"] == "127.0.0.1"  # see conftest.py
        yield context.address_info["session_dir"]
    finally:
        ray.shutdown()


def test_embed_and_chat_on_ray_in_order_within_the_plan(ray_session: str,
                                                         hub_emulator: Emulator) -> None:
    example = _example()
    key = f"ek-ray-{uuid.uuid4().hex}"
    hub_emulator.admin.set_account("electronhub", key, plan="free", rate_window=WINDOW)
    settings = {"api_key": key, "base_url": hub_emulator.base_url("electronhub"),
                "plan": "free", "rate_window": WINDOW}
    embeddings = HubEmbeddings(hub="electronhub", **settings)
    chat = ChatHub(hub="electronhub", model="gpt-4o-mini", **settings)

    rows = example.embed_corpus(embeddings, example.CORPUS, batch_size=4)
    answers = example.answer_all(chat, example.PROMPTS, num_tasks=2)

    # complete and in order
    assert [row["id"] for row in rows] == list(range(len(example.CORPUS)))
    assert [row["text"] for row in rows] == example.CORPUS
    plain = HubEmbeddings(hub="electronhub", api_key=f"ek-check-{uuid.uuid4().hex}",
                          base_url=settings["base_url"], rpm=0)
    expected = np.asarray(plain.embed_documents(example.CORPUS), dtype=np.float32)
    assert np.allclose(np.stack([row["embedding"] for row in rows]), expected)
    assert len(answers) == len(example.PROMPTS)
    for prompt, answer in zip(example.PROMPTS, answers):
        assert f'"{prompt}"' in answer
    # the plan held for both workers together: every request answered, none refused
    requests = hub_emulator.admin.ledger("electronhub", key)["requests"]
    embed_calls = -(-len(example.CORPUS) // 4)
    assert [r["status"] for r in requests] == [200] * (embed_calls + len(example.PROMPTS))
    # ... because all of them, from every worker, went through the one shared window
    limit = share_rate_limit(chat)  # the same actor (one per key), not a new one
    try:
        assert limit.requests() == len(requests)
    finally:
        limit.close()
    # the key went to the workers inside pickles, never into a log
    leaked = [p for p in Path(ray_session, "logs").rglob("*")
              if p.is_file() and key.encode() in p.read_bytes()]
    assert leaked == []


def test_shared_limit_pickles_without_the_key(ray_session: str) -> None:
    import pickle

    key = f"ek-pickle-{uuid.uuid4().hex}"
    limit = share_rate_limit("electronhub", api_key=key)
    try:
        data = pickle.dumps(limit)
        assert key.encode() not in data and key not in repr(limit)
        assert isinstance(pickle.loads(data), SharedRateLimit)
    finally:
        limit.close()


SECTION = "Scaling out with Ray"  # the README section this test runs (see tests/test_readme.py)


def test_readme_section_runs(ray_session: str, hub_emulator: Emulator,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    (block,) = blocks(section=SECTION)
    monkeypatch.setenv("ELECTRONHUB_API_KEY", f"ek-readme-{uuid.uuid4().hex}")
    monkeypatch.setenv("ELECTRONHUB_BASE_URL", hub_emulator.base_url("electronhub"))
    assert block.expected
    run(block)  # checks every "# -> ..." line against what it printed
