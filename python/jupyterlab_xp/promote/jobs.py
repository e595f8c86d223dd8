"""Promotion jobs on disk: plan, create (validate, build, spawn), read progress, list, cancel.

A job is a folder ``<xp home>/promotions/<id>/`` (``request.json`` from whoever created it,
``status.json`` and ``job.log`` from the job process, which holds ``owner.lock`` while it lives)
and a bundle folder ``<xp home>/bundles/<name>/<version>/<timestamp>/``. The server, the CLI and
``%xp promote`` all go through here, so each sees the others' jobs.
"""

from __future__ import annotations

import ast
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from jupyterlab_xp.core.config import StoreLocation
from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.core.files import read_json, write_atomic, write_json_atomic
from jupyterlab_xp.core.process import same_process
from jupyterlab_xp.journal.rundir import hold_lock, release_lock
from jupyterlab_xp.promote import build, bundle, envs, overrides, preview
from jupyterlab_xp.promote import source as sources
from jupyterlab_xp.promote.params import check_params, check_seeds
from jupyterlab_xp.promote.verify import DEFAULT_TOLERANCE
from jupyterlab_xp.store.mlflow_store import MlflowStore

REQUEST = "request.json"
STATUS = "status.json"
LOG = "job.log"
DEFAULT_CELL_TIMEOUT = 600.0
ACTIVE = ("queued", "running")


def jobs_dir(location: StoreLocation) -> Path:
    return location.home / "promotions"


def bundles_dir(location: StoreLocation) -> Path:
    return location.home / "bundles"


def load_source(
    store: MlflowStore, run_id: str | None, notebook: Path | None, root: Path | None = None
) -> sources.Source:
    """The source named by exactly one of ``run_id`` and ``notebook`` (already confined).

    ``root``: where a notebook path that a run recorded elsewhere must lie for the job to run in
    its folder (see :mod:`jupyterlab_xp.promote.trust`).
    """
    if bool(run_id) == bool(notebook):
        raise XpError("promote takes a run id or a notebook, not both and not neither")
    if run_id:
        return sources.from_run(store, run_id, root)
    assert notebook is not None
    return sources.from_notebook(notebook)


def plan(source: sources.Source) -> dict[str, Any]:
    """What the Promote dialog pre-fills (the ``PromotePlan`` model)."""
    return {
        "run_id": source.run_id,
        "notebook": str(source.notebook_path) if source.notebook_path else None,
        "name": source.name,
        "params": {k: _jsonable(v) for k, v in source.params.items()},
        "seed": source.seed,
        "orders": build.orders_for(source),
        "default_order": build.default_order(source),
        "cells": build.plan_summary(source),
        "order_verdict": source.order_verdict,
        "code": preview.code_by_order(source),
        "recorded_env": preview.recorded_environment(source),
        "provenance": preview.provenance(source),
        "notes": list(source.notes),
    }


def _jsonable(value: Any) -> Any:
    """JSON for the dialog: tuples become lists, other non-JSON literals their Python text."""
    try:
        json.dumps(value, allow_nan=False)
        return value
    except (TypeError, ValueError):
        if isinstance(value, tuple):
            return [_jsonable(v) for v in value]
        return repr(value)


def check(
    src: sources.Source,
    *,
    params: dict[str, Any] | None = None,
    seeds: list[int] | None = None,
    order: str | None = None,
    cell_timeout: float | None = None,
    tolerance: float | None = None,
    code_sha256: str | None = None,
    env: str | None = None,
    with_pins: list[str] | None = None,
) -> dict[str, Any]:
    """Everything a promotion of ``src`` would do, checked; XpError says what is wrong.

    The answer (params, seeds, order, timeout, tolerance, the cells and their digest) is what
    :func:`create` starts and what ``jupyter xp promote --dry-run`` prints. ``code_sha256``, the
    digest of the code the user was shown, must still name the code that would run and the
    package pins that would be installed for it. ``env``
    (``today`` or ``recorded``) and ``with_pins`` choose the kernel's environment
    (:func:`jupyterlab_xp.promote.envs.plan`).
    """
    plain, config = overrides.split(src, params or {})
    final = check_params({**src.params, **check_params(plain)})
    seeds = check_seeds(list(seeds or [])) or [src.seed if src.seed is not None else 0]
    order = order or build.default_order(src)
    timeout = DEFAULT_CELL_TIMEOUT if cell_timeout is None else float(cell_timeout)
    if not 1 <= timeout <= 86_400:
        raise XpError("cell timeout must be 1 to 86400 seconds")
    tol = DEFAULT_TOLERANCE if tolerance is None else float(tolerance)
    if not 0 <= tol < 1:
        raise XpError("tolerance must be at least 0 and below 1")
    cells = build.plan_cells(src, order)  # XpError for an order the source cannot do
    environment = envs.plan(src, env, with_pins)
    digest = preview.code_digest(cells, environment["pins"])  # the pins installed too
    if code_sha256 is not None and code_sha256 != digest:
        what = "code and package pins" if environment["pins"] else "code"
        raise XpError(
            f"the {what} {order} order would run is not the code you were shown (the source "
            "changed since): read the plan again before promoting"
        )
    return {
        "params": final,
        "config_overrides": config,  # set by the kernel's xp.param(cfg)
        "seeds": seeds,
        "order": order,
        "cell_timeout": timeout,
        "tolerance": tol,
        "cells": cells,
        "code_sha256": digest,
        "environment": environment,
    }


def create(
    store: MlflowStore,
    src: sources.Source,
    *,
    spawn: bool = True,
    root: Path | None = None,
    extra: dict[str, Any] | None = None,
    **request: Any,
) -> dict[str, Any]:
    """Check the request (see :func:`check`), build the notebook and the bundle folder, start
    the job; the Promotion. ``root`` goes to the job, which reads the source again.

    ``extra``: what a sweep's trial adds to the job's request (``kind``, ``run_name``, link
    ``tags`` and kernel ``env``; see :mod:`jupyterlab_xp.promote.job`). ``shims`` (default:
    on for a notebook file, off for a recorded run) installs :mod:`.shims` first."""
    shims = request.pop("shims", None)
    shims = src.run_id is None if shims is None else bool(shims)
    checked = check(src, **request)
    order, seeds, final, cells = (checked[k] for k in ("order", "seeds", "params", "cells"))
    location = store.location
    job_id = uuid.uuid4().hex[:16]
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    folder = bundles_dir(location) / src.name / src.version / f"{stamp}-{job_id[:6]}"
    folder.mkdir(parents=True, mode=0o700)
    notebook = build.build_notebook(src, cells, order, shims)
    write_atomic(folder / bundle.NOTEBOOK, build.dumps_notebook(notebook), mode=0o644)
    job_dir = jobs_dir(location) / job_id
    job_dir.mkdir(parents=True, mode=0o700)
    request = {
        "id": job_id,
        "created": time.time(),
        "source_run_id": src.run_id,
        "notebook": str(src.notebook_path) if src.notebook_path else None,
        "name": src.name,
        "order": order,
        "params": {k: repr(v) for k, v in final.items()},  # JSON cannot hold every literal
        "config_overrides": checked["config_overrides"],  # JSON: checked as config values
        "seeds": seeds,
        "cell_timeout": checked["cell_timeout"],
        "tolerance": checked["tolerance"],
        "bundle": str(folder),
        "cells_total": len(cells),
        "shims": shims,
        "code_sha256": checked["code_sha256"],  # the job runs this code or fails
        "environment": checked["environment"],  # the pins the job's kernels run with
        "root": str(root) if root is not None else None,
        "notes": list(src.notes),
        "tracking_uri": location.tracking_uri,
        "home": str(location.home),
        **(extra or {}),
    }
    write_json_atomic(job_dir / REQUEST, request)
    write_json_atomic(job_dir / STATUS, {"state": "queued", "runs": []})
    if spawn:
        start_process(job_dir)
    return read(location, job_id)


def start_process(job_dir: Path) -> subprocess.Popen[bytes]:
    """Run the job in its own process (and session, so cancel reaches only it)."""
    log = open(job_dir / LOG, "ab")  # noqa: SIM115 - the child owns it
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab_xp.promote.job", str(job_dir)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
        )
    finally:
        log.close()
    # Reap it when it ends, so a long-lived server collects no zombies.
    import threading

    threading.Thread(target=process.wait, daemon=True, name="xp-promote-reaper").start()
    return process


def request_params(request: dict[str, Any]) -> dict[str, Any]:
    """The job's parameters, parsed back from their Python text."""
    return {k: ast.literal_eval(v) for k, v in request.get("params", {}).items()}


def _alive(job_dir: Path) -> bool:
    try:
        fd = hold_lock(job_dir)
    except OSError:
        return True
    release_lock(fd)
    return False


def _progress(path: Path) -> tuple[int, str | None]:
    """Cells papermill completed in an executed notebook, and the one running now."""
    data = read_json(path)
    if not isinstance(data, dict):
        return 0, None
    done, current = 0, None
    for cell in data.get("cells", []):
        if cell.get("cell_type") != "code" or build.SHIMS_TAG in cell.get("metadata", {}).get(
            "tags", []
        ):
            continue  # the shims cell is not one of the cells_total
        meta = cell.get("metadata", {}).get("papermill", {})
        status = meta.get("status")
        # papermill's last save marks cells it never started "completed": count started ones.
        if status == "completed" and meta.get("start_time"):
            done += 1
        elif status == "running":
            text = sources.cell_source(cell).strip().splitlines()
            current = (text[0] if text else "")[:120]
    return done, current


def read(location: StoreLocation, job_id: str) -> dict[str, Any]:
    """A job as the ``Promotion`` model; LookupError for an unknown id."""
    if not (job_id.isalnum() and len(job_id) <= 64):
        raise XpError(f"not a promotion id: {job_id[:80]!r}")
    job_dir = jobs_dir(location) / job_id
    request = read_json(job_dir / REQUEST)
    if not isinstance(request, dict):
        raise LookupError(f"no promotion {job_id}")
    status = read_json(job_dir / STATUS) or {}
    state = status.get("state", "queued")
    error = status.get("error")
    if state in ACTIVE and not _alive(job_dir) and time.time() - request["created"] > 30:
        state, error = (
            "failed",
            error or f"the job process ended unexpectedly (see {job_dir / LOG})",
        )
    seeds: list[int] = request["seeds"]
    folder = Path(request["bundle"])
    done, current = 0, None
    # papermill's own cell count includes the injected-parameters cell it adds.
    per_seed = request["cells_total"] + (1 if request["params"] else 0)
    for seed in seeds:
        seed_done, seed_current = _progress(folder / bundle.executed_name(seed, seeds))
        done += min(seed_done, per_seed)
        current = seed_current or current
    runs = status.get("runs") or [
        {
            "seed": s,
            "run_id": None,
            "status": None,
            "executed_notebook": None,
            "error": None,
            "verification": None,
        }
        for s in seeds
    ]
    if state in ("finished", "failed", "cancelled"):
        current = None
    return {
        "id": job_id,
        "state": state,
        "source_run_id": request.get("source_run_id"),
        "notebook": request.get("notebook"),
        "name": request["name"],
        "order": request["order"],
        "params": {
            **{k: _jsonable(v) for k, v in request_params(request).items()},
            **(request.get("config_overrides") or {}),  # shown with the rest
        },
        "seeds": seeds,
        "cells_done": done if state != "finished" else per_seed * len(seeds),
        "cells_total": per_seed * len(seeds),
        "current_cell": current,
        "runs": runs,
        "verdict": status.get("verdict"),
        "order_repair": status.get("order_repair"),
        "environment": status.get("environment")
        or request.get("environment"),  # the auto order: steps, cells left out
        "error": error,
        "bundle": status.get("bundle"),
        "created": request["created"],
        "finished": status.get("finished"),
    }


def list_jobs(location: StoreLocation, source_run_id: str | None = None) -> list[dict[str, Any]]:
    """Every job (newest first), or those promoting ``source_run_id``."""
    folder = jobs_dir(location)
    if not folder.is_dir():
        return []
    found: list[dict[str, Any]] = []
    for job_dir in folder.iterdir():
        try:
            job = read(location, job_dir.name)
        except (LookupError, XpError, KeyError, ValueError, SyntaxError):
            continue
        if source_run_id is None or job["source_run_id"] == source_run_id:
            found.append(job)
    return sorted(found, key=lambda j: -j["created"])


def cancel(location: StoreLocation, job_id: str) -> dict[str, Any]:
    """Ask a job to stop (SIGTERM to its process); it marks its run KILLED and keeps outputs."""
    job = read(location, job_id)
    if job["state"] not in ACTIVE:
        raise XpError(f"promotion {job_id} is {job['state']}, there is nothing to cancel")
    job_dir = jobs_dir(location) / job_id
    write_json_atomic(job_dir / "cancel.json", {"requested": time.time()})
    status = read_json(job_dir / STATUS) or {}
    pid = status.get("pid")
    if isinstance(pid, int) and _alive(job_dir) and same_process(pid, status.get("pid_start")):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    return read(location, job_id)


def follow(store: MlflowStore, job_id: str, quiet: bool) -> dict[str, Any]:
    """Poll the job until it ends, printing progress lines when they change."""
    shown = ""
    status = jobs_dir(store.location) / job_id / STATUS
    while True:
        job = read(store.location, job_id)
        if job["state"] not in ACTIVE:
            return job
        line = f"  {job['state']}: {job['cells_done']}/{job['cells_total']} cells"
        if job["current_cell"]:
            line += f", running `{job['current_cell'][:60]}`"
        if line != shown and not quiet:
            print(line, flush=True)
            shown = line
        _wait_for_change(status, 0.5)


def _wait_for_change(path: Path, seconds: float) -> None:
    """Sleep until ``path`` is written again or ``seconds`` pass: the job's status file shows
    its end within 0.1 s, and the progress (read from the executed notebook, which may be
    megabytes) is read twice a second at most."""
    before = _stamp(path)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(0.1)
        if _stamp(path) != before:
            return


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_ino, found.st_mtime_ns
