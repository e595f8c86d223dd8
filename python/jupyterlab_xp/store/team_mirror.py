"""A local read model of a team MLflow server reached over plain HTTP (no database credentials).

``MlflowClient.search_runs`` over HTTP builds whole runs on the server and sends them as JSON:
seconds for a page of 1,000. The run list needs a few columns, so the server process keeps a
private SQLite copy of them (one file per tracking URI in ``XP_HOME/mirrors``, 0600) in MLflow's
own table and column names, and :func:`run_index.list_summaries
<jupyterlab_xp.store.run_index.list_summaries>` answers every query from it: one query engine,
checked against MLflow's search by the same parity tests.

It is filled and kept up to date only through :class:`MlflowStore
<jupyterlab_xp.store.mlflow_store.MlflowStore>`, by a thread in the server (never in a kernel):

- first use: every xp run, oldest first, a page at a time (until then the list asks MLflow);
- each refresh (at most one panel poll apart while someone lists runs): runs started since the
  newest known start, less a margin for clock skew, and every run the mirror holds as running;
- in the background, a page of the whole list at a time, in start order: every run re-read
  (others' renames, tags, archiving, late metrics), runs the server no longer lists dropped,
  and a run created long after it started found (synced after an outage);
- edits made through this server (:func:`apply`) at once.

A store that is down leaves the mirror as it was: the list answers from it, with its age, and the
refresh is retried with back-off.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import math
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jupyterlab_xp.core import tags
from jupyterlab_xp.core.config import private_dir, private_file
from jupyterlab_xp.core.errors import StoreError
from jupyterlab_xp.store import run_index

if TYPE_CHECKING:
    from mlflow.entities import Run

    from jupyterlab_xp.store.mlflow_store import MlflowStore
    from jupyterlab_xp.store.query import RunQuery

log = logging.getLogger(__name__)

MIRRORS_DIR = "mirrors"
SCHEMA_VERSION = "1"
# The panel polls the list every 2 s (src/tokens.ts POLL_INTERVAL): a refresh at most that old
# answers, so a run's status is never staler than one poll.
REFRESH_INTERVAL = 2.0
# How long a list waits for a due refresh before answering from the mirror as it is.
REFRESH_WAIT = 1.5
# Runs started this long before the newest known start are looked for again (clocks differ, a
# run is created after it started): at every list, and more widely with each slice. Known
# finished runs are left out of the search by id, which the server parses: keep that list short.
LIST_SKEW_MS = 30 * 1000
CLOCK_SKEW_MS = 10 * 60 * 1000
# Runs re-read per background pass (a page of the whole list), and seconds between passes:
# 30,000 runs in about 10 minutes, at a cost to the team server of 50 runs a second.
SLICE_SIZE = 500
SLICE_INTERVAL = 10.0
PAGE_SIZE = 1000
IDS_PER_SEARCH = 100  # run ids in one ``run_id IN (...)`` filter
MAX_KNOWN = 1000  # finished run ids a refresh leaves out of its search for new runs
IDLE_AFTER = 300.0  # seconds without a list after which the thread stops polling the server
MAX_BACKOFF = 60.0
# A run detail takes its experiment's name from the mirror refreshed this recently (seconds).
NAMES_FRESH = 60.0
# A shared store is hostile input: a value this long is cut (MLflow's own limits are far lower).
MAX_TEXT = 65_536
_LIVE = (tags.RUNNING, "SCHEDULED")
_FIRST, _LAST = -(2**63), 2**63 - 1  # SQLite's integer range: before and after every start

_SCHEMA = """
CREATE TABLE IF NOT EXISTS experiments (
    experiment_id TEXT PRIMARY KEY, name TEXT NOT NULL, lifecycle_stage TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    run_uuid TEXT PRIMARY KEY, name TEXT, status TEXT, start_time INTEGER, end_time INTEGER,
    experiment_id TEXT, lifecycle_stage TEXT, checked REAL NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS runs_start ON runs (start_time);
CREATE INDEX IF NOT EXISTS runs_name ON runs (name);
CREATE INDEX IF NOT EXISTS runs_status ON runs (status);
CREATE INDEX IF NOT EXISTS runs_checked ON runs (checked);
CREATE TABLE IF NOT EXISTS tags (
    run_uuid TEXT NOT NULL, key TEXT NOT NULL, value TEXT, PRIMARY KEY (run_uuid, key));
CREATE INDEX IF NOT EXISTS tags_key_value ON tags (key, value);
CREATE TABLE IF NOT EXISTS params (
    run_uuid TEXT NOT NULL, key TEXT NOT NULL, value TEXT, PRIMARY KEY (run_uuid, key));
CREATE TABLE IF NOT EXISTS latest_metrics (
    run_uuid TEXT NOT NULL, key TEXT NOT NULL, value REAL, is_nan INTEGER NOT NULL,
    PRIMARY KEY (run_uuid, key));
CREATE TABLE IF NOT EXISTS mirror_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def mirror_path(home: Path, tracking_uri: str) -> Path:
    """The mirror file of ``tracking_uri`` (named by its hash: a URI may hold credentials)."""
    digest = hashlib.sha256(tracking_uri.encode()).hexdigest()[:24]
    return home / MIRRORS_DIR / f"{digest}.db"


class TeamMirror:
    """The local read model of one HTTP tracking store; see the module's docstring."""

    def __init__(
        self,
        store: MlflowStore,
        *,
        interval: float = REFRESH_INTERVAL,
        slice_size: int = SLICE_SIZE,
        slice_interval: float = SLICE_INTERVAL,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self.store = store
        self.path = mirror_path(store.location.home, store.location.tracking_uri)
        self.interval = interval
        self.slice_size, self.slice_interval, self.page_size = slice_size, slice_interval, page_size
        self.error: str | None = None  # the last refresh's failure, one line
        self._hot_lock = threading.Lock()  # one refresh of new and running runs at a time
        self._bulk_lock = threading.Lock()  # one fill page or slice at a time
        self._write_lock = threading.Lock()  # one writer of the file in this process
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._thread_lock = threading.Lock()
        self._hot_started = -math.inf  # monotonic start of the last successful hot refresh
        self._last_slice = -math.inf
        self._last_list = -math.inf  # no list yet: no slices
        self._retry_at = 0.0
        self._failures = 0
        # When the state of each run written was read (monotonic): a read older than the
        # written one (a slice that overlapped a refresh, or an edit made here) is not written.
        self._read_at: dict[str, float] = {}
        self._open()

    # -- the file -------------------------------------------------------------------------------
    def _open(self) -> None:
        private_dir(self.path.parent, top=self.store.location.home)
        try:
            self._make_schema()
        except sqlite3.DatabaseError:  # not a database any more: it is only a copy, made again
            self.path.unlink(missing_ok=True)
            self._make_schema()

    def _make_schema(self) -> None:
        private_file(self.path)
        with self._connect() as conn:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS mirror_state "
                "(key TEXT PRIMARY KEY, value TEXT NOT NULL)"
            )
            if _state(conn, "schema") not in (None, SCHEMA_VERSION):
                conn.executescript(
                    "DROP TABLE IF EXISTS experiments; DROP TABLE IF EXISTS runs; "
                    "DROP TABLE IF EXISTS tags; DROP TABLE IF EXISTS params; "
                    "DROP TABLE IF EXISTS latest_metrics; DELETE FROM mirror_state;"
                )
            conn.executescript(_SCHEMA)
            _set_state(conn, "schema", SCHEMA_VERSION)

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=30)
        try:
            with conn:  # one transaction: committed, or rolled back on an error
                yield conn
        finally:
            conn.close()

    # -- reading --------------------------------------------------------------------------------
    @property
    def complete(self) -> bool:
        """True once the first fill has read every run of the store."""
        with self._connect() as conn:
            return _state(conn, "complete") == "1"

    def age(self) -> float | None:
        """Seconds since the last successful refresh (None: never, in this file's life)."""
        with self._connect() as conn:
            refreshed = _state(conn, "refreshed")
        return None if refreshed is None else max(0.0, time.time() - float(refreshed))

    def experiment_name(self, experiment_id: str) -> str | None:
        """The experiment's name as the mirror holds it, if it was refreshed in the last
        :data:`NAMES_FRESH` seconds (a run detail then needs no request for it), else None."""
        with self._connect() as conn:
            refreshed = _state(conn, "refreshed")
            row = conn.execute(
                "SELECT name FROM experiments WHERE experiment_id = ?", (experiment_id,)
            ).fetchone()
        if row is None or refreshed is None or time.time() - float(refreshed) > NAMES_FRESH:
            return None
        return str(row[0])

    def list_summaries(self, query: RunQuery) -> tuple[list[dict[str, Any]], str | None] | None:
        """A page from the mirror, or None while its first fill runs (ask MLflow then).

        Each list first fetches the runs started since the newest known one and every running
        run (a few small searches), so that a page never shows a status older than the list
        itself. With the store down the mirror answers as it is (:meth:`age` says how old), and
        the thread asks the store again after a back-off.
        """
        arrival = self._last_list = time.monotonic()
        self.start()
        if not self.complete:
            self._wake.set()
            return None
        if not self.store.client_ready or self._failures:
            # The first list after the server starts: MLflow is still being imported (seconds)
            # by the thread, which then refreshes; the first paint comes from what is local.
            # A store that failed: the thread tries again (after a back-off), not each list,
            # which would wait for MLflow's own retries every time.
            self._wake.set()
        else:
            with contextlib.suppress(StoreError):  # said in the log; the mirror answers
                self.refresh_hot(arrival)
        return run_index.list_summaries(self.path, self.store.location.display, query)

    # -- the thread -----------------------------------------------------------------------------
    def start(self) -> None:
        """Start the background thread (once; a daemon of the server process)."""
        with self._thread_lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name="xp-team-mirror", daemon=True
                )
                self._thread.start()

    def stop(self) -> None:
        """Stop the background thread (the server is stopping)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=60)

    def _loop(self) -> None:
        """Import MLflow and refresh once; the first fill, page by page; then, while someone
        lists runs, a slice of the whole list every ``slice_interval`` (:meth:`_sweep`; each
        list refreshes new and running runs itself)."""
        database = self.store.index_source
        if database is not None:
            # The server's database is given (XP_STORE_DATABASE_URI): lists read it, and the
            # mirror stays as it is. Connect now, so the panel's first list does not pay for
            # the driver's import and the first connection.
            run_index.warm(database)
            return
        with contextlib.suppress(Exception):  # a store that is down: the loop says so, later
            _ = self.store.client
            if self.complete:
                self.refresh_hot(time.monotonic())
        while not self._stop.is_set():
            self._wake.wait(timeout=self.interval)
            self._wake.clear()
            now = time.monotonic()
            if self._stop.is_set() or now < self._retry_at:
                continue
            try:
                if not self.complete:
                    self.refresh(fill_pages=1, hot=False, slice_now=False)
                    self._wake.set()  # the next page at once
                elif now - self._last_list < IDLE_AFTER:  # else leave the team server alone
                    if self._failures:
                        self.refresh_hot(now)  # the store failed: is it back?
                    if now - self._last_slice >= self.slice_interval:
                        self.refresh(hot=False)
            except Exception as exc:  # a server thread: said, and tried again later
                log.warning("jupyterlab-xp: refreshing the run list's mirror failed: %s", exc)
                self._retry_at = max(self._retry_at, time.monotonic() + self.interval)

    # -- refreshing -----------------------------------------------------------------------------
    def refresh(
        self, fill_pages: int | None = None, hot: bool = True, slice_now: bool = True
    ) -> None:
        """Bring the mirror up to date now, in the caller's thread.

        While the first fill is not done, read ``fill_pages`` more pages of it (None: all);
        once it is, fetch new and running runs (``hot``) and the background pass's next slice
        of the whole list (``slice_now``: :meth:`_sweep`).

        Raises:
            StoreError: the store failed (the mirror keeps what it had; retried with back-off).
        """
        with self._bulk_lock, self._failing():
            if not self._fill(fill_pages):
                return
        if hot:
            self.refresh_hot(time.monotonic())
        if slice_now:
            with self._bulk_lock, self._failing():
                self._last_slice = time.monotonic()
                exp_ids = self._experiment_ids()
                self._hot(exp_ids, CLOCK_SKEW_MS, live=False)
                self._sweep(exp_ids)

    def refresh_hot(self, since: float) -> None:
        """Fetch new and running runs, unless a refresh that began after ``since`` (monotonic)
        already did: lists waiting together share one.

        Raises:
            StoreError: the store failed.
        """
        with self._hot_lock:
            if self._hot_started >= since:
                return
            started = time.monotonic()
            with self._failing(), ThreadPoolExecutor(1) as pool:
                # The experiment list is asked beside the search (one round trip less per
                # list); runs of an experiment it did not know yet are searched after it.
                listing = pool.submit(self.store.every_experiment)
                known = self._known_experiment_ids()
                self._hot(known, LIST_SKEW_MS)
                added = set(self._save_experiments(listing.result())) - set(known)
                if added:
                    self._hot(sorted(added), LIST_SKEW_MS, live=False)
            self._hot_started = started
            with self._write_lock, self._connect() as conn:
                _set_state(conn, "refreshed", repr(time.time()))

    @contextlib.contextmanager
    def _failing(self) -> Iterator[None]:
        """A failure sets the back-off and the error; a success clears them."""
        try:
            yield
        except Exception as exc:
            self._failures += 1
            self._retry_at = time.monotonic() + min(MAX_BACKOFF, 2.0**self._failures)
            self.error = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            if isinstance(exc, StoreError):
                raise
            raise StoreError(f"cannot refresh the run list's mirror: {self.error}") from exc
        self._failures, self._retry_at, self.error = 0, 0.0, None

    def _known_experiment_ids(self) -> list[str]:
        with self._connect() as conn:
            return [row[0] for row in conn.execute("SELECT experiment_id FROM experiments")]

    def _experiment_ids(self) -> list[str]:
        return self._save_experiments(self.store.every_experiment())

    def _save_experiments(self, experiments: list[tuple[str, str, str]]) -> list[str]:
        with self._write_lock, self._connect() as conn:
            conn.execute("DELETE FROM experiments")
            conn.executemany(
                "INSERT INTO experiments VALUES (?, ?, ?)",
                [(_text(i), _text(n), _text(s)) for i, n, s in experiments],
            )
        return [i for i, _, _ in experiments]

    def _fill(self, pages: int | None) -> bool:
        """Read up to ``pages`` pages of the first fill; True once it is complete."""
        with self._connect() as conn:
            if _state(conn, "complete") == "1":
                return True
            token = _state(conn, "fill_token")
            started = _state(conn, "fill_started")
        if started is None:
            started = str(int(time.time() * 1000))
            with self._write_lock, self._connect() as conn:
                _set_state(conn, "fill_started", started)
        exp_ids = self._experiment_ids()
        done = 0
        while pages is None or done < pages:
            read_at = time.monotonic()
            runs, next_token = self.store.search_every_run(
                exp_ids, "", self.page_size, token or None
            )
            self._write(runs, read_at)
            done += 1
            with self._write_lock, self._connect() as conn:
                if next_token is None:
                    # Runs created while the fill paged are fetched by the first refresh: it
                    # starts from the fill's own start, less the skew margin.
                    _set_state(conn, "watermark", started)
                    _set_state(conn, "complete", "1")
                    conn.execute("DELETE FROM mirror_state WHERE key = 'fill_token'")
                    return True
                _set_state(conn, "fill_token", next_token)
            token = next_token
        return False

    def _hot(self, exp_ids: Sequence[str], skew_ms: int, live: bool = True) -> None:
        """New runs (started since ``skew_ms`` before the newest known start) and, with
        ``live``, every run the mirror holds as running."""
        with self._connect() as conn:
            watermark = int(_state(conn, "watermark") or 0)
            since = max(0, watermark - skew_ms)
            running = [
                row[0]
                for row in conn.execute("SELECT run_uuid FROM runs WHERE status IN (?, ?)", _LIVE)
            ]
            # Finished runs in the margin are known already (a slice re-reads them): a busy
            # team starts hundreds of runs in ten minutes, too many to fetch at every poll.
            known = [
                row[0]
                for row in conn.execute(
                    "SELECT run_uuid FROM runs WHERE start_time >= ? AND status NOT IN (?, ?) "
                    "ORDER BY start_time DESC LIMIT ?",
                    (since, *_LIVE, MAX_KNOWN),
                )
                if _hex(row[0])
            ]
        found = f"attributes.start_time >= {since}"
        if known:
            found += f" and attributes.run_id NOT IN ({','.join(repr(i) for i in known)})"
        token, newest = None, watermark
        seen: set[str] = set()
        while True:
            read_at = time.monotonic()
            runs, token = self.store.search_every_run(exp_ids, found, self.page_size, token)
            self._write(runs, read_at)
            seen.update(r.info.run_id for r in runs)
            # A start time in the future (a wrong clock, or a hostile run) would stop the
            # watermark from ever finding new runs again: only starts up to now move it.
            now_ms = int(time.time() * 1000)
            starts = (_int(r.info.start_time) or 0 for r in runs)
            newest = max([newest, *(start for start in starts if start <= now_ms)])
            if token is None:
                break
        with self._write_lock, self._connect() as conn:
            stored = int(_state(conn, "watermark") or 0)  # a concurrent pass may have moved it
            _set_state(conn, "watermark", str(max(stored, newest)))
        if live:
            self._reread([i for i in running if i not in seen], exp_ids)

    def _sweep(self, exp_ids: Sequence[str]) -> None:
        """Read the next page of every run, in start order, from where the last slice stopped.

        One pass over the whole list (30,000 runs: about ten minutes while someone lists runs)
        re-reads every run (others' renames, tags, archiving, late metrics), finds a run created
        long after its start (a recording synced once the store was back from an outage, a run
        imported from elsewhere: new runs are otherwise looked for by start time), and finds
        the runs the server no longer lists as xp runs. A page covers the starts after the
        previous page's last one up to its own last (the first page, everything before; the
        last, everything after): a run the mirror holds there that the page does not list is
        read again by id, and dropped only if that search does not list it either (a run can
        also have moved to the page before, when one before it went away while the pass ran).
        """
        with self._connect() as conn:
            token = _state(conn, "sweep_token")
            after = _state(conn, "sweep_after")
        read_at = time.monotonic()
        runs, next_token = self.store.search_every_run(exp_ids, "", self.slice_size, token or None)
        self._write(runs, read_at)
        starts = [_int(r.info.start_time) for r in runs]
        low = _FIRST if token is None or after is None else int(after)
        high = _LAST if next_token is None or not starts else starts[-1]
        if None not in starts and high is not None:
            seen = {r.info.run_id for r in runs}
            gone = [i for i in self._held_between(low, high, exp_ids) if i not in seen]
            self._reread(gone, exp_ids)  # dropped if the server does not list them by id
        with self._write_lock, self._connect() as conn:
            if next_token is None:  # the end: the next slice starts over
                conn.execute("DELETE FROM mirror_state WHERE key IN ('sweep_token', 'sweep_after')")
            else:
                _set_state(conn, "sweep_token", next_token)
                if high is not None:
                    _set_state(conn, "sweep_after", str(high))

    def _held_between(self, low: int, high: int, exp_ids: Sequence[str]) -> list[str]:
        """Ids the mirror holds with a start after ``low`` and up to ``high``, in ``exp_ids``
        (a run of an experiment the slice did not search is not judged by it)."""
        marks = ",".join("?" * len(exp_ids)) or "NULL"
        with self._connect() as conn:
            return [
                row[0]
                for row in conn.execute(
                    "SELECT run_uuid FROM runs WHERE start_time > ? AND start_time <= ? "  # noqa: S608
                    f"AND experiment_id IN ({marks})",
                    (low, high, *exp_ids),
                )
            ]

    def _reread(self, ids: Sequence[str], exp_ids: Sequence[str]) -> None:
        """Read these runs again; the ones the server no longer lists as xp runs are dropped."""
        for start in range(0, len(ids), IDS_PER_SEARCH):
            chunk = [i for i in ids[start : start + IDS_PER_SEARCH] if _hex(i)]
            if not chunk:
                continue
            read_at = time.monotonic()
            quoted = ",".join(f"'{i}'" for i in chunk)  # plain hex: checked above
            runs, _ = self.store.search_every_run(
                exp_ids, f"attributes.run_id IN ({quoted})", len(chunk)
            )
            self._write(runs, read_at)
            found = {r.info.run_id for r in runs}
            self._drop([i for i in chunk if i not in found], read_at)

    # -- writing --------------------------------------------------------------------------------
    def apply(self, run: Run) -> None:
        """Write ``run`` as an edit made here (rename, tags, archive, restore) just left it."""
        if tags.KIND in run.data.tags:
            self._write([run], time.monotonic())
        else:
            self._drop([run.info.run_id], time.monotonic())

    def _newer(self, run_id: str, read_at: float) -> bool:
        """True (and noted) unless a later read of ``run_id`` is written already."""
        if self._read_at.get(run_id, -math.inf) > read_at:
            return False
        self._read_at[run_id] = read_at
        return True

    def _drop(self, ids: Iterable[str], read_at: float) -> None:
        with self._write_lock:
            gone = [(i,) for i in ids if self._newer(i, read_at)]
            if not gone:
                return
            with self._connect() as conn:
                for table in ("runs", "tags", "params", "latest_metrics"):
                    conn.executemany(f"DELETE FROM {table} WHERE run_uuid = ?", gone)  # noqa: S608

    def _write(self, runs: Iterable[Run], read_at: float) -> None:
        """Write runs as read at ``read_at``: every value through :func:`_text` or a number
        check, so that no tag, param or metric of a hostile run fails the write."""
        rows: list[tuple[Any, ...]] = []
        tag_rows: list[tuple[str, str, str]] = []
        param_rows: list[tuple[str, str, str]] = []
        metric_rows: list[tuple[str, str, float, int]] = []
        checked = time.time()
        for run in runs:
            info, data = run.info, run.data
            rows.append(
                (
                    _text(info.run_id),
                    None if info.run_name is None else _text(info.run_name),
                    _text(info.status),
                    _int(info.start_time),
                    _int(info.end_time),
                    _text(info.experiment_id),
                    _text(info.lifecycle_stage),
                    checked,
                )
            )
            run_id = rows[-1][0]
            tag_rows += [(run_id, _text(k), _text(v)) for k, v in data.tags.items()]
            param_rows += [(run_id, _text(k), _text(v)) for k, v in data.params.items()]
            for key, value in data.metrics.items():
                number = _float(value)
                if number is None or math.isnan(number):
                    metric_rows.append((run_id, _text(key), 0.0, 1))  # as MLflow stores NaN
                else:
                    metric_rows.append((run_id, _text(key), number, 0))
        with self._write_lock:
            fresh = {row[0] for row in rows if self._newer(row[0], read_at)}
            if not fresh:
                return
            ids = [(i,) for i in fresh]
            with self._connect() as conn:
                for table in ("tags", "params", "latest_metrics"):
                    conn.executemany(f"DELETE FROM {table} WHERE run_uuid = ?", ids)  # noqa: S608
                conn.executemany(
                    "INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [row for row in rows if row[0] in fresh],
                )
                for table, marks, values in (
                    ("tags", "?, ?, ?", tag_rows),
                    ("params", "?, ?, ?", param_rows),
                    ("latest_metrics", "?, ?, ?, ?", metric_rows),
                ):
                    conn.executemany(
                        f"INSERT OR REPLACE INTO {table} VALUES ({marks})",  # noqa: S608
                        [v for v in values if v[0] in fresh],
                    )


def _state(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM mirror_state WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def _set_state(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute("INSERT OR REPLACE INTO mirror_state VALUES (?, ?)", (key, value))


def _hex(run_id: str) -> bool:
    return bool(run_id) and len(run_id) <= 64 and all(c in "0123456789abcdef" for c in run_id)


def _text(value: object) -> str:
    """A value from the store as text SQLite can hold (capped; unencodable characters replaced)."""
    text = value if isinstance(value, str) else "" if value is None else str(value)
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT]
    if not text.isascii():
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _float(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)
