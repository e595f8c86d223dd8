"""The sync process: ships one run's journal to the store, away from the kernel's CPU and GIL.

A recording kernel only appends journal lines. This process, started by the recorder at
``%xp start`` (its own session, niced, stdin and stdout detached), tails the journal and does the
rest: the journal's durable flush (group commit), the environment, hardware and git capture, the
sampler of the kernel's CPU and memory, the MLflow calls with their redaction and secret scanning,
uploads, the heartbeat, and the sweep of other dead runs. It writes what the kernel may want to
know into the run folder: ``sync.json`` (the MLflow id, how far it got, refusals) and
``sync-status.json`` (whether the store is failing).

It holds the run folder's sync lock for as long as it lives, so no recovery replays the journal
meanwhile. It ends once the run's end reached the store (a kernel whose ``%xp stop`` gave up
waiting holds its owner lock until then); when the kernel dies (its owner lock comes free), it
finishes the run at once: KILLED naming the cell it died in, unless the journal has its end.
A process that cannot finish (the store stays down) gives up after a while and leaves the
journal to the next recovery.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import sys
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from jupyterlab_xp.core import tags
from jupyterlab_xp.core.config import StoreLocation
from jupyterlab_xp.core.files import durable_flush, read_json, write_json_atomic
from jupyterlab_xp.core.metric_points import metric_points
from jupyterlab_xp.journal.jsonl import decode_line
from jupyterlab_xp.journal.rundir import (
    ARTIFACTS_DIR,
    JOURNAL_FILE,
    owner_gone,
    release_lock,
    take_sync_lock,
)
from jupyterlab_xp.journal.summary import CELL_READINGS_FILE
from jupyterlab_xp.kernel.sync_settle import WANTED_FILE
from jupyterlab_xp.store.liveness import Heartbeat
from jupyterlab_xp.store.mlflow_store import MlflowStore
from jupyterlab_xp.store.sync import RunSync
from jupyterlab_xp.store.sync_worker import SyncWorker

log = logging.getLogger(__name__)

STATUS_FILE = "sync-status.json"
CAPTURE_REQUEST_FILE = "capture-request.json"  # what only the kernel knows: its modules, sys.path
LOG_FILE = "sync.log"
POLL_SECONDS = 0.05  # how often the journal is looked at: also the machine-crash window
OWNER_EVERY = 5  # ...and every this many looks, whether the kernel still holds the run
# How long the worker gathers records before one MLflow request: each request is a commit
# that takes the CPU for milliseconds, so in steady state a burst of cells becomes one every
# couple of seconds. A run's start and end, and a kernel waiting for the store, go at once.
LINGER_SECONDS = 2.0
CAPTURE_WAIT_SECONDS = 10.0  # a run that ends this soon after its start waits for its capture
GIVE_UP_SECONDS = 600.0  # a kernel gone, the store still failing: leave it to recovery
NICE = 10
# (Not ``-m``: the package's own imports load this module first, which runpy warns about.)
# Niced before anything is imported, and the imports (about 3 s of CPU: MLflow, then the
# package) wait until the kernel is between cells (sync_settle.py, run by path: importing it
# as a module would import the package first), so that they do not compete with the kernel's
# first cells after %xp start.
_SETTLE = Path(__file__).with_name("sync_settle.py")
_ENTRY = f"""\
import os
try:
    os.nice({NICE})
    # Batch scheduling: the scheduler disfavours this process's wake-ups against a running
    # thread (the kernel's, or the client's waiting on it). Unlike SCHED_IDLE it keeps its
    # nice share, so a busy machine does not starve its heartbeat.
    os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))
except (AttributeError, OSError):
    pass
import runpy, sys
runpy.run_path({str(_SETTLE)!r})["settle"](sys.argv[1])
from jupyterlab_xp.kernel.sync_process import main
sys.exit(main(sys.argv[1:]))
"""


def spawn(location: StoreLocation, run_dir: Path) -> subprocess.Popen[bytes]:
    """Start the sync process of the run in ``run_dir`` (returns at once).

    Its own session: a Ctrl-C or an interrupt sent to the kernel's process group never reaches
    it. Its output goes to ``sync.log`` in the run folder.
    """
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC
    with os.fdopen(os.open(run_dir / LOG_FILE, flags, 0o600), "ab") as out:  # private, as the run
        return subprocess.Popen(
            [
                sys.executable,
                "-c",
                _ENTRY,
                str(run_dir),
                json.dumps({**asdict(location), "home": str(location.home)}),
                str(os.getpid()),
            ],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=out,
            start_new_session=True,
            close_fds=True,
        )


class JournalTail:
    """Reads the whole records a live writer appended since the last read, and flushes them."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.expected = 1
        self._fd: int | None = None

    def read(self) -> list[dict[str, Any]]:
        """New whole records in order (a line still being written waits for the next read)."""
        if self._fd is None:
            try:
                self._fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
            except FileNotFoundError:
                return []
        size = os.fstat(self._fd).st_size
        if size <= self.offset:
            return []
        data = os.pread(self._fd, size - self.offset, self.offset)
        # Group commit: one flush covers every record the kernel wrote since the last one.
        with contextlib.suppress(OSError):
            durable_flush(self._fd)
        records: list[dict[str, Any]] = []
        start = 0
        while (end := data.find(b"\n", start)) >= 0:
            line = data[start : end + 1]
            record = decode_line(line)
            if record is None or record.get("seq") != self.expected:
                break  # torn or not yet whole: read again from here
            record.pop("sum", None)
            records.append(record)
            self.expected += 1
            start = end + 1
        self.offset += start
        return records


class RunSyncProcess:
    """Tails one run's journal into the store until the run ends (see the module docstring)."""

    def __init__(self, location: StoreLocation, run_dir: Path, kernel_pid: int) -> None:
        self.dir = run_dir
        self.kernel_pid = kernel_pid
        self.store = MlflowStore(location)
        self.sync = RunSync(self.store, run_dir)
        self.worker = SyncWorker(linger=LINGER_SECONDS)
        self.wanted = run_dir / WANTED_FILE
        self.tail = JournalTail(run_dir / JOURNAL_FILE)
        self.alive = True
        self.captured = threading.Event()
        self._status: dict[str, Any] = {}
        self.heartbeat = Heartbeat(
            self.store, lambda: self.sync if self.alive else None, lambda: self.worker.store_failing
        )
        self.sampler: Any = None
        self._cell_started: dict[int, float] = {}

    def run(self) -> None:
        """Sync until the run ended in the store, or its kernel is gone and the run finished."""
        if self.sync.ended:
            return
        self.worker.call_soon(self._connect)  # import MLflow while the capture runs
        threading.Thread(target=self._run_capture, name="xp-capture", daemon=True).start()
        polls = 0
        while not self.sync.ended:
            self._submit(self.tail.read())
            try:  # (one look: the kernel waits, for the run's id or its stop)
                self.wanted.unlink()
            except OSError:
                pass
            else:
                self.worker.hurry()
            self._write_status()
            polls += 1
            if polls % OWNER_EVERY == 0 and owner_gone(self.dir):
                self.alive = False
                self._finish_gone_kernel()
                return
            time.sleep(POLL_SECONDS)

    def _connect(self) -> None:
        self.store.client  # noqa: B018 - the property imports MLflow and connects

    def _submit(self, records: list[dict[str, Any]]) -> None:
        for record in records:
            if record["type"] == "run_end":
                if self.sampler is not None:  # what the kernel does after its stop is no run's
                    self.sampler.stop()
                if not self.captured.wait(CAPTURE_WAIT_SECONDS):
                    record.setdefault("tags", {})[tags.INCOMPLETE] = "capture still running"
            self.worker.submit(self.sync, record)
            if record["type"] in ("run_start", "run_end"):
                self.worker.hurry()
            if record["type"] == "run_start":
                self._started()
            elif record["type"] in ("cell_start", "cell_end"):
                self._cell_reading(record)

    def _started(self) -> None:
        """The run's first record: the run is created at once, the capture lands when done."""
        self.worker.call_soon(self._recover_others)
        self.heartbeat.start()
        self._start_sampler()

    def _run_capture(self) -> None:
        from jupyterlab_xp.capture.startup import capture_all

        try:
            request = read_json(self.dir / CAPTURE_REQUEST_FILE) or {}
            if not request.get("capture", True):
                return
            notebook = request.get("notebook")
            result = capture_all(
                self.dir / ARTIFACTS_DIR,
                Path(notebook) if notebook else None,
                module_files=request.get("modules"),
                sys_path=request.get("sys_path"),
            )
            capture = {"type": "capture", "t": time.time(), "tags": result.tags}
            self.worker.call_soon(
                lambda: self._apply_capture({**capture, "artifacts": result.files})
            )
            if result.errors:
                log.warning("xp: capture failed in part: %s", result.errors)
        except Exception as exc:  # a capture bug must not cost the run its sync
            log.warning("xp: capture failed: %s", exc)
        finally:
            self.captured.set()

    def _apply_capture(self, record: dict[str, Any]) -> None:
        """The capture's tags and files, on the worker thread (after the run's creation)."""
        for attempt in range(5):
            try:
                self.sync.apply_extra(record)
                return
            except Exception as exc:  # the files still go with the run's end
                log.info("xp: the capture's tags did not land (will retry): %s", exc)
                time.sleep(2**attempt)

    def _recover_others(self) -> None:
        from jupyterlab_xp.store.recovery import recover_all

        try:
            recover_all(self.store, self.store.location.runs_dir, finishing_wait=0.0)
        except Exception as exc:  # the store is down: the next sweep (anyone's) tries again
            log.info("xp: sweeping dead runs failed: %s", exc)

    def _start_sampler(self) -> None:
        from jupyterlab_xp.kernel.sampler import SystemSampler

        def report(metrics: dict[str, float], step: int) -> None:
            self.worker.call_soon(lambda: self._log_system(metrics, step))

        self.sampler = SystemSampler(report, pid=self.kernel_pid)
        self.sampler.start()

    def _cell_reading(self, record: dict[str, Any]) -> None:
        """Note the sampler's GPU readings over a cell that ended (a cell's verdict)."""
        if record["type"] == "cell_start":
            self._cell_started[record["cell"]] = record["t"]
            return
        start = self._cell_started.pop(int(record.get("cell") or 0), None)
        if start is None or self.sampler is None:
            return
        readings = self.sampler.cell_readings(start, record["t"])
        if readings:
            line = json.dumps({"cell": record["cell"], **readings}) + "\n"
            # Private as the rest of the run folder, whatever the umask (README: files).
            flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC
            fd = os.open(self.dir / CELL_READINGS_FILE, flags, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as out:
                out.write(line)

    def _log_system(self, metrics: dict[str, float], step: int) -> None:
        run_id = self.sync.run_id
        if run_id is not None and self.alive and not self.sync.ended:
            ms = int(time.time() * 1000)
            self.store.log_batch(run_id, metrics=metric_points(metrics, ms, step))

    def _write_status(self) -> None:
        status = {"failing": self.worker.store_failing, "last_error": self.worker.last_error}
        if status != self._status:
            self._status = status
            write_json_atomic(self.dir / STATUS_FILE, {**status, "pid": os.getpid()})

    def _finish_gone_kernel(self) -> None:
        """The kernel let go of the run: apply the rest of the journal and end the run."""
        if self.sampler is not None:
            self.sampler.stop()
        self._submit(self.tail.read())
        deadline = time.monotonic() + GIVE_UP_SECONDS
        while not self.worker.flush(self.sync, 1.0):
            self._write_status()
            if time.monotonic() >= deadline:
                return  # the store stays away: the journal waits for the next recovery
        backoff = 0.5
        while not self.sync.ended:
            try:
                self.sync.recover()  # a run_end in the journal, or KILLED naming the cell
                return
            except Exception as exc:
                log.info("xp: finishing the run failed (will retry): %s", exc)
                if time.monotonic() >= deadline:
                    return
                time.sleep(backoff)
                backoff = min(backoff * 2, 30.0)


def main(argv: list[str]) -> int:
    """The sync process's entry: ``RUN_DIR LOCATION_JSON KERNEL_PID`` (see :func:`spawn`)."""
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(message)s")
    run_dir = Path(argv[0])
    fields = json.loads(argv[1])
    location = StoreLocation(**{**fields, "home": Path(fields["home"])})
    lock = take_sync_lock(run_dir)
    if lock is None:
        return 0  # another sync process, or a recovery, has this run
    try:
        RunSyncProcess(location, run_dir, int(argv[2])).run()
    finally:
        release_lock(lock)
    return 0
