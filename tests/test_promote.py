"""Promote end to end: real kernels record, real papermill jobs replay, a real store verifies."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import write_notebook
from jupyterlab_xp.core import tags
from jupyterlab_xp.promote import bundle, jobs
from jupyterlab_xp.promote.source import from_notebook, from_run

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

# Every test here runs on the embedded SQLite store and on the team server (see conftest.py).
STORE_KINDS = ("sqlite", "team")


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
    recorded_run: str, store: Any, xp_home: Path
) -> None:
    source_run = store.get_run(recorded_run)
    assert source_run.data.tags[tags.LINEAR] == "false"
    order = json.loads(store.artifacts.read_text(recorded_run, "xp/order.json"))
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

    check_script_and_mlflow_project(store, folder, source_value, recorded_run, xp_home)

    # Top to bottom does not replay the re-run step, and the verdict says so.
    other = wait_job(store, jobs.create(store, src, order="notebook")["id"])
    assert other["state"] == "finished", other
    assert other["verdict"] == "differs"
    diff = other["runs"][0]["verification"]["largest"][0]
    assert diff["key"] == "result" and diff["source"] == source_value


def check_script_and_mlflow_project(
    store: Any, folder: Path, source_value: float, recorded_run: str, xp_home: Path
) -> None:
    """python script.py and mlflow run <bundle> reproduce the metric of the source run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "XP_"))}
    env["XP_HOME"] = str(xp_home)
    env["MLFLOW_TRACKING_URI"] = store.location.tracking_uri  # the embedded file or the server

    # python script.py --config params.yaml: the same parameters give the same metric.
    ran = subprocess.run(
        [sys.executable, "script.py", "--config", "params.yaml"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ran.returncode == 0, ran.stderr[-2000:]
    scripts = [r for r in store.search_runs() if r.data.tags.get(tags.KIND) == "script"]
    assert len(scripts) == 1
    assert scripts[0].data.metrics["result"] == source_value
    assert scripts[0].data.tags[tags.SOURCE_RUN] == recorded_run
    # A flag overrides the config: another scale gives another result.
    ran = subprocess.run(
        [sys.executable, "script.py", "--scale", "3"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert "scale" in (folder / "MLproject").read_text()

    # mlflow run <bundle> --env-manager local runs the script through MLproject.
    env["MLFLOW_TRACKING_URI"] = store.location.tracking_uri
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"  # its python
    ran = subprocess.run(
        [
            str(Path(sys.executable).parent / "mlflow"),
            "run",
            str(folder),
            "--env-manager",
            "local",
            "-P",
            "seed=7",
        ],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ran.returncode == 0, ran.stderr[-3000:]
    scripts = [r for r in store.search_runs() if r.data.tags.get(tags.KIND) == "script"]
    assert sorted(r.data.metrics["result"] == source_value for r in scripts) == [False, True, True]


OUT_OF_ORDER = {
    "cells": [
        {
            "cell_type": "code",
            "id": "p",
            "metadata": {"tags": ["parameters"]},
            "execution_count": 1,
            "outputs": [],
            "source": "label = 'a'",
        },
        {
            "cell_type": "code",
            "id": "use",
            "metadata": {},
            "execution_count": 3,
            "outputs": [
                {"output_type": "stream", "name": "stdout", "text": "y = 6 at 0x7f3a2b1c9d40\n"}
            ],
            "source": "y = x * 2\nprint('y =', y, 'at', hex(id(object())))",
        },
        {
            "cell_type": "code",
            "id": "def",
            "metadata": {},
            "execution_count": 2,
            "outputs": [],
            "source": "x = 3",
        },
    ],
    "metadata": {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
    },
    "nbformat": 4,
    "nbformat_minor": 5,
}


def _cli(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "XP_"))}
    env["XP_HOME"] = str(home)
    if "MLFLOW_TRACKING_URI" in os.environ:  # the team server (see conftest.xp_home)
        env["MLFLOW_TRACKING_URI"] = os.environ["MLFLOW_TRACKING_URI"]
    return subprocess.run(
        [sys.executable, "-m", "jupyterlab_xp", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_execution_count_order_restores_a_notebook_recorded_elsewhere(
    store: Any, xp_home: Path, tmp_path: Path
) -> None:
    notebook = tmp_path / "saved.ipynb"
    notebook.write_text(json.dumps(OUT_OF_ORDER))
    hostile = 'x = 1\nimport os\nos.system("id")\ny'
    refused = _cli("promote", str(notebook), "-p", hostile, "1", home=xp_home)
    assert refused.returncode == 2 and "identifier" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1

    ran = _cli(
        "promote",
        str(notebook),
        "--order",
        "execution-count",
        "-p",
        "label",
        '"""',
        "--json",
        home=xp_home,
    )
    assert ran.returncode == 0, ran.stderr[-2000:]
    result = json.loads(ran.stdout)
    assert result["state"] == "finished" and result["verdict"] == "exact"
    check = result["promotion"]["runs"][0]["verification"]
    outputs = {k: check["outputs"][k] for k in ("compared", "matched", "mismatched")}
    assert outputs == {"compared": 1, "matched": 1, "mismatched": []}
    assert check["outputs"]["verified"] and check["outputs"]["classes"]["same-values"] == 1
    (printed,) = [c for c in check["outputs"]["cells"] if c["class"] == "same-values"]
    assert printed["rules"] == ["memory-address"]  # only the address printed there changed
    run = store.get_run(result["runs"][0])
    assert run.data.params["label"] == '"""'  # a hostile value is only ever a string
    assert Path(result["bundle"], "executed.ipynb").is_file()


def _notebook(path: Path, *sources: str) -> Path:
    return write_notebook(path, [{"source": s} for s in sources])


def test_failures_name_the_cell_keep_the_partial_notebook_and_end_the_run(
    store: Any, tmp_path: Path
) -> None:
    show_error = (
        "from IPython import get_ipython\ntry:\n    1 / 0\nexcept Exception:\n"
        "    get_ipython().showtraceback()"
    )
    hide_error = (
        "from IPython import get_ipython\n"
        "get_ipython().showtraceback = lambda *args, **kwargs: print('no traceback')\n1 / 0"
    )
    cases = {
        "raises": (_notebook(tmp_path / "raises.ipynb", "x = 1", "1 / 0", "print('after')"), {}),
        "dies": (_notebook(tmp_path / "dies.ipynb", "x = 1", "import os\nos._exit(1)"), {}),
        "hangs": (
            _notebook(tmp_path / "hangs.ipynb", "import time\ntime.sleep(120)"),
            {"cell_timeout": 3},
        ),
        "shown": (_notebook(tmp_path / "shown.ipynb", show_error, "print('after')"), {}),
        "cancel": (_notebook(tmp_path / "cancel.ipynb", "import time\ntime.sleep(120)"), {}),
        "top-down": (tmp_path / "saved.ipynb", {}),
        # an error that no cell shows as an error output (IPython could not format it)
        "unshown": (_notebook(tmp_path / "unshown.ipynb", hide_error, "print('after')"), {}),
    }
    (tmp_path / "saved.ipynb").write_text(json.dumps(OUT_OF_ORDER))
    started = {
        name: jobs.create(store, from_notebook(path), order="notebook", **options)["id"]
        for name, (path, options) in cases.items()
    }
    deadline = time.monotonic() + 180
    while jobs.read(store.location, started["cancel"])["current_cell"] != "import time":
        assert time.monotonic() < deadline, "the cancel job never reached its sleeping cell"
        time.sleep(0.3)
    jobs.cancel(store.location, started["cancel"])
    done = {name: wait_job(store, job_id) for name, job_id in started.items()}

    expect = {
        "raises": (
            "failed",
            "FAILED",
            "`1 / 0` (cell 4 of the executed notebook; cell 2)",
            "ZeroDivisionError",
        ),
        "dies": ("failed", "KILLED", "`import os` (cell 4", "DeadKernelError"),
        "hangs": ("failed", "FAILED", "`import time` (cell 3", "CellTimeoutError"),
        "shown": ("failed", "FAILED", "`from IPython import get_ipython` (cell 3", "ZeroDivision"),
        "cancel": ("cancelled", "KILLED", None, "cancelled"),
        "top-down": ("failed", "FAILED", "y = x * 2", "NameError"),
        "unshown": ("failed", "FAILED", "`from IPython import get_ipython` (cell 3", "Error"),
    }
    for name, (state, status, cell, error) in expect.items():
        job = done[name]
        assert job["state"] == state, (name, job)
        entry = job["runs"][0]
        assert entry["status"] == status, (name, entry)
        assert error in (entry["error"] or ""), (name, entry)
        if cell:
            assert cell in entry["error"], (name, entry)
        assert Path(entry["executed_notebook"]).is_file(), name  # the partial notebook is kept
        assert entry["run_id"], (name, job)
        run = store.get_run(entry["run_id"])
        assert run.info.status == status, name
        assert run.data.tags[tags.KIND] == tags.KIND_PROMOTED
        assert run.data.tags[tags.FAILED_CELL] == entry["error"]
    executed = json.loads(Path(done["raises"]["runs"][0]["executed_notebook"]).read_text())
    assert "after" not in json.dumps([c.get("outputs") for c in executed["cells"]])


def test_xp_promote_in_the_kernel_replays_the_prelude_and_reports_the_verdict(
    kernel_factory: Any, store: Any, tmp_path: Path
) -> None:
    cells = [
        {"id": "p", "source": "lr = 0.5", "tags": ["parameters"]},
        {"id": "s", "source": "%load_ext jupyterlab_xp\n%xp start --seed 3"},
        {"id": "l", "source": "import jupyterlab_xp as xp\nxp.log({'v': lr * 2})"},
        {"id": "e", "source": "%xp stop"},
    ]
    notebook = write_notebook(tmp_path / "k.ipynb", cells)
    kernel = kernel_factory(notebook)
    for cell in cells:
        assert kernel.execute(cell["source"], cell_id=cell["id"])["status"] == "ok"
    bad = kernel.execute("%xp promote --seeds x")
    assert bad["stderr"].strip().startswith("UsageError") and "seeds" in bad["stderr"]
    assert len(bad["stderr"].strip().splitlines()) == 1
    promoted = kernel.execute("%xp promote --wait", timeout=300)
    assert promoted["status"] == "ok", promoted
    assert "verdict exact" in promoted["stdout"], promoted["stdout"]
    source = next(r for r in store.search_runs() if r.data.tags[tags.KIND] == "notebook")
    prelude = json.loads(store.artifacts.read_text(source.info.run_id, "xp/prelude.json"))
    assert [p["source"] for p in prelude] == ["lr = 0.5"]
    assert kernel.execute("print(lr)")["stdout"].strip() == "0.5"  # the kernel is unharmed


def test_a_kernel_that_dies_while_starting_is_started_again(
    store: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a python3 kernel that dies at birth the first time (as one does when another
    # process takes one of its ports between jupyter_client's pick and the kernel's bind)
    spec_dir = tmp_path / "jupyter" / "kernels" / "python3"
    spec_dir.mkdir(parents=True)
    marker = tmp_path / "died-once"
    wrapper = spec_dir / "launch.py"
    wrapper.write_text(
        "import pathlib, sys\n"
        f"marker = pathlib.Path({str(marker)!r})\n"
        "if not marker.exists():\n"
        "    marker.write_text('died')\n"
        "    sys.exit(1)\n"
        "from ipykernel.kernelapp import launch_new_instance\n"
        "launch_new_instance()\n"
    )
    spec = {
        "argv": [sys.executable, str(wrapper), "-f", "{connection_file}"],
        "display_name": "Python 3",
        "language": "python",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("TEAM_SETTING", "inherited")
    notebook = _notebook(
        tmp_path / "nb.ipynb", "import os", "print(os.environ.get('TEAM_SETTING'))"
    )
    # When it is promoted
    job = wait_job(store, jobs.create(store, from_notebook(notebook), order="notebook")["id"])
    # Then the job started the kernel again (found through the inherited JUPYTER_PATH), and
    # the promotion ran as usual
    assert marker.read_text() == "died"
    assert job["state"] == "finished", job
    assert job["runs"][0]["status"] == "FINISHED"
    log = (store.location.home / "promotions" / job["id"] / jobs.LOG).read_text()
    assert "the kernel died while starting; attempt 2" in log
    # and the kernel had the environment the job was started with (plus the promotion's)
    assert "inherited" in Path(job["runs"][0]["executed_notebook"]).read_text()
