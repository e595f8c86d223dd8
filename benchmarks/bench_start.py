"""``%xp start`` latency (extension loaded, store exists) next to ``import mlflow;
mlflow.start_run()`` in the same kind of fresh kernel.

Budget (DESIGN.md): <= 250 ms median, never blocked by the MLflow import or the network.
"""

from __future__ import annotations

from _common import BenchKernel, fresh_home, header, line, median

ROUNDS = 5


def xp_start(home: str) -> float:
    kernel = BenchKernel({"XP_HOME": home})
    try:
        kernel.run("%load_ext jupyterlab_xp")
        elapsed = kernel.timed("%xp start bench-start --seed 1")
        kernel.run("%xp stop")
        return elapsed
    finally:
        kernel.close()


def plain_mlflow(home: str) -> float:
    kernel = BenchKernel({"MLFLOW_TRACKING_URI": f"sqlite:///{home}/mlflow.db"})
    try:
        elapsed = kernel.timed("import mlflow\nmlflow.start_run()")
        kernel.run("mlflow.end_run()")
        return elapsed
    finally:
        kernel.close()


def main() -> None:
    header("%xp start latency")
    home = str(fresh_home())
    ours = [xp_start(home) for _ in range(ROUNDS)]
    base = [plain_mlflow(home) for _ in range(ROUNDS)]
    line(
        "%xp start (median of fresh kernels)",
        median(ours),
        median(base),
        "import mlflow; start_run",
        budget="<= 250 ms",
    )
    print(
        f"   rounds: {ROUNDS}; ours {sorted(round(x, 1) for x in ours)} ms, "
        f"baseline {sorted(round(x, 1) for x in base)} ms"
    )


if __name__ == "__main__":
    main()
