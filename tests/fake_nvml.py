"""A fake ``pynvml`` module: two GPUs, NVML's call shapes, and a switch to fail mid-run.

This machine has no GPU (real NVML raises NVMLError_LibraryNotFound), so the GPU path is proven
against this stand-in; every function mirrors the nvidia-ml-py signature the code uses.
"""

from __future__ import annotations

from types import ModuleType, SimpleNamespace
from typing import Any


class NVMLError(Exception):
    """Base class, as in pynvml."""


class NVMLError_GpuIsLost(NVMLError):
    """A GPU fell off the bus."""


def make_fake_nvml(fail_after_samples: int | None = None) -> ModuleType:
    """A module object shaped like ``pynvml`` with two fake A100s.

    Args:
        fail_after_samples: raise NVMLError_GpuIsLost from utilisation reads after this many.
    """
    fake = ModuleType("pynvml")
    state: dict[str, Any] = {"init": 0, "shutdown": 0, "reads": 0}
    gpus = [
        {
            "name": b"NVIDIA A100-SXM4-40GB",
            "uuid": "GPU-0000",
            "total": 40 * 2**30,
            "used": 3 * 2**30,
            "util": 57,
            "mem_util": 31,  # NVML's memory rate: the share of time its memory was read or written
        },
        {
            "name": "NVIDIA A100-SXM4-40GB",
            "uuid": "GPU-0001",
            "total": 40 * 2**30,
            "used": 1 * 2**30,
            "util": 12,
            "mem_util": 4,
        },
    ]

    def nvmlInit() -> None:
        state["init"] += 1

    def nvmlShutdown() -> None:
        state["shutdown"] += 1

    def nvmlDeviceGetUtilizationRates(handle: int) -> Any:
        state["reads"] += 1
        if fail_after_samples is not None and state["reads"] > fail_after_samples:
            raise NVMLError_GpuIsLost("GPU is lost")
        return SimpleNamespace(gpu=gpus[handle]["util"], memory=gpus[handle]["mem_util"])

    fake.NVMLError = NVMLError  # type: ignore[attr-defined]
    fake.NVMLError_GpuIsLost = NVMLError_GpuIsLost  # type: ignore[attr-defined]
    fake.state = state  # type: ignore[attr-defined]
    fake.nvmlInit = nvmlInit  # type: ignore[attr-defined]
    fake.nvmlShutdown = nvmlShutdown  # type: ignore[attr-defined]
    fake.nvmlSystemGetDriverVersion = lambda: "550.54.15"  # type: ignore[attr-defined]
    fake.nvmlSystemGetCudaDriverVersion = lambda: 12040  # type: ignore[attr-defined]
    fake.nvmlDeviceGetCount = lambda: len(gpus)  # type: ignore[attr-defined]
    fake.nvmlDeviceGetHandleByIndex = lambda i: i  # type: ignore[attr-defined]
    fake.nvmlDeviceGetName = lambda h: gpus[h]["name"]  # type: ignore[attr-defined]
    fake.nvmlDeviceGetUUID = lambda h: gpus[h]["uuid"]  # type: ignore[attr-defined]
    fake.nvmlDeviceGetMemoryInfo = lambda h: SimpleNamespace(  # type: ignore[attr-defined]
        total=gpus[h]["total"], used=gpus[h]["used"], free=gpus[h]["total"] - gpus[h]["used"]
    )
    fake.nvmlDeviceGetUtilizationRates = nvmlDeviceGetUtilizationRates  # type: ignore[attr-defined]
    return fake
