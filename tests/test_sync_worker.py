"""The sync worker gathers records for its linger before one store request, unless hurried.

The run's sync process lingers for seconds (each request is a commit that takes the CPU), so
what a kernel waits for (the run's id, its end) must not wait for the linger: ``hurry``.
"""

from __future__ import annotations

import threading
from typing import Any

from jupyterlab_xp.store.sync_worker import SyncWorker

HOUR = 3600.0  # a linger no test outlives: only a hurry lets the batch through


class _Run:
    def __init__(self) -> None:
        self.applied: list[list[dict[str, Any]]] = []
        self.done = threading.Event()

    def apply(self, records: list[dict[str, Any]]) -> None:
        self.applied.append(list(records))
        self.done.set()


def test_a_hurried_worker_applies_what_is_queued_without_its_linger() -> None:
    # Given a worker that would gather records for an hour
    worker = SyncWorker(linger=HOUR)
    run: Any = _Run()  # stands in for a RunSync: apply() is all the worker calls
    # When two records are queued and the worker is hurried
    worker.submit(run, {"seq": 1, "type": "run_start"})
    worker.submit(run, {"seq": 2, "type": "cell_start"})
    worker.hurry()
    # Then both go to the store, in one request
    assert run.done.wait(60)
    assert worker.flush(run, 60)
    assert [[r["seq"] for r in batch] for batch in run.applied] == [[1, 2]]


def test_an_unhurried_worker_keeps_gathering() -> None:
    # Given a worker that gathers records for an hour, with one record queued
    worker = SyncWorker(linger=HOUR)
    run: Any = _Run()  # stands in for a RunSync: apply() is all the worker calls
    worker.submit(run, {"seq": 1, "type": "cell_start"})
    # Then nothing is applied while no one hurries it (a short look, not a timing: the linger
    # is an hour)...
    assert not run.done.wait(0.5)
    # ...and a flush (a stop waiting for its records) hurries it
    assert worker.flush(run, 60)
    assert [[r["seq"] for r in batch] for batch in run.applied] == [[1]]
