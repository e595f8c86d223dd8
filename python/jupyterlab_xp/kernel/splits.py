"""Locked data splits: ``xp.split`` assigns items by a hash of seed and id, and records checksums.

The assignment depends on nothing but the inputs: each item's key is
``blake2b(f"{seed}:{item_id}", digest_size=8)`` (an 8-byte BLAKE2b digest, not the first 8 bytes
of the default one) read as a big-endian unsigned integer; the items (of each class,
when stratified) are ordered by (key, position) and cut by the fractions in the order given.
The rounding rule: split k ends at ``floor(m * (f_1 + ... + f_k) + 1/2)`` of the m ordered
items (the fractions summed exactly as binary fractions), so the sizes add up to m and differ
from ``m * f`` by less than one. No random generator is involved: the same ids, fractions and
seed give the same splits on every machine and with every NumPy version.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from jupyterlab_xp.core import columns, tags
from jupyterlab_xp.core.errors import StoreError, XpError
from jupyterlab_xp.kernel.hf_datasets import is_hf_dataset
from jupyterlab_xp.kernel.notices import add_notice
from jupyterlab_xp.kernel.recorder import get_recorder

if TYPE_CHECKING:
    from fractions import Fraction

    import numpy as np

    from jupyterlab_xp.kernel.run import ActiveRun

SPLIT_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
FRACTION_TOLERANCE = 1e-9
DEFAULT_SEED = 0  # a split's seed is its own: runs with different seeds share one split


def item_key(seed: int, item_id: Any) -> int:
    """One item's sort key: the 8-byte blake2b digest of ``f"{seed}:{item_id}"``, big-endian."""
    digest = hashlib.blake2b(f"{seed}:{item_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def index_sha256(indices: np.ndarray) -> str:
    """sha256 of an index list as little-endian int64 bytes (the recorded checksum)."""
    import numpy as np

    return hashlib.sha256(np.ascontiguousarray(indices, dtype="<i8").tobytes()).hexdigest()


def check_fractions(fractions: Mapping[str, float]) -> list[tuple[str, Fraction]]:
    """The fractions as exact binary fractions, in order; one-line errors for bad ones."""
    from fractions import Fraction  # imported here: it costs %load_ext milliseconds

    if not isinstance(fractions, Mapping) or not fractions:
        raise XpError('fractions must be a dict such as {"train": 0.8, "val": 0.1, "test": 0.1}')
    out = []
    for name, value in fractions.items():
        if not isinstance(name, str) or not SPLIT_NAME.fullmatch(name):
            raise XpError(f"split name {name!r} must be 1 to 64 letters, digits, _ or -")
        if isinstance(value, bool) or not isinstance(value, int | float) or not (0 <= value <= 1):
            raise XpError(f"fraction of split {name!r} must be a number in [0, 1], got {value!r}")
        out.append((name, Fraction(value)))
    total = sum(f for _, f in out)
    if abs(float(total) - 1.0) > FRACTION_TOLERANCE:
        raise XpError(f"split fractions must sum to 1, got {float(total):.12g}")
    return out


def item_ids(items: Any) -> list[Any]:
    """The ids of ``items``: an int n (0..n-1), a list or array of ids, or a sized dataset.

    A dataset (torch ``Dataset``, an sklearn ``Bunch``) is identified by position unless it
    has an ``ids`` attribute or key (a Hugging Face ``datasets.Dataset``: an ``id`` column); a
    Bunch's length is that of its ``data``.
    """
    if isinstance(items, bool):
        raise XpError("xp.split takes a count, a list or array of ids, or a dataset")
    if isinstance(items, int):
        if items < 1:
            raise XpError(f"xp.split needs at least one item, got n={items}")
        return list(range(items))
    ids = _dataset_ids(items)
    if ids is None:
        if hasattr(items, "ndim") and getattr(items, "ndim", 1) != 1:
            raise XpError("ids must be one-dimensional")
        try:
            ids = list(items)
        except TypeError:
            raise XpError(
                f"xp.split cannot take a {type(items).__name__}: give a count, ids or a dataset"
            ) from None
    ids = [i.item() if hasattr(i, "item") else i for i in ids]  # numpy scalars print plainly
    if not ids:
        raise XpError("xp.split needs at least one item, got none")
    if len(set(map(str, ids))) != len(ids):
        raise XpError("ids must be unique (as text): two items would get the same hash")
    return ids


def _dataset_ids(items: Any) -> list[Any] | None:
    if isinstance(items, str | bytes):
        raise XpError("xp.split takes a count, a list or array of ids, or a dataset; got text")
    if is_hf_dataset(items) and not isinstance(items, Mapping):  # a datasets.Dataset
        columns = getattr(items, "column_names", None) or []
        return list(items["id"]) if "id" in columns else list(range(len(items)))
    if isinstance(items, Mapping) and "data" in items:  # sklearn Bunch
        ids = items.get("ids")
        return list(ids) if ids is not None else list(range(len(items["data"])))
    if hasattr(items, "__getitem__") and hasattr(items, "__len__") and not _sequence(items):
        ids = getattr(items, "ids", None)
        return list(ids) if ids is not None else list(range(len(items)))
    return None


def _sequence(items: Any) -> bool:
    return isinstance(items, list | tuple | range) or hasattr(items, "dtype")


def split_indices(
    ids: list[Any],
    fractions: list[tuple[str, Fraction]],
    seed: int,
    labels: list[Any] | None = None,
) -> dict[str, np.ndarray]:
    """Positions of the items in each split (sorted ascending, int64); see the module doc."""
    from fractions import Fraction

    import numpy as np

    blake2b, prefix = hashlib.blake2b, f"{seed}:"
    keys = np.fromiter(  # item_key for every item, written out: this loop is the cost
        (
            int.from_bytes(blake2b(f"{prefix}{i}".encode(), digest_size=8).digest(), "big")
            for i in ids
        ),
        dtype=np.uint64,
        count=len(ids),
    )
    if labels is None:
        classes = [np.arange(len(ids))]
    else:
        _, inverse = np.unique(np.array([str(label) for label in labels]), return_inverse=True)
        by_class = np.argsort(inverse, kind="stable")  # each class's positions, ascending
        classes = np.split(by_class, np.cumsum(np.bincount(inverse))[:-1])
    chosen: dict[str, list[np.ndarray]] = {name: [] for name, _ in fractions}
    for positions in classes:
        # A stable sort of ascending positions: equal keys keep position order.
        ordered = positions[np.argsort(keys[positions], kind="stable")]
        m, start, total = len(ordered), 0, Fraction(0)
        for k, (name, fraction) in enumerate(fractions):
            total += fraction
            last = k == len(fractions) - 1  # takes the rest: sums within 1e-9 of 1 are fine
            end = m if last else min(m, math.floor(m * total + Fraction(1, 2)))
            chosen[name].append(ordered[start:end])
            start = max(start, end)
    return {name: np.sort(np.concatenate(parts)).astype(np.int64) for name, parts in chosen.items()}


def split(
    items: Any,
    fractions: Mapping[str, float],
    *,
    seed: int = DEFAULT_SEED,
    stratify: Any = None,
) -> dict[str, np.ndarray]:
    """Split items by a hash of seed and id: the same result on every machine and version.

    Args:
        items: a count n, a list or NumPy array of unique ids, or a sized dataset (torch
            ``Dataset``, sklearn ``Bunch``; identified by position unless it has ``ids``).
        fractions: split name to fraction, e.g. ``{"train": 0.8, "val": 0.1, "test": 0.1}``;
            they must sum to 1 (within 1e-9).
        seed: the split's own seed (default 0, not the run's seed, so that runs with
            different seeds share one split).
        stratify: one label per item: each class is split by the fractions on its own.

    Returns:
        Split name to the positions of its items, a sorted NumPy int64 array.

    During a run, each split's size and the sha256 of its index list are recorded (tags
    ``xp.split.<name>.size`` and ``.sha256``); if the experiment's previous run recorded a
    different ``test`` split, a one-line warning follows on the next cell.
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise XpError(f"split seed must be an integer, got {seed!r}")
    order = check_fractions(fractions)
    ids = item_ids(items)
    labels = None
    if stratify is not None:
        labels = list(stratify)
        if len(labels) != len(ids):
            raise XpError(f"stratify has {len(labels)} labels for {len(ids)} items")
    result = split_indices(ids, order, seed, labels)
    run = get_recorder().active
    if run is not None:
        _record(run, result, seed, stratified=labels is not None)
    return result


def _record(run: ActiveRun, result: dict[str, np.ndarray], seed: int, stratified: bool) -> None:
    summary = {
        name: {"size": len(indices), "sha256": index_sha256(indices)}
        for name, indices in result.items()
    }
    split_tags = {tags.SPLIT_SEED: str(seed)}
    for name, info in summary.items():
        split_tags[f"{tags.SPLIT_PREFIX}{name}.{tags.SIZE_FIELD}"] = str(info["size"])
        split_tags[f"{tags.SPLIT_PREFIX}{name}.{tags.SHA256_FIELD}"] = str(info["sha256"])
    run.record("split", splits=summary, seed=seed, stratified=stratified, tags=split_tags)
    test = summary.get(tags.TEST_SPLIT)
    if test is not None and not run.deferred:
        # The previous run is in the store: looked up on the sync thread, never in the cell.
        recorder = run.recorder
        recorder.worker.call_soon(lambda: _compare_with_previous(run, str(test["sha256"])))


_WARNED: set[str] = set()


def _compare_with_previous(run: ActiveRun, sha256: str) -> None:
    """On the sync thread: queue a warning if the experiment's previous test split differs."""
    recorder = run.recorder
    key = f"{tags.SPLIT_PREFIX}{tags.TEST_SPLIT}.{tags.SHA256_FIELD}"
    try:
        runs = recorder.store.search_runs(
            [run.experiment], f"{columns.search_field(columns.TAGS, key)} != ''", max_results=5
        )
    except StoreError:
        return  # the store is away: no comparison this time, nothing blocked
    previous = next((r for r in runs if r.data.tags.get(tags.LOCAL_ID) != run.local_id), None)
    if previous is None:
        return
    before = previous.data.tags.get(key, "")
    if before != sha256 and run.local_id not in _WARNED:
        _WARNED.add(run.local_id)  # once per run, however often it splits
        name = previous.info.run_name or previous.info.run_id
        add_notice(
            f"xp: this run's test split differs from the one run {name} "
            f"({previous.info.run_id[:8]}) of experiment {run.experiment!r} used "
            f"(sha256 {sha256[:12]} vs {before[:12]}): their test metrics are not comparable."
        )
