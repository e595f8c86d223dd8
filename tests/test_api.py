"""The Python API in a plain script (no IPython): start, log, stop, context manager, errors."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

import jupyterlab_xp as xp
from jupyterlab_xp.store.recovery import recover_orphans
from machine import torch_best_device

# Every test here runs on the embedded SQLite store and on the team server (see conftest.py).
STORE_KINDS = ("sqlite", "team")


def test_script_run_records_params_metrics_and_seed(store: Any) -> None:
    # Given a script that records a run through the API
    with xp.start("script-run", experiment="scripts", seed=42, tags={"team": "vision"}) as run:
        first = random.random()
        xp.param(lr=0.01, optimizer="adam")
        for step in range(3):
            xp.log({"train/loss": 1.0 / (step + 1)}, step=step)
        xp.note("baseline")
        assert xp.active_run() is not None
    # Then the run is finished in MLflow with everything it logged
    assert xp.active_run() is None
    mlflow_run = store.get_run(run.run_id)
    assert mlflow_run.info.status == "FINISHED"
    assert mlflow_run.data.params == {"seed": "42", "lr": "0.01", "optimizer": "adam"}
    assert mlflow_run.data.tags["team"] == "vision"
    assert mlflow_run.data.tags["xp.kind"] == "script"
    history = store.client.get_metric_history(run.run_id, "train/loss")
    assert [(m.step, m.value) for m in history] == [(0, 1.0), (1, 0.5), (2, 1 / 3)]
    # ...and the seed really seeded Python's random
    random.seed(42)
    assert random.random() == first


def test_an_exception_in_the_block_fails_the_run(store: Any) -> None:
    # Given a run whose body raises
    with pytest.raises(RuntimeError), xp.start("will-fail", seed=1) as run:
        raise RuntimeError("diverged")
    # Then the run ends FAILED
    assert store.get_run(run.run_id).info.status == "FAILED"


def test_api_errors_are_clear_and_leave_the_run_alone(store: Any) -> None:
    # Given an active run
    run = xp.start("careful", seed=3)
    try:
        # When the API is misused
        with pytest.raises(xp.XpError, match="already being recorded"):
            xp.start("second")
        with pytest.raises(xp.XpError, match="must be a number"):
            xp.log({"loss": "high"})
        with pytest.raises(xp.XpError, match="already"):
            xp.param(seed=4)
        with pytest.raises(xp.XpError, match="seed must be an integer"):
            xp.seed_everything("x")  # type: ignore[arg-type]
        with pytest.raises(xp.XpError, match="device must be"):
            xp.device("tpu")
        # Then the run still records
        xp.log({"loss": 0.5})
    finally:
        xp.stop()
    assert store.get_run(run.run_id).data.metrics["loss"] == 0.5
    with pytest.raises(xp.XpError, match="no run"):
        xp.stop()


def test_device_is_chosen_and_recorded(store: Any) -> None:
    # Given a run (on a machine with or without a GPU)
    with xp.start("dev", seed=0) as run:
        # When the device is chosen automatically
        chosen = xp.device("auto")
    # Then it is the best this machine has (the CPU here), and the choice is recorded
    assert chosen == torch_best_device()
    assert store.get_run(run.run_id).data.tags["xp.device"] == chosen


def test_unsynced_journal_is_replayed_by_recovery(store: Any, xp_home: Path) -> None:
    # Given a run folder whose process stopped the run but never reached the store
    from jupyterlab_xp.journal.jsonl import CellJournal

    run_dir = xp_home / "runs" / "0123456789abcdef0123456789abcdef"
    run_dir.mkdir(parents=True)
    journal = CellJournal(run_dir / "journal.jsonl")
    journal.append(
        "run_start",
        local_id=run_dir.name,
        name="offline",
        experiment="offline",
        kind="script",
        seeds={"seed": 8},
        tags={"xp.kind": "script", "xp.local_id": run_dir.name},
        params={"seed": 8},
    )
    journal.append("metric", metrics={"val/accuracy": 0.9}, step=1)
    journal.append("run_end", status="FINISHED", tags={"xp.end_reason": "stop"})
    journal.close()
    # When orphans are recovered (twice: the second finds nothing to do)
    first = recover_orphans(store, xp_home / "runs")
    second = recover_orphans(store, xp_home / "runs")
    # Then the run is in the store, once, as the journal says
    assert len(first) == 1 and second == []
    run = store.get_run(first[0])
    assert run.info.status == "FINISHED"
    assert run.data.metrics["val/accuracy"] == 0.9
    assert json.loads(store.artifacts.read_text(first[0], "xp/seeds.json"))["seed"] == 8


def test_runs_are_readable_with_plain_mlflow(store: Any) -> None:
    # Given a run recorded by jupyterlab-xp
    with xp.start("plain", experiment="plain-tools", seed=2) as run:
        xp.log({"val/accuracy": 0.5})
    # When plain MLflow searches the same store
    import mlflow

    mlflow.set_tracking_uri(store.location.tracking_uri)
    frame = mlflow.search_runs(experiment_names=["plain-tools"])
    # Then it finds the run with its metric, seed and xp tags
    assert list(frame["run_id"]) == [run.run_id]
    assert frame["metrics.val/accuracy"][0] == 0.5
    assert frame["params.seed"][0] == "2"
    assert frame["tags.xp.kind"][0] == "script"


@pytest.mark.stores("sqlite")  # the embedded store is the one that sets the URI
def test_the_environment_is_left_as_it_was(store: Any) -> None:
    # Given no tracking URI in the environment
    import os

    assert "MLFLOW_TRACKING_URI" not in os.environ
    # When a run starts (pointing the user's own MLflow calls at it) and stops
    with xp.start("env", seed=0) as run:
        assert run.run_id is not None
        assert os.environ["MLFLOW_RUN_ID"] == run.run_id
        assert os.environ["MLFLOW_TRACKING_URI"] == store.location.tracking_uri
    # Then neither variable is left behind
    assert "MLFLOW_RUN_ID" not in os.environ
    assert "MLFLOW_TRACKING_URI" not in os.environ
