"""Panel first paint with 10,000 runs in the store, next to ``mlflow.search_runs`` of the
panel's first page on the same store (headless Chromium through Playwright, as the UI tests).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

from _common import fresh_home, header, line
from bench_runs_api import RUNS, populate

ROOT = Path(__file__).resolve().parent.parent
FIRST_PAGE = 200  # RunListModel.HEAD_SIZE in src/models/runList.ts


def mlflow_first_page(home: Path) -> float:
    code = (
        "import time, mlflow\n"
        f"mlflow.set_tracking_uri('sqlite:///{home / 'mlflow.db'}')\n"
        "exp = mlflow.get_experiment_by_name('bench').experiment_id\n"
        f"t = time.perf_counter(); mlflow.search_runs([exp], max_results={FIRST_PAGE})\n"
        "print((time.perf_counter() - t) * 1000)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.split()[-1])


def panel_first_paint(
    home: Path,
    extra_env: dict[str, str] | None = None,
    config: str = "playwright.bench.config.js",
) -> tuple[float, int]:
    """Milliseconds from opening the panel to its first run rows, and the rows drawn.

    ``extra_env``: e.g. ``XP_BENCH_TRACKING_URI`` to point the server at a team server.
    ``config``: the Playwright configuration in ui-tests/ (the team benchmark's runs its server
    on a free port, ``XP_BENCH_PORT``).
    """
    env = {
        **os.environ,
        "XP_BENCH_HOME": str(home),
        "PATH": f"{ROOT / '.venv/bin'}:{os.environ['PATH']}",
        **(extra_env or {}),
    }
    done = subprocess.run(
        ["npx", "playwright", "test", "-c", config],
        cwd=ROOT / "ui-tests",
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    found = re.search(r"first paint: (\d+) ms \((\d+) rows", done.stdout)
    if done.returncode != 0 or found is None:
        print(done.stdout[-2000:], done.stderr[-2000:])
        raise SystemExit("the panel benchmark failed")
    return float(found.group(1)), int(found.group(2))


def main() -> None:
    header(f"panel first paint with {RUNS:,} runs")
    home = fresh_home()
    populate(home)
    start = time.perf_counter()
    paint, rows = panel_first_paint(home)
    baseline = mlflow_first_page(home)
    line(
        f"panel first paint ({rows} rows drawn)",
        paint,
        baseline,
        f"mlflow.search_runs({FIRST_PAGE})",
    )
    print(f"   (browser session, server start included: {time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
