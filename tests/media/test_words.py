"""What tools tell a model: results, jobs and errors in words, and the artifact dict (pure)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub_core.credits import Cost
from hub_core.errors import (
    AuthenticationError,
    BadRequestError,
    BudgetExceededError,
    DownloadError,
    HubConnectionError,
    HubInputError,
    InsufficientCreditsError,
    MediaJobError,
    MediaJobTimeout,
    RateLimitError,
    UnsupportedFeatureError,
)
from hub_core.media import MediaResult, Transcription
from hub_core.media.explain import explain
from hub_core.media.summary import artifact, result_text
from hub_core.media.validate import check_inside

IMAGE = MediaResult(job_id="image-1", hub="electronhub", model="dall-e-2", kind="image",
                    urls=("https://cdn/a.png", "https://cdn/b.png"),
                    paths=(Path("/out/image-1_0.png"), Path("/out/image-1_1.png")),
                    mime_types=("image/png", "image/png"), cost=Cost(10, "credits"))


def test_result_text_names_every_file_url_and_the_cost() -> None:
    text = result_text(IMAGE)
    assert text.startswith("Made 2 images with dall-e-2 on Electron Hub (cost: 10 credits).")
    for part in (*map(str, IMAGE.paths), *IMAGE.urls):
        assert part in text
    unpriced = MediaResult(job_id="v", hub="chainhub", model="kling-v1", kind="video",
                           paths=(Path("/out/v_0.mp4"),))
    assert "1 video" in result_text(unpriced) and "price unknown" in result_text(unpriced)
    spoken = Transcription(text="hello there", response_format="json", job_id="t",
                           hub="chainhub", model="whisper-1")
    assert result_text(spoken).endswith(": hello there")


def test_artifact_is_plain_data_with_the_issue_fields() -> None:
    art = artifact(IMAGE)
    assert {"job_id", "status", "urls", "paths", "mime_types", "cost", "model"} <= set(art)
    assert art["paths"] == ["/out/image-1_0.png", "/out/image-1_1.png"]
    assert art["cost"] == {"amount": 10, "unit": "credits"} and art["status"] == "succeeded"


@pytest.mark.parametrize(
    ("error", "must_say"),
    [
        (InsufficientCreditsError("402 Insufficient balance", hub="electronhub", status_code=402),
         ["Out of credits on Electron Hub", "Nothing was made", "top up"]),
        (RateLimitError("429 slow down", hub="tokenhub", status_code=429, retry_after=20),
         ["rate-limiting", "wait 20 s", "Nothing was made"]),
        (BadRequestError("Your request was rejected: unsafe", hub="chainhub", status_code=400),
         ["ChainHub refused the request", "unsafe", "Change the prompt"]),
        (AuthenticationError("bad key", hub="tokenhub", status_code=401),
         ["rejected the API key", "retrying will not help"]),
        (MediaJobError("video job 'x' failed", hub="tokenhub", job_id="x", status="failed",
                       reason="content filter"),
         ["it failed: content filter", "change it"]),
        (MediaJobTimeout("late", hub="tokenhub", job_id="tsk-9", status="running"),
         ["still running", "check_media_job with job_id='tsk-9'", "Do not submit it again"]),
        (DownloadError("cut", hub="tokenhub", url="https://cdn/v.mp4",
                       result=MediaResult(job_id="tsk-3", hub="tokenhub", model="m",
                                          kind="video", urls=("https://cdn/v.mp4?sig=1",))),
         ["https://cdn/v.mp4?sig=1", "job_id='tsk-3'", "nothing is paid again"]),
        (HubInputError.invalid("size", "must be one of 256x256", "9x9", fix="pick one",
                               hub="electronhub"),
         ["refused before anything was sent", "size must be one of 256x256"]),
        (BudgetExceededError("this call could cost up to 20 credits. Nothing was sent.",
                             hub="electronhub"), ["spending budget", "Nothing was sent"]),
        (UnsupportedFeatureError("API Hub documents no image route", hub="apihub"),
         ["Nothing was sent", "API Hub cannot"]),
        (HubConnectionError("refused", hub="chainhub"), ["Could not reach ChainHub"]),
    ],
)
def test_every_error_says_what_happened_and_what_to_do(error, must_say) -> None:
    text = explain(error)
    for part in must_say:
        assert part in text, (part, text)


def test_explain_names_the_given_job_tool_and_passes_other_errors_through() -> None:
    late = MediaJobTimeout("late", hub="tokenhub", job_id="j", status="queued")
    assert "check_job with job_id='j'" in explain(late, check_tool="check_job")
    assert explain(OSError("disk full")) == "disk full"


def test_check_inside_refuses_paths_outside_the_given_folders(tmp_path: Path) -> None:
    inside = tmp_path / "out" / "a.png"
    inside.parent.mkdir()
    inside.write_bytes(b"x")
    assert check_inside(str(inside), [tmp_path / "out"], field="image", hub="x") == inside
    for outside in ("/etc/passwd", str(tmp_path / "out" / ".." / "secret.png"), ""):
        with pytest.raises(HubInputError, match="image"):
            check_inside(outside, [tmp_path / "out"], field="image", hub="x")
