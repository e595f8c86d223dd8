"""The team setup at scale: a real mlflow server on PostgreSQL holding 100,000 runs.

Figures (issue "Team scale", budgets from DESIGN.md), each beside MLflow's own call over HTTP
on the same server in the same run:
- one page of 1,000 runs as the panel lists it (``views.runview.list_runs``, what ``GET runs``
  calls) next to ``MlflowClient.search_runs(max_results=1000)``: over plain HTTP without the
  server's local read model (its first fill), through it (``store/team_mirror.py``), and with
  the server's database given (``XP_STORE_DATABASE_URI``);
- the panel's first paint, through the mirror and with the database given;
- a finished run's detail, first and second open (artifacts cached locally after the first),
  next to ``get_run`` plus downloading the run's artifacts with MLflow's client.

The runs are cloned from one recorded run by direct inserts (recording 100,000 would take
hours); ``XP_BENCH_TEAM_RUNS`` changes how many.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

import bench_panel
from _common import header, line, median

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from servers import MlflowServer, Postgres, free_port  # noqa: E402

RUNS = int(os.environ.get("XP_BENCH_TEAM_RUNS", "100000"))
PAGE = 1000
ROUNDS = 5


def record_template(url: str) -> str:
    """One real recorded run (artifacts and all) on the server."""
    os.environ["MLFLOW_TRACKING_URI"] = url
    os.environ["XP_HOME"] = tempfile.mkdtemp(prefix="xp-bench-team-")
    import jupyterlab_xp as xp
    from jupyterlab_xp.kernel.recorder import reset_recorder

    reset_recorder()
    with xp.start("template", experiment="bench-team", seed=0) as run:
        xp.param(lr=0.1, layers=3)
        xp.log({"val/accuracy": 0.9, "train/loss": 0.1}, step=1)
    return str(run.run_id)


def clone_runs(postgres: Postgres, template: str, count: int) -> None:
    """Insert ``count`` copies of the template run's rows (new ids, spread start times)."""
    import psycopg2
    from psycopg2.extras import execute_values

    with (
        psycopg2.connect(
            host="127.0.0.1", port=postgres.port, user="postgres", dbname="mlflow"
        ) as conn,
        conn.cursor() as cursor,
    ):
        cursor.execute("SELECT * FROM runs WHERE run_uuid = %s", (template,))
        columns = [d.name for d in cursor.description or ()]
        row = dict(zip(columns, cursor.fetchone() or (), strict=True))
        children = {}
        for table in ("tags", "params", "latest_metrics", "metrics"):
            cursor.execute(f"SELECT * FROM {table} WHERE run_uuid = %s", (template,))
            children[table] = ([d.name for d in cursor.description or ()], cursor.fetchall())
        for start in range(0, count, 5000):
            ids = [uuid.uuid4().hex for _ in range(min(5000, count - start))]
            runs = []
            for offset, run_id in enumerate(ids):
                clone = dict(row, run_uuid=run_id, name=f"run-{start + offset}")
                clone["start_time"] = row["start_time"] - (start + offset) * 1000
                clone["artifact_uri"] = str(row["artifact_uri"]).replace(template, run_id)
                runs.append(tuple(clone[c] for c in columns))
            execute_values(cursor, f"INSERT INTO runs ({', '.join(columns)}) VALUES %s", runs)
            for table, (names, rows) in children.items():
                at = names.index("run_uuid")
                values = [
                    tuple(run_id if i == at else v for i, v in enumerate(r))
                    for run_id in ids
                    for r in rows
                ]
                execute_values(
                    cursor,
                    f"INSERT INTO {table} ({', '.join(names)}) VALUES %s",
                    values,
                    page_size=10_000,
                )
        cursor.execute("ANALYZE")


def timed(action: object) -> float:
    t0 = time.perf_counter()
    action()  # type: ignore[operator]
    return (time.perf_counter() - t0) * 1000


def panel_first_paint(home: Path, extra_env: dict[str, str]) -> tuple[float, int]:
    """bench_panel's measure, on a free port of its own (the browser tests hold 8888/8889)."""
    return bench_panel.panel_first_paint(
        home, {"XP_BENCH_PORT": str(free_port()), **extra_env}, "playwright.bench-team.config.js"
    )


def load() -> None:
    """The load average beside each figure: other work shares this machine's two CPUs."""
    one, five, _ = os.getloadavg()
    print(f"   (load average {one:.1f}, 5 min {five:.1f})")


def main() -> None:
    header(f"team server: mlflow server on PostgreSQL, {RUNS:,} runs")
    root = Path(tempfile.mkdtemp(prefix="xp-bench-team-"))
    postgres = Postgres()  # its own folder, which the postgres user can reach
    postgres.start()
    server = MlflowServer(postgres.uri(), root / "artifacts")
    try:
        server.start()
        template = record_template(server.url)
        t0 = time.perf_counter()
        clone_runs(postgres, template, RUNS - 1)
        print(
            f"   ({RUNS - 1:,} runs cloned by direct inserts in {time.perf_counter() - t0:.0f} s)"
        )

        from mlflow.tracking import MlflowClient

        from jupyterlab_xp.core.config import STORE_DATABASE_ENV, resolve_store
        from jupyterlab_xp.store.mlflow_store import MlflowStore
        from jupyterlab_xp.store.query import parse_run_query
        from jupyterlab_xp.store.team_mirror import TeamMirror, mirror_path
        from jupyterlab_xp.views.runview import list_runs, list_runs_from, run_detail

        store = MlflowStore(resolve_store(server.url))
        client = MlflowClient(server.url)
        experiment = client.get_experiment_by_name("bench-team")
        assert experiment is not None
        query = parse_run_query({"limit": [str(PAGE)]})
        ours = [timed(lambda: list_runs(store, query)) for _ in range(ROUNDS)]
        base = [
            timed(lambda: client.search_runs([experiment.experiment_id], max_results=PAGE))
            for _ in range(ROUNDS)
        ]
        line(
            f"GET runs: a page of {PAGE} of {RUNS:,}, over HTTP, no mirror yet",
            median(ours),
            median(base),
            "search_runs(1000) over HTTP",
        )
        load()
        # The server's local read model of the store, over plain HTTP: filled once (in the
        # server's background), then each list first fetches new and running runs.
        mirror = TeamMirror(store)
        t0 = time.perf_counter()
        mirror.refresh(slice_now=False)
        print(f"   (the mirror's first fill over HTTP: {time.perf_counter() - t0:.0f} s)")
        listed, _, source = list_runs_from(store, query, mirror)
        assert source == "mirror" and len(listed) == PAGE, (source, len(listed))
        mirrored = [timed(lambda: list_runs(store, query, mirror)) for _ in range(ROUNDS)]
        mirror.stop()
        line(
            f"GET runs: a page of {PAGE} of {RUNS:,}, over HTTP through the mirror",
            median(mirrored),
            median(base),
            "search_runs(1000) over HTTP",
            budget="<= 500 ms and <= 1/5 of search_runs",
        )
        load()
        # The same page with the server's database given (XP_STORE_DATABASE_URI): the read model
        # reads MLflow's tables directly, as it does on the embedded store.
        os.environ[STORE_DATABASE_ENV] = postgres.uri()
        listed, _ = list_runs(store, query)
        assert len(listed) == PAGE
        direct = [timed(lambda: list_runs(store, query)) for _ in range(ROUNDS)]
        del os.environ[STORE_DATABASE_ENV]
        line(
            f"GET runs: a page of {PAGE} of {RUNS:,}, XP_STORE_DATABASE_URI",
            median(direct),
            median(base),
            "search_runs(1000) over HTTP",
            budget="<= 500 ms and <= 1/5 of search_runs",
        )
        load()

        # The panel's first paint on this server: over plain HTTP from the mirror a server
        # filled before, and with the server's database given.
        first_page = median(
            [
                timed(lambda: client.search_runs([experiment.experiment_id], max_results=200))
                for _ in range(3)
            ]
        )
        for label, env in (
            ("over HTTP through the mirror", {}),
            ("XP_STORE_DATABASE_URI", {STORE_DATABASE_ENV: postgres.uri()}),
        ):
            home = Path(tempfile.mkdtemp(prefix="xp-bench-panel-"))
            if not env:
                copy = mirror_path(home, server.url)
                copy.parent.mkdir(mode=0o700)
                shutil.copyfile(mirror.path, copy)
            paint, rows = panel_first_paint(home, {"XP_BENCH_TRACKING_URI": server.url, **env})
            line(
                f"panel first paint, {RUNS:,} runs, {label} ({rows} rows drawn)",
                paint,
                first_page,
                "search_runs(200) over HTTP",
                budget="<= 1 s",
            )
            load()

        def mlflow_detail() -> None:
            client.get_run(template)
            with tempfile.TemporaryDirectory() as tmp:
                client.download_artifacts(template, "xp", tmp)

        def detail() -> None:
            run_detail(store, store.get_run(template))

        def forget() -> None:
            """Empty the artifact cache: the next open is a first one."""
            shutil.rmtree(store.location.home / "cache", ignore_errors=True)
            store.artifacts.__dict__.pop("cache", None)

        # This process's first detail pays one-time imports (a server pays them once, at its
        # first detail); then first opens (cache emptied before each) and second opens, each
        # round beside MLflow's own reads of the same run.
        forget()
        once = timed(detail)
        baseline, firsts, seconds = [], [], []
        for _ in range(ROUNDS):
            baseline.append(timed(mlflow_detail))
            forget()
            firsts.append(timed(detail))
            seconds.append(timed(detail))
        line(
            "run detail, the process's first (imports)",
            once,
            median(baseline),
            "get_run + download xp/",
        )
        load()
        line(
            "run detail, first open",
            median(firsts),
            median(baseline),
            "get_run + download xp/",
            budget="<= MLflow's",
        )
        print(
            f"   (rounds: {', '.join(f'{v:.0f}' for v in firsts)} ms; MLflow's: "
            f"{', '.join(f'{v:.0f}' for v in baseline)} ms)"
        )
        load()
        line(
            "run detail, second open (artifacts cached)",
            median(seconds),
            median(baseline),
            "get_run + download xp/",
            budget="<= 100 ms",
        )
        load()
    finally:
        server.kill()
        postgres.stop()
        shutil.rmtree(postgres.root, ignore_errors=True)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
