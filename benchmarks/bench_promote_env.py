"""The cost of a promotion's own environment: ``--with`` the first time (the overlay is built,
pip downloads from the index) and the second (cached), next to a plain promotion of the same
notebook; and an ``--env recorded`` overlay (one lock pin differs from today's), built and cached.

Needs PyPI (as ``--with`` does); the pinned package is small and pure Python.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import fresh_home, header, line, median

sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))
from conftest import write_notebook

ROUNDS = 3
PIN = "tabulate==0.9.0"
LOCK_PIN = "tabulate==0.8.10"  # another version: another overlay
CELLS = [
    {"source": "n = 200_000", "tags": ["parameters"]},
    {"source": "total = sum(range(n))\nprint(total)"},
]


def promoted(notebook: Path, home: Path, **request: Any) -> tuple[float, dict[str, Any]]:
    from jupyterlab_xp.core.config import resolve_store
    from jupyterlab_xp.promote import jobs
    from jupyterlab_xp.promote.source import from_notebook
    from jupyterlab_xp.store.mlflow_store import MlflowStore

    store = MlflowStore(resolve_store(None, home))
    started = time.perf_counter()
    job = jobs.create(store, from_notebook(notebook), order="notebook", **request)
    while jobs.read(store.location, job["id"])["state"] in jobs.ACTIVE:
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    final = jobs.read(store.location, job["id"])
    assert final["state"] == "finished", final
    return elapsed, final


def recorded_overlay(home: Path) -> tuple[float, float]:
    """``--env recorded``'s overlay for a lock with one pin that differs: built, then cached."""
    from jupyterlab_xp.promote import envs, pins
    from jupyterlab_xp.promote.source import Source

    today = "".join(f"{n}=={v}\n" for n, v in pins.installed_versions().items())
    src = Source(name="bench", version="v", run_id="0" * 32, lock=today + LOCK_PIN + "\n")
    planned = envs.plan(src, "recorded", None)
    assert planned["pins"] == [LOCK_PIN], planned["pins"]
    bundle = Path(tempfile.mkdtemp(prefix="xp-bench-envb-"))
    times = []
    for _ in range(2):
        started = time.perf_counter()
        envs.prepare({"environment": planned}, home, bundle, lambda _: None)
        times.append(time.perf_counter() - started)
    return times[0], times[1]


def main() -> None:
    header("promote in its own environment (--with, --env recorded)")
    home = fresh_home()
    notebook = write_notebook(Path(tempfile.mkdtemp(prefix="xp-bench-nb-")) / "nb.ipynb", CELLS)
    promoted(notebook, home)  # warm-up: the first job of a process pays for imports
    first, job = promoted(notebook, home, with_pins=[PIN])
    used = job["runs"][0]["verification"]["environment"]
    assert used["cached"] is False, used
    plain, cached = [], []
    for _ in range(ROUNDS):  # interleaved: the machine's load falls on both alike
        plain.append(promoted(notebook, home)[0])
        cached.append(promoted(notebook, home, with_pins=[PIN])[0])
    base = median(plain)
    line(
        f"--with '{PIN}', first (overlay built)",
        first,
        base,
        "plain promotion",
        unit="s",
    )
    print(
        f"   of which the build: {used['build_seconds']:.2f} s (venv + pip install; pip's own "
        "cache of index pages and wheels makes later builds of other pins faster)"
    )
    line(f"--with '{PIN}', cached (median)", median(cached), base, "plain promotion", unit="s")
    built, reused = recorded_overlay(home)
    line("--env recorded overlay (1 pin differs), built", built, base, "plain promotion", unit="s")
    line("--env recorded overlay, cached", reused * 1000, base * 1000, "plain promotion")
    print(
        f"   rounds: plain {sorted(round(x, 2) for x in plain)} s, "
        f"cached {sorted(round(x, 2) for x in cached)} s"
    )


if __name__ == "__main__":
    main()
