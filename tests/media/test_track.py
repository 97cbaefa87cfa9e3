"""``HubMedia.track``: follow a job submitted elsewhere by its hub id, paying nothing again;
the hub shows a key only its own jobs."""

from __future__ import annotations

import pytest

from hub_core.errors import MediaJobError, UnsupportedFeatureError
from tests.media.conftest import key_of, ledger_jobs

TH_VIDEO = "videos/generations"


def _posts(emu, media, suffix):
    rows = emu.admin.ledger(media.hub, key_of(media))["requests"]
    return [r for r in rows if r["method"] == "POST" and r["path"].endswith(suffix)]


def test_a_job_submitted_by_another_journal_is_tracked_and_finished(hub_emulator, media_for,
                                                                    tmp_path):
    first = media_for("tokenhub", output_dir=tmp_path / "a")
    job = first.submit_video("a fox", duration=4)
    other = media_for("tokenhub", api_key=key_of(first), output_dir=tmp_path / "b")
    assert other.job(job.job_id) is None  # another journal: unknown there
    tracked = other.track(job.job_id)
    assert tracked.job_id == job.job_id and tracked.cost is None
    video = tracked.wait()
    assert video.paths[0].exists() and video.paths[0].parent == tmp_path / "b"
    assert len(_posts(hub_emulator, first, TH_VIDEO)) == 1  # tracked, never submitted again
    assert other.job(job.job_id).phase == "finished"
    again = other.track(job.job_id)  # now in this journal: returned as resume returns it
    assert again.result is not None and again.result.paths == video.paths


async def test_another_keys_job_is_refused_by_the_hub_and_recorded(hub_emulator, media_for):
    owner = media_for("tokenhub")
    job = owner.submit_video("a fox", duration=4)
    stranger = media_for("tokenhub")
    with pytest.raises(MediaJobError, match="does not show") as info:
        await stranger.atrack(job.job_id)
    assert info.value.job_id == job.job_id
    assert stranger.job(job.job_id).phase == "rejected" and stranger.unfinished() == []
    assert ledger_jobs(hub_emulator, stranger) == {}


def test_ids_the_hub_cannot_be_asked_about_are_refused_before_a_request(media_for):
    with pytest.raises(UnsupportedFeatureError, match="no id to poll"):
        media_for("electronhub").track("video-123")
    with pytest.raises(ValueError, match="job_id"):
        media_for("tokenhub").track("  ")
