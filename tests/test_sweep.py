"""Sweeps end to end: real Optuna, real papermill kernels, real stores; pruning from xp.log, two
join workers on PostgreSQL storage, and a worker killed mid-trial."""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from jupyterlab_xp.core import tags

HERE = Path(__file__).parent
TINY = HERE / "fixtures" / "sweep_tiny.ipynb"


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jupyterlab_xp", *args],
        capture_output=True,
        text=True,
        env=env or os.environ.copy(),
        timeout=600,
    )


def _notebook(tmp_path: Path, **params: Any) -> Path:
    """The tiny notebook with other defaults in its parameters cell."""
    doc = json.loads(TINY.read_text())
    if params:
        doc["cells"][0]["source"] = "\n".join(f"{k} = {v!r}" for k, v in params.items())
    path = tmp_path / "tiny.ipynb"
    path.write_text(json.dumps(doc))
    return path


def _show(sweep: str, *extra: str) -> dict[str, Any]:
    shown = _cli("sweep", "show", sweep, "--json", *extra)
    assert shown.returncode == 0, shown.stderr
    return json.loads(shown.stdout)  # type: ignore[no-any-return]


def test_six_trials_with_pruning_from_the_notebooks_own_logging(
    store: Any, xp_home: Path, tmp_path: Path
) -> None:
    # Given a notebook that logs val/score = x * (step + 1) at steps 0..2
    notebook = _notebook(tmp_path)
    # When a sweep of 6 trials runs with the median pruner (one worker: a fixed order)
    ran = _cli(
        "sweep", str(notebook), "--param", "x=uniform:0:1", "--objective", "val/score",
        "--trials", "6", "--sampler", "random", "--sampler-seed", "3", "--pruner", "median",
        "--workers", "1", "--json",
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr[-3000:]
    body = json.loads(ran.stdout)
    # Then 6 trials, numbered 0..5, each complete or pruned
    trials = body["trials"]
    assert [t["number"] for t in trials] == list(range(6))
    states = [t["state"] for t in trials]
    assert set(states) <= {"COMPLETE", "PRUNED"} and "PRUNED" in states, states
    # And each pruned trial was, at the step it stopped, below the median of the trials that
    # had completed before it (Optuna's median rule, recomputed here from the values)
    for i, t in enumerate(trials):
        if t["state"] != "PRUNED":
            continue
        step = t["last_step"]
        earlier = [u["params"]["x"] * (step + 1) for u in trials[:i] if u["state"] == "COMPLETE"]
        assert len(earlier) >= 2
        assert t["params"]["x"] * (step + 1) < statistics.median(earlier)
    # And each trial is a run of kind trial under the sweep's parent run; pruned ones say where
    parent = store.get_run(body["run_id"])
    assert parent.data.tags[tags.KIND] == tags.KIND_SWEEP
    assert parent.data.tags[tags.SWEEP_STATE] == "finished"
    for t in trials:
        run = store.get_run(t["run_id"])
        assert run.data.tags[tags.KIND] == tags.KIND_TRIAL
        assert run.data.tags[tags.MLFLOW_PARENT_RUN] == body["run_id"]
        assert run.data.tags[tags.TRIAL_NUMBER] == str(t["number"])
        assert run.data.params["x"] == repr(t["params"]["x"])
        assert run.info.status == "FINISHED"
        if t["state"] == "PRUNED":
            assert run.data.tags[tags.PRUNED] == str(t["last_step"])
            assert run.data.metrics["val/score"] == pytest.approx(t["params"]["x"] * (step + 1))
        else:
            assert tags.PRUNED not in run.data.tags
            assert run.data.metrics["val/score"] == pytest.approx(t["params"]["x"] * 3)
    # And the best trial is the complete one with the largest x, on the parent run too
    complete = [t for t in trials if t["state"] == "COMPLETE"]
    best = max(complete, key=lambda t: t["value"])
    assert body["best"]["number"] == best["number"]
    assert parent.data.tags[tags.SWEEP_BEST_TRIAL] == str(best["number"])
    assert parent.data.tags[tags.SWEEP_BEST_RUN] == best["run_id"]
    # And show finds the same sweep by a prefix of its run id and by its study name
    assert _show(body["run_id"][:10])["best"]["number"] == best["number"]
    assert _show(body["study"])["run_id"] == body["run_id"]


def test_an_objective_no_trial_logs_stops_after_the_first_trial(
    xp_home: Path, tmp_path: Path
) -> None:
    ran = _cli(
        "sweep", str(_notebook(tmp_path)), "--param", "x=uniform:0:1", "--objective",
        "val/accuracy", "--trials", "3", "--workers", "1", "--pruner", "none",
    )  # fmt: skip
    assert ran.returncode == 1, ran.stderr[-3000:]
    assert "trial 0 logged no metric val/accuracy (it logged: val/score)" in ran.stdout
    assert "the sweep stopped" in ran.stdout
    body = _show(ran.stdout.split()[1].rstrip(":"))
    assert [t["state"] for t in body["trials"]] == ["FAIL"]
    assert body["state"] == "stopped"


def test_two_join_workers_share_postgres_storage(
    postgres: Any, store: Any, xp_home: Path, tmp_path: Path
) -> None:
    # Given a study in its own PostgreSQL database, created with no local workers
    url = postgres.create_database(f"optuna_{uuid.uuid4().hex[:8]}")
    created = _cli(
        "sweep", str(_notebook(tmp_path)), "--param", "x=choice:0.1,0.2,0.3,0.4,0.5",
        "--objective", "val/score", "--trials", "4", "--workers", "0", "--pruner", "none",
        "--storage", url,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    sweep = created.stdout.split()[1].rstrip(":")
    # When two worker processes join it at once
    env = {**os.environ, tags.SWEEP_STORAGE_ENV: url}
    argv = [sys.executable, "-m", "jupyterlab_xp", "sweep", "join", sweep[:12]]
    workers = [  # in the notebook's folder: a study's notebook runs only under the cwd
        subprocess.Popen(
            argv, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [w.communicate(timeout=600) for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs
    # Then the study has 4 complete trials, numbered 0..3 with no duplicate
    body = _show(sweep, "--storage", url)
    numbers = [t["number"] for t in body["trials"]]
    assert sorted(numbers) == [0, 1, 2, 3] and len(set(numbers)) == 4
    assert {t["state"] for t in body["trials"]} == {"COMPLETE"}
    # And both workers ran trials, each a distinct run under the one parent
    assert len({t["worker"] for t in body["trials"]}) == 2
    runs = {t["run_id"] for t in body["trials"]}
    assert len(runs) == 4
    for run_id in runs:
        assert store.get_run(run_id).data.tags[tags.MLFLOW_PARENT_RUN] == body["run_id"]
    # And the last worker to finish ended the sweep
    assert store.get_run(body["run_id"]).info.status == "FINISHED"


def _running_trial_of(url: str, study: str, pid: int) -> int | None:
    """The number of a trial that worker ``pid`` is running and has reported a step for."""
    import optuna

    loaded = optuna.load_study(study_name=study, storage=url)
    for trial in loaded.get_trials(deepcopy=False):
        worker = str(trial.user_attrs.get("xp.worker", ""))
        if trial.state.name == "RUNNING" and f":{pid}:" in worker and trial.intermediate_values:
            return int(trial.number)
    return None


def test_a_worker_killed_mid_trial_leaves_its_trial_fail_and_run_killed(
    store: Any, xp_home: Path, tmp_path: Path
) -> None:
    # Given a sweep whose trials take a few steps, and two workers joined to it
    notebook = _notebook(tmp_path, x=0.5, steps=8, wait=0.5)
    created = _cli(
        "sweep", str(notebook), "--param", "x=uniform:0:1", "--objective", "val/score",
        "--trials", "3", "--workers", "0", "--pruner", "none",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    sweep = created.stdout.split()[1].rstrip(":")
    url = f"sqlite:///{xp_home / 'sweeps' / 'optuna.db'}"
    study = _show(sweep)["study"]
    env = {**os.environ, "XP_SWEEP_HEARTBEAT": "1:4"}
    argv = [sys.executable, "-m", "jupyterlab_xp", "sweep", "join", sweep]
    victim, survivor = (
        subprocess.Popen(
            argv, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        for _ in range(2)
    )
    # When one worker is SIGKILLed while its trial's kernel is logging steps
    number = None
    deadline = time.monotonic() + 300
    while number is None and time.monotonic() < deadline and victim.poll() is None:
        number = _running_trial_of(url, study, victim.pid)
        time.sleep(0.2)
    assert number is not None, "the worker never reached a trial's steps"
    victim.send_signal(signal.SIGKILL)
    victim.communicate()
    # Then the other worker goes on and finishes the sweep's trials
    out, _ = survivor.communicate(timeout=600)
    assert survivor.returncode == 0, out[-3000:]
    body = _show(sweep)
    states = {t["number"]: t["state"] for t in body["trials"]}
    assert states[number] == "FAIL"
    assert sum(s == "COMPLETE" for s in states.values()) >= 1
    # And the killed trial's run (recovered from its journal) is KILLED; nothing else is lost
    killed = [
        r
        for r in store.search_runs(max_results=50)
        if r.data.tags.get(tags.TRIAL_NUMBER) == str(number)
        and r.data.tags.get(tags.SWEEP_STUDY) == study
    ]
    assert len(killed) == 1 and killed[0].info.status == "KILLED"
    assert killed[0].data.metrics.get("val/score") is not None  # the steps it logged are kept


def test_ctrl_c_stops_every_worker_and_keeps_what_was_logged(
    store: Any, xp_home: Path, tmp_path: Path
) -> None:
    # Given a sweep running two workers whose trials are logging steps
    notebook = _notebook(tmp_path, x=0.5, steps=40, wait=0.5)
    # (started with SIGINT ignored, as a shell starts a job in the background: `make test` once
    # ran so, and the command sailed through its Ctrl-C to exit 0)
    inherited = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        sweep = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab_xp", "sweep", str(notebook), "--param",
             "x=uniform:0:1", "--objective", "val/score", "--trials", "4", "--workers", "2",
             "--pruner", "none"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
    finally:
        signal.signal(signal.SIGINT, inherited)
    url = f"sqlite:///{xp_home / 'sweeps' / 'optuna.db'}"
    deadline = time.monotonic() + 300
    stepping: list[Any] = []
    while len(stepping) < 2 and time.monotonic() < deadline and sweep.poll() is None:
        time.sleep(0.5)
        if not list((xp_home / "sweeps").glob("*.json")):
            continue  # not created yet (the command makes its storage's tables)
        import optuna

        names = optuna.get_all_study_names(url)
        if names:
            trials = optuna.load_study(study_name=names[0], storage=url).get_trials()
            stepping = [t for t in trials if t.state.name == "RUNNING" and t.intermediate_values]
    assert len(stepping) == 2, sweep.communicate()[0][-3000:] if sweep.poll() is not None else ""
    # When Ctrl-C reaches the command
    sweep.send_signal(signal.SIGINT)
    out, _ = sweep.communicate(timeout=300)
    # Then it ends cancelled: both running trials FAIL, their runs KILLED with their steps kept
    assert sweep.returncode == 1, out[-3000:]
    assert "sweep cancelled" in out
    body = _show(names[0])
    assert [t["state"] for t in body["trials"]] == ["FAIL", "FAIL"]
    assert body["state"] == "cancelled"
    assert store.get_run(body["run_id"]).info.status == "KILLED"
    runs = [r for r in store.search_runs() if r.data.tags.get(tags.SWEEP_RUN) == body["run_id"]]
    assert sorted(r.info.status for r in runs) == ["KILLED", "KILLED"]
    assert all(r.data.metrics["val/score"] > 0 for r in runs)
