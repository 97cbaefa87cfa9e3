"""``langchain-openai``'s ChatOpenAI passes langchain-tests' integration suite against the emulator.

A second, independent client (nobody here wrote it) agreeing with the emulator's wire format.
"""

from __future__ import annotations

import uuid

import httpx
import pytest
from langchain_openai import ChatOpenAI
from langchain_tests.integration_tests import ChatModelIntegrationTests

from hub_emulator import Emulator

_URL: dict[str, str] = {}


@pytest.fixture(scope="module", autouse=True)
def _emulator_url(hub_emulator: Emulator) -> None:
    _URL["base"] = hub_emulator.base_url("chainhub")


class TestChatOpenAIAgainstEmulator(ChatModelIntegrationTests):
    """The standard suite, with ChainHub's OpenAI surface as the server."""

    @property
    def chat_model_class(self) -> type[ChatOpenAI]:
        return ChatOpenAI

    @property
    def chat_model_params(self) -> dict:
        return {
            "model": "gpt-4o-mini",
            "base_url": _URL["base"],
            "api_key": f"sk-lc-{uuid.uuid4().hex}",
            "stream_usage": True,
            "max_retries": 0,
            # a client per model: ChatOpenAI's shared cached async client outlives event loops
            "http_async_client": httpx.AsyncClient(timeout=60),
        }

    @property
    def supports_json_mode(self) -> bool:
        return True

    @property
    def model_override_value(self) -> str:
        return "gpt-4o"

    @property
    def supports_anthropic_inputs(self) -> bool:
        return True  # runs offline: with image inputs off it sends no image part

    @property
    def supports_image_inputs(self) -> bool:
        return False  # the suite fetches its image from raw.githubusercontent.com

    @property
    def supports_image_urls(self) -> bool:
        return False

    @property
    def supports_pdf_inputs(self) -> bool:
        return False

    @property
    def supports_audio_inputs(self) -> bool:
        return False
