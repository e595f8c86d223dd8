"""One trial of a sweep: a promotion of the source with the trial's params, run in this process.

The trial is a promotion job like any other (its folder under ``promotions/``, its bundle, a
papermill kernel of its own), with kind ``trial``, links to the sweep's parent run and the
environment its kernel reports to the Optuna trial through (see
:mod:`jupyterlab_xp.kernel.trial_report`).
Each trial reads its source again and runs it only when its code still has the digest the sweep
was created with (the code that was shown): a source changed in the store since is refused.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jupyterlab_xp.core import tags
from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.core.files import read_json
from jupyterlab_xp.journal.rundir import hold_lock, release_lock
from jupyterlab_xp.promote import jobs, trust
from jupyterlab_xp.promote import source as sources
from jupyterlab_xp.promote.job import Job
from jupyterlab_xp.promote.notebook_run import Cancelled
from jupyterlab_xp.store.mlflow_store import MlflowStore

COMPLETE, PRUNED, FAILED, CANCELLED = "complete", "pruned", "failed", "cancelled"
_DIGEST = re.compile(r"[0-9a-f]{64}")


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


def code_digest(config: dict[str, Any]) -> str:
    """The digest of the code the sweep was created with (what every trial must run)."""
    digest = config.get("code_sha256")
    if not (isinstance(digest, str) and _DIGEST.fullmatch(digest)):
        raise XpError(
            "the sweep records no digest of the code it was shown with (made by an older "
            "version, or not by jupyter xp sweep): no trial runs; start a new sweep"
        )
    return digest


def load_source(store: MlflowStore, config: dict[str, Any], root: Path | None) -> sources.Source:
    """The sweep's source: its run (read again, as a promotion does) or its notebook file.

    A study's config is read back from its storage, so its notebook path is confined to
    ``root`` like a path a browser sends (:func:`trust.recorded_notebook`): one outside it, or
    with hidden or ``..`` parts, is refused before any trial runs.
    """
    if config.get("source_run_id"):
        return sources.from_run(store, str(config["source_run_id"]), root)
    tag = config.get("notebook")
    said = trust.shown(tag, 120)
    if not isinstance(tag, str) or not tag:
        raise XpError(f"the sweep names no notebook to run ({said})")
    if root is None:
        raise XpError(f"the sweep's notebook {said} is not run: no folder to confine it to")
    try:
        path = trust.confined(tag, root)
    except (XpError, LookupError) as exc:
        reason = str(exc.args[0]) if exc.args else type(exc).__name__
        raise XpError(
            f"the sweep's notebook is not run: {reason} (run the worker in its folder)"
        ) from None
    return sources.from_notebook(path)


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
        order=config.get("order"),
        cell_timeout=config.get("cell_timeout"),
        code_sha256=code_digest(config),  # XpError when the code is not the code shown
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
