"""What this machine really has, asked of the libraries directly (not of our code).

Tests use it so that they pass on a machine with a GPU as well as on one without.
"""

from __future__ import annotations

import pynvml


def nvml_gpu_count() -> int | None:
    """GPUs the real NVML sees, or None when NVML cannot start (no driver)."""
    try:
        pynvml.nvmlInit()
    except pynvml.NVMLError:
        return None
    try:
        return int(pynvml.nvmlDeviceGetCount())
    finally:
        pynvml.nvmlShutdown()


def torch_best_device() -> str:
    """What ``xp.device("auto")`` should choose here: cuda, then mps, then cpu."""
    import torch

    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    return "mps" if mps is not None and mps.is_available() else "cpu"
