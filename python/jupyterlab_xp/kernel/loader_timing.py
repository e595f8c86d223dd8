"""The two per-cell clocks a cell's verdict needs: time waiting on torch DataLoaders, time busy.

Both are read at a cell's start and end by ``kernel/run.py`` and cost the cell path a few
microseconds: the loader clock is a float the iterators add to (no call at all at the cell's
edges), the busy clock one ``pread`` of the kernel thread's ``schedstat`` (about 2 us).
"""

from __future__ import annotations

import os
import threading
import time
from types import ModuleType
from typing import Any

from jupyterlab_xp.core import held_gil


class LoaderClock:
    """Seconds spent in ``next()`` on DataLoader iterators since this clock was made.

    ``install`` wraps ``__next__`` of torch's base DataLoader iterator class, which both the
    single-process and the worker iterators inherit, so every loader counts, whoever made it.
    """

    def __init__(self) -> None:
        self.waited = 0.0

    def install(self, torch: ModuleType) -> tuple[Any, str, Any] | None:
        """Wrap the iterators' ``__next__``; returns ``(owner, name, original)`` to restore."""
        owner: Any = getattr(torch.utils.data.dataloader, "_BaseDataLoaderIter", None)
        original = getattr(owner, "__next__", None)
        if owner is None or original is None or hasattr(original, "__xp_original__"):
            return None  # a torch without that class, or already wrapped (by another run)
        clock = self
        counter = time.perf_counter

        def __next__(iterator: Any) -> Any:
            started = counter()
            try:
                return original(iterator)
            finally:
                clock.waited += counter() - started

        __next__.__xp_original__ = original  # type: ignore[attr-defined]
        owner.__next__ = __next__
        return owner, "__next__", original


class BusyClock:
    """Seconds the calling thread was on a CPU or ready to run and waiting for one.

    Linux's ``/proc/thread-self/schedstat`` holds both: time on a CPU and time on the run queue.
    Counting the wait as busy keeps a cell that computes on a loaded machine compute-bound (it
    gets a fraction of a core, yet never waits on anything but the CPU), while a cell that
    sleeps or blocks on I/O, a lock or a loader's workers counts neither. ``read`` returns None
    where the file does not exist (not Linux).
    """

    def __init__(self) -> None:
        self._fd: int | None = None
        self._thread: int | None = None
        self._missing = False

    def read(self) -> float | None:
        """The calling thread's busy seconds so far (None when the platform cannot say)."""
        if self._missing:
            return None
        thread = threading.get_native_id()
        if thread != self._thread:  # the file is per thread: the cell hooks' thread changed
            self._open(thread)
            if self._fd is None:
                return None
        try:
            fields = held_gil.pread(self._fd, 96, 0).split()  # type: ignore[arg-type]
            return (int(fields[0]) + int(fields[1])) / 1e9
        except (OSError, ValueError, IndexError):
            return None

    def _open(self, thread: int) -> None:
        self.close()
        try:
            self._fd = os.open(f"/proc/self/task/{thread}/schedstat", os.O_RDONLY | os.O_CLOEXEC)
            self._thread = thread
        except OSError:
            self._missing = True

    def close(self) -> None:
        """Let go of the file (the run ended)."""
        if self._fd is not None:
            os.close(self._fd)
        self._fd = self._thread = None
