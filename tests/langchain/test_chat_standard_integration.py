"""langchain-tests ChatModelIntegrationTests for the four hub classes, against the emulator."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessageChunk
from langchain_tests.integration_tests import ChatModelIntegrationTests

from langchain_hub.chat_models import ChatAPIHub, ChatChainHub, ChatElectronHub, ChatTokenHub

_PREFIX = {"electronhub": "ek-", "chainhub": "sk-", "apihub": "sk-", "tokenhub": "th-"}


class _Base(ChatModelIntegrationTests):
    hub = ""
    model_id = ""
    override = ""
    reasoning_model = ""
    base_url = ""
    key = ""

    @pytest.fixture(autouse=True)
    def _emulator(self, hub_emulator: Any) -> None:
        # One key per test class: the emulator gives each key its own large-balance account.
        cls = type(self)
        cls.base_url = hub_emulator.base_url(self.hub)
        if not cls.key:
            cls.key = f"{_PREFIX[self.hub]}test-{uuid.uuid4().hex}"

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {
            "model": self.model_id,
            "api_key": self.key,
            "base_url": self.base_url,
            "rpm": 0,
            "max_retries": 1,
        }

    @property
    def supports_json_mode(self) -> bool:
        return True

    @property
    def supports_anthropic_inputs(self) -> bool:
        # Runs offline because supports_image_inputs is False (no image download).
        return True

    # Turned off: these standard tests download their fixtures from the internet
    # (raw.githubusercontent.com images, w3.org PDFs, wikimedia audio), which CI here cannot
    # reach. Image input conversion is covered offline in test_chat_messages.py and
    # test_chat_hub.py::test_image_input_reaches_the_hub.
    @property
    def supports_image_inputs(self) -> bool:
        return False  # test_image_inputs / test_anthropic_inputs image part download images

    @property
    def supports_image_urls(self) -> bool:
        return False  # test_image_inputs downloads the image to compare base64 and URL forms

    @property
    def supports_image_tool_message(self) -> bool:
        return False  # test_image_tool_message downloads an image

    @property
    def supports_pdf_inputs(self) -> bool:
        return False  # test_pdf_inputs downloads a PDF from w3.org

    @property
    def supports_pdf_tool_message(self) -> bool:
        return False  # test_pdf_tool_message downloads a PDF from w3.org

    @property
    def supports_audio_inputs(self) -> bool:
        return False  # test_audio_inputs downloads a WAV from wikimedia

    # enable_vcr_tests stays False: test_stream_time replays VCR cassettes, which patches httpx
    # (our rule: no test mocks httpx); every other stream test runs live against the emulator.

    @property
    def model_override_value(self) -> str | None:
        return self.override

    @property
    def supported_usage_metadata_details(self) -> Any:
        both = ["reasoning_output", "cache_read_input"]
        return {"invoke": both, "stream": both}

    def _invoke(self, model: str, prompt: str, stream: bool) -> AIMessage:
        llm = self.chat_model_class(**{**self.chat_model_params, "model": model})
        if not stream:
            return llm.invoke(prompt)  # type: ignore[return-value]
        full: BaseMessageChunk | None = None
        for chunk in llm.stream(prompt):
            full = chunk if full is None else full + chunk
        assert isinstance(full, AIMessageChunk)
        return full  # type: ignore[return-value]

    def invoke_with_reasoning_output(self, *, stream: bool = False) -> AIMessage:
        msg = self._invoke(self.reasoning_model, "Explain why 2+2=4, step by step.", stream)
        assert msg.additional_kwargs.get("reasoning_content")
        return msg

    def invoke_with_cache_read_input(self, *, stream: bool = False) -> AIMessage:
        return self._invoke(self.model_id, "Summarise: " + "lorem ipsum " * 200, stream)


class TestChatElectronHubIntegration(_Base):
    hub, model_id, override, reasoning_model = "electronhub", "gpt-4o", "gpt-4o-mini", "deepseek-r1"

    @property
    def chat_model_class(self) -> type[BaseChatModel]:
        return ChatElectronHub


class TestChatChainHubIntegration(_Base):
    hub, model_id, override, reasoning_model = (
        "chainhub", "gpt-4o-mini", "gpt-4o", "deepseek-reasoner"
    )

    @property
    def chat_model_class(self) -> type[BaseChatModel]:
        return ChatChainHub


class TestChatAPIHubIntegration(_Base):
    hub, model_id, override, reasoning_model = (
        "apihub", "deepseek-chat", "qwen-max", "deepseek-reasoner"
    )

    @property
    def chat_model_class(self) -> type[BaseChatModel]:
        return ChatAPIHub


class TestChatTokenHubIntegration(_Base):
    hub, model_id, override, reasoning_model = (
        "tokenhub", "openai/gpt-4.1", "anthropic/claude-sonnet-4-6", "deepseek/deepseek-r1"
    )

    @property
    def chat_model_class(self) -> type[BaseChatModel]:
        return ChatTokenHub
