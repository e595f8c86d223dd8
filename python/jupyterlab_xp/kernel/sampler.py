"""System metrics sampled once a second in a daemon thread: CPU, memory, GPUs (NVML).

A recording kernel's sampler runs in its sync process and samples the kernel by its pid, so the
kernel itself runs no sampling thread.

Samples are averaged and handed to the recorder every ``report_every`` seconds as metrics
``system/*``; the running peak of resident memory serves the per-cell peak. The last hour of
GPU readings and of the machine's swap-in counter is kept too, for the readings of each cell
(:meth:`SystemSampler.cell_readings`). Only the GPUs ``CUDA_VISIBLE_DEVICES`` leaves the run
are sampled.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from types import ModuleType
from typing import Any

Report = Callable[[dict[str, float], int], None]
KEPT_SAMPLES = 3600  # GPU readings kept for the cells' readings: an hour at one a second


class SystemSampler:
    """Samples at ``interval`` seconds and reports averages every ``report_every`` samples."""

    def __init__(
        self,
        report: Report,
        interval: float = 1.0,
        report_every: int = 10,
        nvml: ModuleType | None = None,
        pid: int | None = None,
    ) -> None:
        self._pid = pid
        self._report = report
        self._nvml_module = nvml
        self._interval = interval
        self._report_every = report_every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="xp-sampler", daemon=True)
        self.peak_mb = 0.0
        self.last_rss_mb = 0.0  # the latest reading (0.0 before the first)
        # (time, busiest GPU's utilisation, fullest GPU's memory share, busiest GPU memory
        # bandwidth) per sample with GPUs; (time, bytes swapped in since boot) per sample
        self._gpu: deque[tuple[float, float, float, float]] = deque(maxlen=KEPT_SAMPLES)
        self._swap: deque[tuple[float, float]] = deque(maxlen=KEPT_SAMPLES)
        self._kept = threading.Lock()  # the sampling thread appends while a cell's end reads

    def start(self) -> None:
        """Start the sampling thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop sampling (returns at once; the thread ends within one interval)."""
        self._stop.set()

    def reset_peak(self) -> None:
        """Start a new peak-memory window (a cell starts)."""
        self.peak_mb = 0.0

    def cell_readings(self, start: float, end: float) -> dict[str, float]:
        """The machine over a cell (wall-clock ``start`` to ``end``): the swap-in rate, and of
        the GPUs the busiest one's mean utilisation and memory-bandwidth use and the fullest
        one's peak memory share; {} without samples in it."""
        out: dict[str, float] = {}
        # the sample just before the cell too: a swap-in rate needs two counts around it
        swapped = self._between(self._swap, start - self._interval, end)
        if len(swapped) >= 2 and swapped[-1][0] > swapped[0][0]:
            rate = (swapped[-1][1] - swapped[0][1]) / (swapped[-1][0] - swapped[0][0]) / 2**20
            out["swap_in_mb_per_s"] = round(max(rate, 0.0), 2)
        picked = [g[1:] for g in self._between(self._gpu, start, end)]
        if picked:
            out["gpu_utilization_percent"] = round(sum(g[0] for g in picked) / len(picked), 1)
            out["gpu_memory_share"] = round(max(g[1] for g in picked), 3)
            out["gpu_memory_busy_percent"] = round(sum(g[2] for g in picked) / len(picked), 1)
        return out

    def _between(self, kept: deque[Any], start: float, end: float) -> list[Any]:
        """The samples from ``start`` to ``end``, oldest first, read from the newest back.

        Every cell's end asks, and a cell is recent: walking the whole hour kept would cost a
        long session's sync process ~0.3 ms per cell.
        """
        found = []
        with self._kept:
            for sample in reversed(kept):
                if sample[0] < start:
                    break
                if sample[0] <= end:
                    found.append(sample)
        found.reverse()
        return found

    def _loop(self) -> None:
        nvml = None
        try:
            import psutil

            from jupyterlab_xp.capture.hardware import open_nvml

            process = psutil.Process(self._pid)
            process.cpu_percent(None)  # the first call only primes the counter
            nvml = open_nvml(self._nvml_module, os.environ.get("CUDA_VISIBLE_DEVICES"))
            sums: dict[str, float] = {}
            count = step = 0
            while not self._stop.wait(self._interval):
                sample = self._sample(process, nvml)
                self.last_rss_mb = sample.get("system/rss_mb", 0.0)
                self.peak_mb = max(self.peak_mb, self.last_rss_mb)
                for key, value in sample.items():
                    sums[key] = sums.get(key, 0.0) + value
                count += 1
                if count >= self._report_every:
                    self._report({k: round(v / count, 3) for k, v in sums.items()}, step)
                    sums, count, step = {}, 0, step + 1
        except Exception:  # noqa: S110 - a sampler must never disturb the kernel; it just stops
            pass
        finally:
            if nvml is not None:
                nvml.close()

    def _sample(self, process: Any, nvml: Any) -> dict[str, float]:
        import psutil

        with contextlib.suppress(Exception):  # no swap counters (not Linux, a container)
            swapped = float(psutil.swap_memory().sin)
            with self._kept:
                self._swap.append((time.time(), swapped))
        memory = process.memory_info()
        sample = {
            "system/cpu_percent": float(process.cpu_percent(None)),
            "system/rss_mb": memory.rss / 2**20,
        }
        gpus = nvml.sample() if nvml is not None else []
        for gpu in gpus:
            index = gpu["index"]
            sample[f"system/gpu{index}_utilization_percent"] = float(gpu["utilization_gpu"])
            sample[f"system/gpu{index}_memory_used_mb"] = gpu["memory_used"] / 2**20
            sample[f"system/gpu{index}_memory_busy_percent"] = float(gpu["utilization_memory"])
        if gpus:
            util = max(float(g["utilization_gpu"]) for g in gpus)
            share = max(
                g["memory_used"] / g["memory_total"] if g["memory_total"] else 0.0 for g in gpus
            )
            bandwidth = max(float(g["utilization_memory"]) for g in gpus)
            with self._kept:
                self._gpu.append((time.time(), util, share, bandwidth))
        return sample
