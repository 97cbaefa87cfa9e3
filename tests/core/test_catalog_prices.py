"""Prices read from ``/models`` entries in every shape the hubs (and the emulator) use."""

from __future__ import annotations

from hub_core.catalog_entries import price_from_entry
from hub_core.chat import Usage
from hub_core.credits import cost_of
from hub_core.hubs import HubProfile, ModelPrice


def test_token_prices_per_token_and_per_million() -> None:
    assert price_from_entry({"pricing": {"input": 0.000002, "output": 0.000008}}) == ModelPrice(
        input_per_mtok=2.0, output_per_mtok=8.0
    )
    assert price_from_entry({"pricing": {"prompt": 2, "completion": 8, "unit": "USD per 1M"}}) == (
        ModelPrice(input_per_mtok=2.0, output_per_mtok=8.0)
    )
    assert price_from_entry({"price_per_million_tokens": 0.3}) == ModelPrice(
        input_per_mtok=0.3, output_per_mtok=0.3
    )


def test_media_prices_per_request_image_and_second() -> None:
    eh = {"pricing": {"input": 0, "output": 0, "credits": 20, "per": "image"}}
    assert price_from_entry(eh) == ModelPrice(per_image=20.0)
    relay = {"pricing": {"price": 0.14, "per": "second", "unit": "credits"}}
    assert price_from_entry(relay) == ModelPrice(per_second=0.14)
    assert price_from_entry({"pricing": {"price": 0.1, "per": "request"}}) == ModelPrice(
        per_request=0.1
    )
    flat = {"pricing": {"per_image": "0.0300"}}
    assert price_from_entry(flat) == ModelPrice(per_image=0.03)
    assert price_from_entry({"pricing": {"per_second": "0.20", "per_second_480p": "0.1"}}) == (
        ModelPrice(per_second=0.2)
    )
    assert price_from_entry({"pricing": {"note": "ask sales"}}) is None
    assert price_from_entry({"id": "x"}) is None


def test_cost_of_multiplies_per_image_and_per_second() -> None:
    profile = HubProfile(
        name="pricetest", display_name="Price test", default_base_url="http://127.0.0.1:9/v1",
        key_prefixes=(), prices={"img": ModelPrice(per_image=0.04), "vid": ModelPrice(per_second=0.2)},
    )
    image_cost = cost_of(profile, "img", images=3)
    video_cost = cost_of(profile, "vid", seconds=5)
    assert image_cost is not None and abs(image_cost.amount - 0.12) < 1e-9
    assert video_cost is not None and video_cost.amount == 1.0
    no_usage = cost_of(profile, "img", Usage(10, 10, 20))
    assert no_usage is not None and no_usage.amount == 0.0


def test_a_per_request_price_is_not_summed_with_listed_token_prices() -> None:
    # Electron Hub lists per-token figures beside the credits it charges per request
    entry = {"pricing": {"input": 0.0000025, "output": 0.00001, "credits": 5}}
    assert price_from_entry(entry) == ModelPrice(per_request=5.0)
