"""Defects the media columns of the fault matrix found, each shown on its own (issue 13).

- A submit answered 2xx with a body that cannot be read (JSON cut short, a proxy's page) was
  marked ``rejected`` and raised as a plain ``InvalidResponseError``: the hub had taken (and
  charged) the job, yet the journal said it was refused and the caller was free to pay again.
  It is a lost reply: row ``lost``, ``MediaJobError`` saying the job may exist.
- ``wait()`` gave up on a job when one poll came back as a proxy's page, though the transport
  retries that like a 502 and the wait retries 502s until its own deadline.
- Electron Hub's video stream: a line that is not JSON ended the job as ``failed`` with the
  parser's words as the hub's reason (a paid video the hub may still deliver, reported failed);
  a proxy's HTML page instead of the stream read as "the stream ended without a result".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from hub_core.errors import InvalidResponseError, MediaJobError
from hub_core.media import HubMedia

pytestmark = pytest.mark.usefixtures("short_backoff")

TH_VIDEO = "videos/generations"


@pytest.fixture
def media_of(hub_emulator: Any, hub_key: Callable[[str], str], tmp_path: Path
             ) -> Iterator[Callable[..., HubMedia]]:
    """``media_of(hub, **kw)``: a HubMedia on a fresh key, fast polls, a short wait."""
    made: list[HubMedia] = []

    def make(hub: str, **kw: Any) -> HubMedia:
        media = HubMedia(hub, **{"api_key": hub_key(hub), "base_url": hub_emulator.base_url(hub),
                                 "output_dir": tmp_path, "poll_interval": 0.02, "timeout": 10.0,
                                 "rpm": 0, **kw})
        made.append(media)
        return media

    yield make
    for media in made:
        media.close()


def _ledger(emu: Any, media: HubMedia) -> dict[str, Any]:
    assert media.client.api_key is not None
    ledger: dict[str, Any] = emu.admin.ledger(media.hub, media.client.api_key.get_secret_value())
    return ledger


def _assert_kept_as_lost(media: HubMedia, err: MediaJobError) -> None:
    assert err.status == "unknown" and "NOT submitted again" in str(err)
    assert isinstance(err.__cause__, InvalidResponseError)
    record = media.job(err.job_id or "")
    assert record is not None and record.phase == "lost"
    assert [r.local_id for r in media.unfinished()] == [record.local_id]


@pytest.mark.parametrize("body", ["truncated_json", "html"])
@pytest.mark.parametrize(
    ("hub", "path", "call"),
    [
        ("tokenhub", TH_VIDEO, lambda m: m.submit_video("a fox", duration=4)),
        ("chainhub", "suno/submit/music", lambda m: m.submit_music("a song")),
        ("electronhub", "images/generations", lambda m: m.generate_image("a fox")),
    ],
)
def test_an_unreadable_submit_reply_is_a_lost_reply_not_a_refusal(
    hub_emulator: Any, media_of: Callable[..., HubMedia], hub: str, path: str,
    call: Callable[[HubMedia], Any], body: str,
) -> None:
    media = media_of(hub)
    hub_emulator.admin.fault(hub=hub, path=path, method="POST", invalid_body=body, count=2)
    with pytest.raises(MediaJobError) as caught:
        call(media)
    _assert_kept_as_lost(media, caught.value)
    ledger = _ledger(hub_emulator, media)
    posts = [r for r in ledger["requests"] if r["method"] == "POST"]
    assert len(posts) == 1  # never sent again
    assert len(ledger["jobs"]) == (1 if body == "truncated_json" else 0)  # the hub took it
    assert len(hub_emulator.admin.faults()) == 1  # the second use is still pending
    hub_emulator.admin.clear_faults()


def test_the_wait_retries_a_poll_answered_by_a_proxy_page(
    hub_emulator: Any, media_of: Callable[..., HubMedia]
) -> None:
    media = media_of("tokenhub", max_retries=0)  # no transport retry: the wait loop must
    job = media.submit_video("a fox", duration=4)
    hub_emulator.admin.fault(hub="tokenhub", path=f"{TH_VIDEO}/", method="GET",
                             invalid_body="html", count=2)
    result = job.wait()
    assert result.path is not None and result.path.exists()
    polls = [r for r in _ledger(hub_emulator, media)["requests"] if r["method"] == "GET"]
    assert len(polls) >= 3 and all(r["status"] == 200 for r in polls)
    assert hub_emulator.admin.faults() == []
    assert media.unfinished() == []


def test_a_proxy_page_instead_of_the_video_stream_is_an_invalid_response(
    hub_emulator: Any, media_of: Callable[..., HubMedia]
) -> None:
    media = media_of("electronhub")
    hub_emulator.admin.fault(hub="electronhub", path=TH_VIDEO, method="POST",
                             invalid_body="html")
    with pytest.raises(MediaJobError) as caught:
        media.submit_video("a fox")
    _assert_kept_as_lost(media, caught.value)
    assert "text/html" in str(caught.value.__cause__)


def test_a_line_that_is_not_json_in_the_video_stream_leaves_the_job_lost_not_failed(
    hub_emulator: Any, media_of: Callable[..., HubMedia]
) -> None:
    media = media_of("electronhub")
    hub_emulator.admin.fault(hub="electronhub", path=TH_VIDEO, method="POST", heartbeats=4,
                             sse="malformed_line", after_chunks=2)
    job = media.submit_video("a fox")
    with pytest.raises(MediaJobError) as caught:
        job.wait()
    err = caught.value
    assert err.status == "unknown" and "NOT submitted again" in str(err)
    assert "not valid JSON" in str(err)
    assert err.reason is None  # the hub gave no failure reason: it never said the job failed
    record = media.job(job.job_id)
    assert record is not None and record.phase == "lost" and record.status is None
    assert [r.local_id for r in media.unfinished()] == [record.local_id]
    (paid,) = _ledger(hub_emulator, media)["jobs"].values()
    assert paid["submits"] == 1


@pytest.mark.parametrize("reply", [[], [{"url": 1}], {"data": 5}])
def test_a_paid_image_reply_of_another_shape_is_a_typed_error_with_the_reply(
    hub_emulator: Any, media_of: Callable[..., HubMedia], reply: Any
) -> None:
    """Found by fuzzing the reply readers: a 200 reply that is JSON but not an images object
    escaped as AttributeError/TypeError after the call was paid for."""
    media = media_of("electronhub")
    hub_emulator.admin.fault(hub="electronhub", path="images/generations", method="POST",
                             status=200, body=reply)
    with pytest.raises(MediaJobError, match="gave no result URL") as caught:
        media.generate_image("a fox")
    assert caught.value.body == reply
    assert media.unfinished() == []  # recorded as finished, with the reason in its note
