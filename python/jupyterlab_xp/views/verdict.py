"""Where a cell's time went: data-bound, compute-bound, memory-bound or idle, and the figure.

Judged from the readings a cell's entry in ``xp/cells.jsonl`` holds (``duration``, the
``loader_wait`` and ``busy`` seconds the kernel measured, ``peak_rss_mb``, and what the run's
sync process read over the cell: the machine's swap-in rate, and the GPU readings when there are
GPUs), with the machine's memory from ``hardware.json``. The order is the one a person would
check: a cell that waited on its loader half the time is data-bound whatever else it did; memory
near capacity, swapping or a GPU's memory bandwidth in use most of the time comes next (the
machine then pages, the device runs out, or its kernels wait on memory); then a CPU or GPU kept
busy; anything else waited on
something outside (sleep, I/O, a lock, the network) and is idle.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

DATA_BOUND = "data-bound"
COMPUTE_BOUND = "compute-bound"
MEMORY_BOUND = "memory-bound"
IDLE = "idle"

MIN_SECONDS = 1.0  # shorter cells are the notebook's bookkeeping: no verdict
LOADER_SHARE = 0.5  # waited on the data loader at least this share of the cell
BUSY_SHARE = 0.5  # the kernel thread on a CPU (or queued for one) at least this share
GPU_BUSY_PERCENT = 50.0  # a GPU's mean utilisation over the cell
# A GPU's memory read or written at least this share of the cell (NVML's memory rate: its
# bandwidth, not its capacity): its kernels wait on memory more than on arithmetic.
GPU_MEMORY_BUSY_PERCENT = 70.0
MEMORY_SHARE = 0.9  # peak memory at least this share of the machine's or the device's
# The machine paged back in at least this many MiB a second over the cell: its working set no
# longer fits, and a cell that swaps is waiting on the disk whatever its CPU share says.
SWAP_IN_MB_PER_S = 5.0


def cell_verdict(
    cell: Mapping[str, Any], memory_total_mb: float | None = None
) -> dict[str, Any] | None:
    """The verdict of one cell, or None when it cannot be judged (short, unfinished, old).

    Args:
        cell: a ``cells.jsonl`` entry.
        memory_total_mb: the machine's memory (hardware.json), for memory-bound.

    Returns:
        ``{"verdict", "because", "seconds"}``: ``because`` names the figure that decided it.
    """
    duration = _number(cell.get("duration"))
    if duration is None or duration < MIN_SECONDS:
        return None
    waited = _number(cell.get("loader_wait"))
    busy = _number(cell.get("busy"))
    peak = _number(cell.get("peak_rss_mb"))
    gpu_reading = _number(cell.get("gpu_utilization_percent"))
    gpu_busy = gpu_reading or 0.0
    gpu_bandwidth = _number(cell.get("gpu_memory_busy_percent")) or 0.0
    gpu_full = _number(cell.get("gpu_memory_share")) or 0.0
    swap_in = _number(cell.get("swap_in_mb_per_s")) or 0.0
    if waited is None and busy is None:
        return None  # recorded before these readings existed
    verdict, because = IDLE, _idle_because(busy, duration)
    if waited is not None and waited / duration >= LOADER_SHARE:
        verdict, because = DATA_BOUND, f"waited on the data loader {_pct(waited / duration)}"
        if gpu_reading is not None:  # what the wait cost: the GPU had nothing to do
            because += f", GPU idle {_percent(1 - min(gpu_busy, 100.0) / 100)}"
    elif memory_total_mb and peak is not None and peak / memory_total_mb >= MEMORY_SHARE:
        verdict = MEMORY_BOUND
        because = f"peak memory {_percent(peak / memory_total_mb)} of the machine's"
    elif swap_in >= SWAP_IN_MB_PER_S:
        verdict, because = MEMORY_BOUND, f"swapped in {swap_in:.0f} MiB/s"
    elif gpu_full >= MEMORY_SHARE:
        verdict, because = MEMORY_BOUND, f"GPU memory {_percent(gpu_full)} full"
    elif gpu_bandwidth >= GPU_MEMORY_BUSY_PERCENT:
        verdict = MEMORY_BOUND
        because = f"GPU memory bandwidth in use {_percent(gpu_bandwidth / 100)} of the cell"
    elif gpu_busy >= GPU_BUSY_PERCENT:
        verdict, because = COMPUTE_BOUND, f"GPU busy {_percent(gpu_busy / 100)} of the cell"
    elif busy is not None and busy / duration >= BUSY_SHARE:
        verdict, because = COMPUTE_BOUND, f"CPU busy {_pct(busy / duration)}"
    return {"verdict": verdict, "because": because, "seconds": duration}


def memory_total_mb(hardware: Mapping[str, Any] | None) -> float | None:
    """The machine's memory in MiB from ``hardware.json`` (None when it does not say)."""
    memory = ((hardware or {}).get("memory") or {}).get("total")
    total = _number(memory)
    return total / 2**20 if total is not None and total > 0 else None


def with_verdicts(
    cells: Iterable[Mapping[str, Any]], hardware: Mapping[str, Any] | None
) -> list[dict[str, Any]]:
    """The cells with ``verdict`` and ``verdict_because`` (None for a cell not judged), as the
    run detail shows them in its cell timeline."""
    total_mb = memory_total_mb(hardware)
    out = []
    for cell in cells:
        one = cell_verdict(cell, total_mb)
        out.append(
            {
                **cell,
                "verdict": one["verdict"] if one else None,
                "verdict_because": one["because"] if one else None,
            }
        )
    return out


def run_verdict(judged: Iterable[Mapping[str, Any] | None]) -> dict[str, Any] | None:
    """The run's verdict: the one that holds for most of its judged cells' time.

    Returns:
        ``{"verdict", "share", "seconds"}`` (share of the judged time), or None when no cell
        was judged.
    """
    seconds: dict[str, float] = {}
    for one in judged:
        if one is not None:
            seconds[one["verdict"]] = seconds.get(one["verdict"], 0.0) + one["seconds"]
    if not seconds:
        return None
    verdict = max(sorted(seconds), key=lambda name: seconds[name])  # ties: alphabetical
    total = sum(seconds.values())
    return {"verdict": verdict, "share": seconds[verdict] / total, "seconds": seconds}


def timeline_verdict(cells: Iterable[Mapping[str, Any]]) -> dict[str, Any] | None:
    """The run's verdict from cells :func:`with_verdicts` judged (their duration is the time)."""
    return run_verdict(
        {"verdict": c["verdict"], "seconds": c["duration"]} for c in cells if c.get("verdict")
    )


def _idle_because(busy: float | None, duration: float) -> str:
    if busy is None:
        return "no loader wait, and no CPU reading on this platform"
    return f"CPU busy only {_pct(busy / duration)}, no loader wait"


def _pct(share: float) -> str:
    return f"{_percent(share)} of the cell"


def _percent(share: float) -> str:
    return f"{100 * min(share, 1.0):.0f} %"


def _number(value: Any) -> float | None:
    # cells.jsonl comes from the store: a value that is not a number is no reading
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)
