"""The recorder in a real kernel, driven through jupyter_client the way JupyterLab drives it."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import write_notebook
from jupyterlab_xp.store.recovery import recover_orphans
from machine import torch_best_device

pytestmark = pytest.mark.kernel

# Every test here runs on the embedded SQLite store and on the team server (see conftest.py).
STORE_KINDS = ("sqlite", "team")


def _only_run(store: Any) -> Any:
    runs = store.search_runs()
    assert len(runs) == 1, [r.info.run_id for r in runs]
    return runs[0]


def _cells(store: Any, run_id: str) -> list[dict[str, Any]]:
    text = store.artifacts.read_text(run_id, "xp/cells.jsonl")
    assert text is not None
    return [json.loads(line) for line in text.splitlines()]


def test_journal_follows_executions_in_order_with_errors_and_reruns(
    kernel_factory: Any, store: Any, tmp_path: Path, xp_home: Path
) -> None:
    # Given a notebook with a parameters cell, opened in a real kernel
    nb = write_notebook(
        tmp_path / "train.ipynb",
        [
            {"id": "params", "source": "lr = 0.1\nepochs = 3\n", "tags": ["parameters"]},
            {"id": "start", "source": "%load_ext jupyterlab_xp\n%xp start first --seed 7"},
            {"id": "work", "source": "total = lr * epochs"},
            {"id": "boom", "source": "raise ValueError('bad batch')"},
            {"id": "end", "source": "%xp stop"},
        ],
    )
    k = kernel_factory(notebook=nb)
    # When cells run out of order, one fails, and one runs twice
    k.execute("lr = 0.1\nepochs = 3\n", cell_id="params")
    started = k.execute("%load_ext jupyterlab_xp\n%xp start first --seed 7", cell_id="start")
    failed = k.execute("raise ValueError('bad batch')", cell_id="boom")
    k.execute("total = lr * epochs", cell_id="work")
    k.execute("total = lr * epochs", cell_id="work")
    stopped = k.execute("%xp stop", cell_id="end")
    # Then the run is finished in the store with the cells in execution order
    assert started["status"] == "ok", started
    assert "recording first" in started["stdout"]
    assert failed["error"] == "ValueError: bad batch"
    assert stopped["status"] == "ok", stopped
    run = _only_run(store)
    assert run.info.status == "FINISHED"
    assert run.info.run_name == "first"
    cells = _cells(store, run.info.run_id)
    assert [c["cell_id"] for c in cells] == ["start", "boom", "work", "work", "end"]
    assert [c["seq"] for c in cells] == [1, 2, 3, 4, 5]
    assert [c["status"] for c in cells] == ["ok", "error", "ok", "ok", "ok"]
    assert cells[1]["error_name"] == "ValueError" and cells[1]["error_value"] == "bad batch"
    # ...each with the execution count the notebook shows (In [n]), the last cell included
    assert [c["execution_count"] for c in cells] == [2, 3, 4, 5, 6]
    assert all(c["duration"] is not None and c["duration"] >= 0 for c in cells)
    assert cells[2]["sha256"] == cells[3]["sha256"]
    # ...with the seed and the parameters cell's values as params
    assert run.data.params["seed"] == "7"
    assert run.data.params["lr"] == "0.1" and run.data.params["epochs"] == "3"
    assert run.data.tags["xp.cells"] == "5" and run.data.tags["xp.errors"] == "1"
    assert run.data.tags["xp.notebook.path"] == str(nb.resolve())
    # ...the notebook snapshot and the captures are artifacts
    snapshot = store.artifacts.read_text(run.info.run_id, "xp/notebook.ipynb")
    assert json.loads(snapshot)["cells"][0]["id"] == "params"
    for name in (
        "environment.json",
        "hardware.json",
        "seeds.json",
        "requirements.lock",
        "git.json",
        "journal.jsonl",
    ):
        assert store.artifacts.read_text(run.info.run_id, f"xp/{name}"), name
    # ...with the order verdict: "work" ran twice, so a top-to-bottom run would not replay it
    order = json.loads(store.artifacts.read_text(run.info.run_id, "xp/order.json"))
    assert order["linear"] is False and order["re_run"] == ["work"]
    assert order["failed"] == ["boom"]
    assert run.data.tags["xp.linear"] == "false"
    # ...and the local journal is private
    journals = list((xp_home / "runs").glob("*/journal.jsonl"))
    assert len(journals) == 1
    assert stat.S_IMODE(journals[0].stat().st_mode) == 0o600


def test_users_own_mlflow_calls_land_in_the_recorded_run(kernel_factory: Any, store: Any) -> None:
    # Given a recorded run
    k = kernel_factory()
    assert k.execute("%load_ext jupyterlab_xp\n%xp start mine")["status"] == "ok"
    # When the user logs through plain MLflow, and through xp.log and %xp log
    out = k.execute(
        "import mlflow\nmlflow.log_metric('plain/metric', 1.5)\n"
        "import jupyterlab_xp as xp\nxp.log({'val/accuracy': 0.75}, step=2)\n"
        "xp.param(layers=3)"
    )
    assert out["status"] == "ok", out
    assert k.execute("%xp log train/loss=0.25 --step 1")["status"] == "ok"
    assert k.execute("%xp note first try with dropout")["status"] == "ok"
    stopped = k.execute("%xp stop")
    assert stopped["status"] == "ok", stopped
    # Then all of it is in the one run
    run = _only_run(store)
    assert run.data.metrics["plain/metric"] == 1.5
    assert run.data.metrics["val/accuracy"] == 0.75
    assert run.data.metrics["train/loss"] == 0.25
    assert run.data.params["layers"] == "3"
    assert run.data.tags["mlflow.note.content"] == "first try with dropout"
    assert run.info.status == "FINISHED"


# README: "competes with your cells for the kernel's CPU or its GIL"
# docs/design.md: "On the cell path the recorder writes one journal line and returns"
def test_a_recording_kernel_only_writes_its_journal(
    kernel_factory: Any, store: Any, xp_home: Path
) -> None:
    # Given a kernel recording a run, with cells run since its start
    k = kernel_factory()
    assert k.execute("%load_ext jupyterlab_xp\n%xp start lean")["status"] == "ok"
    for i in range(20):
        assert k.execute(f"x = {i}")["status"] == "ok"
    assert k.execute("%xp log val/loss=0.5")["status"] == "ok"
    # When we look inside the kernel's process while the run is in the store
    _wait_for(lambda: any(r.info.run_name == "lean" for r in store.search_runs()))
    probe = k.execute(
        "import sys, threading\n"
        "print(sorted(t.name for t in threading.enumerate() if t.name.startswith('xp-')))\n"
        "print('mlflow' in sys.modules)"
    )
    # Then it runs no thread of ours and never imported MLflow: the run's sync process did it all
    assert probe["stdout"].split("\n")[:2] == ["[]", "False"], probe
    (folder,) = (xp_home / "runs").iterdir()
    assert (folder / "sync.log").exists()
    # And the run still gets everything, its captures included
    assert k.execute("%xp stop")["status"] == "ok"
    run = store.get_run(_only_run(store).info.run_id)
    assert run.info.status == "FINISHED"
    assert run.data.metrics["val/loss"] == 0.5
    assert run.data.tags["xp.cells"] == "24"  # the start cell, 20, the log, the probe, the stop
    assert int(run.data.tags["xp.packages"]) > 50


def test_a_sync_process_killed_mid_run_is_replaced_and_loses_nothing(
    kernel_factory: Any, store: Any, xp_home: Path
) -> None:
    # Given a recorded run whose sync process is killed while the kernel records on
    k = kernel_factory()
    assert k.execute("%load_ext jupyterlab_xp\n%xp start replaced")["status"] == "ok"
    assert k.execute("%xp log val/loss=0.5 --step 1")["status"] == "ok"
    (folder,) = (xp_home / "runs").iterdir()
    os.kill(_wait_for(lambda: _sync_pid(folder)), signal.SIGKILL)
    # When the kernel goes on recording and stops
    for step in range(2, 6):
        assert k.execute(f"%xp log val/loss={step / 10} --step {step}")["status"] == "ok"
        time.sleep(0.3)  # (cells a person runs: the kernel looks at its sync process between them)
    assert k.execute("%xp stop")["status"] == "ok"
    # Then another sync process took over, and every step is in the run, once
    run = _wait_for(lambda: _finished_run(store))
    history = store.metric_history(run.info.run_id, "val/loss")
    assert [step for step, _, _ in history] == [1, 2, 3, 4, 5]


# DESIGN: recovery is for runs whose kernel died (issue 22: every listing waited 30 s on a
# stopped run's sync process while its kernel was still open)
def test_a_stopped_run_whose_sync_lags_is_left_to_its_sync_process_while_the_kernel_lives(
    kernel_factory: Any, store: Any, xp_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jupyterlab_xp.journal.rundir import owner_gone, release_lock, take_sync_lock
    from jupyterlab_xp.store import recovery

    # Given a kernel that stops its run while the run's sync process is held up (frozen, as a
    # loaded machine can leave it) and so has not applied the end when %xp stop gives up
    k = kernel_factory()
    assert k.execute("%load_ext jupyterlab_xp\n%xp start lagging")["status"] == "ok"
    assert k.execute("%xp log val/loss=0.5")["status"] == "ok"
    (folder,) = (xp_home / "runs").iterdir()
    pid = _wait_for(lambda: _sync_pid(folder))
    os.kill(pid, signal.SIGSTOP)
    try:
        patience = "import jupyterlab_xp.kernel.recorder as r\nr.STOP_FLUSH_SECONDS = 0.5"
        assert k.execute(patience)["status"] == "ok"
        stopped = k.execute("%xp stop")
        assert stopped["status"] == "ok", stopped
        assert "did not answer in time" in stopped["stderr"], stopped
        # When a listing recovers runs while that kernel is still open
        sleeps: list[float] = []
        monkeypatch.setattr(recovery.time, "sleep", sleeps.append)
        finished = recovery.recover_orphans(store, xp_home / "runs")
        monkeypatch.undo()
        # Then it leaves the run to its sync process without waiting on it: the kernel is alive
        assert finished == [] and sleeps == []
        assert not owner_gone(folder)
    finally:
        os.kill(pid, signal.SIGCONT)
    # And the sync process ends the run with its records, then lets go of the folder
    run = _wait_for(lambda: _finished_run(store))
    assert run.data.metrics["val/loss"] == 0.5
    assert run.data.tags["xp.cells"] == "4"  # start, log, the patience cell, stop

    def folder_free() -> bool:
        assert k.execute("pass")["status"] == "ok"  # the kernel lets go after a cell
        fd = take_sync_lock(folder)
        if fd is not None:
            release_lock(fd)
        return fd is not None and owner_gone(folder)

    assert _wait_for(folder_free)
    assert recovery.recover_orphans(store, xp_home / "runs") == []
    assert _only_run(store).info.status == "FINISHED"


def test_the_sync_process_runs_niced_from_its_first_import(
    kernel_factory: Any, xp_home: Path
) -> None:
    import psutil

    # Given a kernel recording a run
    k = kernel_factory()
    assert k.execute("%load_ext jupyterlab_xp\n%xp start niced")["status"] == "ok"
    (folder,) = (xp_home / "runs").iterdir()
    # When its sync process is looked at
    pid = _wait_for(lambda: _sync_pid(folder))
    kernel = psutil.Process(int(k.execute("import os; print(os.getpid())")["stdout"]))
    # Then it yields the CPUs to the kernel: niced by 10 (in its first line, before imports)
    assert psutil.Process(pid).nice() == min(19, kernel.nice() + 10)
    # ...and, on Linux, batch-scheduled in every thread: its wake-ups never preempt the kernel
    if hasattr(os, "SCHED_BATCH"):
        threads = psutil.Process(pid).threads()
        assert len(threads) > 1  # the worker, sampler and capture threads inherit it
        assert {os.sched_getscheduler(t.id) for t in threads} == {os.SCHED_BATCH}
    assert k.execute("%xp stop")["status"] == "ok"


def _sync_pid(folder: Path) -> int | None:
    try:
        return int(json.loads((folder / "sync-status.json").read_text())["pid"])
    except (OSError, ValueError, KeyError):
        return None


def _finished_run(store: Any) -> Any:
    runs = store.search_runs()
    return runs[0] if runs and runs[0].info.status == "FINISHED" else None


# README: "so the kernel never imports MLflow and nothing waits for the store between cells"
def test_a_promotion_kernel_journals_and_leaves_the_sync_to_its_job(
    kernel_factory: Any, store: Any, xp_home: Path
) -> None:
    # Given two kernels started the way a promotion job starts them (sync deferred to the job)
    promo = json.dumps({"seed": 7, "kind": "promoted", "name": "deferred", "defer_sync": True})
    quiet = kernel_factory(extra_env={"XP_PROMOTION": promo})
    mixed = kernel_factory(extra_env={"XP_PROMOTION": promo.replace("deferred", "mixed")})
    # When one only uses xp, and the other also calls MLflow itself
    for k in (quiet, mixed):
        assert k.execute("%load_ext jupyterlab_xp\n%xp start")["status"] == "ok"
        assert k.execute("%xp log val/loss=0.5 --step 1\nx = 2")["status"] == "ok"
    mine = mixed.execute("import mlflow\nmlflow.log_metric('plain/metric', 1.5)")
    assert mine["status"] == "ok", mine
    for k in (quiet, mixed):
        assert k.execute("%xp stop")["status"] == "ok"
    # Then the quiet kernel never imported MLflow and left its run to the job (README, Promote:
    # "so the kernel never imports MLflow and nothing waits")
    imported = quiet.execute("import sys\nprint('mlflow' in sys.modules)")
    assert imported["stdout"].strip() == "False", imported
    assert [r.info.run_name for r in store.search_runs()] == ["mixed"]  # synced live
    # and once the job syncs the journal, nothing is missing from either run
    recover_orphans(store, xp_home / "runs")
    runs = {r.info.run_name: r for r in store.search_runs()}
    assert runs["deferred"].info.status == runs["mixed"].info.status == "FINISHED"
    assert runs["deferred"].data.metrics["val/loss"] == 0.5
    assert runs["deferred"].data.params["seed"] == "7"
    assert runs["mixed"].data.metrics["plain/metric"] == 1.5
    assert [c["source"] for c in _cells(store, runs["deferred"].info.run_id)][-1] == "%xp stop"


# Records each AST built off the kernel's main thread (ast.parse, ast.literal_eval of a string,
# compile(..., PyCF_ONLY_AST)): CPython keeps one AST-construction depth counter per interpreter,
# so such a build beside the user's cell can raise SystemError in the user's cell.
AST_WATCH = """
import ast, builtins, threading
_xp_off_main = []
def _xp_watch(build):
    def watched(*args, **kwargs):
        if threading.current_thread() is not threading.main_thread():
            _xp_off_main.append(threading.current_thread().name)
        return build(*args, **kwargs)
    return watched
ast.parse = _xp_watch(ast.parse)
_xp_compile = builtins.compile
def _xp_checked_compile(source, filename, mode, flags=0, *args, **kwargs):
    if flags & ast.PyCF_ONLY_AST and threading.current_thread() is not threading.main_thread():
        _xp_off_main.append(threading.current_thread().name)
    return _xp_compile(source, filename, mode, flags, *args, **kwargs)
builtins.compile = _xp_checked_compile
"""


def test_the_recorder_builds_no_syntax_tree_off_the_kernels_main_thread(
    kernel_factory: Any, store: Any, tmp_path: Path, xp_home: Path
) -> None:
    # Given a notebook with a parameters cell, in a kernel recording live and in one recording
    # the way a promotion job's kernel does (capture in the kernel, sync left to the job)
    cells = [
        {"id": "params", "source": "lr = 0.1\nepochs = 3\n", "tags": ["parameters"]},
        {"id": "start", "source": "%load_ext jupyterlab_xp\n%xp start"},
    ]
    promo = json.dumps({"seed": 7, "kind": "promoted", "name": "deferred", "defer_sync": True})
    kernels = {
        "live": kernel_factory(notebook=write_notebook(tmp_path / "live.ipynb", cells)),
        "deferred": kernel_factory(
            notebook=write_notebook(tmp_path / "deferred.ipynb", cells),
            extra_env={"XP_PROMOTION": promo},
        ),
    }
    # When each runs its parameters cell, starts, runs cells (the parameters cell again too)
    # and stops, with every syntax tree built off the main thread noted
    for k in kernels.values():
        assert k.execute(AST_WATCH)["status"] == "ok"
        k.execute("lr = 0.1\nepochs = 3\n", cell_id="params")
        assert k.execute("%load_ext jupyterlab_xp\n%xp start", cell_id="start")["status"] == "ok"
        for i in range(5):
            assert (
                k.execute(f"x = {i}\ntry:\n    1 / 0\nexcept ZeroDivisionError:\n    pass")[
                    "status"
                ]
                == "ok"
            )
        k.execute("lr = 0.1\nepochs = 3\n", cell_id="params")
        assert k.execute("%xp stop")["status"] == "ok"
        # Then no thread of the recorder built one
        off_main = k.execute("print(sorted(set(_xp_off_main)))")
        assert off_main["stdout"].strip() == "[]", off_main
    # ...and the parameters cell's values are still recorded, in both runs
    recover_orphans(store, xp_home / "runs")
    runs = {r.info.run_name: r for r in store.search_runs()}
    assert len(runs) == 2
    for run in runs.values():
        assert run.data.params["lr"] == "0.1" and run.data.params["epochs"] == "3", run.data.params


# README: "the run is marked `KILLED` instead of staying `RUNNING` forever"
# README: "loses nothing it ran"
def test_kernel_that_dies_leaves_a_killed_run_naming_the_cell(
    kernel_factory: Any, store: Any, xp_home: Path
) -> None:
    # Given a recorded run
    k = kernel_factory()
    assert k.execute("%load_ext jupyterlab_xp\n%xp start doomed", cell_id="c1")["status"] == "ok"
    k.execute("x = 41 + 1", cell_id="c2")
    # When a cell kills the kernel process
    k.kc.execute("import os\nos._exit(1)", store_history=True)
    deadline = time.monotonic() + 30
    while k.is_alive() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not k.is_alive()
    # Then listing runs (a new process) marks the run KILLED and names the dying cell
    listed = subprocess.run(
        [sys.executable, "-m", "jupyterlab_xp", "runs", "--json"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    runs = json.loads(listed.stdout)
    assert len(runs) == 1
    assert runs[0]["status"] == "KILLED"
    assert "import os" in runs[0]["died_in_cell"]
    cells = _cells(store, runs[0]["run_id"])
    assert [c["status"] for c in cells] == ["ok", "ok", "died"], cells
    assert "os._exit(1)" in cells[-1]["source"]


# README: "the kernel and the active run carry on untouched"
# docs/design.md: "the user's kernel (it keeps working whatever the recorder hits)"
def test_bad_input_gives_one_line_and_harms_nothing(kernel_factory: Any, store: Any) -> None:
    # Given a kernel with the extension and no run
    k = kernel_factory()
    k.execute("%load_ext jupyterlab_xp")
    no_run = k.execute("%xp stop")
    # When every action gets bad input, with a run active
    assert k.execute("%xp start good --seed 3")["status"] == "ok"
    bad = [
        "%xp strat",
        "%xp start --seed abc",
        "%xp start again",
        "%xp log loss",
        "%xp log loss=high",
        "%xp param =3",
        "%xp tag",
        "%xp stop --status maybe",
        "%xp start x --seed 99999999999",
        "%xp log ../escape=1",
        "%xp note",
        "%xp compare zzz9",
        "%xp runs --limit 0",
        "%xp dataset /no/such/data",
    ]
    results = {line: k.execute(line) for line in bad}
    # Then each is a one-line UsageError (IPython prints it on stderr) and no traceback
    for line, out in [("%xp stop (no run)", no_run), *results.items()]:
        assert out["status"] == "error", line
        message = out["stderr"].strip()
        assert message.startswith("UsageError: "), (line, out)
        assert "\n" not in message, (line, out)
    # ...and the kernel and the active run carry on
    assert k.execute("y = 1 + 1\nprint(y)")["stdout"].strip() == "2"
    status = k.execute("%xp status")["stdout"]
    assert "good" in status and "seed:       3" in status
    assert k.execute("%xp stop")["status"] == "ok"
    run = _only_run(store)
    assert run.info.status == "FINISHED"
    assert run.data.params["seed"] == "3"


DRAWS = (
    "import numpy as np, torch, random\n"
    "print(random.random(), np.random.rand(), float(torch.rand(1)))"
)


def _draws(kernel_factory: Any, seed: int, import_first: bool) -> str:
    k = kernel_factory()
    if import_first:
        k.execute("import numpy, torch")
    k.execute(f"%load_ext jupyterlab_xp\n%xp start --seed {seed}")
    out = k.execute(DRAWS)
    assert out["status"] == "ok", out
    k.execute("%xp stop")
    return str(out["stdout"]).strip()


# docs/design.md: "torch is seeded when it is already imported, and otherwise by an import hook
#   when the user imports it"
def test_same_seed_same_draws_different_seed_different_draws(kernel_factory: Any) -> None:
    # Given runs seeded through %xp start, with numpy/torch imported after start or before
    a = _draws(kernel_factory, 11, import_first=False)
    b = _draws(kernel_factory, 11, import_first=True)
    c = _draws(kernel_factory, 12, import_first=False)
    # Then the same seed gives the same python, numpy and torch draws; another seed does not
    assert a == b
    assert a != c
    assert len(a.split()) == 3


def test_seed_state_and_user_seed_calls_are_recorded(kernel_factory: Any, store: Any) -> None:
    # Given a run started before numpy and torch are imported
    k = kernel_factory()
    k.execute("%load_ext jupyterlab_xp\n%xp start seeds --seed 5 --deterministic")
    # When the user imports them and seeds by hand
    out = k.execute(
        "import numpy as np, torch\nnp.random.seed(123)\ntorch.manual_seed(9)", cell_id="user-seeds"
    )
    assert out["status"] == "ok", out
    k.execute("%xp stop")
    # Then seeds.json says what was seeded, when, and the user's own calls with their cell
    run = _only_run(store)
    seeds = json.loads(store.artifacts.read_text(run.info.run_id, "xp/seeds.json"))
    assert seeds["seed"] == 5 and seeds["seed_source"] == "given"
    assert seeds["libraries"] == {"random": "seeded", "numpy": "seeded", "torch": "seeded"}
    calls = [(c["fn"], c["args"], c["cell"]) for c in seeds["user_calls"]]
    assert calls == [("numpy.random.seed", ["123"], 2), ("torch.manual_seed", ["9"], 2)]
    assert seeds["determinism"]["torch_deterministic_algorithms"] is True
    assert seeds["determinism"]["cublas_workspace_config"] == ":4096:8"
    assert run.data.tags["xp.deterministic"] == "true"
    # ...and torch's runtime, known only once imported, joins the hardware capture
    hardware = json.loads(store.artifacts.read_text(run.info.run_id, "xp/hardware.json"))
    assert hardware["torch"]["runtime"]["cuda_available"] is (torch_best_device() == "cuda")
    assert run.data.tags["xp.seed_calls"] == "2"


def _wait_for(predicate: Any, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError("condition not met in time")


def test_next_start_finishes_a_dead_kernels_run(kernel_factory: Any, store: Any) -> None:
    # Given a run whose kernel was killed without warning
    first = kernel_factory()
    assert first.execute("%load_ext jupyterlab_xp\n%xp start victim")["status"] == "ok"
    first.execute("import jupyterlab_xp as xp\nxp.active_run().run_id")  # the run exists
    first.km.shutdown_kernel(now=True)  # SIGKILL: no atexit, no goodbye
    # When another kernel starts recording
    second = kernel_factory()
    assert second.execute("%load_ext jupyterlab_xp\n%xp start survivor")["status"] == "ok"

    # Then the dead kernel's run ends KILLED without anyone running a command
    def victim_status() -> str | None:
        runs = {r.info.run_name: r for r in store.search_runs()}
        victim = runs.get("victim")
        return victim.info.status if victim and victim.info.status != "RUNNING" else None

    assert _wait_for(victim_status) == "KILLED"
    assert second.execute("%xp stop")["status"] == "ok"


def test_kernel_shutdown_finishes_the_active_run(
    kernel_factory: Any, store: Any, xp_home: Path
) -> None:
    # Given a recorded run with a metric
    k = kernel_factory()
    k.execute("%load_ext jupyterlab_xp\n%xp start closing")
    k.execute("%xp log val/loss=0.5")
    # When the kernel is shut down politely (the notebook is closed) without %xp stop
    k.shutdown()
    # Then nothing is lost: the run is finished, with its metric and the reason (if the
    # kernel manager's patience ran out before the store answered, the next listing
    # finishes the sync from the journal)
    recover_orphans(store, xp_home / "runs")
    run = _only_run(store)
    assert run.info.status == "FINISHED"
    assert run.data.metrics["val/loss"] == 0.5
    assert run.data.tags["xp.end_reason"] == "shutdown"


def test_runs_and_compare_widgets_in_a_kernel(kernel_factory: Any, store: Any) -> None:
    # Given two recorded runs in a kernel
    k = kernel_factory()
    k.execute("%load_ext jupyterlab_xp")
    for lr in (0.1, 0.2):
        k.execute(f"%xp start lr{lr} --seed 1")
        k.execute(f"%xp param lr={lr}")
        k.execute("%xp stop")
    ids = [r.info.run_id for r in store.search_runs()]
    # When the runs and their comparison are displayed
    runs = k.execute("%xp runs")
    compared = k.execute(f"%xp compare {ids[0][:8]} {ids[1][:8]}")
    # Then both display widgets without error
    assert runs["status"] == "ok" and "VBox" in runs["stdout"], runs
    assert compared["status"] == "ok" and "VBox" in compared["stdout"], compared


def test_python_api_in_a_kernel_records_cells_of_a_named_notebook(
    kernel_factory: Any, store: Any, tmp_path: Path
) -> None:
    # Given a kernel that does not know its notebook (renamed since it started)
    nb = write_notebook(tmp_path / "renamed.ipynb", [{"id": "c1", "source": "x = 1"}])
    k = kernel_factory()
    # When the run is started from Python, naming the notebook, without %load_ext
    started = k.execute(
        f"import jupyterlab_xp as xp\nrun = xp.start('api', seed=4, notebook={str(nb)!r})",
        cell_id="c0",
    )
    k.execute("x = 1", cell_id="c1")
    k.execute("xp.stop()", cell_id="c2")
    # Then the cells were recorded and the run points at the notebook
    assert started["status"] == "ok", started
    run = _only_run(store)
    assert run.data.tags["xp.kind"] == "notebook"
    assert run.data.tags["xp.notebook.path"] == str(nb.resolve())
    assert [c["cell_id"] for c in _cells(store, run.info.run_id)] == ["c0", "c1", "c2"]
    # ...and a notebook that does not exist is a clear error
    bad = k.execute("%xp start --notebook /no/such.ipynb")
    assert bad["stderr"].startswith("UsageError: --notebook must name an existing .ipynb")
