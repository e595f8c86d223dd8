"""The kernel-side recorder: one active run per process, the cell hooks and the sync.

Hot path (``%xp start`` and every cell) does only local, cheap work: a journal append, a few
clock reads. Everything slow — importing MLflow, creating the run, capturing environment,
hardware and git, redaction, uploads, sampling, the heartbeat, the journal's durable flush —
happens in the run's sync process (``kernel/sync_process.py``) when recording in a kernel, so
that none of it competes with the user's cells for this process's CPU and GIL; a script that
calls ``xp.start()`` keeps that work on the sync thread of its own process.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jupyterlab_xp.core import tags
from jupyterlab_xp.core.config import StoreLocation, resolve_store
from jupyterlab_xp.core.errors import StoreError, XpError
from jupyterlab_xp.core.tags import PROMOTION_ENV
from jupyterlab_xp.core.validation import validate_key, validate_name
from jupyterlab_xp.kernel.config_record import watch_hydra
from jupyterlab_xp.kernel.hf_datasets import watch_load_dataset
from jupyterlab_xp.kernel.notebook import find_notebook, given_notebook
from jupyterlab_xp.kernel.notices import print_notices
from jupyterlab_xp.kernel.run import ActiveRun
from jupyterlab_xp.kernel.seeds import draw_seed, parse_seed
from jupyterlab_xp.kernel.sync_client import sync_mode
from jupyterlab_xp.kernel.tasks import LocalTasks
from jupyterlab_xp.store.liveness import Heartbeat
from jupyterlab_xp.store.mlflow_store import (
    MlflowStore,
    mlflow_import_pending,
    wait_for_mlflow_import,
)
from jupyterlab_xp.store.recovery import recover_all
from jupyterlab_xp.store.sync_worker import SyncWorker

log = logging.getLogger(__name__)


STOP_FLUSH_SECONDS = 60.0  # how long %xp stop waits for the store before leaving it to recovery
EXIT_FLUSH_SECONDS = 10.0  # the same at interpreter exit, where a hung kernel helps nobody
RUN_ID_WAIT_SECONDS = 30.0  # a cell that calls MLflow waits this long for the run to exist...
CELL_WAIT_SECONDS = 2.0  # ...but no longer than this while the store is down or failing


class Recorder:
    """Holds the process's active run, the sync worker and the IPython hooks' state."""

    def __init__(self, location: StoreLocation | None = None) -> None:
        self.location = location or resolve_store()
        self.store = MlflowStore(self.location)
        self.worker = SyncWorker()
        self.tasks = LocalTasks()
        self.active: ActiveRun | None = None
        # Keeps the active run's xp.heartbeat fresh for sweeps on other machines (a sync
        # process beats for its run itself).
        self.heartbeat = Heartbeat(
            self.store, lambda: self.active, lambda: self.worker.store_failing
        )
        self.last: ActiveRun | None = None  # the run stopped last (what %xp promote promotes)
        self.settling: list[ActiveRun] = []  # stopped, their sync processes still applying
        self.user_ns: Mapping[str, Any] | None = None
        self.shell: Any = None
        self._pending_cell: tuple[str, str | None, int | None] | None = None
        self._warned: set[str] = set()
        # A promotion's dotted config overrides, for the next xp.param(cfg) (checked by promote).
        self.config_overrides: dict[str, Any] = {}
        atexit.register(self._at_exit)

    @property
    def sync_mode(self) -> str:
        """``process`` in a kernel, ``thread`` in a script (see ``sync_client.sync_mode``)."""
        return sync_mode(self.shell is not None)

    # -- lifecycle ----------------------------------------------------------------------------
    def start(
        self,
        name: str | None = None,
        experiment: str | None = None,
        seed: int | str | None = None,
        deterministic: bool = False,
        tags_: Mapping[str, str] | None = None,
        kind: str | None = None,
        notebook: str | Path | None = None,
    ) -> ActiveRun:
        """Start recording a run (see :func:`jupyterlab_xp.start`)."""
        if self.active is not None:
            raise XpError(
                f"a run is already being recorded ({self.describe_active()}); "
                "stop it first with %xp stop"
            )
        promotion = self._take_promotion()
        if promotion is not None:
            # A promotion job runs this notebook: its seed and identity win over the code's.
            seed = promotion.get("seed", seed)
            kind = str(promotion.get("kind") or tags.KIND_PROMOTED)
            experiment = promotion.get("experiment") or experiment
            name = promotion.get("name") or name
            tags_ = {**(tags_ or {}), **promotion.get("tags", {})}
            found = promotion.get("config")
            self.config_overrides = dict(found) if isinstance(found, dict) else {}
        defer_sync = bool(promotion and promotion.get("defer_sync"))
        if name is not None:
            validate_name(name, "run name")
        user_tags = {validate_key(k, "tag name"): str(v) for k, v in (tags_ or {}).items()}
        root = parse_seed(seed) if seed is not None else draw_seed()
        notebook_path = given_notebook(notebook) if notebook else find_notebook(self.user_ns)
        experiment = (
            experiment
            or os.environ.get("MLFLOW_EXPERIMENT_NAME")
            or (notebook_path.stem if notebook_path else "scratch")
        )
        validate_name(experiment, "experiment name")
        # Always name the run: MLflow would otherwise draw a name from the global `random`,
        # on our thread, at a moment that depends on timing, shifting the user's seeded draws.
        name = name or f"{experiment}-{time.strftime('%Y%m%d-%H%M%S')}"
        if "PYTHONHASHSEED" not in os.environ and "pythonhashseed" not in self._warned:
            self._warned.add("pythonhashseed")
            print(
                "xp: PYTHONHASHSEED is not set, so str hashing (set order) differs per kernel; "
                "it cannot be changed in a running kernel (set it in the kernel's environment).",
                file=sys.stderr,
            )
        run = ActiveRun(
            self,
            name=name,
            experiment=experiment,
            seed=root,
            seed_source="given" if seed is not None else "drawn",
            deterministic=deterministic,
            user_tags=user_tags,
            kind=kind or (tags.KIND_NOTEBOOK if self.shell is not None else tags.KIND_SCRIPT),
            notebook=notebook_path,
            prelude=self._prelude(),
            defer_sync=defer_sync,
        )
        self.active = run
        # Recorded by themselves, in whichever recorder is current when they are called
        # (get_recorder: a new XP_HOME or a test replaces it; the wrappers stay installed).
        watch_hydra(get_recorder)  # a hydra.compose
        watch_load_dataset(get_recorder)  # a load_dataset
        if self._pending_cell is not None:  # the cell running %xp start is part of the run
            run.cell_started(*self._pending_cell)
        if run.channel is None or run.notebook is not None or defer_sync:
            self.tasks.call_soon(run.capture)  # (else nothing to do here)
        if run.channel is not None:  # capture, sampler, heartbeat, sweep: all in the process
            if not defer_sync:
                run.channel.start(run.notebook)
            return run
        if not defer_sync:  # (a promotion job sweeps orphans itself)
            self.worker.call_soon(self._recover_others)
        self._start_sampler(run)
        self.heartbeat.start()
        return run

    def _take_promotion(self) -> dict[str, Any] | None:
        """The overrides a promotion job passes in ``XP_PROMOTION`` (once per process)."""
        text = os.environ.pop(PROMOTION_ENV, None)
        if not text:
            return None
        try:
            value = json.loads(text)
        except ValueError:
            value = None
        if not isinstance(value, dict):
            print(f"xp: {PROMOTION_ENV} is not a JSON object; recording as usual", file=sys.stderr)
            return None
        return value

    def _prelude(self) -> list[dict[str, Any]]:
        """What this kernel ran before the run started, in order (promote replays it).

        IPython keeps every input of the session; the cell running ``%xp start`` is the last one
        and is journaled as part of the run, so it is left out here.
        """
        history = getattr(getattr(self.shell, "history_manager", None), "input_hist_raw", None)
        if not isinstance(history, list) or self._pending_cell is None:
            return []
        count = self._pending_cell[2]
        earlier = history[1:count] if isinstance(count, int) else []
        return [
            {"execution_count": n, "source": source}
            for n, source in enumerate(earlier, start=1)
            if isinstance(source, str) and source.strip()
        ]

    def stop(self, status: str = tags.FINISHED, reason: str = "stop") -> ActiveRun:
        """Stop the active run (see :func:`jupyterlab_xp.stop`)."""
        run = self.active
        if run is None:
            raise XpError("no run is being recorded; start one with %xp start")
        self.active = None
        self.last = run
        synced = run.finish(status, reason, STOP_FLUSH_SECONDS)
        if not run.release_when_synced():
            self.settling.append(run)
        print_notices()
        if not synced:
            print(
                f"xp: the store did not answer in time ({run.sync_error or 'busy'}); "
                "the journal keeps everything and `jupyter xp runs` will finish syncing it.",
                file=sys.stderr,
            )
        return run

    def abandon(self, run: ActiveRun) -> None:
        """Forget ``run`` as the active run (its journal failed); it stays the last one."""
        if self.active is run:
            self.active = None
            self.last = run

    def describe_active(self) -> str:
        """``name (run <id>)`` for messages."""
        run = self.active
        if run is None:
            return "none"
        ident = run.run_id or f"local {run.local_id[:8]}, MLflow id pending"
        return f"{run.name or 'unnamed'} ({ident})"

    def _recover_others(self) -> None:
        try:
            recover_all(self.store, self.location.runs_dir)
        except StoreError as exc:  # the store is down: the next sweep (anyone's) tries again
            log.info("xp: sweeping dead runs failed: %s", exc)

    def _start_sampler(self, run: ActiveRun) -> None:
        from jupyterlab_xp.kernel.sampler import SystemSampler

        def report(metrics: dict[str, float], step: int) -> None:
            run.record("metric", metrics=metrics, step=step)

        run.sampler = SystemSampler(report)
        run.sampler.start()

    def _at_exit(self) -> None:
        if self.active is not None:
            run, self.active = self.active, None
            try:
                run.finish(tags.FINISHED, "shutdown", EXIT_FLUSH_SECONDS)
            except Exception as exc:  # exiting anyway; recovery finishes from the journal
                log.warning("xp: could not finish the run at exit: %s", exc)

    def note_running_cell(self, cell: tuple[str, str | None, int | None] | None) -> None:
        """Remember the cell running now (its pre_run_cell fired before the hooks existed)."""
        if cell is not None and self._pending_cell is None:
            self._pending_cell = cell

    # -- IPython events -----------------------------------------------------------------------
    def pre_run_cell(self, info: Any) -> None:
        """IPython ``pre_run_cell``: journal the cell before it runs."""
        try:
            source = info.raw_cell or ""
            cell_id = getattr(info, "cell_id", None)
            count = running_count(self.shell, getattr(info, "store_history", True))
            self._pending_cell = (source, cell_id, count)
            run = self.active
            if run is not None:
                run.cell_started(source, cell_id, count)
                if "import" in source and mlflow_import_pending():
                    # A cell importing while our thread imports MLflow could meet a
                    # half-initialised module (numpy, pandas, mlflow itself): wait it out.
                    wait_for_mlflow_import(60.0)
                if run.run_id is None and "mlflow" in source:
                    # The user's own MLflow calls resume our run: it must exist first. (Our
                    # sync thread imports mlflow too, so sys.modules cannot tell us.) A store
                    # that is down never holds the cell longer than CELL_WAIT_SECONDS.
                    run.wait_run_id(RUN_ID_WAIT_SECONDS, give_up_when_failing=CELL_WAIT_SECONDS)
                run.report_refused()
            print_notices()  # what background work found since the last cell
        except Exception as exc:
            self._report_once("pre", exc)

    def post_run_cell(self, result: Any) -> None:
        """IPython ``post_run_cell``: journal the cell's end (status, duration, error)."""
        try:
            self._pending_cell = None
            if self.settling:
                self.settling = [r for r in self.settling if not r.release_when_synced()]
            run = self.active
            if run is not None:
                error = result.error_before_exec or result.error_in_exec
                run.cell_finished(result.execution_count, error)
        except Exception as exc:
            self._report_once("post", exc)

    def _report_once(self, where: str, exc: Exception) -> None:
        if where not in self._warned:
            self._warned.add(where)
            print(
                f"xp: recorder error ({type(exc).__name__}: {exc}); the cell ran normally, "
                "recording continues where it can.",
                file=sys.stderr,
            )


def running_count(shell: Any, store_history: bool) -> int | None:
    """The execution count of the cell running now.

    IPython increments ``execution_count`` before ``pre_run_cell`` fires, so the running cell's
    own number is one less (and a cell run without history gets none).
    """
    count = getattr(shell, "execution_count", None)
    return count - 1 if store_history and isinstance(count, int) else None


_recorder: Recorder | None = None
_recorder_lock = threading.Lock()


def get_recorder() -> Recorder:
    """The process-wide recorder (created on first use)."""
    global _recorder
    with _recorder_lock:
        if _recorder is None:
            _recorder = Recorder()
        return _recorder


def reset_recorder(location: StoreLocation | None = None) -> Recorder:
    """Replace the process-wide recorder (tests, or after ``XP_HOME`` changed)."""
    global _recorder
    with _recorder_lock:
        if _recorder is not None and _recorder.active is not None:
            raise XpError("cannot reset while a run is being recorded")
        if _recorder is not None:
            atexit.unregister(_recorder._at_exit)
        _recorder = Recorder(location)
        return _recorder
