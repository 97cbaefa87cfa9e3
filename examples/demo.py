"""The ai-hubs showcase, run by ``make demo`` against the embedded hub emulator.

No key and no network are needed: the emulator speaks each hub's dialect on loopback. Every step
prints what a user would see; the script exits non-zero if any step fails.
"""

from __future__ import annotations

import asyncio
import sys
import uuid

from pydantic import BaseModel, Field

import hub_emulator
from hub_core import HubClient, InsufficientCreditsError

KEY_PREFIX = {"electronhub": "ek-", "chainhub": "sk-", "apihub": "sk-", "tokenhub": "th-"}
CHAT_MODEL = {
    "electronhub": "gpt-4o",
    "chainhub": "gpt-4o-mini",
    "apihub": "qwen-max",
    "tokenhub": "openai/gpt-4.1",
}


def key(hub: str) -> str:
    """A fresh emulator key for ``hub``."""
    return f"{KEY_PREFIX[hub]}demo-{uuid.uuid4().hex[:8]}"


def title(text: str) -> None:
    print(f"\n== {text}")


def core_demo(emu: hub_emulator.Emulator) -> None:
    title("hub_core.HubClient: one chat request per hub, plain and streamed")
    for hub, model in CHAT_MODEL.items():
        with HubClient(hub, api_key=key(hub), base_url=emu.base_url(hub), rpm=0) as client:
            messages = [{"role": "user", "content": f"Say hello from {hub}"}]
            reply = client.chat({"model": model, "messages": messages}).json()
            streamed = "".join(
                (chunk["choices"][0]["delta"].get("content") or "")
                for chunk in client.stream_chat({"model": model, "messages": messages})
                if chunk.get("choices")
            )
            print(f"{hub:12} {model:16} -> {reply['choices'][0]['message']['content']!r}")
            assert streamed == reply["choices"][0]["message"]["content"], "stream != invoke"


def credits_demo(emu: hub_emulator.Emulator) -> None:
    title("Credits: a 402 is a typed, actionable error, sent once and never retried")
    api_key = key("apihub")
    emu.admin.set_account("apihub", api_key, balance=0)
    client = HubClient("apihub", api_key=api_key, base_url=emu.base_url("apihub"), rpm=0)
    try:
        client.chat({"model": "qwen-max", "messages": [{"role": "user", "content": "hi"}]})
    except InsufficientCreditsError as err:
        print(f"InsufficientCreditsError: {err}")
    requests = len(emu.admin.ledger("apihub", api_key)["requests"])
    print(f"requests the hub saw: {requests}")
    assert requests == 1


class Weather(BaseModel):
    """Weather in a city."""

    city: str = Field(description="the city")
    degrees: int = Field(description="temperature in Celsius")


def langchain_demo(emu: hub_emulator.Emulator) -> None:
    from langchain_core.tools import tool

    from langchain_hub import ChatTokenHub

    title("LangChain: ChatTokenHub is a drop-in for ChatOpenAI")
    llm = ChatTokenHub(
        model="openai/gpt-4.1", api_key=key("tokenhub"), base_url=emu.base_url("tokenhub"), rpm=0
    )
    print("invoke:", llm.invoke("Tell me about Paris").content)
    chunks = list(llm.stream("Tell me about Rome"))
    usage = [c.usage_metadata for c in chunks if c.usage_metadata]
    print(f"stream: {len(chunks)} chunks, usage on exactly one: {usage}")

    @tool
    def get_weather(city: str) -> str:
        """Current weather in a city."""
        return f"18C and sunny in {city}"

    call = llm.bind_tools([get_weather]).invoke("Use get_weather with city=Paris")
    print("tool call:", call.tool_calls)
    structured = llm.with_structured_output(Weather).invoke("Report city=Oslo degrees=21")
    print("structured output:", structured)


def llamaindex_demo(emu: hub_emulator.Emulator) -> None:
    from llama_index.core import Document, VectorStoreIndex
    from llama_index.core.agent.workflow import FunctionAgent
    from llama_index.core.tools import FunctionTool

    from llamaindex_hub import ElectronHubEmbedding, ElectronHubLLM

    title("LlamaIndex: ElectronHubLLM + ElectronHubEmbedding in a RAG pipeline and an agent")
    api_key = key("electronhub")
    base = emu.base_url("electronhub")
    llm = ElectronHubLLM(model="gpt-4o", api_key=api_key, base_url=base, rpm=0)
    embed = ElectronHubEmbedding(api_key=api_key, base_url=base, rpm=0)
    docs = [
        Document(text="The Eiffel Tower is in Paris and is 330 metres tall."),
        Document(text="Bananas are rich in potassium and grow in bunches."),
        Document(text="Mount Fuji is the highest mountain in Japan."),
    ]
    index = VectorStoreIndex.from_documents(docs, embed_model=embed)
    engine = index.as_query_engine(llm=llm, similarity_top_k=1)
    answer = engine.query("How tall is the Eiffel Tower?")
    print("RAG answer:", str(answer)[:100], "| source:", answer.source_nodes[0].text[:40])

    def multiply(a: int, b: int) -> int:
        """Multiply two integers."""
        return a * b

    agent = FunctionAgent(tools=[FunctionTool.from_defaults(multiply)], llm=llm)

    async def ask() -> object:
        return await agent.run("Use multiply with a=6 and b=7.")

    result = asyncio.run(ask())
    print("agent:", str(result)[:100])


def main() -> int:
    with hub_emulator.serve() as emu:
        print("Hub emulator running:")
        for hub in CHAT_MODEL:
            print(f"  {hub:12} {emu.base_url(hub)}")
        core_demo(emu)
        credits_demo(emu)
        langchain_demo(emu)
        llamaindex_demo(emu)
    print("\nDemo finished: every step above ran against the local emulator.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
