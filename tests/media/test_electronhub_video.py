"""Electron Hub video: one held-open stream with heartbeats, no job id to poll."""

from __future__ import annotations

import os

import pytest

from hub_core.errors import MediaJobError
from hub_core.media import HubMedia
from tests.media.conftest import av_seconds, key_of, ledger_jobs

PATH = "videos/generations"


@pytest.mark.parametrize("framing", ["bare", "sse", "mixed"])
def test_events_with_or_without_data_prefix(hub_emulator, media_for, framing):
    media = media_for("electronhub")
    hub_emulator.admin.fault(hub="electronhub", path=PATH, method="POST", framing=framing,
                             heartbeats=4)
    job = media.submit_video("a comet", aspect_ratio="1:1")
    assert job.job_id == job.local_id  # the hub gives no job id: a local one stands in
    result = job.wait()
    assert av_seconds(result.paths[0]) > 0
    assert result.job_id == job.job_id
    post = [r for r in hub_emulator.admin.ledger("electronhub", key_of(media))["requests"]
            if r["method"] == "POST"]
    assert len(post) == 1
    assert {k.lower(): v for k, v in post[0]["headers"].items()}["accept"] == \
        "text/event-stream"
    assert len(ledger_jobs(hub_emulator, media)) == 1


def test_the_stream_is_held_by_a_background_thread(hub_emulator, media_for):
    media = media_for("electronhub")
    hub_emulator.admin.fault(hub="electronhub", path=PATH, method="POST", heartbeats=6)
    job = media.submit_video("a comet")  # returns while the stream is still open
    record = media.job(job.job_id)
    assert record is not None and record.phase == "streaming"
    assert job.refresh().status in ("running", "succeeded")
    job.wait()
    assert media.job(job.job_id).phase == "finished"


def test_a_stream_cut_midway_is_lost_not_resubmitted(hub_emulator, media_for):
    media = media_for("electronhub")
    hub_emulator.admin.fault(hub="electronhub", path=PATH, method="POST", heartbeats=5,
                             drop="after_chunks", after_chunks=2)
    job = media.submit_video("a comet")
    with pytest.raises(MediaJobError, match="cannot be polled or resumed") as caught:
        job.wait()
    assert caught.value.status == "unknown"
    assert media.job(job.job_id).phase == "lost"
    assert len(ledger_jobs(hub_emulator, media)) == 1


def test_a_stream_row_left_by_a_dead_process_is_marked_lost_on_resume(hub_emulator,
                                                                       media_for):
    media = media_for("electronhub")
    row, _ = media.journal.begin(
        hub="electronhub", base_url=media.base_url, key_fp=media.key_fp,
        model="midjourney-video", kind="video", dialect="electronhub-video",
        endpoint="electronhub-video", request={"prompt": "x"}, phase="streaming")
    dead = os.fork()
    if dead == 0:  # a child that exits at once: its pid is then free and dead
        os._exit(0)
    os.waitpid(dead, 0)
    media.journal.update(row.local_id, owner_pid=dead)
    assert [r.local_id for r in media.unfinished()] == [row.local_id]
    fresh = HubMedia("electronhub", api_key=key_of(media), base_url=media.base_url,
                     output_dir=media.output_dir)
    with pytest.raises(MediaJobError, match="cannot be resumed"):
        fresh.resume(row.local_id)
    assert fresh.job(row.local_id).phase == "lost"
