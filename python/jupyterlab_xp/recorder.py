"""The kernel-side recorder: one active run per process, its journal, hooks and background work.

Hot path (``%xp start`` and every cell) does only local, cheap work: a journal append (with
``fdatasync`` for "cell started"), a few clock reads. Everything slow — importing MLflow,
creating the run, capturing environment, hardware and git, uploading artifacts — happens on the
sync worker thread.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import logging
import os
import resource
import socket
import sys
import threading
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from . import summary, tags
from .config import StoreLocation, resolve_store
from .errors import XpError
from .files import write_atomic
from .journal import CellJournal, read_journal
from .mlflow_store import (
    MAX_KEY,
    MAX_PARAM_VALUE,
    MlflowStore,
    mlflow_import_pending,
    wait_for_mlflow_import,
)
from .seeds import SeedKeeper, determinism_flags, draw_seed, parse_seed
from .sync import JOURNAL_FILE, RunSync, SyncWorker, hold_lock, recover_orphans, release_lock

log = logging.getLogger(__name__)

STOP_FLUSH_SECONDS = 60.0  # how long %xp stop waits for the store before leaving it to recovery
EXIT_FLUSH_SECONDS = 10.0  # the same at interpreter exit, where a hung kernel helps nobody
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./: ")
_PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20
PROMOTION_ENV = "XP_PROMOTION"  # JSON set by a promotion job: seed, kind, name, tags


def validate_key(key: str, what: str = "name") -> str:
    """Check a metric/param/tag key against MLflow's rules, with a one-line error."""
    if not key or len(key) > MAX_KEY:
        raise XpError(f"{what} must be 1 to {MAX_KEY} characters, got {key!r}")
    if not set(key) <= _NAME_CHARS:
        raise XpError(f"{what} {key!r} may only hold letters, digits, spaces and _ - . / :")
    parts = key.split("/")
    if key.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise XpError(f"{what} {key!r} must not look like a path ('/', '.', '..' parts)")
    return key


def validate_name(name: str, what: str) -> str:
    """A free-text name (run, experiment): 1 to 250 printable characters."""
    if not name or len(name) > MAX_KEY or not name.isprintable():
        raise XpError(f"{what} must be 1 to {MAX_KEY} printable characters, got {name[:80]!r}")
    return name


def _rss_mb() -> float:
    try:
        with open("/proc/self/statm", "rb") as handle:
            return int(handle.read().split()[1]) * _PAGE_MB
    except (OSError, IndexError, ValueError):
        return 0.0


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _process_start_time() -> str:
    try:
        with open("/proc/self/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].split()[19].decode()
    except (OSError, IndexError):
        return ""


def _given_notebook(path: str | Path) -> Path:
    """A notebook named by the caller (``%xp start --notebook``): a local .ipynb file."""
    resolved = Path(path).expanduser().resolve()
    if resolved.suffix != ".ipynb" or not resolved.is_file():
        raise XpError(f"--notebook must name an existing .ipynb file, got {str(path)[:200]!r}")
    return resolved


def find_notebook(user_ns: Mapping[str, Any] | None) -> Path | None:
    """The notebook this kernel runs, when a frontend told us (``XP_NOTEBOOK`` wins).

    jupyter_server starts kernels with ``JPY_SESSION_NAME`` set to the notebook's path and
    ipykernel copies it into ``__session__``; a plain console or a script has neither.
    """
    for candidate in (
        os.environ.get("XP_NOTEBOOK"),
        (user_ns or {}).get("__session__"),
        os.environ.get("JPY_SESSION_NAME"),
    ):
        if isinstance(candidate, str) and candidate.endswith(".ipynb"):
            path = Path(candidate).expanduser()
            if path.is_file():
                return path.resolve()
    return None


class ActiveRun:
    """One recorded run in this process (created by :meth:`Recorder.start`)."""

    def __init__(
        self,
        recorder: Recorder,
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
            tags.VERSION: _version(),
            tags.HOST: socket.gethostname(),
            tags.PID: str(os.getpid()),
            tags.PID_START: _process_start_time(),
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
            "maxrss": _maxrss_mb(),
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
        rss, maxrss = _rss_mb(), _maxrss_mb()
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
            from .datasets import dataset_checksum

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
        from . import capture

        artifacts = self.sync.artifacts_dir
        results = capture.capture_all(artifacts, self.notebook)
        self.record("capture", tags=results.tags, artifacts=results.files, errors=results.errors)
        if self.notebook is not None:
            sources = capture.parameter_cell_sources(self.notebook)
            self._param_sources = {s.strip() for s in sources}
            for source in sources:
                self._record_parameters_cell(source, user_ns)

    def _record_parameters_cell(
        self, source: str, user_ns: Mapping[str, Any] | None = None
    ) -> None:
        from .capture import parameters_from_source

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


def _version() -> str:
    from . import __version__

    return str(__version__)


class Recorder:
    """Holds the process's active run, the sync worker and the IPython hooks' state."""

    def __init__(self, location: StoreLocation | None = None) -> None:
        self.location = location or resolve_store()
        self.store = MlflowStore(self.location)
        self.worker = SyncWorker()
        self.active: ActiveRun | None = None
        self.last: ActiveRun | None = None  # the run stopped last (what %xp promote promotes)
        self.user_ns: Mapping[str, Any] | None = None
        self.shell: Any = None
        self._pending_cell: tuple[str, str | None, int | None] | None = None
        self._warned: set[str] = set()
        atexit.register(self._at_exit)

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
        defer_sync = bool(promotion and promotion.get("defer_sync"))
        if name is not None:
            validate_name(name, "run name")
        user_tags = {validate_key(k, "tag name"): str(v) for k, v in (tags_ or {}).items()}
        root = parse_seed(seed) if seed is not None else draw_seed()
        notebook_path = _given_notebook(notebook) if notebook else find_notebook(self.user_ns)
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
        if self._pending_cell is not None:  # the cell running %xp start is part of the run
            run.cell_started(*self._pending_cell)
        user_ns = self.user_ns
        self.worker.call_soon(lambda: run.capture(user_ns))
        if not defer_sync:  # (a promotion job sweeps orphans itself)
            self.worker.call_soon(self._recover_others)
        self._start_sampler(run)
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
        if not synced:
            print(
                f"xp: the store did not answer in time ({self.worker.last_error or 'busy'}); "
                "the journal keeps everything and `jupyter xp runs` will finish syncing it.",
                file=sys.stderr,
            )
        return run

    def describe_active(self) -> str:
        """``name (run <id>)`` for messages."""
        run = self.active
        if run is None:
            return "none"
        ident = run.run_id or f"local {run.local_id[:8]}, MLflow id pending"
        return f"{run.name or 'unnamed'} ({ident})"

    def _recover_others(self) -> None:
        recover_orphans(self.store, self.location.runs_dir)

    def _start_sampler(self, run: ActiveRun) -> None:
        from .sampler import SystemSampler

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
                    # sync thread imports mlflow too, so sys.modules cannot tell us.)
                    run.wait_run_id(30.0)
        except Exception as exc:
            self._report_once("pre", exc)

    def post_run_cell(self, result: Any) -> None:
        """IPython ``post_run_cell``: journal the cell's end (status, duration, error)."""
        try:
            self._pending_cell = None
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
