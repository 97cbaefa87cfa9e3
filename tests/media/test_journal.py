"""The sqlite job journal: recorded before the POST, scoped to a key, safe across threads
and processes, never holding the key; the budget and usage seams around it."""

from __future__ import annotations

import multiprocessing
import pickle
import threading
from pathlib import Path

import pytest

from hub_core import Budget
from hub_core.errors import BudgetExceededError, InsufficientCreditsError, MediaJobError
from hub_core.media import HubMedia, Journal
from hub_core.usage import collecting
from tests.media.conftest import key_of, ledger_jobs

ROW = {"hub": "tokenhub", "base_url": "http://x/api/v1", "key_fp": "fp-a",
       "model": "bytedance/doubao-seedance-2.0", "kind": "video", "dialect": "tokenhub-video",
       "endpoint": "tokenhub-video", "request": {"prompt": "a fox", "duration": 5}}


def _begin_in_process(path: str, results, done) -> None:
    record, joined = Journal(path).begin(**ROW, join=True)
    results.put((record.local_id, joined))
    done.wait(30)  # stay alive: a row whose submitter died is (rightly) never joined


def test_identical_submits_from_threads_make_one_row(tmp_path):
    journal = Journal(tmp_path / "j.sqlite3")
    outcomes: list[tuple[str, bool]] = []
    lock = threading.Lock()

    def submit() -> None:
        record, joined = journal.begin(**ROW, join=True)
        with lock:
            outcomes.append((record.local_id, joined))

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({local for local, _ in outcomes}) == 1
    assert sorted(joined for _, joined in outcomes) == [False] + [True] * 7
    assert len(journal.recent("tokenhub", "fp-a")) == 1


def test_identical_submits_from_processes_make_one_row(tmp_path):
    path = str(tmp_path / "j.sqlite3")
    Journal(path).recent("tokenhub", "fp-a")  # create the schema once
    ctx = multiprocessing.get_context("fork")
    results, done = ctx.Queue(), ctx.Event()
    procs = [ctx.Process(target=_begin_in_process, args=(path, results, done))
             for _ in range(4)]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=30) for _ in procs]
    done.set()
    for p in procs:
        p.join(timeout=30)
    assert len({local for local, _ in outcomes}) == 1
    assert sum(not joined for _, joined in outcomes) == 1


def test_lookups_are_scoped_to_hub_and_key(tmp_path):
    journal = Journal(tmp_path / "j.sqlite3")
    record, _ = journal.begin(**ROW)
    journal.update(record.local_id, job_id="tsk-9", phase="accepted")
    assert journal.get("tokenhub", "fp-a", "tsk-9") is not None
    assert journal.get("tokenhub", "fp-a", record.local_id) is not None
    assert journal.get("tokenhub", "fp-b", "tsk-9") is None
    assert journal.get("chainhub", "fp-a", "tsk-9") is None
    assert journal.unfinished("tokenhub", "fp-b") == []
    assert [r.job_id for r in journal.unfinished("tokenhub", "fp-a")] == ["tsk-9"]
    copy = pickle.loads(pickle.dumps(journal))
    assert copy.get("tokenhub", "fp-a", "tsk-9").local_id == record.local_id
    with pytest.raises(ValueError, match="unknown journal columns"):
        journal.update(record.local_id, api_key="nope")


def test_every_submission_is_recorded_before_its_post_and_holds_no_key(hub_emulator,
                                                                        media_for):
    media = media_for("tokenhub")
    seen_before_post: list[str] = []
    original = media.journal.begin

    def spy(**kw):
        record, joined = original(**kw)
        seen_before_post.append(record.phase)
        # the POST has not happened yet: the hub knows no job for this key
        assert ledger_jobs(hub_emulator, media) == {}
        return record, joined

    media.journal.begin = spy  # type: ignore[method-assign]
    job = media.submit_video("a fox", duration=5)
    assert seen_before_post == ["submitting"]
    row = media.job(job.job_id)
    assert row is not None and row.phase == "accepted"
    assert row.key_fp == media.key_fp and row.base_url == media.base_url
    assert row.request["prompt"] == "a fox" and row.cost == pytest.approx(1.0)
    key = key_of(media)
    assert key not in Path(media.journal.path).read_bytes().decode("latin-1")
    assert key not in repr(media) and key not in repr(job) and key not in repr(row)
    copy = pickle.loads(pickle.dumps(media))
    assert copy.resume(job.job_id).wait().paths[0].exists()


class RecordingBudget:
    """A test double of the ``hub_core.Budget`` contract, recording what media asked of it."""

    def __init__(self, refuse: bool = False) -> None:
        self.calls: list[tuple[str, object]] = []
        self.refuse = refuse

    def reserve(self, cost, *, hub, model, kind):
        if self.refuse:
            raise BudgetExceededError("over budget", hub=hub)
        self.calls.append(("reserve", cost.amount if cost else None))
        budget = self

        class Hold:
            def settle(self, cost):
                budget.calls.append(("settle", cost.amount if cost else None))

            def release(self):
                budget.calls.append(("release", None))

            def settle_worst(self):
                budget.calls.append(("settle_worst", None))

        return Hold()


def test_budget_holds_are_settled_released_or_kept_as_worst_case(hub_emulator, media_for):
    budget = RecordingBudget()
    media = media_for("electronhub", budget=budget)
    media.generate_image("a fox", model="dall-e-3")
    assert budget.calls == [("reserve", 20.0), ("settle", 20.0)]
    budget.calls.clear()
    hub_emulator.admin.fault(hub="electronhub", path="images/generations", method="POST",
                             drop="after_accept")
    with pytest.raises(MediaJobError):
        media.generate_image("a fox", model="dall-e-3")
    assert budget.calls == [("reserve", 20.0), ("settle_worst", None)]
    budget.calls.clear()
    hub_emulator.admin.set_account("electronhub", key_of(media), balance=1)
    with pytest.raises(InsufficientCreditsError):
        media.generate_image("a fox", model="dall-e-3")
    assert budget.calls == [("reserve", 20.0), ("release", None)]
    refusing = media_for("electronhub", budget=RecordingBudget(refuse=True))
    with pytest.raises(BudgetExceededError):
        refusing.generate_image("a fox")
    assert ledger_jobs(hub_emulator, refusing) == {}
    (row,) = refusing.journal.recent(refusing.hub, refusing.key_fp)
    assert row.phase == "rejected"


def test_a_real_budget_refuses_a_media_call_with_media_advice(hub_emulator, media_for):
    budget = Budget(max_cost=30, unit="credits")
    media = media_for("electronhub", budget=budget)
    media.generate_image("a fox", model="dall-e-3")  # 20 credits
    with pytest.raises(BudgetExceededError) as info:
        media.generate_image("a second fox", model="dall-e-3")
    text = str(info.value)
    assert "Nothing was sent" in text and "cheaper model" in text and "max_tokens" not in text
    assert budget.spent == 20 and len(ledger_jobs(hub_emulator, media)) == 1


def test_usage_totals_count_each_accepted_call_once(hub_emulator, media_for):
    with collecting() as tally:
        media = media_for("tokenhub")
        job = media.submit_video("a fox", duration=5)
        media.resume(job.job_id).wait()  # resuming and waiting add no usage
        media.generate_image("a fox")
    by_model = tally.by_model
    assert tally.requests == 2 and sorted(by_model) == [
        "tokenhub:bytedance/doubao-seedance-2.0", "tokenhub:bytedance/doubao-seedream-5.0"]
    video = by_model["tokenhub:bytedance/doubao-seedance-2.0"]
    assert video.requests == 1 and video.cost["credits"] == pytest.approx(1.0)
    assert tally.input_tokens == 0  # media calls report cost, not tokens


def test_hubmedia_checks_its_own_settings():
    with pytest.raises(ValueError, match="poll_interval"):
        HubMedia("tokenhub", api_key="th-x", poll_interval=0)
    with pytest.raises(ValueError, match="max_download_bytes"):
        HubMedia("tokenhub", api_key="th-x", max_download_bytes=-1)
