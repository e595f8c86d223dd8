"""Promote end to end: real kernels record, real papermill jobs replay, a real store verifies."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import write_notebook
from jupyterlab_xp import tags
from jupyterlab_xp.promote import bundle, jobs
from jupyterlab_xp.promote.source import from_run

# Top to bottom gives scale * r + 1; the recorded run re-ran the last step: scale * r + 2.
CELLS = [
    {"id": "params", "source": "scale = 2", "tags": ["parameters"]},
    {"id": "start", "source": "%load_ext jupyterlab_xp\n%xp start --seed 7"},
    {"id": "draw", "source": "import random\nx = random.random() * scale"},
    {"id": "step", "source": "x = x + 1"},
    {
        "id": "log",
        "source": "import jupyterlab_xp as xp\nxp.log({'result': x})\nprint(round(x, 6))",
    },
    {"id": "stop", "source": "%xp stop"},
]
RECORDED = ["params", "start", "draw", "step", "step", "log", "stop"]


def wait_job(store: Any, job_id: str, timeout: float = 240.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = jobs.read(store.location, job_id)
        if job["state"] not in jobs.ACTIVE:
            return job
        time.sleep(0.5)
    raise TimeoutError(f"promotion {job_id} still {job['state']}")


@pytest.fixture
def recorded_run(kernel_factory: Any, store: Any, tmp_path: Path) -> str:
    notebook = write_notebook(tmp_path / "walk.ipynb", CELLS)
    kernel = kernel_factory(notebook)
    sources = {c["id"]: c["source"] for c in CELLS}
    for cell_id in RECORDED:
        result = kernel.execute(sources[cell_id], cell_id=cell_id)
        assert result["status"] == "ok", result
    runs = store.search_runs(max_results=5)
    assert len(runs) == 1
    return str(runs[0].info.run_id)


def test_recorded_order_reproduces_what_notebook_order_does_not(
    recorded_run: str, store: Any
) -> None:
    source_run = store.get_run(recorded_run)
    assert source_run.data.tags[tags.LINEAR] == "false"
    order = json.loads(store.read_artifact_text(recorded_run, "xp/order.json"))
    assert order["re_run"] == ["step"]

    src = from_run(store, recorded_run)
    assert src.params == {"scale": 2} and src.seed == 7
    job = jobs.create(store, src, seeds=[7, 8, 9])
    done = wait_job(store, job["id"])
    assert done["state"] == "finished", done
    assert done["verdict"] == "exact"
    assert [r["seed"] for r in done["runs"]] == [7, 8, 9]
    source_value = source_run.data.metrics["result"]
    values = {}
    for entry in done["runs"]:
        run = store.get_run(entry["run_id"])
        assert run.info.status == "FINISHED"
        assert run.data.tags[tags.KIND] == tags.KIND_PROMOTED
        assert run.data.tags[tags.SOURCE_RUN] == recorded_run
        assert run.data.params["seed"] == str(entry["seed"])
        values[entry["seed"]] = run.data.metrics["result"]
    assert values[7] == source_value  # exactly: the recorded order replays the run
    assert len(set(values.values())) == 3  # other seeds draw other numbers
    assert done["runs"][1]["verification"]["verdict"] == "differs"
    linked = store.get_run(recorded_run).data.tags
    assert set(linked[tags.PROMOTED_RUNS].split(",")) == {r["run_id"] for r in done["runs"]}
    assert linked[tags.PROMOTED_VERDICT] == "exact"

    # The bundle: every checksum matches; the script reproduces the metric.
    folder = Path(done["bundle"])
    metadata = json.loads((folder / bundle.METADATA).read_text())
    for name, digest in metadata["files"].items():
        assert bundle.sha256_file(folder / name) == digest, name
    for name in (
        "notebook.ipynb",
        "executed-seed-7.ipynb",
        "script.py",
        "params.yaml",
        "requirements.lock",
        "MLproject",
        "python_env.yaml",
        "Dockerfile",
    ):
        assert name in metadata["files"], name

    # Top to bottom does not replay the re-run step, and the verdict says so.
    other = wait_job(store, jobs.create(store, src, order="notebook")["id"])
    assert other["state"] == "finished", other
    assert other["verdict"] == "differs"
    diff = other["runs"][0]["verification"]["largest"][0]
    assert diff["key"] == "result" and diff["source"] == source_value
