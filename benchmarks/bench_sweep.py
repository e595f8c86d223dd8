"""Sweep figures: per-trial time (a promotion in a worker, Optuna around it) next to papermill
alone on the same notebook, and the wall time of 8 trials with --workers 1 against --workers 2.

Budget (DESIGN.md): per-trial overhead <= promote overhead; 2 workers ~ 2x trials per minute on
2 CPUs.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from _common import fresh_home, header, line, median

sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))
from conftest import write_notebook

N = 3_000_000  # sum(range(N)): a fraction of a second of the notebook's own compute
CELLS = [
    {"source": "n = 1\nscale = 1.0", "tags": ["parameters"]},
    {"source": "%load_ext jupyterlab_xp\n%xp start --seed 0"},
    {
        "source": "import jupyterlab_xp as xp\ntotal = sum(range(n))\n"
        "xp.log({'val/score': scale * total / n}, step=0)"
    },
    {"source": "%xp stop"},
]
# The baseline: the same compute without the recorder (papermill's kernel would otherwise sync
# the run to MLflow at exit, seconds that a trial's kernel leaves to its worker).
PLAIN = [
    CELLS[0],
    {"source": "total = sum(range(n))\nscore = scale * total / n"},
]
ROUNDS = 4


def papermill_alone(notebook: Path) -> float:
    import papermill

    out = Path(tempfile.mkdtemp(prefix="xp-bench-pm-")) / "out.ipynb"
    started = time.perf_counter()
    papermill.execute_notebook(
        str(notebook), str(out), parameters={"n": N, "scale": 0.5}, progress_bar=False
    )
    return time.perf_counter() - started


def sweep(notebook: Path, home: Path, trials: int, workers: int) -> tuple[float, list[float]]:
    """Wall time of a whole sweep here, and each trial's own duration (Optuna's)."""
    from jupyterlab_xp.core.config import resolve_store
    from jupyterlab_xp.promote.source import from_notebook
    from jupyterlab_xp.store.mlflow_store import MlflowStore
    from jupyterlab_xp.sweep import results, sweeps
    from jupyterlab_xp.sweep import study as studies

    store = MlflowStore(resolve_store(None, home))
    url = studies.default_storage(home)
    started = time.perf_counter()
    created = sweeps.create(
        store,
        from_notebook(notebook),
        url,
        params=[f"n=choice:{N}", "scale=uniform:0:1"],
        objective="val/score",
        trials=trials,
        sampler="random",
        pruner="none",
    )
    state = sweeps.run_here(store, created, url, [{} for _ in range(workers)], notebook.parent)
    wall = time.perf_counter() - started
    detail = results.detail(store, created["study"], url)
    assert state == "finished" and detail["counts"] == {"COMPLETE": trials}, detail
    return wall, [t["duration"] for t in detail["trials"]]


def main() -> None:
    header("sweep: per-trial time and workers (trivial notebook, sum of 3M ints)")
    home = fresh_home()
    os.environ["XP_HOME"] = str(home)  # the workers' and their kernels' store
    os.environ.pop("MLFLOW_TRACKING_URI", None)
    notebook = write_notebook(Path(tempfile.mkdtemp(prefix="xp-bench-nb-")) / "nb.ipynb", CELLS)
    plain = write_notebook(notebook.parent / "plain.ipynb", PLAIN)
    base = [papermill_alone(plain) for _ in range(ROUNDS)]
    _, per_trial = sweep(notebook, home, ROUNDS, 1)
    line(
        "one trial: promotion in a worker (median)",
        median(per_trial),
        median(base),
        "papermill alone, no recorder",
        unit="s",
        budget="overhead <= promote's (3 s)",
    )
    print(f"   overhead {median(per_trial) - median(base):.2f} s per trial")
    one, _ = sweep(notebook, home, 8, 1)
    two, _ = sweep(notebook, home, 8, 2)
    line("8 trials, --workers 2 (wall)", two, one, "--workers 1", unit="s", budget="ratio ~0.5")
    print(
        f"   trials per minute: {8 * 60 / one:.1f} with 1 worker, {8 * 60 / two:.1f} with 2 "
        f"({os.cpu_count()} CPUs)"
    )


if __name__ == "__main__":
    main()
