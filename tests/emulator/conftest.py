"""Emulator tests: session-scoped event loop for the langchain suite's async tests."""

from __future__ import annotations

import inspect

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """ChatOpenAI caches its async client per process, so async tests share one loop."""
    for item in items:
        fn = getattr(item, "function", None)
        if "test_langchain_standard" in item.nodeid and inspect.iscoroutinefunction(fn):
            item.add_marker(pytest.mark.asyncio(loop_scope="session"))
