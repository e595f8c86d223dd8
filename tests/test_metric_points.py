"""A metric value on its way to the store is converted once, in core/metric_points.py."""

from __future__ import annotations

import numpy as np
import pytest

from jupyterlab_xp.core.metric_points import MetricPoint, as_number, metric_points


@pytest.mark.parametrize(
    ("value", "number"),
    [(True, 1.0), (3, 3.0), (np.float32(0.25), 0.25), (np.array([7]), 7.0), (np.bool_(0), 0.0)],
)
def test_a_logged_value_becomes_its_number(value: object, number: float) -> None:
    # Given a value a user logs (a bool, an int, a NumPy scalar, a one-number array)
    # When it is converted for the store
    converted = as_number(value)
    # Then it is that number as a plain float
    assert type(converted) is float
    assert converted == number


@pytest.mark.parametrize("value", ["high", None, np.array([1.0, 2.0])])
def test_a_value_that_is_not_one_number_is_refused(value: object) -> None:
    # Given text, nothing, or an array of two numbers
    # When it is converted, then it is refused (the kernel turns that into a one-line error)
    with pytest.raises((TypeError, ValueError)):
        as_number(value)


def test_a_records_metrics_become_points_at_its_time_and_step() -> None:
    # Given a journal record's metrics, as the kernel wrote them
    metrics = {"val/acc": 0.5, "val/loss": 1}
    # When they are made into points for the store
    points = metric_points(metrics, 1_700_000_000_000, 3)
    # Then each is a point at that time and step
    assert points == [
        MetricPoint("val/acc", 0.5, 1_700_000_000_000, 3),
        MetricPoint("val/loss", 1.0, 1_700_000_000_000, 3),
    ]
