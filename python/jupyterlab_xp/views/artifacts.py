"""A run's ``xp/`` files for its detail: listed once, each read once, a live run's cells local.

The panel polls a running run's detail every two seconds, so what a poll costs matters on a team
server: one listing of ``xp/`` (absent files cost nothing more), and a download only for a file
that is new or changed size since the last poll. A finished run's files come from the disk cache
(:mod:`jupyterlab_xp.store.artifact_cache`). A running run's cell journal is uploaded only when
it ends; when the run was recorded on this machine, its cells are read from the local journal
instead, redacted exactly as the uploaded copy will be.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from jupyterlab_xp.core import tags
from jupyterlab_xp.core.errors import StoreError
from jupyterlab_xp.journal import summary
from jupyterlab_xp.journal.jsonl import read_journal
from jupyterlab_xp.journal.rundir import JOURNAL_FILE
from jupyterlab_xp.store import boundary
from jupyterlab_xp.store.redaction import Redactor

if TYPE_CHECKING:
    from mlflow.entities import Run

    from jupyterlab_xp.store.mlflow_store import MlflowStore

T = TypeVar("T")

FINISHED_STATUSES = frozenset({"FINISHED", "FAILED", "KILLED"})
# Every file a detail reads in one round of requests (it reads at most ten), beside the
# lookup of its experiment's name.
PREFETCH_WORKERS = 10
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()

# A running run's files, keyed by (run id, path, size): a file the recorder replaces with other
# content of the very same size is seen when the run ends (its files are then read again).
_LIVE_CACHE_SIZE = 256
_live: OrderedDict[tuple[str, str, int], str] = OrderedDict()
_live_lock = threading.Lock()


def background(call: Callable[..., T], *args: Any) -> Future[T]:
    """``call(*args)`` on the details' shared readers (threads made once, not per detail:
    starting ten threads cost a detail more than some of its requests)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(PREFETCH_WORKERS + 1, thread_name_prefix="xp-detail")
        return _pool.submit(call, *args)


class RunArtifacts:
    """Reads one run's ``xp/`` files; after a failure, reads no more (one outage, one wait).

    ``error`` is the artifact store's failure, if any: the sections those files fill are then
    unknown, never shown as empty.
    """

    def __init__(self, store: MlflowStore, run: Run) -> None:
        self._store, self._run = store, run
        self._run_id = run.info.run_id
        self._finished = run.info.status in FINISHED_STATUSES
        # Read through the run's own artifact repository: no lookup of the run per file.
        self._artifact_uri = (
            run.info.artifact_uri if isinstance(run.info.artifact_uri, str) else None
        )
        self._sizes: dict[str, int] | None = None
        self._fetched: dict[str, str | None] = {}
        self.error: str | None = None

    def prefetch(self, names: Iterable[str]) -> None:
        """Download the files among ``names`` that are not cached, several at once.

        A detail reads up to eight files; one after the other they cost eight round trips
        (MLflow's own folder download also fetches in parallel).
        """
        wanted = [n for n in names if self._needs_download(n)]
        if len(wanted) < 2:
            return
        reads = [background(self.text, name) for name in wanted]
        for name, read in zip(wanted, reads, strict=True):
            self._fetched[name] = read.result()  # a store failure: self.error

    def _needs_download(self, name: str) -> bool:
        path = f"{tags.ARTIFACT_DIR}/{name}"
        if self._finished and self._store.artifacts.cache.get(self._run_id, path) is not None:
            return False
        sizes = self._listing()
        return sizes is not None and path in sizes and sizes[path] <= boundary.max_bytes(name)

    def text(self, name: str) -> str | None:
        """The file ``xp/<name>``, or None when the run has none (or the store failed).

        Raises:
            boundary.Unreadable: the listing says it is larger than :func:`boundary.max_bytes`.
        """
        if name in self._fetched:
            return self._fetched[name]
        path = f"{tags.ARTIFACT_DIR}/{name}"
        if self._finished:
            cached = self._store.artifacts.cache.get(self._run_id, path)
            if cached is not None:
                return cached
        sizes = self._listing()
        if sizes is None or path not in sizes:
            return None
        if sizes[path] > boundary.max_bytes(name):  # known from the listing: never downloaded
            raise boundary.Unreadable(f"{name} is {sizes[path]:,} bytes, more than this reads")
        key = (self._run_id, path, sizes[path])
        if not self._finished:
            with _live_lock:
                if key in _live:
                    _live.move_to_end(key)
                    return _live[key]
        try:
            text = self._store.artifacts.read_text(
                self._run_id, path, self._finished, self._artifact_uri
            )
        except StoreError as exc:
            self.error = str(exc)
            return None
        if text is not None and not self._finished:
            with _live_lock:
                _live[key] = text
                while len(_live) > _LIVE_CACHE_SIZE:
                    _live.popitem(last=False)
        return text

    def cells(self) -> tuple[list[dict[str, Any]], str | None]:
        """The cell journal (this machine's live journal for a running run, else the store's)
        and why some of it could not be read (:func:`boundary.cells`)."""
        if not self._finished:
            live = self._local_cells()
            if live is not None:
                return boundary.cells(live)
        try:
            return boundary.cells(self.text(tags.CELLS_ARTIFACT))
        except boundary.Unreadable as exc:
            return [], str(exc)

    def _listing(self) -> dict[str, int] | None:
        if self._sizes is None and self.error is None:
            try:
                self._sizes = self._store.artifacts.sizes(
                    self._run_id, tags.ARTIFACT_DIR, self._artifact_uri
                )
            except StoreError as exc:
                self.error = str(exc)
        return self._sizes

    def _local_cells(self) -> str | None:
        folder = boundary.local_run_folder(
            self._store.location.runs_dir, self._run_id, self._run.data.tags.get(tags.LOCAL_ID)
        )
        journal = None if folder is None else folder / JOURNAL_FILE
        if journal is None or not journal.is_file():
            return None  # recorded on another machine: its cells arrive when it ends
        cells = summary.cell_executions(read_journal(journal), alive=True)
        return Redactor().cells_text(summary.cells_jsonl(cells))
