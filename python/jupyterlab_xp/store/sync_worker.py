"""The background thread that applies queued journal records to the store, in batches."""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from jupyterlab_xp.store.faults import describe, is_contention, is_permanent
from jupyterlab_xp.store.sync import RunSync

log = logging.getLogger(__name__)


Action = Callable[[], None]


_Item = tuple[RunSync | None, "dict[str, Any] | Action"]


class SyncWorker:
    """The background thread that applies queued records to the store.

    Transient failures are retried with back-off; a record is only counted as synced once the
    store has it, so a stop that cannot reach the store leaves the rest to ``recover`` later.
    A record the store refuses for good (:func:`~jupyterlab_xp.store.faults.is_permanent`) is
    found by applying the batch record by record, set aside, and the others go on.
    """

    def __init__(self, linger: float = 0.5) -> None:
        # Wait this long after the first queued record before writing, so that a burst of
        # cells becomes one MLflow request and the thread stays off the kernel's GIL.
        self.linger = linger
        self._wake = threading.Event()
        self._queue: queue.Queue[_Item] = queue.Queue()
        self._pending: dict[int, int] = {}  # id(RunSync) -> records queued, not yet applied
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self.last_error: str | None = None
        self.failing_since: float | None = None  # monotonic time of the first failed attempt

    def submit(self, run: RunSync, record: dict[str, Any]) -> None:
        """Queue ``record`` (already in the journal) for ``run``; starts the thread if needed."""
        self._put(run, record)

    def call_soon(self, action: Action) -> None:
        """Run ``action`` on the worker thread (captures at start, recovering other runs)."""
        self._put(None, action)

    def _put(self, run: RunSync | None, item: dict[str, Any] | Action) -> None:
        with self._cond:
            self._pending[id(run)] = self._pending.get(id(run), 0) + 1
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="xp-sync", daemon=True)
                self._thread.start()
        self._queue.put((run, item))

    def hurry(self) -> None:
        """Apply what is queued now instead of after the linger (a run created, ended, or
        waited for)."""
        self._wake.set()

    def flush(self, run: RunSync | None, timeout: float) -> bool:
        """Wait until everything queued for ``run`` is done; False on timeout."""
        self.hurry()
        with self._cond:
            return self._cond.wait_for(lambda: self._pending.get(id(run), 0) == 0, timeout)

    def _loop(self) -> None:
        while True:
            batch = [self._queue.get()]
            self._wake.wait(self.linger)
            self._wake.clear()
            # Gather what else is queued so that one MLflow request carries many records.
            with contextlib.suppress(queue.Empty):
                while len(batch) < 5000:
                    batch.append(self._queue.get_nowait())
            for run, items in _group(batch):
                if run is None:
                    for action in items:
                        self._run_action(action)
                else:
                    self._apply_with_retry(run, items)
                with self._cond:
                    self._pending[id(run)] -= len(items)
                    self._cond.notify_all()

    def _run_action(self, action: Action) -> None:
        try:
            action()
        except Exception as exc:  # an action reports its own failures; never kill the thread
            log.warning("xp background task failed: %s", exc)

    @property
    def store_failing(self) -> bool:
        """True while the store fails (down, refusing, erring): callers should not wait.

        A store that only answers late (SQLite's lock held by another writer) is not failing:
        callers keep their bounded patience for a slow store.
        """
        return self.failing_since is not None

    def _apply_with_retry(self, run: RunSync, records: list[dict[str, Any]]) -> None:
        backoff = 0.5
        while records:
            try:
                run.apply(records)
                records = []
            except Exception as exc:
                if is_permanent(exc):
                    # One record of the batch is refused for good: find it, set it aside.
                    records = self._apply_one_by_one(run, records)
                    if not records:
                        break
                else:
                    self._failed(exc)
                time.sleep(backoff)  # the store is down, slow or locked: retry with back-off
                backoff = min(backoff * 2, 30.0)
        self.last_error = None
        self.failing_since = None

    def _apply_one_by_one(self, run: RunSync, records: list[dict[str, Any]]) -> list[Any]:
        """Apply each record alone; set aside those refused for good.

        Returns:
            The records from the first transient failure on (to retry), or [] when all done.
        """
        for index, record in enumerate(records):
            try:
                run.apply([record])
            except Exception as exc:
                if not is_permanent(exc):
                    self._failed(exc)
                    return records[index:]
                log.warning("xp: the store refused record %s: %s", record.get("seq"), exc)
                run.refuse(record, exc)
        return []

    def _failed(self, exc: BaseException) -> None:
        self.last_error = describe(exc)
        if self.failing_since is None and not is_contention(exc):
            self.failing_since = time.monotonic()
        # Not a warning: in a kernel that would print into whichever cell is running, on every
        # retry. `%xp status` shows it ("sync: retrying (...)"), and nothing is lost meanwhile.
        log.info("xp sync failed (will retry): %s", self.last_error)


def _group(batch: list[_Item]) -> list[tuple[RunSync | None, list[Any]]]:
    """Split a batch into consecutive stretches for the same run, keeping their order."""
    groups: list[tuple[RunSync | None, list[Any]]] = []
    for run, item in batch:
        if groups and groups[-1][0] is run:
            groups[-1][1].append(item)
        else:
            groups.append((run, [item]))
    return groups
