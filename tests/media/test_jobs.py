"""Jobs against the emulator's faults: lost polls, timeouts resumed by id, lost submit
replies, failed jobs, 402s, identical submits, progress. Each paid job is submitted once."""

from __future__ import annotations

import pytest

from hub_core.errors import InsufficientCreditsError, MediaJobError, MediaJobTimeout
from hub_core.media import HubMedia
from tests.media.conftest import key_of, ledger_jobs, requests_to

TH_VIDEO = "videos/generations"


def _posts(emu, media, path_part):
    return [r for r in requests_to(emu, media)
            if r["method"] == "POST" and path_part in r["path"]]


@pytest.mark.parametrize("failure", [
    {"status": 503}, {"drop": "before_response"},
    {"status": 429, "headers": {"Retry-After": "0.1"}},  # the hub's delay is the next pause
])
def test_a_video_that_loses_two_polls_completes_after_one_submission(hub_emulator, media_for,
                                                                     failure):
    # max_retries=0: the transport does not retry, so the job's own wait loop must
    media = media_for("tokenhub", max_retries=0)
    job = media.submit_video("a fox in the snow", duration=4)
    hub_emulator.admin.fault(hub="tokenhub", path=f"{TH_VIDEO}/", method="GET", count=2,
                             **failure)
    result = job.wait()
    assert result.paths[0].exists()
    jobs = ledger_jobs(hub_emulator, media)
    assert len(jobs) == 1
    assert jobs[job.job_id]["submits"] == 1
    assert len(_posts(hub_emulator, media, TH_VIDEO)) == 1
    failed_polls = [r for r in requests_to(hub_emulator, media)
                    if r["method"] == "GET" and r["status"] != 200]
    assert len(failed_polls) == 2  # both lost polls reached the hub (a drop is status 0)


def test_a_timed_out_wait_is_resumed_by_id_without_a_second_submission(hub_emulator,
                                                                       media_for, tmp_path):
    media = media_for("chainhub")
    hub_emulator.admin.fault(hub="chainhub", path="kling/v1/videos/text2video", method="POST",
                             job_seconds=1.5)
    job = media.submit_video("a slow sunrise", model="kling-v1")
    with pytest.raises(MediaJobTimeout) as caught:
        job.wait(timeout=0.2)
    assert caught.value.job_id == job.job_id
    assert f"media.resume({job.job_id!r})" in str(caught.value)
    # a new object (same key, same journal): as a new process would do
    again = HubMedia("chainhub", api_key=key_of(media), base_url=media.base_url,
                     output_dir=media.output_dir, poll_interval=0.05, timeout=30)
    assert [r.id for r in again.unfinished()] == [job.job_id]
    result = again.resume(job.job_id).wait()
    assert result.paths[0].exists()
    assert again.unfinished() == []
    jobs = ledger_jobs(hub_emulator, media)
    assert len(jobs) == 1 and jobs[job.job_id]["submits"] == 1
    assert len(_posts(hub_emulator, media, "kling")) == 1


@pytest.mark.parametrize(
    ("hub", "path", "call"),
    [
        ("tokenhub", TH_VIDEO, lambda m: m.submit_video("a fox", duration=5)),
        ("chainhub", "suno/submit/music", lambda m: m.submit_music("a song")),
        ("electronhub", "images/generations", lambda m: m.generate_image("a fox")),
        ("electronhub", TH_VIDEO, lambda m: m.submit_video("a fox")),
    ],
)
def test_a_lost_submit_reply_is_never_resubmitted(hub_emulator, media_for, hub, path, call):
    media = media_for(hub)
    hub_emulator.admin.fault(hub=hub, path=path, method="POST", drop="after_accept")
    with pytest.raises(MediaJobError) as caught:
        call(media)
    err = caught.value
    assert "may exist" in str(err) and "NOT submitted again" in str(err)
    assert err.status == "unknown"
    jobs = ledger_jobs(hub_emulator, media)
    assert len(jobs) == 1  # the hub accepted (and charged) it once
    assert len(_posts(hub_emulator, media, path)) == 1  # and saw exactly one POST
    record = media.job(err.job_id)
    assert record is not None and record.phase == "lost" and not record.resumable
    assert [r.local_id for r in media.unfinished()] == [record.local_id]
    with pytest.raises(MediaJobError, match="NOT submitted again"):
        media.resume(err.job_id)
    assert len(ledger_jobs(hub_emulator, media)) == 1


@pytest.mark.parametrize(
    ("hub", "path", "submit"),
    [
        ("tokenhub", TH_VIDEO, lambda m: m.submit_video("a fox", duration=5)),
        ("chainhub", "kling/v1/videos", lambda m: m.submit_video("a fox", model="kling-v1")),
        ("chainhub", "volc/v1", lambda m: m.submit_video(
            "a fox", model="doubao-seedance-1-0-pro-fast-251015")),
        ("chainhub", "suno/submit", lambda m: m.submit_music("a song")),
        ("electronhub", TH_VIDEO, lambda m: m.submit_video("a fox")),
    ],
)
def test_a_failed_job_reports_the_hubs_reason(hub_emulator, media_for, hub, path, submit):
    media = media_for(hub)
    reason = "content policy violation: depicts a real person"
    hub_emulator.admin.fault(hub=hub, path=path, method="POST", job_fail=reason)
    job = submit(media)
    with pytest.raises(MediaJobError) as caught:
        job.wait()
    assert caught.value.reason == reason
    assert reason in str(caught.value)
    assert caught.value.job_id == job.job_id
    assert job.status == "failed" and job.failure_reason == reason
    record = media.job(job.job_id)
    assert record is not None and record.phase == "finished" and record.status == "failed"
    assert record.failure_reason == reason
    assert len(ledger_jobs(hub_emulator, media)) == 1


@pytest.mark.parametrize("hub", ["tokenhub", "electronhub"])
def test_a_402_at_submit_is_insufficient_credits_and_not_retried(hub_emulator, media_for, hub):
    media = media_for(hub)
    hub_emulator.admin.set_account(hub, key_of(media), balance=0.01)
    with pytest.raises(InsufficientCreditsError) as info:
        media.submit_video("a fox", duration=5 if hub == "tokenhub" else None)
    assert "max_tokens" not in str(info.value)  # a media call has none: the fix says what helps
    assert "cheaper model" in str(info.value)
    assert len(_posts(hub_emulator, media, TH_VIDEO)) == 1
    assert ledger_jobs(hub_emulator, media) == {}
    (record,) = media.journal.recent(media.hub, media.key_fp)
    assert record.phase == "rejected" and "402" in (record.note or "")
    assert media.unfinished() == []


def test_an_identical_submit_joins_the_running_job_unless_forced(hub_emulator, media_for):
    media = media_for("tokenhub")
    first = media.submit_video("the same fox", duration=5)
    second = media.submit_video("the same fox", duration=5)
    assert second.job_id == first.job_id
    assert len(ledger_jobs(hub_emulator, media)) == 1
    other = media.submit_video("a different fox", duration=5)
    forced = media.submit_video("the same fox", duration=5, force=True)
    assert len({first.job_id, other.job_id, forced.job_id}) == 3
    assert len(ledger_jobs(hub_emulator, media)) == 3
    assert second.wait().paths == first.wait().paths  # one job, one file
    forced.wait()
    later = media.submit_video("the same fox", duration=5)  # both have finished: a new job
    assert later.job_id not in (first.job_id, forced.job_id)


def test_progress_is_reported_through_the_callback(hub_emulator, media_for):
    media = media_for("tokenhub")
    hub_emulator.admin.fault(hub="tokenhub", path=TH_VIDEO, method="POST", job_seconds=0.6)
    seen: list[tuple[str, float | None]] = []
    job = media.submit_video("a fox", duration=5)
    job.wait(progress=lambda j: seen.append((j.status, j.progress)))
    assert seen[-1] == ("succeeded", 1.0)
    assert any(status in ("queued", "running") for status, _ in seen)
    fractions = [p for _, p in seen if p is not None]
    assert fractions == sorted(fractions) and all(0 <= p <= 1 for p in fractions)


def test_refresh_polls_once_and_resume_is_scoped_to_the_key(hub_emulator, media_for):
    media = media_for("tokenhub")
    job = media.submit_video("a fox", duration=5)
    polls_before = ledger_jobs(hub_emulator, media)[job.job_id]["polls"]
    assert job.refresh() is job
    assert ledger_jobs(hub_emulator, media)[job.job_id]["polls"] == polls_before + 1
    stranger = media_for("tokenhub", output_dir=media.output_dir)  # same journal, other key
    assert stranger.job(job.job_id) is None
    with pytest.raises(MediaJobError, match="no job"):
        stranger.resume(job.job_id)
    assert media.resume(job.job_id).job_id == job.job_id


def test_resuming_a_finished_job_returns_its_files_without_a_request(hub_emulator, media_for):
    media = media_for("tokenhub")
    result = media.generate_video("a fox", duration=5)
    seen = len(requests_to(hub_emulator, media))
    again = media.resume(result.job_id)
    assert again.status == "succeeded"
    assert again.refresh().wait().paths == result.paths
    assert len(requests_to(hub_emulator, media)) == seen
    result.paths[0].unlink()  # the file is gone: wait() fetches it again, still no resubmit
    assert media.resume(result.job_id).wait().paths[0].exists()
    assert ledger_jobs(hub_emulator, media)[result.job_id]["submits"] == 1
