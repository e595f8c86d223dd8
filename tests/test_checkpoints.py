"""Checkpoints: an interrupted run resumes bit-identically; files are verified before loading.

The resume test trains a small MLP on scikit-learn's digits with a shuffling DataLoader (its
own torch.Generator) and dropout (torch's global RNG), so the RNG states are part of what a
checkpoint must carry: the same resume without them is shown to differ.
"""

from __future__ import annotations

import json
import re
import shutil
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import torch

import jupyterlab_xp as xp
from jupyterlab_xp.core import tags
from jupyterlab_xp.core.files import file_sha256
from jupyterlab_xp.frontends.render import render_detail
from jupyterlab_xp.server.models import RunDetail
from jupyterlab_xp.views.checkpoints import checkpoint_list
from jupyterlab_xp.views.runview import run_detail

# The in-process tests run on the embedded SQLite store and on the team server; the kernel
# tests (several kernels, torch training) on SQLite only.
STORE_KINDS = ("sqlite", "team")

TRAINING = """
import hashlib
import torch
import jupyterlab_xp as xp
from sklearn.datasets import load_digits

torch.set_num_threads(1)
digits = load_digits()
x = torch.tensor(digits.data / 16.0, dtype=torch.float32)
y = torch.tensor(digits.target)
x_train, y_train, x_val, y_val = x[:1400], y[:1400], x[1400:], y[1400:]
generator = torch.Generator().manual_seed(7)
loader = torch.utils.data.DataLoader(
    torch.utils.data.TensorDataset(x_train, y_train), batch_size=64, shuffle=True,
    generator=generator,
)
model = torch.nn.Sequential(
    torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Dropout(0.2), torch.nn.Linear(32, 10)
)
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)
loss_fn = torch.nn.CrossEntropyLoss()
seen = []

def train(epochs):
    for epoch in epochs:
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
        scheduler.step()
        model.eval()
        with torch.no_grad():
            logits = model(x_val)
            metrics = {
                "train/loss": loss.item(),
                "val/loss": loss_fn(logits, y_val).item(),
                "val/accuracy": (logits.argmax(1) == y_val).float().mean().item(),
            }
        if xp.active_run() is not None:
            xp.log(metrics, step=epoch)
        seen.append(metrics)

def digest():
    h = hashlib.sha256()
    for key, value in model.state_dict().items():
        h.update(key.encode())
        h.update(value.numpy().tobytes())
    return h.hexdigest()
"""


def _run(kernel: Any, code: str) -> str:
    out = kernel.execute(code)
    assert out["status"] == "ok", (out["error"], out["stderr"])
    return str(out["stdout"])


def _value(kernel: Any, expression: str) -> Any:
    return json.loads(_run(kernel, f"import json; print(json.dumps({expression}))").strip())


def _history(store: Any, run_id: str) -> dict[str, list[tuple[int, float]]]:
    keys = ("train/loss", "val/loss", "val/accuracy")
    return {k: [(s, v) for s, v, _ in store.metric_history(run_id, k)] for k in keys}


@pytest.mark.stores("sqlite")
def test_an_interrupted_run_resumes_bit_identically(kernel_factory: Any, store: Any) -> None:
    # Given a run trained 10 epochs in one go
    full = kernel_factory()
    _run(full, "%load_ext jupyterlab_xp\n%xp start full --seed 0")
    _run(full, TRAINING + "\ntrain(range(10))")
    full_digest = _value(full, "digest()")
    full_id = _value(full, "xp.active_run().run_id")
    _run(full, "%xp stop")
    full.shutdown()

    # When another kernel trains 5 epochs, checkpoints with %xp checkpoint, and stops
    first = kernel_factory()
    _run(first, "%load_ext jupyterlab_xp\n%xp start first --seed 0")
    _run(first, TRAINING + "\ntrain(range(5))")
    said = _run(first, "%xp checkpoint mlp --step 5")
    first_id = _value(first, "xp.active_run().run_id")
    _run(first, "%xp stop")
    first.shutdown()
    # ...and a fresh kernel loads it and trains the remaining 5 epochs
    resumed = kernel_factory()
    _run(resumed, "%load_ext jupyterlab_xp\n%xp start resumed --seed 0")
    _run(resumed, TRAINING)
    step = _value(
        resumed,
        f"xp.load_checkpoint('{first_id}:mlp', model=model, optimizer=optimizer, "
        "scheduler=scheduler, generator=generator).step",
    )
    _run(resumed, "train(range(5, 10))")
    resumed_digest = _value(resumed, "digest()")
    resumed_id = _value(resumed, "xp.active_run().run_id")
    _run(resumed, "%xp stop")

    # Then the magic found the model, optimizer, scheduler and generator by type
    assert re.search(
        r"checkpoint mlp v1 saved \(model 'model', optimizer 'optimizer', "
        r"scheduler 'scheduler', generator 'generator'",
        said,
    ), said
    assert step == 5
    # ...the final weights and every logged metric are bit-identical to the uninterrupted run
    assert resumed_digest == full_digest
    full_history = _history(store, full_id)
    first_history, resumed_history = _history(store, first_id), _history(store, resumed_id)
    for key, values in full_history.items():
        assert len(values) == 10
        assert first_history[key] + resumed_history[key] == values, key
    # ...and the resumed run says where it resumed from
    assert store.get_run(resumed_id).data.tags[tags.RESUMED_FROM] == f"{first_id}:mlp:1"

    # When the same resume skips the RNG states (fresh generator, torch's global RNG as it is)
    _run(resumed, TRAINING)
    _run(
        resumed,
        f"xp.load_checkpoint('{first_id}:mlp', model=model, optimizer=optimizer, "
        "scheduler=scheduler, restore_rng=False)\ntrain(range(5, 10))",
    )
    # Then the run no longer reproduces: the RNG restore is what made it exact
    assert _value(resumed, "digest()") != full_digest
    unrestored = _value(resumed, "[m['val/loss'] for m in seen]")
    assert unrestored != [v for _, v in full_history["val/loss"][5:]]


@pytest.mark.stores("sqlite")
def test_without_torch_a_checkpoint_keeps_extra_and_python_numpy_rng(
    kernel_factory: Any,
) -> None:
    # Given a kernel that never imports torch
    kernel = kernel_factory()
    _run(kernel, "%load_ext jupyterlab_xp\nimport jupyterlab_xp as xp, random, sys, numpy")
    _run(kernel, "%xp start plain --seed 3")
    # When it checkpoints (API and magic) and draws numbers, then loads the first checkpoint
    _run(
        kernel,
        "ck = xp.checkpoint('state', step=2, extra={'best': 0.5, 'kept': numpy.arange(3)})\n"
        "drawn = [random.random(), float(numpy.random.rand())]\n"
        "%xp checkpoint plain\n"
        "loaded = xp.load_checkpoint(ck['ref'])\n"
        "again = [random.random(), float(numpy.random.rand())]",
    )
    # Then the RNG states came back, extra with its NumPy array, and torch was never imported
    assert _value(kernel, "drawn == again") is True
    assert _value(kernel, "loaded.extra['kept'].tolist()") == [0, 1, 2]
    assert _value(kernel, "sorted(loaded.restored)") == ["numpy", "python"]
    assert _value(kernel, "loaded.metadata['objects']") == {}
    assert _value(kernel, "'torch' in sys.modules") is False
    # ...and a %xp checkpoint error is one line that leaves the run recording
    out = kernel.execute("%xp checkpoint ../up")
    assert out["stderr"].strip().startswith("UsageError: checkpoint name must be"), out
    assert len(out["stderr"].strip().splitlines()) == 1
    assert _value(kernel, "xp.active_run() is not None") is True
    _run(kernel, "%xp stop")


def test_each_checkpoint_is_an_mlflow_logged_model_with_its_step_and_metrics(
    kernel_factory: Any, store: Any
) -> None:
    from mlflow.tracking import MlflowClient

    # Given a run that logs metrics, checkpoints at step 2, logs more and checkpoints again
    kernel = kernel_factory()
    _run(kernel, "%load_ext jupyterlab_xp\nimport jupyterlab_xp as xp\n%xp start models")
    _run(
        kernel,
        "xp.log({'val/accuracy': 0.5, 'val/loss': 1.0}, step=1)\n"
        "xp.log({'val/accuracy': 0.75}, step=2)\n"
        "first = xp.checkpoint('best', step=2, extra={'note': 'first'})\n"
        "xp.log({'val/accuracy': 0.875}, step=3)\n"
        "second = xp.checkpoint('best', step=3)",
    )
    run_id = _value(kernel, "xp.active_run().run_id")
    _run(kernel, "%xp stop")
    # When plain MLflow searches the experiment's logged models
    client = MlflowClient(tracking_uri=store.location.tracking_uri)
    experiment_id = store.get_run(run_id).info.experiment_id
    found = client.search_logged_models([experiment_id])
    models = sorted(found, key=lambda m: int(m.params["step"]))
    # Then each checkpoint version is one, READY, from this run, with its step and version
    assert [(m.name, m.params["step"], m.params["version"]) for m in models] == [
        ("best", "2", "1"),
        ("best", "3", "2"),
    ]
    assert {m.source_run_id for m in models} == {run_id}
    assert all(str(m.status) in ("READY", "LoggedModelStatus.READY") for m in models)
    # ...with the run's metrics as they stood when it was saved
    first = {m.key: (m.value, m.step) for m in models[0].metrics or []}
    assert first == {"val/accuracy": (0.75, 2), "val/loss": (1.0, 1)}
    second = {m.key: m.value for m in models[1].metrics or []}
    assert second["val/accuracy"] == 0.875
    # ...and where its files are: the run's own checkpoint folder, which resume reads
    folder = _value(kernel, "first['path']")
    assert models[0].tags["xp.checkpoint.uri"] == f"runs:/{run_id}/{folder}"
    assert store.artifacts.read_text(run_id, f"{folder}/metadata.json") is not None
    outputs = store.get_run(run_id).outputs.model_outputs  # MLflow's UI lists them with the run
    assert {o.model_id for o in outputs} == {m.model_id for m in found}
    # ...and the run's own metric history has no second copy of those points
    assert [v for _, v, _ in store.metric_history(run_id, "val/accuracy")] == [0.5, 0.75, 0.875]


def _linear(seed: int) -> torch.nn.Linear:
    torch.manual_seed(seed)
    return torch.nn.Linear(4, 2)


def test_a_changed_or_truncated_file_is_refused_before_anything_loads(store: Any) -> None:
    # Given two checkpoints of a run
    with xp.start("tamper", seed=1):
        saved = _linear(0)
        changed = xp.checkpoint("m", model=saved, step=1)
        truncated = xp.checkpoint("m", model=saved, step=2)
    data = bytearray((Path(changed["folder"]) / "model.pt").read_bytes())
    data[-40] ^= 0xFF  # one flipped bit pattern, same size
    (Path(changed["folder"]) / "model.pt").write_bytes(bytes(data))
    rng = Path(truncated["folder"]) / "rng.json"
    rng.write_bytes(rng.read_bytes()[:100])
    target = _linear(5)
    before = [p.detach().clone() for p in target.parameters()]

    # When they are loaded, Then each is a one-line error naming the file
    with pytest.raises(xp.XpError, match=r"checkpoint file model\.pt fails its sha256 check"):
        xp.load_checkpoint(changed["folder"], model=target)
    with pytest.raises(xp.XpError, match=r"checkpoint file rng\.json is 100 bytes.*truncated"):
        xp.load_checkpoint(truncated["folder"], model=target)
    # ...and nothing was loaded into the model
    assert all(torch.equal(a, b) for a, b in zip(before, target.parameters(), strict=True))


def test_versions_count_per_name_and_run_name_version_resolve(store: Any, xp_home: Path) -> None:
    # Given a run with three checkpoints "a" and one "b" (the last)
    with xp.start("versions", seed=2) as run:
        for i in range(3):
            xp.checkpoint("a", step=i, extra={"i": i})
        xp.checkpoint("b", step=10, extra={"i": "b", "obj": {1, 2}})
    run_id = run.run_id
    assert run_id is not None

    # Then versions are 1, 2, 3 per name, stored as checkpoints/{name}/{version}/{timestamp}/
    listed = store.client.list_artifacts(run_id, "checkpoints/a")
    assert sorted(Path(f.path).name for f in listed) == ["1", "2", "3"]
    stamps = store.client.list_artifacts(run_id, "checkpoints/a/2")
    assert len(stamps) == 1 and re.fullmatch(r"\d{8}T\d{12}Z", Path(stamps[0].path).name)
    # ...and the run detail (REST body) lists them with step, size and metadata checksum
    body = RunDetail.model_validate(run_detail(store, store.get_run(run_id)))
    listed_ckpts = [(c.name, c.version, c.step) for c in body.checkpoints]
    assert listed_ckpts == [("a", 1, 0), ("a", 2, 1), ("a", 3, 2), ("b", 1, 10)]
    first = Path(xp_home / "runs" / run.local_id / body.checkpoints[0].path)
    assert body.checkpoints[0].sha256 == file_sha256(first / tags.CHECKPOINT_METADATA)
    assert body.checkpoints[0].size == sum(
        p.stat().st_size for p in first.iterdir() if p.name != tags.CHECKPOINT_METADATA
    )
    # ...and so does jupyter xp show
    shown = render_detail(run_detail(store, store.get_run(run_id)))
    line = rf'a v3  step 2  [\d,]+ bytes  sha256 \w{{12}}  xp.load_checkpoint\("{run_id}:a:3"\)'
    assert re.search(line, shown), shown
    # ...RUN:NAME is the latest version, RUN:NAME:VERSION that one, RUN alone the last name
    assert xp.load_checkpoint(f"{run_id}:a").extra == {"i": 2}
    assert xp.load_checkpoint(f"{run_id[:10]}:a:2").step == 1
    assert xp.load_checkpoint(run_id).name == "b"
    with pytest.raises(xp.XpError, match=r"no version 4 of checkpoint 'a' \(it has 1, 2, 3\)"):
        xp.load_checkpoint(f"{run_id}:a:4")
    with pytest.raises(xp.XpError, match=r"no checkpoint 'c' \(it has a, b\)"):
        xp.load_checkpoint(f"{run_id}:c")

    # When the local run folder's checkpoints are gone, Then they come from the store
    local = xp_home / "runs" / run.local_id / tags.CHECKPOINTS_DIR
    shutil.rmtree(local)
    with xp.start("resumer", seed=3) as resumer:
        loaded = xp.load_checkpoint(f"{run_id}:a:2")
        assert loaded.extra == {"i": 1} and loaded.params == {"seed": "2"}
        assert Path(loaded.path).is_relative_to(xp_home / "cache")
        # ...but a pickle from the store is not unpickled unless asked
        with pytest.raises(xp.XpError, match=r"extra .* is a pickle.*allow_pickle=True"):
            xp.load_checkpoint(f"{run_id}:b")
        assert xp.load_checkpoint(f"{run_id}:b", allow_pickle=True).extra["obj"] == {1, 2}
    resumed = store.get_run(resumer.run_id)
    assert resumed.data.tags[tags.RESUMED_FROM] == f"{run_id}:b:1"
    metadata = json.loads(
        (Path(loaded.path) / tags.CHECKPOINT_METADATA).read_text(encoding="utf-8")
    )
    assert metadata["run_id"] in (None, run_id) and metadata["local_id"] == run.local_id
    assert set(metadata["files"]) == {"extra.json", "params.json", "rng.json", "rng_torch.pt"}


def test_the_run_detail_leaves_out_malformed_index_entries() -> None:
    # Given an index read back from the store with entries that are not what we write
    good = {
        "name": "mlp",
        "version": 2,
        "step": 4,
        "size": 10,
        "sha256": "a" * 64,
        "path": "checkpoints/mlp/2/20261202T051023666099Z",
        "timestamp": "20261202T051023666099Z",
    }
    index = [
        good,
        {**good, "name": "../etc"},
        {**good, "version": "2"},
        {**good, "sha256": "<b>"},
        {**good, "path": "/etc/passwd"},
        {**good, "step": True},
        "not an entry",
    ]
    # Then only the well-formed one is listed
    assert checkpoint_list(index) == [good]
    assert checkpoint_list({"not": "a list"}) == []


def test_a_secret_in_a_checkpoint_is_redacted_in_the_store_and_its_copy_says_so(
    store: Any, xp_home: Path
) -> None:
    # Given a run whose params hold a token, checkpointed, its local folder then gone
    token = "ghp_" + "aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6"
    with xp.start("leaky", seed=4) as run:
        xp.param(gh_token=token)
        xp.checkpoint("state", step=1)
    shutil.rmtree(xp_home / "runs" / run.local_id / tags.CHECKPOINTS_DIR)

    # When it is loaded from the store
    with pytest.raises(xp.XpError) as failure:
        xp.load_checkpoint(f"{run.run_id}:state")

    # Then the store's copy never held the token, and the error names the file and why
    message = str(failure.value)
    assert "params.json fails its sha256 check (a secret in it was redacted" in message
    folder = json.loads(store.artifacts.read_text(run.run_id, "xp/checkpoints.json"))[0]["path"]
    copied = store.artifacts.read_text(run.run_id, f"{folder}/params.json")
    assert token not in copied and "<redacted>" in copied
    # ...and the copy that failed is not kept: the next try downloads again
    assert not list((xp_home / "cache").rglob("params.json"))


class _Stateful:
    """An object whose state holds more than tensors and plain values (a Fraction)."""

    def __init__(self) -> None:
        self.state: Any = {"w": torch.ones(2), "ratio": Fraction(1, 3)}

    def state_dict(self) -> Any:
        return self.state

    def load_state_dict(self, state: Any) -> None:
        self.state = state


@pytest.mark.stores("sqlite")
def test_state_beyond_tensors_is_unpickled_only_from_this_machines_run_folders(
    store: Any, tmp_path: Path
) -> None:
    # Given a checkpoint whose model state needs real unpickling, and a copy of it elsewhere
    with xp.start("odd-state", seed=5):
        saved = xp.checkpoint("odd", model=_Stateful())
    elsewhere = Path(shutil.copytree(saved["folder"], tmp_path / "from-a-colleague"))
    target = _Stateful()
    target.state = None

    # When the copy is loaded, Then torch.load(weights_only=True) refuses it, in one line
    with pytest.raises(xp.XpError, match=r"model\.pt of .* unpickling them runs code"):
        xp.load_checkpoint(elsewhere, model=target)
    assert target.state is None
    # ...while the run folder it was written to loads, and the copy does when allowed
    xp.load_checkpoint(saved["folder"], model=target)
    assert target.state["ratio"] == Fraction(1, 3)
    xp.load_checkpoint(elsewhere, model=target, allow_pickle=True)
