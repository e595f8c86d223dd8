"""The promotion job's process: ``python -m jupyterlab_xp.promote.job <job folder>``.

For each seed: execute the built notebook with papermill (which starts its own kernel) with a
per-cell timeout; the kernel's recorder journals a ``promoted`` run (the seed, kind and links
come through ``XP_PROMOTION``) and this process syncs that journal to the store once the kernel
is gone, so the kernel neither imports MLflow nor waits for it. Then name the failing cell if
any, finish the run's status, verify it against the source, write the bundle and log it to the
run's artifacts.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jupyterlab_xp.core import tags
from jupyterlab_xp.core.config import resolve_store
from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.core.files import read_json, write_atomic, write_json_atomic
from jupyterlab_xp.core.process import process_start_time
from jupyterlab_xp.core.tags import PROMOTION_ENV
from jupyterlab_xp.core.telemetry import apply_telemetry_choice
from jupyterlab_xp.journal.rundir import hold_lock
from jupyterlab_xp.promote import (
    build,
    bundle,
    envs,
    executed,
    hashes,
    jobs,
    overrides,
    preview,
    repair,
    shims,
    verify,
)
from jupyterlab_xp.promote import source as sources
from jupyterlab_xp.promote.notebook_run import Cancelled, on_sigterm, stop_children
from jupyterlab_xp.store.mlflow_store import MlflowStore
from jupyterlab_xp.store.recovery import recover_orphans, settle
from jupyterlab_xp.store.redaction import Redactor

PRUNED_ERROR = "TrialPruned"  # the exception a trial's kernel raises when its pruner says stop
OK_OUTCOMES = ("ok", "pruned")


class Job:
    def __init__(self, job_dir: Path) -> None:
        self.dir = job_dir
        self.request: dict[str, Any] = read_json(job_dir / jobs.REQUEST)
        self.status: dict[str, Any] = {"state": "running", "runs": []}
        self.bundle = Path(self.request["bundle"])
        self.location = resolve_store(self.request["tracking_uri"], Path(self.request["home"]))
        self.store = MlflowStore(self.location)
        self.params = jobs.request_params(self.request)
        self.seeds: list[int] = self.request["seeds"]
        self._t0 = time.monotonic()
        self._opening: threading.Thread | None = None
        self.repair: repair.Repair | None = None  # the auto order and how it was found
        self.attempt = 1  # papermill runs of this seed's notebook (auto order retries)
        self.envs = envs.Used({"kind": "today", "pins": []})  # --env/--with: an overlay's
        self.shims = bool(self.request.get("shims"))  # compatibility shims installed first
        self._lock: Callable[[], str] | None = None  # the bundle's lock, made while cells run

    @property
    def is_trial(self) -> bool:
        """A sweep's trial: no verification against the source, no link on it."""
        return self.request.get("kind") == tags.KIND_TRIAL

    def save(self) -> None:
        write_json_atomic(self.dir / jobs.STATUS, self.status)

    def log(self, message: str) -> None:
        """A line in job.log, with the seconds since the job started (where time goes)."""
        print(f"[{time.monotonic() - self._t0:7.2f}s] {message}", flush=True)

    def run(self) -> int:
        self.status.update(pid=os.getpid(), pid_start=process_start_time(), started=time.time())
        self.status["runs"] = [self._run_entry(s) for s in self.seeds]
        self.save()
        if (self.dir / "cancel.json").exists():
            return self._end("cancelled", "cancelled before it started")
        try:
            if not self.request.get("source_run_id"):
                # MLflow takes seconds to import and its store a moment to open: do both while
                # the kernel starts and runs. (A run source needs them at once.)
                self._opening = threading.Thread(target=self._open_store, daemon=True)
                self._opening.start()
            src = self._source()
            cells = build.plan_cells(src, self.request["order"])
            # The code read again, and the pins pip is about to get, are those of the digest.
            pins = (self.request.get("environment") or {}).get("pins") or []
            if preview.code_digest(cells, pins) != self.request.get("code_sha256"):
                raise XpError("the source's code changed after the promotion was created")
            self.log(f"source loaded: {len(cells)} cells, seeds {self.seeds}")
            self.envs = envs.prepare(self.request, self.location.home, self.bundle, self.log)
            self.status["environment"] = self.envs.record
            self._lock = self._lock_in_background(src)
            if self.request["order"] == "auto":
                self.repair = build.auto_repair(src)
                self.status["order_repair"] = {**self.repair.as_dict(), "attempts": 1}
            for index, seed in enumerate(self.seeds):
                outcome = self._execute(src, seed, index)
                while outcome == "failed" and self.repair and self._repaired(src, index):
                    cells = build.planned_from_numbers(src, self.repair.order)
                    notebook = build.build_notebook(src, cells, "auto", self.shims)
                    write_atomic(
                        self.bundle / bundle.NOTEBOOK, build.dumps_notebook(notebook), mode=0o644
                    )
                    outcome = self._execute(src, seed, index)
                self._check_overrides(self.status["runs"][index], outcome)
                self.log(f"seed {seed}: {outcome}")
                if outcome == "cancelled":
                    self._write_bundle(src, cells)
                    return self._end("cancelled", "cancelled")
            if not self.is_trial:  # a trial's params differ from its source's on purpose
                for index, _ in enumerate(self.seeds):
                    self._verify(src, cells, index)
                self.log("verified")
            self._write_bundle(src, cells)
            self.log("bundle written and logged")
        except Cancelled:
            return self._end("cancelled", "cancelled")
        except Exception as exc:
            return self._end("failed", f"{type(exc).__name__}: {exc}".splitlines()[0])
        failed = [r for r in self.status["runs"] if r["error"]]
        if failed:
            return self._end("failed", f"seed {failed[0]['seed']}: {failed[0]['error']}")
        return self._end("finished", None)

    def _repaired(self, src: sources.Source, index: int) -> bool:
        """After a failed run in ``auto`` order: a new order from the failure (and say why)."""
        details = self.status["runs"][index].get("failure") or {}
        if self.repair is None or self.attempt >= repair.MAX_RUNS or not details.get("position"):
            return False
        found = repair.after_failure(
            build.notebook_repair_cells(src),
            self.repair,
            int(details["position"]),
            str(details.get("ename")),
            str(details.get("evalue")),
        )
        if found is None:
            return False
        self.repair, self.attempt = found, self.attempt + 1
        self.status["order_repair"] = {**found.as_dict(), "attempts": self.attempt}
        self.log(f"auto order, attempt {self.attempt}: {found.steps[-1]}")
        return True

    def _run_entry(self, seed: int) -> dict[str, Any]:
        return {
            "seed": seed,
            "run_id": None,
            "status": None,
            "executed_notebook": str(self.bundle / bundle.executed_name(seed, self.seeds)),
            "error": None,
            "verification": None,
        }

    def _end(self, state: str, error: str | None) -> int:
        self.status.update(state=state, error=error, finished=time.time())
        self.save()
        return 0 if state == "finished" else 1

    def _open_store(self) -> None:
        try:
            self.store.client  # noqa: B018 - opens (imports MLflow, checks the schema) once
        except Exception as exc:  # the job's own use of the store reports it
            self.log(f"could not open the store in the background: {exc}")

    def _source(self) -> sources.Source:
        if self.request.get("source_run_id"):
            root = self.request.get("root")
            return sources.from_run(self.store, self.request["source_run_id"], root and Path(root))
        return sources.from_notebook(Path(self.request["notebook"]))

    def _env(self, src: sources.Source, seed: int) -> dict[str, str]:
        """The kernel's environment: same store, the promotion's identity, the source's
        hash seed."""
        link = build.source_tags(src, self.request["id"], seed, self.request["order"], self.attempt)
        link.update(self.request.get("tags") or {})  # a trial's links to its sweep
        name = self.request.get("run_name") or f"{src.name}-promoted-seed{seed}"
        env = dict(os.environ)
        env.update(self.request.get("env") or {})  # a trial's kernel: where to report
        self.envs.apply(link, env)  # the environment's tags; its kernelspec for papermill
        env[PROMOTION_ENV] = json.dumps(
            {
                "seed": seed,
                "kind": self.request.get("kind") or tags.KIND_PROMOTED,
                "tags": link,
                "name": name,
                "experiment": src.experiment,
                # The kernel only journals; _settle_run syncs the run once the kernel is gone.
                "defer_sync": True,
                # Dotted overrides, checked against the recorded config; xp.param(cfg) sets them.
                "config": self.request.get("config_overrides") or {},
            }
        )
        env["XP_HOME"] = str(self.location.home)
        if not self.location.embedded:
            env["MLFLOW_TRACKING_URI"] = self.location.tracking_uri
        env["XP_NOTEBOOK"] = str(self.bundle / bundle.NOTEBOOK)
        env[shims.LOG_ENV] = str(self._shims_log(seed))
        if src.pythonhashseed and src.pythonhashseed.isdigit():
            env["PYTHONHASHSEED"] = src.pythonhashseed
        env.pop("MLFLOW_RUN_ID", None)
        return env

    def _shims_log(self, seed: int) -> Path:
        """Where this seed's kernel records the shims it used (one file per attempt)."""
        folder = self.dir / f"seed-{seed}"
        folder.mkdir(exist_ok=True)
        return folder / f"shims-{self.attempt}.jsonl"

    def _execute(self, src: sources.Source, seed: int, index: int) -> str:
        entry = self.status["runs"][index]
        entry["status"] = tags.RUNNING
        self.save()
        output = Path(entry["executed_notebook"])
        cwd = src.notebook_path.parent if src.notebook_path else self.bundle
        ran = self._run_notebook(self._env(src, seed), output, cwd)
        outcome, error, failed_at = "ok", None, None
        if ran["raised"] == "execution":  # papermill's PapermillExecutionError
            ename, exec_count = str(ran["ename"]), ran["exec_count"]
            outcome, error = "failed", f"{ename}: {ran['evalue']}".splitlines()[0][:300]
            failed_at = exec_count
            if executed.error_output_cell(output) is None and executed.reproduced_stored_error(
                output, failed_at
            ):  # it raised what the notebook shows, and nothing else went wrong
                outcome, error, failed_at = "ok", None, None
            elif (
                executed.error_output_cell(output) is not None
                and executed.failure_details(output, failed_at) is None
            ):
                # papermill named a reproduced error: the failure is the one that is not
                failed_at, error = None, None
            if ename == PRUNED_ERROR and self.is_trial:  # the sweep's pruner stopped it
                outcome, error, entry["pruned"] = "pruned", None, True
        elif ran["raised"] == "cancelled":
            outcome, error = "cancelled", "cancelled"
            stop_children()
        elif ran["raised"] is not None:  # timeout, dead kernel, kernel that would not start
            outcome = "killed" if ran["type"] == "DeadKernelError" else "failed"
            error = f"{ran['type']}: {ran['message']}".splitlines()[0][:300]
        self.log(f"papermill returned: {outcome}")
        cell = executed.failed_cell(output, failed_at) if outcome not in OK_OUTCOMES else None
        if outcome == "ok":
            cell = executed.error_output_cell(output)  # an error shown in a cell papermill passed
            if cell is not None:
                outcome, error = "failed", f"error output in {cell}"
        error, entry["failure"] = executed.explain(
            output, outcome, error, failed_at, cell, src.notebook
        )
        entry["error"] = error
        entry["shims"] = shims.read_log(self._shims_log(seed))
        entry["run_id"], entry["status"] = self._settle_run(seed, outcome, error)
        self.save()
        return outcome

    def _run_notebook(self, env: dict[str, str], output: Path, cwd: Path) -> dict[str, Any]:
        """Papermill's run of the bundle's notebook in a process of its own with the kernel's
        environment ``env`` (:mod:`.notebook_run`); what it raised. A cancel (SIGTERM) is
        passed on to it, and the job waits for it to stop its kernel."""
        folder = self.dir / f"run-{len(list(self.dir.glob('run-*')))}"
        folder.mkdir(mode=0o700)
        args = {
            "notebook": str(self.bundle / bundle.NOTEBOOK),
            "output": str(output),
            "params": {k: repr(v) for k, v in self.params.items()},  # literals: they round-trip
            "kernel_name": self.envs.kernel_name,
            "cwd": str(cwd),
            "cell_timeout": self.request["cell_timeout"],
            "parent": os.getpid(),  # it ends with this process
        }
        write_json_atomic(folder / "args.json", args)
        result = folder / "result.json"
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyterlab_xp.promote.notebook_run",
                *map(str, (folder / "args.json", result)),
            ],
            env=env,
            stdin=subprocess.DEVNULL,
        )
        while True:
            try:
                code = process.wait()
                break
            except Cancelled:
                process.send_signal(signal.SIGTERM)  # it stops papermill and its kernel
        found = read_json(result)
        if not isinstance(found, dict) or "raised" not in found:
            message = f"the notebook's papermill process ended without a result (exit {code})"
            return {"raised": "other", "type": "RuntimeError", "message": message}
        return found

    def _check_overrides(self, entry: dict[str, Any], outcome: str) -> None:
        """A run that ran but whose params show its config overrides never reached its config
        is an error of the run (see :func:`overrides.not_reached`)."""
        requested = self.request.get("config_overrides") or {}
        if not requested or outcome != "ok" or entry["error"] or not entry["run_id"]:
            return
        run = self.store.get_run(entry["run_id"])
        if run is not None:
            entry["error"] = overrides.not_reached(requested, dict(run.data.params))
            self.save()

    def _settle_run(self, seed: int, outcome: str, error: str | None) -> tuple[str | None, str]:
        """Find the promoted run, finish it if its kernel died, and set the final status."""
        if self._opening is not None:  # two threads importing MLflow at once would race
            self._opening.join()
        # A kernel papermill gave up on may still be exiting (or syncing at exit): wait for it,
        # so that its run is either synced by it or recovered from its journal here.
        stop_children(grace=30.0)
        run_id = None
        deadline = time.monotonic() + 60
        while run_id is None and time.monotonic() < deadline:
            # A dead (or killed mid-sync) kernel's run is finished from its journal. Another
            # job's sweep may be recovering it right now: then look again in a moment.
            recover_orphans(self.store, self.location.runs_dir)
            run_id = self.store.find_run_by_tag(
                tags.PROMOTION_ID, build.source_tags_id(self.request["id"], seed, self.attempt)
            )
            if run_id is None:
                time.sleep(1.0)
        status = {"ok": tags.FINISHED, "pruned": tags.FINISHED, "failed": tags.FAILED}.get(
            outcome, tags.KILLED
        )
        if run_id is None:
            return None, status
        run = self.store.get_run(run_id)
        local_id = run.data.tags.get(tags.LOCAL_ID) if run is not None else None
        if local_id and "/" not in local_id:
            # Another job's sweep may be half-way through recovering this run: let it finish
            # first, or its end status would land after (and over) ours.
            settle(self.store, self.location.runs_dir / local_id, timeout=60)
        if outcome == "pruned":
            self.store.set_terminated(run_id, status)
        elif outcome != "ok":
            failed = Redactor().text(error or outcome, "failed cell", "error")
            self.store.log_batch(run_id, tags={tags.FAILED_CELL: failed})
            self.store.set_terminated(run_id, status)
        return run_id, status

    def _verify(self, src: sources.Source, cells: list[build.PlannedCell], index: int) -> None:
        entry = self.status["runs"][index]
        if entry["status"] != tags.FINISHED or entry["run_id"] is None:
            return
        run = self.store.get_run(entry["run_id"])
        if run is None:
            return
        tolerance = self.request["tolerance"]
        result = verify.compare_metrics(src.metrics, dict(run.data.metrics), tolerance)
        executed = read_json(Path(entry["executed_notebook"])) or {}
        # The executed notebook has papermill's injected-parameters cell: skip it to align.
        executed = {
            "cells": [
                c
                for c in executed.get("cells", [])
                if not {"injected-parameters", build.SHIMS_TAG}
                & set(c.get("metadata", {}).get("tags", []))
            ]
        }
        used = entry.get("shims") or []
        skipped = {u["cell"]: u["detail"] for u in used if u["name"] in shims.SKIPS}
        name = src.notebook_path.name if src.notebook_path else None
        result["outputs"] = verify.compare_outputs(cells, executed, tolerance, skipped, name)
        result["verdict"] = verify.overall(result["verdict"], result["outputs"])
        result["order"] = self.status.get("order_repair") or {"order": self.request["order"]}
        result["python"] = bundle.python_versions(src)
        result["environment"] = self.envs.record  # today's, the recorded lock's or an overlay
        result["shims"] = used  # every compatibility shim the run needed: never silent
        entry["verification"] = result
        folder = self.dir / f"seed-{entry['seed']}"
        folder.mkdir(exist_ok=True)
        write_atomic(folder / tags.VERIFY_ARTIFACT, json.dumps(result, indent=2) + "\n")
        with Redactor().staged(folder, [tags.VERIFY_ARTIFACT]) as out:  # a redacted copy
            self.store.log_artifact(entry["run_id"], out / tags.VERIFY_ARTIFACT, tags.ARTIFACT_DIR)
        self.store.log_batch(entry["run_id"], tags={tags.VERDICT: result["verdict"]})
        if index == self._reference_index(src):
            self.status["verdict"] = result["verdict"]
        self.save()

    def _reference_index(self, src: sources.Source) -> int:
        """The run whose verdict speaks for the promotion: the one with the source's seed."""
        return self.seeds.index(src.seed) if src.seed in self.seeds else 0

    def _lock_in_background(self, src: sources.Source) -> Callable[[], str]:
        """The bundle's lock (with the overlay's pins), its wheels' hashes asked of the index
        in a thread while the notebook runs: a first promotion asks for a page per pin, a
        second or more of waiting otherwise paid after the last cell. Returns a call that
        waits for it (and asks again here if the thread failed, so its error is the job's)."""
        text = self.envs.lock_text(bundle.lock_text(src))
        cache, index = self.location.home / "cache", hashes.default_index()  # environ read here
        done: list[str] = []
        thread = threading.Thread(
            target=lambda: done.append(hashes.with_hashes(text, cache, self.log, index)),
            daemon=True,  # a job that fails or is cancelled does not wait for the index
        )
        if hashes.enabled():
            thread.start()

        def result() -> str:
            if thread.is_alive():
                thread.join()
            return done[0] if done else hashes.with_hashes(text, cache, self.log, index)

        return result

    def _write_bundle(self, src: sources.Source, cells: list[build.PlannedCell]) -> None:
        folder = self.bundle
        seed = self.seeds[self._reference_index(src)]
        lock = self._lock or self._lock_in_background(src)
        files = {
            bundle.SCRIPT: bundle.script(src, cells, self.params, seed),
            bundle.PARAMS: bundle.params_yaml(self.params, seed),
            bundle.LOCK: lock(),  # with the overlay's pins, then their wheels' hashes
            bundle.MLPROJECT: bundle.mlproject(src, self.params, seed),
            bundle.PYTHON_ENV: bundle.python_env(src),
            bundle.DOCKERFILE: bundle.dockerfile(src),
        }
        for name, text in files.items():
            write_atomic(folder / name, text, mode=0o644)
        runs = self.status["runs"]
        bundle.write_metadata(
            folder,
            {
                "format": 1,
                "name": src.name,
                "version": src.version,
                "created": self.request["created"],
                "source": {
                    "run_id": src.run_id,
                    "notebook": str(src.notebook_path) if src.notebook_path else None,
                    "experiment": src.experiment,
                    "metrics": src.metrics,
                },
                "order": self.request["order"],
                "params": {k: repr(v) for k, v in self.params.items()},
                "seeds": self.seeds,
                "runs": [
                    {
                        "seed": r["seed"],
                        "run_id": r["run_id"],
                        "status": r["status"],
                        "verdict": (r["verification"] or {}).get("verdict"),
                    }
                    for r in runs
                ],
                "verdict": self.status.get("verdict"),
                "notes": self.request.get("notes", []),  # store values left out, and why
            },
        )
        self.status["bundle"] = str(folder)
        self.save()
        dest = f"{tags.ARTIFACT_DIR}/{tags.BUNDLE_DIR}"
        with Redactor().staged(folder) as out:  # the store gets redacted copies of the bundle
            for entry in runs:
                if entry["run_id"]:
                    self.store.log_artifacts(entry["run_id"], out, dest)
        if not self.is_trial:
            self._link_source(src)

    def _link_source(self, src: sources.Source) -> None:
        """Tell the source run which runs reproduce it, and the verdict."""
        if not src.run_id:
            return
        run = self.store.get_run(src.run_id)
        earlier = (run.data.tags.get(tags.PROMOTED_RUNS, "") if run else "").split(",")
        ids = [i for i in earlier if i] + [r["run_id"] for r in self.status["runs"] if r["run_id"]]
        link = {tags.PROMOTED_RUNS: ",".join(dict.fromkeys(ids))[-5000:]}
        if self.status.get("verdict"):
            link[tags.PROMOTED_VERDICT] = self.status["verdict"]
        self.store.log_batch(src.run_id, tags=link)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m jupyterlab_xp.promote.job JOB_FOLDER", file=sys.stderr)
        return 2
    job_dir = Path(args[0])
    # papermill -> nbformat -> jsonschema imports rfc3987-syntax, which builds an IRI grammar
    # at import (1-2 s here) for a string format no notebook schema uses. This process only
    # validates notebooks, so it goes without: jsonschema skips that format when it is absent.
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    apply_telemetry_choice()  # its kernels inherit this environment
    hold_lock(job_dir)  # held until this process ends: readers know the job is alive
    signal.signal(signal.SIGTERM, on_sigterm)
    return Job(job_dir).run()


def _exit_now(code: int) -> None:
    """End the process without the interpreter's teardown.

    Everything the job makes is on disk by now (status, bundle, the run in the store; MLflow's
    calls here are synchronous), and tearing down the 2,700 modules that papermill and MLflow
    load costs 0.6 s of CPU after the promotion has ended, on a machine whose next notebook is
    starting. Logging's handlers and the standard streams are flushed first.
    """
    import logging

    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    _exit_now(main())
