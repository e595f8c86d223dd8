"""Liveness across machines: a recording kernel's heartbeat, and the sweep that ends dead runs.

A recorder's ``flock`` on its run folder tells only its own machine whether it is alive. For a
run on a shared (team) store, the recorder also keeps the tag ``xp.heartbeat`` fresh, every
``min(60 s, timeout / 3)`` from a thread of its own; any client's sweep (the panel's server,
``jupyter xp``, the next ``%xp start``) ends a RUNNING run whose heartbeat is older than the
timeout (``XP_HEARTBEAT_TIMEOUT``, default 300 s) as KILLED, naming the cell it was running
from the tag ``xp.running_cell`` the sync keeps.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from jupyterlab_xp.core import columns, tags
from jupyterlab_xp.store.faults import describe
from jupyterlab_xp.store.mlflow_store import MlflowStore

if TYPE_CHECKING:
    from mlflow.entities import Run

log = logging.getLogger(__name__)

TIMEOUT_ENV = "XP_HEARTBEAT_TIMEOUT"
DEFAULT_TIMEOUT = 300.0
MAX_INTERVAL = 60.0
_PAGE = 1000


def heartbeat_timeout() -> float:
    """Seconds without a heartbeat after which a run counts as dead.

    ``$XP_HEARTBEAT_TIMEOUT`` when it is a positive number, else 300.
    """
    try:
        timeout = float(os.environ.get(TIMEOUT_ENV) or DEFAULT_TIMEOUT)
    except ValueError:
        return DEFAULT_TIMEOUT
    return timeout if timeout > 0 and math.isfinite(timeout) else DEFAULT_TIMEOUT


def heartbeat_interval(timeout: float) -> float:
    """How often a recorder beats: ``min(60 s, timeout / 3)``, so two lost beats kill nothing."""
    return min(MAX_INTERVAL, timeout / 3)


def beat_tags() -> dict[str, str]:
    """One heartbeat: the time now, and the timeout this recorder asks every sweep to allow.

    The timeout goes with the beat so that a sweep configured with a shorter one than the
    recorder's (which beats less often then) cannot end a live run.
    """
    return {
        tags.HEARTBEAT: str(int(time.time())),
        tags.HEARTBEAT_TIMEOUT: f"{heartbeat_timeout():g}",
    }


class Recorded(Protocol):
    """The run a recorder keeps alive: its MLflow id, None until the sync thread created it."""

    @property
    def run_id(self) -> str | None:
        """The MLflow run id, or None."""


class Heartbeat:
    """A daemon thread that keeps the recorded run's ``xp.heartbeat`` tag fresh.

    Off the cell path: it sleeps an interval, reads which run is active and writes one tag in
    one request of its own, so a sync thread busy uploading a large artifact cannot make a live
    run look dead. It writes nothing before the sync thread created the run (the run is created
    with a first beat, see ``RunSync``), nor while the sync thread finds the store failing.

    Args:
        store: the recorder's store.
        current: the run being recorded now, or None.
        paused: True while the store is failing (down, slow, refusing): skip the beat.
    """

    def __init__(
        self,
        store: MlflowStore,
        current: Callable[[], Recorded | None],
        paused: Callable[[], bool],
    ) -> None:
        self._store = store
        self._current = current
        self._paused = paused
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self.last_beat: float | None = None  # when the store last took a beat (epoch seconds)

    def start(self) -> None:
        """Start the thread unless it runs; it ends at the first beat that finds no run."""
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="xp-heartbeat", daemon=True)
                self._thread.start()

    def _loop(self) -> None:
        while True:
            time.sleep(heartbeat_interval(heartbeat_timeout()))
            with self._start_lock:  # a run that starts now either sees this thread go, or not
                if self._current() is None:
                    self._thread = None
                    return
            self.beat()

    def beat(self) -> bool:
        """Write one heartbeat for the current run now.

        Returns:
            True when the store took it; False when there was no run to keep alive, the store
            was failing, or the write failed (the next beat tries again).
        """
        run = self._current()
        run_id = run.run_id if run is not None else None
        if run_id is None or self._paused():
            return False
        try:
            self._store.log_batch(run_id, tags=beat_tags())
        except Exception as exc:  # the sync thread reports a failing store; nothing to add here
            log.debug("xp: heartbeat of run %s failed: %s", run_id, describe(exc))
            return False
        self.last_beat = time.time()
        return True


def sweep_stale(
    store: MlflowStore,
    timeout: float | None = None,
    runs_dir: Path | None = None,
    now: float | None = None,
) -> list[str]:
    """End, KILLED, every RUNNING run (any machine's) whose heartbeat is older than ``timeout``.

    Only the heartbeat's age decides: a run without the tag (recorded by an older version) is
    left alone, and so is a run whose folder is in ``runs_dir``: this machine's runs are ended by
    their folder's lock and journal (``recover_orphans``), which know when the owner is alive
    and more than the store does. The run gets ``xp.end_reason`` ``heartbeat-lost``,
    ``xp.died_in_cell`` from the cell it ran at its last sync (none between cells), and its last
    heartbeat as its end time. Two requests per run ended (MLflow sets tags and the status in
    separate calls; the tags go first, so a sweep cut in between is finished by the next one).

    Args:
        store: the store to sweep.
        timeout: seconds; default ``$XP_HEARTBEAT_TIMEOUT`` (0 or less sweeps nothing). A run
            whose recorder asked for a longer one (tag ``xp.heartbeat.timeout``) gets that.
        runs_dir: this machine's run folders (``XP_HOME/runs``), if any.
        now: the time to judge against (epoch seconds); default now.

    Returns:
        The ids of the runs ended here.

    Raises:
        StoreError: the store failed the search. A failed write is logged; the next sweep
            tries again.
    """
    timeout = heartbeat_timeout() if timeout is None else timeout
    if timeout <= 0:
        return []
    now = time.time() if now is None else now
    ended: list[str] = []
    for run in _running_with_heartbeat(store):
        run_tags = run.data.tags
        beat = _seconds(run_tags.get(tags.HEARTBEAT))
        allowed = max(timeout, _seconds(run_tags.get(tags.HEARTBEAT_TIMEOUT)) or 0)
        if beat is None or now - beat <= allowed:
            continue
        # Ours: its lock and journal say whether it is alive, and where it died. Only when the
        # folder's own sync state names this run: a copied xp.local_id does not make it ours.
        folder = run_tags.get(tags.LOCAL_ID)
        # Imported here: the parsing boundary brings pydantic, which a kernel that only beats
        # for its own run never needs (this module is on its import path).
        from jupyterlab_xp.store.boundary import local_run_folder

        if runs_dir is not None and local_run_folder(runs_dir, run.info.run_id, folder):
            continue
        end_tags = {tags.END_REASON: tags.HEARTBEAT_LOST}
        if run_tags.get(tags.RUNNING_CELL):
            end_tags[tags.DIED_IN_CELL] = run_tags[tags.RUNNING_CELL]
        run_id = run.info.run_id
        try:
            store.log_batch(run_id, tags=end_tags)
            store.set_terminated(run_id, tags.KILLED, int(beat * 1000))
        except Exception as exc:  # one run the store will not end must not stop the others
            log.warning("xp: could not end run %s (heartbeat lost): %s", run_id, describe(exc))
            continue
        log.info("xp: run %s ended KILLED: no heartbeat for %.0f s", run_id, now - beat)
        ended.append(run_id)
    return ended


def _running_with_heartbeat(store: MlflowStore) -> Iterator[Run]:
    """Every RUNNING jupyterlab-xp run with a heartbeat tag, page by page."""
    heartbeat = columns.search_field(columns.TAGS, tags.HEARTBEAT)
    query = f"attributes.status = '{tags.RUNNING}' and {heartbeat} != ''"
    token: str | None = None
    while True:
        page, token = store.search_page(None, query, max_results=_PAGE, page_token=token)
        yield from page
        if not token:
            return


def _seconds(value: str | None) -> float | None:
    """A tag's number of seconds, or None when it is missing or not a finite number."""
    try:
        seconds = float(value) if value else None
    except ValueError:
        return None
    return seconds if seconds is not None and math.isfinite(seconds) else None
