"""Where a declared dataset came from (issue 24 §2): DVC pointers, read back with plain MLflow.

The DVC repositories here are made by the real ``dvc`` (pinned for tests): ``dvc init``,
``dvc remote add``, ``dvc add`` and ``dvc repro`` in a real git repository. The product itself
never runs ``dvc``: it reads the pointer files and ``.dvc/config`` as data.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import jupyterlab_xp as xp
from jupyterlab_xp.capture.datasets import dataset_checksum
from jupyterlab_xp.capture.dvc import dvc_provenance
from jupyterlab_xp.frontends.cli import main
from jupyterlab_xp.views.runview import run_detail

DVC = str(Path(sys.executable).with_name("dvc"))


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@e", *args],
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


def _dvc(repo: Path, *args: str) -> None:
    # DVC's own config, site cache and analytics stay inside the test's folder, offline.
    env = {
        **os.environ,
        "DVC_NO_ANALYTICS": "1",
        "DVC_SITE_CACHE_DIR": str(repo.parent / "dvc-site"),
        "DVC_GLOBAL_CONFIG_DIR": str(repo.parent / "dvc-global"),
        "DVC_SYSTEM_CONFIG_DIR": str(repo.parent / "dvc-system"),
    }
    subprocess.run([DVC, *args], cwd=repo, env=env, check=True, capture_output=True)


@pytest.fixture
def dvc_repo(tmp_path: Path) -> Path:
    """A git repository with DVC: a default remote whose URL holds a user and a password, a
    tracked file and a tracked folder, both pointers committed."""
    repo = tmp_path / "project"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _dvc(repo, "init", "-q")
    _dvc(repo, "remote", "add", "-d", "storage", "https://alice:s3cret@data.example.org/dvc")
    (repo / "train.csv").write_text("x,y\n1,2\n")
    (repo / "images").mkdir()
    (repo / "images" / "a.txt").write_text("a")
    (repo / "images" / "b.txt").write_text("b")
    _dvc(repo, "add", "-q", "train.csv", "images")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "data")
    return repo


def test_dvc_pointer_hash_remote_and_revision(store: Any, dvc_repo: Path) -> None:
    # Given DVC-tracked data in a repository, and a later commit that does not touch the pointer
    pointer_commit = _git(dvc_repo, "rev-parse", "HEAD")
    (dvc_repo / "README.md").write_text("later\n")
    _git(dvc_repo, "add", "README.md")
    _git(dvc_repo, "commit", "-qm", "docs")
    # When a run declares the file and a file inside the tracked folder
    with xp.start("dvc-data", seed=0) as run:
        xp.dataset(dvc_repo / "train.csv")
        xp.dataset(dvc_repo / "images" / "a.txt", name="images", context="evaluation")
    # Then each MLflow dataset input, read with plain MlflowClient, carries the pointer's md5,
    # the remote without its credentials and the commit that last changed the pointer
    from mlflow.tracking import MlflowClient

    inputs = MlflowClient(store.location.tracking_uri).get_run(run.run_id).inputs.dataset_inputs
    sources = {i.dataset.name: json.loads(i.dataset.source) for i in inputs}
    train = sources["train.csv"]["dvc"]
    written = (dvc_repo / "train.csv.dvc").read_text()
    assert f"md5: {train['hash']}" in written and train["hash_name"] == "md5"
    assert train["pointer"] == "train.csv.dvc" and train["size"] == len("x,y\n1,2\n")
    assert train["remote"] == "storage"
    assert train["remote_url"] == "https://data.example.org/dvc"
    assert train["git"] == {"commit": pointer_commit, "status": "committed"}
    images = sources["images"]["dvc"]
    assert images["pointer"] == "images.dvc" and images["out"] == "images"
    assert images["hash"].endswith(".dir") and images["nfiles"] == 2
    assert sources["train.csv"]["sha256"] == dataset_checksum(dvc_repo / "train.csv")["sha256"]
    assert "s3cret" not in json.dumps(sources) and "alice" not in json.dumps(sources)


def test_dvc_lock_stage_output_and_an_edited_pointer(dvc_repo: Path) -> None:
    # Given a pipeline stage reproduced by dvc (its output in dvc.lock), committed, and then a
    # pointer edited by hand in the work tree and a per-output remote over ssh with a user
    _dvc(dvc_repo, "stage", "add", "-q", "-n", "prep", "-o", "prepared.txt",
         "python -c \"open('prepared.txt', 'w').write('p')\"")  # fmt: skip
    _dvc(dvc_repo, "repro", "-q")
    _dvc(dvc_repo, "remote", "add", "backup", "ssh://bob@backup.example.org/srv/dvc")
    _git(dvc_repo, "add", "-A")
    _git(dvc_repo, "commit", "-qm", "stage")
    stage_commit = _git(dvc_repo, "rev-parse", "HEAD")
    pointer = dvc_repo / "train.csv.dvc"
    pointer.write_text(pointer.read_text() + "  remote: backup\n")
    # When both are read
    stage = dvc_provenance(dvc_repo / "prepared.txt")
    edited = dvc_provenance(dvc_repo / "train.csv")
    # Then the stage output names dvc.lock, its stage and the commit that added it; the edited
    # pointer says it is modified and names its own remote, without the user
    assert stage is not None and edited is not None
    assert stage["pointer"] == "dvc.lock" and stage["stage"] == "prep"
    assert stage["hash"] == hashlib.md5(b"p").hexdigest()  # DVC's md5 of a file: of its bytes
    assert stage["git"] == {"commit": stage_commit, "status": "committed"}
    assert edited["git"]["status"] == "modified"
    assert edited["remote"] == "backup"
    assert edited["remote_url"] == "ssh://backup.example.org/srv/dvc"


def test_a_dvc_yaml_output_not_locked_yet(
    store: Any, dvc_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a pipeline whose stage "prep" (its wdir a sub-folder, which dvc.lock's paths are
    # relative to) was reproduced, and a stage "later" added after it in the same wdir, that
    # dvc repro never ran (dvc.yaml only; its output made by hand), and a templated output
    # only DVC could resolve
    (dvc_repo / "sub").mkdir()
    _dvc(dvc_repo, "stage", "add", "-q", "-n", "prep", "-w", "sub", "-o", "prepared.txt",
         "python -c \"open('prepared.txt', 'w').write('p')\"")  # fmt: skip
    _dvc(dvc_repo, "repro", "-q")
    _dvc(dvc_repo, "stage", "add", "-q", "-n", "later", "-w", "sub", "-o", "later.txt",
         "python -c \"open('later.txt', 'w').write('l')\"")  # fmt: skip
    (dvc_repo / "sub" / "later.txt").write_text("l")
    with (dvc_repo / "dvc.yaml").open("a") as fh:
        fh.write("  each:\n    cmd: echo\n    outs:\n    - ${item}.txt\n")
    (dvc_repo / "${item}.txt").write_text("x")
    _git(dvc_repo, "add", "-A")
    _git(dvc_repo, "commit", "-qm", "stages")
    yaml_commit = _git(dvc_repo, "rev-parse", "HEAD")
    # When the three outputs are read, and a run declares the one not locked
    found = {n: dvc_provenance(dvc_repo / n) for n in ("sub/prepared.txt", "sub/later.txt")}
    templated = dvc_provenance(dvc_repo / "${item}.txt")
    with xp.start("unlocked", seed=0) as run:
        xp.dataset(dvc_repo / "sub" / "later.txt")
    # Then the locked one names dvc.lock and its md5; the other names dvc.yaml, its stage, no
    # hash and that it is not locked, with dvc.yaml's revision; the templated one is left out
    prepared, later = found["sub/prepared.txt"], found["sub/later.txt"]
    assert prepared is not None and later is not None
    assert (prepared["pointer"], prepared["hash"]) == ("dvc.lock", hashlib.md5(b"p").hexdigest())
    assert "note" not in prepared
    assert (later["pointer"], later["stage"], later["out"]) == ("dvc.yaml", "later", "later.txt")
    assert later["hash"] is None and later["hash_name"] is None
    assert later["note"] == "not locked: no hash"
    assert later["git"] == {"commit": yaml_commit, "status": "committed"}
    assert templated is None
    # ...and the run's input carries it, and jupyter xp show says so
    assert main(["show", run.run_id]) == 0
    assert "dvc dvc.yaml stage later: not locked: no hash  git " in capsys.readouterr().out


def test_untracked_data_and_data_outside_dvc(dvc_repo: Path, tmp_path: Path) -> None:
    # Given a file in the DVC repository that no pointer tracks, and a file outside any
    (dvc_repo / "loose.csv").write_text("1\n")
    outside = tmp_path / "elsewhere.csv"
    outside.write_text("1\n")
    # When their provenance is read
    found = [dvc_provenance(dvc_repo / "loose.csv"), dvc_provenance(outside)]
    # Then neither has any
    assert found == [None, None]


def test_show_prints_the_dvc_provenance(
    store: Any, dvc_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a run that declared DVC-tracked data
    with xp.start("dvc-shown", seed=0) as run:
        xp.dataset(dvc_repo / "train.csv")
    # When it is shown, as text and through the run detail every frontend reads
    assert main(["show", run.run_id]) == 0
    text = capsys.readouterr().out
    detail = run_detail(store, store.get_run(run.run_id))
    # Then the dataset, its DVC pointer, md5, revision and remote are there
    (entry,) = detail["datasets"]
    assert entry["dvc"]["pointer"] == "train.csv.dvc" and entry["context"] == "training"
    assert "\ndatasets\n  train.csv (training)" in text
    assert f"dvc train.csv.dvc: md5 {entry['dvc']['hash']}" in text
    assert "remote storage https://data.example.org/dvc" in text


def test_data_cards_found_beside_the_data_or_one_folder_up(
    store: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given data with each kind of card: a data_card.md beside a file, a dataset README with a
    # YAML header inside a folder, a croissant.json one folder up; a project README without a
    # YAML header (not a card) above two files that have none
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.csv").write_text("1\n")
    (tmp_path / "a" / "data_card.md").write_text("# x\nWhat it is.\n")
    (tmp_path / "b" / "images").mkdir(parents=True)
    (tmp_path / "b" / "images" / "1.txt").write_text("1")
    readme = "---\nlicense: cc-by-4.0\npretty_name: Images\n---\n# Images\n"
    (tmp_path / "b" / "images" / "README.md").write_text(readme)
    (tmp_path / "c" / "raw").mkdir(parents=True)
    (tmp_path / "c" / "raw" / "y.csv").write_text("2\n")
    croissant = {"@context": {"@vocab": "https://schema.org/"}, "@type": "sc:Dataset"}
    (tmp_path / "c" / "croissant.json").write_text(json.dumps(croissant))
    (tmp_path / "d" / "e").mkdir(parents=True)
    (tmp_path / "d" / "README.md").write_text("# My project\n---\n")
    (tmp_path / "d" / "e" / "z.csv").write_text("3\n")
    (tmp_path / "d" / "e" / "w.csv").write_text("4\n")
    # When a run declares all five
    with xp.start("cards", seed=0) as run:
        xp.dataset(tmp_path / "a" / "x.csv")
        xp.dataset(tmp_path / "b" / "images")
        xp.dataset(tmp_path / "c" / "raw" / "y.csv")
        xp.dataset(tmp_path / "d" / "e" / "z.csv")
        xp.dataset(tmp_path / "d" / "e" / "w.csv")
    err = capsys.readouterr().err
    # Then each card is recorded by kind, path and sha256 in the MLflow input's source, the
    # two datasets without one say so, and one line (not two) flagged it
    from mlflow.tracking import MlflowClient

    inputs = MlflowClient(store.location.tracking_uri).get_run(run.run_id).inputs.dataset_inputs
    cards = {i.dataset.name: json.loads(i.dataset.source)["card"] for i in inputs}
    assert {n: (c or {}).get("kind") for n, c in cards.items()} == {
        "x.csv": "data_card",
        "images": "dataset_readme",
        "y.csv": "croissant",
        "z.csv": None,
        "w.csv": None,
    }
    assert cards["images"]["path"] == str(tmp_path / "b" / "images" / "README.md")
    assert cards["images"]["sha256"] == hashlib.sha256(readme.encode()).hexdigest()
    assert cards["images"]["license"] == "cc-by-4.0" and cards["x.csv"]["license"] is None
    assert err.count("has no data card") == 1 and "'z.csv'" in err
    # ...and jupyter xp show prints them
    assert main(["show", run.run_id]) == 0
    shown = capsys.readouterr().out
    assert f"data card croissant {tmp_path / 'c' / 'croissant.json'}" in shown
    assert shown.count("no data card") == 2


def test_a_recording_kernel_records_dvc_and_hugging_face_data(
    kernel_factory: Any, store: Any, dvc_repo: Path
) -> None:
    # Given a real kernel recording a run, which imports datasets only after %xp start
    k = kernel_factory()
    assert k.execute("%load_ext jupyterlab_xp\n%xp start data")["status"] == "ok"
    # When a cell declares a DVC-tracked file and a Dataset built from a dict
    out = k.execute(
        "import datasets, jupyterlab_xp as xp\n"
        "ds = datasets.Dataset.from_dict({'id': ['a', 'b', 'c'], 'x': [1, 2, 3]})\n"
        f"xp.dataset({str(dvc_repo / 'train.csv')!r})\n"
        "xp.dataset(ds, name='rows')\n"
        "print(hasattr(datasets.load_dataset, '__xp_original__'), ds._fingerprint)"
    )
    assert out["status"] == "ok", out
    stopped = k.execute("%xp stop")
    assert stopped["status"] == "ok", stopped
    # Then load_dataset was wrapped on import, both datasets are MLflow inputs with their
    # provenance, and the file without a data card was flagged in the kernel's output
    wrapped, fingerprint = out["stdout"].split()
    from mlflow.tracking import MlflowClient

    client = MlflowClient(store.location.tracking_uri)
    (found,) = client.search_runs([e.experiment_id for e in client.search_experiments()])
    inputs = {i.dataset.name: i.dataset for i in found.inputs.dataset_inputs}
    assert wrapped == "True"
    assert inputs["rows"].digest == fingerprint and inputs["rows"].source_type == "hugging_face"
    dvc = json.loads(inputs["train.csv"].source)["dvc"]
    assert dvc["pointer"] == "train.csv.dvc" and dvc["git"]["status"] == "committed"
    assert "has no data card" in out["stderr"] + stopped["stderr"]


def test_a_hostile_dataset_input_costs_only_itself(store: Any) -> None:
    # Given a run written with plain MLflow calls: a well-formed input whose DVC part has a
    # wrong type in one field, an input whose source is not JSON, and one nested too deep
    from hostile_runs import deep_json, hostile_run

    good = {"uri": "file:///d", "sha256": "ab", "dvc": {"hash": "cd", "size": "big"}}
    run_id = hostile_run(
        store.location.tracking_uri,
        {},
        {},
        datasets=[("ok", json.dumps(good)), ("bad", "{"), ("deep", deep_json(1000))],
    )
    # When the run detail reads them
    detail = run_detail(store, store.get_run(run_id))
    # Then the good input is shown, without the DVC part that did not parse, and the other
    # two are left out and named in one unreadable line (inputs come back in no set order)
    assert [(d["name"], d["uri"], d["dvc"]) for d in detail["datasets"]] == [
        ("dok", "file:///d", None)
    ]
    assert "is not JSON" in detail["unreadable"]["datasets"]
    assert "nested deeper than" in detail["unreadable"]["datasets"]
