"""Declared datasets: content checksums, recorded as MLflow dataset inputs."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

import jupyterlab_xp as xp
from jupyterlab_xp.capture.datasets import dataset_checksum


def _folder(root: Path) -> Path:
    data = root / "data"
    (data / "train").mkdir(parents=True)
    (data / "train" / "a.csv").write_text("x,y\n1,2\n")
    (data / "labels.txt").write_text("cat\ndog\n")
    (data / ".cache").mkdir()
    (data / ".cache" / "junk").write_text("ignored")
    return data


def test_folder_digest_follows_content_not_location(tmp_path: Path) -> None:
    # Given a data folder and a copy of it elsewhere
    data = _folder(tmp_path)
    copy = tmp_path / "elsewhere" / "data"
    shutil.copytree(data, copy)
    original = dataset_checksum(data)
    # Then the copy has the same digest, hidden files do not count, and an edit changes it
    assert dataset_checksum(copy)["sha256"] == original["sha256"]
    assert original["files"] == 2 and original["kind"] == "folder"
    (copy / ".cache" / "junk").write_text("changed")
    assert dataset_checksum(copy)["sha256"] == original["sha256"]
    (copy / "train" / "a.csv").write_text("x,y\n1,3\n")
    assert dataset_checksum(copy)["sha256"] != original["sha256"]
    (copy / "train" / "a.csv").rename(copy / "train" / "b.csv")
    assert dataset_checksum(copy)["sha256"] != original["sha256"]


def test_declared_dataset_is_an_mlflow_input(store: Any, tmp_path: Path) -> None:
    # Given a run that declares its data folder
    data = _folder(tmp_path)
    with xp.start("with-data", seed=0) as run:
        name = xp.dataset(data, context="training")
    # Then the run has a dataset input with the folder's digest, and a tag with the full sha256
    digest = dataset_checksum(data)["sha256"]
    mlflow_run = store.get_run(run.run_id)
    inputs = mlflow_run.inputs.dataset_inputs
    assert name == "data"
    assert [(i.dataset.name, i.dataset.digest) for i in inputs] == [("data", digest[:36])]
    assert mlflow_run.data.tags["xp.dataset.data"] == digest


def test_missing_path_is_a_clear_error(store: Any, tmp_path: Path) -> None:
    with xp.start("no-data", seed=0), pytest.raises(xp.XpError, match="no file or folder"):
        xp.dataset(tmp_path / "missing")
