"""Extractive answers for retrieval prompts, so a RAG pipeline's answer reads like one.

A prompt that carries a context block and a question (LlamaIndex's ``Context information is
below ... Query: ...`` template, or the common ``Context: ... Question: ...`` form) is answered
with the context paragraph sharing the most content words with the question (at most three
sentences of it): deterministic,
grounded in what the retriever sent, and wrong whenever retrieval was wrong, which is the point.
"""

from __future__ import annotations

import re

from .embeddings import _STOP, _WORD, _stem

_QUERY = re.compile(r"(?:^|\n)\s*(?:Query|Question)\s*:\s*(.+?)\s*(?:\n\s*Answer\s*:.*)?$",
                    re.IGNORECASE | re.DOTALL)
_CONTEXT = re.compile(r"context(?: information)?(?: is below)?\s*[.:]?\s*\n(.*?)"
                      r"(?:\n\s*-{3,}\s*\n|\n\s*(?:Given the context|Query|Question)\s*[:\w])",
                      re.IGNORECASE | re.DOTALL)
_SENTENCE = re.compile(r"(?:[^.!?\n]|\.(?=\d))+[.!?]?")  # "0.20" is not a sentence end
_META = re.compile(r"^\s*[\w ]+:\s*\S+\s*$")  # "file_path: ..." metadata lines


def _words(text: str) -> set[str]:
    return {_stem(w) for w in _WORD.findall(text.lower())} - _STOP


def answer(prompt: str) -> str | None:
    """The grounded answer to a retrieval prompt, or None when the prompt is not one."""
    query = _QUERY.search(prompt)
    context = _CONTEXT.search(prompt)
    if query is None or context is None:
        return None
    wanted = _words(query.group(1))
    best, best_score = "", 0
    for line in context.group(1).strip("-\n ").splitlines():
        if _META.match(line) or not line.strip():
            continue
        score = len(wanted & _words(line))
        if score > best_score:
            best, best_score = line.strip(), score
    if not best:
        return "The context does not say."
    sentences = [s.strip() for s in _SENTENCE.findall(best) if s.strip()][:3]
    text = " ".join(sentences)
    return text if text.endswith((".", "!", "?")) else text + "."
