"""How many workers a sweep runs on this machine, and which GPU each one sees.

Default: one worker per visible GPU, each with its own ``CUDA_VISIBLE_DEVICES``; without a GPU,
one per CPU. Asked for N workers with G GPUs, worker i sees GPU ``i mod G``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from jupyterlab_xp.core.errors import XpError

MAX_WORKERS = 64


def visible_gpus(environ: dict[str, str] | None = None, nvml: Any = None) -> list[str]:
    """The GPU ids this process may use: ``CUDA_VISIBLE_DEVICES`` when set, else NVML's count."""
    env = os.environ if environ is None else environ
    given = env.get("CUDA_VISIBLE_DEVICES")
    if given is not None:
        ids = [part.strip() for part in given.split(",") if part.strip()]
        return [] if ids in (["-1"], ["none"], ["NoDevFiles"]) else ids
    from jupyterlab_xp.capture.hardware import gpus_via_nvml

    gpus, _ = gpus_via_nvml(nvml)
    return [str(index) for index in range(len(gpus))]


def worker_envs(
    requested: int | None, gpus: Sequence[str], cpus: int | None = None
) -> list[dict[str, str]]:
    """One environment overlay per worker (empty without GPUs).

    Args:
        requested: ``--workers`` (None: one per GPU, else one per CPU).
        gpus: the visible GPU ids (:func:`visible_gpus`).
        cpus: the CPU count (default ``os.cpu_count()``).
    """
    count = (len(gpus) or cpus or os.cpu_count() or 1) if requested is None else requested
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_WORKERS:
        raise XpError(f"--workers must be 1 to {MAX_WORKERS}, got {count!r}")
    if not gpus:
        return [{} for _ in range(count)]
    return [{"CUDA_VISIBLE_DEVICES": gpus[i % len(gpus)]} for i in range(count)]
