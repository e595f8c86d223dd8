"""Many kernels recording into one team server at once: nothing lost, and what it costs the server.

``XP_BENCH_LOAD_KERNELS`` kernels (default 32) each record a run that logs one metric ten times a
second for ``XP_BENCH_LOAD_SECONDS`` (default 30) into a real ``mlflow server`` on PostgreSQL.
Afterwards every run must be FINISHED with every value in the store. Printed beside it: the same
number of plain MLflow clients logging the same values synchronously (``MlflowClient.log_metric``,
one request per value, as a notebook without the recorder would), and the server's and the
database's CPU in both.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from _common import BenchKernel, header, line

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from servers import MlflowServer, Postgres  # noqa: E402

KERNELS = int(os.environ.get("XP_BENCH_LOAD_KERNELS", "32"))
SECONDS = int(os.environ.get("XP_BENCH_LOAD_SECONDS", "30"))
RATE = 10  # values per second per kernel
STEPS = SECONDS * RATE


def _cpu_seconds(pids: list[int]) -> float:
    """CPU seconds used so far by these processes and all their children."""
    total = 0.0
    for pid in pids:
        try:
            proc = psutil.Process(pid)
            for p in [proc, *proc.children(recursive=True)]:
                times = p.cpu_times()
                total += times.user + times.system
        except psutil.Error:
            continue
    return total


def _postmaster(postgres: Postgres) -> int:
    return int((postgres.data / "postmaster.pid").read_text().split()[0])


def recorded(url: str) -> tuple[float, int]:
    """Wall seconds for KERNELS recording kernels; the number of runs complete in the store."""
    homes = [Path(tempfile.mkdtemp(prefix="xp-bench-load-")) for _ in range(KERNELS)]
    kernels = [BenchKernel({"XP_HOME": str(h), "MLFLOW_TRACKING_URI": url}) for h in homes]
    cell = (
        "import time\nimport jupyterlab_xp as xp\n"
        f"for step in range({STEPS}):\n"
        "    xp.log({'load/value': step * 0.5}, step=step)\n"
        f"    time.sleep({1 / RATE})\n"
    )
    errors: list[str] = []

    def record(i: int, kernel: BenchKernel) -> None:
        try:
            kernel.run(f"%load_ext jupyterlab_xp\n%xp start load-{i} --experiment load --seed {i}")
            kernel.run(cell)
            kernel.run("%xp stop")
        except Exception as exc:  # reported below: the benchmark's verdict
            errors.append(f"kernel {i}: {exc}")

    start = time.perf_counter()
    threads = [threading.Thread(target=record, args=(i, k)) for i, k in enumerate(kernels)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    for kernel in kernels:
        kernel.close()
    for home in homes:
        shutil.rmtree(home, ignore_errors=True)
    if errors:
        print("   errors:", *errors[:5], sep="\n   ")
    from mlflow.tracking import MlflowClient

    client = MlflowClient(url)
    experiment = client.get_experiment_by_name("load")
    complete = 0
    if experiment is not None:
        for run in client.search_runs([experiment.experiment_id], max_results=1000):
            values = client.get_metric_history(run.info.run_id, "load/value")
            complete += run.info.status == "FINISHED" and len(values) == STEPS
    return wall, complete


def plain_mlflow(url: str) -> float:
    """Wall seconds for KERNELS threads logging the same values with plain MlflowClient."""
    from mlflow.tracking import MlflowClient

    client = MlflowClient(url)
    experiment = client.create_experiment("plain-load")

    def log(i: int) -> None:
        run_id = client.create_run(experiment, run_name=f"plain-{i}").info.run_id
        for step in range(STEPS):
            client.log_metric(run_id, "load/value", step * 0.5, step=step)
            time.sleep(1 / RATE)
        client.set_terminated(run_id)

    start = time.perf_counter()
    threads = [threading.Thread(target=log, args=(i,)) for i in range(KERNELS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start


def main() -> None:
    header(f"{KERNELS} kernels recording into one team server, {RATE} values/s for {SECONDS} s")
    root = Path(tempfile.mkdtemp(prefix="xp-bench-load-"))
    postgres = Postgres()
    postgres.start()
    server = MlflowServer(postgres.uri(), root / "artifacts")
    try:
        server.start()
        assert server.process is not None
        pids = [server.process.pid, _postmaster(postgres)]
        cpu0 = _cpu_seconds(pids)
        wall, complete = recorded(server.url)
        cpu_ours = _cpu_seconds(pids) - cpu0
        cpu1 = _cpu_seconds(pids)
        wall_plain = plain_mlflow(server.url)
        cpu_plain = _cpu_seconds(pids) - cpu1
        print(f"   runs complete in the store: {complete} of {KERNELS} ({STEPS} values each)")
        line(
            "server + database CPU, recorder",
            cpu_ours * 1000,
            cpu_plain * 1000,
            "plain MlflowClient.log_metric",
        )
        print(
            f"   server + database CPU: {100 * cpu_ours / wall:.0f} % of one core over {wall:.0f} s"
            f" (plain MLflow: {100 * cpu_plain / wall_plain:.0f} % over {wall_plain:.0f} s)"
        )
        if complete != KERNELS:
            raise SystemExit(f"{KERNELS - complete} run(s) incomplete: something was lost")
    finally:
        server.kill()
        postgres.stop()
        shutil.rmtree(postgres.root, ignore_errors=True)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
