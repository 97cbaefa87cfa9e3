"""Emulator tests: a fixture that changes server-wide settings and puts them back."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from hub_emulator import Emulator


@pytest.fixture
def emu_settings(hub_emulator: Emulator) -> Iterator[Callable[..., dict[str, Any]]]:
    """``emu_settings(url_ttl=0.2, ...)`` -> the new settings; restored after the test."""
    before = hub_emulator.admin.configure()

    def change(**values: Any) -> dict[str, Any]:
        return hub_emulator.admin.configure(**values)

    yield change
    hub_emulator.admin.configure(**before)
