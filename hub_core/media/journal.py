"""The job journal: every paid media call, recorded before its POST, in a stdlib sqlite3 file.

Why: a paid job must never be lost or paid twice. The row exists before the request leaves,
so a crash at any point leaves a trace; it is then updated with the hub's job id, status, URLs,
local paths and cost. After a crash :meth:`Journal.unfinished` lists what to resume.

- WAL mode and a busy timeout make one file safe for several threads (one connection each) and
  several processes; the check-then-insert that lets an identical submit join a running job is
  one ``BEGIN IMMEDIATE`` transaction, so two processes cannot both decide to submit.
- Rows carry the key's fingerprint (:func:`hub_core.ratelimit.key_fingerprint`), never the key;
  every lookup is scoped to one hub and one key fingerprint, so a job id from another account
  is simply not found.

Phases (``JobRecord.phase``):
``submitting`` (recorded, POST under way) -> ``accepted`` (hub job id known, not finished) or
``streaming`` (Electron Hub video held open) -> ``finished`` (terminal: files written, or the
job failed). Side exits: ``rejected`` (the hub said no; nothing to resume), ``lost`` (the
request went out but the reply did not come back, or the process holding it died: the job may
exist and was not resubmitted), ``download_failed`` (the job succeeded; its URLs are kept and
only the download is retried).
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Literal

__all__ = ["ACTIVE", "UNFINISHED", "JobRecord", "Journal", "Phase", "request_hash"]

Phase = Literal[
    "submitting", "accepted", "streaming", "finished", "rejected", "lost", "download_failed"
]
ACTIVE: frozenset[str] = frozenset({"submitting", "accepted", "streaming"})
"""Phases of a job that may still change on the hub's side."""
UNFINISHED: frozenset[str] = ACTIVE | {"lost", "download_failed"}
"""Phases that need someone's attention after a crash (see :meth:`Journal.unfinished`)."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS media_jobs (
    local_id TEXT PRIMARY KEY,
    job_id TEXT,
    hub TEXT NOT NULL,
    base_url TEXT NOT NULL,
    key_fp TEXT NOT NULL,
    model TEXT NOT NULL,
    kind TEXT NOT NULL,
    dialect TEXT,
    request TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    phase TEXT NOT NULL,
    status TEXT,
    progress REAL,
    urls TEXT NOT NULL DEFAULT '[]',
    paths TEXT NOT NULL DEFAULT '[]',
    mime_types TEXT NOT NULL DEFAULT '[]',
    cost REAL,
    cost_unit TEXT,
    failure_reason TEXT,
    note TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    owner_pid INTEGER NOT NULL,
    owner_host TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS media_jobs_owner ON media_jobs (hub, key_fp, phase);
CREATE INDEX IF NOT EXISTS media_jobs_job_id ON media_jobs (hub, key_fp, job_id);
"""

_LISTS = ("urls", "paths", "mime_types")


def request_hash(endpoint: str, request: Mapping[str, Any]) -> str:
    """A stable digest of what was asked (endpoint + canonical JSON), to spot identical submits."""
    blob = json.dumps({"endpoint": endpoint, "request": request}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


@dataclass(frozen=True)
class JobRecord:
    """One journal row (no key in it: ``key_fp`` is a one-way fingerprint)."""

    local_id: str
    job_id: str | None
    hub: str
    base_url: str
    key_fp: str
    model: str
    kind: str
    dialect: str | None
    request: dict[str, Any]
    request_hash: str
    phase: Phase
    status: str | None
    progress: float | None
    urls: tuple[str, ...]
    paths: tuple[str, ...]
    mime_types: tuple[str, ...]
    cost: float | None
    cost_unit: str | None
    failure_reason: str | None
    note: str | None
    created_at: float
    updated_at: float
    owner_pid: int
    owner_host: str

    @property
    def id(self) -> str:
        """The id callers use: the hub's job id, else the local id (sync media, EH video)."""
        return self.job_id or self.local_id

    @property
    def finished(self) -> bool:
        """Nothing more will happen to this row by itself."""
        return self.phase not in UNFINISHED

    @property
    def resumable(self) -> bool:
        """Whether :meth:`HubMedia.resume` can carry this job on without submitting again."""
        if self.phase == "download_failed":
            return True
        if self.phase == "accepted" and self.status == "succeeded" and self.urls:
            return True  # done on the hub; only the download is left
        return self.phase == "accepted" and self.job_id is not None

    def owner_alive(self) -> bool:
        """Whether the process that wrote this row may still be working on it.

        True for this process and for live processes on this host; rows written on another
        host are assumed alive (we cannot tell).
        """
        if self.owner_host != _HOST:
            return True
        if self.owner_pid == os.getpid():
            return True
        try:
            os.kill(self.owner_pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        except OSError:
            return False
        return True


_HOST = socket.gethostname()
_SETUP_LOCK = threading.Lock()


def _setup(conn: sqlite3.Connection) -> None:
    """WAL mode and the table, retried while another process holds the file's lock.

    Changing the journal mode is not covered by sqlite's busy handler, so a process racing
    another one's first use waits here instead of failing.
    """
    for attempt in range(200):
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("BEGIN IMMEDIATE")
            for statement in filter(str.strip, _SCHEMA.split(";")):
                conn.execute(statement)
            conn.execute("COMMIT")
            return
        except sqlite3.OperationalError as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if "locked" not in str(exc) or attempt == 199:
                raise
            time.sleep(0.05)
_COLUMNS = tuple(f.name for f in fields(JobRecord))


def _row_to_record(row: sqlite3.Row) -> JobRecord:
    values = dict(zip(_COLUMNS, row, strict=True))
    values["request"] = json.loads(values["request"])
    for name in _LISTS:
        values[name] = tuple(json.loads(values[name]))
    return JobRecord(**values)


def _encode(name: str, value: Any) -> Any:
    if name in _LISTS:
        return json.dumps(list(value))
    if name == "request":
        return json.dumps(value, sort_keys=True, default=str)
    return value


class Journal:
    """The sqlite3 job journal at ``path`` (created with its folder on first use).

    Pickles as its path; each thread and process opens its own connection.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._ready = False

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["path"])  # type: ignore[misc]

    def __repr__(self) -> str:
        return f"Journal({str(self.path)!r})"

    # -- connection ------------------------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        held = getattr(self._local, "conn", None)
        if held is not None and held[0] == os.getpid():
            conn: sqlite3.Connection = held[1]
            return conn
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        conn.execute("PRAGMA busy_timeout = 30000")
        with _SETUP_LOCK:  # one thread at a time switches modes and creates tables
            if not self._ready:
                _setup(conn)
                self._ready = True
        conn.execute("PRAGMA synchronous = NORMAL")
        self._local.conn = (os.getpid(), conn)
        return conn

    def close(self) -> None:
        """Close this thread's connection (others close when their threads end)."""
        held = getattr(self._local, "conn", None)
        if held is not None:
            self._local.conn = None
            held[1].close()

    # -- writes ----------------------------------------------------------------------------

    def begin(
        self,
        *,
        hub: str,
        base_url: str,
        key_fp: str,
        model: str,
        kind: str,
        dialect: str | None,
        endpoint: str,
        request: Mapping[str, Any],
        phase: Phase = "submitting",
        join: bool = False,
        local_id: str | None = None,
    ) -> tuple[JobRecord, bool]:
        """Record a submission before its POST; returns ``(row, joined)``.

        With ``join=True`` an identical request (same hub, key, model, kind, endpoint and
        body) whose job is still active is returned instead, with ``joined=True`` and no new
        row: the caller must not POST then. Check and insert are one transaction.
        """
        digest = request_hash(endpoint, request)
        conn = self._conn()
        now = time.time()
        conn.execute("BEGIN IMMEDIATE")
        try:
            if join:
                found = self._identical_active(conn, hub, key_fp, model, kind, digest)
                if found is not None:
                    conn.execute("COMMIT")
                    return found, True
            local = local_id or f"{kind}-{uuid.uuid4().hex[:20]}"
            values: dict[str, Any] = {
                "local_id": local, "job_id": None, "hub": hub, "base_url": base_url,
                "key_fp": key_fp, "model": model, "kind": kind, "dialect": dialect,
                "request": dict(request), "request_hash": digest, "phase": phase,
                "status": "queued", "progress": None, "urls": (), "paths": (),
                "mime_types": (), "cost": None, "cost_unit": None, "failure_reason": None,
                "note": None, "created_at": now, "updated_at": now,
                "owner_pid": os.getpid(), "owner_host": _HOST,
            }
            names = ", ".join(_COLUMNS)
            marks = ", ".join("?" for _ in _COLUMNS)
            conn.execute(
                f"INSERT INTO media_jobs ({names}) VALUES ({marks})",
                [_encode(n, values[n]) for n in _COLUMNS],
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return JobRecord(**values), False

    def _identical_active(
        self, conn: sqlite3.Connection, hub: str, key_fp: str, model: str, kind: str, digest: str
    ) -> JobRecord | None:
        marks = ", ".join("?" for _ in ACTIVE)
        rows = conn.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM media_jobs WHERE hub = ? AND key_fp = ? AND "
            f"model = ? AND kind = ? AND request_hash = ? AND phase IN ({marks}) "
            "ORDER BY created_at DESC",
            (hub, key_fp, model, kind, digest, *sorted(ACTIVE)),
        ).fetchall()
        for row in rows:
            record = _row_to_record(row)
            if record.job_id is not None or record.owner_alive():
                return record
        return None

    def update(self, local_id: str, **changes: Any) -> JobRecord:
        """Change columns of one row (``updated_at`` is set) and return the row as stored."""
        unknown = set(changes) - set(_COLUMNS)
        if unknown:
            raise ValueError(f"unknown journal columns {sorted(unknown)}")
        changes["updated_at"] = time.time()
        names = list(changes)
        conn = self._conn()
        conn.execute(
            f"UPDATE media_jobs SET {', '.join(f'{n} = ?' for n in names)} WHERE local_id = ?",
            [*(_encode(n, changes[n]) for n in names), local_id],
        )
        record = self._by_local(local_id)
        if record is None:
            raise KeyError(f"no journal row {local_id!r}")
        return record

    # -- reads -----------------------------------------------------------------------------

    def _select(self, where: str, params: Iterable[Any]) -> list[JobRecord]:
        rows = self._conn().execute(
            f"SELECT {', '.join(_COLUMNS)} FROM media_jobs WHERE {where} ORDER BY created_at",
            tuple(params),
        ).fetchall()
        return [_row_to_record(row) for row in rows]

    def _by_local(self, local_id: str) -> JobRecord | None:
        found = self._select("local_id = ?", (local_id,))
        return found[0] if found else None

    def reload(self, record: JobRecord) -> JobRecord:
        """The row as it is now (another thread or process may have changed it)."""
        return self._by_local(record.local_id) or record

    def get(self, hub: str, key_fp: str, job_id: str) -> JobRecord | None:
        """The row for a hub job id or a local id, only within this hub and key fingerprint."""
        found = self._select(
            "hub = ? AND key_fp = ? AND (job_id = ? OR local_id = ?)",
            (hub, key_fp, job_id, job_id),
        )
        return found[-1] if found else None

    def unfinished(self, hub: str, key_fp: str) -> list[JobRecord]:
        """Rows of this hub and key that are not finished, oldest first (see ``UNFINISHED``)."""
        marks = ", ".join("?" for _ in UNFINISHED)
        return self._select(
            f"hub = ? AND key_fp = ? AND phase IN ({marks})", (hub, key_fp, *sorted(UNFINISHED))
        )

    def recent(self, hub: str, key_fp: str, limit: int = 50) -> list[JobRecord]:
        """The newest ``limit`` rows of this hub and key, oldest first."""
        rows = self._conn().execute(
            f"SELECT {', '.join(_COLUMNS)} FROM media_jobs WHERE hub = ? AND key_fp = ? "
            "ORDER BY created_at DESC LIMIT ?",
            (hub, key_fp, limit),
        ).fetchall()
        return [_row_to_record(row) for row in reversed(rows)]
