"""The scripted model: schema-valid arguments taken from the prompt, stop and length handling."""

from __future__ import annotations

import json

import pytest

from hub_emulator.schema_fill import PromptValues, fill, json_object_keys
from hub_emulator.scripted import BadRequest, plan_reply, validate


def test_fill_resolves_refs_anyof_enum_and_takes_prompt_values() -> None:
    schema = {
        "type": "object",
        "properties": {
            "person": {"$ref": "#/$defs/Person"},
            "count": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
            "mood": {"type": "string", "enum": ["happy", "sad"]},
            "when": {"type": "string", "format": "date"},
        },
        "$defs": {"Person": {"type": "object", "properties": {"name": {"type": "string"}}}},
    }
    value = fill(schema, PromptValues("Add 'Zoë' to the sad list 12 times"))
    assert value == {"person": {"name": "Zoë"}, "count": 12, "mood": "sad", "when": "2024-01-01"}


def test_named_values_win_over_order() -> None:
    values = PromptValues("set unit=celsius for 'Oslo'")
    assert fill({"type": "object", "properties": {"city": {"type": "string"},
                                                  "unit": {"type": "string"}}}, values) == {
        "city": "Oslo", "unit": "celsius"}


def test_json_object_keys_come_from_quoted_identifiers() -> None:
    keys = json_object_keys("Return JSON with 'setup' and 'punchline' keys, don't add others")
    assert keys == ["setup", "punchline"]


def test_magic_function_argument() -> None:
    body = validate({"model": "m", "messages": [
        {"role": "user", "content": "What is the value of magic_function(3)? Use the tool."}],
        "tools": [{"type": "function", "function": {"name": "magic_function", "parameters": {
            "type": "object", "properties": {"input": {"type": "integer"}},
            "required": ["input"]}}}]})
    reply = plan_reply(body, "m", reasoning=False)
    assert [(c.name, json.loads(c.arguments)) for c in reply.tool_calls] == [
        ("magic_function", {"input": 3})]
    assert reply.finish_reason == "tool_calls"


def test_tool_choice_none_gives_text() -> None:
    body = validate({"model": "m", "tool_choice": "none",
                     "messages": [{"role": "user", "content": "hi"}],
                     "tools": [{"type": "function", "function": {"name": "f"}}]})
    reply = plan_reply(body, "m", reasoning=False)
    assert reply.tool_calls == [] and reply.content


def test_reasoning_counts_toward_max_tokens() -> None:
    body = validate({"model": "m", "max_tokens": 5,
                     "messages": [{"role": "user", "content": "think hard"}]})
    reply = plan_reply(body, "m", reasoning=True)
    assert reply.finish_reason == "length"
    assert reply.completion_tokens == 5 and reply.reasoning_tokens == 5 and reply.content == ""


@pytest.mark.parametrize("bad", [
    {"model": "m"}, {"model": "m", "messages": []}, {"messages": [{"role": "user"}]},
    {"model": "m", "messages": [{"role": "robot"}]},
    {"model": "m", "messages": [{"role": "user", "content": "x"}], "n": 0},
    {"model": "m", "messages": [{"role": "user", "content": "x"}], "temperature": 3},
])
def test_validation(bad: dict) -> None:
    with pytest.raises(BadRequest):
        validate(bad)


def _after_tool(**extra: object) -> dict:
    tool = {"type": "function", "function": {"name": "get_weather", "parameters": {
        "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}
    final = {"type": "function", "function": {"name": "Report", "parameters": {
        "type": "object", "properties": {"summary": {"type": "string"}}, "required": ["summary"]}}}
    return {
        "model": "m",
        "messages": [
            {"role": "user", "content": "Weather in 'Paris'?"},
            {"role": "assistant", "content": None, "tool_calls": [{"id": "c1", "type": "function",
             "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}]},
            {"role": "tool", "tool_call_id": "c1", "content": "sunny"},
        ],
        "tools": [tool, final],
        **extra,
    }


def test_after_tool_results_auto_answers_in_text() -> None:
    reply = plan_reply(_after_tool(), "m", reasoning=False)
    assert reply.tool_calls == []
    assert "sunny" in (reply.content or "")


def test_after_tool_results_required_calls_a_tool_not_yet_called() -> None:
    reply = plan_reply(_after_tool(tool_choice="required"), "m", reasoning=False)
    assert [c.name for c in reply.tool_calls] == ["Report"]


def test_after_tool_results_response_format_gives_schema_json() -> None:
    schema = {"type": "object", "properties": {"summary": {"type": "string"}}, "required": ["summary"]}
    body = _after_tool(response_format={"type": "json_schema", "json_schema": {"name": "R", "schema": schema}})
    reply = plan_reply(body, "m", reasoning=False)
    assert set(json.loads(reply.content or "{}")) == {"summary"}


def test_react_protocol_action_then_answer() -> None:
    system = (
        "## Tools\n> Tool Name: multiply\nTool Description: multiply two ints\n"
        'Tool Args: {"properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}, '
        '"required": ["a", "b"], "type": "object"}\n\nAction Input: the input to the tool'
    )
    first = plan_reply({"model": "m", "messages": [
        {"role": "system", "content": system},
        {"role": "user", "content": "Use multiply with a=6 and b=7."}]}, "m", reasoning=False)
    assert "Action: multiply" in (first.content or "")
    assert json.loads(first.content.split("Action Input:", 1)[1]) == {"a": 6, "b": 7}
    answer = plan_reply({"model": "m", "messages": [
        {"role": "system", "content": system},
        {"role": "user", "content": "Use multiply with a=6 and b=7."},
        {"role": "assistant", "content": first.content},
        {"role": "user", "content": "Observation: 42"}]}, "m", reasoning=False)
    assert (answer.content or "").endswith("Answer: The result is 42.")


def test_a_retrieval_prompt_gets_the_best_matching_context_paragraph() -> None:
    from hub_emulator.grounded import answer

    prompt = (
        "Context information is below.\n---------------------\nfile_path: /d/a.md\n\n"
        "Bananas are rich in potassium.\n\nfile_path: /d/b.md\n\n"
        "The Eiffel Tower is in Paris. It is 330 metres tall. It opened in 1889. More text.\n"
        "---------------------\nGiven the context information and not prior knowledge, answer "
        "the query.\nQuery: How tall is the Eiffel Tower?\nAnswer: "
    )
    assert answer(prompt) == (
        "The Eiffel Tower is in Paris. It is 330 metres tall. It opened in 1889."
    )
    assert answer(prompt.replace("How tall is the Eiffel Tower", "What is in bananas")) == (
        "Bananas are rich in potassium."
    )
    assert answer(prompt.replace("How tall is the Eiffel Tower", "Who wrote Hamlet")) == (
        "The context does not say."
    )
    assert answer("Tell me about Paris") is None
