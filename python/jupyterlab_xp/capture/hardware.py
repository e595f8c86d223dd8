"""Hardware capture: CPU, memory, GPUs through NVML, torch's build, all without importing torch.

NVML comes from ``nvidia-ml-py`` (import name ``pynvml``). On a machine without an NVIDIA
driver ``nvmlInit`` raises (``NVMLError_LibraryNotFound``) in about a millisecond: that is the
normal no-GPU path, giving ``gpus == []`` and the reason in ``nvml_error``.
"""

from __future__ import annotations

import contextlib
import os
import platform
import re
import sys
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _text(value: Any) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def _load_nvml(nvml: ModuleType | None) -> ModuleType:
    if nvml is not None:
        return nvml
    import pynvml

    return pynvml  # type: ignore[no-any-return]


def gpus_via_nvml(nvml: ModuleType | None = None) -> tuple[list[dict[str, Any]], str | None]:
    """The GPUs NVML sees, and an error line when NVML is unavailable (no driver, no GPU)."""
    try:
        lib = _load_nvml(nvml)
        lib.nvmlInit()
    except Exception as exc:  # ImportError or any NVMLError: no usable NVML here
        return [], f"{type(exc).__name__}: {exc}".strip()
    gpus: list[dict[str, Any]] = []
    try:
        driver = _text(lib.nvmlSystemGetDriverVersion())
        cuda = lib.nvmlSystemGetCudaDriverVersion()
        cuda_text = f"{cuda // 1000}.{(cuda % 1000) // 10}" if isinstance(cuda, int) else None
        for index in range(lib.nvmlDeviceGetCount()):
            handle = lib.nvmlDeviceGetHandleByIndex(index)
            memory = lib.nvmlDeviceGetMemoryInfo(handle)
            gpus.append(
                {
                    "index": index,
                    "name": _text(lib.nvmlDeviceGetName(handle)),
                    "uuid": _text(lib.nvmlDeviceGetUUID(handle)),
                    "memory_total": int(memory.total),
                    "driver_version": driver,
                    "cuda_driver_version": cuda_text,
                }
            )
        return gpus, None
    except Exception as exc:
        return gpus, f"{type(exc).__name__}: {exc}".strip()
    finally:
        with contextlib.suppress(Exception):  # a half-initialised NVML may refuse to shut down
            lib.nvmlShutdown()


class NvmlSession:
    """An open NVML handle set for the sampler; ``sample()`` is cheap and never raises.

    ``indices`` are the NVML indices of ``handles`` (the GPUs the run can see), so that a
    reading of GPU 2 is named gpu2 whatever ``CUDA_VISIBLE_DEVICES`` left out before it."""

    def __init__(
        self, lib: ModuleType, handles: list[Any], indices: list[int] | None = None
    ) -> None:
        self._lib = lib
        self._handles = handles
        self._indices = indices if indices is not None else list(range(len(handles)))

    def sample(self) -> list[dict[str, Any]]:
        """Utilisation and memory-bandwidth use (percent of the time, NVML's ``gpu`` and
        ``memory`` rates) and memory (bytes) per GPU; [] once NVML fails."""
        out: list[dict[str, Any]] = []
        try:
            for index, handle in zip(self._indices, self._handles, strict=False):
                rates = self._lib.nvmlDeviceGetUtilizationRates(handle)
                memory = self._lib.nvmlDeviceGetMemoryInfo(handle)
                out.append(
                    {
                        "index": index,
                        "utilization_gpu": int(rates.gpu),
                        "utilization_memory": int(rates.memory),
                        "memory_used": int(memory.used),
                        "memory_total": int(memory.total),
                    }
                )
        except Exception:
            self._handles = []  # a GPU fell off the bus or the driver went away: stop asking
            return []
        return out

    def close(self) -> None:
        """Shut NVML down (idempotent)."""
        if self._handles is not None:
            with contextlib.suppress(Exception):  # nothing useful to do about a failed shutdown
                self._lib.nvmlShutdown()
            self._handles = []


def open_nvml(nvml: ModuleType | None = None, visible: str | None = None) -> NvmlSession | None:
    """An NVML session over the GPUs the run can use, or None without NVML or such GPUs.

    ``visible`` is ``CUDA_VISIBLE_DEVICES`` (None: unset, every GPU): NVML sees every GPU of
    the machine, and another job's GPU kept busy must not make this run's cells compute-bound."""
    try:
        lib = _load_nvml(nvml)
        lib.nvmlInit()
    except Exception:
        return None
    try:
        handles = [lib.nvmlDeviceGetHandleByIndex(i) for i in range(lib.nvmlDeviceGetCount())]
        uuids = [_text(lib.nvmlDeviceGetUUID(h)) for h in handles] if visible else []
    except Exception:
        handles, uuids = [], []
    indices = (
        visible_nvml_indices(visible, uuids) if visible is not None else list(range(len(handles)))
    )
    if not handles or not indices:
        with contextlib.suppress(Exception):  # see NvmlSession.close
            lib.nvmlShutdown()
        return None
    return NvmlSession(lib, [handles[i] for i in indices], indices)


def visible_nvml_indices(visible: str, uuids: list[str]) -> list[int]:
    """The NVML indices ``CUDA_VISIBLE_DEVICES`` names, in its order, as CUDA reads it.

    Entries are indices or (prefixes of) UUIDs, ``GPU-...``; CUDA stops at the first entry that
    names no device, and so does this. A MIG instance (``MIG-...``) has no NVML index of its own
    here: it ends the list too, so a MIG run's GPU readings are left out rather than guessed.
    """
    found: list[int] = []
    for entry in (e.strip() for e in visible.split(",")):
        if entry.isdigit():
            index = int(entry)
            if index >= len(uuids):
                break
        elif entry.startswith("GPU-"):
            matches = [i for i, u in enumerate(uuids) if u.startswith(entry)]
            if len(matches) != 1:
                break
            index = matches[0]
        else:
            break
        if index in found:
            break
        found.append(index)
    return found


def torch_build_info() -> dict[str, Any]:
    """torch's version and CUDA/HIP build, read from its files: importing torch costs seconds."""
    try:
        dist = metadata.distribution("torch")
    except metadata.PackageNotFoundError:
        return {}
    info: dict[str, Any] = {"version": dist.version}
    # Where an ordinary install puts it, beside the distribution's metadata: listing the
    # distribution's files instead parses torch's RECORD of 15,000 lines (0.2 s of CPU, on
    # the kernel's capture thread while the first cells run).
    version_file: Any = None
    with contextlib.suppress(Exception):  # a finder of its own may not locate files
        located = Path(str(dist.locate_file("torch/version.py")))
        version_file = located if located.is_file() else None
    if version_file is None:  # another layout (an editable install): its file list says where
        version_file = next((f for f in dist.files or [] if str(f) == "torch/version.py"), None)
    if version_file is None:
        return info
    try:
        return {**info, **torch_version_file_builds(version_file.read_text())}
    except (OSError, ValueError):
        return info


def torch_version_file_builds(text: str) -> dict[str, str | None]:
    """``cuda_build``, ``hip_build`` and ``git_version_build`` from torch/version.py's text.

    A line match, not ast.parse: this runs on a background thread in the kernel, where an AST
    built beside the user's cell can raise SystemError in that cell (see kernel/run.py).
    """
    found: dict[str, str | None] = {}
    for match in _VERSION_LINE.finditer(text):
        name, single, double = match.group(1), match.group(2), match.group(3)
        found[f"{name}_build"] = single if single is not None else double
    return found


# torch/version.py's `cuda: Optional[str] = '12.8'`, `hip = None`, `git_version = '...'` lines.
_VERSION_LINE = re.compile(
    r"^(cuda|hip|git_version)[ \t]*(?::[^=\n]*)?=[ \t]*"
    r"""(?:'([^'\\\n]*)'|"([^"\\\n]*)"|None)[ \t]*(?:#.*)?$""",
    re.MULTILINE,
)


def _importing(module: ModuleType) -> bool:
    """True while ``module`` is still being imported (on another thread: the user's cell).

    This capture runs on a background thread of the kernel. Calling into a torch whose import
    has not finished (its C extension half set up) fails, or can block this thread and the
    importing one together: a promoted notebook whose cell imported torch while the capture
    ran was seen to hang until its cell timeout, the capture ending only once the cell was
    interrupted. importlib marks a module's spec while it executes the module's code.
    """
    return bool(getattr(getattr(module, "__spec__", None), "_initializing", False))


def torch_runtime_info(torch: ModuleType) -> dict[str, Any]:
    """What the imported torch sees: CUDA availability, devices, cuDNN, MPS."""
    info: dict[str, Any] = {"version": str(torch.__version__)}
    try:
        info["cuda_available"] = bool(torch.cuda.is_available())
        info["cuda_device_count"] = int(torch.cuda.device_count())
        info["cuda_version"] = torch.version.cuda
        info["cudnn_version"] = torch.backends.cudnn.version() if info["cuda_available"] else None
        mps = getattr(torch.backends, "mps", None)
        info["mps_available"] = bool(mps is not None and mps.is_available())
        info["num_threads"] = int(torch.get_num_threads())
    except Exception as exc:
        info["error"] = f"{type(exc).__name__}: {exc}"
    return info


def capture_hardware(nvml: ModuleType | None = None) -> dict[str, Any]:
    """CPU, memory, GPUs (NVML) and torch's build (and runtime when torch is imported)."""
    import psutil

    gpus, nvml_error = gpus_via_nvml(nvml)
    freq = None
    try:
        current = psutil.cpu_freq()
        freq = round(current.max or current.current, 1) if current else None
    except Exception:
        freq = None
    torch_info = torch_build_info()
    loaded = sys.modules.get("torch")
    if loaded is not None and not _importing(loaded):
        torch_info["runtime"] = torch_runtime_info(loaded)
    return {
        "cpu": {
            "model": _cpu_model(),
            "logical_cores": psutil.cpu_count(logical=True),
            "physical_cores": psutil.cpu_count(logical=False),
            "max_mhz": freq,
            "affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        },
        "memory": {"total": int(psutil.virtual_memory().total)},
        "gpus": gpus,
        "nvml_error": nvml_error,
        "torch": torch_info,
    }
