"""``jupyter xp register`` / ``model``: model versions in MLflow's real registry, their lineage
read back through plain MLflow, and the production alias behind a gate."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from jupyterlab_xp.core import tags
from jupyterlab_xp.frontends.cli import main
from jupyterlab_xp.store.boundary import MAX_LINEAGE_TAGS

NOISE = [0.000, 0.004, -0.003, 0.002, -0.001]
LOCK = b"numpy==2.4.6\ntorch==2.13.0\n"
CELLS = [
    {"seq": 1, "cell": 1, "source": "x = 1", "sha256": "a" * 64, "status": "ok"},
    {"seq": 2, "cell": 2, "source": "1/0", "sha256": "b" * 64, "status": "error"},
    {"seq": 3, "cell": 3, "source": "y = 2", "sha256": "c" * 64, "status": "ok"},
]
CHECKPOINT = {
    "name": "model",
    "version": 2,
    "step": 10,
    "size": 1234,
    "sha256": "d" * 64,
    "path": "checkpoints/model/2/20261207T031500Z",
    "timestamp": "2026-12-07T03:15:00Z",
}


def _store() -> Any:
    """The test's store (XP_HOME), whose experiments keep artifacts beside it, not in ./mlruns."""
    from jupyterlab_xp.core.config import resolve_store
    from jupyterlab_xp.store.mlflow_store import MlflowStore

    return MlflowStore(resolve_store())


def _group(client: Any, tmp: Path, width: int, accuracy: float) -> list[str]:
    """Five finished seeds of one width, each with a lock, cells, a checkpoint, git and data."""
    exp_id = _store().experiment_id("registry")
    files = tmp / f"xp-{width}"
    files.mkdir(exist_ok=True)
    (files / "requirements.lock").write_bytes(LOCK)
    (files / "cells.jsonl").write_text("".join(json.dumps(c) + "\n" for c in CELLS))
    (files / "checkpoints.json").write_text(json.dumps([CHECKPOINT]))
    ids = []
    for seed, noise in enumerate(NOISE):
        run = client.create_run(
            exp_id,
            tags={
                tags.KIND: tags.KIND_NOTEBOOK,
                tags.GIT_COMMIT: "0123abcd" * 5,
                tags.GIT_DIRTY: "false",
                tags.NOTEBOOK_PATH: "train.ipynb",
                tags.CHECKPOINTS: "1",
                "xp.dataset.train": "e" * 64,
                "xp.split.test.sha256": "f" * 64,
            },
        )
        run_id = run.info.run_id
        client.log_param(run_id, "width", str(width))
        client.log_param(run_id, "seed", str(seed))
        client.log_metric(run_id, "val/accuracy", accuracy + noise)
        client.log_artifacts(run_id, str(files), "xp")
        client.set_terminated(run_id)
        ids.append(run_id)
    return ids


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_registered_version_carries_its_lineage_for_plain_mlflow(
    store: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a recorded run with a lock, cells, git state, a dataset and a split
    client = store.client
    run_id = _group(client, tmp_path, 16, 0.9)[0]
    # When its checkpoint is registered with an alias
    code, out, err = _cli(
        capsys, "register", f"{run_id[:10]}:model", "digits", "--alias", "staging", "--json"
    )
    assert code == 0, err
    body = json.loads(out)
    # Then plain MLflow reads the version, its alias and its lineage tags
    version = client.get_model_version_by_alias("digits", "staging")
    assert str(version.version) == body["version"] == "1" and version.run_id == run_id
    assert version.source == f"runs:/{run_id}/{CHECKPOINT['path']}"
    lineage = {k.removeprefix("xp.lineage."): v for k, v in version.tags.items()}
    assert lineage["source_run"] == run_id
    assert lineage["lock_sha256"] == hashlib.sha256(LOCK).hexdigest()
    # the digest of the successful cells' digests, in order (the failed cell left out)
    assert (
        lineage["cells_sha256"] == hashlib.sha256(("a" * 64 + "\n" + "c" * 64).encode()).hexdigest()
    )
    assert lineage["cells"] == "2"
    assert lineage["git_commit"] == "0123abcd" * 5 and lineage["git_dirty"] == "false"
    assert json.loads(lineage["datasets"]) == {"train": "e" * 64}
    assert json.loads(lineage["splits"]) == {"test.sha256": "f" * 64}
    assert json.loads(lineage["params"]) == {"width": "16", "seed": "0"}
    assert lineage["checkpoint_sha256"] == "d" * 64 and lineage["checkpoint_step"] == "10"
    # And both ways: the version names its run, the run's `show` names the version
    code, out, _ = _cli(capsys, "model", "digits@staging")
    assert code == 0 and f"run      {run_id}" in out and "lock_sha256" in out
    code, out, _ = _cli(capsys, "show", run_id)
    assert code == 0 and "registered as digits/1 (staging)" in out


def test_production_moves_only_after_a_passing_gate_or_with_force(
    store: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given width 16 (0.90) in production, and candidates width 32 (0.80) and width 64 (0.95)
    client = store.client
    base = _group(client, tmp_path, 16, 0.90)
    worse = _group(client, tmp_path, 32, 0.80)
    better = _group(client, tmp_path, 64, 0.95)
    code, _, err = _cli(capsys, "register", base[0], "digits", "--alias", "production")
    assert code == 0, err  # the first production version needs no gate
    # When the worse candidate asks for production without a metric, or gated on accuracy
    code, _, err = _cli(capsys, "register", worse[0], "digits", "--alias", "production")
    assert code == 2 and "give --metric to gate against it" in err
    code, _, err = _cli(
        capsys, "register", worse[0], "digits", "--alias", "production",
        "--metric", "val/accuracy",
    )  # fmt: skip
    # Then it is refused with the gate's reason, and production still points at version 1
    assert code == 2 and "gate fail against digits@production" in err
    assert str(client.get_model_version_by_alias("digits", "production").version) == "1"
    # When the better candidate is gated, it becomes production and records the gate
    code, _, err = _cli(
        capsys, "register", better[0], "digits", "--alias", "production",
        "--metric", "val/accuracy", "--json",
    )  # fmt: skip
    assert code == 0, err
    version = client.get_model_version_by_alias("digits", "production")
    assert version.run_id == better[0]
    gate = json.loads(version.tags["xp.lineage.gate"])
    assert gate["decision"] == "pass" and sorted(gate["baseline"]) == sorted(base)
    # When --force overrides the gate, the version says so
    code, _, err = _cli(capsys, "register", worse[0], "digits", "--alias", "production", "--force")
    assert code == 0, err
    forced = client.get_model_version_by_alias("digits", "production")
    assert forced.run_id == worse[0] and "without a gate" in forced.tags["xp.lineage.forced"]


def test_the_gate_selects_a_registered_versions_seed_group(
    store: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given width 16 registered as production, and a better width 64
    client = store.client
    base = _group(client, tmp_path, 16, 0.90)
    _group(client, tmp_path, 64, 0.95)
    assert _cli(capsys, "register", base[2], "digits", "--alias", "production")[0] == 0
    # When the gate's baseline is the alias
    code, out, err = _cli(
        capsys, "gate", "--baseline", "models:/digits@production",
        "--candidate", "params.width=64", "--metric", "val/accuracy", "--json",
    )  # fmt: skip
    # Then the baseline is the version's whole seed group, and the better candidate passes
    assert code == 0, err
    body = json.loads(out)
    assert sorted(body["baseline"]["run_ids"]) == sorted(base)


def test_bad_references_are_one_line(store: Any, capsys: pytest.CaptureFixture[str]) -> None:
    for args, message in (
        (("model", "digits"), "a model version is NAME@ALIAS or NAME/VERSION"),
        (("model", "digits@nowhere"), "no model version 'digits@nowhere'"),
        (("register", "0" * 32, "digits", "--alias", "not an alias"), "an alias is a short"),
    ):
        code, out, err = _cli(capsys, *args)
        assert code == 2 and out == "", args
        assert len(err.strip().splitlines()) == 1 and message in err, err


def test_model_reads_a_hostile_version_through_the_parsing_boundary(
    store: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a version a teammate registered with plain MLflow: no run, and more lineage tags
    # than a version is shown with
    client = store.client
    client.create_registered_model("odd")
    crowded = {f"{tags.LINEAGE_PREFIX}k{i:03d}": "v" for i in range(MAX_LINEAGE_TAGS + 2)}
    client.create_model_version("odd", "s3://bucket/model", tags=crowded)
    # When `jupyter xp model` shows it, for people and as JSON
    code, out, err = _cli(capsys, "model", "odd/1")
    json_code, json_out, _ = _cli(capsys, "model", "odd/1", "--json")
    # Then it shows the first tags, says what it left out in one line, and has no run
    assert code == 0 and json_code == 0, err
    assert "  run      -" in out and "k000" in out
    assert (
        f"left out, unreadable in the registry: 2 lineage tags past the first {MAX_LINEAGE_TAGS}"
        in out
    )
    body = json.loads(json_out)
    assert body["run_id"] is None and len(body["lineage"]) == MAX_LINEAGE_TAGS
