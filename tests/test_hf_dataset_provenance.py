"""Hugging Face ``datasets`` objects given to ``xp.dataset`` (issue 24 §2), with no download.

Every dataset here is built locally from a dict. A Hub-loaded one is built the same way with the
``DatasetInfo`` that ``load_dataset`` gives a Hub dataset: its data files' checksums keyed by
``hf://datasets/REPO@COMMIT/...`` URLs (what datasets 5 writes; nothing is fetched).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import datasets
import pytest

import jupyterlab_xp as xp
from jupyterlab_xp.frontends.cli import main
from jupyterlab_xp.kernel.hf_datasets import REQUESTED

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def _rows(n: int) -> dict[str, list[Any]]:
    return {"id": [f"ex-{i}" for i in range(n)], "x": list(range(n))}


def _hub_dataset(n: int, repo: str = "org/tiny") -> datasets.Dataset:
    info = datasets.DatasetInfo(
        dataset_name=repo.rpartition("/")[2],
        config_name="default",
        download_checksums={f"hf://datasets/{repo}@{COMMIT}/data/train.parquet": {"num_bytes": 10}},
    )
    return datasets.Dataset.from_dict(_rows(n), info=info)


def _inputs(store: Any, run_id: str) -> dict[str, Any]:
    from mlflow.tracking import MlflowClient

    run = MlflowClient(store.location.tracking_uri).get_run(run_id)
    return {i.dataset.name: i.dataset for i in run.inputs.dataset_inputs}


def test_dataset_and_dataset_dict_are_mlflow_inputs(store: Any) -> None:
    # Given a local Dataset and a DatasetDict of two splits
    train = datasets.Dataset.from_dict(_rows(5))
    splits = datasets.DatasetDict({"train": train, "test": train.select([0, 1])})
    # When a run declares both
    with xp.start("hf-data", seed=0) as run:
        xp.dataset(train, name="train")
        xp.dataset(splits, name="all", context="evaluation")
    # Then plain MLflow reads them back as hugging_face inputs: fingerprints, split sizes
    inputs = _inputs(store, run.run_id)
    assert inputs["train"].source_type == "hugging_face"
    assert inputs["train"].digest == train._fingerprint
    source = json.loads(inputs["all"].source)
    assert source["splits"] == {"train": 5, "test": 2}
    assert source["fingerprints"]["test"] == splits["test"]._fingerprint
    assert source["revision"] is None and source["pinned"] is None
    assert json.loads(inputs["all"].profile) == {"num_rows": {"train": 5, "test": 2}}
    assert store.get_run(run.run_id).data.tags["xp.dataset.train"] == train._fingerprint


def test_hub_revision_recorded_and_an_unpinned_load_said_once(
    store: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given two Hub datasets loaded without a pinned revision and one loaded with the commit
    unpinned, again, pinned = _hub_dataset(3), _hub_dataset(4), _hub_dataset(2)
    setattr(unpinned, REQUESTED, ("org/tiny", None))
    setattr(again, REQUESTED, ("org/tiny", "main"))
    setattr(pinned, REQUESTED, ("org/tiny", COMMIT))
    # When a run declares all three
    with xp.start("hub-data", seed=0) as run:
        xp.dataset(unpinned, name="a")
        xp.dataset(again, name="b")
        xp.dataset(pinned, name="c")
    err = capsys.readouterr().err
    # Then each records the commit it was read at; one line says the first was not pinned
    sources = {n: json.loads(d.source) for n, d in _inputs(store, run.run_id).items()}
    assert {n: (s["repo"], s["revision"], s["pinned"]) for n, s in sources.items()} == {
        "a": ("org/tiny", COMMIT, False),
        "b": ("org/tiny", COMMIT, False),
        "c": ("org/tiny", COMMIT, True),
    }
    assert err.count("without a pinned revision") == 1
    assert f'revision="{COMMIT}"' in err
    # ...and jupyter xp show prints it
    assert main(["show", run.run_id]) == 0
    shown = capsys.readouterr().out
    assert f"datasets hub org/tiny@{COMMIT} (NOT pinned)  config default  rows: data 3" in shown
    assert f"datasets hub org/tiny@{COMMIT} (pinned)" in shown


def _hub_cache(root: Path, repo: str, card: str) -> Path:
    """A cache laid out as huggingface_hub lays it out: ``datasets--ORG--NAME/`` holds
    ``blobs/<file hash>`` (the bytes), ``refs/main`` (the commit the branch was at) and
    ``snapshots/<commit>/README.md``, a relative symlink to its blob."""
    repo_dir = root / f"datasets--{repo.replace('/', '--')}"
    blob = repo_dir / "blobs" / hashlib.sha1(card.encode()).hexdigest()  # (git's is salted)
    blob.parent.mkdir(parents=True)
    blob.write_text(card)
    (repo_dir / "refs").mkdir()
    (repo_dir / "refs" / "main").write_text(COMMIT)
    snapshot = repo_dir / "snapshots" / COMMIT
    snapshot.mkdir(parents=True)
    (snapshot / "README.md").symlink_to(Path("..") / ".." / "blobs" / blob.name)
    return snapshot / "README.md"


def test_a_hub_dataset_card_is_read_from_the_local_hub_cache(
    store: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a hub cache holding org/tiny's README at the commit read (a YAML header with its
    # license), and nothing of org/other
    import huggingface_hub.constants

    card = "---\nlicense: cc-by-4.0\npretty_name: Tiny\n---\n# Tiny\nWhat it is.\n"
    readme = _hub_cache(tmp_path / "hub", "org/tiny", card)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    # When a run declares a dataset of each, read at that commit
    with xp.start("hub-cards", seed=0) as run:
        xp.dataset(_hub_dataset(3), name="tiny")
        xp.dataset(_hub_dataset(2, "org/other"), name="other")
    err = capsys.readouterr().err
    # Then the first input's source names the cached README, its sha256 and license; the second
    # says its card is not in the local cache, and neither is flagged as having no card
    sources = {n: json.loads(d.source) for n, d in _inputs(store, run.run_id).items()}
    assert sources["tiny"]["card"] == {
        "path": str(readme),
        "kind": "hub_readme",
        "sha256": hashlib.sha256(card.encode()).hexdigest(),
        "bytes": len(card),
        "license": "cc-by-4.0",
    }
    assert sources["other"]["card"] is None
    assert sources["other"]["card_note"] == "not in the local cache"
    assert "has no data card" not in err
    # ...and jupyter xp show prints both
    assert main(["show", run.run_id]) == 0
    shown = capsys.readouterr().out
    assert f"data card hub_readme {readme}  sha256 " in shown and "license cc-by-4.0" in shown
    assert "data card not in the local cache" in shown


def test_the_hub_cache_is_where_huggingface_hub_puts_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given huggingface_hub not imported, and each environment variable it reads
    from jupyterlab_xp.capture.data_cards import find_hub_card, hub_cache

    monkeypatch.delitem(sys.modules, "huggingface_hub.constants")
    for name in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    found = [hub_cache()]
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    found.append(hub_cache())
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    found.append(hub_cache())
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "cache"))
    found.append(hub_cache())
    # Then the cache folder follows them in huggingface_hub's order, and a repository name that
    # would leave it is not looked up
    assert found == [
        tmp_path / "home" / ".cache" / "huggingface" / "hub",
        tmp_path / "xdg" / "huggingface" / "hub",
        tmp_path / "hf" / "hub",
        tmp_path / "cache",
    ]
    _hub_cache(tmp_path / "cache", "org/tiny", "# no header: still the repository's card\n")
    assert find_hub_card("org/tiny", COMMIT)["card"]["kind"] == "hub_readme"
    assert find_hub_card("../tiny", COMMIT) == {"card": None, "card_note": "not in the local cache"}


def test_split_takes_a_dataset_with_an_id_column() -> None:
    # Given a Dataset whose id column is not its row order
    ids = [f"ex-{i}" for i in (7, 3, 9, 1, 5, 0, 2, 8, 6, 4)]
    data = datasets.Dataset.from_dict({"id": ids, "x": list(range(10))})
    # When it is split, and so are its ids as a list
    by_dataset = xp.split(data, {"train": 0.7, "test": 0.3}, seed=1)
    by_ids = xp.split(ids, {"train": 0.7, "test": 0.3}, seed=1)
    by_position = xp.split(10, {"train": 0.7, "test": 0.3}, seed=1)
    # Then the split follows the ids, not the positions
    assert {k: list(v) for k, v in by_dataset.items()} == {k: list(v) for k, v in by_ids.items()}
    assert {k: list(v) for k, v in by_dataset.items()} != {
        k: list(v) for k, v in by_position.items()
    }


def test_wrong_object_is_a_clear_error(store: Any) -> None:
    with xp.start("not-data", seed=0), pytest.raises(xp.XpError, match="Hugging Face"):
        xp.dataset(object())


def test_datasets_is_not_imported_by_the_recorder(tmp_path: Path, xp_home: Path) -> None:
    # Given a script that records a run declaring a file, without importing datasets
    (tmp_path / "d.csv").write_text("1\n")
    script = (
        "import sys, jupyterlab_xp as xp\n"
        "with xp.start('no-hf', seed=0):\n"
        f"    xp.dataset({str(tmp_path / 'd.csv')!r})\n"
        "print('datasets' in sys.modules, 'huggingface_hub' in sys.modules)\n"
    )
    # When it runs
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=300
    )
    # Then datasets was never imported
    assert done.stdout.strip().splitlines()[-1] == "False False"


def test_load_dataset_in_a_recording_notes_the_revision_asked_for(
    store: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a recording (which wraps datasets.load_dataset) and a local CSV file
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    (tmp_path / "rows.csv").write_text("id,x\na,1\nb,2\n")
    with xp.start("loaded", seed=0) as run:
        # When the real load_dataset reads it, asked for a branch name, and xp.dataset names it
        loaded = datasets.load_dataset(
            "csv",
            data_files=str(tmp_path / "rows.csv"),
            cache_dir=str(tmp_path / "hf-cache"),
            revision="main",
        )
        named = xp.dataset(loaded, name="rows")
    # Then the call was seen on the DatasetDict and its splits; the load declared it under the
    # file's name, and xp.dataset only added a name
    assert getattr(loaded, REQUESTED) == ("csv", "main")
    assert getattr(loaded["train"], REQUESTED) == ("csv", "main")
    inputs = _inputs(store, run.run_id)
    assert list(inputs) == ["rows.csv"] and named == "rows"
    source = json.loads(inputs["rows.csv"].source)
    assert source["splits"] == {"train": 2} and source["revision"] is None
    run_tags = store.get_run(run.run_id).data.tags
    assert run_tags["xp.dataset.rows"] == run_tags["xp.dataset.rows.csv"]
    assert run_tags["xp.dataset.rows"].startswith(inputs["rows.csv"].digest)  # (36 in MLflow)


def test_load_dataset_names() -> None:
    # Given the arguments of load_dataset calls: a Hub repository with a config, a packaged
    # builder with one file, one with several, one with a data_dir, and a name with characters
    # a key may not hold
    from jupyterlab_xp.kernel.hf_datasets import load_name

    calls = [
        {"path": "org/tiny", "name": "sst2"},
        {"path": "json", "data_files": "/data/a b.jsonl"},
        {"path": "csv", "data_files": {"train": "t.csv", "test": "e.csv"}},
        {"path": "imagefolder", "data_dir": "/data/pets/"},
        {"path": "org/../x", "name": "c#1"},
    ]
    # When each is named / Then the repository, the file, the builder, the folder; no part
    # that looks like a path
    assert [load_name(c) for c in calls] == [
        "org/tiny:sst2",
        "a b.jsonl",
        "csv",
        "pets",
        "org/x:c_1",
    ]


def test_a_failure_of_the_recorder_leaves_load_dataset_alone(
    store: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a recording in which describing a dataset fails, and a local CSV file
    from jupyterlab_xp.kernel import hf_datasets

    def broken(obj: Any) -> dict[str, Any]:
        raise RuntimeError("describe broke")

    monkeypatch.setattr(hf_datasets, "describe", broken)
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    (tmp_path / "rows.csv").write_text("id,x\na,1\nb,2\n")
    with xp.start("broken", seed=0) as run:
        # When load_dataset is called twice
        got = [
            datasets.load_dataset(
                "csv", data_files=str(tmp_path / "rows.csv"), cache_dir=str(tmp_path / "c")
            )
            for _ in range(2)
        ]
    # Then the user gets the datasets, one line says they were not recorded, and none is
    assert [list(g["train"]["x"]) for g in got] == [[1, 2], [1, 2]]
    err = capsys.readouterr().err
    assert err.count("this load_dataset is not recorded: RuntimeError: describe broke") == 1
    assert _inputs(store, run.run_id) == {}


def test_a_recording_kernel_declares_what_load_dataset_returns(
    kernel_factory: Any, store: Any, tmp_path: Path
) -> None:
    # Given a real kernel, offline, that imported load_dataset in its first cell and then
    # started recording a run (a later import is tested in test_dataset_provenance), and a CSV
    # file written here
    (tmp_path / "rows.csv").write_text("id,x\na,1\nb,2\nc,3\n")
    offline = {"HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf")}
    k = kernel_factory(extra_env=offline)
    assert k.execute("from datasets import load_dataset")["status"] == "ok"
    assert k.execute("%load_ext jupyterlab_xp\n%xp start loaded")["status"] == "ok"
    # When a cell loads it with load_dataset, and a later cell declares it twice more
    loaded = k.execute(
        "import jupyterlab_xp as xp\n"
        f"ds = load_dataset('csv', data_files={str(tmp_path / 'rows.csv')!r})\n"
        "print(type(ds).__name__, ds['train'].num_rows, list(ds['train']['x']))"
    )
    assert loaded["status"] == "ok", loaded
    again = k.execute("print(xp.dataset(ds), xp.dataset(ds, name='rows'))")
    assert again["status"] == "ok", again
    assert k.execute("%xp stop")["status"] == "ok"
    # Then the user's value is what load_dataset gave, and plain MLflow reads exactly one input,
    # named for the file, with its split sizes; the second name is a tag on the same digest
    from mlflow.tracking import MlflowClient

    assert loaded["stdout"].splitlines()[-1] == "DatasetDict 3 [1, 2, 3]"  # (after progress)
    assert again["stdout"].strip() == "rows.csv rows"
    client = MlflowClient(store.location.tracking_uri)
    (found,) = client.search_runs([e.experiment_id for e in client.search_experiments()])
    (only,) = found.inputs.dataset_inputs
    assert only.dataset.name == "rows.csv" and only.dataset.source_type == "hugging_face"
    assert json.loads(only.dataset.source)["splits"] == {"train": 3}
    assert found.data.tags["xp.dataset.rows"] == found.data.tags["xp.dataset.rows.csv"]
    assert found.data.tags["xp.dataset.rows"].startswith(only.dataset.digest)
