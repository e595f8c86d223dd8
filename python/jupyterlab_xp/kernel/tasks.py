"""Local background work of a run (captures, dataset checksums), on its own thread.

It is apart from the store's sync thread on purpose: a store that is down keeps that thread
retrying, and the environment, git and dataset captures must not wait for it. Their results go
to the journal like any record; the sync thread takes them to the store when it can.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class LocalTasks:
    """One daemon thread for a process's local background work, run in submission order.

    A daemon thread (not a ``concurrent.futures`` pool, which joins its threads at exit): a
    capture stuck at interpreter exit must not keep a kernel from shutting down.
    """

    def __init__(self) -> None:
        self._queue: queue.Queue[Callable[[], None]] = queue.Queue()
        self._pending = 0
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def call_soon(self, action: Callable[[], None]) -> None:
        """Run ``action`` in the background; its failure is logged, never raised."""
        with self._cond:
            self._pending += 1
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="xp-local", daemon=True)
                self._thread.start()
        self._queue.put(action)

    def flush(self, timeout: float) -> bool:
        """Wait until every task queued so far is done; False when some are still running."""
        with self._cond:
            return self._cond.wait_for(lambda: self._pending == 0, timeout)

    def _loop(self) -> None:
        while True:
            action = self._queue.get()
            try:
                action()
            except Exception as exc:  # a capture bug must not cost the run anything else
                log.warning("xp background task failed: %s", exc)
            finally:
                with self._cond:
                    self._pending -= 1
                    self._cond.notify_all()
