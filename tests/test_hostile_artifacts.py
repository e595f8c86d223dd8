"""Hostile predictions tables and checkpoints in the store (issue 17, part 2): refused in one line
or shown as a note, never unpickled, never downloaded to find out, never trusted by a copied tag.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import jupyterlab_xp as xp
from conftest import xp_server_config
from hostile_runs import deep_json, hostile_run
from jupyterlab_xp.core import tags
from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.store.prediction_reads import MAX_ROWS, predictions

pytest_plugins = ["pytest_jupyter.jupyter_server"]


class _Marker:
    """Unpickling this writes a file: proof that a pickle ran."""

    path = ""

    def __reduce__(self) -> Any:
        return (Path(self.path).write_text, ("unpickled",))


def _parquet(columns: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(pa.table(columns), buffer)
    return buffer.getvalue()


def test_hostile_predictions_tables_are_refused_in_one_line(tmp_path: Path) -> None:
    # Given predictions files as a hostile run could upload them
    marker = tmp_path / "unpickled"
    _Marker.path = str(marker)
    pickled = io.BytesIO()
    np.savez(pickled, id=np.arange(2), y_true=np.array([_Marker(), 1], dtype=object), y_pred=[1, 2])
    ids = list(range(3))
    files = {
        "a pickled NPZ": (pickled.getvalue(), ".npz", "classification"),
        "malformed Parquet": (b"PAR1 not really PAR1", ".parquet", "classification"),
        "text labels on a regression": (
            _parquet({"id": ids, "y_true": ["a", "b", "c"], "y_pred": [1.0, 2.0, 3.0]}),
            ".parquet",
            "regression",
        ),
        "a list column": (
            _parquet({"id": ids, "y_true": [1, 0, 1], "y_pred": [[1], [0, 1], []]}),
            ".parquet",
            "classification",
        ),
        "too many rows": (
            _parquet({"id": np.arange(MAX_ROWS * 2), "y_true": np.zeros(MAX_ROWS * 2)}),
            ".parquet",
            "regression",
        ),
        "no y_pred": (_parquet({"id": ids, "y_true": [1, 0, 1]}), ".parquet", "classification"),
    }
    # When each is read
    # Then each is one line of XpError saying what is wrong, and no pickle ran
    for what, (data, suffix, task) in files.items():
        with pytest.raises(XpError) as error:
            predictions(data, suffix, task, "run x: predictions/val" + suffix)
        assert "\n" not in str(error.value) and "run x" in str(error.value), what
    assert not marker.exists()
    # ...while a well-formed table reads as its columns
    good = _parquet({"id": ids, "y_true": [1.0, 0.0, 2.0], "y_pred": [1.0, 0.5, 2.0]})
    assert list(predictions(good, ".parquet", "regression", "run y")["y_pred"]) == [1.0, 0.5, 2.0]


def _predictions_run(uri: str, data: bytes, task: str, experiment: str) -> str:
    name = f"{tags.PREDICTIONS_DIR}/val.parquet"
    prefix = f"{tags.PREDICTIONS_PREFIX}val."
    run_id = hostile_run(
        uri,
        {
            prefix + tags.SHA256_FIELD: hashlib.sha256(data).hexdigest(),
            prefix + tags.TASK_FIELD: task,
            prefix + tags.FILE_FIELD: name,
        },
        {},
        experiment=experiment,
    )
    from mlflow.tracking import MlflowClient

    folder = Path(uri.removeprefix("sqlite:///")).parent / f"upload-{run_id}"
    (folder / tags.PREDICTIONS_DIR).mkdir(parents=True)
    (folder / name).write_bytes(data)
    MlflowClient(tracking_uri=uri).log_artifacts(run_id, str(folder), tags.ARTIFACT_DIR)
    return run_id


@pytest.fixture
def jp_server_config(xp_home: Any) -> dict[str, Any]:
    return xp_server_config()


async def test_a_compare_over_hostile_predictions_answers_with_a_note(
    jp_fetch: Any, store: Any
) -> None:
    # Given two runs with predictions on the same split: one fine, one with text labels on a
    # regression (its sha256 matches: the writer of the run wrote the tag too)
    uri = store.location.tracking_uri
    ids = list(range(3))
    good = _parquet({"id": ids, "y_true": [1.0, 0.0, 2.0], "y_pred": [1.0, 0.5, 2.0]})
    bad = _parquet({"id": ids, "y_true": ["a", "b", "c"], "y_pred": [1.0, 2.0, 3.0]})
    first = _predictions_run(uri, good, "regression", "p1")
    second = _predictions_run(uri, bad, "regression", "p2")
    # When they are compared over REST
    response = await jp_fetch(
        "jupyterlab-xp",
        "api",
        "v1",
        "compare",
        params={"ids": f"{first},{second}"},
        request_timeout=300,  # compare imports SciPy on first use: slow on a loaded machine
    )
    body = json.loads(response.body)
    # Then the compare answers, the paired test left out with the reason as a note
    assert response.code == 200 and body["paired_tests"] == []
    assert any("y_true of a regression is not numeric" in n for n in body["paired_notes"])


def test_a_checkpoint_folder_with_a_hostile_manifest_is_one_line(store: Any) -> None:
    # Given a checkpoint whose metadata.json says format "abc", and one whose extra.json is
    # 100,000 levels deep with a manifest that lists it honestly, and one whose rng.json and
    # params.json are garbage the manifest does not list
    with xp.start("hostile-ckpt", seed=1):
        folders = [Path(xp.checkpoint("c", step=i, extra={"i": i})["folder"]) for i in range(3)]
    _edit_manifest(folders[0], lambda meta: meta | {"format": "abc"})
    (folders[1] / "extra.json").write_text(deep_json(100_000))
    _edit_manifest(folders[1], lambda meta: _relisted(folders[1], meta, "extra.json"))
    for name in ("rng.json", "params.json"):
        (folders[2] / name).write_text(deep_json(100_000))
    _edit_manifest(
        folders[2],
        lambda meta: (
            meta | {"files": {k: v for k, v in meta["files"].items() if k[-5:] != ".json"}}
        ),
    )
    # When each is loaded
    # Then the first two are refused in one line saying why, and the third loads without them
    with pytest.raises(XpError, match="format is not a number"):
        xp.load_checkpoint(folders[0])
    with pytest.raises(XpError, match=r"extra\.json is nested deeper than 64 levels"):
        xp.load_checkpoint(folders[1])
    loaded = xp.load_checkpoint(folders[2])
    assert loaded.params == {} and loaded.extra == {} and "python" not in loaded.restored


def _edit_manifest(folder: Path, change: Any) -> None:
    path = folder / tags.CHECKPOINT_METADATA
    path.write_text(json.dumps(change(json.loads(path.read_text()))))


def _relisted(folder: Path, meta: dict[str, Any], name: str) -> dict[str, Any]:
    data = (folder / name).read_bytes()
    entry = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    return meta | {"files": meta["files"] | {name: entry}}


def test_a_copied_local_id_does_not_make_another_runs_pickle_trusted(store: Any) -> None:
    # Given a run recorded here whose checkpoint's extra is a pickle (trusted: this machine's)
    with xp.start("victim", seed=1) as victim:
        xp.checkpoint("b", step=1, extra={"obj": {1, 2}})
    index = store.location.runs_dir / victim.local_id / "artifacts" / tags.CHECKPOINTS_ARTIFACT
    # ...and a hostile run that copied its xp.local_id tag and its checkpoint index
    hostile = hostile_run(
        store.location.tracking_uri,
        {tags.LOCAL_ID: victim.local_id, tags.CHECKPOINTS: "1"},
        {tags.CHECKPOINTS_ARTIFACT: index.read_text()},
    )
    # When the hostile run's checkpoint is loaded
    # Then it is not the victim's trusted folder: the store has no such checkpoint for it
    with pytest.raises(XpError, match=r"metadata\.json"):
        xp.load_checkpoint(f"{hostile}:b")
    assert xp.load_checkpoint(f"{victim.run_id}:b").extra["obj"] == {1, 2}  # its own still loads


def test_a_file_larger_than_its_manifest_says_is_not_downloaded(store: Any) -> None:
    # Given a run in the store whose checkpoint index and manifest declare a 10-byte model.pt
    # while the store holds a larger one (a stand-in for 512 MB)
    stamp = "20260101T000000000000Z"
    rel = f"{tags.CHECKPOINTS_DIR}/big/1/{stamp}"
    meta = {
        "name": "big",
        "version": 1,
        "timestamp": stamp,
        "format": 1,
        "files": {"model.pt": {"sha256": "0" * 64, "size": 10}},
    }
    entry = {
        "name": "big",
        "version": 1,
        "step": None,
        "path": rel,
        "size": 10,
        "sha256": "0" * 64,
        "timestamp": stamp,
    }
    run_id = hostile_run(
        store.location.tracking_uri,
        {tags.CHECKPOINTS: "1"},
        {tags.CHECKPOINTS_ARTIFACT: json.dumps([entry])},
    )
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=store.location.tracking_uri)
    client.log_text(run_id, json.dumps(meta), f"{rel}/{tags.CHECKPOINT_METADATA}")
    client.log_text(run_id, "x" * 100_000, f"{rel}/model.pt")
    # When it is loaded
    # Then the listing's size is checked first: a one-line refusal, nothing downloaded
    with pytest.raises(
        XpError, match=r"model.pt is 100000 bytes in the store, metadata.json says 10"
    ):
        xp.load_checkpoint(f"{run_id}:big")
    cache = store.location.home / "cache" / tags.CHECKPOINTS_DIR / run_id
    assert not list(cache.rglob("model.pt"))
