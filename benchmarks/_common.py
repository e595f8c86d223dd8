"""Shared helpers for the benchmarks: a throwaway store, a real kernel, figure printing."""

from __future__ import annotations

import atexit
import os
import queue
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

_homes: list[Path] = []
_template: Path | None = None


def fresh_home() -> Path:
    """A new XP_HOME with a migrated store (so no benchmark pays for migrations), removed at exit.

    The store is migrated once per benchmark process and copied: a migration is 2-3 s of CPU
    and a few hundred disk flushes, which would run right before every kernel a benchmark times.
    """
    global _template
    if _template is None:
        from mlflow.tracking import MlflowClient

        _template = Path(tempfile.mkdtemp(prefix="xp-bench-template-"))
        _homes.append(_template)
        MlflowClient(tracking_uri=f"sqlite:///{_template / 'mlflow.db'}").search_experiments()
    home = Path(tempfile.mkdtemp(prefix="xp-bench-"))
    _homes.append(home)
    shutil.copy(_template / "mlflow.db", home / "mlflow.db")
    return home


@atexit.register
def _remove_homes() -> None:
    for home in _homes:
        shutil.rmtree(home, ignore_errors=True)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def line(
    label: str,
    ours: float,
    baseline: float,
    baseline_label: str,
    unit: str = "ms",
    budget: str = "",
) -> None:
    """Print one figure next to its baseline, and the ratio."""
    ratio = ours / baseline if baseline else float("nan")
    tail = f"  budget {budget}" if budget else ""
    print(
        f"{label:<46} {ours:9.3f} {unit}   {baseline_label}: {baseline:9.3f} {unit}"
        f"   ratio {ratio:6.2f}{tail}"
    )


def median(values: list[float]) -> float:
    return statistics.median(values)


class BenchKernel:
    """A real kernel through jupyter_client (no outputs kept: we only time round trips)."""

    def __init__(self, env: dict[str, str]) -> None:
        from jupyter_client.manager import KernelManager

        self.km = KernelManager(kernel_name="python3")
        full = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "JPY_"))}
        full.update(env)
        self.km.start_kernel(env=full)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)

    def run(self, code: str) -> dict[str, Any]:
        msg_id = self.kc.execute(code)
        while True:
            reply = self.kc.get_shell_msg(timeout=120)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"{code!r} failed: {reply['content']}")
        # Drain iopub so the queue does not grow across thousands of cells.
        while True:
            try:
                self.kc.get_iopub_msg(timeout=0.001)
            except queue.Empty:
                break
        return dict(reply["content"])

    def timed(self, code: str) -> float:
        start = time.perf_counter()
        self.run(code)
        return (time.perf_counter() - start) * 1000

    def close(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


def header(title: str) -> None:
    print(f"\n== {title} ({sys.platform}, {os.cpu_count()} cpus)")
