"""langchain-tests EmbeddingsUnitTests / EmbeddingsIntegrationTests for every hub class."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from langchain_core.embeddings import Embeddings
from langchain_tests.integration_tests import EmbeddingsIntegrationTests
from langchain_tests.unit_tests import EmbeddingsUnitTests

from langchain_hub.embeddings import (
    APIHubEmbeddings,
    ChainHubEmbeddings,
    ElectronHubEmbeddings,
    HubEmbeddings,
    TokenHubEmbeddings,
)

_PREFIX = {"electronhub": "ek-", "chainhub": "sk-", "apihub": "sk-", "tokenhub": "th-"}
_ENV = {"electronhub": "ELECTRONHUB", "chainhub": "CHAINHUB", "apihub": "APIHUB", "tokenhub": "TOKENHUB"}


class _Unit(EmbeddingsUnitTests):
    hub = ""
    cls: type[HubEmbeddings] = HubEmbeddings

    @property
    def embeddings_class(self) -> type[Embeddings]:
        return self.cls

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        params: dict[str, Any] = {"api_key": f"{_PREFIX[self.hub]}unit", "rpm": 0}
        if self.cls is HubEmbeddings:
            params["hub"] = self.hub
        return params

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        env = _ENV[self.hub]
        key = f"{_PREFIX[self.hub]}from-env"
        init: dict[str, Any] = {"hub": self.hub} if self.cls is HubEmbeddings else {}
        return (
            {f"{env}_API_KEY": key, f"{env}_BASE_URL": "http://127.0.0.1:9/x/v1"},
            init,
            {"api_key": key, "base_url": "http://127.0.0.1:9/x/v1", "hub": self.hub},
        )


class _Integration(EmbeddingsIntegrationTests):
    hub = ""
    cls: type[HubEmbeddings] = HubEmbeddings

    @property
    def embeddings_class(self) -> type[Embeddings]:
        return self.cls

    @pytest.fixture
    def model(self, hub_emulator: Any) -> Embeddings:
        params: dict[str, Any] = {
            "api_key": f"{_PREFIX[self.hub]}test-{uuid.uuid4().hex}",
            "base_url": hub_emulator.base_url(self.hub),
            "rpm": 0,
        }
        if self.cls is HubEmbeddings:
            params["hub"] = self.hub
        return self.cls(**params)


class TestElectronHubEmbeddingsUnit(_Unit):
    hub, cls = "electronhub", ElectronHubEmbeddings


class TestChainHubEmbeddingsUnit(_Unit):
    hub, cls = "chainhub", ChainHubEmbeddings


class TestAPIHubEmbeddingsUnit(_Unit):
    hub, cls = "apihub", APIHubEmbeddings


class TestTokenHubEmbeddingsUnit(_Unit):
    hub, cls = "tokenhub", TokenHubEmbeddings


class TestHubEmbeddingsUnit(_Unit):
    hub, cls = "tokenhub", HubEmbeddings


class TestElectronHubEmbeddingsIntegration(_Integration):
    hub, cls = "electronhub", ElectronHubEmbeddings


class TestChainHubEmbeddingsIntegration(_Integration):
    hub, cls = "chainhub", ChainHubEmbeddings


class TestAPIHubEmbeddingsIntegration(_Integration):
    hub, cls = "apihub", APIHubEmbeddings


class TestTokenHubEmbeddingsIntegration(_Integration):
    hub, cls = "tokenhub", TokenHubEmbeddings


class TestHubEmbeddingsIntegration(_Integration):
    hub, cls = "chainhub", HubEmbeddings
