"""Run every benchmark (``make bench``); each prints its figures beside a baseline."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).parent

if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    chosen = sys.argv[1:] or [
        "bench_capture",
        "bench_start",
        "bench_cells",
        "bench_sampler",
        "bench_runs_api",
        "bench_panel",
        "bench_promote",
        "bench_promote_env",
        "bench_sweep",
        "bench_redaction",
        "bench_team",
        "bench_team_load",
    ]
    for name in chosen:
        runpy.run_path(str(HERE / f"{name}.py"), run_name="__main__")
