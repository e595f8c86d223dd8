"""One trial of a sweep: a promotion of the source with the trial's params, run in this process.

The trial is a promotion job like any other (its folder under ``promotions/``, its bundle, a
papermill kernel of its own), with kind ``trial``, links to the sweep's parent run and the
environment its kernel reports to the Optuna trial through (see :mod:`jupyterlab_xp.kernel.trial`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jupyterlab_xp.core import tags
from jupyterlab_xp.core.files import read_json
from jupyterlab_xp.journal.rundir import hold_lock, release_lock
from jupyterlab_xp.promote import jobs
from jupyterlab_xp.promote import source as sources
from jupyterlab_xp.promote.job import Cancelled, Job
from jupyterlab_xp.store.mlflow_store import MlflowStore

COMPLETE, PRUNED, FAILED, CANCELLED = "complete", "pruned", "failed", "cancelled"


@dataclass
class Outcome:
    """How a trial ended: its state, run, objective value (None if not logged), and why."""

    state: str
    run_id: str | None = None
    value: float | None = None
    error: str | None = None
    metrics: list[str] = field(default_factory=list)  # the metric names the run logged


def trial_request(config: dict[str, Any], number: int, name: str) -> dict[str, Any]:
    """The ``extra`` part of the trial's promotion request (see :func:`jobs.create`)."""
    parent = config["parent_run_id"]
    return {
        "kind": tags.KIND_TRIAL,
        "run_name": f"{name}-trial{number}",
        "tags": {
            tags.MLFLOW_PARENT_RUN: parent,
            tags.SWEEP_RUN: parent,
            tags.SWEEP_STUDY: config["study"],
            tags.TRIAL_NUMBER: str(number),
        },
        "env": {
            tags.TRIAL_ENV: json.dumps(
                {"study": config["study"], "number": number, "objective": config["objective"]}
            )
        },
    }


def load_source(store: MlflowStore, config: dict[str, Any], root: Path | None) -> sources.Source:
    """The sweep's source: its run (read again, as a promotion does) or its notebook file."""
    if config.get("source_run_id"):
        return sources.from_run(store, config["source_run_id"], root)
    return sources.from_notebook(Path(config["notebook"]))


def run_trial(
    store: MlflowStore,
    src: sources.Source,
    config: dict[str, Any],
    number: int,
    params: dict[str, Any],
    root: Path | None,
) -> Outcome:
    """Run trial ``number`` with ``params`` to its end; Cancelled when SIGTERM stopped it."""
    job = jobs.create(
        store,
        src,
        spawn=False,
        root=root,
        extra=trial_request(config, number, src.name),
        params=params,
        seeds=[config["seed"]],
        cell_timeout=config.get("cell_timeout"),
    )
    job_dir = jobs.jobs_dir(store.location) / job["id"]
    fd = hold_lock(job_dir)  # as the job's own process would: readers see it alive
    try:
        job_process = Job(job_dir)
        job_process.store = store  # the worker's, open already: no new client per trial
        job_process.run()
    finally:
        release_lock(fd)
    status = read_json(job_dir / jobs.STATUS) or {}
    entry = (status.get("runs") or [{}])[0]
    run_id = entry.get("run_id")
    if status.get("state") == "cancelled":
        raise Cancelled()
    if entry.get("pruned"):
        return Outcome(PRUNED, run_id)
    if status.get("state") != "finished" or entry.get("status") != tags.FINISHED:
        return Outcome(FAILED, run_id, error=status.get("error") or entry.get("error"))
    run = store.get_run(run_id) if run_id else None
    metrics = dict(run.data.metrics) if run is not None else {}
    value = metrics.get(config["objective"])
    if value is not None and not math.isfinite(value):
        return Outcome(FAILED, run_id, error=f"{config['objective']} is {value}")
    return Outcome(COMPLETE, run_id, value, metrics=sorted(metrics))
