"""How a run in this kernel meets the store: its MLflow id, a failing store, refusals.

The same answers whether a sync thread in this process or the run's sync process does the
syncing (``channel``); a mixin of :class:`~jupyterlab_xp.kernel.run.ActiveRun`.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from jupyterlab_xp.core.config import StoreLocation
from jupyterlab_xp.kernel.sync_client import SyncChannel
from jupyterlab_xp.kernel.tasks import LocalTasks
from jupyterlab_xp.store.faults import REFUSED_FILE
from jupyterlab_xp.store.mlflow_store import MlflowStore
from jupyterlab_xp.store.sync import RunSync
from jupyterlab_xp.store.sync_worker import SyncWorker


class RunOwner(Protocol):
    """What a run needs from the process-wide recorder that owns it."""

    location: StoreLocation
    store: MlflowStore
    worker: SyncWorker
    tasks: LocalTasks
    user_ns: Mapping[str, Any] | None

    @property
    def sync_mode(self) -> str:
        """``process`` or ``thread``: who ships the journal to the store."""

    def abandon(self, run: Any) -> None:
        """Forget ``run`` as the active run (its journal can no longer be written)."""


class StoreLink:
    """The store side of a recorded run (see the module docstring)."""

    recorder: RunOwner
    sync: RunSync
    channel: SyncChannel | None
    deferred: bool
    ended: bool
    dir: Path
    _created: threading.Event
    _set_tracking_uri: bool
    _refused_reported: int
    _unreachable_reported: bool

    def sync_now(self) -> None:
        """End a deferred sync (the run defines it)."""
        raise NotImplementedError

    def _on_run_created(self, run_id: str) -> None:
        self.run_id_value = run_id
        if self.ended:  # created after the stop (the store was down): the user's code is done
            self._created.set()
            return
        # A user's own mlflow.log_metric(...) resumes this run (fluent API reads MLFLOW_RUN_ID).
        os.environ["MLFLOW_RUN_ID"] = run_id
        if "MLFLOW_TRACKING_URI" not in os.environ:
            os.environ["MLFLOW_TRACKING_URI"] = self.recorder.location.tracking_uri
            self._set_tracking_uri = True
        self._created.set()

    @property
    def run_id(self) -> str | None:
        """The MLflow run id once the sync thread or process created the run, else None."""
        known = getattr(self, "run_id_value", None)
        if known is None and self.channel is not None and not self.deferred:
            self.channel.poll()
            if self.sync.run_id is not None:
                self._on_run_created(self.sync.run_id)
                known = self.sync.run_id
        return known

    @property
    def store_failing(self) -> bool:
        """True while the store fails transiently (as the sync thread or process last saw it)."""
        if self.channel is not None:
            self.channel.poll()
            return self.channel.failing
        return self.recorder.worker.store_failing

    @property
    def sync_error(self) -> str | None:
        """The store's last error while it is failing, else None."""
        if self.channel is not None:
            self.channel.poll()
            return self.channel.last_error
        return self.recorder.worker.last_error

    def wait_run_id(
        self, timeout: float = 60.0, give_up_when_failing: float | None = None
    ) -> str | None:
        """Block until the MLflow run exists (at most ``timeout`` seconds).

        With ``give_up_when_failing``, stop waiting after that many seconds as soon as the
        store is failing (down, refusing): a cell must not hang on a store that is away.
        """
        self.sync_now()
        if self.deferred:  # it ended before anything needed MLflow: its job syncs it
            return self.run_id
        if self.channel is not None:
            short = give_up_when_failing or timeout
            self.channel.wait(lambda: self.run_id is not None, timeout, short)
            return self.run_id
        deadline = time.monotonic() + timeout
        short_deadline = time.monotonic() + (give_up_when_failing or timeout)
        while not self._created.wait(0.05):
            now = time.monotonic()
            if now >= deadline or (now >= short_deadline and self.store_failing):
                break
        return self.run_id

    def report_refused(self) -> None:
        """Say once, on the next cell's output, that the store refused records for good.

        Also once per run: that the store has not answered since the run started (down, or
        refusing our credentials) — recording goes on into the journal meanwhile.
        """
        if self.channel is not None:
            self.channel.poll()
        if not self._unreachable_reported and self.store_failing and self.run_id is None:
            self._unreachable_reported = True
            print(
                f"xp: the store {self.recorder.location.display} is not answering "
                f"({self.sync_error}); recording goes on into the journal and reaches the "
                "store when it answers (`%xp status` shows progress).",
                file=sys.stderr,
            )
        refused = self.sync.refused
        if refused > self._refused_reported:
            self._refused_reported = refused
            print(
                f"xp: the store refused {refused} record(s) of this run for good; they are kept "
                f"in {self.dir / REFUSED_FILE} and `%xp status` lists them. Recording goes on.",
                file=sys.stderr,
            )
