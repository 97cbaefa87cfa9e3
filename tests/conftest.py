"""Suite-wide: say exactly why the standard tests that need the internet are skipped."""

from __future__ import annotations

import pytest

# langchain-tests' multimodal tests download their fixtures (images from raw.githubusercontent.com
# and wikimedia, PDFs from w3.org, WAV audio from wikimedia) and test_stream_time replays a VCR
# cassette that patches httpx; neither works offline against the loopback emulator. The
# conversions those tests exercise are covered offline in tests/langchain/test_chat_messages.py
# and test_chat_hub.py::test_image_input_reaches_the_hub.
_NEEDS_INTERNET = {
    "test_image_inputs": "downloads its image fixture from the internet; no network here",
    "test_image_tool_message": "downloads its image fixture from the internet; no network here",
    "test_pdf_inputs": "downloads its PDF fixture from w3.org; no network here",
    "test_pdf_tool_message": "downloads its PDF fixture from w3.org; no network here",
    "test_audio_inputs": "downloads its WAV fixture from wikimedia; no network here",
    "test_stream_time": "replays a VCR cassette by patching httpx; this suite uses the emulator",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    from langchain_tests.integration_tests import ChatModelIntegrationTests

    for item in items:
        cls = getattr(item, "cls", None)
        reason = _NEEDS_INTERNET.get(getattr(item, "originalname", ""))
        if reason and cls is not None and issubclass(cls, ChatModelIntegrationTests):
            item.add_marker(pytest.mark.skip(reason=reason))
