"""The one module that talks to MLflow.

Everything else in jupyterlab-xp goes through :class:`MlflowStore`. MLflow is imported lazily
(``import mlflow`` costs about two seconds), so importing this module is cheap and the kernel only
pays in its background sync thread.

``MlflowClient`` is used with explicit run ids throughout: it never touches the fluent API's
active-run stack, so it cannot steal or end a run the user started themselves.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jupyterlab_xp.core.columns import TAGS, search_field
from jupyterlab_xp.core.config import (
    ARTIFACTS_DIR,
    DB_NAME,
    StoreLocation,
    make_tree_private,
    private_dir,
    private_file,
    store_database_uri,
)
from jupyterlab_xp.core.errors import StoreError, XpError
from jupyterlab_xp.core.metric_points import MetricPoint
from jupyterlab_xp.core.tags import (
    CHECKPOINT_PATH,
    CHECKPOINT_SHA256,
    CHECKPOINT_URI,
    KIND,
    MAX_PARAM_VALUE,
    MAX_TAG_VALUE,
)
from jupyterlab_xp.core.telemetry import apply_telemetry_choice
from jupyterlab_xp.store.artifact_reader import ArtifactReader
from jupyterlab_xp.store.query import quote_value

if TYPE_CHECKING:
    from mlflow.entities import Run
    from mlflow.tracking import MlflowClient


# MLflow's ViewType per run-list lifecycle; its error codes for bad input and unknown runs or tags.
_VIEW_TYPES = {"active": 1, "archived": 2, "all": 3}
_REFUSALS = {"INVALID_PARAMETER_VALUE": XpError, "RESOURCE_DOES_NOT_EXIST": LookupError}
# Runs that jupyterlab-xp recorded: every one carries an xp.kind tag.
_XP_RUNS = f"{search_field(TAGS, KIND)} != ''"
_PARAMS_TAGS_PER_BATCH = 100
_METRICS_PER_BATCH = 1000


# One import of MLflow at a time: two threads importing its circular package graph at once can
# see a half-initialised module (ImportError). The kernel's sync thread imports it in the
# background; anyone else who needs it waits here instead of racing.
_import_lock = threading.Lock()
_imported = threading.Event()


# ...and one client made at a time in a process: making one imports the store's own modules
# (SQLAlchemy's models for a database), and functools.cached_property has no lock since 3.12.
_client_lock = threading.Lock()


def _client_class() -> type[MlflowClient]:
    # MLflow starts its telemetry client when it is imported: decide before (README: Privacy).
    apply_telemetry_choice()
    with _import_lock:
        from mlflow.tracking import MlflowClient

        _imported.set()
        return MlflowClient


def _ensure_imported() -> None:
    """Import MLflow under the lock before a method's own ``from mlflow... import``: a server
    answers several requests at once, and a half-initialised module seen by one of them can
    break a later import for good (a module whose first import failed runs again)."""
    if not _imported.is_set():
        _client_class()


def mlflow_import_pending() -> bool:
    """True while another thread is importing MLflow for us."""
    return _import_lock.locked() and not _imported.is_set()


def wait_for_mlflow_import(timeout: float) -> None:
    """Block until a background import of MLflow has finished (at most ``timeout`` seconds)."""
    if _import_lock.acquire(timeout=timeout):
        _import_lock.release()


# MLflow's HTTP settings as the recorder, the server and the CLI use them, unless the user set
# them: about 10 s for a request to give up, not minutes (README: "A team MLflow server").
HTTP_DEFAULTS = {
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "3",
    "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "30",
    # Ending a run on a server prints "View run ... at: URL" to stdout: from our sync thread
    # that would land in whichever notebook cell is running.
    "MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT": "true",
}


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class MlflowStore:
    """Reads and writes runs in one MLflow tracking store; its artifacts through ``artifacts``.

    Args:
        location: where the store is (see :func:`jupyterlab_xp.core.config.resolve_store`).
    """

    def __init__(self, location: StoreLocation) -> None:
        self.location = location
        self._experiments: dict[str, str] = {}
        # Reads the run artifacts through this store's client, made on first use.
        self.artifacts = ArtifactReader(location, lambda: self.client, self._repository)

    @cached_property
    def client(self) -> MlflowClient:
        """The MlflowClient, created (and for a new SQLite file, migrated) on first use."""
        with _client_lock:
            made = self.__dict__.get("client")  # another thread made it while this one waited
            if made is None:
                made = self.__dict__["client"] = self._make_client()
            return made

    def _make_client(self) -> MlflowClient:
        if self.location.embedded:
            # Made private before MLflow creates them, whatever the umask (README: files).
            private_dir(self.location.home / ARTIFACTS_DIR)
            private_file(self.location.home / DB_NAME)
        # Artifact downloads would draw tqdm bars into notebooks and the CLI's output.
        os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
        # MLflow retries a failing request for minutes by default (7 retries, back-off factor
        # 2), holding our sync thread and any panel request on a server that is down. We retry
        # whole batches ourselves, with back-off: keep each request's own patience short.
        for name, value in HTTP_DEFAULTS.items():
            os.environ.setdefault(name, value)
        client_class = _client_class()

        # A new store logs its migrations at INFO, and every "database is locked" at ERROR:
        # from our background thread that would land in the middle of the user's notebook
        # output. The sync thread retries those and `%xp status` says so.
        logging.getLogger("mlflow.store.db.utils").setLevel(logging.CRITICAL)

        if not self.location.embedded:
            return client_class(tracking_uri=self.location.tracking_uri)
        # Creating the client opens its store, which creates and migrates a new SQLite file.
        # A kernel and the server (or several promotion jobs) starting together would both
        # migrate it and break it ("table _alembic_tmp_... already exists"): one at a time.
        import fcntl

        lock = self.location.home / "store.lock"
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            client = client_class(tracking_uri=self.location.tracking_uri)
            client.search_experiments(max_results=1)
        finally:
            os.close(fd)  # closing releases the lock
        return client

    # -- writing -----------------------------------------------------------------------------
    def experiment_id(self, name: str) -> str:
        """Id of the experiment called ``name``, created (with our artifact location) if new."""
        if name in self._experiments:
            return self._experiments[name]
        _ensure_imported()
        from mlflow.exceptions import MlflowException

        found = self.client.get_experiment_by_name(name)
        if found is None:
            try:
                exp_id = self.client.create_experiment(
                    name, artifact_location=self.location.artifact_location
                )
            except MlflowException:
                # Another process created it between our lookup and our create.
                found = self.client.get_experiment_by_name(name)
                if found is None:
                    raise
                exp_id = found.experiment_id
        else:
            exp_id = found.experiment_id
        self._experiments[name] = exp_id
        return exp_id

    def create_run(
        self, experiment: str, run_name: str | None, tags: Mapping[str, str], start_ms: int
    ) -> str:
        """Create a RUNNING run and return its id."""
        exp_id = self.experiment_id(experiment)
        run = self.client.create_run(
            exp_id,
            start_time=start_ms,
            tags={k: _cap(v, MAX_TAG_VALUE) for k, v in tags.items()},
            run_name=run_name,
        )
        return str(run.info.run_id)

    def find_run_by_tag(self, key: str, value: str) -> str | None:
        """Id of a run (any experiment) whose tag ``key`` equals ``value``, or None."""
        _ensure_imported()
        from mlflow.entities import ViewType

        exp_ids = [e.experiment_id for e in self._all_experiments(ViewType.ALL)]
        if not exp_ids:
            return None
        runs = self.client.search_runs(
            exp_ids,
            f"{search_field(TAGS, key)} = {quote_value(value)}",
            ViewType.ALL,
            max_results=1,
        )
        return str(runs[0].info.run_id) if runs else None

    def _all_experiments(self, view: int) -> list[Any]:
        """Every experiment in ``view``, page by page (MLflow answers 1,000 at a time)."""
        found: list[Any] = []
        token = None
        while True:
            page = self.client.search_experiments(view, page_token=token)
            found += page
            token = page.token
            if not token:
                return found

    def log_batch(
        self,
        run_id: str,
        params: Mapping[str, str] | None = None,
        metrics: Iterable[MetricPoint] = (),
        tags: Mapping[str, str] | None = None,
    ) -> None:
        """Log params, metric points (converted once, :mod:`~jupyterlab_xp.core.metric_points`)
        and tags in few requests."""
        _ensure_imported()
        from mlflow.entities import Metric, Param, RunTag

        param_list = [Param(k, _cap(str(v), MAX_PARAM_VALUE)) for k, v in (params or {}).items()]
        tag_list = [RunTag(k, _cap(str(v), MAX_TAG_VALUE)) for k, v in (tags or {}).items()]
        metric_list = [Metric(p.key, p.value, p.timestamp_ms, p.step) for p in metrics]
        for chunk in _chunks(param_list, _PARAMS_TAGS_PER_BATCH):
            self.client.log_batch(run_id, params=list(chunk), synchronous=True)
        for chunk in _chunks(tag_list, _PARAMS_TAGS_PER_BATCH):
            self.client.log_batch(run_id, tags=list(chunk), synchronous=True)
        for chunk in _chunks(metric_list, _METRICS_PER_BATCH):
            self.client.log_batch(run_id, metrics=list(chunk), synchronous=True)

    def log_artifacts(self, run_id: str, local_dir: Path, artifact_path: str) -> None:
        """Upload every file below ``local_dir`` to ``artifact_path`` in the run."""
        self.client.log_artifacts(run_id, str(local_dir), artifact_path)
        self._private_copy(run_id, artifact_path)

    def log_artifact(self, run_id: str, local_file: Path, artifact_path: str) -> None:
        """Upload one file to ``artifact_path`` in the run (replacing an earlier upload)."""
        self.client.log_artifact(run_id, str(local_file), artifact_path)
        self._private_copy(run_id, artifact_path)

    def _private_copy(self, run_id: str, artifact_path: str) -> None:
        """The embedded store's copy of an upload made 0700/0600: MLflow makes its folders
        with the umask and copies each file's mode from its source."""
        if self.location.embedded:
            top = self.location.home / ARTIFACTS_DIR
            make_tree_private(top, top / run_id / "artifacts" / artifact_path)

    def log_dataset(
        self,
        run_id: str,
        name: str,
        digest: str,
        source_type: str,
        source: str,
        profile: str | None = None,
        context: str | None = None,
    ) -> None:
        """Log a dataset input (``capture.provenance.mlflow_input`` makes the fields)."""
        _ensure_imported()
        from mlflow.entities import Dataset, DatasetInput, InputTag

        dataset = Dataset(
            name=name, digest=digest, source_type=source_type, source=source, profile=profile
        )
        tags_ = [InputTag("mlflow.data.context", context)] if context else []
        self.client.log_inputs(run_id, datasets=[DatasetInput(dataset, tags_)])

    def log_checkpoint_model(
        self,
        run_id: str,
        checkpoint: Mapping[str, Any],
        rel: str,
        metrics: Iterable[MetricPoint],
    ) -> str:
        """Make the checkpoint uploaded to ``rel`` in ``run_id`` an MLflow logged model; its id.

        What ``search_logged_models`` and MLflow's UI list. The files stay in the run's
        artifacts (resume and ``jupyter xp register`` read them there); the logged model holds no
        second copy (a checkpoint can be gigabytes), only where they are (a ``runs:/`` URI tag),
        its step and version as params, and the run's metrics as they stood when it was saved.
        One logged model per checkpoint version: a batch the sync retries finds the one it made.
        """
        _ensure_imported()
        from mlflow.entities import LoggedModelOutput, Metric

        client = self.client
        experiment_id = client.get_run(run_id).info.experiment_id
        escaped = rel.replace("'", "")  # rel is ours (checkpoints/<key>/<n>/<stamp>): no quotes
        found = client.search_logged_models(
            [experiment_id],
            filter_string=(
                f"source_run_id = '{run_id}' AND tags.`{CHECKPOINT_PATH}` = '{escaped}'"
            ),
            max_results=1,
        )
        if found:
            return str(found[0].model_id)
        step = int(checkpoint.get("step") or 0)
        model = client.create_logged_model(
            experiment_id,
            name=str(checkpoint.get("name") or "checkpoint"),
            source_run_id=run_id,
            tags={
                CHECKPOINT_PATH: rel,
                CHECKPOINT_URI: f"runs:/{run_id}/{rel}",
                CHECKPOINT_SHA256: str(checkpoint.get("sha256") or ""),
            },
            params={"step": str(step), "version": str(checkpoint.get("version") or "")},
            model_type="xp.checkpoint",
        )
        points = [
            Metric(p.key, p.value, p.timestamp_ms, p.step, model_id=model.model_id) for p in metrics
        ]
        if points:
            client.log_batch(run_id, metrics=points, synchronous=True)
        client.log_outputs(run_id, [LoggedModelOutput(model.model_id, step)])
        client.finalize_logged_model(model.model_id, "READY")
        return str(model.model_id)

    def set_terminated(self, run_id: str, status: str, end_ms: int | None = None) -> None:
        """End a run with ``status`` (FINISHED, FAILED or KILLED)."""
        self.client.set_terminated(run_id, status, end_ms or int(time.time() * 1000))

    @staticmethod
    def end_fluent_run(run_id: str, status: str) -> None:
        """Pop our run off MLflow's fluent active-run stack if the user's code resumed it.

        Only when the user already imported ``mlflow``: this must not pay for the import.
        """
        fluent = sys.modules.get("mlflow")
        if fluent is None:
            return
        active = fluent.active_run()
        if active is not None and active.info.run_id == run_id:
            fluent.end_run(status)

    # -- reading -----------------------------------------------------------------------------
    def experiment_ids(self, names: Sequence[str] | None = None) -> list[str]:
        """Ids of the named experiments (unknown names are skipped), or of all of them."""
        _ensure_imported()
        from mlflow.entities import ViewType

        if names:
            found = (self.client.get_experiment_by_name(n) for n in names)
            return [e.experiment_id for e in found if e is not None]
        return [e.experiment_id for e in self._all_experiments(ViewType.ACTIVE_ONLY)]

    def experiment_names(self) -> dict[str, str]:
        """Map of experiment id to name."""
        _ensure_imported()
        from mlflow.entities import ViewType

        return {e.experiment_id: e.name for e in self._all_experiments(ViewType.ACTIVE_ONLY)}

    def experiment_name(self, experiment_id: str) -> str | None:
        """The name of one experiment (one request, not the whole list), or None when the
        store cannot say (a detail then shows the id)."""
        try:
            return str(self.client.get_experiment(experiment_id).name)
        except Exception:
            return None

    def search_runs(
        self,
        experiments: Sequence[str] | None = None,
        filter_string: str = "",
        max_results: int = 100,
        order_by: Sequence[str] = ("attributes.start_time DESC",),
    ) -> list[Run]:
        """Runs recorded by jupyterlab-xp (any run with an ``xp.kind`` tag), newest first."""
        return self.search_page(experiments, filter_string, max_results, order_by)[0]

    def search_page(
        self,
        experiments: Sequence[str] | None = None,
        filter_string: str = "",
        max_results: int = 100,
        order_by: Sequence[str] = ("attributes.start_time DESC",),
        page_token: str | None = None,
        lifecycle: str = "active",  # or "archived" (MLflow's "deleted"), or "all"
    ) -> tuple[list[Run], str | None]:
        """One page of jupyterlab-xp runs and the token of the next page (None at the end).

        Raises:
            StoreError: the store failed or refused the query.
        """
        try:
            exp_ids = self.experiment_ids(experiments)
            if not exp_ids:
                return [], None
            clauses = [_XP_RUNS, *([filter_string] if filter_string else [])]
            page = self.client.search_runs(
                exp_ids,
                " and ".join(clauses),
                max_results=max_results,
                order_by=list(order_by),
                page_token=page_token,
                run_view_type=_VIEW_TYPES[lifecycle],
            )
        except Exception as exc:
            raise StoreError(
                f"cannot search runs in {self.location.display}: {str(exc).splitlines()[0]}"
            ) from exc
        return list(page), page.token

    def _repository(self, artifact_uri: str) -> Any:
        """The artifact repository of a run's ``artifact_uri`` (its ``info.artifact_uri``).

        Read through it, a run's files cost one request each: the client's calls by run id
        fetch the run again for every file, and its listing looks for logged models too.
        """
        _ = self.client  # MLflow imported under the import lock, our HTTP settings applied
        from mlflow.store.artifact.artifact_repository_registry import get_artifact_repository

        return get_artifact_repository(artifact_uri, tracking_uri=self.location.tracking_uri)

    # -- the team mirror's reads (store/team_mirror.py): every experiment, every lifecycle -----
    @property
    def client_ready(self) -> bool:
        """True once the client exists (MLflow imported): a call costs no import any more."""
        return "client" in self.__dict__

    def every_experiment(self) -> list[tuple[str, str, str]]:
        """``(id, name, lifecycle_stage)`` of every experiment, deleted ones too.

        Raises:
            StoreError: the store failed.
        """
        _ensure_imported()
        from mlflow.entities import ViewType

        try:
            found = self._all_experiments(ViewType.ALL)
        except Exception as exc:
            raise StoreError(
                f"cannot list experiments in {self.location.display}: {_first_line(exc)}"
            ) from exc
        return [(str(e.experiment_id), str(e.name), str(e.lifecycle_stage)) for e in found]

    def search_every_run(
        self,
        experiment_ids: Sequence[str],
        filter_string: str = "",
        max_results: int = 1000,
        page_token: str | None = None,
    ) -> tuple[list[Run], str | None]:
        """One page of xp runs of ``experiment_ids`` in every lifecycle stage, oldest first.

        Raises:
            StoreError: the store failed or refused the query.
        """
        if not experiment_ids:
            return [], None
        clauses = [_XP_RUNS, *([filter_string] if filter_string else [])]
        try:
            page = self.client.search_runs(
                list(experiment_ids),
                " and ".join(clauses),
                run_view_type=_VIEW_TYPES["all"],
                max_results=max_results,
                order_by=["attributes.start_time ASC"],
                page_token=page_token,
            )
        except Exception as exc:
            raise StoreError(
                f"cannot search runs in {self.location.display}: {_first_line(exc)}"
            ) from exc
        return list(page), page.token

    @property
    def local_sqlite(self) -> Path | None:
        """The database file when the store is a local SQLite file, else None."""
        uri = self.location.tracking_uri
        return Path(uri.removeprefix("sqlite:///")) if uri.startswith("sqlite:////") else None

    @property
    def index_source(self) -> Path | str | None:
        """Where MLflow's tables can be read directly (:mod:`.run_index`), if anywhere.

        The embedded store's SQLite file once it exists; on a tracking server, its database
        when ``XP_STORE_DATABASE_URI`` gives it; else None (MLflow's search, over HTTP).
        """
        db = self.local_sqlite
        if db is not None:
            return db if db.exists() else None
        return store_database_uri()

    def run_ids_with_prefix(self, prefix: str, limit: int = 2, archived: bool = False) -> list[str]:
        """Ids of xp runs starting with ``prefix`` (hex), at most ``limit``, archived ones too?"""
        if not all(c in "0123456789abcdef" for c in prefix):
            return []
        source = self.index_source
        if source is not None:
            # Imported here: the index's parsing boundary brings pydantic, which the kernel
            # (whose recorder holds a store) never needs.
            from jupyterlab_xp.store import run_index

            return run_index.run_ids_with_prefix(
                source, self.location.display, prefix, limit, archived
            )
        # On a tracking server, MLflow's own search (LIKE on the id; the prefix is plain hex).
        filter_string = f"attributes.run_id LIKE '{prefix}%'"
        lifecycle = "all" if archived else "active"
        runs = self.search_page(None, filter_string, limit, lifecycle=lifecycle)[0]
        return [r.info.run_id for r in runs]

    def metric_history(self, run_id: str, key: str) -> list[tuple[int, float, int]]:
        """``(step, value, timestamp_ms)`` of every value logged for ``key``, in step order."""
        history = self.client.get_metric_history(run_id, key)
        return sorted((m.step, m.value, m.timestamp) for m in history)

    def get_run(self, run_id: str) -> Run | None:
        """The run with this id, or None when the store has no such run."""
        client = self.client  # first: MLflow is imported under the import lock
        from mlflow.exceptions import MlflowException

        try:
            return client.get_run(run_id)
        except MlflowException as exc:
            if exc.error_code == "RESOURCE_DOES_NOT_EXIST":
                return None
            raise StoreError(str(exc)) from exc

    # -- managing runs: tags (a rename is the mlflow.runName tag), archive, restore ----------
    def set_tags(self, run_id: str, values: Mapping[str, str]) -> None:
        for key, value in values.items():
            self._manage(partial(self.client.set_tag, run_id, key, _cap(value, MAX_TAG_VALUE)))

    def delete_tags(self, run_id: str, keys: Iterable[str]) -> None:
        for key in keys:
            self._manage(partial(self.client.delete_tag, run_id, key))

    def set_archived(self, run_id: str, archived: bool) -> None:
        """Archive a run (MLflow's lifecycle stage ``deleted``) or restore it."""
        client = self.client
        self._manage(partial(client.delete_run if archived else client.restore_run, run_id))

    def _manage(self, call: Callable[[], object]) -> None:
        """One call; refusals become XpError (bad value, archived run), LookupError, StoreError."""
        try:
            call()
        except Exception as exc:
            first = (str(getattr(exc, "message", exc)) or type(exc).__name__).splitlines()[0]
            kind = _REFUSALS.get(str(getattr(exc, "error_code", "")))
            message = first if kind else f"{self.location.display}: {first}"
            raise (kind or StoreError)(message) from exc


def _cap(value: str, limit: int) -> str:
    """Cut ``value`` to MLflow's limit, saying so, rather than losing the whole write."""
    if len(value) <= limit:
        return value
    marker = "...[truncated]"
    return value[: limit - len(marker)] + marker


def _first_line(exc: Exception) -> str:
    return (str(exc) or type(exc).__name__).splitlines()[0]
