"""Create a sweep (checked, its parent run and its study), run its workers here, end it, cancel it.

A sweep is a parent MLflow run of kind ``sweep`` (study, storage, sampler, pruner, objective and
search space as tags, the space's dimensions as params, the best trial once there is one) and an
Optuna study whose config names that run. ``$XP_HOME/sweeps/<run id>.json`` records the process
running it here (what the panel's cancel signals).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from jupyterlab_xp.core import tags
from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.core.files import read_json, write_json_atomic
from jupyterlab_xp.core.process import process_start_time, same_process
from jupyterlab_xp.core.validation import validate_key
from jupyterlab_xp.promote import jobs
from jupyterlab_xp.promote import source as sources
from jupyterlab_xp.promote.params import check_seeds
from jupyterlab_xp.store.mlflow_store import MlflowStore
from jupyterlab_xp.store.recovery import recover_orphans
from jupyterlab_xp.sweep import study as studies
from jupyterlab_xp.sweep.space import check_grid, check_targets, parse_space, space_text

MAX_TRIALS = 10_000
RUNNING, FINISHED, STOPPED, CANCELLED = "running", "finished", "stopped", "cancelled"


def check_request(
    src: sources.Source,
    *,
    params: list[str],
    objective: str,
    direction: str = "maximize",
    trials: int = 20,
    seeds: list[int] | None = None,
    sampler: str = "tpe",
    pruner: str = "hyperband",
    timeout: float | None = None,
    sampler_seed: int | None = None,
    cell_timeout: float | None = None,
    code_sha256: str | None = None,
) -> dict[str, Any]:
    """Everything about a sweep that can be wrong without running it, checked (one XpError).

    ``code_sha256``: the digest of the code the user was shown (the plan's, for the source's
    default order); refused when the code changed since. The config keeps the digest of the
    code as it is now, and every trial runs exactly that code or is refused.
    """
    space = parse_space(params, None)
    check_targets(space, src)  # the parameters cell's names and the recorded config's keys
    validate_key(objective, "--objective metric")
    studies.check_choices(sampler, pruner, direction)
    if sampler == "grid":
        check_grid(space)  # XpError for a continuous dimension or too many points
    if isinstance(trials, bool) or not isinstance(trials, int) or not 1 <= trials <= MAX_TRIALS:
        raise XpError(f"--trials must be 1 to {MAX_TRIALS}, got {trials!r}")
    if timeout is not None and not 1 <= float(timeout) <= 30 * 86_400:
        raise XpError("--timeout must be 1 second to 30 days")
    seeds = check_seeds(list(seeds or []))
    if len(seeds) > 1:
        raise XpError(
            "a sweep runs each trial with one seed (--seeds N); check the winner across seeds "
            "with jupyter xp sweep confirm SWEEP --seeds 5"
        )
    if sampler_seed is not None and not 0 <= int(sampler_seed) < 2**32:
        raise XpError("--sampler-seed must be 0 to 2**32-1")
    seed = seeds[0] if seeds else (src.seed if src.seed is not None else 0)
    # The promotion itself is sound, and its code is the code that was shown.
    checked = jobs.check(src, seeds=[seed], cell_timeout=cell_timeout, code_sha256=code_sha256)
    return {
        "space": space_text(space),
        "objective": objective,
        "direction": direction,
        "trials": trials,
        "seed": seed,
        "sampler": sampler,
        "pruner": pruner,
        "timeout": float(timeout) if timeout is not None else None,
        "sampler_seed": int(sampler_seed) if sampler_seed is not None else None,
        "cell_timeout": cell_timeout,
        "source_run_id": src.run_id,
        "notebook": str(src.notebook_path) if src.notebook_path and not src.run_id else None,
        "order": checked["order"],
        "cells": len(checked["cells"]),
        "code_sha256": checked["code_sha256"],
    }


def create(
    store: MlflowStore, src: sources.Source, storage_url: str | None = None, **request: Any
) -> dict[str, Any]:
    """Check the request, reach the storage, create the parent run and the study.

    Returns:
        The sweep: ``run_id``, ``study``, ``storage`` (shown without credentials), its config.
    """
    config = check_request(src, **request)
    url = storage_url or studies.default_storage(store.location.home)
    storage = studies.open_storage(url)  # unreachable: one line, nothing created
    space = parse_space(config["space"].split("; "), None)
    run_id = store.create_run(
        src.experiment or src.name,
        f"{src.name}-sweep",
        {
            tags.KIND: tags.KIND_SWEEP,
            tags.SWEEP_STORAGE: studies.display_url(url),
            tags.SWEEP_SAMPLER: config["sampler"],
            tags.SWEEP_PRUNER: config["pruner"],
            tags.SWEEP_OBJECTIVE: f"{config['objective']} {config['direction']}",
            tags.SWEEP_SPACE: config["space"],
            tags.SWEEP_STATE: RUNNING,
            **({tags.SOURCE_RUN: src.run_id} if src.run_id else {}),
        },
        int(time.time() * 1000),
    )
    name = f"{src.name[:60]}-{run_id[:8]}"
    config.update(parent_run_id=run_id, study=name)
    try:
        studies.create(storage, name, config, space)
    except Exception:
        store.set_terminated(run_id, tags.FAILED)
        raise
    dims = {f"sweep.{d.name}": d.spec.partition("=")[2] for d in space.values()}
    store.log_batch(
        run_id,
        params={**dims, "sweep.trials": str(config["trials"]), "sweep.seed": str(config["seed"])},
        tags={tags.SWEEP_STUDY: name},
    )
    return {"run_id": run_id, "study": name, "storage": studies.display_url(url), **config}


def spawn_workers(
    study_name: str, storage_url: str, envs: list[dict[str, str]], root: Path | None, log: Path
) -> list[subprocess.Popen[bytes]]:
    """Start one worker process per overlay in ``envs`` (each in its own session)."""
    procs = []
    out = open(log, "ab")  # noqa: SIM115 - the children own it
    try:
        for index, overlay in enumerate(envs):
            env = {**os.environ, **overlay, tags.SWEEP_STORAGE_ENV: storage_url}
            argv = [sys.executable, "-m", "jupyterlab_xp.sweep.worker", study_name, str(index)]
            procs.append(
                subprocess.Popen(
                    argv + ([str(root)] if root else []),
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # Ctrl-C reaches us; we stop them with SIGTERM
                )
            )
    finally:
        out.close()
    return procs


def run_here(
    store: MlflowStore,
    sweep: dict[str, Any],
    storage_url: str,
    envs: list[dict[str, str]],
    root: Path | None = None,
    on_tick: Any = None,
) -> str:
    """Run the sweep's workers on this machine until they end; the sweep's final state.

    Ctrl-C (KeyboardInterrupt) or SIGTERM stops every worker: each marks its running trial FAIL
    and its run KILLED; a worker that died anyway has its trials failed and runs recovered here.
    """
    run_id = sweep["run_id"]
    folder = store.location.home / "sweeps"
    log = folder / f"{run_id}.log"
    write_json_atomic(
        folder / f"{run_id}.json",
        {"pid": os.getpid(), "pid_start": process_start_time(), "study": sweep["study"]},
    )
    procs = spawn_workers(sweep["study"], storage_url, envs, root, log)
    state = FINISHED
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    # Ctrl-C is ours to act on even when it came ignored (a shell starts a background job with
    # SIGINT ignored, and Python then never raises KeyboardInterrupt): the workers stop on our word.
    previous_int = signal.signal(signal.SIGINT, _raise_interrupt)
    try:
        while any(p.poll() is None for p in procs):
            if on_tick is not None:
                on_tick()
            time.sleep(0.5)
    except KeyboardInterrupt:
        state = CANCELLED
        storage = studies.open_storage(storage_url)
        with contextlib.suppress(Exception):
            study, _ = studies.load(storage, sweep["study"], sampling=False)
            study.set_user_attr(studies.STOP_ATTR, "cancelled")  # join workers elsewhere too
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)
    dead = [p.pid for p in procs if p.returncode is not None and p.returncode < 0]
    crashed = [p.returncode for p in procs if p.returncode not in (0, None)]
    error = None
    if crashed and state == FINISHED:  # a worker that failed is no finished sweep
        error = f"{len(crashed)} worker(s) ended with status {crashed[0]}; see {log}"
    return finish(store, sweep, storage_url, dead_pids=dead, state=state, error=error)


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def finish(
    store: MlflowStore,
    sweep: dict[str, Any],
    storage_url: str,
    dead_pids: list[int] | None = None,
    state: str | None = None,
    error: str | None = None,
) -> str:
    """Fail the trials of workers that died here, end their runs, and end the parent run.

    ``error``: why the workers here failed (one ended with an error): the sweep is stopped,
    never finished.
    """
    import optuna

    storage = studies.open_storage(storage_url)
    study, _ = studies.load(storage, sweep["study"], sampling=False)
    fail_orphaned_trials(study, storage, dead_pids or [])
    recover_orphans(store, store.location.runs_dir)  # a dead worker's kernel's run: KILLED
    reason = study.user_attrs.get(studies.STOP_ATTR) or error
    if state is None or state == FINISHED:
        state = (CANCELLED if reason == "cancelled" else STOPPED) if reason else FINISHED
    running = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,))
    mark_best(store, study, sweep["run_id"])
    final = {FINISHED: tags.FINISHED, CANCELLED: tags.KILLED}.get(state, tags.FAILED)
    extra = {tags.SWEEP_ERROR: str(reason)} if reason and reason != "cancelled" else {}
    if running and state == FINISHED:
        return RUNNING  # joined workers elsewhere still run trials: they end the sweep
    store.log_batch(sweep["run_id"], tags={tags.SWEEP_STATE: state, **extra})
    store.set_terminated(sweep["run_id"], final)
    return state


def fail_orphaned_trials(study: Any, storage: Any, dead_pids: list[int]) -> None:
    """Mark FAIL the running trials whose worker on this machine is gone."""
    import optuna

    for trial in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,)):
        worker = str(trial.user_attrs.get(studies.WORKER_ATTR, ""))
        host, _, rest = worker.partition(":")
        pid_text, _, start = rest.partition(":")
        if host != _hostname() or not pid_text.isdigit():
            continue
        pid = int(pid_text)
        if pid in dead_pids or not same_process(pid, start):
            with contextlib.suppress(Exception):  # another process may have failed it first
                storage.set_trial_state_values(trial._trial_id, optuna.trial.TrialState.FAIL)


def _hostname() -> str:
    import socket

    return socket.gethostname()


def mark_best(store: MlflowStore, study: Any, run_id: str) -> None:
    """The best complete trial's number, value and run on the parent run (once there is one)."""
    try:
        best = study.best_trial
    except ValueError:
        return  # no complete trial yet
    found = {
        tags.SWEEP_BEST_TRIAL: str(best.number),
        tags.SWEEP_BEST_VALUE: repr(best.value),
    }
    if best.user_attrs.get(studies.RUN_ATTR):
        found[tags.SWEEP_BEST_RUN] = str(best.user_attrs[studies.RUN_ATTR])
    store.log_batch(run_id, tags=found)


def cancel(store: MlflowStore, run_id: str, study_name: str, storage_url: str) -> bool:
    """Stop sweep ``run_id``: every worker (here or joined elsewhere) starts no new trial, and
    the process running it here, if any, stops its workers at once (their trials FAIL, their
    runs KILLED). Without such a process the sweep is ended here. True when one was signalled.
    """
    parent = store.get_run(run_id)
    if parent is None or parent.info.status != tags.RUNNING:
        state = parent.data.tags.get(tags.SWEEP_STATE) if parent is not None else "gone"
        raise XpError(f"sweep {run_id[:8]} is {state}, there is nothing to cancel")
    storage = studies.open_storage(storage_url)
    study, _ = studies.load(storage, study_name, sampling=False)
    study.set_user_attr(studies.STOP_ATTR, "cancelled")
    record = read_json(store.location.home / "sweeps" / f"{run_id}.json")
    pid = record.get("pid") if isinstance(record, dict) else None
    if isinstance(pid, int) and same_process(pid, record.get("pid_start")):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        return True
    finish(store, {"run_id": run_id, "study": study_name}, storage_url, state=CANCELLED)
    return False
