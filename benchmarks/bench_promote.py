"""Promote overhead: a promotion job (own process, papermill, tracked run, bundle, verify) next
to papermill alone executing the same notebook, both including their kernel start.

Budget (DESIGN.md): promote overhead over the notebook's own compute <= 3 s plus kernel start.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from _common import fresh_home, header, line, median

sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))
from conftest import write_notebook

ROUNDS = 5  # papermill alone sometimes waits ~3 s for a kernel to exit: medians of 5
CELLS = [
    {"source": "n = 2_000_000", "tags": ["parameters"]},
    {"source": "total = sum(range(n))\nprint(total)"},
]


def papermill_alone(notebook: Path) -> float:
    import papermill

    out = Path(tempfile.mkdtemp(prefix="xp-bench-pm-")) / "out.ipynb"
    started = time.perf_counter()
    papermill.execute_notebook(
        str(notebook), str(out), parameters={"n": 2_000_000}, progress_bar=False
    )
    return time.perf_counter() - started


def promoted(notebook: Path, home: Path) -> float:
    from jupyterlab_xp.core.config import resolve_store
    from jupyterlab_xp.promote import jobs
    from jupyterlab_xp.promote.source import from_notebook
    from jupyterlab_xp.store.mlflow_store import MlflowStore

    store = MlflowStore(resolve_store(None, home))
    started = time.perf_counter()
    job = jobs.create(store, from_notebook(notebook), order="notebook")
    while jobs.read(store.location, job["id"])["state"] in jobs.ACTIVE:
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    final = jobs.read(store.location, job["id"])
    assert final["state"] == "finished", final
    return elapsed


def main() -> None:
    header("promote overhead (one seed, trivial notebook)")
    home = fresh_home()
    notebook = write_notebook(Path(tempfile.mkdtemp(prefix="xp-bench-nb-")) / "nb.ipynb", CELLS)
    base = [papermill_alone(notebook) for _ in range(ROUNDS)]
    ours = [promoted(notebook, home) for _ in range(ROUNDS)]
    line(
        "promotion job, end to end (median)",
        median(ours),
        median(base),
        "papermill alone",
        unit="s",
        budget="overhead <= 3 s",
    )
    print(
        f"   overhead {median(ours) - median(base):.2f} s; rounds: ours "
        f"{sorted(round(x, 2) for x in ours)} s, papermill {sorted(round(x, 2) for x in base)} s"
    )


if __name__ == "__main__":
    main()
