"""``hydra.compose`` in a recorded kernel is recorded by itself (issue 24): its config name,
overrides and resolved config, with no ``xp.param`` call; a promotion's dotted override reaches
the composed config. A real kernel, a real Hydra config folder, a real papermill promotion."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import write_notebook
from jupyterlab_xp.core import tags


def _cells(conf: Path) -> list[dict[str, Any]]:
    compose = (
        "from hydra import compose, initialize_config_dir\n"
        f"with initialize_config_dir(config_dir={str(conf)!r}, version_base=None):\n"
        "    cfg = compose('train', overrides=['model.width=8'])\n"
        "import jupyterlab_xp as xp\n"
        "xp.log({'val/score': cfg.model.lr * cfg.model.width})"
    )
    return [
        {"id": "start", "source": "%load_ext jupyterlab_xp\n%xp start --seed 1"},
        {"id": "train", "source": compose},
        {"id": "stop", "source": "%xp stop"},
    ]


@pytest.mark.kernel
def test_a_hydra_compose_is_recorded_and_takes_a_promotions_override(
    kernel_factory: Any, store: Any, tmp_path: Path
) -> None:
    # Given a Hydra config folder and a notebook that composes from it after %xp start
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "train.yaml").write_text(
        "model:\n  lr: 0.1\n  width: 4\ndata:\n  root: /d\n  train: ${data.root}/train\n"
    )
    cells = _cells(conf)
    kernel = kernel_factory(write_notebook(tmp_path / "hydra.ipynb", cells))
    # When the cells run (hydra imported inside the run, no xp.param call)
    for cell in cells:
        result = kernel.execute(cell["source"], cell_id=cell["id"])
        assert result["status"] == "ok", result
    # Then the composed config is the run's params, resolved, with its name and overrides
    (run,) = store.search_runs(max_results=5)
    params, run_tags = run.data.params, run.data.tags
    assert params["model.width"] == "8" and params["model.lr"] == "0.1"
    assert params["data.train"] == "/d/train"
    assert run_tags[tags.HYDRA_CONFIG_NAME] == "train"
    assert json.loads(run_tags[tags.HYDRA_OVERRIDES]) == ["model.width=8"]
    assert run.data.metrics["val/score"] == pytest.approx(0.8)
    # When the run is promoted with a dotted override of the composed config
    done = subprocess.run(
        [sys.executable, "-m", "jupyterlab_xp", "promote", run.info.run_id,
         "-p", "model.lr", "0.5", "--json"],
        capture_output=True, text=True, env=os.environ.copy(), cwd=tmp_path, timeout=600,
    )  # fmt: skip
    # Then the promoted kernel's compose returned the overridden config, recorded as such
    assert done.returncode == 0, done.stderr[-2000:]
    promoted = store.get_run(json.loads(done.stdout)["runs"][0])
    assert promoted.data.params["model.lr"] == "0.5"
    assert promoted.data.metrics["val/score"] == pytest.approx(4.0)
    assert json.loads(promoted.data.tags[tags.HYDRA_OVERRIDES]) == ["model.width=8"]


@pytest.mark.kernel
def test_a_compose_imported_before_xp_start_is_recorded_too(
    kernel_factory: Any, store: Any, tmp_path: Path
) -> None:
    # Given a notebook whose first cell imports compose, before %xp start (the usual order)
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "train.yaml").write_text("model:\n  lr: 0.1\n  width: 4\n")
    kernel = kernel_factory()
    first = kernel.execute("from hydra import compose, initialize_config_dir")
    assert first["status"] == "ok", first
    # When a run starts and the notebook composes through its own name for compose
    started = kernel.execute("%load_ext jupyterlab_xp\n%xp start --seed 1")
    assert started["status"] == "ok", started
    composed = kernel.execute(
        f"with initialize_config_dir(config_dir={str(conf)!r}, version_base=None):\n"
        "    cfg = compose('train', overrides=['model.width=8'])"
    )
    assert composed["status"] == "ok", composed
    assert kernel.execute("%xp stop")["status"] == "ok"
    # Then that compose is recorded as one made after the import would be
    (run,) = store.search_runs(max_results=5)
    assert run.data.params["model.width"] == "8" and run.data.params["model.lr"] == "0.1"
    assert json.loads(run.data.tags[tags.HYDRA_OVERRIDES]) == ["model.width=8"]
