"""xp.split and xp.log_predictions: hash-based splits checked against an independent formula,
stratification, edge cases, and in real kernels what a run records (sizes, checksums, the
predictions file in the store) and the warning when the experiment's test split changes."""

from __future__ import annotations

import hashlib
import io
import math
import re
import time
from collections import Counter
from typing import Any

import numpy as np
import pyarrow.parquet as pq
import pytest

import jupyterlab_xp as xp
from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.kernel.predictions import detect_task, prediction_columns

# The kernel tests run on the embedded SQLite store and on the team server (see conftest.py).
STORE_KINDS = ("sqlite", "team")


def _reference_split(ids: list[Any], fractions: list[tuple[str, float]], seed: int) -> dict:
    """The documented rule, written out independently: blake2b-64 keys, round-half-up cuts."""
    key = {
        p: int(hashlib.blake2b(f"{seed}:{i}".encode(), digest_size=8).hexdigest(), 16)
        for p, i in enumerate(ids)
    }
    ordered = sorted(range(len(ids)), key=lambda p: (key[p], p))
    out, start, cumulative = {}, 0, 0.0
    for k, (name, fraction) in enumerate(fractions):
        cumulative += fraction
        end = len(ids) if k == len(fractions) - 1 else math.floor(len(ids) * cumulative + 0.5)
        out[name] = sorted(ordered[start:end])
        start = end
    return out


# README: "its key is the first 8 bytes"
def test_split_of_ten_items_is_fixed_forever() -> None:
    # Given 10 items and 60/20/20
    result = xp.split(10, {"train": 0.6, "val": 0.2, "test": 0.2}, seed=0)
    # Then the split is these positions: literal values, which no library upgrade may change
    assert {k: v.tolist() for k, v in result.items()} == {
        "train": [3, 4, 5, 7, 8, 9],
        "val": [2, 6],
        "test": [0, 1],
    }
    assert all(v.dtype == np.int64 for v in result.values())
    # ...which is what the documented rule gives, computed independently
    assert {k: v.tolist() for k, v in result.items()} == _reference_split(
        list(range(10)), [("train", 0.6), ("val", 0.2), ("test", 0.2)], 0
    )
    # ...and its recorded checksum is sha256 of the little-endian int64 positions
    test_bytes = b"".join(i.to_bytes(8, "little") for i in (0, 1))
    assert hashlib.sha256(test_bytes).hexdigest() == (
        "9d34149fbd1fe777eb238799054c8cbfbce372255f219f8740838def9bfd02db"
    )


# README: "its key is the first 8 bytes"
# README: "so sizes are within one of `m · f` and add up"
@pytest.mark.parametrize("seed", [0, 1, 12345])
def test_split_of_ids_follows_the_rule_and_covers_every_item_once(seed: int) -> None:
    ids = [f"img-{i:04d}" for i in range(997)]
    fractions = [("train", 0.8), ("val", 0.1), ("test", 0.1)]
    result = xp.split(np.array(ids), dict(fractions), seed=seed)
    assert {k: v.tolist() for k, v in result.items()} == _reference_split(ids, fractions, seed)
    assert sorted(np.concatenate(list(result.values())).tolist()) == list(range(997))
    assert [len(result[k]) for k, _ in fractions] == [798, 99, 100]  # 797.6 -> 798, 897.3 -> 897


# README: "so sizes are within one of `m · f` and add up"
def test_stratified_split_keeps_each_class_in_proportion() -> None:
    # Given 3 unbalanced classes (500, 300, 97 items)
    labels = np.array([0] * 500 + [1] * 300 + [2] * 97)
    rng = np.random.default_rng(0)
    labels = labels[rng.permutation(len(labels))]
    # When split 80/10/10 stratified
    result = xp.split(len(labels), {"train": 0.8, "val": 0.1, "test": 0.1}, stratify=labels)
    # Then each class is cut by the rule on its own: round(m * 0.8), round(m * 0.9) - that
    counts = {name: Counter(labels[idx].tolist()) for name, idx in result.items()}
    for label, m in ((0, 500), (1, 300), (2, 97)):
        train, upto_val = math.floor(m * 0.8 + 0.5), math.floor(m * 0.9 + 0.5)
        assert counts["train"][label] == train
        assert counts["val"][label] == upto_val - train
        assert counts["test"][label] == m - upto_val
    # ...and within a class the order is the hash order, as without stratification
    members = np.flatnonzero(labels == 2).tolist()
    ids_of_class = [members[i] for i in range(len(members))]
    reference = _reference_split(ids_of_class, [("train", 0.8), ("val", 0.1), ("test", 0.1)], 0)
    assert result["test"][labels[result["test"]] == 2].tolist() == sorted(
        ids_of_class[p] for p in reference["test"]
    )


def test_datasets_split_by_position_or_their_ids() -> None:
    import torch
    from sklearn.datasets import load_digits
    from torch.utils.data import TensorDataset

    digits = load_digits()
    by_bunch = xp.split(digits, {"train": 0.9, "test": 0.1})
    assert {k: v.tolist() for k, v in by_bunch.items()} == {
        k: v.tolist() for k, v in xp.split(len(digits.data), {"train": 0.9, "test": 0.1}).items()
    }
    dataset = TensorDataset(torch.zeros(50, 2))
    assert len(xp.split(dataset, {"a": 0.5, "b": 0.5})["a"]) == 25
    dataset.ids = [f"x{i}" for i in range(50)]  # type: ignore[attr-defined]
    assert xp.split(dataset, {"a": 0.5, "b": 0.5})["a"].tolist() == sorted(
        _reference_split(dataset.ids, [("a", 0.5), ("b", 0.5)], 0)["a"]  # type: ignore[attr-defined]
    )


# README: "Fractions must sum to 1 (within 1e-9)"
def test_edge_cases() -> None:
    # One item goes to the split whose cut first reaches it
    assert {k: v.tolist() for k, v in xp.split(1, {"train": 0.8, "test": 0.2}).items()} == {
        "train": [0],
        "test": [],
    }
    # A zero fraction gives an empty split; fractions within 1e-9 of 1 are accepted
    assert len(xp.split(10, {"a": 0.0, "b": 1.0})["a"]) == 0
    assert len(xp.split(10, {"a": 0.3, "b": 0.7 - 1e-12})["b"]) == 7


# README: "Fractions must sum to 1 (within 1e-9)"
@pytest.mark.parametrize(
    "items,fractions,kwargs,message",
    [
        (10, {"a": 0.5, "b": 0.6}, {}, "must sum to 1, got 1.1"),
        (10, {}, {}, "must be a dict"),
        (10, {"a b": 1.0}, {}, "split name 'a b'"),
        (10, {"a": -0.5, "b": 1.5}, {}, "must be a number in"),
        (0, {"a": 1.0}, {}, "at least one item"),
        ([1, 2, 2], {"a": 1.0}, {}, "ids must be unique"),
        (np.zeros((2, 2)), {"a": 1.0}, {}, "one-dimensional"),
        (3, {"a": 1.0}, {"stratify": [0, 1]}, "stratify has 2 labels for 3 items"),
        (3, {"a": 1.0}, {"seed": 1.5}, "seed must be an integer"),
        ("abc", {"a": 1.0}, {}, "got text"),
    ],
)
def test_bad_input_is_one_clear_line(
    items: Any, fractions: Any, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(XpError, match=re.escape(message)) as caught:
        xp.split(items, fractions, **kwargs)
    assert "\n" not in str(caught.value)


def test_prediction_columns_detect_the_task_and_check_shapes() -> None:
    assert detect_task(np.array([0, 1, 2])) == "classification"
    assert detect_task(np.array(["cat", "dog"])) == "classification"
    assert detect_task(np.array([0.5, 1.5])) == "regression"
    columns, task = prediction_columns([1, 2], [0, 1], [0, 0], np.eye(2), None)
    assert task == "classification" and {"score_0", "score_1"} <= columns.keys()
    with pytest.raises(XpError, match="y_pred has 1 values for 2 ids"):
        prediction_columns([1, 2], [0, 1], [0], None, None)
    with pytest.raises(XpError, match="ids must be unique"):
        prediction_columns([1, 1], [0, 1], [0, 1], None, None)
    with pytest.raises(XpError, match="task must be"):
        prediction_columns([1, 2], [0, 1], [0, 1], None, "ranking")


def test_without_a_run_split_records_nothing_and_log_predictions_asks_for_one() -> None:
    assert len(xp.split(4, {"a": 0.5, "b": 0.5})["a"]) == 2
    with pytest.raises(XpError, match="no run is being recorded"):
        xp.log_predictions("test", [1], [1], [1])


RUN = """
import numpy as np, jupyterlab_xp as xp
xp.start({name!r}, experiment="locked", seed={seed})
xp.param(model={model!r})
parts = xp.split(60, {{"train": 0.5, "test": 0.5}}, seed={split_seed})
test = parts["test"]
truth = test % 3
pred = np.where(np.arange(len(test)) % {every} == 0, (truth + 1) % 3, truth)
sha = xp.log_predictions("test", test, truth, pred)
"""


def _wait_for_warning(kernel: Any) -> str:
    """Run empty cells until the split warning (found on the sync thread) is printed."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        out = kernel.execute("pass")
        if "test split differs" in out["stderr"]:
            return str(out["stderr"])
        time.sleep(0.2)
    raise AssertionError("no warning about the changed test split")


# README: "looked up on the sync thread, never in the cell"
@pytest.mark.kernel
def test_a_run_records_its_split_and_predictions_and_a_changed_test_split_is_warned(
    kernel_factory: Any, store: Any
) -> None:
    # Given three runs of one experiment in a real kernel: two on the same split, one not
    k = kernel_factory()
    assert k.execute("%load_ext jupyterlab_xp")["status"] == "ok"
    first = k.execute(RUN.format(name="a", seed=1, model="a", split_seed=0, every=4))
    assert first["status"] == "ok", first
    assert k.execute("xp.stop()")["status"] == "ok"
    same = k.execute(RUN.format(name="b", seed=2, model="b", split_seed=0, every=9))
    assert same["status"] == "ok", same
    quiet = k.execute("pass")
    assert k.execute("xp.stop()")["status"] == "ok"
    changed = k.execute(RUN.format(name="c", seed=3, model="c", split_seed=5, every=9))
    assert changed["status"] == "ok", changed
    # Then the third run is warned about, once, on a later cell; the second never was
    warning = _wait_for_warning(k)
    assert "split differs from the one run b" in warning and warning.count("\n") == 1
    assert "split differs" not in quiet["stderr"] + same["stderr"]
    assert "split differs" not in k.execute("pass")["stderr"]
    assert k.execute("xp.stop()")["status"] == "ok"
    runs = {r.info.run_name: r for r in store.search_runs()}
    # ...each run's split sizes and checksums are tags, the checksum of the positions
    positions = xp.split(60, {"train": 0.5, "test": 0.5}, seed=0)["test"]
    expected = hashlib.sha256(positions.astype("<i8").tobytes()).hexdigest()
    tags_a = runs["a"].data.tags
    assert tags_a["xp.split.test.sha256"] == expected == runs["b"].data.tags["xp.split.test.sha256"]
    assert tags_a["xp.split.test.size"] == "30" and tags_a["xp.split.seed"] == "0"
    assert runs["c"].data.tags["xp.split.test.sha256"] != expected
    # ...and the predictions file is in the store, matching the checksum in its tag
    run_id = runs["a"].info.run_id
    data = store.artifacts.read_bytes(run_id, "xp/predictions/test.parquet")
    assert data is not None
    assert hashlib.sha256(data).hexdigest() == tags_a["xp.predictions.test.sha256"]
    assert tags_a["xp.predictions.test.task"] == "classification"
    table = pq.read_table(io.BytesIO(data))
    assert table.column("id").to_pylist() == positions.tolist()
    assert table.column("y_true").to_pylist() == (positions % 3).tolist()
    # ...so compare pairs a and b example by example (McNemar), and says a and c cannot be
    from jupyterlab_xp.views.compare import compare_runs

    body = compare_runs(store, [run_id, runs["b"].info.run_id])
    (row,) = body["paired_tests"]
    assert row["key"] == "test/accuracy" and row["test"].startswith("McNemar")
    assert row["value_a"] == pytest.approx(1 - 8 / 30) and row["value_b"] == pytest.approx(26 / 30)
    assert row["p_adjusted"] is not None
    apart = compare_runs(store, [run_id, runs["c"].info.run_id])
    assert apart["paired_tests"] == [] and "not on the same ids" in apart["paired_notes"][0]
