"""Liveness across machines: heartbeats, and sweeps that end runs whose kernel died elsewhere.

Two ``XP_HOME`` folders sharing one store stand for two machines: machine B cannot take the lock
on a run folder of machine A (it is not in B's home), so only the heartbeat can tell B that A's
kernel is gone.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from conftest import Kernel, new_id
from jupyterlab_xp.core import tags
from jupyterlab_xp.core.config import resolve_store
from jupyterlab_xp.journal.rundir import STATE_FILE
from jupyterlab_xp.store.liveness import Heartbeat, sweep_stale
from jupyterlab_xp.store.mlflow_store import MlflowStore

pytest_plugins = ["pytest_jupyter.jupyter_server"]

# Every test here runs on the embedded SQLite store and on the team server (see conftest.py).
STORE_KINDS = ("sqlite", "team")

TIMEOUT = "3"  # seconds: kernels beat every second, sweeps end runs silent for longer


@pytest.fixture
def shared_uri(store_kind: str, xp_home: Path, tmp_path: Path, migrated_db: Path) -> str:
    """The one store both machines point at: a SQLite file, or the team server."""
    if store_kind == "team":
        return os.environ["MLFLOW_TRACKING_URI"]  # set by xp_home
    db = tmp_path / "shared" / "mlflow.db"
    db.parent.mkdir()
    shutil.copyfile(migrated_db, db)
    return f"sqlite:///{db}"


@pytest.fixture
def shared_store(shared_uri: str, xp_home: Path) -> MlflowStore:
    return MlflowStore(resolve_store(shared_uri, xp_home))


@pytest.fixture
def machine_b(tmp_path: Path) -> Path:
    """Machine B's XP_HOME: no run folder of machine A's is in it."""
    home = tmp_path / "machine-b"
    home.mkdir()
    return home


def _wait_for(condition: Callable[[], Any], deadline: float = 120) -> Any:
    """Poll ``condition`` until it returns something truthy (a generous deadline, not a timing)."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError("condition not met in time")


def _run(store: MlflowStore, name: str) -> Any:
    runs = {r.info.run_name: r for r in store.search_runs()}
    return runs.get(name)


def _ended(store: MlflowStore, name: str) -> Any:
    """Run ``name`` once it is no longer RUNNING, else None."""
    run = _run(store, name)
    return run if run is not None and run.info.status != tags.RUNNING else None


def _recording(
    kernel_factory: Any, uri: str, name: str, experiment: str, home: Path | None = None
) -> Kernel:
    """A kernel on machine A (or ``home``'s machine) recording run ``name``, beating every 1 s."""
    env = {"MLFLOW_TRACKING_URI": uri, "XP_HEARTBEAT_TIMEOUT": TIMEOUT}
    if home is not None:
        env["XP_HOME"] = str(home)
    kernel: Kernel = kernel_factory(extra_env=env)
    started = kernel.execute(f"%load_ext jupyterlab_xp\n%xp start {name} --experiment {experiment}")
    assert started["status"] == "ok", started
    return kernel


def _kill_machine(kernel: Kernel, home: Path, name: str) -> None:
    """Machine A dies: its kernel and the run's sync process, both without a goodbye.

    The sync process goes first: left alive it would end the run at once, KILLED from the
    journal, as it does when only the kernel dies.
    """
    for folder in (home / "runs").iterdir():
        start = json.loads((folder / "journal.jsonl").read_text().split("\n")[0])
        if start.get("name") == name:
            status = json.loads((folder / "sync-status.json").read_text())
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(status["pid"]), signal.SIGKILL)
    kernel.km.shutdown_kernel(now=True)  # SIGKILL: no atexit, no goodbye


def _stale(store: MlflowStore, name: str) -> bool:
    """True once run ``name``'s heartbeat is older than the timeout (its kernel is gone)."""
    run = _run(store, name)
    beat = run.data.tags.get(tags.HEARTBEAT) if run else None
    return beat is not None and time.time() - int(beat) > float(TIMEOUT) + 1


def _sweep_from(home: Path, uri: str) -> None:
    """``jupyter xp runs`` on another machine (a new process, its own XP_HOME)."""
    env = {**os.environ, "XP_HOME": str(home), "MLFLOW_TRACKING_URI": uri}
    env["XP_HEARTBEAT_TIMEOUT"] = TIMEOUT
    subprocess.run(
        [sys.executable, "-m", "jupyterlab_xp", "runs", "--json"],
        env=env,
        capture_output=True,
        check=True,
        timeout=120,
    )


# README: "a kernel that dies on another machine does not leave its run `RUNNING`"
@pytest.mark.kernel
def test_a_kernel_killed_on_another_machine_ends_killed_naming_its_cell(
    kernel_factory: Any,
    shared_uri: str,
    shared_store: MlflowStore,
    machine_b: Path,
    xp_home: Path,
) -> None:
    # Given, on machine A, a kernel killed in the middle of a cell, and a kernel that lives on
    experiment = f"liveness-{new_id()}"
    doomed = _recording(kernel_factory, shared_uri, "doomed", experiment)
    alive = _recording(kernel_factory, shared_uri, "alive", experiment)
    _wait_for(lambda: _run(shared_store, "alive"))
    doomed.kc.execute("import time; time.sleep(600)")

    def running_cell() -> str:
        run = _run(shared_store, "doomed")
        return run.data.tags.get(tags.RUNNING_CELL, "") if run else ""

    assert "time.sleep(600)" in _wait_for(running_cell)
    _kill_machine(doomed, xp_home, "doomed")
    # and a run recorded by an older version, without a heartbeat
    legacy = shared_store.create_run(
        experiment, "legacy", {tags.KIND: tags.KIND_NOTEBOOK}, int(time.time() * 1000)
    )
    alive_since = int(_run(shared_store, "alive").data.tags[tags.HEARTBEAT])

    # When machine B lists runs until the dead kernel's run has ended
    def doomed_ended() -> Any:
        _sweep_from(machine_b, shared_uri)
        return _ended(shared_store, "doomed")

    doomed_run = _wait_for(doomed_ended)
    # Then it ended KILLED at its last heartbeat, naming the cell it died in
    assert doomed_run.info.status == tags.KILLED
    assert doomed_run.data.tags[tags.END_REASON] == tags.HEARTBEAT_LOST
    assert "time.sleep(600)" in doomed_run.data.tags[tags.DIED_IN_CELL]
    assert doomed_run.info.end_time == int(doomed_run.data.tags[tags.HEARTBEAT]) * 1000
    # while the live kernel's run, whose heartbeat moved on meanwhile, is still running
    alive_run = _run(shared_store, "alive")
    assert alive_run.info.status == tags.RUNNING
    assert int(alive_run.data.tags[tags.HEARTBEAT]) > alive_since
    legacy_run = shared_store.get_run(legacy)
    assert legacy_run is not None
    assert legacy_run.info.status == tags.RUNNING
    # and it still stops as usual
    assert alive.execute("%xp stop")["status"] == "ok"
    assert _run(shared_store, "alive").info.status == tags.FINISHED


@pytest.mark.kernel
def test_the_next_start_on_another_machine_ends_a_silent_run(
    kernel_factory: Any,
    shared_uri: str,
    shared_store: MlflowStore,
    machine_b: Path,
    xp_home: Path,
) -> None:
    # Given a run whose kernel on machine A was killed between cells, its heartbeat now stale
    experiment = f"liveness-{new_id()}"
    victim = _recording(kernel_factory, shared_uri, "victim", experiment)
    assert victim.execute("x = 41 + 1")["status"] == "ok"

    def idle_synced() -> bool:  # the store knows both cells ended
        run = _run(shared_store, "victim")
        return run is not None and (
            run.data.tags.get(tags.CELLS),
            run.data.tags.get(tags.RUNNING_CELL),
        ) == ("2", "")

    _wait_for(idle_synced)
    _kill_machine(victim, xp_home, "victim")
    _wait_for(lambda: _stale(shared_store, "victim"))
    # When a kernel on machine B starts recording
    survivor = _recording(kernel_factory, shared_uri, "survivor", experiment, home=machine_b)

    # Then A's run ends KILLED, naming no cell (none was running)
    run = _wait_for(lambda: _ended(shared_store, "victim"))
    assert run.info.status == tags.KILLED
    assert run.data.tags[tags.END_REASON] == tags.HEARTBEAT_LOST
    assert tags.DIED_IN_CELL not in run.data.tags
    assert survivor.execute("%xp stop")["status"] == "ok"


def _recorded(store: MlflowStore, experiment: str, name: str, **extra: str) -> str:
    """A RUNNING jupyterlab-xp run written straight to the store (as a recorder would)."""
    run_tags = {tags.KIND: tags.KIND_NOTEBOOK, **{f"xp.{k}": v for k, v in extra.items()}}
    return store.create_run(experiment, name, run_tags, int(time.time() * 1000) - 200_000)


# README: "a run always gets at least the timeout its own kernel had"
def test_a_sweep_ends_only_runs_silent_for_longer_than_their_timeout(
    store: MlflowStore, xp_home: Path
) -> None:
    # Given runs whose heartbeat is 100 s old, fresh, missing, or of a patient recorder
    experiment = f"sweep-{new_id()}"
    old = str(int(time.time()) - 100)
    cell = "#3 [3] cell c3: train()"
    dead = _recorded(store, experiment, "dead", heartbeat=old, running_cell=cell)
    idle = _recorded(store, experiment, "idle", heartbeat=old, running_cell="")
    fresh = _recorded(store, experiment, "fresh", heartbeat=str(int(time.time())))
    legacy = _recorded(store, experiment, "legacy")
    patient = _recorded(
        store, experiment, "patient", **{"heartbeat": old, "heartbeat.timeout": "600"}
    )
    # and a silent run of this machine's, whose folder (lock, journal, sync state) is here,
    # and another machine's silent run that copied that folder's name into its own tag
    local_id = uuid.uuid4().hex
    folder = xp_home / "runs" / local_id
    folder.mkdir(parents=True)
    ours = _recorded(store, experiment, "ours", heartbeat=old, local_id=local_id)
    (folder / STATE_FILE).write_text(json.dumps({"run_id": ours}))
    copier = _recorded(store, experiment, "copier", heartbeat=old, local_id=local_id)
    # When a sweep with a 30 s timeout runs, twice
    ended = sweep_stale(store, timeout=30, runs_dir=xp_home / "runs")
    again = sweep_stale(store, timeout=30, runs_dir=xp_home / "runs")
    # Then only the silent runs of other machines ended, once, KILLED at their last heartbeat
    assert sorted(ended) == sorted([dead, idle, copier])
    assert again == []
    runs = {i: store.get_run(i) for i in (dead, idle, fresh, legacy, patient, ours, copier)}
    assert {i: r.info.status for i, r in runs.items() if r} == {
        dead: tags.KILLED,
        copier: tags.KILLED,
        idle: tags.KILLED,
        fresh: tags.RUNNING,
        legacy: tags.RUNNING,
        patient: tags.RUNNING,
        ours: tags.RUNNING,
    }
    dead_run = runs[dead]
    assert dead_run is not None
    assert dead_run.data.tags[tags.DIED_IN_CELL] == cell
    assert dead_run.data.tags[tags.END_REASON] == tags.HEARTBEAT_LOST
    assert dead_run.info.end_time == int(old) * 1000
    idle_run = runs[idle]
    assert idle_run is not None
    assert tags.DIED_IN_CELL not in idle_run.data.tags


# README: "never on a cell's path, skipped while the store is failing"
def test_a_heartbeat_is_skipped_while_the_store_is_failing(store: MlflowStore) -> None:
    # Given a recorded run and a heartbeat whose sync thread says the store is failing
    run_id = _recorded(store, f"beat-{new_id()}", "beating", heartbeat="1")
    active = SimpleNamespace(run_id=run_id)
    failing = [True]
    heartbeat = Heartbeat(store, lambda: active, lambda: failing[0])

    def beat_tag() -> str:
        run = store.get_run(run_id)
        assert run is not None
        return str(run.data.tags[tags.HEARTBEAT])

    # When it beats while the store fails, then once it is back
    skipped = heartbeat.beat()
    unchanged = beat_tag()
    failing[0] = False
    written = heartbeat.beat()
    # Then only the second beat reached the store, with the timeout this process asks for
    assert (skipped, unchanged) == (False, "1")
    assert written and int(beat_tag()) > 1
    run = store.get_run(run_id)
    assert run is not None
    assert float(run.data.tags[tags.HEARTBEAT_TIMEOUT]) > 0
    # and no run, no beat
    assert Heartbeat(store, lambda: None, lambda: False).beat() is False


@pytest.fixture
def jp_server_config(xp_home: Path) -> dict[str, Any]:
    return {
        "ServerApp": {
            "jpserver_extensions": {"jupyterlab_xp": True, "jupyter_server_terminals": False}
        },
        "XpExtensionApp": {"recover_interval": 0.2, "heartbeat_timeout": 30},
    }


# README: "The panel's server (every 30 s)"
async def test_the_servers_periodic_sweep_ends_silent_runs(
    jp_serverapp: Any, store: MlflowStore
) -> None:
    # Given a server whose sweep allows 30 s without a heartbeat, and a run silent for 100 s
    silent = _recorded(store, f"server-{new_id()}", "silent", heartbeat=str(int(time.time()) - 100))
    # When its periodic sweep runs
    deadline = time.monotonic() + 60
    run = store.get_run(silent)
    while run is not None and run.info.status == tags.RUNNING and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
        run = store.get_run(silent)
    # Then the run ended KILLED
    assert run is not None
    assert run.info.status == tags.KILLED
    assert run.data.tags[tags.END_REASON] == tags.HEARTBEAT_LOST


# README: "(default 300;"
def test_the_servers_timeout_defaults_to_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from jupyterlab_xp.server.app import XpExtensionApp

    monkeypatch.setenv("XP_HEARTBEAT_TIMEOUT", "42")
    assert XpExtensionApp().heartbeat_timeout == 42.0
    monkeypatch.setenv("XP_HEARTBEAT_TIMEOUT", "soon")
    assert XpExtensionApp().heartbeat_timeout == 300.0


@pytest.mark.stores("sqlite")
def test_recover_all_leaves_an_absent_embedded_store_uncreated(tmp_path: Path) -> None:
    # A CLI listing on a fresh machine sweeps for dead runs: it must not create (and migrate)
    # the embedded store to find nothing, nor warn that it could not search it.
    from jupyterlab_xp.store.recovery import recover_all

    home = tmp_path / "fresh-home"
    home.mkdir()
    store = MlflowStore(resolve_store(None, home))
    assert store.local_sqlite is not None
    assert recover_all(store, store.location.runs_dir, heartbeat_timeout=1) == []
    assert not store.local_sqlite.exists()
