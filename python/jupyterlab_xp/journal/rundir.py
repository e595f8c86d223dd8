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
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BaseException:  # held by another process: the descriptor is not the caller's
        os.close(fd)
        raise
    return fd


def release_lock(fd: int) -> None:
    """Release a lock taken with :func:`hold_lock`."""
    import fcntl

    with contextlib.suppress(OSError):
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


SYNC_LOCK_FILE = "sync.lock"


def take_sync_lock(run_dir: Path) -> int | None:
    """The run's sync lock (fd), or None when another process holds it.

    Whoever applies a journal to the store holds it: the run's sync process while it lives,
    or a recovery. The owner lock says whether the kernel is alive; this one says that nobody
    else is replaying the same records, so none reaches the store twice.
    """
    import fcntl

    fd = os.open(run_dir / SYNC_LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def owner_gone(run_dir: Path) -> bool:
    """True when nobody holds the run's owner lock (its kernel let go of the run, or died)."""
    try:
        fd = hold_lock(run_dir)
    except OSError:
        return False
    release_lock(fd)
    return True
