"""A fresh process whose first MLflow calls come from several threads at once (a Jupyter server
answering a run's detail, its metrics and the list together): every call answers, then and later.

Before the fix every one of six tries failed some calls with "partially initialized module", and
every call after them failed too (the browser tests of a CI run lost every route that reads
MLflow, while the run list, read from the store's tables directly, kept working).

MLflow is imported on first use; two threads importing its circular package graph at once can
see a half-initialised module, and a module whose first import failed runs again, which can
break it for the life of the process. MlflowStore imports it under one lock and makes one
client at a time.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import jupyterlab_xp as xp

SCRIPT = """
import json, sys, threading
assert "mlflow" not in sys.modules
from jupyterlab_xp.core.config import resolve_store
from jupyterlab_xp.store.mlflow_store import MlflowStore

store = MlflowStore(resolve_store())
run_id = sys.argv[1]
calls = [
    lambda: store.get_run(run_id).info.run_id,
    lambda: sorted(store.experiment_names().values()),
    lambda: [r.info.run_id for r in store.search_page(max_results=10)[0]],
    lambda: store.experiment_name("0"),
    lambda: store.artifacts.sizes(run_id, "xp"),
    lambda: store.client.get_run(run_id).info.status,
]
start = threading.Barrier(len(calls) * 2)
results, errors = {}, []

def call(i):
    start.wait()
    try:
        results[i] = calls[i % len(calls)]()
    except Exception as exc:
        errors.append(f"{i}: {type(exc).__name__}: {exc}")

threads = [threading.Thread(target=call, args=(i,)) for i in range(len(calls) * 2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
# ...and the process stays healthy: a failed first import used to break every later call
for i, later in enumerate(calls):
    try:
        later()
    except Exception as exc:
        errors.append(f"later {i}: {type(exc).__name__}: {exc}")
print(json.dumps({"errors": errors, "results": {str(k): v for k, v in results.items()}},
                 default=str))
"""


@pytest.mark.stores("sqlite")
def test_first_calls_from_many_threads_all_answer(store: Any, xp_home: Path) -> None:
    # Given a finished run in the store
    with xp.start("threads", experiment="threads", seed=1) as run:
        xp.log({"val/x": 1.0})
    # When a new process makes its first MLflow calls from twelve threads at once
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(run.run_id)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    # Then every call answered, and they agree on the run
    assert out["errors"] == []
    assert out["results"]["0"] == run.run_id
    assert out["results"]["2"] == [run.run_id]
    assert out["results"]["5"] == "FINISHED"
    assert "threads" in out["results"]["1"]
