"""Streamed downloads: whole or nothing, http(s) only, capped, the key only for the hub's origin.

A small stdlib HTTP server on loopback plays the file host (a vendor CDN), so these tests can
cut a body mid-way, omit Content-Length, or read the headers a download sent. Nothing is mocked.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from hub_core.errors import DownloadError, HubInputError
from hub_core.transport import Transport

KEY = "sk-download-secret-123456"
PAYLOAD = bytes(range(256)) * 12_000  # ~3 MB


class _Files(BaseHTTPRequestHandler):
    """``/ok``, ``/cut``, ``/chunked``, ``/flaky`` (503 twice), ``/expired`` (403)."""

    protocol_version = "HTTP/1.1"
    seen: list[dict[str, Any]] = []
    flaky_left = 0

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        type(self).seen.append({"path": self.path, "headers": dict(self.headers)})
        path = self.path.split("?", 1)[0]
        if path == "/flaky" and type(self).flaky_left > 0:
            type(self).flaky_left -= 1
            self._plain(503, b'{"error":{"message":"busy"}}')
            return
        if path == "/expired":
            self._plain(403, b"<Error><Code>AccessDenied</Code>Request has expired</Error>")
            return
        if path == "/chunked":
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for start in range(0, len(PAYLOAD), 65536):
                piece = PAYLOAD[start : start + 65536]
                self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
            return
        self.send_response(200)
        self.send_header("Content-Type", "video/mp4; charset=binary")
        self.send_header("Content-Length", str(len(PAYLOAD)))
        self.end_headers()
        if path == "/cut":
            self.wfile.write(PAYLOAD[: len(PAYLOAD) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(PAYLOAD)

    def _plain(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def file_host() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Files)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def transport(file_host: str) -> Iterator[Transport]:
    # the hub lives elsewhere: the file host is a foreign origin (a CDN)
    t = Transport(hub="tokenhub", base_url="http://127.0.0.1:9/api/v1", api_key=KEY,
                  max_retries=2)
    t.policy = type(t.policy)(max_retries=2, initial_delay=0.01, max_delay=0.02)
    yield t
    t.close()


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_download_streams_the_file_whole(transport: Transport, file_host: str,
                                         tmp_path: Path) -> None:
    seen: list[tuple[int, int | None]] = []
    out = transport.download(f"{file_host}/ok?sig=abc", tmp_path / "job_0.mp4",
                             progress=lambda n, total: seen.append((n, total)))
    assert out.path.read_bytes() == PAYLOAD
    assert (out.size, out.content_type) == (len(PAYLOAD), "video/mp4")
    assert _leftovers(tmp_path) == ["job_0.mp4"]
    assert seen[-1] == (len(PAYLOAD), len(PAYLOAD))
    assert [n for n, _ in seen] == sorted(n for n, _ in seen) and len(seen) > 10


def test_a_cut_download_leaves_nothing_at_the_final_path(transport: Transport, file_host: str,
                                                         tmp_path: Path) -> None:
    with pytest.raises(DownloadError) as info:
        transport.download(f"{file_host}/cut?token=xyz", tmp_path / "job_0.mp4")
    assert _leftovers(tmp_path) == []
    assert info.value.received <= len(PAYLOAD) // 2
    assert "token=xyz" not in str(info.value) and info.value.url == f"{file_host}/cut"


def test_a_failed_download_keeps_an_existing_file(transport: Transport, file_host: str,
                                                  tmp_path: Path) -> None:
    target = tmp_path / "job_0.mp4"
    target.write_bytes(b"earlier")
    with pytest.raises(DownloadError):
        transport.download(f"{file_host}/cut", target)
    assert target.read_bytes() == b"earlier"
    assert _leftovers(tmp_path) == ["job_0.mp4"]


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/x.mp4",
                                 "/tmp/x.mp4", "data:video/mp4;base64,AAAA", "http:///nohost"])
def test_non_http_urls_are_refused_before_any_io(transport: Transport, tmp_path: Path,
                                                 url: str) -> None:
    before = len(_Files.seen)
    with pytest.raises(HubInputError, match="http") as info:
        transport.download(url, tmp_path / "x.mp4")
    assert isinstance(info.value, ValueError) and info.value.field == "url"
    assert _leftovers(tmp_path) == [] and len(_Files.seen) == before


def test_size_cap_from_content_length_and_from_the_bytes(transport: Transport, file_host: str,
                                                         tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match="max_bytes=1000"):
        transport.download(f"{file_host}/ok", tmp_path / "a.bin", max_bytes=1000)
    with pytest.raises(DownloadError, match="max_bytes=100000") as info:
        transport.download(f"{file_host}/chunked", tmp_path / "b.bin", max_bytes=100_000)
    assert info.value.received > 100_000
    assert _leftovers(tmp_path) == []
    out = transport.download(f"{file_host}/chunked", tmp_path / "c.bin", max_bytes=len(PAYLOAD))
    assert out.path.read_bytes() == PAYLOAD


def test_a_failing_file_host_is_retried_then_an_expired_url_is_explained(
    transport: Transport, file_host: str, tmp_path: Path
) -> None:
    _Files.flaky_left = 2
    before = len(_Files.seen)
    out = transport.download(f"{file_host}/flaky", tmp_path / "f.bin")
    assert out.size == len(PAYLOAD) and len(_Files.seen) - before == 3
    before = len(_Files.seen)
    with pytest.raises(DownloadError, match="expire") as info:
        transport.download(f"{file_host}/expired", tmp_path / "e.bin")
    assert info.value.status_code == 403 and len(_Files.seen) - before == 1
    assert _leftovers(tmp_path) == ["f.bin"]


def test_the_key_goes_only_to_the_hubs_own_origin(file_host: str, tmp_path: Path) -> None:
    foreign = Transport(hub="tokenhub", base_url="http://127.0.0.1:9/api/v1", api_key=KEY)
    own = Transport(hub="tokenhub", base_url=f"{file_host}/api/v1", api_key=KEY)
    try:
        foreign.download(f"{file_host}/ok?who=cdn", tmp_path / "a.bin")
        own.download(f"{file_host}/ok?who=hub", tmp_path / "b.bin")
    finally:
        foreign.close()
        own.close()
    by_query = {r["path"].split("=", 1)[1]: r["headers"] for r in _Files.seen
                if r["path"].startswith("/ok?who=")}
    assert "Authorization" not in by_query["cdn"]
    assert by_query["hub"]["Authorization"] == f"Bearer {KEY}"


def test_async_download_whole_and_cut(transport: Transport, file_host: str,
                                      tmp_path: Path) -> None:
    async def main() -> None:
        out = await transport.adownload(f"{file_host}/chunked", tmp_path / "a.bin")
        assert out.path.read_bytes() == PAYLOAD
        with pytest.raises(DownloadError):
            await transport.adownload(f"{file_host}/cut", tmp_path / "b.bin")
        with pytest.raises(HubInputError):
            await transport.adownload("file:///etc/hosts", tmp_path / "c.bin")
        await transport.aclose()

    asyncio.run(main())
    assert _leftovers(tmp_path) == ["a.bin"]
