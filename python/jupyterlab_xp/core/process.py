"""Facts about processes (memory, start time, liveness) through psutil, on every platform.

psutil reads ``/proc`` on Linux and the kernel's own interfaces elsewhere, so Cancel and the
per-cell memory figures work on macOS too. It is imported on first use (~30 ms cold), never at
``%load_ext``.
"""

from __future__ import annotations

import os
import sys
from typing import Any

_self: tuple[int, Any] | None = None  # (pid, psutil.Process): a forked child makes its own


def _process() -> Any:
    global _self
    pid = os.getpid()
    if _self is None or _self[0] != pid:
        import psutil

        _self = (pid, psutil.Process(pid))
    return _self[1]


def rss_mb() -> float:
    """This process's resident memory now, in MiB (0.0 when the platform will not say)."""
    try:
        return float(_process().memory_info().rss) / 2**20
    except Exception:  # psutil.Error, or a platform without the figure
        return 0.0


def maxrss_mb() -> float:
    """This process's peak resident memory so far, in MiB (0.0 where unknown).

    psutil has no portable peak figure; ``getrusage`` has, in KiB on Linux and bytes on macOS.
    """
    try:
        import resource
    except ImportError:  # Windows
        return 0.0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


def process_start_time(pid: int | None = None) -> str:
    """When process ``pid`` (default: this one) started, as text; "" when it is gone.

    Stored beside a pid, it tells a recycled pid apart from the process that wrote it.
    """
    try:
        if pid is None:
            return repr(_process().create_time())
        import psutil

        return repr(psutil.Process(pid).create_time())
    except Exception:  # psutil.NoSuchProcess, AccessDenied
        return ""


def same_process(pid: int, start: object) -> bool:
    """True when ``pid`` is still the process that recorded ``start`` (its start time)."""
    now = process_start_time(pid)
    return bool(now) and now == str(start)


def user_name() -> str:
    """The login name this process runs as (MLflow's ``mlflow.user``); "unknown" when none."""
    import getpass

    try:
        return getpass.getuser() or "unknown"
    except (OSError, KeyError):  # no login name in the environment and no password entry
        return "unknown"
