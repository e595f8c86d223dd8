"""Recorder cost per cell: the hooks alone (in process), and cells through a real kernel.

Budget (DESIGN.md): p50 <= 0.3 ms and p99 <= 5 ms per cell, journal write included; through a
real kernel, <= 5 % in steady state and <= 10 % for the first cells right after ``%xp start``,
on an idle machine and with one busy process per CPU (started and ended here), on trivial cells
and on cells that compute. Recorder on and off run interleaved (off first in even rounds, on
first in odd ones, so a drift in the machine's load favours neither), and each row's overhead is
the median of the rounds' own on/off ratios, printed with their quartiles and range: on a loaded
machine one round's ratio can be far off, and the range shows how far. The first cells get more
rounds (short sessions of their own beside the full ones), and every session ends with its sync
process, so none runs beside the next one's cells.

Wall time on a loaded machine mostly measures the scheduler. The CPU rows do not: the CPU time
the kernel process spent per cell, recorder on and off, and what the run's sync process (the
kernel's child, niced) spent per cell beside it. The paired rows measure the steady state a
second way, which a machine's drifting load blurs less: two settled kernels, one recording,
take turns in blocks of a few seconds, and the overhead is the median of the pairs' ratios.

``python benchmarks/bench_cells.py [hooks] [inproc] [sessions] [paired] [--idle-only |
--busy-only]`` runs a part; ``inproc`` is IPython's own ``run_cell`` in one process, the hooks
on and off in turn.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from functools import partial
from types import SimpleNamespace
from typing import NamedTuple, TypeVar

import psutil

from _common import BenchKernel, fresh_home, header, line, median, percentile

T = TypeVar("T")
ROUNDS = {False: 3, True: 5}  # idle, busy: more rounds where the noise is
# The first cells take a second or two, and one round's ratio can be far off either way on a
# shared machine (a disk flush or another process at the wrong moment): they get more rounds,
# in short sessions of their own besides the full ones.
FIRST_ROUNDS = {False: 11, True: 11}
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


class Session(NamedTuple):
    """One kernel's figures: wall ms for the first and the steady cells, CPU ms in steady state."""

    first_ms: float
    steady_ms: float
    kernel_cpu_ms: float  # the kernel process
    sync_cpu_ms: float  # its children: the run's sync process (0 with the recorder off)


def _cpu_ms(proc: psutil.Process) -> float:
    times = proc.cpu_times()
    return (times.user + times.system) * 1000


def _children_cpu_ms(proc: psutil.Process) -> float:
    total = 0.0
    for child in proc.children(recursive=True):
        with contextlib.suppress(psutil.Error):  # one that ended meanwhile
            total += _cpu_ms(child)
    return total


def _started_kernel(recording: bool, workload: str) -> tuple[BenchKernel, psutil.Process]:
    """A fresh kernel with the extension loaded and the workload's setup run, recording or not."""
    setup = WORKLOADS[workload][0]
    env = {"XP_HOME": str(fresh_home()), "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    kernel = BenchKernel(env)
    try:
        kernel.run("%load_ext jupyterlab_xp")
        if setup:
            kernel.run(setup)
        if recording:
            kernel.run("%xp start bench-kernel --seed 1")
    except BaseException:
        kernel.close()
        raise
    return kernel, psutil.Process(kernel.km.provisioner.pid)  # type: ignore[union-attr]


def _cells(kernel: BenchKernel, template: str, n: int) -> float:
    """Wall milliseconds for ``n`` cells of ``template`` through ``kernel``."""
    start = time.perf_counter()
    for i in range(n):
        kernel.run(template.format(i=i))
    return (time.perf_counter() - start) * 1000


def _closed(kernel: BenchKernel, proc: psutil.Process, recording: bool) -> None:
    """Stop the run, shut the kernel down, and wait for its sync process to end: a sync process
    still finishing must not run beside the next session's cells."""
    try:
        children = proc.children(recursive=True)
        if recording:
            kernel.run("%xp stop")
    finally:
        kernel.close()
    psutil.wait_procs(children, timeout=60)


def session(recording: bool, workload: str) -> Session:
    """The first cells right after ``%xp start``, then (after a settle) the steady ones."""
    _, template, first, steady = WORKLOADS[workload]
    kernel, proc = _started_kernel(recording, workload)
    try:
        first_ms = _cells(kernel, template, first)
        time.sleep(SETTLE_SECONDS)
        cpu0, sync0 = _cpu_ms(proc), _children_cpu_ms(proc)
        steady_ms = _cells(kernel, template, steady)
        cpu = _cpu_ms(proc) - cpu0
        sync = max(0.0, _children_cpu_ms(proc) - sync0)
        return Session(first_ms, steady_ms, cpu, sync)
    finally:
        _closed(kernel, proc, recording)


def first_cells(recording: bool, workload: str) -> float:
    """A short session: only the first cells right after ``%xp start`` (or none), wall ms."""
    _, template, first, _ = WORKLOADS[workload]
    kernel, proc = _started_kernel(recording, workload)
    try:
        return _cells(kernel, template, first)
    finally:
        _closed(kernel, proc, recording)


def _overhead_row(label: str, on: list[float], off: list[float], budget: float) -> None:
    ratios = sorted(a / b for a, b in zip(on, off, strict=True))
    n = len(ratios)
    low, high = 100 * (ratios[n // 4] - 1), 100 * (ratios[(3 * n) // 4] - 1)
    line(label, median(on), median(off), "recorder off", budget=f"<= {budget:.2f} x")
    print(
        f"   overhead {100 * (median(ratios) - 1):+.1f} % (median of {n} rounds' ratios; "
        f"quartiles {low:+.1f} % .. {high:+.1f} %, "
        f"range {100 * (ratios[0] - 1):+.1f} % .. {100 * (ratios[-1] - 1):+.1f} %)",
        flush=True,
    )


def _interleaved(rounds: int, measure: Callable[[bool], T]) -> tuple[list[T], list[T]]:
    """``measure(recording)`` for ``rounds`` rounds, recorder on and off, the order flipped each
    round (the load drifts over a run): the (on, off) results."""
    on: list[T] = []
    off: list[T] = []
    for round_ in range(rounds):
        for recording in (False, True) if round_ % 2 == 0 else (True, False):
            (on if recording else off).append(measure(recording))
    return on, off


def through_kernel(loads: tuple[bool, ...] = (False, True)) -> None:
    """Every row: idle and busy, trivial and compute, first cells and steady state."""
    for busy in loads:
        where = f"{os.cpu_count()} busy processes" if busy else "idle"
        for workload, (_, _, first, steady) in WORKLOADS.items():
            with load(busy):
                on, off = _interleaved(ROUNDS[busy], partial(session, workload=workload))
                first_on, first_off = _interleaved(
                    FIRST_ROUNDS[busy], partial(first_cells, workload=workload)
                )
            _overhead_row(
                f"{where}, {first} {workload} cells, first",
                [s.first_ms for s in on] + first_on,
                [s.first_ms for s in off] + first_off,
                1.10,
            )
            _overhead_row(
                f"{where}, {steady} {workload} cells, steady",
                [s.steady_ms for s in on],
                [s.steady_ms for s in off],
                1.05,
            )
            line(
                f"{where}, {workload}: kernel CPU per cell",
                median([s.kernel_cpu_ms / steady for s in on]),
                median([s.kernel_cpu_ms / steady for s in off]),
                "recorder off",
            )
            sync = median([s.sync_cpu_ms / steady for s in on])
            print(f"   sync process CPU per cell {sync:.3f} ms (niced, outside the kernel)")


BLOCKS = {False: 12, True: 24}  # pairs of blocks per steady row, idle and busy (noisier)
BLOCK_CELLS = {"trivial": 400, "compute": 60}  # a few seconds each: far more than the linger


def paired_blocks(busy: bool) -> None:
    """Steady state as paired blocks: two settled kernels, one recording, take turns.

    Sessions run one after the other see different moments of a machine's load; here the two
    kernels run alternate blocks of a few seconds (the order flipped each pair), so each pair
    sees the same load and the median of the pairs' ratios is the recorder's. The recording
    kernel's sync process idles during the other's blocks (its last batch of a block lands
    within the 2 s linger, a commit of a few milliseconds against blocks of seconds).
    """
    where = f"{os.cpu_count()} busy processes" if busy else "idle"
    for workload, (_, template, first, _) in WORKLOADS.items():
        with load(busy):
            on, on_proc = _started_kernel(True, workload)
            off, off_proc = _started_kernel(False, workload)
            try:
                n = BLOCK_CELLS[workload]
                for kernel in (on, off):  # past the first cells, then settled
                    _cells(kernel, template, first)
                time.sleep(SETTLE_SECONDS)
                walls: dict[bool, list[float]] = {True: [], False: []}
                cpu = {True: _cpu_ms(on_proc), False: _cpu_ms(off_proc)}
                for block in range(BLOCKS[busy]):
                    for recording in (True, False) if block % 2 == 0 else (False, True):
                        walls[recording].append(_cells(on if recording else off, template, n))
                cpu = {True: _cpu_ms(on_proc) - cpu[True], False: _cpu_ms(off_proc) - cpu[False]}
            finally:
                _closed(on, on_proc, True)
                _closed(off, off_proc, False)
        ratios = sorted(a / b for a, b in zip(walls[True], walls[False], strict=True))
        pairs = len(ratios)
        line(
            f"{where}, {pairs}x{n} {workload} cells, paired",
            sum(walls[True]),
            sum(walls[False]),
            "recorder off",
            budget="<= 1.05 x",
        )
        print(
            f"   overhead {100 * (median(ratios) - 1):+.1f} % (median of {pairs} pairs' ratios;"
            f" quartiles {100 * (ratios[pairs // 4] - 1):+.1f} % .. "
            f"{100 * (ratios[(3 * pairs) // 4] - 1):+.1f} %); kernel CPU per cell "
            f"{cpu[True] / (pairs * n):.3f} vs {cpu[False] / (pairs * n):.3f} ms",
            flush=True,
        )


INPROC_BLOCKS = 12  # pairs of blocks of IPython's run_cell in process, hooks on and off
INPROC_CELLS = 1000


def in_process() -> None:
    """IPython's own ``run_cell`` in one process, the recorder's hooks on and off in turn.

    The kernel's cell path without its messaging: a real ``InteractiveShell`` whose history is
    on disk (a profile of its own, so its history writer commits to a file as a kernel's does)
    and a real run with its sync process. The hooks are unregistered for the "off" blocks of
    each pair, so both see the same process, history file and moment. Cells follow each other
    with no gap, the worst case for the history writer's lock (a kernel has a round trip
    between cells in which that writer's commit usually ends).
    """
    with tempfile.TemporaryDirectory(prefix="xp-bench-ipython-") as profile:
        env = {**os.environ, "IPYTHONDIR": profile, "XP_HOME": str(fresh_home())}
        out = subprocess.run(
            [sys.executable, __file__, "--in-process-child"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    walls, cpus = json.loads(out.strip().splitlines()[-1])
    for label in ("on", "off"):
        walls[label] = [w * 1000 / INPROC_CELLS for w in walls[label]]
        cpus[label] = [c * 1000 / INPROC_CELLS for c in cpus[label]]
    ratios = sorted(a / b for a, b in zip(walls["on"], walls["off"], strict=True))
    pairs = len(ratios)
    line(
        f"in process, {pairs}x{INPROC_CELLS} run_cell, paired",
        median(walls["on"]),
        median(walls["off"]),
        "hooks off",
    )
    print(
        f"   +{median(walls['on']) - median(walls['off']):.3f} ms per cell (quartiles of the "
        f"ratios {ratios[pairs // 4]:.2f} .. {ratios[(3 * pairs) // 4]:.2f}); main thread CPU "
        f"{median(cpus['on']):.3f} vs {median(cpus['off']):.3f} ms per cell",
        flush=True,
    )


def _in_process_child() -> None:
    from IPython.core.interactiveshell import InteractiveShell

    from jupyterlab_xp.kernel.recorder import get_recorder

    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "jupyterlab_xp")
    shell.run_cell("%xp start bench-in-process --seed 1")
    recorder = get_recorder()
    recorder.active.wait_run_id(120)  # type: ignore[union-attr]
    time.sleep(SETTLE_SECONDS)
    hooks = (("pre_run_cell", recorder.pre_run_cell), ("post_run_cell", recorder.post_run_cell))
    walls: dict[str, list[float]] = {"on": [], "off": []}
    cpus: dict[str, list[float]] = {"on": [], "off": []}
    for block in range(INPROC_BLOCKS):
        for label in ("on", "off") if block % 2 == 0 else ("off", "on"):
            if label == "off":
                for event, hook in hooks:
                    shell.events.unregister(event, hook)
            cpu, wall = time.thread_time(), time.perf_counter()
            for i in range(INPROC_CELLS):
                shell.run_cell(f"x = {i}", store_history=True)
            walls[label].append(time.perf_counter() - wall)
            cpus[label].append(time.thread_time() - cpu)
            if label == "off":
                for event, hook in hooks:
                    shell.events.register(event, hook)
    shell.run_cell("%xp stop")
    print(json.dumps([walls, cpus]), flush=True)


PARTS = ("hooks", "inproc", "sessions", "paired")


def main(argv: list[str]) -> None:
    """``bench_cells.py [PART ...] [--idle-only | --busy-only]``: PART among hooks, inproc,
    sessions, paired (all)."""
    parts = [a for a in argv if a in PARTS] or list(PARTS)  # (run_all passes its own names)
    loads = (
        (False,) if "--idle-only" in argv else (True,) if "--busy-only" in argv else (False, True)
    )
    header("recorder cost per cell")
    if "hooks" in parts:
        ours, base = hooks_in_process()
        line(
            "hooks p50 (journal line)",
            percentile(ours, 50),
            percentile(base, 50),
            "no-op callbacks",
            budget="<= 0.3 ms",
        )
        line(
            "hooks p99",
            percentile(ours, 99),
            percentile(base, 99),
            "no-op callbacks",
            budget="<= 5 ms",
        )
    if "inproc" in parts:
        in_process()
    if "sessions" in parts:
        through_kernel(loads)
    if "paired" in parts:
        for busy in loads:
            paired_blocks(busy)


if __name__ == "__main__":
    if sys.argv[1:] == ["--in-process-child"]:
        _in_process_child()
    else:
        main(sys.argv[1:])
