"""Recorder cost per cell: the hooks alone (in process), and 1,000 cells through a real kernel.

Budget (DESIGN.md): p50 <= 0.3 ms and p99 <= 5 ms per cell, journal write included; <= 5 % on a
1,000-cell trivial notebook driven through a real kernel.
"""

from __future__ import annotations

import os
import time
from types import SimpleNamespace

from _common import BenchKernel, fresh_home, header, line, median, percentile

CELLS = 1000


def hooks_in_process(n: int = 5000) -> tuple[list[float], list[float]]:
    """Time pre_run_cell + post_run_cell with a run active, against two empty callbacks."""
    os.environ["XP_HOME"] = str(fresh_home())
    from jupyterlab_xp.kernel.recorder import reset_recorder

    recorder = reset_recorder()
    recorder.shell = SimpleNamespace(execution_count=1)
    run = recorder.start("bench-hooks", seed=1)
    # Measure the steady state: once the sync thread has imported MLflow and created the run.
    run.wait_run_id(120)
    recorder.worker.flush(run.sync, 120)
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


def through_kernel(recording: bool) -> float:
    """Milliseconds for CELLS trivial cells through a real kernel."""
    kernel = BenchKernel({"XP_HOME": str(fresh_home())})
    try:
        kernel.run("%load_ext jupyterlab_xp")
        if recording:
            kernel.run("%xp start bench-kernel --seed 1")
            time.sleep(3)  # let the background thread import MLflow and create the run first
        start = time.perf_counter()
        for i in range(CELLS):
            kernel.run(f"x = {i}")
        elapsed = (time.perf_counter() - start) * 1000
        if recording:
            kernel.run("%xp stop")
        return elapsed
    finally:
        kernel.close()


def main() -> None:
    header("recorder cost per cell")
    ours, base = hooks_in_process()
    line(
        "hooks p50 (journal + fdatasync)",
        percentile(ours, 50),
        percentile(base, 50),
        "no-op callbacks",
        budget="<= 0.3 ms",
    )
    line(
        "hooks p99", percentile(ours, 99), percentile(base, 99), "no-op callbacks", budget="<= 5 ms"
    )
    # Interleave on and off: the machine's noise drifts over a run, and alternating spreads it.
    off, on = [], []
    for _ in range(3):
        off.append(through_kernel(False))
        on.append(through_kernel(True))
    line(
        f"{CELLS} cells through a real kernel",
        median(on),
        median(off),
        "recorder off",
        budget="<= 1.05 x",
    )
    print(
        f"   per cell: {median(on) / CELLS:.3f} ms with recorder, {median(off) / CELLS:.3f} ms"
        f" without; overhead {100 * (median(on) / median(off) - 1):+.1f} %"
    )


if __name__ == "__main__":
    main()
