"""Result downloads: whole or nothing, http(s) only, capped; a failed download keeps the job."""

from __future__ import annotations

import pytest

from hub_core.errors import DownloadError
from tests.media.conftest import av_seconds, ledger_jobs

TH_POLL = "videos/generations/"


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith(".ai-hubs-jobs"))


def test_a_download_cut_halfway_leaves_nothing_and_only_the_download_is_retried(
    hub_emulator, media_for
):
    media = media_for("tokenhub")
    job = media.submit_video("a fox", duration=5)
    hub_emulator.admin.fault(path="/_files/", method="GET", drop="after_chunks")
    with pytest.raises(DownloadError) as caught:
        job.wait()
    err = caught.value
    assert "complete" in str(err) or "cut" in str(err)  # the body stopped half-way
    assert err.result is not None and err.result.urls == job.urls and err.result.paths == ()
    assert _leftovers(media.output_dir) == []  # no final file, no part file
    record = media.job(job.job_id)
    assert record is not None and record.phase == "download_failed"
    assert record.urls == job.urls and record.resumable
    assert [r.id for r in media.unfinished()] == [job.job_id]
    with pytest.raises(DownloadError):  # still cut: waiting again never passes off nothing
        hub_emulator.admin.fault(path="/_files/", method="GET", drop="after_chunks")
        job.wait()
    result = job.download()  # the download alone, again
    assert av_seconds(result.paths[0]) > 0
    assert _leftovers(media.output_dir) == [result.paths[0].name]
    jobs = ledger_jobs(hub_emulator, media)
    assert len(jobs) == 1 and jobs[job.job_id]["submits"] == 1
    assert media.unfinished() == []


def test_a_failed_download_resumes_from_the_journal_in_a_new_object(hub_emulator, media_for):
    media = media_for("chainhub")
    hub_emulator.admin.fault(path="/_files/", method="GET", status=500, count=3)
    with pytest.raises(DownloadError):
        media.generate_video("a fox", model="kling-v1")
    (row,) = media.unfinished()
    again = media_for("chainhub", api_key=media.client.api_key, output_dir=media.output_dir)
    result = again.resume(row.id).wait()
    assert result.paths[0].exists()
    assert len(ledger_jobs(hub_emulator, media)) == 1


def test_a_file_url_from_the_hub_is_refused(hub_emulator, media_for, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the hub")
    media = media_for("tokenhub")
    job = media.submit_video("a fox", duration=5)
    hub_emulator.admin.fault(hub="tokenhub", path=TH_POLL, method="GET", status=200, body={
        "id": job.job_id, "object": "video.generation.task", "status": "succeeded",
        "data": [{"video_url": secret.as_uri()}]})
    with pytest.raises(DownloadError, match="http") as caught:
        job.wait()
    assert caught.value.result.urls == (secret.as_uri(),)
    assert _leftovers(media.output_dir) == []
    assert media.job(job.job_id).phase == "download_failed"


def test_the_size_cap_refuses_big_results(hub_emulator, media_for):
    media = media_for("tokenhub", max_download_bytes=1000)
    with pytest.raises(DownloadError, match="max_bytes"):
        media.generate_video("a fox", duration=5)
    assert _leftovers(media.output_dir) == []


def test_an_expired_url_says_so_and_the_job_is_not_paid_again(hub_emulator, media_for):
    settings = hub_emulator.admin.configure()
    hub_emulator.admin.configure(url_ttl=0.0)
    try:
        media = media_for("electronhub")
        with pytest.raises(DownloadError, match="expire") as caught:
            media.generate_image("a fox", model="sdxl")
    finally:
        hub_emulator.admin.configure(url_ttl=settings["url_ttl"])
    assert caught.value.status_code == 403
    assert caught.value.result.urls
    assert len(ledger_jobs(hub_emulator, media)) == 1


def test_file_names_come_from_the_job_and_mime_type_not_the_url(hub_emulator, media_for):
    media = media_for("chainhub")
    result = media.generate_music("a song", model="chirp-v3-5")
    url_names = [u.split("?")[0].rsplit("/", 1)[-1] for u in result.urls]
    names = [p.name for p in result.paths]
    assert names == [f"{result.job_id}_{i}.mp3" for i in range(len(result.urls))]
    assert not set(names) & set(url_names)
