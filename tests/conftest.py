"""Shared fixtures: a private MLflow store per test, real kernels through jupyter_client, and a
real team setup (PostgreSQL + ``mlflow server``) started once per session when a test asks."""

from __future__ import annotations

import json
import os
import queue
import shutil
import textwrap
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from servers import MlflowServer, Postgres

HERE = Path(__file__).parent
# MLflow's usage telemetry stays off in the tests, even run outside `make test` (README: Privacy).
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
# ...and promotions write their bundle lock without asking an index for hashes (test_hashes
# serves its own index).
os.environ.setdefault("XP_LOCK_HASHES", "off")


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty, migrated MLflow SQLite file (migrating costs seconds: do it once, then copy)."""
    from mlflow.tracking import MlflowClient

    db = tmp_path_factory.mktemp("mlflow-template") / "mlflow.db"
    MlflowClient(tracking_uri=f"sqlite:///{db}").search_experiments()
    return db


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run a test on each store its module names in ``STORE_KINDS`` (default: SQLite only).

    ``@pytest.mark.stores("sqlite")`` on a test narrows that (a test of SQLite itself).
    """
    if "store_kind" in metafunc.fixturenames:
        marker = metafunc.definition.get_closest_marker("stores")
        kinds = marker.args if marker else getattr(metafunc.module, "STORE_KINDS", ("sqlite",))
        metafunc.parametrize("store_kind", kinds, indirect=True)


@pytest.fixture
def store_kind(request: pytest.FixtureRequest) -> str:
    """``sqlite`` (the embedded store) or ``team`` (mlflow server on PostgreSQL)."""
    return str(request.param)


@pytest.fixture
def xp_home(
    tmp_path: Path,
    migrated_db: Path,
    monkeypatch: pytest.MonkeyPatch,
    store_kind: str,
    request: pytest.FixtureRequest,
) -> Path:
    """A fresh XP_HOME and an empty store; the process-wide recorder points at both.

    ``sqlite``: a copy of a migrated SQLite file in XP_HOME. ``team``: the session's real
    ``mlflow server`` on PostgreSQL, its tables emptied for this test.
    """
    from jupyterlab_xp.kernel import run as run_module
    from jupyterlab_xp.kernel.recorder import reset_recorder

    home = tmp_path / "xp-home"
    home.mkdir()
    monkeypatch.setenv("XP_HOME", str(home))
    for name in ("MLFLOW_TRACKING_URI", "MLFLOW_RUN_ID", "MLFLOW_EXPERIMENT_NAME", "XP_NOTEBOOK"):
        monkeypatch.delenv(name, raising=False)
    if store_kind == "team":
        server = request.getfixturevalue("team_server")
        request.getfixturevalue("team_tables").reset()
        monkeypatch.setenv("MLFLOW_TRACKING_URI", server.url)
    else:
        shutil.copyfile(migrated_db, home / "mlflow.db")
    # An in-process run's stop waits for its capture at most 10 s, then records the run as
    # incomplete (its packages and hardware missing): a loaded test machine can take longer to
    # capture, and tests that compare environments need the capture. (test_store_faults sets
    # the bound itself to test the incomplete run.)
    monkeypatch.setattr(run_module, "TASKS_AT_STOP_SECONDS", 300.0)
    reset_recorder()
    return home


@pytest.fixture
def store(xp_home: Path) -> Any:
    """The MlflowStore over the test's XP_HOME."""
    from jupyterlab_xp.core.config import resolve_store
    from jupyterlab_xp.store.mlflow_store import MlflowStore

    return MlflowStore(resolve_store())


def write_notebook(path: Path, cells: list[dict[str, Any]]) -> Path:
    """Write a minimal nbformat 4.5 notebook; each cell: {"source", "id"?, "tags"?}."""
    nb_cells = []
    for i, cell in enumerate(cells):
        nb_cells.append(
            {
                "cell_type": "code",
                "id": cell.get("id", f"cell-{i}"),
                "metadata": {"tags": cell.get("tags", [])},
                "execution_count": None,
                "outputs": [],
                "source": cell["source"],
            }
        )
    doc = {
        "cells": nb_cells,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(doc, indent=1))
    return path


class Kernel:
    """A real IPython kernel driven through jupyter_client, as JupyterLab drives it."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        from jupyter_client.manager import KernelManager

        from jupyterlab_xp.promote.notebook_run import KERNEL_DIED_AT_START, KERNEL_START_ATTEMPTS

        for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
            self.km = KernelManager(kernel_name="python3")
            self.km.start_kernel(env=env, cwd=str(cwd))
            self.kc = self.km.client()
            self.kc.start_channels()
            try:
                self.kc.wait_for_ready(timeout=60)
                return
            except RuntimeError as exc:
                # Nothing is left open for a later test's garbage collection to find.
                self.kc.stop_channels()
                self.km.shutdown_kernel(now=True)
                # jupyter_client picks free ports, closes them and lets the kernel bind them:
                # a kernel starting at that moment in another test worker can take one first,
                # and this one dies at birth, before any cell ran. Start it again.
                if KERNEL_DIED_AT_START not in str(exc) or attempt == KERNEL_START_ATTEMPTS:
                    raise

    def execute(
        self, code: str, cell_id: str | None = None, timeout: float = 120
    ) -> dict[str, Any]:
        """Run ``code`` like a notebook cell; return {status, stdout, stderr, error, count}."""
        content = {
            "code": code,
            "silent": False,
            "store_history": True,
            "user_expressions": {},
            "allow_stdin": False,
            "stop_on_error": False,
        }
        metadata = {"cellId": cell_id} if cell_id else {}
        msg = self.kc.session.msg("execute_request", content, metadata=metadata)
        self.kc.shell_channel.send(msg)
        msg_id = msg["header"]["msg_id"]
        out: dict[str, Any] = {"stdout": "", "stderr": "", "error": None}
        deadline = time.monotonic() + timeout
        while True:
            try:
                reply = self.kc.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                raise TimeoutError(f"no reply to {code[:40]!r}") from None
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        out["status"] = reply["content"]["status"]
        out["count"] = reply["content"].get("execution_count")
        # Drain the outputs of this request (they precede the idle status on iopub).
        while True:
            try:
                io = self.kc.get_iopub_msg(timeout=60)  # shared CI machines can be slow
            except queue.Empty:
                break
            if io["parent_header"].get("msg_id") != msg_id:
                continue
            kind, body = io["msg_type"], io["content"]
            if kind == "stream":
                out[body["name"]] += body["text"]
            elif kind == "error":
                out["error"] = f"{body['ename']}: {body['evalue']}"
            elif kind in ("execute_result", "display_data"):
                out["stdout"] += body.get("data", {}).get("text/plain", "") + "\n"
            elif kind == "status" and body["execution_state"] == "idle":
                break
        return out

    def ok(self, code: str) -> dict[str, Any]:
        """Run ``code`` (dedented) like :meth:`execute` and fail the test unless it succeeds."""
        out = self.execute(textwrap.dedent(code))
        assert out["status"] == "ok", out
        return out

    def is_alive(self) -> bool:
        return bool(self.km.is_alive())

    def shutdown(self) -> None:
        self.kc.stop_channels()
        if self.km.has_kernel:
            self.km.shutdown_kernel(now=False)


@pytest.fixture
def kernel_factory(xp_home: Path, tmp_path: Path) -> Iterator[Any]:
    """Start real kernels whose recorder writes to this test's store."""
    kernels: list[Kernel] = []

    def start(notebook: Path | None = None, extra_env: dict[str, str] | None = None) -> Kernel:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "JPY_"))}
        env["XP_HOME"] = str(xp_home)
        if "MLFLOW_TRACKING_URI" in os.environ:  # the team server (see xp_home)
            env["MLFLOW_TRACKING_URI"] = os.environ["MLFLOW_TRACKING_URI"]
        if notebook is not None:
            env["JPY_SESSION_NAME"] = str(notebook)
        env.update(extra_env or {})
        kernel = Kernel(env, cwd=notebook.parent if notebook else tmp_path)
        kernels.append(kernel)
        return kernel

    yield start
    for kernel in kernels:
        kernel.shutdown()


def new_id() -> str:
    return uuid.uuid4().hex[:8]


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """A private PostgreSQL cluster for this session (Debian's package, loopback, trust auth)."""
    cluster = Postgres()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(cluster.root, ignore_errors=True)


@pytest.fixture(scope="session")
def team_server(postgres: Postgres, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A real ``mlflow server`` on PostgreSQL, serving artifacts (started once per session)."""
    server = MlflowServer(postgres.uri(), tmp_path_factory.mktemp("team") / "artifacts")
    server.start()
    yield server
    server.kill()


@pytest.fixture(scope="session")
def team_tables(team_server: Any, postgres: Postgres) -> Any:
    """Resets the team server's tables to their state after its first start (one per test)."""
    return postgres.snapshot()


def xp_server_config(**extension: Any) -> dict[str, Any]:
    """A Jupyter server with only our extension, authentication on, no background recovery.

    The usual body of a test module's ``jp_server_config`` fixture; ``extension`` adds
    ``XpExtensionApp`` traits.
    """
    return {
        "ServerApp": {
            "jpserver_extensions": {"jupyterlab_xp": True, "jupyter_server_terminals": False},
            "allow_unauthenticated_access": False,
        },
        "XpExtensionApp": {"recover_interval": 0, **extension},
    }
