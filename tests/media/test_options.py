"""``hub_core.media.options``: the allowed values and prices a tool can show a model agree with
the checks that refuse bad input (pure, no hub)."""

from __future__ import annotations

import pytest

from hub_core.errors import HubInputError, UnsupportedFeatureError
from hub_core.hubs import get_hub
from hub_core.media.options import (
    OPENAI_VOICES,
    max_images,
    price_text,
    sizes_for,
    video_options,
    voices_for,
)
from hub_core.media.validate import check_n


def test_video_options_per_dialect() -> None:
    eh = video_options(get_hub("electronhub"), "midjourney-video")
    assert (eh.dialect, eh.resolutions, eh.any_ratio) == ("electronhub-video", None, False)
    assert eh.aspect_ratios == ("16:9", "9:16", "1:1", "4:3", "3:4")
    kling = video_options(get_hub("chainhub"), "kling-v1")
    assert (kling.dialect, kling.durations, kling.prompt_limit) == ("kling", (5, 10), 2500)
    ark = video_options(get_hub("chainhub"), "doubao-seedance-1-0-pro-fast-251015")
    assert (ark.min_seconds, ark.max_seconds, ark.resolutions) == (2, 12, ("480p", "720p", "1080p"))
    th = video_options(get_hub("tokenhub"), "bytedance/doubao-seedance-2.0")
    assert (th.min_seconds, th.max_seconds, th.whole_seconds) == (4, 15, True)
    assert th.resolutions == ("480p", "720p") and th.any_ratio and "adaptive" in th.aspect_ratios


def test_video_options_refuse_what_the_hub_lacks() -> None:
    with pytest.raises(UnsupportedFeatureError):
        video_options(get_hub("apihub"), "anything")
    with pytest.raises(HubInputError, match="model"):
        video_options(get_hub("chainhub"), "sora-2")


def test_price_text_from_the_profile_tables() -> None:
    assert price_text(get_hub("electronhub"), "dall-e-3") == "20 credits per request"
    assert price_text(get_hub("tokenhub"), "kling/kling-std") == (
        "0.168 credits per second of output")
    assert price_text(get_hub("tokenhub"), "doubao-seedance-2.0-fast") == (
        "0.16 credits per second of output (480p: 0.1, 720p: 0.16)")
    assert price_text(get_hub("chainhub"), "never-priced-model") is None


def test_image_limits_match_the_checks() -> None:
    assert max_images("dall-e-3") == 1 and max_images("dall-e-2") == 10
    check_n(max_images("dall-e-2"), hub="electronhub", model="dall-e-2")
    with pytest.raises(HubInputError, match="must be 1 for dall-e-3"):
        check_n(max_images("dall-e-2"), hub="electronhub", model="dall-e-3")
    assert sizes_for("electronhub", "dall-e-2", edit=True) == {"256x256", "512x512", "1024x1024"}
    assert sizes_for("tokenhub", "bytedance/doubao-seedream-5.0") is None  # any WxH


def test_voices_only_where_documented() -> None:
    assert voices_for("tts-1") == OPENAI_VOICES == voices_for("openai/gpt-4o-mini-tts")
    assert voices_for("eleven-multilingual-v2") is None
