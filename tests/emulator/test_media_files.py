"""Result files served by the emulator: expiry, padding (streamed), ranges, cut downloads, and the
download count in the ledger."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from media_support import auth, av_info, download, jobs, png_size
from PIL import Image

from hub_emulator import Emulator


def _image_url(emu: Emulator, key: str, hub: str = "electronhub") -> str:
    model = "sdxl" if hub == "electronhub" else "dall-e-3"
    resp = httpx.post(f"{emu.base_url(hub)}/images/generations", headers=auth(key),
                      json={"model": model, "prompt": "a tree", "size": "256x256"
                            if hub == "electronhub" else "1024x1024"})
    url: str = resp.json()["data"][0]["url"]
    return url


def _video_url(emu: Emulator, key: str) -> str:
    emu.admin.fault(hub="tokenhub", path="videos/generations", job_seconds=0)
    base = emu.base_url("tokenhub")
    task = httpx.post(f"{base}/videos/generations", headers=auth(key),
                      json={"model": "doubao-seedance-2.0", "prompt": "rain", "duration": 4}
                      ).json()
    poll = httpx.get(f"{base}/videos/generations/{task['id']}", headers=auth(key)).json()
    assert poll["status"] == "succeeded"
    url: str = poll["data"][0]["video_url"]
    return url


def test_url_expires_with_403_and_unknown_is_404(hub_emulator: Emulator,
                                                 hub_key: Callable[[str], str],
                                                 emu_settings: Callable[..., Any]) -> None:
    assert emu_settings(url_ttl=0.3)["url_ttl"] == 0.3
    url = _image_url(hub_emulator, hub_key("electronhub"))
    assert "?expires=" in url
    assert png_size(download(url)) == (256, 256)
    time.sleep(0.5)
    expired = httpx.get(url)
    assert expired.status_code == 403
    assert "<Code>AccessDenied</Code>" in expired.text
    assert expired.headers["content-type"] == "application/xml"
    missing = httpx.get(url.replace("/_files/", "/_files/x"))
    assert missing.status_code == 404 and "NoSuchKey" in missing.text


def test_downloads_need_no_key_and_are_counted(hub_emulator: Emulator,
                                               hub_key: Callable[[str], str]) -> None:
    key = hub_key("electronhub")
    url = _image_url(hub_emulator, key)
    for _ in range(3):
        download(url)
    (job,) = jobs(hub_emulator, "electronhub", key).values()
    assert job["downloads"] == 3 and job["urls"] == [url]


def test_padded_results_stay_valid_files(hub_emulator: Emulator, hub_key: Callable[[str], str],
                                         emu_settings: Callable[..., Any]) -> None:
    plain = download(_video_url(hub_emulator, hub_key("tokenhub")))
    emu_settings(result_pad_bytes=3_000_000)
    url = _video_url(hub_emulator, hub_key("tokenhub"))
    with httpx.stream("GET", url) as resp:
        assert int(resp.headers["content-length"]) == len(plain) + 3_000_000
        chunks = list(resp.iter_raw())
    data = b"".join(chunks)
    assert len(data) == len(plain) + 3_000_000 and len(chunks) > 1
    assert data.startswith(plain)
    assert data[len(plain) + 4:len(plain) + 8] == b"free"  # a valid MP4 box holds the padding
    info = av_info(data)
    assert info["codec"] == "h264" and info["seconds"] == pytest.approx(4.0)
    png = download(_image_url(hub_emulator, hub_key("electronhub")))
    with Image.open(io.BytesIO(png)) as img:
        img.load()  # decoding stops at IEND; the zeros after it are ignored
        assert img.size == (256, 256)


def test_range_requests(hub_emulator: Emulator, hub_key: Callable[[str], str]) -> None:
    url = _image_url(hub_emulator, hub_key("electronhub"))
    whole = download(url)
    head = httpx.get(url, headers={"Range": "bytes=0-99"})
    assert head.status_code == 206 and head.content == whole[:100]
    assert head.headers["content-range"] == f"bytes 0-99/{len(whole)}"
    tail = httpx.get(url, headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.content == whole[-10:]
    rest = httpx.get(url, headers={"Range": "bytes=100-"})
    assert head.content + rest.content == whole
    bad = httpx.get(url, headers={"Range": f"bytes={len(whole)}-"})
    assert bad.status_code == 416 and bad.headers["content-range"] == f"bytes */{len(whole)}"


@pytest.mark.parametrize("after_chunks", [0, 1])
def test_cut_download(hub_emulator: Emulator, hub_key: Callable[[str], str],
                      emu_settings: Callable[..., Any], after_chunks: int) -> None:
    emu_settings(result_pad_bytes=2_000_000)
    key = hub_key("tokenhub")
    url = _video_url(hub_emulator, key)
    hub_emulator.admin.fault(hub="electronhub", path="/_files/", drop="after_chunks")
    hub_emulator.admin.fault(hub="tokenhub", path="/_files/", drop="after_chunks",
                             after_chunks=after_chunks)
    got = bytearray()
    with pytest.raises(httpx.RemoteProtocolError), httpx.stream("GET", url) as resp:
        total = int(resp.headers["content-length"])
        for chunk in resp.iter_raw():
            got += chunk
    assert 0 < len(got) < total
    # after_chunks=K: K chunks (the first is the file before its padding); 0: half the bytes
    assert len(got) == (total - 2_000_000 if after_chunks else total // 2)
    assert len(download(url)) == total  # the next download is whole
    pending = [(f["hub"], f["path"]) for f in hub_emulator.admin.faults()]
    assert ("electronhub", "/_files/") in pending  # a tokenhub file never matched it
    assert ("tokenhub", "/_files/") not in pending
    hub_emulator.admin.clear_faults()
    (job,) = jobs(hub_emulator, "tokenhub", key).values()
    assert job["downloads"] == 2
