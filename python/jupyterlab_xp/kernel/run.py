"""One recorded run in this process: its journal, its params, metrics and tags, and how it ends."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import queue
import socket
import sys
import threading
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jupyterlab_xp.core import tags
from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.core.files import write_atomic
from jupyterlab_xp.core.process import maxrss_mb, process_start_time, user_name
from jupyterlab_xp.core.validation import validate_key
from jupyterlab_xp.core.version import version
from jupyterlab_xp.journal import summary
from jupyterlab_xp.journal.jsonl import CellJournal, read_journal
from jupyterlab_xp.journal.rundir import JOURNAL_FILE, hold_lock, release_lock
from jupyterlab_xp.kernel.loader_timing import BusyClock
from jupyterlab_xp.kernel.notices import add_notice
from jupyterlab_xp.kernel.run_link import RunOwner, StoreLink
from jupyterlab_xp.kernel.seeds import SeedKeeper, determinism_flags
from jupyterlab_xp.kernel.sync_client import SyncChannel, rss_now_mb
from jupyterlab_xp.kernel.values import clean_metrics, clean_params
from jupyterlab_xp.store.mlflow_store import MlflowStore
from jupyterlab_xp.store.sync import STOP_FILE, RunSync

log = logging.getLogger(__name__)

TASKS_AT_STOP_SECONDS = 10.0  # %xp stop waits this long for captures and dataset checksums
STOP_WHEN_FAILING_SECONDS = 1.0  # ...and this long for a store that is down or refusing
BUSY_READ_SECONDS = 0.5  # a cell this long records its busy time (verdicts judge 1 s and more)
RSS_REUSE_SECONDS = 0.25  # shorter cells in a burst share one reading of resident memory


class ActiveRun(StoreLink):
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
        self._pid = os.getpid()  # the recording process: a forked child records nothing
        self._rss, self._rss_at = 0.0, float("-inf")  # the last resident-memory reading
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
        self._owner_held = False  # stopped, still holding the folder (see finish)
        # In a kernel, a sync process of its own tails the journal (kernel/sync_process.py):
        # this process then only appends lines, and runs no thread for the store or the disk.
        process = recorder.sync_mode == "process"
        self.journal = CellJournal(self.dir / JOURNAL_FILE, flush_here=not process)
        self.sync = RunSync(recorder.store, self.dir)
        self.sync.on_run_created = self._on_run_created
        self.channel = SyncChannel(recorder.location, self.sync) if process else None
        self._created = threading.Event()
        self._set_tracking_uri = False
        self._refused_reported = self.sync.refused
        self._unreachable_reported = False
        self.cells = 0
        self.errors = 0
        self.params: dict[str, str] = {}
        self.dataset_warnings: set[str] = set()  # what xp.dataset has said once in this run
        self._hf_names: dict[str, list[str]] = {}  # a datasets object's digest: its names
        self._open_cell: dict[str, Any] | None = None
        self._param_sources: set[str] = set()
        # Parameters cells the capture thread read from the notebook, parsed on the main thread:
        # CPython (3.11 at least) keeps one AST-construction depth counter per interpreter, so
        # an ast.parse on another thread while the user's cell is being compiled (IPython parses
        # every cell, and formats tracebacks with ast) can raise SystemError in that cell.
        self._params_to_parse: queue.SimpleQueue[str] = queue.SimpleQueue()
        self.sampler: Any = None
        self.seeds = SeedKeeper(self._emit)
        self.busy = BusyClock()  # with the seed keeper's loader clock: each cell's verdict
        seed_state = self.seeds.seed_all(seed, deterministic)
        seed_state["source"] = seed_source
        seed_state["determinism"] = determinism_flags() if deterministic else {}
        self.deterministic = deterministic
        run_tags = {
            tags.KIND: kind,
            tags.LOCAL_ID: self.local_id,
            tags.VERSION: version(),
            tags.HOST: socket.gethostname(),
            tags.MLFLOW_USER: user_name(),
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
        """Journal a record, then hand it to the sync thread (a no-op once the run ended, and
        in a forked child such as a DataLoader's worker process)."""
        if os.getpid() != self._pid:
            # A fork of the kernel (torch's DataLoader workers on Linux) inherits the recorder:
            # torch seeds each worker through the wrapped seed functions. Its records are not
            # the run's, and the lock may have been held by another thread at the fork.
            return {"type": kind, **fields}
        with self._record_lock:  # records reach the worker in journal order
            if self.ended:  # late background work: the journal is closed, and may be the job's
                log.warning("xp: %s arrived after the run ended; not recorded", kind)
                return {"type": kind, **fields}
            try:
                record = self.journal.append(kind, durable=durable, **fields)
            except OSError as exc:  # a full disk, a quota, a file size limit
                self._journal_failed(exc)
                return {"type": kind, **fields}
            if not self.deferred and self.channel is None:
                self.recorder.worker.submit(self.sync, record)
        return record

    def _journal_failed(self, exc: OSError) -> None:
        """The journal cannot be written: say so once and end the run FAILED (lock held).

        Recording without a journal would break every promise it keeps (crash safety, order),
        so the run stops here; the cell itself runs as usual. The end goes to the sync thread
        directly, and the folder stays locked until the store has it.
        """
        self.ended = True
        print(
            f"xp: cannot write this run's journal ({exc.strerror or exc}: {self.journal.path}); "
            "the run is stopped as FAILED and recording is off. Your code runs as usual; free "
            "some disk space, then %xp start a new run.",
            file=sys.stderr,
        )
        if self.sampler is not None:
            self.sampler.stop()
        self.seeds.uninstall()
        self.busy.close()
        self.recorder.abandon(self)
        end = {
            "seq": self.journal.seq + 1,
            "t": time.time(),
            "type": "run_end",
            "status": tags.FAILED,
            "tags": {tags.END_REASON: "journal-write-failed"},
        }
        worker, fd = self.recorder.worker, self._lock_fd
        with contextlib.suppress(OSError):
            self.journal.close()
        if self.channel is not None:  # its sync process (or a recovery) ends the run so
            with contextlib.suppress(OSError):
                write_atomic(self.dir / STOP_FILE, json.dumps(end).encode())
            release_lock(fd)
            return
        if not self.deferred:
            worker.submit(self.sync, end)
        worker.call_soon(lambda: release_lock(fd))

    def sync_now(self) -> None:
        """End a deferred sync: queue what the journal holds so far, then every new record."""
        with self._record_lock:
            if not self.deferred or self.ended:  # ended: the journal is the job's now
                return
            self.deferred = False
            if self.channel is not None:  # it reads the journal from its start
                self.channel.start(self.notebook, capture=False)  # (captured here)
                return
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
            "waited": self.seeds.loader_clock.waited,
            "busy": self.busy.read(),
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
        if not self._params_to_parse.empty():
            self._parse_pending_parameters()
        if cell is None:
            return
        now = time.perf_counter()
        duration = now - cell["t0"]
        # A short cell gets no verdict (views/verdict.MIN_SECONDS), so it skips the busy clock's
        # second read: each read of /proc lets the kernel's other threads take the GIL, and a
        # burst of short cells then waits for them (IPython's history writer among them).
        busy = self.busy.read() if duration >= BUSY_READ_SECONDS else None
        waited = self.seeds.loader_clock.waited
        maxrss = maxrss_mb()
        if maxrss > cell["maxrss"]:  # the process high-water mark moved: the cell's peak
            peak = maxrss
        else:
            # Below the old high-water mark: the sampler's peak during the cell, or its last
            # reading (at most a second old) for a short cell. Reading the process's memory
            # here would cost every cell ~40 us (psutil opens /proc/<pid>/statm each time).
            sampler = self.sampler
            last = sampler.last_rss_mb if sampler is not None else 0.0
            peak = max(sampler.peak_mb, last) if last else self._rss_mb(now, duration)
        fields: dict[str, Any] = {
            "cell": cell["cell"],
            "execution_count": execution_count,
            "duration": round(duration, 6),
            "status": summary.ERROR if error is not None else summary.OK,
            "peak_rss_mb": round(peak, 1),
            "loader_wait": round(waited - cell["waited"], 6),
        }
        if busy is not None and cell["busy"] is not None:
            fields["busy"] = round(busy - cell["busy"], 6)
        if error is not None:
            self.errors += 1
            fields["error_name"] = type(error).__name__
            fields["error_value"] = str(error)[:2000]
        self.record("cell_end", **fields)
        if error is None and cell["source"].strip() in self._param_sources:
            self._record_parameters_cell(cell["source"])  # on this thread: see _params_to_parse

    def _rss_mb(self, now: float, duration: float) -> float:
        """Resident memory after a cell: read again for a cell of a quarter second or more,
        or when the last reading is that old; a burst of short cells shares one reading."""
        if duration >= RSS_REUSE_SECONDS or now - self._rss_at >= RSS_REUSE_SECONDS:
            self._rss, self._rss_at = rss_now_mb(), now
        return self._rss

    # -- params, metrics, tags, notes -------------------------------------------------------
    def log_params(self, values: Mapping[str, Any], source: str = "user") -> None:
        """Record params; a key already recorded with another value is an error (write-once)."""
        clean = clean_params(values, self.params, source)
        self.params.update(clean)
        self.record("param", params=clean, source=source)

    def log_metrics(self, values: Mapping[str, Any], step: int | None = None) -> None:
        """Record numeric metrics at ``step`` (default 0)."""
        self.record("metric", metrics=clean_metrics(values, step), step=step or 0)

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
            from jupyterlab_xp.capture.provenance import local_provenance

            info = dataset_checksum(path)
            provenance = local_provenance(path)
            self.record(
                "dataset",
                name=name,
                context=context,
                **info,
                **provenance,
                tags={f"xp.dataset.{name}": info["sha256"]},
            )
            if provenance["card"] is None and "no card" not in self.dataset_warnings:
                self.dataset_warnings.add("no card")  # once per run: one line, not one per file
                add_notice(
                    f"xp: dataset {name!r} has no data card (a data_card.md, a README.md with a "
                    "YAML header or a croissant.json beside it or one folder up): say what the "
                    "data is, where it came from and what it may be used for"
                )

        self.recorder.tasks.call_soon(checksum)
        return name

    def hf_dataset(self, info: dict[str, Any], name: str | None, context: str) -> str:
        """Declare a Hugging Face ``datasets`` object (``hf_datasets.describe``'s ``info``);
        one line when it came from the Hub without a pinned revision (once per run). One already
        declared (the same digest: a wrapped ``load_dataset`` declares what it returns) makes no
        second input: a new name only adds its ``xp.dataset.<name>`` tag.

        Returns:
            The dataset's name in the run.
        """
        known = self._hf_names.get(info["digest"])
        if known is not None and (name is None or name in known):
            return name or known[0]
        name = validate_key(name or info.get("dataset_name") or "dataset", "dataset name")
        validate_key(context, "dataset context")
        if known is not None:
            known.append(name)
            self.record("tag", tags={f"xp.dataset.{name}": info["digest"]})
            return name
        self._hf_names[info["digest"]] = [name]
        if (
            info.get("revision")
            and not info.get("pinned")
            and "unpinned" not in self.dataset_warnings
        ):
            self.dataset_warnings.add("unpinned")
            print(
                f"xp: dataset {name!r} was loaded from the Hub without a pinned revision; it was "
                f'commit {info["revision"]}: load_dataset(..., revision="{info["revision"]}") '
                "reads the same data again",
                file=sys.stderr,
            )
        fields = {"name": name, "context": context, "sha256": info["digest"]}
        tag = {f"xp.dataset.{name}": info["digest"]}
        if not (info.get("repo") and info.get("revision")):  # not from the Hub: no card looked for
            self.record("dataset", **fields, hf=info, tags=tag)
            return name

        def with_card() -> None:  # a Hub dataset's card: files read, so not on the cell's path
            from jupyterlab_xp.capture.data_cards import find_hub_card

            self.record(
                "dataset",
                **fields,
                hf={**info, **find_hub_card(info["repo"], info["revision"])},
                tags=tag,
            )

        self.recorder.tasks.call_soon(with_card)
        return name

    def note(self, text: str) -> None:
        """Record a free-text note (kept in the journal; the latest shows as a tag)."""
        if not text.strip():
            raise XpError("a note needs some text: %xp note TEXT")
        self.record("note", text=text)

    # -- capture (worker thread) --------------------------------------------------------------
    def capture(self) -> None:
        """Capture environment, lock file, hardware, git and parameters; runs in the background."""
        from jupyterlab_xp.capture.parameters import parameter_cell_sources
        from jupyterlab_xp.capture.startup import capture_all

        if self.channel is None or self.deferred:  # (else its sync process captures)
            results = capture_all(self.sync.artifacts_dir, self.notebook)
            self.record(
                "capture", tags=results.tags, artifacts=results.files, errors=results.errors
            )
        if self.notebook is not None:
            sources = parameter_cell_sources(self.notebook)
            self._param_sources = {s.strip() for s in sources}
            for source in sources:  # parsed by the next cell's end hook (or the run's end)
                self._params_to_parse.put(source)

    def _parse_pending_parameters(self) -> None:
        while True:
            try:
                source = self._params_to_parse.get_nowait()
            except queue.Empty:
                return
            self._record_parameters_cell(source)

    def _record_parameters_cell(self, source: str) -> None:
        """Record a parameters cell's values; main thread only (it parses the cell)."""
        from jupyterlab_xp.capture.parameters import parameters_from_source

        values = parameters_from_source(source, self.recorder.user_ns)
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
        self.busy.close()
        self._snapshot_notebook()
        # How the run ended is on disk first: if the process dies while we wait (a kernel
        # manager's patience at shutdown is a few seconds), recovery finishes the job.
        self.record("run_end", durable=True, status=status, tags={tags.END_REASON: reason})
        # Background work of this run (captures, dataset checksums) journals its results: wait
        # for it (bounded); what is still running then is marked incomplete, never written.
        if not self.recorder.tasks.flush(min(timeout, TASKS_AT_STOP_SECONDS)):
            self.record("tag", tags={tags.INCOMPLETE: "capture or checksum still running"})
        self._parse_pending_parameters()  # a run stopped before any cell ended after its start
        if self.deferred:  # the promotion job syncs the journal once this kernel is gone
            synced = True
        else:
            # A store that is failing gets no patience: the journal holds everything, and the
            # sync thread or process (or recovery) finishes once the store is back.
            wait = STOP_WHEN_FAILING_SECONDS if self.store_failing else timeout
            if self.channel is not None:
                end_seq = self.journal.seq
                synced = self.channel.wait(
                    lambda: self.sync.ended or self.sync.synced_seq >= end_seq,
                    wait,
                    STOP_WHEN_FAILING_SECONDS,
                )
            else:
                synced = self.recorder.worker.flush(self.sync, wait)
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
        if synced or self.deferred:
            release_lock(self._lock_fd)
        elif self.channel is not None:
            # Its sync process still applies the end: the folder stays ours while this kernel
            # lives, until that is done (release_when_synced). A free owner lock says the
            # kernel died, and a recovery would then wait for the sync process to end the run.
            self._owner_held = True
        else:
            # The sync thread still owes the store this run's last records: the folder stays
            # ours until they are applied, so that no recovery replays them meanwhile.
            fd = self._lock_fd
            self.recorder.worker.call_soon(lambda: release_lock(fd))
        return synced

    def release_when_synced(self) -> bool:
        """Let go of the folder of a stopped run once its sync process is done with it (True
        when it is let go; cheap, for every cell). A sync process that ended without ending
        the run and is not replaced leaves the journal to recovery."""
        channel = self.channel
        if not self._owner_held or channel is None:
            return True
        channel.poll()
        process = channel.process
        if self.sync.ended or process is None or process.poll() is not None:
            self._owner_held = False
            release_lock(self._lock_fd)
        return not self._owner_held

    def wait_capture(self, path: Path, timeout: float) -> None:
        """Wait (at most ``timeout`` s) for a file the capture at start writes."""
        if self.channel is None:
            self.recorder.tasks.flush(timeout)
            return
        deadline = time.monotonic() + timeout
        while not path.exists() and time.monotonic() < deadline:
            time.sleep(0.05)

    def _snapshot_notebook(self) -> None:
        """Copy the notebook as saved now; it is uploaded with the artifacts at the end."""
        if self.notebook is None:
            return
        try:
            data = self.notebook.read_bytes()
        except OSError:
            return
        write_atomic(self.sync.artifacts_dir / tags.NOTEBOOK_ARTIFACT, data)
