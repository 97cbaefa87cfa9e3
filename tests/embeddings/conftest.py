"""Fixtures for embeddings tests (unique keys come from the emulator plugin's ``hub_key``)."""

from __future__ import annotations

import pytest

HUBS = ("electronhub", "chainhub", "apihub", "tokenhub")


@pytest.fixture(params=HUBS)
def hub(request: pytest.FixtureRequest) -> str:
    """Each hub in turn."""
    return str(request.param)
