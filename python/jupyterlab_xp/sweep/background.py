"""A sweep run in the background: ``python -m jupyterlab_xp.sweep.background RUN STUDY N [ROOT]``.

What the panel (``POST sweeps``) and ``%xp sweep`` start once the sweep is created: the process
that runs its N workers on this machine and ends it (:func:`jupyterlab_xp.sweep.sweeps.run_here`);
``DELETE sweeps/{id}`` stops it with SIGTERM. The storage URL comes in ``XP_SWEEP_STORAGE``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from jupyterlab_xp.core import tags
from jupyterlab_xp.core.config import resolve_store
from jupyterlab_xp.core.files import write_json_atomic
from jupyterlab_xp.core.process import process_start_time
from jupyterlab_xp.core.telemetry import apply_telemetry_choice
from jupyterlab_xp.store.mlflow_store import MlflowStore
from jupyterlab_xp.sweep import sweeps
from jupyterlab_xp.sweep.devices import visible_gpus, worker_envs


def spawn(
    store: MlflowStore, sweep: dict[str, str], storage_url: str, workers: int | None, root: Path
) -> int:
    """Start the background process for ``sweep``; its pid. Output goes to the sweep's log."""
    folder = store.location.home / "sweeps"
    log = open(folder / f"{sweep['run_id']}.log", "ab")  # noqa: SIM115 - the child owns it
    count = str(len(worker_envs(workers, visible_gpus())))
    env = {**os.environ, tags.SWEEP_STORAGE_ENV: storage_url, "XP_HOME": str(store.location.home)}
    if not store.location.embedded:
        env["MLFLOW_TRACKING_URI"] = store.location.tracking_uri
    try:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyterlab_xp.sweep.background",
                sweep["run_id"],
                sweep["study"],
                count,
                str(root),
            ],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a server restart or the kernel's Ctrl-C does not stop it
            close_fds=True,
        )
    finally:
        log.close()
    # Cancel finds it at once (the process writes the same record when it starts its workers).
    record = {"pid": process.pid, "pid_start": process_start_time(process.pid)}
    write_json_atomic(folder / f"{sweep['run_id']}.json", {**record, "study": sweep["study"]})
    threading.Thread(target=process.wait, daemon=True, name="xp-sweep-reaper").start()
    return process.pid


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    url = os.environ.get(tags.SWEEP_STORAGE_ENV)
    if len(args) != 4 or not args[2].isdigit() or not url:
        print(
            "usage: XP_SWEEP_STORAGE=URL python -m jupyterlab_xp.sweep.background "
            "RUN STUDY WORKERS ROOT",
            file=sys.stderr,
        )
        return 2
    apply_telemetry_choice()  # its kernels inherit this environment
    run_id, study, workers, root = args[0], args[1], int(args[2]), Path(args[3])
    store = MlflowStore(resolve_store())
    envs = worker_envs(workers, visible_gpus())
    state = sweeps.run_here(store, {"run_id": run_id, "study": study}, url, envs, root)
    print(f"sweep {state}", flush=True)
    return 0 if state in (sweeps.FINISHED, sweeps.RUNNING) else 1


if __name__ == "__main__":
    sys.exit(main())
