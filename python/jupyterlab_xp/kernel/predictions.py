"""``xp.log_predictions``: per-example predictions of a split, written locally and checksummed.

The file goes to the run folder first (``artifacts/predictions/{split}.parquet``); the journal
record that names it carries its sha256, and the sync thread uploads it to
``xp/predictions/`` in the run like every other artifact. Compare reads it back to pair runs
example by example (paired bootstrap, McNemar).
"""

from __future__ import annotations

import hashlib
from typing import Any

from jupyterlab_xp.core import tags
from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.core.files import write_atomic
from jupyterlab_xp.core.prediction_files import columns_bytes, preferred_suffix
from jupyterlab_xp.kernel.recorder import get_recorder
from jupyterlab_xp.kernel.splits import SPLIT_NAME

TASKS = ("classification", "regression")


def detect_task(y_true: Any) -> str:
    """``classification`` for integer, bool or text labels; ``regression`` for float targets.

    Floats that are all whole numbers (labels stored as 0.0/1.0) still count as regression:
    pass ``task="classification"`` to say otherwise.
    """
    kind = y_true.dtype.kind
    if kind in "biuUSO":
        return "classification"
    if kind == "f":
        return "regression"
    raise XpError(f"cannot tell the task from y_true of dtype {y_true.dtype}; pass task=")


def _column(values: Any, name: str) -> Any:
    import numpy as np

    array = np.asarray(values)
    if array.dtype.kind == "O":  # mixed or text objects: stored as text (no pickles)
        array = array.astype(str)
    if array.ndim != 1 and not (name == "y_score" and array.ndim == 2):
        raise XpError(f"{name} must be one-dimensional, got shape {array.shape}")
    return array


def prediction_columns(
    ids: Any, y_true: Any, y_pred: Any, y_score: Any, task: str | None
) -> tuple[dict[str, Any], str]:
    """The file's columns, checked (equal lengths, unique ids), and the task."""
    import numpy as np

    columns = {"id": _column(ids, "ids"), "y_true": _column(y_true, "y_true")}
    columns["y_pred"] = _column(y_pred, "y_pred")
    n = len(columns["id"])
    if n == 0:
        raise XpError("log_predictions needs at least one example")
    if task is None:
        task = detect_task(columns["y_true"])
    elif task not in TASKS:
        raise XpError(f"task must be classification or regression, got {task!r}")
    if y_score is not None:
        score = _column(y_score, "y_score")
        if score.ndim == 2:
            columns.update({f"score_{k}": score[:, k] for k in range(score.shape[1])})
        else:
            columns["y_score"] = score
    for name, values in columns.items():
        if len(values) != n:
            raise XpError(f"{name} has {len(values)} values for {n} ids")
    if len(np.unique(columns["id"].astype(str))) != n:
        raise XpError("ids must be unique: paired comparisons match examples by id")
    return columns, task


def log_predictions(
    split: str,
    ids: Any,
    y_true: Any,
    y_pred: Any,
    y_score: Any = None,
    *,
    task: str | None = None,
) -> str:
    """Store the run's per-example predictions on ``split`` (classification or regression).

    Args:
        split: the split's name (``test``, ``val``...): the file is ``xp/predictions/{split}``.
        ids: one unique id per example (the positions ``xp.split`` returned work well).
        y_true: the true labels or targets.
        y_pred: the predicted labels or values.
        y_score: optional scores: one per example, or one column per class.
        task: ``classification`` or ``regression``; detected from ``y_true`` when not given
            (integer, bool or text labels: classification; floats: regression).

    Returns:
        The sha256 of the file written (also in the tag ``xp.predictions.{split}.sha256``).

    Raises:
        XpError: no run is being recorded, or the arrays do not fit together.
    """
    run = get_recorder().active
    if run is None:
        raise XpError("no run is being recorded; start one with xp.start() or %xp start")
    if not isinstance(split, str) or not SPLIT_NAME.fullmatch(split):
        raise XpError(f"split name {split!r} must be 1 to 64 letters, digits, _ or -")
    columns, task = prediction_columns(ids, y_true, y_pred, y_score, task)
    suffix = preferred_suffix()
    name = f"{tags.PREDICTIONS_DIR}/{split}{suffix}"
    data = columns_bytes(columns, suffix)
    write_atomic(run.sync.artifacts_dir / name, data)  # on local disk before the journal names it
    sha256 = hashlib.sha256(data).hexdigest()
    prefix = f"{tags.PREDICTIONS_PREFIX}{split}."
    run.record(
        "predictions",
        split=split,
        task=task,
        n=len(columns["id"]),
        file=name,
        sha256=sha256,
        artifacts=[name],
        tags={
            prefix + tags.SHA256_FIELD: sha256,
            prefix + tags.TASK_FIELD: task,
            prefix + tags.SIZE_FIELD: str(len(columns["id"])),
            prefix + tags.FILE_FIELD: name,
        },
    )
    return sha256
