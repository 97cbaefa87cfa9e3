"""Incremental Server-Sent Events decoder over raw bytes (WHATWG rules), built for speed.

Bytes go in as they arrive, in pieces of any size; complete events come out. Lines end at
LF, CRLF or CR (a CR at the end of a piece is held back in case LF follows).
Comment lines (``:`` heartbeats) are dropped. With ``json_lines=True`` a bare line starting with
``{`` or ``[`` is an event by itself (Electron Hub video streams JSON lines without ``data:``).
"""

from __future__ import annotations

__all__ = ["SSEDecoder", "SSEEvent"]


class SSEEvent:
    """One dispatched event; ``event`` is None unless the stream named it."""

    __slots__ = ("data", "event", "id", "retry")

    def __init__(
        self, data: str, event: str | None = None, id: str | None = None, retry: int | None = None
    ) -> None:
        self.data = data
        self.event = event
        self.id = id
        self.retry = retry

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SSEEvent):
            return NotImplemented
        return (self.data, self.event, self.id, self.retry) == (
            other.data,
            other.event,
            other.id,
            other.retry,
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"SSEEvent(data={self.data!r}, event={self.event!r}, id={self.id!r})"


class SSEDecoder:
    """``feed(bytes) -> list[SSEEvent]``, ``flush()`` at end of stream.

    ``feed_data`` is the hot path for JSON streams: it returns only each event's data string,
    so no event object is built per chunk.
    """

    __slots__ = ("_buf", "_data", "_event", "_id", "_json_lines", "_retry", "_started")

    def __init__(self, *, json_lines: bool = False) -> None:
        self._json_lines = json_lines
        self._buf = b""
        self._data: list[bytes] = []
        self._event: str | None = None
        self._id: str | None = None
        self._retry: int | None = None
        self._started = False

    def _split(self, chunk: bytes) -> list[bytes]:
        """Complete lines of ``buffer + chunk``; the incomplete tail stays buffered."""
        buf = self._buf + chunk if self._buf else chunk
        if not self._started and buf:
            if len(buf) < 3 and b"\xef\xbb\xbf".startswith(buf):
                self._buf = buf
                return []
            self._started = True
            if buf.startswith(b"\xef\xbb\xbf"):  # a BOM at the very start is not data
                buf = buf[3:]
        hold = b""
        if b"\r" in buf:
            if buf.endswith(b"\r"):  # may be the first half of \r\n
                hold = b"\r"
                buf = buf[:-1]
            buf = buf.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        lines = buf.split(b"\n")
        self._buf = lines.pop() + hold
        return lines

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        """Decode the next piece of the body into the events it completes."""
        out: list[SSEEvent] = []
        self._process(self._split(chunk), out, None)
        return out

    def feed_data(self, chunk: bytes) -> list[str]:
        """Like ``feed`` but returns only the data of each event (no event objects)."""
        out: list[str] = []
        self._process(self._split(chunk), None, out)
        return out

    def flush(self) -> list[SSEEvent]:
        """End of stream: a last line without newline counts; a pending event is dispatched."""
        out: list[SSEEvent] = []
        self._process(self._flush_lines(), out, None)
        return out

    def flush_data(self) -> list[str]:
        """``flush`` for the data-only path."""
        out: list[str] = []
        self._process(self._flush_lines(), None, out)
        return out

    def _flush_lines(self) -> list[bytes]:
        tail = self._buf
        self._buf = b""
        if tail.endswith(b"\r"):
            tail = tail[:-1]
        lines = [tail] if tail else []
        lines.append(b"")  # EOF dispatches what was gathered (servers often omit the blank line)
        return lines

    def _process(
        self, lines: list[bytes], events: list[SSEEvent] | None, datas: list[str] | None
    ) -> None:
        data = self._data
        for line in lines:
            if not line:
                if data:
                    self._dispatch(events, datas)
                    data = self._data
                continue
            if line.startswith(b"data:"):
                data.append(line[6:] if line[5:6] == b" " else line[5:])
                continue
            first = line[:1]
            if first == b":":
                continue
            if self._json_lines and (first == b"{" or first == b"["):
                if data:
                    self._dispatch(events, datas)
                    data = self._data
                data.append(line)
                self._dispatch(events, datas)
                data = self._data
                continue
            self._field(line)

    def _field(self, line: bytes) -> None:
        name, sep, value = line.partition(b":")
        if sep and value[:1] == b" ":
            value = value[1:]
        if name == b"event":
            self._event = value.decode("utf-8", "replace")
        elif name == b"data":  # "data" with no colon: an empty data line
            self._data.append(value)
        elif name == b"id":
            if b"\x00" not in value:
                self._id = value.decode("utf-8", "replace")
        elif name == b"retry" and value.isdigit():
            self._retry = int(value)

    def _dispatch(self, events: list[SSEEvent] | None, datas: list[str] | None) -> None:
        parts = self._data
        raw = parts[0] if len(parts) == 1 else b"\n".join(parts)
        text = raw.decode("utf-8", "replace")
        self._data = []
        if datas is not None:
            datas.append(text)
        elif events is not None:
            events.append(SSEEvent(text, self._event, self._id, self._retry))
        self._event = None  # the event type is per event; id and retry persist (WHATWG)
