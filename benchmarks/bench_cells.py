"""Recorder cost per cell: the hooks alone (in process), and cells through a real kernel.

Budget (DESIGN.md): p50 <= 0.3 ms and p99 <= 5 ms per cell, journal write included; through a
real kernel, <= 5 % in steady state and <= 10 % for the first cells right after ``%xp start``,
on an idle machine and with one busy process per CPU (started and ended here), on trivial cells
and on cells that compute. Recorder on and off run interleaved, 3 rounds, median; each figure
is printed beside its baseline from the same run.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from types import SimpleNamespace

from _common import BenchKernel, fresh_home, header, line, median, percentile

ROUNDS = 3
SETTLE_SECONDS = 10.0  # between the first cells and the steady ones (the same with it off)
WORKLOADS = {
    # name: (setup, cell template, first cells, steady cells)
    "trivial": ("", "x = {i}", 300, 1000),
    "compute": (
        "import numpy as np\nrng = np.random.default_rng(0)\n"
        "a = rng.random((300, 300))\nb = rng.random((300, 300))",
        "c = a\nfor _ in range(4):\n    c = (c @ b) / 300.0\ns = float(c.sum()) + {i}",
        30,
        150,
    ),
}


def hooks_in_process(n: int = 5000) -> tuple[list[float], list[float]]:
    """Time pre_run_cell + post_run_cell with a run active, against two empty callbacks."""
    os.environ["XP_HOME"] = str(fresh_home())
    from jupyterlab_xp.kernel.recorder import reset_recorder

    recorder = reset_recorder()
    recorder.shell = SimpleNamespace(execution_count=1)  # as in a kernel: a sync process
    run = recorder.start("bench-hooks", seed=1)
    run.wait_run_id(120)  # the steady state: the sync process has created the run
    info = SimpleNamespace(raw_cell="x = 1\ny = x + 1\n", cell_id="abc")
    result = SimpleNamespace(execution_count=1, error_before_exec=None, error_in_exec=None)
    ours, base = [], []
    for _ in range(n):
        t0 = time.perf_counter()
        recorder.pre_run_cell(info)
        recorder.post_run_cell(result)
        ours.append((time.perf_counter() - t0) * 1000)
    calls: list[object] = []
    for _ in range(n):
        t0 = time.perf_counter()
        calls.append(info)  # what a do-nothing callback pair costs
        calls.append(result)
        base.append((time.perf_counter() - t0) * 1000)
    recorder.stop()
    return ours, base


@contextlib.contextmanager
def load(busy: bool) -> Iterator[None]:
    """One busy-looping process per CPU while the block runs (none when ``busy`` is False)."""
    procs = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"])
        for _ in range((os.cpu_count() or 1) if busy else 0)
    ]
    try:
        yield
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


def session(recording: bool, workload: str) -> tuple[float, float]:
    """Milliseconds for the first cells right after ``%xp start``, then for the steady ones."""
    setup, template, first, steady = WORKLOADS[workload]
    env = {"XP_HOME": str(fresh_home()), "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    kernel = BenchKernel(env)
    try:
        kernel.run("%load_ext jupyterlab_xp")
        if setup:
            kernel.run(setup)
        if recording:
            kernel.run("%xp start bench-kernel --seed 1")
        start = time.perf_counter()
        for i in range(first):
            kernel.run(template.format(i=i))
        first_ms = (time.perf_counter() - start) * 1000
        time.sleep(SETTLE_SECONDS)
        start = time.perf_counter()
        for i in range(steady):
            kernel.run(template.format(i=i))
        steady_ms = (time.perf_counter() - start) * 1000
        if recording:
            kernel.run("%xp stop")
        return first_ms, steady_ms
    finally:
        kernel.close()


def through_kernel() -> None:
    """Every row: idle and busy, trivial and compute, first cells and steady state."""
    for busy in (False, True):
        where = f"{os.cpu_count()} busy processes" if busy else "idle"
        for workload, (_, _, first, steady) in WORKLOADS.items():
            off: list[tuple[float, float]] = []
            on: list[tuple[float, float]] = []
            with load(busy):
                for _ in range(ROUNDS):  # interleaved: the machine's noise drifts over a run
                    off.append(session(False, workload))
                    on.append(session(True, workload))
            for index, (phase, cells, budget) in enumerate(
                (("first", first, 1.10), ("steady", steady, 1.05))
            ):
                ours = median([r[index] for r in on])
                base = median([r[index] for r in off])
                line(
                    f"{where}, {cells} {workload} cells, {phase}",
                    ours,
                    base,
                    "recorder off",
                    budget=f"<= {budget:.2f} x",
                )
                print(f"   overhead {100 * (ours / base - 1):+.1f} %", flush=True)


def main() -> None:
    header("recorder cost per cell")
    ours, base = hooks_in_process()
    line(
        "hooks p50 (journal line)",
        percentile(ours, 50),
        percentile(base, 50),
        "no-op callbacks",
        budget="<= 0.3 ms",
    )
    line(
        "hooks p99", percentile(ours, 99), percentile(base, 99), "no-op callbacks", budget="<= 5 ms"
    )
    through_kernel()


if __name__ == "__main__":
    main()
