"""List 10,000 runs through the REST API, next to ``mlflow.search_runs`` on the same store.

Budget (DESIGN.md): list 10,000 runs through the REST API <= 500 ms (a page of the panel's size
well under it; the whole list in pages of 1,000 is printed too).
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from _common import fresh_home, header, line, median

RUNS = 10_000
PAGE = 1000


def populate(home: Path) -> str:
    """Record one real run, then clone its rows in SQL (recording 10,000 would take minutes)."""
    os.environ["XP_HOME"] = str(home)
    import jupyterlab_xp as xp
    from jupyterlab_xp.kernel.recorder import reset_recorder

    reset_recorder()
    with xp.start("template", experiment="bench", seed=0) as run:
        xp.param(lr=0.1, layers=3)
        xp.log({"val/accuracy": 0.9, "train/loss": 0.1}, step=1)
    template = run.run_id
    db = sqlite3.connect(home / "mlflow.db")
    tables = ["tags", "params", "metrics", "latest_metrics"]
    columns = {t: [r[1] for r in db.execute(f"PRAGMA table_info({t})")] for t in ["runs", *tables]}
    run_row = db.execute("SELECT * FROM runs WHERE run_uuid = ?", (template,)).fetchone()
    children = {
        t: db.execute(f"SELECT * FROM {t} WHERE run_uuid = ?", (template,)).fetchall()
        for t in tables
    }
    uuid_at = {t: columns[t].index("run_uuid") for t in ["runs", *tables]}
    start_at = columns["runs"].index("start_time")
    name_at = columns["runs"].index("name")
    for i in range(RUNS - 1):
        new_id = uuid.uuid4().hex
        row = list(run_row)
        row[uuid_at["runs"]], row[start_at], row[name_at] = new_id, run_row[start_at] - i, f"r{i}"
        db.execute(f"INSERT INTO runs VALUES ({','.join('?' * len(row))})", row)
        for table in tables:
            rows = []
            for child in children[table]:
                copy = list(child)
                copy[uuid_at[table]] = new_id
                rows.append(copy)
            if rows:
                db.executemany(f"INSERT INTO {table} VALUES ({','.join('?' * len(rows[0]))})", rows)
    db.commit()
    db.close()
    return template


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rest_pages(port: int, token: str) -> tuple[float, float, int]:
    """(ms for the first page, ms for all pages, runs seen) through the REST API."""
    base = f"http://127.0.0.1:{port}/jupyterlab-xp/api/v1/runs?limit={PAGE}"
    start = time.perf_counter()
    first = None
    seen = 0
    token_arg = ""
    while True:
        request = urllib.request.Request(
            base + token_arg, headers={"Authorization": f"token {token}"}
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            body = json.load(response)
        if first is None:
            first = (time.perf_counter() - start) * 1000
        seen += len(body["runs"])
        if not body["next_page_token"]:
            break
        token_arg = "&page_token=" + urllib.parse.quote(body["next_page_token"])
    return first or 0.0, (time.perf_counter() - start) * 1000, seen


def mlflow_pages(home: Path) -> tuple[float, float]:
    """(ms for a page of PAGE runs, ms for all) with mlflow.search_runs on the same store."""
    code = (
        "import time, mlflow\n"
        f"mlflow.set_tracking_uri('sqlite:///{home / 'mlflow.db'}')\n"
        "exp = mlflow.get_experiment_by_name('bench').experiment_id\n"
        f"t = time.perf_counter(); mlflow.search_runs([exp], max_results={PAGE})\n"
        "page = (time.perf_counter() - t) * 1000\n"
        f"t = time.perf_counter(); df = mlflow.search_runs([exp], max_results={RUNS})\n"
        "print(page, (time.perf_counter() - t) * 1000, len(df))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    page, total, _ = out.stdout.split()
    return float(page), float(total)


def main() -> None:
    header(f"listing {RUNS:,} runs")
    home = fresh_home()
    t0 = time.perf_counter()
    populate(home)
    print(f"   (store populated in {time.perf_counter() - t0:.1f} s)")
    port, token = _free_port(), uuid.uuid4().hex
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter",
            "server",
            f"--port={port}",
            "--no-browser",
            f"--IdentityProvider.token={token}",
            "--ServerApp.allow_root=True",
            f"--ServerApp.root_dir={tempfile.mkdtemp()}",
            "--XpExtensionApp.recover_interval=0",
        ],
        env={**os.environ, "XP_HOME": str(home)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.2)
        rest_pages(port, token)  # warm up: the server's first MLflow call pays the import
        rounds = [rest_pages(port, token) for _ in range(3)]
    finally:
        server.terminate()
        server.wait(10)
    base = [mlflow_pages(home) for _ in range(3)]
    assert all(r[2] == RUNS for r in rounds), rounds
    line(
        f"GET runs, one page of {PAGE}",
        median([r[0] for r in rounds]),
        median([b[0] for b in base]),
        f"mlflow.search_runs({PAGE})",
        budget="<= 500 ms",
    )
    line(
        f"GET runs, all {RUNS:,} in pages",
        median([r[1] for r in rounds]),
        median([b[1] for b in base]),
        f"mlflow.search_runs({RUNS:,})",
    )


if __name__ == "__main__":
    main()
