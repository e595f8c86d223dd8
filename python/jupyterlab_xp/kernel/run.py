"""One recorded run in this process: its journal, its params, metrics and tags, and how it ends."""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from jupyterlab_xp.core import tags
from jupyterlab_xp.core.config import StoreLocation
from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.core.files import write_atomic
from jupyterlab_xp.core.process import maxrss_mb, process_start_time, rss_mb
from jupyterlab_xp.core.tags import MAX_PARAM_VALUE
from jupyterlab_xp.core.validation import validate_key
from jupyterlab_xp.core.version import version
from jupyterlab_xp.journal import summary
from jupyterlab_xp.journal.jsonl import CellJournal, read_journal
from jupyterlab_xp.journal.rundir import JOURNAL_FILE, hold_lock, release_lock
from jupyterlab_xp.kernel.seeds import SeedKeeper, determinism_flags
from jupyterlab_xp.store.mlflow_store import MlflowStore
from jupyterlab_xp.store.sync import RunSync
from jupyterlab_xp.store.worker import SyncWorker

log = logging.getLogger(__name__)


class RunOwner(Protocol):
    """What a run needs from the process-wide recorder that owns it."""

    location: StoreLocation
    store: MlflowStore
    worker: SyncWorker
    user_ns: Mapping[str, Any] | None


class ActiveRun:
    """One recorded run in this process (created by :meth:`Recorder.start`)."""

    def __init__(
        self,
        recorder: RunOwner,
        name: str | None,
        experiment: str,
        seed: int,
        seed_source: str,
        deterministic: bool,
        user_tags: dict[str, str],
        kind: str,
        notebook: Path | None,
        prelude: list[dict[str, Any]] | None = None,
        defer_sync: bool = False,
    ) -> None:
        self.recorder = recorder
        # A promotion job syncs its kernel's journal itself once the kernel is gone: the kernel
        # then never imports MLflow (seconds of CPU) and its stop does not wait for the store.
        # Anything that needs the MLflow run (its id, the user's own mlflow calls) syncs live.
        self.deferred = defer_sync
        self.ended = False
        self._record_lock = threading.Lock()
        self.local_id = uuid.uuid4().hex
        self.name = name
        self.experiment = experiment
        self.seed = seed
        self.kind = kind
        self.notebook = notebook
        self.started = time.time()
        self.dir = recorder.location.runs_dir / self.local_id
        self.dir.mkdir(parents=True, mode=0o700)
        self._lock_fd = hold_lock(self.dir)
        self.journal = CellJournal(self.dir / JOURNAL_FILE)
        self.sync = RunSync(recorder.store, self.dir)
        self.sync.on_run_created = self._on_run_created
        self._created = threading.Event()
        self._set_tracking_uri = False
        self.cells = 0
        self.errors = 0
        self.params: dict[str, str] = {}
        self._open_cell: dict[str, Any] | None = None
        self._param_sources: set[str] = set()
        self.sampler: Any = None
        self.seeds = SeedKeeper(self._emit)
        seed_state = self.seeds.seed_all(seed, deterministic)
        seed_state["source"] = seed_source
        seed_state["determinism"] = determinism_flags() if deterministic else {}
        self.deterministic = deterministic
        run_tags = {
            tags.KIND: kind,
            tags.LOCAL_ID: self.local_id,
            tags.VERSION: version(),
            tags.HOST: socket.gethostname(),
            tags.PID: str(os.getpid()),
            tags.PID_START: process_start_time(),
            tags.DETERMINISTIC: str(deterministic).lower(),
            tags.PYTHONHASHSEED: seed_state["pythonhashseed"] or "random",
            tags.MLFLOW_SOURCE_TYPE: "NOTEBOOK" if notebook else "LOCAL",
            **user_tags,
        }
        if notebook is not None:
            run_tags[tags.NOTEBOOK_PATH] = str(notebook)
            run_tags[tags.NOTEBOOK_NAME] = notebook.name
            run_tags[tags.MLFLOW_SOURCE_NAME] = str(notebook)
        self.record(
            "run_start",
            durable=True,
            local_id=self.local_id,
            name=name,
            experiment=experiment,
            kind=kind,
            seeds=seed_state,
            tags=run_tags,
            params={tags.SEED_PARAM: seed},
            prelude=prelude or [],
        )
        self.params[tags.SEED_PARAM] = str(seed)

    # -- journal ------------------------------------------------------------------------------
    def record(self, kind: str, /, durable: bool = False, **fields: Any) -> dict[str, Any]:
        with self._record_lock:  # records reach the worker in journal order
            record = self.journal.append(kind, durable=durable, **fields)
            if not self.deferred:
                self.recorder.worker.submit(self.sync, record)
        return record

    def sync_now(self) -> None:
        """End a deferred sync: queue what the journal holds so far, then every new record."""
        with self._record_lock:
            if not self.deferred or self.ended:  # ended: the journal is the job's now
                return
            self.deferred = False
            for record in read_journal(self.dir / JOURNAL_FILE):
                self.recorder.worker.submit(self.sync, record)

    def _emit(self, kind: str, /, **fields: Any) -> None:
        """Events from the seed keeper and the capture (any thread)."""
        if kind == "determinism":
            fields["tags"] = {
                tags.CUDNN_DETERMINISTIC: str(fields.get("cudnn_deterministic")).lower(),
                tags.CUDNN_BENCHMARK: str(fields.get("cudnn_benchmark")).lower(),
                tags.CUBLAS_WORKSPACE_CONFIG: str(fields.get("cublas_workspace_config")),
            }
        self.record(kind, **fields)

    def _on_run_created(self, run_id: str) -> None:
        self.run_id_value = run_id
        # A user's own mlflow.log_metric(...) resumes this run (fluent API reads MLFLOW_RUN_ID).
        os.environ["MLFLOW_RUN_ID"] = run_id
        if "MLFLOW_TRACKING_URI" not in os.environ:
            os.environ["MLFLOW_TRACKING_URI"] = self.recorder.location.tracking_uri
            self._set_tracking_uri = True
        self._created.set()

    @property
    def run_id(self) -> str | None:
        """The MLflow run id once the background thread created the run, else None."""
        return getattr(self, "run_id_value", None)

    def wait_run_id(self, timeout: float = 60.0) -> str | None:
        """Block until the MLflow run exists (at most ``timeout`` seconds)."""
        self.sync_now()
        if self.deferred:  # it ended before anything needed MLflow: its job syncs it
            return self.run_id
        self._created.wait(timeout)
        return self.run_id

    # -- cells --------------------------------------------------------------------------------
    def cell_started(self, source: str, cell_id: str | None, execution_count: int | None) -> None:
        """Journal (durably) that a cell is about to run."""
        self.cells += 1
        self._open_cell = {
            "cell": self.cells,
            "t0": time.perf_counter(),
            "maxrss": maxrss_mb(),
            "source": source,
            "cell_id": cell_id,
        }
        if self.sampler is not None:
            self.sampler.reset_peak()
        self.record(
            "cell_start",
            durable=True,
            cell=self.cells,
            execution_count=execution_count,
            cell_id=cell_id,
            source=source,
            sha256=hashlib.sha256(source.encode()).hexdigest(),
        )

    def cell_finished(self, execution_count: int | None, error: BaseException | None) -> None:
        """Journal the end of the open cell (duration, status, error, peak memory)."""
        cell, self._open_cell = self._open_cell, None
        if cell is None:
            return
        duration = time.perf_counter() - cell["t0"]
        rss, maxrss = rss_mb(), maxrss_mb()
        sampled = self.sampler.peak_mb if self.sampler is not None else 0.0
        # The process high-water mark moved during the cell: that is the cell's peak.
        peak = maxrss if maxrss > cell["maxrss"] else max(rss, sampled)
        fields: dict[str, Any] = {
            "cell": cell["cell"],
            "execution_count": execution_count,
            "duration": round(duration, 6),
            "status": summary.ERROR if error is not None else summary.OK,
            "peak_rss_mb": round(peak, 1),
        }
        if error is not None:
            self.errors += 1
            fields["error_name"] = type(error).__name__
            fields["error_value"] = str(error)[:2000]
        self.record("cell_end", **fields)
        if error is None and cell["source"].strip() in self._param_sources:
            self.recorder.worker.call_soon(lambda: self._record_parameters_cell(cell["source"]))

    # -- params, metrics, tags, notes -------------------------------------------------------
    def log_params(self, values: Mapping[str, Any], source: str = "user") -> None:
        """Record params; a key already recorded with another value is an error (write-once)."""
        clean: dict[str, str] = {}
        for key, value in values.items():
            validate_key(key, "param name")
            text = value if isinstance(value, str) else repr(value)
            if len(text) > MAX_PARAM_VALUE:
                raise XpError(f"param {key!r} is longer than {MAX_PARAM_VALUE} characters")
            if key in self.params and self.params[key] != text:
                if source != "user":
                    continue  # a re-run parameters cell: keep the first value, journal it
                raise XpError(
                    f"param {key!r} is already {self.params[key]!r} in this run "
                    "(MLflow params are write-once; use a tag or start a new run)"
                )
            clean[key] = text
        self.params.update(clean)
        self.record("param", params=clean, source=source)

    def log_metrics(self, values: Mapping[str, Any], step: int | None = None) -> None:
        """Record numeric metrics at ``step`` (default 0)."""
        clean: dict[str, float] = {}
        for key, value in values.items():
            validate_key(key, "metric name")
            if isinstance(value, bool):
                value = int(value)
            try:
                clean[key] = float(value)
            except (TypeError, ValueError):
                raise XpError(f"metric {key!r} must be a number, got {value!r}") from None
        if step is not None and (not isinstance(step, int) or isinstance(step, bool)):
            raise XpError(f"step must be an integer, got {step!r}")
        self.record("metric", metrics=clean, step=step or 0)

    def set_tags(self, values: Mapping[str, Any]) -> None:
        """Record tags (later values replace earlier ones)."""
        clean = {validate_key(k, "tag name"): str(v) for k, v in values.items()}
        self.record("tag", tags=clean)

    def dataset(self, path: Path, name: str | None = None, context: str = "training") -> str:
        """Declare a data file or folder: its content checksum is computed in the background.

        Returns:
            The dataset's name in the run.
        """
        if not path.expanduser().exists():
            raise XpError(f"no file or folder at {path}")
        name = validate_key(name or path.name or "dataset", "dataset name")
        validate_key(context, "dataset context")

        def checksum() -> None:
            from jupyterlab_xp.capture.datasets import dataset_checksum

            info = dataset_checksum(path)
            self.record(
                "dataset",
                name=name,
                context=context,
                **info,
                tags={f"xp.dataset.{name}": info["sha256"]},
            )

        self.recorder.worker.call_soon(checksum)
        return name

    def note(self, text: str) -> None:
        """Record a free-text note (kept in the journal; the latest shows as a tag)."""
        if not text.strip():
            raise XpError("a note needs some text: %xp note TEXT")
        self.record("note", text=text)

    # -- capture (worker thread) --------------------------------------------------------------
    def capture(self, user_ns: Mapping[str, Any] | None) -> None:
        """Capture environment, lock file, hardware, git and parameters; runs in the background."""
        from jupyterlab_xp.capture.parameters import parameter_cell_sources
        from jupyterlab_xp.capture.startup import capture_all

        artifacts = self.sync.artifacts_dir
        results = capture_all(artifacts, self.notebook)
        self.record("capture", tags=results.tags, artifacts=results.files, errors=results.errors)
        if self.notebook is not None:
            sources = parameter_cell_sources(self.notebook)
            self._param_sources = {s.strip() for s in sources}
            for source in sources:
                self._record_parameters_cell(source, user_ns)

    def _record_parameters_cell(
        self, source: str, user_ns: Mapping[str, Any] | None = None
    ) -> None:
        from jupyterlab_xp.capture.parameters import parameters_from_source

        user_ns = user_ns if user_ns is not None else self.recorder.user_ns
        values = parameters_from_source(source, user_ns)
        if values:
            self.log_params(values, source="parameters-cell")

    # -- end ----------------------------------------------------------------------------------
    def finish(self, status: str, reason: str, timeout: float) -> bool:
        """Journal the end, stop the hooks and wait for the store (True when fully synced)."""
        if self._open_cell is not None:  # the %xp stop cell itself: it ran fine so far
            self.cell_finished(None, None)
        if self.sampler is not None:
            self.sampler.stop()
        self.seeds.uninstall()
        self._snapshot_notebook()
        # How the run ended is on disk first: if the process dies while we wait for the store
        # (a kernel manager's patience at shutdown is a few seconds), recovery finishes the job.
        self.record("run_end", durable=True, status=status, tags={tags.END_REASON: reason})
        # Background work of this run (captures, dataset checksums) may still journal results:
        # wait for it too before closing the journal.
        deadline = time.monotonic() + timeout
        self.recorder.worker.flush(None, timeout)
        if self.deferred:  # the promotion job syncs the journal once this kernel is gone
            synced = True
        else:
            synced = self.recorder.worker.flush(self.sync, max(0.0, deadline - time.monotonic()))
        if self.run_id:
            # Before the environment is restored: MLflow's fluent API finds the store through it.
            try:
                MlflowStore.end_fluent_run(self.run_id, status)
            except Exception as exc:  # the run itself is ended; this only tidies MLflow's stack
                log.warning("xp: could not end MLflow's active run: %s", exc)
        if self.run_id is not None and os.environ.get("MLFLOW_RUN_ID") == self.run_id:
            del os.environ["MLFLOW_RUN_ID"]
        if self._set_tracking_uri:  # leave the environment as the user had it
            os.environ.pop("MLFLOW_TRACKING_URI", None)
        with self._record_lock:
            self.ended = True
        self.journal.close()
        release_lock(self._lock_fd)
        return synced

    def _snapshot_notebook(self) -> None:
        """Copy the notebook as saved now; it is uploaded with the artifacts at the end."""
        if self.notebook is None:
            return
        try:
            data = self.notebook.read_bytes()
        except OSError:
            return
        write_atomic(self.sync.artifacts_dir / tags.NOTEBOOK_ARTIFACT, data)
