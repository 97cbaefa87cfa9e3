"""Helpers for tests that look for a secret where it must never be (importable suite-wide)."""

from __future__ import annotations

import logging
import pickle
import socket
import traceback


def closed_port() -> int:
    """A loopback port nothing listens on (connections to it are refused)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = int(s.getsockname()[1])
    s.close()
    return port


def error_texts(err: BaseException) -> list[str]:
    """Everything an error shows or carries: str, repr, attributes, traceback, pickle."""
    out = [str(err), repr(err), repr(getattr(err, "__dict__", {}))]
    out.append("".join(traceback.format_exception(err)))
    out.append(pickle.dumps(err).decode("latin-1"))
    return out


def assert_error_clean(err: BaseException, *secrets: str) -> None:
    """``err``, the hub error it wraps (``.error``) and its cause hold none of ``secrets``."""
    for inner in (err, getattr(err, "error", None), err.__cause__):
        if inner is None:
            continue
        for text in error_texts(inner):
            for secret in secrets:
                assert secret not in text, f"{type(inner).__name__} holds a secret"


def assert_logs_clean(records: list[logging.LogRecord], *secrets: str) -> None:
    """No log record's message, arguments or attributes hold any of ``secrets``."""
    for record in records:
        blob = record.getMessage() + repr(record.__dict__)
        for secret in secrets:
            assert secret not in blob, f"log record from {record.name} holds a secret: {blob}"
