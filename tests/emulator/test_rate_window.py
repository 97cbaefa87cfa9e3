"""A key's rate window can be scaled down (``set_account(rate_window=S)``) so plan tests are short."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest

from hub_emulator import Emulator
from hub_emulator.server import AdminError

MSG = {"model": "qwen-max", "messages": [{"role": "user", "content": "hello window"}]}


def _post(emu: Emulator, key: str) -> httpx.Response:
    return httpx.post(f"{emu.base_url('apihub')}/chat/completions", json=MSG,
                      headers={"Authorization": f"Bearer {key}"})


def test_plan_counts_over_the_scaled_window(hub_emulator: Emulator,
                                            hub_key: Callable[[str], str]) -> None:
    key = hub_key("apihub")
    ledger = hub_emulator.admin.set_account("apihub", key, plan=2, rate_window=0.4)
    assert ledger["rpm"] == 2 and ledger["rate_window"] == 0.4
    codes = [_post(hub_emulator, key) for _ in range(3)]
    assert [c.status_code for c in codes] == [200, 200, 429]
    assert codes[2].headers["retry-after"] == "1"  # whole seconds, at least 1
    time.sleep(0.45)  # longer than the window: waiting, not measuring
    assert _post(hub_emulator, key).status_code == 200


def test_default_window_is_a_minute(hub_emulator: Emulator,
                                    hub_key: Callable[[str], str]) -> None:
    key = hub_key("apihub")
    assert hub_emulator.admin.set_account("apihub", key, plan=1)["rate_window"] == 60.0
    assert [_post(hub_emulator, key).status_code for _ in range(2)] == [200, 429]


@pytest.mark.parametrize("bad", [0, -1, "soon"])
def test_bad_window_is_refused(hub_emulator: Emulator, hub_key: Callable[[str], str],
                               bad: object) -> None:
    with pytest.raises(AdminError, match="rate_window|could not convert"):
        hub_emulator.admin.set_account("apihub", hub_key("apihub"), rate_window=bad)  # type: ignore[arg-type]
