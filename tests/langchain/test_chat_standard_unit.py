"""langchain-tests ChatModelUnitTests for the four hub classes (no network)."""

from __future__ import annotations

from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_tests.unit_tests import ChatModelUnitTests

from langchain_hub.chat_models import ChatAPIHub, ChatChainHub, ChatElectronHub, ChatTokenHub


class _Base(ChatModelUnitTests):
    model_id = ""
    key = ""
    env = ""

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": self.model_id, "api_key": self.key, "rpm": 0}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            {f"{self.env}_API_KEY": self.key, f"{self.env}_BASE_URL": "http://127.0.0.1:9/v1"},
            {"model": self.model_id},
            {"api_key": self.key, "base_url": "http://127.0.0.1:9/v1"},
        )


class TestChatElectronHubUnit(_Base):
    model_id, key, env = "gpt-4o", "ek-unit-test", "ELECTRONHUB"

    @property
    def chat_model_class(self) -> type[BaseChatModel]:
        return ChatElectronHub


class TestChatChainHubUnit(_Base):
    model_id, key, env = "gpt-4o-mini", "sk-unit-test", "CHAINHUB"

    @property
    def chat_model_class(self) -> type[BaseChatModel]:
        return ChatChainHub


class TestChatAPIHubUnit(_Base):
    model_id, key, env = "deepseek-chat", "sk-unit-test", "APIHUB"

    @property
    def chat_model_class(self) -> type[BaseChatModel]:
        return ChatAPIHub


class TestChatTokenHubUnit(_Base):
    model_id, key, env = "openai/gpt-4.1", "th-unit-test", "TOKENHUB"

    @property
    def chat_model_class(self) -> type[BaseChatModel]:
        return ChatTokenHub
