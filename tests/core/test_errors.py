"""Error mapping for every dialect of PROTOCOL.md §2.9 (pure functions, no network)."""

from __future__ import annotations

import pickle

import pytest

from hub_core.errors import (
    AuthenticationError,
    BadRequestError,
    HubAPIError,
    HubError,
    InsufficientCreditsError,
    ModelNotFoundError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    StreamError,
    UpstreamError,
    error_from_payload,
    error_from_response,
    redact,
)


def test_openai_envelope_string_code() -> None:
    body = b'{"error":{"message":"bad temp","type":"invalid_request_error","param":"t","code":"x"}}'
    err = error_from_response(400, body, {"x-request-id": "req-1"}, hub="chainhub")
    assert type(err) is BadRequestError
    assert err.message == "bad temp"
    assert err.code == "x"
    assert err.error_type == "invalid_request_error"
    assert err.request_id == "req-1"
    assert str(err) == "chainhub: 400 bad temp"
    assert err.body == {
        "error": {"message": "bad temp", "type": "invalid_request_error", "param": "t", "code": "x"}
    }


def test_electronhub_integer_code_rate_limit_with_message_delay() -> None:
    body = {
        "error": {
            "message": "Rate limit exceeded. Try again in 180 seconds.",
            "type": "error",
            "code": 429,
        }
    }
    err = error_from_response(429, body, {}, hub="electronhub")
    assert isinstance(err, RateLimitError)
    assert err.retry_after == 180.0
    assert err.code == 429


@pytest.mark.parametrize(
    ("status", "body", "balance", "affordable", "required"),
    [
        (
            402,
            {
                "error": {
                    "message": "Insufficient balance. You have 3 credits, this request needs 20.",
                    "type": "error",
                    "code": 402,
                }
            },
            3.0,
            None,
            20.0,
        ),
        (
            402,
            {
                "error": {
                    "message": "This request requires more credits, or fewer max_tokens. You "
                    "requested up to 4096 tokens, but can only afford 92.",
                    "code": 402,
                }
            },
            None,
            92,
            None,
        ),
        (402, {"detail": "Insufficient token balance"}, None, None, None),
        (
            429,
            {"error": {"message": "You exceeded your current quota", "code": "insufficient_quota"}},
            None,
            None,
            None,
        ),
        (403, "Your credit balance is 0.5, please top up", 0.5, None, None),
    ],
)
def test_credits_errors(
    status: int, body: object, balance: float | None, affordable: int | None, required: float | None
) -> None:
    err = error_from_response(status, body, {}, hub="electronhub")
    assert type(err) is InsufficientCreditsError
    assert err.status_code == status
    assert err.balance == balance
    assert err.affordable_max_tokens == affordable
    assert err.required == required


def test_apihub_detail_dialect() -> None:
    err = error_from_response(502, b'{"detail": "Upstream provider error"}', {}, hub="apihub")
    assert type(err) is UpstreamError
    assert err.message == "Upstream provider error"
    err = error_from_response(401, b'{"detail": "Invalid API key"}', {}, hub="apihub")
    assert type(err) is AuthenticationError


def test_fastapi_validation_list_detail() -> None:
    body = {"detail": [{"loc": ["body", "model"], "msg": "field required", "type": "missing"}]}
    err = error_from_response(422, body, {}, hub="apihub")
    assert type(err) is BadRequestError
    assert err.message == "field required"


def test_plain_text_body() -> None:
    err = error_from_response(500, b"Internal Server Error", {}, hub="tokenhub")
    assert type(err) is ServerError
    assert err.message == "Internal Server Error"
    assert err.body == "Internal Server Error"


@pytest.mark.parametrize("status", [502, 503, 504])
def test_upstream_statuses(status: int) -> None:
    assert type(error_from_response(status, b"", {}, hub="x")) is UpstreamError


def test_403_plain_permission() -> None:
    err = error_from_response(403, {"error": {"message": "Too many keys for this IP"}}, {}, hub="e")
    assert type(err) is PermissionDeniedError


def test_404_model_and_plain() -> None:
    err = error_from_response(
        404,
        {"error": {"message": "The model `gpt-9` does not exist", "code": "model_not_found"}},
        {},
        hub="chainhub",
    )
    assert type(err) is ModelNotFoundError
    assert err.model == "gpt-9"
    err = error_from_response(
        404, {"error": {"message": "Model not found"}}, {}, hub="e", model="gpt-x"
    )
    assert type(err) is ModelNotFoundError
    assert err.model == "gpt-x"
    err = error_from_response(404, {"detail": "Key key_abc123 not found"}, {}, hub="apihub")
    assert type(err) is NotFoundError


def test_rate_limit_header_delays() -> None:
    err = error_from_response(
        429, {"detail": "Retry after the specified time"}, {"Retry-After-Ms": "250"}, hub="apihub"
    )
    assert isinstance(err, RateLimitError)
    assert err.retry_after == 0.25


def test_200_error_payloads() -> None:
    assert error_from_payload({"id": "c", "choices": []}, hub="x") is None
    assert error_from_payload({"code": "success", "message": "", "data": "t1"}, hub="x") is None
    assert error_from_payload({"code": 1, "description": "ok", "result": "1"}, hub="x") is None
    assert error_from_payload({"code": 22, "description": "queued", "result": "1"}, hub="x") is None
    assert error_from_payload({"code": 0, "message": "SUCCEED", "data": {}}, hub="x") is None
    job = {"id": "v1", "object": "video", "status": "failed", "error": {"message": "nsfw"}}
    assert error_from_payload(job, hub="x") is None

    task = error_from_payload(
        {"code": "task_not_exist", "message": "task_not_exist", "data": None}, hub="chainhub"
    )
    assert type(task) is NotFoundError
    assert task.status_code == 200
    mj = error_from_payload({"code": 24, "description": "banned prompt"}, hub="chainhub")
    assert type(mj) is BadRequestError
    assert mj.message == "banned prompt"
    assert type(error_from_payload({"code": 23, "description": "queue full"}, hub="c")) is (
        RateLimitError
    )
    wrapped = error_from_payload({"error": {"message": "boom", "code": 503}}, hub="e")
    assert type(wrapped) is UpstreamError
    generic = error_from_payload({"error": "something odd"}, hub="e")
    assert type(generic) is HubAPIError
    assert generic.message == "something odd"
    assert type(error_from_payload({"detail": "Insufficient token balance"}, hub="a")) is (
        InsufficientCreditsError
    )


def test_redaction_everywhere() -> None:
    key = "ek-SECRETsecret1234567890"
    body = {"error": {"message": f"bad key {key}", "authorization": "Bearer x"}}
    err = error_from_response(
        401,
        body,
        {"authorization": f"Bearer {key}", "x-request-id": "r"},
        hub="electronhub",
        secrets=[key],
    )
    for text in (str(err), repr(err), repr(err.body), repr(err.headers), repr(err.__dict__)):
        assert key not in text
    assert "authorization" not in err.headers
    assert "[redacted]" in err.message
    assert pickle.loads(pickle.dumps(err)).message == err.message
    assert redact("token th-abcdefghijkl and eyJhbGciOi.eyJzdWIi.sig") == (
        "token [redacted] and [redacted]"
    )


def test_errors_pickle_round_trip() -> None:
    err = error_from_response(
        402, {"error": {"message": "You have 3 credits, needs 20"}}, {}, hub="electronhub"
    )
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is InsufficientCreditsError
    assert (copy.balance, copy.required, copy.status_code, str(copy)) == (3.0, 20.0, 402, str(err))
    s = StreamError("broke", hub="x", partial_text="abc", chunks=3, error=err)
    s2 = pickle.loads(pickle.dumps(s))
    assert (s2.partial_text, s2.chunks, s2.status_code) == ("abc", 3, 402)
    assert isinstance(s2, HubError)
