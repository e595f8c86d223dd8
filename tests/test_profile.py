"""``%xp profile``: a cell under torch.profiler, its trace and top operators as run artifacts.

Real kernels with real torch (CPU): the trace is torch's own Chrome/Perfetto export and the top
operators are what the profiler measured, so the loop's matrix product must be among them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from jupyterlab_xp.core import tags
from jupyterlab_xp.frontends.cli import main
from jupyterlab_xp.server.handlers import detail_body
from jupyterlab_xp.store import boundary
from jupyterlab_xp.views.runview import run_detail

MATMUL_CELL = """
import torch
a = torch.randn(64, 64)
for _ in range(50):
    b = a @ a
"""

LOADER_CELL = """
from torch.utils.data import DataLoader
seen = 0
for batch in DataLoader(list(range(40)), batch_size=4):
    seen += int(batch.sum())
    c = torch.randn(16, 16) @ torch.randn(16, 16)
"""


@pytest.mark.kernel
def test_a_profiled_matmul_loop_leaves_a_trace_and_its_top_operators(
    kernel_factory: Any, store: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a recorded kernel that profiles a matrix product loop, then runs a cell unprofiled
    k = kernel_factory()
    k.ok("%load_ext jupyterlab_xp\n%xp start profiled --seed 1")
    armed = k.ok("%xp profile")
    profiled = k.ok(MATMUL_CELL)
    k.ok("import time\ntime.sleep(1.2)")
    k.ok("after = 1")
    k.ok("%xp profile 3")
    k.ok(LOADER_CELL)
    k.ok("%xp stop")
    run = next(r for r in store.search_runs() if r.info.run_name == "profiled")
    run_id = run.info.run_id
    # When its artifacts are read from the store
    index = json.loads(store.artifacts.read_text(run_id, "xp/profiles.json"))
    cells = {c["source"].strip(): c for c in _cells(store, run_id)}
    # Then the profiled cell is named, and only it and the loader cell were profiled
    assert "torch.profiler" in armed["stdout"]
    assert "aten::" in profiled["stdout"]
    assert [p["cell"] for p in index] == [
        cells[MATMUL_CELL.strip()]["seq"],
        cells[LOADER_CELL.strip()]["seq"],
    ]
    assert run.data.tags["xp.profiles"] == "2"
    whole, stepped = index
    # And the trace is Chrome/Perfetto JSON with events of the loop's operators
    trace = json.loads(store.artifacts.read_text(run_id, f"xp/{whole['trace']}"))
    names = {e.get("name") for e in trace["traceEvents"]}
    assert "aten::matmul" in names or "aten::mm" in names
    # And the top operators name the matrix product with its 50 calls and its self CPU time
    ops = {op["name"]: op for op in whole["operators"]}
    assert ops["aten::mm"]["calls"] == 50
    assert ops["aten::mm"]["self_cpu_us"] > 0
    assert whole["steps"] is None and whole["cuda"] is False
    # And with N, only the first N batches are recorded (the loop drew 10)
    assert stepped["steps"] == 3
    stepped_ops = {op["name"]: op for op in stepped["operators"]}
    assert stepped_ops["aten::mm"]["calls"] <= 3
    assert not [name for name in stepped_ops if name.startswith("ProfilerStep")]  # not operators
    # And the server's run detail carries each cell's verdict and the profiled cells
    body = detail_body(run_detail(store, store.get_run(run_id))).model_dump()
    timeline = {c["source"].strip(): c for c in body["cells_journal"]}
    slept = timeline["import time\ntime.sleep(1.2)"]
    assert slept["verdict"] == "idle" and slept["verdict_because"].startswith("CPU busy only")
    assert timeline["after = 1"]["verdict"] is None  # too short to judge
    assert body["time_verdict"]["seconds"]["idle"] >= 1.2  # the sleep, at least
    assert [p["cell"] for p in body["profiles"]] == [whole["cell"], stepped["cell"]]
    assert body["profiles"][0]["operators"][0] == whole["operators"][0] | {"self_cuda_us": None}
    # And `jupyter xp show` prints the profiled cells' top operators
    capsys.readouterr()
    assert main(["show", run_id]) == 0
    shown = capsys.readouterr().out
    section = shown[shown.index("profiled cells") :]
    assert f"#{whole['cell']}  trace xp/profiles/cell-{whole['cell']}.trace.json" in section
    assert f"#{stepped['cell']}, first 3 batches" in section
    line = next(ln for ln in section.splitlines() if "aten::mm" in ln)
    assert line.split()[-2:] == ["50", "calls"]


@pytest.mark.kernel
def test_profile_without_a_run_or_with_a_bad_count_is_one_line_and_harms_nothing(
    kernel_factory: Any, store: Any
) -> None:
    # Given a recorded kernel
    k = kernel_factory()
    k.ok("%load_ext jupyterlab_xp")
    # When %xp profile is asked for with no run, then with a typo and a zero count
    no_run = k.execute("%xp profile")
    k.ok("%xp start careful")
    typo = k.execute("%xp profile three")
    zero = k.execute("%xp profile 0")
    after = k.ok("x = 2 + 2\nprint(x)")
    k.ok("%xp stop")
    # Then each is one UsageError line, the next cell runs unprofiled and the run is whole
    assert no_run["stderr"].strip() == (
        "UsageError: no run is being recorded; start one with %xp start, then %xp profile"
    )
    assert typo["stderr"].strip().startswith("UsageError: %xp profile: argument N: invalid int")
    assert zero["stderr"].strip() == (
        "UsageError: the step count must be from 1 to 1,000,000, got 0"
    )
    assert all("\n" not in out["stderr"].strip() for out in (no_run, typo, zero))
    assert after["stdout"] == "4\n" and after["stderr"] == ""
    run = next(r for r in store.search_runs() if r.info.run_name == "careful")
    assert run.info.status == "FINISHED"
    assert "xp.profiles" not in run.data.tags


@pytest.mark.kernel
def test_profile_without_torch_names_the_extra(
    kernel_factory: Any, store: Any, tmp_path: Path
) -> None:
    # Given a recorded kernel where torch does not import (a torch package that raises first)
    shim = tmp_path / "no-torch" / "torch"
    shim.mkdir(parents=True)
    (shim / "__init__.py").write_text("raise ImportError(\"No module named 'torch'\")\n")
    path = [str(shim.parent), os.environ.get("PYTHONPATH", "")]
    k = kernel_factory(extra_env={"PYTHONPATH": os.pathsep.join(p for p in path if p)})
    k.ok("%load_ext jupyterlab_xp\n%xp start no-torch")
    # When %xp profile is asked for
    out = k.execute("%xp profile")
    after = k.ok("print(1 + 1)")
    k.ok("%xp stop")
    # Then one line names the [torch] extra, and the run goes on
    assert out["stderr"].strip() == (
        "UsageError: %xp profile needs torch: pip install 'jupyterlab-xp[torch]'"
    )
    assert after["stdout"] == "2\n"
    run = next(r for r in store.search_runs() if r.info.run_name == "no-torch")
    assert run.info.status == "FINISHED"


def test_profiles_read_from_the_store_are_bounded_and_checked() -> None:
    # Given profiles.json as the recorder writes it, and as a hostile teammate might
    good = [
        {
            "cell": 3,
            "steps": None,
            "cuda": False,
            "trace": "profiles/cell-3.trace.json",
            "operators": [{"name": "aten::mm", "self_cpu_us": 812.5, "calls": 50, "x": 1}],
        }
    ]
    op = good[0]["operators"][0]
    hostile = {
        "a long name": [{**good[0], "operators": [{**op, "name": "x" * 301}]}],
        "negative calls": [{**good[0], "operators": [{**op, "calls": -1}]}],
        "a NaN time": [{**good[0], "operators": [{**op, "self_cpu_us": float("nan")}]}],
        "too many operators": [{**good[0], "operators": [op] * 51}],
        "not a list": {"cell": 3},
    }
    # When each is read through the parsing boundary
    read = boundary.artifact(tags.PROFILES_ARTIFACT, json.dumps(good))
    # Then the good one is plain data without the fields the product does not read
    assert read == [
        {
            **good[0],
            "operators": [{k: v for k, v in op.items() if k != "x"} | {"self_cuda_us": None}],
        }
    ]
    # And each hostile one is one Unreadable line, never an exception of another kind
    for what, value in hostile.items():
        with pytest.raises(boundary.Unreadable) as caught:
            boundary.artifact(tags.PROFILES_ARTIFACT, json.dumps(value))
        assert "\n" not in str(caught.value), what


def _cells(store: Any, run_id: str) -> list[dict[str, Any]]:
    text = store.artifacts.read_text(run_id, "xp/cells.jsonl")
    return [json.loads(line) for line in text.splitlines()]
