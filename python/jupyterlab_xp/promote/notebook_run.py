"""Papermill's run of a promotion's notebook, in a process of its own beside the job's.

``python -m jupyterlab_xp.promote.notebook_run ARGS.json RESULT.json``, started by
:mod:`jupyterlab_xp.promote.job` with the kernel's environment (papermill's kernel inherits it).
The job imports MLflow and opens the store while the notebook runs: in one process the two
shared one interpreter lock, and papermill's loop, which passes every message between the
kernel and the notebook, waited for MLflow's import (0.4-0.5 s more for a short notebook,
measured on 2 CPUs). Here each has its own.

``ARGS.json``: the notebook and where its executed copy goes, the parameters (their Python
text), the kernel's name, the folder to run in, the cell timeout and the job's process id (this
process ends with it). ``RESULT.json``: what
papermill's run raised, if anything, for the job to judge (see ``Job._execute``). SIGTERM (the
job passing on a cancel) unwinds papermill as Ctrl-C would and stops the kernel.
"""

from __future__ import annotations

import ast
import json
import os
import signal
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from types import FrameType
from typing import Any

ADDED = "added by promote"  # the origin (label) of the cells promote adds: start, shims, stop
# The cells promote adds are not the user's: their per-cell timeout is for the notebook's own
# cells. Under load %xp start imports and seeds for seconds, and a 3 s timeout would fail the
# promotion before its first cell, with no cell to name and no run.
ADDED_CELL_TIMEOUT = 600.0
KERNEL_START_ATTEMPTS = 3
KERNEL_DIED_AT_START = "Kernel died before replying to kernel_info"  # jupyter_client's words


class Cancelled(BaseException):
    """SIGTERM from ``cancel``: unwinds papermill (or the job's wait) like Ctrl-C would."""


def on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise Cancelled()


def cell_timeout(timeout: float) -> Callable[[Mapping[str, Any]], float]:
    """nbclient's ``timeout_func``: ``timeout`` for the notebook's cells, at least
    :data:`ADDED_CELL_TIMEOUT` for the cells promote adds (their origin names :data:`ADDED`)."""

    def of(cell: Mapping[str, Any]) -> float:
        added = ADDED in str((cell.get("metadata") or {}).get("xp", {}).get("origin"))
        return max(timeout, ADDED_CELL_TIMEOUT) if added else timeout

    return of


def run(args: dict[str, Any]) -> dict[str, Any]:
    """Papermill's run of ``args["notebook"]``: what it raised (``raised``: None, ``execution``
    with papermill's ``ename``/``evalue``/``exec_count``, ``cancelled``, or ``other`` with the
    exception's ``type`` and ``message``)."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    timeout = float(args["cell_timeout"])
    params = {k: ast.literal_eval(v) for k, v in args["params"].items()}
    try:
        for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
            try:
                papermill.execute_notebook(
                    args["notebook"],
                    args["output"],
                    parameters=params,
                    kernel_name=args["kernel_name"],
                    execution_timeout=timeout,
                    timeout_func=cell_timeout(timeout),
                    progress_bar=False,
                    cwd=args["cwd"],
                    start_timeout=120,
                )
                return {"raised": None}
            except RuntimeError as exc:
                # jupyter_client picks free ports, closes them and lets the kernel bind them; a
                # kernel starting at that moment elsewhere (another job's) can take one first
                # and this kernel dies at birth. No cell ran: start it again.
                if KERNEL_DIED_AT_START not in str(exc) or attempt == KERNEL_START_ATTEMPTS:
                    raise
                print(f"the kernel died while starting; attempt {attempt + 1}", flush=True)
    except PapermillExecutionError as exc:
        return {
            "raised": "execution",
            "ename": exc.ename,
            "evalue": exc.evalue,
            "exec_count": exc.exec_count,
        }
    except Cancelled:
        stop_children()
        return {"raised": "cancelled"}
    except Exception as exc:  # timeout, dead kernel, kernel that would not start
        return {"raised": "other", "type": type(exc).__name__, "message": str(exc).strip()}
    return {"raised": None}  # (not reached: the loop returns or raises)


def stop_children(grace: float = 0.0) -> None:
    """Stop this process's children (the kernel papermill started, in its own session).

    With ``grace``, first give them that long to exit by themselves (a kernel may be syncing
    its run).
    """
    import psutil

    children = psutil.Process().children(recursive=True)
    if grace:
        _, children = psutil.wait_procs(children, timeout=grace)
    for child in children:
        child.terminate()
    _, alive = psutil.wait_procs(children, timeout=5)
    for child in alive:
        child.kill()


def die_with(parent: int) -> None:
    """End this process (SIGKILL) when ``parent``, the job, ends: as when papermill ran inside
    the job, a job killed outright takes papermill with it, and its kernel, whose parent is
    gone, exits (ipykernel watches its parent): the run ends KILLED, nothing runs unattended."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        armed = libc.prctl(1, signal.SIGKILL, 0, 0, 0) == 0  # PR_SET_PDEATHSIG (Linux)
    except (OSError, AttributeError):
        armed = False
    if not armed:  # elsewhere: look every half second
        import threading

        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(0.5)
            os.kill(os.getpid(), signal.SIGKILL)

        threading.Thread(target=watch, name="xp-parent-watch", daemon=True).start()
    if os.getppid() != parent:  # it ended before the signal was armed
        os.kill(os.getpid(), signal.SIGKILL)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m jupyterlab_xp.promote.notebook_run ARGS.json RESULT.json")
        return 2
    # papermill -> nbformat -> jsonschema imports rfc3987-syntax, which builds an IRI grammar
    # at import (1-2 s here) for a string format no notebook schema uses. This process only
    # validates notebooks, so it goes without: jsonschema skips that format when it is absent.
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    signal.signal(signal.SIGTERM, on_sigterm)
    args = json.loads(Path(argv[0]).read_text())
    die_with(int(args["parent"]))
    try:
        result = run(args)
    except Cancelled:  # before papermill started
        result = {"raised": "cancelled"}
    Path(argv[1]).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stdout.flush()
    sys.exit(code)
