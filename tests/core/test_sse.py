"""SSE decoding: WHATWG rules, and identical events whatever the byte split (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hub_core.sse import SSEDecoder, SSEEvent


def _all(raw: bytes, **kw: bool) -> list[SSEEvent]:
    dec = SSEDecoder(**kw)
    return dec.feed(raw) + dec.flush()


def test_basic_rules() -> None:
    raw = (
        b": heartbeat\n\n"
        b'data: {"a": 1}\n\n'
        b"event: error\ndata: line1\ndata: line2\nid: 7\nretry: 10\n\n"
        b"data:nospace\r\n\r\n"
        b"unknown: x\ndata\n\n"
        b"data: [DONE]\n\n"
    )
    assert _all(raw) == [
        SSEEvent('{"a": 1}'),
        SSEEvent("line1\nline2", "error", "7", 10),
        SSEEvent("nospace", None, "7", 10),
        SSEEvent("", None, "7", 10),
        SSEEvent("[DONE]", None, "7", 10),
    ]


def test_comments_only_and_event_without_data_are_not_dispatched() -> None:
    assert _all(b": ping\n\n: ping\n\nevent: x\n\n") == []


def test_eof_without_blank_line_dispatches() -> None:
    dec = SSEDecoder()
    assert dec.feed(b"data: tail") == []
    assert dec.flush() == [SSEEvent("tail")]


def test_cr_split_across_chunks_is_one_line_end() -> None:
    dec = SSEDecoder()
    out = dec.feed(b"data: a\r") + dec.feed(b"\ndata: b\r") + dec.feed(b"\n\r\n")
    assert out == [SSEEvent("a\nb")]


def test_bom_and_utf8_split() -> None:
    raw = "\ufeffdata: héllo ✓\n\n".encode()
    dec = SSEDecoder()
    out: list[SSEEvent] = []
    for i in range(len(raw)):
        out += dec.feed(raw[i : i + 1])
    assert out == [SSEEvent("héllo ✓")]


def test_json_lines_mode() -> None:
    raw = b'{"heartbeat": true}\n\n{"url": "https://x/v.mp4"}\ndata: {"b": 2}\n\n'
    assert _all(raw, json_lines=True) == [
        SSEEvent('{"heartbeat": true}'),
        SSEEvent('{"url": "https://x/v.mp4"}'),
        SSEEvent('{"b": 2}'),
    ]
    # without the option a bare JSON line is an unknown field and is ignored
    assert _all(raw) == [SSEEvent('{"b": 2}')]


def test_feed_data_matches_feed() -> None:
    raw = b"data: 1\n\n: c\n\nevent: e\ndata: 2\ndata: 3\n\ndata: 4"
    dec = SSEDecoder()
    assert dec.feed_data(raw) + dec.flush_data() == [e.data for e in _all(raw)]


_line = st.one_of(
    st.builds(
        lambda s: b"data: " + s.encode(),
        st.text(
            alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"),
            max_size=12,
        ),
    ),
    st.sampled_from(
        [
            b": keepalive",
            b"event: error",
            b"id: 3",
            b"retry: 5",
            b"",
            b"data",
            b'{"j": 1}',
            b"data: [DONE]",
        ]
    ),
)
_eol = st.sampled_from([b"\n", b"\r\n", b"\r"])


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(st.tuples(_line, _eol), max_size=25),
    cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=12),
    json_lines=st.booleans(),
)
def test_random_splits_give_identical_events(
    lines: list[tuple[bytes, bytes]], cuts: list[int], json_lines: bool
) -> None:
    raw = b"".join(line + eol for line, eol in lines)
    whole = _all(raw, json_lines=json_lines)
    points = sorted({c % (len(raw) + 1) for c in cuts})
    dec = SSEDecoder(json_lines=json_lines)
    got: list[SSEEvent] = []
    start = 0
    for p in [*points, len(raw)]:
        got += dec.feed(raw[start:p])
        start = p
    got += dec.flush()
    assert got == whole
