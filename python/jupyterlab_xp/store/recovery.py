"""Finish runs whose recorder is gone: from their journals here, by their heartbeat anywhere."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from jupyterlab_xp.core.files import read_json
from jupyterlab_xp.journal.rundir import (
    STATE_FILE,
    hold_lock,
    owner_gone,
    release_lock,
    take_sync_lock,
)
from jupyterlab_xp.store.liveness import sweep_stale
from jupyterlab_xp.store.mlflow_store import MlflowStore
from jupyterlab_xp.store.sync import RunSync

log = logging.getLogger(__name__)


FINISHING_WAIT_SECONDS = 30.0  # how long a recovery lets a run's sync process finish it


def settle(
    store: MlflowStore,
    run_dir: Path,
    timeout: float = 0.0,
    finishing_wait: float = FINISHING_WAIT_SECONDS,
) -> str | None:
    """Finish the run in ``run_dir`` from its journal once nobody holds the folder.

    Waits up to ``timeout`` seconds for its holder (the recorder, or another process
    recovering it). A run whose kernel let go of it while its sync process still holds the sync
    lock is being finished by that process right now: that gets up to ``finishing_wait``
    seconds, so a listing just after a kernel died shows the run ended. A caller that changes
    the run afterwards (e.g. a promotion marking it FAILED) cannot then be overwritten by a
    recovery that was half-way through.

    Returns:
        The MLflow id of the run finished here; None when it had already ended or the folder
        was still held after the wait.
    """
    start = time.monotonic()
    while True:
        sync_fd = take_sync_lock(run_dir)
        if sync_fd is not None:
            try:
                fd = hold_lock(run_dir)
                break
            except OSError:
                release_lock(sync_fd)
            waited = timeout  # its recorder is alive (or another process is recovering it)
        else:
            waited = max(timeout, finishing_wait) if owner_gone(run_dir) else timeout
        if time.monotonic() - start >= waited:
            return None
        time.sleep(0.2)
    try:
        if (read_json(run_dir / STATE_FILE) or {}).get("ended"):
            return None
        return RunSync(store, run_dir).recover()
    finally:
        release_lock(fd)
        release_lock(sync_fd)


def recover_orphans(
    store: MlflowStore, runs_dir: Path, finishing_wait: float = FINISHING_WAIT_SECONDS
) -> list[str]:
    """Finish every run in ``runs_dir`` whose owning process is gone (KILLED when it died).

    ``finishing_wait``: see :func:`settle`.

    Returns:
        The MLflow ids of the runs finished here.
    """
    finished: list[str] = []
    if not runs_dir.is_dir():
        return finished
    for run_dir in sorted(p for p in runs_dir.iterdir() if p.is_dir()):
        if (read_json(run_dir / STATE_FILE) or {}).get("ended"):
            continue  # most folders: no lock to take
        try:
            run_id = settle(store, run_dir, finishing_wait=finishing_wait)
        except Exception as exc:  # one broken folder must not stop the others
            log.warning("xp: could not recover %s: %s", run_dir.name, exc)
            continue
        if run_id:
            finished.append(run_id)
    return finished


def recover_all(
    store: MlflowStore,
    runs_dir: Path,
    heartbeat_timeout: float | None = None,
    finishing_wait: float = FINISHING_WAIT_SECONDS,
) -> list[str]:
    """Finish every run whose recorder is gone, here or on another machine.

    This machine's runs first, by their folder's lock and from their journals
    (:func:`recover_orphans`); then any machine's RUNNING run whose heartbeat is older than
    ``heartbeat_timeout`` (default ``$XP_HEARTBEAT_TIMEOUT``, see
    :func:`~jupyterlab_xp.store.liveness.sweep_stale`).

    Returns:
        The MLflow ids of the runs finished here.

    Raises:
        StoreError: the store failed the heartbeat sweep's search.
    """
    finished = recover_orphans(store, runs_dir, finishing_wait)
    db = store.local_sqlite
    if db is not None and not db.exists():
        # An embedded store nobody has written yet holds no RUNNING run: searching it would
        # create and migrate it (seconds) just to find nothing.
        return finished
    return finished + sweep_stale(store, heartbeat_timeout, runs_dir)
