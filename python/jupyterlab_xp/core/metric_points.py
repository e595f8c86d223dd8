"""A metric on its way to the store: the one conversion of a logged value to a number, and the
point MLflow stores, ``(key, value, timestamp_ms, step)``.

The kernel converts what the user logs (``xp.log``, ``%xp log``, the sampler) once, here, and
writes the number to the journal; the run's sync process reads it back as points for
``MlflowStore.log_batch``, which takes them as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple


class MetricPoint(NamedTuple):
    """One logged value of a metric, as MLflow keeps it."""

    key: str
    value: float
    timestamp_ms: int
    step: int


def is_array(value: Any) -> bool:
    """A tensor, array or NumPy scalar (it has ``item()``), rather than a plain number."""
    return not isinstance(value, bool | int | float) and callable(getattr(value, "item", None))


def as_number(value: Any) -> float:
    """``value`` as MLflow's float: bools count as 0/1, a one-number tensor or NumPy scalar as
    its number (never the tensor itself).

    Raises:
        TypeError, ValueError: not a number (or an array of several).
    """
    if is_array(value):
        value = value.item()
    return float(value)


def metric_points(metrics: Mapping[str, Any], timestamp_ms: int, step: int) -> list[MetricPoint]:
    """A journal record's metrics (numbers already) as points logged at one time and step."""
    return [MetricPoint(key, as_number(v), timestamp_ms, step) for key, v in metrics.items()]
