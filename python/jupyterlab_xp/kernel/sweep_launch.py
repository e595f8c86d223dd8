"""``%xp sweep ...``: start ``jupyter xp sweep`` in a process of its own and say where to watch.

The kernel imports neither Optuna nor MLflow for it: the sweep runs in the background (its own
session, so interrupting the kernel does not stop it) and its output goes to a log in
``$XP_HOME/sweeps``. The magic waits only for the first line: the sweep's id, or its one-line
error (bad input is reported in the notebook before anything runs).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.core.tags import PROMOTION_ENV, TRIAL_ENV

FIRST_LINE_WAIT = 120.0  # seconds: MLflow and Optuna imports, the store, the storage


def launch(argv: list[str], home: Path, tracking_uri: str | None, last_run: str | None) -> str:
    """Start ``jupyter xp sweep ARGV``; the lines to print (XpError: its one-line error).

    Args:
        argv: what followed ``%xp sweep``; without a source, ``last_run`` is swept.
        home: the xp home (the sweep's log goes to its ``sweeps`` folder).
        tracking_uri: the team store's URI, when the kernel records there.
        last_run: the run this kernel stopped last.
    """
    if argv[:1] == ["show"]:
        return _run_now(["sweep", *argv], home, tracking_uri)
    if not argv or argv[0].startswith("-"):
        if last_run is None:
            raise XpError("no stopped run in this kernel: give a run or notebook (%xp sweep RUN)")
        argv = [last_run, *argv]
    folder = home / "sweeps"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    log = folder / f"launch-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab_xp", "sweep", *argv],
            env=_env(home, tracking_uri),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    first = _first_line(log, process)
    if first.startswith("jupyter xp: "):
        raise XpError(first.split(": ", 2)[-1])
    if argv[0] in ("join", "confirm"):
        return f"xp: sweep {argv[0]} running in the background (pid {process.pid}); log: {log}"
    short = first.split()[1].rstrip(":")[:8] if first.startswith("sweep ") else "?"
    return (
        f"xp: {first}\n"
        f"xp: running in the background (pid {process.pid}); watch it with "
        f"`%xp sweep show {short}` or `jupyter xp sweep show {short}`; log: {log}"
    )


def _env(home: Path, tracking_uri: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in (TRIAL_ENV, PROMOTION_ENV)}
    env.pop("MLFLOW_RUN_ID", None)
    env["XP_HOME"] = str(home)
    if tracking_uri:
        env["MLFLOW_TRACKING_URI"] = tracking_uri
    return env


def _first_line(log: Path, process: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + FIRST_LINE_WAIT
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        for line in text.splitlines():
            if line.startswith(("sweep ", "jupyter xp: ", "[")):
                return line.strip()
        if process.poll() is not None:
            lines = log.read_text(errors="replace").strip().splitlines()
            return lines[-1] if lines else f"jupyter xp: error: exited {process.returncode}"
        time.sleep(0.1)
    return f"sweep started; no answer yet after {FIRST_LINE_WAIT:.0f} s (see {log})"


def _run_now(argv: list[str], home: Path, tracking_uri: str | None) -> str:
    ran = subprocess.run(
        [sys.executable, "-m", "jupyterlab_xp", *argv],
        env=_env(home, tracking_uri),
        capture_output=True,
        text=True,
        timeout=300,
    )
    if ran.returncode != 0:
        raise XpError(ran.stderr.strip().splitlines()[-1].split(": ", 2)[-1] if ran.stderr else "")
    return ran.stdout.rstrip()
