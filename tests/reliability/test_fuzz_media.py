"""Fuzzing (hypothesis) the media reply readers: whatever JSON a hub sends about a job, the
client sees one of ``queued | running | succeeded | failed`` (an unknown word is ``running``,
PROTOCOL gap 15) with a progress in 0..1 or none, or a typed ``HubError``; never another
exception.

Targets: the status normaliser and progress parser (``hub_core.media.status``), every task
dialect's poll reader, the submit-reply job id and failure-reason finders, the Electron Hub
video event reader (``hub_core.media.dialects``), and the sync replies' readers (image items,
music URLs, transcription fields, ``b64_json``). Pure functions, so no emulator is needed.
"""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub_core.errors import HubError
from hub_core.media.audio import transcription_fields
from hub_core.media.dialects import (
    DIALECTS,
    JobState,
    electronhub_event,
    failure_reason,
    find_task_id,
)
from hub_core.media.images import image_items
from hub_core.media.jobs import _server_delay  # the poll reply's delay header reader (pure)
from hub_core.media.music import reply_urls
from hub_core.media.results import decode_b64
from hub_core.media.status import needs_action, normalize_status, parse_progress

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
STATUSES = {"queued", "running", "succeeded", "failed"}

# Status words every hub uses (gap 15), in the spellings the normaliser promises to read.
KNOWN = {
    "queued": ["NOT_START", "not_started", "submitted", "QUEUED", "pending", "waiting",
               "created", "queue"],
    "running": ["IN_PROGRESS", "processing", "running", "started", "generating"],
    "succeeded": ["SUCCESS", "succeed", "succeeded", "completed", "complete", "done",
                  "finished"],
    "failed": ["FAILURE", "failed", "fail", "cancel", "canceled", "cancelled", "error",
               "expired"],
}
WORDS = st.sampled_from([w for words in KNOWN.values() for w in words] + ["MODAL", "unknown"])
KEYS = st.sampled_from([
    "status", "task_status", "state", "progress", "data", "task_result", "videos", "url",
    "video_url", "audio_url", "content", "b64_json", "id", "task_id", "result", "error",
    "message", "fail_reason", "failReason", "task_status_msg", "error_message", "msg",
    "heartbeat", "video", "text", "duration", "language", "segments", "code",
])
NUMBERS = (st.integers() | st.integers(-(10**400), 10**400)
           | st.floats(allow_nan=True, allow_infinity=True))
SCALARS = st.none() | st.booleans() | NUMBERS | st.text(max_size=20) | WORDS
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS | st.text(max_size=6),
                                                                inner, max_size=5),
    max_leaves=30,
)
PROGRESS = NUMBERS | st.text(max_size=12) | st.builds(lambda n: f"{n}%", NUMBERS) | JSON
# Replies shaped like each dialect's, with any values, so the readers' deep branches run.
ITEM = st.fixed_dictionaries({}, optional={"url": JSON | st.text(), "video_url": JSON,
                                           "audio_url": JSON, "b64_json": JSON})
SHAPED = st.fixed_dictionaries({}, optional={
    "status": WORDS | JSON, "progress": PROGRESS, "error": JSON | st.fixed_dictionaries(
        {}, optional={"message": JSON}), "fail_reason": JSON, "content": ITEM | JSON,
    "data": st.lists(ITEM, max_size=3) | ITEM | st.fixed_dictionaries({}, optional={
        "task_status": WORDS | JSON, "status": WORDS | JSON, "progress": PROGRESS,
        "task_status_msg": JSON, "task_result": st.fixed_dictionaries(
            {}, optional={"videos": st.lists(ITEM, max_size=2) | JSON}),
        "data": st.lists(ITEM, max_size=2) | JSON, "url": JSON}) | JSON,
})


def _spellings(word: str) -> list[str]:
    return [word, word.lower(), word.upper(), f"  {word} ", word.replace("_", "-"),
            word.replace("_", " ")]


def _check_state(state: JobState) -> None:
    assert state.status in STATUSES
    assert state.progress is None or 0.0 <= state.progress <= 1.0
    assert all(isinstance(u, str) and u for u in state.urls)
    if state.urls:
        assert state.status == "succeeded"
    if state.status == "failed":
        assert isinstance(state.failure_reason, str) and state.failure_reason
    assert isinstance(state.needs_action, bool)


# -- status words and progress ---------------------------------------------------------------


@FUZZ
@given(JSON)
def test_any_status_value_is_one_of_four_words(raw: Any) -> None:
    assert normalize_status(raw) in STATUSES
    assert isinstance(needs_action(raw), bool)


@FUZZ
@given(st.text(max_size=30))
def test_an_unknown_status_word_means_running(word: str) -> None:
    known = {w.lower() for words in KNOWN.values() for w in words}
    key = word.strip().lower().replace("-", "_").replace(" ", "_")
    if key not in known:
        assert normalize_status(word) == "running"  # gap 15: wait on, never guess an outcome


@FUZZ
@given(st.sampled_from(sorted(KNOWN)), st.data())
def test_every_known_word_in_any_spelling_is_read(status: str, data: st.DataObject) -> None:
    word = data.draw(st.sampled_from(KNOWN[status]))
    assert {normalize_status(w) for w in _spellings(word)} == {status}


@FUZZ
@given(PROGRESS)
def test_progress_is_a_fraction_or_none(value: Any) -> None:
    got = parse_progress(value)
    assert got is None or (isinstance(got, float) and 0.0 <= got <= 1.0 and math.isfinite(got))


@FUZZ
@given(st.integers(0, 100))
def test_whole_percentages_read_exactly(n: int) -> None:
    assert parse_progress(n) == parse_progress(f"{n}%") == parse_progress(str(n)) == n / 100


# -- task dialects (poll replies and submit replies) -----------------------------------------


@FUZZ
@given(st.sampled_from(sorted(DIALECTS)), SHAPED | JSON)
def test_every_dialect_reads_any_poll_reply(name: str, reply: Any) -> None:
    dialect = DIALECTS[name]
    _check_state(dialect.state(reply))
    job_id = dialect.job_id(reply)
    assert job_id is None or (isinstance(job_id, str) and job_id == job_id.strip() and job_id)


@FUZZ
@given(st.sampled_from(sorted(DIALECTS)), st.sampled_from(sorted(KNOWN)), st.data())
def test_dialects_read_the_status_where_their_hub_puts_it(
    name: str, status: str, data: st.DataObject
) -> None:
    word = data.draw(st.sampled_from(KNOWN[status]))
    url = "https://cdn.example/r.mp4"
    item = {"url": url, "video_url": url, "audio_url": url}
    replies = {
        "tokenhub-video": {"status": word, "data": [item]},
        "kling": {"data": {"task_status": word, "task_result": {"videos": [item]}}},
        "seedance": {"status": word, "content": item},
        "suno": {"data": {"status": word, "data": [item]}},
    }
    state = DIALECTS[name].state(replies[name])
    assert state.status == status
    assert state.urls == ((url,) if status == "succeeded" else ())


@FUZZ
@given(JSON)
def test_job_id_and_failure_reason_finders_take_any_json(reply: Any) -> None:
    job_id = find_task_id(reply)
    assert job_id is None or (isinstance(job_id, str) and job_id and job_id == job_id.strip())
    reason = failure_reason(reply)
    assert reason is None or (isinstance(reason, str) and reason and reason == reason.strip())


@FUZZ
@given(st.dictionaries(KEYS, JSON, max_size=6) | SHAPED)
def test_electronhub_video_events_of_any_shape(event: dict[str, Any]) -> None:
    state = electronhub_event(event)
    if state is not None:
        _check_state(state)


# -- sync media replies ----------------------------------------------------------------------


@FUZZ
@given(SHAPED | JSON)
def test_image_and_music_replies_of_any_shape(reply: Any) -> None:
    b64s, urls = image_items(reply)
    assert all(isinstance(b, str) and b for b in b64s)
    assert all(isinstance(u, str) and u for u in urls)
    assert all(isinstance(u, str) and u for u in reply_urls(reply))


@FUZZ
@given(SHAPED | JSON | st.dictionaries(KEYS, JSON, max_size=5))
def test_transcription_replies_of_any_shape(raw: Any) -> None:
    text, language, duration, segments = transcription_fields(raw)
    assert isinstance(text, str)
    assert language is None or isinstance(language, str)
    assert duration is None or (isinstance(duration, float) and math.isfinite(duration))
    assert all(isinstance(s, dict) for s in segments)


@FUZZ
@given(st.text(max_size=60) | st.builds(lambda t: f"data:image/png;base64,{t}", st.text()))
def test_b64_json_is_bytes_or_a_typed_error(value: str) -> None:
    try:
        assert isinstance(decode_b64(value, hub="fuzz"), bytes)
    except HubError:
        pass


def test_the_strategies_reach_json_a_hub_can_send() -> None:
    """Big integers and NaN are what ``json.loads`` gives for such replies, so they belong."""
    assert json.loads("1" + "0" * 400) == 10**400
    assert math.isnan(json.loads('{"progress": NaN}')["progress"])


@FUZZ
@given(st.dictionaries(st.sampled_from(["openai-poll-after-ms", "retry-after", "retry-after-ms"]),
                       st.text(max_size=12) | NUMBERS.map(str), max_size=3))
def test_the_delay_a_poll_reply_asks_for_is_finite_or_none(headers: dict[str, str]) -> None:
    """A NaN delay made ``wait()`` poll with no pause at all until its deadline."""
    delay = _server_delay(headers)
    assert delay is None or (math.isfinite(delay) and delay >= 0)
