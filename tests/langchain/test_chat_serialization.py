"""Chat models serialize with langchain-core's ``dumpd`` and come back with ``load``; the key
is a secret reference, never its value."""

from __future__ import annotations

import json

import pytest
from langchain_core.load import dumpd, dumps, load

from langchain_hub import ChatHub, ChatTokenHub

KEY = "th-serial-1234567890"


@pytest.mark.parametrize(("cls", "extra"), [(ChatTokenHub, {}), (ChatHub, {"hub": "tokenhub"})])
def test_dumpd_and_load_round_trip(cls: type[ChatHub], extra: dict[str, str]) -> None:
    llm = cls(model="openai/gpt-4.1", api_key=KEY, temperature=0.2, **extra)
    data = dumpd(llm)
    assert data["id"] == ["langchain_hub", "chat_models", cls.__name__]
    assert KEY not in dumps(llm) and KEY not in json.dumps(data)
    revived = load(
        data, secrets_map={"TOKENHUB_API_KEY": KEY}, allowed_objects="all",
        valid_namespaces=["langchain_hub"],
    )
    assert type(revived) is cls
    assert (revived.hub, revived.model_name, revived.temperature) == ("tokenhub",
                                                                      "openai/gpt-4.1", 0.2)
    assert revived.api_key is not None and revived.api_key.get_secret_value() == KEY
