"""Background sync: journal records become MLflow params, metrics, tags and artifacts.

The recorder writes every record to the journal first and then hands it to the one
:class:`SyncWorker` thread, which applies records to the store in batches. The same
:class:`RunSync` code replays a journal left behind by a dead kernel (``recover``), so what
reaches MLflow never depends on whether the kernel lived to say goodbye.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from . import summary, tags
from .files import read_json, write_atomic, write_json_atomic
from .journal import read_journal
from .mlflow_store import MAX_TAG_VALUE, MlflowStore
from .order import notebook_code_cells, order_verdict

log = logging.getLogger(__name__)

JOURNAL_FILE = "journal.jsonl"
STATE_FILE = "sync.json"
ARTIFACTS_DIR = "artifacts"

_META_KEYS = frozenset({"seq", "t", "type"})


class RunSync:
    """Applies one run's journal records to the MLflow store; remembers how far it got.

    The progress (``run_id``, ``synced_seq``, ``ended``) is kept in ``sync.json`` in the run
    folder so that a later process can carry on from where this one stopped.
    """

    def __init__(self, store: MlflowStore, run_dir: Path) -> None:
        self.store = store
        self.dir = run_dir
        state = read_json(run_dir / STATE_FILE) or {}
        self.run_id: str | None = state.get("run_id")
        self.synced_seq: int = int(state.get("synced_seq", 0))
        self.ended: bool = bool(state.get("ended", False))
        self.status: str | None = state.get("status")
        self.on_run_created: Callable[[str], None] | None = None
        self._logged_params: dict[str, str] = dict(state.get("params", {}))
        self._counts: dict[str, int] = dict(state.get("counts", {}))
        self._notes: list[str] = list(state.get("notes", []))

    @property
    def artifacts_dir(self) -> Path:
        """Local folder whose files are uploaded under ``xp/`` in the run."""
        return self.dir / ARTIFACTS_DIR

    def apply(self, records: Iterable[dict[str, Any]], recovering: bool = False) -> None:
        """Apply records in order (records at or below ``synced_seq`` are skipped).

        Raises whatever the store raises; the records stay unsynced and are retried.
        """
        params: dict[str, str] = {}
        metrics: list[tuple[str, float, int, int]] = []
        run_tags: dict[str, str] = {}
        uploads: list[str] = []
        end: dict[str, Any] | None = None
        datasets: list[dict[str, Any]] = []
        last_seq = self.synced_seq
        # Work on copies: if the store fails half-way the whole batch is retried, so nothing
        # may count as done until every write below has succeeded.
        logged, counts, notes = dict(self._logged_params), dict(self._counts), list(self._notes)
        for rec in records:
            if rec["seq"] <= self.synced_seq:
                continue
            last_seq = rec["seq"]
            kind = rec["type"]
            if kind == "run_start" and self.run_id is None:
                self._create_run(rec, recovering)
            for key, value in rec.get("params", {}).items():
                if key not in logged:  # MLflow params are write-once
                    logged[key] = params[key] = str(value)
            step = int(rec.get("step") or 0)
            ts = int(rec["t"] * 1000)
            metrics.extend((k, float(v), ts, step) for k, v in rec.get("metrics", {}).items())
            run_tags.update({k: str(v) for k, v in rec.get("tags", {}).items()})
            uploads.extend(rec.get("artifacts", []))
            if kind == "cell_start":
                counts["cells"] = counts.get("cells", 0) + 1
            elif kind == "cell_end" and rec.get("status") == summary.ERROR:
                # Per-cell durations and memory stay in cells.jsonl: as metrics they would cost
                # the store a row per cell and this thread CPU that the kernel wants.
                counts["errors"] = counts.get("errors", 0) + 1
            elif kind == "seed_call":
                counts["seed_calls"] = counts.get("seed_calls", 0) + 1
                run_tags[tags.SEED_CALLS] = str(counts["seed_calls"])
            elif kind == "note":
                notes.append(str(rec.get("text", "")))
                run_tags[tags.NOTE] = notes[-1]
                run_tags[tags.MLFLOW_NOTE] = "\n\n".join(notes)[-MAX_TAG_VALUE:]
            elif kind == "dataset":
                datasets.append(rec)
            elif kind == "run_end":
                end = rec
        if self.run_id is None:
            return
        run_tags[tags.CELLS] = str(counts.get("cells", 0))
        run_tags[tags.ERRORS] = str(counts.get("errors", 0))
        self.store.log_batch(self.run_id, params=params, metrics=metrics, tags=run_tags)
        for data in datasets:
            self.store.log_dataset(
                self.run_id, data["name"], data["sha256"], data["path"], data.get("context")
            )
        for name in uploads:
            path = self.artifacts_dir / name
            if path.exists():
                self.store.log_artifact(self.run_id, path, tags.ARTIFACT_DIR)
        if end is not None:
            self._finish(
                end.get("status", tags.FINISHED), end.get("tags", {}), int(end["t"] * 1000)
            )
        self._logged_params, self._counts, self._notes = logged, counts, notes
        self.synced_seq = last_seq
        self._save()

    def _create_run(self, rec: dict[str, Any], recovering: bool) -> None:
        local_id = rec["local_id"]
        if recovering:
            # The dead process may have created the run without living to write sync.json.
            self.run_id = self.store.find_run_by_tag(tags.LOCAL_ID, local_id)
        if self.run_id is None:
            self.run_id = self.store.create_run(
                rec["experiment"], rec.get("name"), rec.get("tags", {}), int(rec["t"] * 1000)
            )
        self._save()
        if self.on_run_created is not None:
            self.on_run_created(self.run_id)

    def _finish(self, status: str, end_tags: dict[str, str], end_ms: int) -> None:
        assert self.run_id is not None
        verdict = self.write_derived_artifacts(alive=False)
        self.store.log_artifacts(self.run_id, self.artifacts_dir, tags.ARTIFACT_DIR)
        linear = verdict["linear"]
        end_tags = {**end_tags, tags.LINEAR: "unknown" if linear is None else str(linear).lower()}
        self.store.log_batch(self.run_id, tags=end_tags)
        self.store.set_terminated(self.run_id, status, end_ms)
        self.ended, self.status = True, status

    def write_derived_artifacts(self, alive: bool) -> dict[str, Any]:
        """Write cells.jsonl, seeds.json, order.json and a copy of the journal (artifacts folder).

        Returns:
            The order verdict (judged against the notebook snapshot taken at stop).
        """
        records = list(read_journal(self.dir / JOURNAL_FILE))
        cells = summary.cell_executions(records, alive=alive)
        self.artifacts_dir.mkdir(parents=True, exist_ok=True)
        write_atomic(self.artifacts_dir / tags.CELLS_ARTIFACT, summary.cells_jsonl(cells))
        write_json_atomic(self.artifacts_dir / tags.SEEDS_ARTIFACT, summary.seeds_summary(records))
        start = next((r for r in records if r["type"] == "run_start"), {})
        write_json_atomic(self.artifacts_dir / tags.PRELUDE_ARTIFACT, start.get("prelude", []))
        self._add_torch_runtime(records)
        snapshot = self.artifacts_dir / tags.NOTEBOOK_ARTIFACT
        verdict = order_verdict(cells, notebook_code_cells(snapshot) if snapshot.exists() else None)
        write_json_atomic(self.artifacts_dir / tags.ORDER_ARTIFACT, verdict)
        write_atomic(
            self.artifacts_dir / tags.JOURNAL_ARTIFACT, (self.dir / JOURNAL_FILE).read_bytes()
        )
        return verdict

    def _add_torch_runtime(self, records: list[dict[str, Any]]) -> None:
        """Fold what the imported torch reported (CUDA, cuDNN) into hardware.json.

        The capture at start never imports torch; the import hook records the runtime later.
        """
        runtime = next(
            (
                r.get("runtime") or r.get("torch")
                for r in reversed(records)
                if r["type"] in ("torch_runtime", "device")
            ),
            None,
        )
        path = self.artifacts_dir / tags.HARDWARE_ARTIFACT
        hardware = read_json(path)
        if runtime and isinstance(hardware, dict):
            hardware.setdefault("torch", {})["runtime"] = runtime
            write_json_atomic(path, hardware)

    def _save(self) -> None:
        write_json_atomic(
            self.dir / STATE_FILE,
            {
                "run_id": self.run_id,
                "synced_seq": self.synced_seq,
                "ended": self.ended,
                "status": self.status,
                "params": self._logged_params,
                "counts": self._counts,
                "notes": self._notes,
            },
        )

    def recover(self) -> str | None:
        """Finish a run whose process is gone: replay the unsynced journal and end the run.

        A journal with a ``run_end`` record (the process stopped the run but could not sync)
        ends with the recorded status; one without ends KILLED, naming the cell it died in.

        Returns:
            The MLflow run id, or None when the journal holds no run.
        """
        records = list(read_journal(self.dir / JOURNAL_FILE))
        if not records:
            return None
        if not self.ended and not any(r["type"] == "run_end" for r in records):
            cells = summary.cell_executions(records, alive=False)
            dead = summary.died_in(cells)
            end_tags = {tags.END_REASON: "kernel-died"}
            if dead is not None:
                end_tags[tags.DIED_IN_CELL] = summary.describe_cell(dead)
            records.append(
                {
                    "seq": records[-1]["seq"] + 1,
                    "t": time.time(),
                    "type": "run_end",
                    "status": tags.KILLED,
                    "tags": end_tags,
                }
            )
        self.apply(records, recovering=True)
        return self.run_id


Action = Callable[[], None]
_Item = tuple[RunSync | None, "dict[str, Any] | Action"]


class SyncWorker:
    """The background thread that applies queued records to the store.

    Failures are retried with back-off; a record is only counted as synced once the store has
    it, so a stop that cannot reach the store leaves the rest to ``recover`` later.
    """

    def __init__(self, linger: float = 0.5) -> None:
        # Wait this long after the first queued record before writing, so that a burst of
        # cells becomes one MLflow request and the thread stays off the kernel's GIL.
        self.linger = linger
        self._wake = threading.Event()
        self._queue: queue.Queue[_Item] = queue.Queue()
        self._pending: dict[int, int] = {}  # id(RunSync) -> records queued, not yet applied
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self.last_error: str | None = None

    def submit(self, run: RunSync, record: dict[str, Any]) -> None:
        """Queue ``record`` (already in the journal) for ``run``; starts the thread if needed."""
        self._put(run, record)

    def call_soon(self, action: Action) -> None:
        """Run ``action`` on the worker thread (captures at start, recovering other runs)."""
        self._put(None, action)

    def _put(self, run: RunSync | None, item: dict[str, Any] | Action) -> None:
        with self._cond:
            self._pending[id(run)] = self._pending.get(id(run), 0) + 1
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="xp-sync", daemon=True)
                self._thread.start()
        self._queue.put((run, item))

    def flush(self, run: RunSync | None, timeout: float) -> bool:
        """Wait until everything queued for ``run`` is done; False on timeout."""
        deadline = time.monotonic() + timeout
        self._wake.set()
        with self._cond:
            while self._pending.get(id(run), 0) > 0:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def _loop(self) -> None:
        while True:
            batch = [self._queue.get()]
            self._wake.wait(self.linger)
            self._wake.clear()
            # Gather what else is queued so that one MLflow request carries many records.
            with contextlib.suppress(queue.Empty):
                while len(batch) < 5000:
                    batch.append(self._queue.get_nowait())
            for run, items in _group(batch):
                if run is None:
                    for action in items:
                        self._run_action(action)
                else:
                    self._apply_with_retry(run, items)
                with self._cond:
                    self._pending[id(run)] -= len(items)
                    self._cond.notify_all()

    def _run_action(self, action: Action) -> None:
        try:
            action()
        except Exception as exc:  # an action reports its own failures; never kill the thread
            log.warning("xp background task failed: %s", exc)

    def _apply_with_retry(self, run: RunSync, records: list[dict[str, Any]]) -> None:
        backoff = 0.5
        while True:
            try:
                run.apply(records)
                self.last_error = None
                return
            except Exception as exc:  # the store is down or refused: retry with back-off
                self.last_error = f"{type(exc).__name__}: {exc}".splitlines()[0]
                log.warning("xp sync failed (will retry): %s", self.last_error)
                time.sleep(backoff)
                backoff = min(backoff * 2, 30.0)


def _group(batch: list[_Item]) -> list[tuple[RunSync | None, list[Any]]]:
    """Split a batch into consecutive stretches for the same run, keeping their order."""
    groups: list[tuple[RunSync | None, list[Any]]] = []
    for run, item in batch:
        if groups and groups[-1][0] is run:
            groups[-1][1].append(item)
        else:
            groups.append((run, [item]))
    return groups


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


def settle(store: MlflowStore, run_dir: Path, timeout: float = 0.0) -> str | None:
    """Finish the run in ``run_dir`` from its journal once nobody holds the folder.

    Waits up to ``timeout`` seconds for its holder (the recorder, or another process
    recovering it). A caller that changes the run afterwards (e.g. a promotion marking it
    FAILED) cannot then be overwritten by a recovery that was half-way through.

    Returns:
        The MLflow id of the run finished here; None when it had already ended or the folder
        was still held after ``timeout``.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            fd = hold_lock(run_dir)
            break
        except OSError:
            if time.monotonic() >= deadline:
                return None  # its recorder is alive (or another process is recovering it)
            time.sleep(0.2)
    try:
        if (read_json(run_dir / STATE_FILE) or {}).get("ended"):
            return None
        return RunSync(store, run_dir).recover()
    finally:
        release_lock(fd)


def recover_orphans(store: MlflowStore, runs_dir: Path) -> list[str]:
    """Finish every run in ``runs_dir`` whose owning process is gone (KILLED when it died).

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
            run_id = settle(store, run_dir)
        except Exception as exc:  # one broken folder must not stop the others
            log.warning("xp: could not recover %s: %s", run_dir.name, exc)
            continue
        if run_id:
            finished.append(run_id)
    return finished
    for run_dir in sorted(p for p in runs_dir.iterdir() if p.is_dir()):
        state = read_json(run_dir / STATE_FILE) or {}
        if state.get("ended"):
            continue
        try:
            fd = hold_lock(run_dir)
        except OSError:
            continue  # its recorder is alive (or another process is recovering it now)
        try:
            run_id = RunSync(store, run_dir).recover()
            if run_id:
                finished.append(run_id)
        except Exception as exc:  # one broken folder must not stop the others
            log.warning("xp: could not recover %s: %s", run_dir.name, exc)
        finally:
            release_lock(fd)
    return finished
