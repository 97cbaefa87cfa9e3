"""Step 4: a LlamaIndex RAG pipeline on a hub LLM and hub embeddings, answer with its source."""

from __future__ import annotations

from pathlib import Path

from showcase import ui
from showcase.connect import CHAT_MODEL, Connection

DATA = Path(__file__).resolve().parents[2] / "notebooks" / "data"
QUESTION = "How long is the cooldown after going over Electron Hub's rate limit?"


def rag_answer(conn: Connection) -> None:
    """A ``VectorStoreIndex`` over ``notebooks/data`` (``HubEmbedding``), queried by ``HubLLM``."""
    from llama_index.core import SimpleDirectoryReader, VectorStoreIndex

    from llamaindex_hub import HubEmbedding, HubLLM

    hub = conn.pick("chainhub", "electronhub", "tokenhub", "apihub") or conn.hubs[0]
    llm = HubLLM(hub=hub, model=CHAT_MODEL[hub], **conn.settings(hub))
    embed = HubEmbedding(hub=hub, **conn.settings(hub))
    documents = SimpleDirectoryReader(str(DATA)).load_data()
    index = VectorStoreIndex.from_documents(documents, embed_model=embed)
    engine = index.as_query_engine(llm=llm, similarity_top_k=2)
    response = engine.query(QUESTION)
    ui.say("index", f"{len(documents)} documents from notebooks/data, embedded with "
                    f"HubEmbedding(hub={hub!r}); answered by HubLLM(model={llm.model!r})")
    ui.say("question", QUESTION)
    ui.say("answer", response)
    rows = [(Path(n.metadata.get("file_path", "?")).name, round(n.score or 0.0, 3))
            for n in response.source_nodes]
    ui.table(["source", "similarity"], rows)
    assert rows, "the answer has no source"
    assert rows[0][0] == "electron_hub.md", f"top source was {rows[0]}"
    assert "180" in str(response), "the answer does not carry the fact from its source"
