"""Smoke test of every notebook in examples/: run it with papermill against a private XP_HOME,
then check the runs it recorded (params, metrics, tags, artifacts) against its expectations.

A new example is picked up on its own: without an entry in EXPECTED it must still run to the
end and leave only FINISHED runs. Examples that need what this machine lacks are skipped.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.kernel

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
NOTEBOOKS = sorted(EXAMPLES.glob("*.ipynb"))


@dataclass
class Expected:
    """What an example's runs must hold."""

    runs: int | None = None  # how many runs it records (None: any number, at least one)
    needs: tuple[str, ...] = ()  # importable modules it needs (skipped without them)
    params: frozenset[str] = frozenset()  # param keys on every run
    metrics: frozenset[str] = frozenset()  # metric keys on every run
    tags: frozenset[str] = frozenset()  # tag keys on every run
    same_tags: frozenset[str] = frozenset()  # tags with one value across all its runs
    artifacts: frozenset[str] = frozenset()  # artifact paths on every run
    run_tags: dict[str, frozenset[str]] = field(default_factory=dict)  # run name -> its tags
    run_artifact_dirs: dict[str, str] = field(default_factory=dict)  # run name -> a folder
    output: tuple[str, ...] = ()  # text its executed notebook must show
    parameters: dict[str, Any] = field(default_factory=dict)  # papermill -p overrides


EXPECTED: dict[str, Expected] = {
    "digits.ipynb": Expected(
        runs=1,
        needs=("torch",),
        params=frozenset({"seed", "learning_rate", "epochs", "hidden", "batch_size"}),
        metrics=frozenset({"train/loss", "val/loss", "val/accuracy"}),
        artifacts=frozenset({"xp/cells.jsonl", "xp/notebook.ipynb", "xp/seeds.json"}),
        parameters={"epochs": 2},
    ),
    "checkpoint-resume.ipynb": Expected(
        runs=3,
        needs=("torch",),
        params=frozenset({"seed", "epochs", "interrupt_at", "learning_rate", "batch_size"}),
        metrics=frozenset({"train/loss", "val/loss", "val/accuracy"}),
        run_tags={"resumed": frozenset({"xp.resumed_from"})},
        run_artifact_dirs={"interrupted": "checkpoints/mlp/"},
        output=("identical",),
    ),
    "gate-and-register.ipynb": Expected(
        runs=10,
        params=frozenset({"seed", "width", "max_iter"}),
        metrics=frozenset({"val/accuracy"}),
        tags=frozenset({"xp.checkpoints"}),
        output=(
            "gate: PASS",
            "exit code 0",
            "3 seeds on a side",
            "exit code 2",
            "registered digits-mlp version 1 (production)",
            "1 True",
        ),
    ),
    "seeds-and-significance.ipynb": Expected(
        runs=10,
        params=frozenset({"seed", "width", "max_iter", "learning_rate"}),
        metrics=frozenset({"val/accuracy", "test/accuracy", "train/loss"}),
        tags=frozenset({"xp.split.test.size", "xp.predictions.test.sha256"}),
        same_tags=frozenset({"xp.split.test.sha256", "xp.split.train.sha256"}),
        artifacts=frozenset({"xp/predictions/test.parquet"}),
        output=("3 and 3 runs: no split", "paired, on the same examples", "runs as units"),
    ),
    "where-time-goes.ipynb": Expected(
        runs=1,
        needs=("torch",),
        params=frozenset({"seed", "read_delay", "examples", "train_seconds"}),
        metrics=frozenset({"train/loss"}),
        artifacts=frozenset({"xp/cells.jsonl"}),
        output=("where time went", "waited on the data loader", "compute-bound"),
    ),
}


def _artifact_paths(store: Any, run_id: str, folder: str | None = None) -> set[str]:
    found = set()
    for info in store.client.list_artifacts(run_id, folder):
        found |= _artifact_paths(store, run_id, info.path) if info.is_dir else {info.path}
    return found


def _outputs(notebook: Path) -> str:
    cells = json.loads(notebook.read_text())["cells"]
    texts = []
    for cell in cells:
        for output in cell.get("outputs", []):
            text = output.get("text") or output.get("data", {}).get("text/plain", "")
            texts.append("".join(text) if isinstance(text, list) else text)
    return "\n".join(texts)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.name for n in NOTEBOOKS])
def test_example_runs_and_records_what_it_promises(
    notebook: Path, xp_home: Path, store: Any, tmp_path: Path
) -> None:
    expected = EXPECTED.get(notebook.name, Expected())
    missing = [m for m in expected.needs if importlib.util.find_spec(m) is None]
    if missing:
        pytest.skip(f"{notebook.name} needs {', '.join(missing)}")
    # Given the example, run headless by papermill in a folder of its own
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "JPY_"))}
    env.update(XP_HOME=str(xp_home), XP_NOTEBOOK=str(notebook), PYTHONHASHSEED="0")
    out = tmp_path / f"out-{notebook.name}"
    command = [sys.executable, "-m", "papermill", str(notebook), str(out), "--cwd", str(tmp_path)]
    for name, value in expected.parameters.items():
        command += ["-p", name, str(value)]
    # When it runs
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    # Then it ran to the end
    assert done.returncode == 0, done.stderr[-3000:]
    shown = _outputs(out)
    for text in expected.output:
        assert text in shown, f"{notebook.name} did not show {text!r}"
    # ...and recorded finished runs holding what it promises
    runs = store.search_runs(max_results=1000)
    assert runs, f"{notebook.name} recorded no run"
    if expected.runs is not None:
        assert len(runs) == expected.runs, [r.info.run_name for r in runs]
    for run in runs:
        name = run.info.run_name
        assert run.info.status == "FINISHED", (name, run.info.status)
        assert expected.params <= run.data.params.keys(), (name, run.data.params)
        assert expected.metrics <= run.data.metrics.keys(), (name, run.data.metrics)
        assert expected.tags <= run.data.tags.keys(), (name, sorted(run.data.tags))
        assert expected.artifacts <= _artifact_paths(store, run.info.run_id), name
    by_name = {run.info.run_name: run for run in runs}
    for name, run_tags in expected.run_tags.items():
        assert run_tags <= by_name[name].data.tags.keys(), (name, sorted(by_name[name].data.tags))
    for name, folder in expected.run_artifact_dirs.items():
        paths = _artifact_paths(store, by_name[name].info.run_id)
        assert any(p.startswith(folder) for p in paths), (name, sorted(paths))
    for tag in expected.same_tags:
        assert len({r.data.tags.get(tag) for r in runs}) == 1, tag
        assert runs[0].data.tags.get(tag), tag
    for parameter, value in expected.parameters.items():
        assert {r.data.params.get(parameter) for r in runs} == {str(value)}, parameter
