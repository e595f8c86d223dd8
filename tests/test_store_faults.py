"""A store that refuses a record, or is down, never holds the other records back.

These back the README's "How it works" claims: "The store being slow, down or refusing never
blocks a cell", the 2 s / 1 s bounds, `refused.jsonl` and `xp.sync.refused`, `xp.incomplete`,
and "A journal that cannot be written (a full disk) stops the run FAILED with one line".
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from mlflow.exceptions import MlflowException, RestException
from mlflow.protos import databricks_pb2 as codes

import jupyterlab_xp as xp
from jupyterlab_xp.kernel.recorder import get_recorder
from jupyterlab_xp.store.faults import REFUSED_FILE, is_permanent, read_refused
from jupyterlab_xp.views.runview import run_detail


def _only_run(store: Any) -> Any:
    runs = store.search_runs()
    assert len(runs) == 1
    return store.get_run(runs[0].info.run_id)


def test_errors_are_permanent_only_when_mlflow_says_so() -> None:
    # MLflow's own codes for a write that can never succeed
    assert is_permanent(MlflowException("changed", error_code=codes.INVALID_PARAMETER_VALUE))
    assert is_permanent(RestException({"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "x"}))
    assert is_permanent(MlflowException("deleted run", error_code=codes.INVALID_STATE))
    # Everything else is retried: the store down, slow, locked, or refusing our credentials
    assert not is_permanent(MlflowException("API request failed", error_code=codes.INTERNAL_ERROR))
    assert not is_permanent(MlflowException("busy", error_code=codes.TEMPORARILY_UNAVAILABLE))
    assert not is_permanent(MlflowException("who", error_code=codes.UNAUTHENTICATED))
    assert not is_permanent(ConnectionRefusedError("connection refused"))
    assert not is_permanent(sqlite3.OperationalError("database is locked"))
    assert not is_permanent(TimeoutError())


# How it works: a slow store holds `%xp stop` until its records are in (at most 60 s); only a
# failing one is given up on after 1 s. A SQLite lock held by another writer is slowness.
@pytest.mark.stores("sqlite")
def test_a_sqlite_store_locked_by_another_writer_is_slow_not_failing(
    store: Any, xp_home: Path
) -> None:
    # Given a recording whose run exists, and another process's write lock on the SQLite file
    run = xp.start("locked", seed=1)
    assert run.run_id is not None
    worker = get_recorder().worker
    holder = sqlite3.connect(xp_home / "mlflow.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        # When a metric is logged and the write meets the lock past SQLite's own patience
        xp.log({"val/loss": 0.5}, step=1)
        deadline = time.monotonic() + 120
        while "locked" not in (worker.last_error or "") and time.monotonic() < deadline:
            time.sleep(0.1)
        # Then the sync says it is retrying, but not that the store is failing
        assert "locked" in (worker.last_error or "")
        assert not worker.store_failing
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    # And once the lock is gone the stop waits for the metric and the run's end
    xp.stop()
    assert run._run.sync.ended
    assert _only_run(store).data.metrics["val/loss"] == 0.5


# README: "nothing after it waits"
@pytest.mark.kernel
def test_a_refused_param_is_set_aside_and_the_rest_arrives(
    kernel_factory: Any, store: Any, xp_home: Path
) -> None:
    # Given a recorded run where the user's own MLflow call already set lr
    k = kernel_factory()
    assert k.execute("%load_ext jupyterlab_xp\n%xp start refusing")["status"] == "ok"
    assert k.execute("import mlflow\nmlflow.log_param('lr', '0.1')")["status"] == "ok"
    # When the recorder logs another value for it (MLflow refuses a changed param for good)
    assert k.execute("%xp param lr=0.2")["status"] == "ok"
    assert k.execute("%xp log val/accuracy=0.5 --step 1")["status"] == "ok"
    # Then later records still arrive, and the next cell says once that one was refused
    said = ""
    deadline = time.monotonic() + 60
    while "refused 1 record" not in said and time.monotonic() < deadline:
        said += k.execute("%xp log val/accuracy=0.6 --step 2")["stderr"]
    assert "refused 1 record" in said
    assert "refused" not in k.execute("x = 1")["stderr"]  # once, not on every cell
    status = k.execute("%xp status")["stdout"]
    assert "refused:    1 record(s)" in status and "#" in status and "param" in status
    stopped = k.execute("%xp stop")
    assert stopped["status"] == "ok", stopped
    run = _only_run(store)
    assert run.info.status == "FINISHED"
    assert run.data.params["lr"] == "0.1"
    assert run.data.metrics["val/accuracy"] == 0.6
    assert run.data.tags["xp.sync.refused"] == "1"
    assert run_detail(store, run)["sync_refused"] == 1  # what the run detail shows
    # And the refused record is kept, with MLflow's reason, in the run folder
    (folder,) = (xp_home / "runs").iterdir()
    (refused,) = read_refused(folder)
    assert refused["type"] == "param" and refused["record"]["params"] == {"lr": "0.2"}
    assert "INVALID_PARAMETER_VALUE" in refused["error"] or "MlflowException" in refused["error"]
    assert (folder / REFUSED_FILE).stat().st_mode & 0o777 == 0o600


# README: "nothing after it waits"
# README: "`%xp stop` waits 1 s for a failing store"
@pytest.mark.parametrize("deleted", ["run", "experiment"])
def test_a_deleted_run_refuses_everything_and_stop_does_not_wait(store: Any, deleted: str) -> None:
    # Given a run whose run (or experiment) someone deletes in the store while it records
    run = xp.start("doomed", experiment=f"doomed-{deleted}", seed=1)
    run_id = _wait(lambda: run.run_id)
    if deleted == "run":
        store.client.delete_run(run_id)
    else:
        store.client.delete_experiment(store.get_run(run_id).info.experiment_id)
    # When more is recorded and the run stops
    xp.log({"loss": 0.5}, step=1)
    xp.param(lr=0.1)
    xp.stop()
    # Then every later record was set aside (none retried forever), and the worker is healthy
    recorder = get_recorder()
    assert recorder.worker.flush(run._run.sync, 30)
    refused = read_refused(run._run.dir)
    assert {r["type"] for r in refused} >= {"metric", "param", "run_end"}
    assert recorder.worker.last_error is None


# README: "`%xp start` does not wait for MLflow"
# README: "The store being down or refusing never blocks a cell"
# docs/design.md: "A store that is down or refuses a record does not hold back the cell or other
#   records"
def test_captures_do_not_wait_for_a_store_that_is_down(
    xp_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a store whose every write fails as if the server were down
    from jupyterlab_xp.store.mlflow_store import MlflowStore

    down = threading.Event()
    down.set()
    real_create = MlflowStore.create_run

    def create_run(self: Any, *args: Any, **kwargs: Any) -> str:
        if down.is_set():
            raise MlflowException("Connection refused", error_code=codes.INTERNAL_ERROR)
        return real_create(self, *args, **kwargs)

    monkeypatch.setattr(MlflowStore, "create_run", create_run)
    # When a run starts, declares a dataset and stops
    data = xp_home / "data.csv"
    data.write_text("a,b\n1,2\n")
    run = xp.start("offline", seed=1)
    xp.dataset(data)
    xp.stop()
    # Then the captures and the checksum reached the journal anyway, and stop did not block
    journal = [
        json.loads(line)
        for line in (run._run.dir / "journal.jsonl").read_text().split("\n")
        if line
    ]
    kinds = [r["type"] for r in journal]
    assert {"capture", "dataset", "run_end"} <= set(kinds)
    assert get_recorder().worker.store_failing
    # And once the store is back, the same thread syncs the run and ends it
    down.clear()
    assert get_recorder().worker.flush(run._run.sync, 60)
    assert run._run.sync.ended


def test_work_still_running_at_stop_is_marked_incomplete_never_written_late(
    store: Any, xp_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a dataset checksum that is still running when the run stops
    from jupyterlab_xp.capture import datasets
    from jupyterlab_xp.kernel import run as run_module

    release = threading.Event()
    real = datasets.dataset_checksum

    def slow_checksum(path: Path) -> dict[str, Any]:
        release.wait(30)
        return real(path)

    monkeypatch.setattr(datasets, "dataset_checksum", slow_checksum)
    monkeypatch.setattr(run_module, "TASKS_AT_STOP_SECONDS", 0.2)
    data = xp_home / "big.csv"
    data.write_text("x\n1\n")
    handle = xp.start("slow-data", seed=1)
    # (the run's own capture goes first on the same background thread: once it is in the
    # journal, the checksum is the one thing still running at the stop, however slow the machine)
    journal = handle._run.dir / "journal.jsonl"
    _wait(lambda: '"type":"capture"' in journal.read_text())
    xp.dataset(data)
    xp.stop()
    # When the checksum ends after the journal was closed
    release.set()
    assert get_recorder().tasks.flush(30)
    # Then the run says it is incomplete, and nothing was written to the closed journal
    text = journal.read_text()
    kinds = [json.loads(line)["type"] for line in text.splitlines()]
    assert "dataset" not in kinds
    assert kinds[-1] == "tag" and "xp.incomplete" in text
    get_recorder().worker.flush(handle._run.sync, 60)
    assert "xp.incomplete" in store.get_run(handle.run_id).data.tags


def _all_finished(store: Any, count: int) -> bool:
    statuses = [r.info.status for r in store.search_runs(max_results=100)]
    return len(statuses) == count and all(s == "FINISHED" for s in statuses)


def _wait(get: Any, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = get()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out")


# README: "The store being down or refusing never blocks a cell"
# README: "a server that is down or restarting loses nothing"
@pytest.mark.kernel
@pytest.mark.slow
def test_a_team_server_killed_mid_run_loses_no_metric(
    kernel_factory: Any, team_server: Any
) -> None:
    from mlflow.tracking import MlflowClient

    client = MlflowClient(team_server.url)
    experiment = f"outage-{uuid.uuid4().hex[:8]}"
    # Given a kernel recording into the team server
    k = kernel_factory(extra_env={"MLFLOW_TRACKING_URI": team_server.url})
    assert (
        k.execute(f"%load_ext jupyterlab_xp\n%xp start outage --experiment {experiment}")["status"]
        == "ok"
    )
    assert k.execute("%xp log loss=1.0 --step 0")["status"] == "ok"
    run_id = _wait(lambda: _run_with_metric(client, experiment, "loss"))
    # When the server is killed, cells go on logging, and it comes back
    team_server.kill()
    for step in (1, 2, 3):
        assert k.execute(f"%xp log loss={1.0 / (step + 1)} --step {step}")["status"] == "ok"
    assert k.execute("import mlflow  # a cell naming mlflow runs anyway")["status"] == "ok"
    team_server.start()
    assert k.execute("%xp log loss=0.2 --step 4")["status"] == "ok"
    # ...and is killed again just before the run stops: stop returns, the journal keeps it
    _wait(lambda: len(client.get_metric_history(run_id, "loss")) == 5 or None, 120)
    team_server.kill()
    stopped = k.execute("%xp stop")
    assert stopped["status"] == "ok", stopped
    team_server.start()
    # Then once the server is back the kernel's sync thread ends the run with every metric
    _wait(lambda: client.get_run(run_id).info.status == "FINISHED" or None, 180)
    steps = sorted(m.step for m in client.get_metric_history(run_id, "loss"))
    assert steps == [0, 1, 2, 3, 4]
    assert client.get_run(run_id).data.tags["xp.end_reason"] == "stop"


def _run_with_metric(client: Any, experiment: str, key: str) -> str | None:
    found = client.get_experiment_by_name(experiment)
    if found is None:
        return None
    runs = client.search_runs([found.experiment_id])
    return runs[0].info.run_id if runs and key in runs[0].data.metrics else None


# README: "A journal that cannot be written (a full disk) stops the run `FAILED` with one line"
@pytest.mark.kernel
def test_a_journal_that_cannot_be_written_stops_the_run_cleanly(
    kernel_factory: Any, store: Any
) -> None:
    # Given a recorded run whose kernel may not grow its files any more (a full disk)
    k = kernel_factory()
    assert k.execute("%load_ext jupyterlab_xp\n%xp start full-disk")["status"] == "ok"
    assert k.execute("%xp log loss=1.0")["status"] == "ok"
    # When a cell leaves the journal 10 bytes to grow, so that its own end cannot be written
    limit = k.execute(
        "import os, resource, signal\n"
        "from jupyterlab_xp.kernel.recorder import get_recorder\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a killed kernel\n"
        "path = get_recorder().active.journal.path\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (os.path.getsize(path) + 10, -1))\n"
        "print(41 + 1)"
    )
    # Then the cell ran, the user got one clear line, and the run is no longer recording
    # (IPython's history thread meets the same file-size limit and may print its own error
    # into the same stream, even between "42" and its newline)
    assert limit["status"] == "ok" and "42" in limit["stdout"], limit
    assert "cannot write this run's journal" in limit["stderr"]
    assert "File too large" in limit["stderr"]
    later = k.execute("y = 1")
    assert later["status"] == "ok" and "journal" not in later["stderr"]
    assert "no run is being recorded" in k.execute("%xp status")["stdout"]
    # And once there is space again, the store has the run ended FAILED, with its metric
    assert k.execute("resource.setrlimit(resource.RLIMIT_FSIZE, (-1, -1))")["status"] == "ok"
    run = _wait(lambda: _finished(store))
    assert run.info.status == "FAILED"
    assert run.data.tags["xp.end_reason"] == "journal-write-failed"
    assert run.data.metrics["loss"] == 1.0


def _finished(store: Any) -> Any:
    runs = store.search_runs()
    if not runs:
        return None
    run = store.get_run(runs[0].info.run_id)
    return run if run.info.status != "RUNNING" else None


# README: "The store being down or refusing never blocks a cell"
# README: "SQLite locked for 10 s, 16 kernels into one store"
def test_a_store_locked_by_another_writer_for_10_s_loses_nothing(
    store: Any, xp_home: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    # Given a recorded run, and another process's writer holding the SQLite store for 10 s
    handle = xp.start("locked", seed=1)
    run_id = _wait(lambda: handle.run_id)
    writer = sqlite3.connect(
        xp_home / "mlflow.db", timeout=30, isolation_level=None, check_same_thread=False
    )
    writer.execute("BEGIN EXCLUSIVE")
    release = threading.Timer(10.0, writer.rollback)
    release.start()
    try:
        # When metrics are logged and the run stops while the store is locked
        for step in range(5):
            xp.log({"loss": 1.0 / (step + 1)}, step=step)
        xp.stop()
    finally:
        release.join()
        writer.close()
    # Then once the writer is gone every metric arrives and the run is finished
    assert get_recorder().worker.flush(handle._run.sync, 120)
    steps = sorted(step for step, _, _ in store.metric_history(run_id, "loss"))
    assert steps == [0, 1, 2, 3, 4]
    assert store.get_run(run_id).info.status == "FINISHED"
    # And no error log or traceback reached the user's output (the retries are quiet)
    out, err = capfd.readouterr()
    assert "ERROR" not in out + err and "Traceback" not in out + err


# README: "SQLite locked for 10 s, 16 kernels into one store"
@pytest.mark.kernel
@pytest.mark.slow
def test_16_kernels_recording_into_one_sqlite_store_lose_nothing(
    kernel_factory: Any, store: Any
) -> None:
    # Given 16 kernels recording at once into one embedded store
    kernels = [kernel_factory() for _ in range(16)]
    outputs: list[list[dict[str, Any]]] = [[] for _ in kernels]

    def record(index: int) -> None:
        k = kernels[index]
        try:
            outputs[index].append(k.execute(f"%load_ext jupyterlab_xp\n%xp start k{index}"))
            outputs[index].append(
                k.execute(
                    "import jupyterlab_xp as xp\n"
                    "for step in range(20):\n"
                    "    xp.log({'val/accuracy': step / 20}, step=step)"
                )
            )
            outputs[index].append(k.execute("%xp stop"))
        finally:
            # jupyter_client's blocking calls give each thread an event loop: close it here.
            with contextlib.suppress(RuntimeError):
                asyncio.get_event_loop().close()

    threads = [threading.Thread(target=record, args=(i,)) for i in range(len(kernels))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then every cell ran without a lock error in its output
    for outs in outputs:
        assert [o["status"] for o in outs] == ["ok", "ok", "ok"], outs
        assert not any("locked" in o["stderr"] or "rror" in o["stderr"] for o in outs), outs
    # And all 16 runs are finished with their 20 steps (each run's sync process carries on
    # after a stop whose bounded wait ran out on a machine this busy)
    _wait(lambda: _all_finished(store, 16), timeout=300)
    runs = [store.get_run(r.info.run_id) for r in store.search_runs(max_results=100)]
    assert sorted(r.info.run_name for r in runs) == sorted(f"k{i}" for i in range(16))
    for run in runs:
        history = store.metric_history(run.info.run_id, "val/accuracy")
        assert [step for step, _, _ in history] == list(range(20)), run.info.run_name
        assert run.info.status == "FINISHED"


@pytest.mark.kernel
@pytest.mark.slow
@pytest.mark.stores("sqlite")  # its own server: MLflow's basic-auth app
def test_a_wrong_password_is_one_clear_line_and_recording_goes_on(
    kernel_factory: Any, xp_home: Path, tmp_path: Path
) -> None:
    from servers import MlflowServer, basic_auth_config

    # Given a team server that asks for a password, and a kernel that has the wrong one
    auth = basic_auth_config(tmp_path, admin_password="right-password-1234")
    server = MlflowServer(
        f"sqlite:///{tmp_path / 'store.db'}", tmp_path / "artifacts", ("--app-name", "basic-auth"),
        auth,
    )  # fmt: skip
    server.start()
    wrong = f"wrong-{uuid.uuid4().hex}"
    try:
        k = kernel_factory(
            extra_env={
                "MLFLOW_TRACKING_URI": server.url,
                "MLFLOW_TRACKING_USERNAME": "admin",
                "MLFLOW_TRACKING_PASSWORD": wrong,
            }
        )
        # When a run starts and cells run
        outputs = [k.execute("%load_ext jupyterlab_xp\n%xp start denied")]
        deadline = time.monotonic() + 90
        while "not answering" not in outputs[-1]["stderr"] and time.monotonic() < deadline:
            outputs.append(k.execute("x = 1"))
        # Then one clear line says the store refused, once; cells ran; nothing hung
        said = [o["stderr"] for o in outputs if "not answering" in o["stderr"]]
        assert (len(said) == 1 and "401" in said[0]) or "authenticat" in said[0].lower()
        assert all(o["status"] == "ok" for o in outputs)
        assert "not answering" not in k.execute("y = 2")["stderr"]
        outputs.append(k.execute("%xp status"))
        assert "sync:       retrying" in outputs[-1]["stdout"]
        # ...asking for the MLflow id gives up at once on a failing store (None, not a hang)
        outputs.append(k.execute("import jupyterlab_xp as xp\nprint(xp.active_run().run_id)"))
        assert outputs[-1]["stdout"].strip() == "None"
        outputs.append(k.execute("%xp stop"))
        assert outputs[-1]["status"] == "ok"
        # ...and stopping says where the run is instead of waiting for the store to answer
        assert "the store has not answered yet" in outputs[-1]["stdout"]
        # And the password appears nowhere: outputs, the journal, the server's log
        (folder,) = (xp_home / "runs").iterdir()
        seen = "".join(o["stdout"] + o["stderr"] for o in outputs)
        seen += (folder / "journal.jsonl").read_text() + server.log.read_text()
        assert wrong not in seen
        # ...while the journal kept recording every cell
        assert "x = 1" in (folder / "journal.jsonl").read_text()
    finally:
        server.kill()


# On the embedded store: a team server refuses an experiment whose artifacts live on another
# host, and the artifacts here travel the same way as a team server's (the mlflow-artifacts
# HTTP repository), so the outage is the team's too.
def test_an_artifact_outage_is_reported_never_read_as_a_run_that_recorded_nothing(
    store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a finished run whose tracking data is readable but whose artifact store is down
    # (its experiment keeps artifacts behind a port nothing listens on; no retries, to be quick)
    import socket

    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]  # closed again below: nothing listens there
    client = store.client
    experiment = client.create_experiment(
        f"artifact-outage-{uuid.uuid4().hex[:8]}",
        artifact_location=f"mlflow-artifacts://127.0.0.1:{dead_port}/outage",
    )
    run_id = client.create_run(experiment, tags={"xp.kind": "notebook"}).info.run_id
    client.set_terminated(run_id, "FINISHED")
    # When the run detail is read
    detail = run_detail(store, store.get_run(run_id))
    # Then it says the files could not be read (and why), rather than that there are none
    assert detail["artifacts_error"] is not None
    assert "could not" in detail["artifacts_error"]
    assert detail["cells_journal"] == [] and detail["seeds"] is None
    # and nothing was cached from the outage: the next read asks the store again
    assert store.artifacts.cache.get(run_id, "xp/seeds.json") is None


@pytest.mark.stores("sqlite", "team")
def test_absent_artifacts_are_absent_not_an_outage(store: Any) -> None:
    # A run that never wrote xp/ files (a plain MLflow run) has no sections, and no error
    client = store.client
    experiment = client.create_experiment(f"no-artifacts-{uuid.uuid4().hex[:8]}")
    run_id = client.create_run(experiment, tags={"xp.kind": "notebook"}).info.run_id
    client.set_terminated(run_id, "FINISHED")
    detail = run_detail(store, store.get_run(run_id))
    assert detail["artifacts_error"] is None
    assert detail["cells_journal"] == [] and detail["environment"] is None
