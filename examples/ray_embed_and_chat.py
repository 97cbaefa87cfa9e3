"""Scale out on Ray: embed a corpus with Ray Data, batch-chat through Ray tasks.

    python examples/ray_embed_and_chat.py

With no ``ELECTRONHUB_API_KEY`` it starts the embedded hub emulator on loopback and gives itself
a free-plan key (5 requests per window, the window scaled from 60 s to 2 s so the run is quick);
with a key set it calls Electron Hub on your plan. Either way the plan's rpm holds for all Ray
workers together: ``EmbedBatches`` and ``batch_in_tasks`` share one rate-limit window per key (a
small Ray actor), so two workers never send twice the plan. Ray starts locally here; on a cluster
use ``ray.init(address="auto")`` and nothing else changes.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import ray

from ai_hubs_ray import EmbedBatches, batch_in_tasks
from langchain_hub import ChatHub, HubEmbeddings

CORPUS = [
    "Electron Hub bills in credits per request.",
    "ChainHub relays many providers behind one key.",
    "API Hub keeps its balance in tokens.",
    "TokenHub prices models per million tokens.",
    "A 429 means the plan's rate limit was reached.",
    "A 402 means the balance ran out.",
    "Ray Data splits a dataset into blocks and maps them in parallel.",
    "Ray tasks run functions on any worker of the cluster.",
] * 3
PROMPTS = [f"Summarise fact {i}: {text}" for i, text in enumerate(CORPUS[:10])]


def embed_corpus(embeddings: HubEmbeddings, texts: Sequence[str], *, batch_size: int = 4
                 ) -> list[dict[str, Any]]:
    """One row per text, in order: ``id``, ``text``, ``embedding`` (float32 vector)."""
    ray.data.DataContext.get_current().execution_options.preserve_order = True
    rows = ray.data.from_items([{"id": i, "text": t} for i, t in enumerate(texts)])
    return rows.map_batches(EmbedBatches(embeddings), batch_size=batch_size).take_all()


def answer_all(chat: ChatHub, prompts: Sequence[str], *, num_tasks: int = 2) -> list[str]:
    """``chat.batch`` spread over ``num_tasks`` Ray tasks; answers in prompt order."""
    return [str(message.content) for message in batch_in_tasks(chat, prompts,
                                                                num_tasks=num_tasks)]


@contextlib.contextmanager
def connection() -> Iterator[dict[str, Any]]:
    """Settings for the models: a real hub from the environment, else the emulator."""
    if os.environ.get("ELECTRONHUB_API_KEY"):
        yield {"plan": os.environ.get("ELECTRONHUB_PLAN", "free")}
        return
    import hub_emulator

    with hub_emulator.serve() as emu:
        key = f"ek-ray-demo-{uuid.uuid4().hex}"
        emu.admin.set_account("electronhub", key, plan="free", rate_window=2.0)
        yield {"api_key": key, "base_url": emu.base_url("electronhub"), "plan": "free",
               "rate_window": 2.0, "emulator": emu}


def main() -> int:
    ray.init(include_dashboard=False, log_to_driver=False)
    try:
        with connection() as settings:
            emu = settings.pop("emulator", None)
            embeddings = HubEmbeddings(hub="electronhub", **settings)
            chat = ChatHub(hub="electronhub", model="gpt-4o-mini", **settings)
            rows = embed_corpus(embeddings, CORPUS)
            print(f"embedded {len(rows)} texts in order: "
                  f"{[row['id'] for row in rows] == list(range(len(CORPUS)))}; "
                  f"dimension {len(rows[0]['embedding'])}")
            for prompt, answer in list(zip(PROMPTS, answer_all(chat, PROMPTS), strict=True))[:3]:
                print(f"{prompt[:40]!r} -> {answer[:60]!r}")
            if emu is not None:
                statuses = [r["status"] for r in
                            emu.admin.ledger("electronhub", settings["api_key"])["requests"]]
                print(f"{len(statuses)} requests on a 5-per-window plan, "
                      f"{statuses.count(429)} answered 429")
    finally:
        ray.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
