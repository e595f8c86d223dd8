"""One run folder under ``XP_HOME/runs``: the names of its files and its owner's lock."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

JOURNAL_FILE = "journal.jsonl"


STATE_FILE = "sync.json"


ARTIFACTS_DIR = "artifacts"


def lock_path(run_dir: Path) -> Path:
    """The file a live recorder holds an exclusive ``flock`` on for its run's lifetime."""
    return run_dir / "owner.lock"


def hold_lock(run_dir: Path) -> int:
    """Take the run's owner lock and return its fd (kept open for the life of the run).

    The kernel releases an ``flock`` when the process dies, however it dies, so another
    process that can take the lock knows the owner is gone: no pid files, no recycled pids.
    """
    import fcntl

    fd = os.open(lock_path(run_dir), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return fd


def release_lock(fd: int) -> None:
    """Release a lock taken with :func:`hold_lock`."""
    import fcntl

    with contextlib.suppress(OSError):
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
