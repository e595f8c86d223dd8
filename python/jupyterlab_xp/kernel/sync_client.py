"""The kernel's side of a run's sync process: start it, read what it reports, wait for it.

Everything here is cheap on purpose: starting the process is one ``posix_spawn``, and what the
kernel learns from it (the MLflow id, a failing store, refusals) is read from two small files in
the run folder, at most every quarter second and only when they changed.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from jupyterlab_xp.core import held_gil
from jupyterlab_xp.core.config import StoreLocation
from jupyterlab_xp.core.files import read_json, write_atomic
from jupyterlab_xp.journal.rundir import STATE_FILE
from jupyterlab_xp.kernel.sync_process import CAPTURE_REQUEST_FILE, STATUS_FILE, spawn
from jupyterlab_xp.kernel.sync_settle import WANTED_FILE
from jupyterlab_xp.store.sync import RunSync

SYNC_MODE_ENV = "XP_SYNC"  # "process" or "thread"; default: process in a kernel
POLL_SECONDS = 0.25
MAX_RESTARTS = 3


def sync_mode(in_kernel: bool) -> str:
    """``process`` (a sync process per run) or ``thread`` (the in-process sync thread).

    A kernel's cells are what the sync must stay away from, so a kernel uses a process; a
    script or a test calling ``xp.start()`` keeps the thread unless ``XP_SYNC`` says otherwise.
    """
    chosen = os.environ.get(SYNC_MODE_ENV, "").strip().lower()
    if chosen in ("process", "thread"):
        return chosen
    return "process" if in_kernel else "thread"


class SyncChannel:
    """One run's sync process, seen from the kernel that records the run."""

    def __init__(self, location: StoreLocation, sync: RunSync) -> None:
        self.location = location
        self.sync = sync
        self.process: subprocess.Popen[bytes] | None = None
        self.failing = False
        self.last_error: str | None = None
        self._next_poll = 0.0
        self._restarts = 0
        self._stamps: dict[str, tuple[int, int, int]] = {}

    def start(self, notebook: Path | None, capture: bool = True) -> None:
        """Start the sync process (once), telling its capture what only this process knows.

        ``capture=False``: this process captured already (a promotion's kernel, whose sync
        was deferred until the user's own MLflow call needed the run).
        """
        if self.process is not None:
            return
        request = {
            "capture": capture,
            "notebook": str(notebook) if notebook is not None else None,
            "sys_path": list(sys.path),
            "modules": _local_module_files(),
        }
        write_atomic(self.sync.dir / CAPTURE_REQUEST_FILE, json.dumps(request))  # 0600
        self._spawn()

    def _spawn(self) -> None:
        try:
            self.process = spawn(self.location, self.sync.dir)
        except OSError as exc:  # the journal keeps everything; a later recovery syncs it
            self.failing, self.last_error = True, f"cannot start the sync process: {exc}"

    def poll(self, force: bool = False) -> None:
        """Read what the sync process reported, when it changed (at most every 0.25 s)."""
        now = time.monotonic()
        if not force and now < self._next_poll:
            return
        self._next_poll = now + POLL_SECONDS
        if self._changed(STATE_FILE):
            self.sync.reload()
        if self._changed(STATUS_FILE):
            status = read_json(self.sync.dir / STATUS_FILE)
            if isinstance(status, dict):
                self.failing = bool(status.get("failing"))
                self.last_error = status.get("last_error")
        ended_early = self.process is not None and self.process.poll() is not None
        if ended_early and not self.sync.ended:
            self.sync.reload()  # what it wrote just before it ended (after the look above)
        if ended_early and not self.sync.ended and self._restarts < MAX_RESTARTS:
            # It ended before the run did (it crashed, or was killed): a new one carries on
            # from sync.json. A few times at most, so a process that cannot run is not retried
            # on every cell.
            self._restarts += 1
            self._spawn()

    def _want_run(self) -> None:
        """Tell the sync process that the kernel waits for it: one still waiting for the kernel
        to go quiet (sync_settle.py) starts at once, a running one applies what is queued
        without its linger."""
        with contextlib.suppress(OSError):
            (self.sync.dir / WANTED_FILE).touch(mode=0o600)

    def _changed(self, name: str) -> bool:
        try:
            info = (self.sync.dir / name).stat()
        except OSError:
            return False
        # Written by rename, so a new inode each time: two writes within one tick of the
        # file system's clock still differ.
        stamp = (info.st_ino, info.st_mtime_ns, info.st_size)
        if self._stamps.get(name) == stamp:
            return False
        self._stamps[name] = stamp
        return True

    def wait(self, done: Any, timeout: float, when_failing: float) -> bool:
        """Wait until ``done()`` (after each poll), at most ``timeout`` seconds, and at most
        ``when_failing`` once the sync process says the store is failing."""
        self._want_run()
        start = time.monotonic()
        while True:
            self.poll(force=True)
            if done():
                return True
            waited = time.monotonic() - start
            if waited >= timeout or (self.failing and waited >= when_failing):
                return False
            if self.process is not None and self.process.poll() is not None:
                self.poll(force=True)  # it ended: what it wrote last is all there is
                return bool(done())
            time.sleep(0.02)


def _local_module_files() -> list[str]:
    """Files of imported modules outside the interpreter's own folders (the git capture's)."""
    prefixes = tuple({sys.prefix, sys.base_prefix, sys.exec_prefix})
    files: list[str] = []
    for module in list(sys.modules.values()):
        file = getattr(module, "__file__", None)
        if isinstance(file, str) and file.endswith(".py") and not file.startswith(prefixes):
            files.append(file)
    return files


_statm_fd: int | None = None


def rss_now_mb() -> float:
    """This process's resident memory now, in MiB, from ``/proc/self/statm`` (a few µs).

    psutil's figure costs ~40 µs a call, too much for every cell; 0.0 where there is no procfs.
    """
    global _statm_fd
    with contextlib.suppress(OSError, ValueError, IndexError):
        if _statm_fd is None:
            _statm_fd = os.open("/proc/self/statm", os.O_RDONLY | os.O_CLOEXEC)
        pages = int(held_gil.pread(_statm_fd, 64, 0).split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    return 0.0
