"""Environment + package lock capture next to ``pip freeze`` (a subprocess) on the same venv.

Budget (DESIGN.md): <= 150 ms with 300 installed distributions.
"""

from __future__ import annotations

import subprocess
import sys
import time

from _common import header, line, median

ROUNDS = 7


def ours() -> tuple[float, int]:
    from jupyterlab_xp.capture.environment import capture_environment, requirements_lock

    start = time.perf_counter()
    env = capture_environment()
    requirements_lock(env["packages"])
    return (time.perf_counter() - start) * 1000, len(env["packages"])


def pip_freeze() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pip", "freeze"], capture_output=True, check=True)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    header("environment + lock capture")
    runs = [ours() for _ in range(ROUNDS)]
    base = [pip_freeze() for _ in range(ROUNDS)]
    line(
        f"capture_environment + lock ({runs[0][1]} dists)",
        median([r[0] for r in runs]),
        median(base),
        "pip freeze",
        budget="<= 150 ms",
    )


if __name__ == "__main__":
    main()
