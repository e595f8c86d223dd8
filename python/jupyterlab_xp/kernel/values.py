"""What a run accepts as params and metrics: checked, typed, one-line errors for the user."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.core.metric_points import as_number, is_array
from jupyterlab_xp.core.tags import MAX_PARAM_VALUE
from jupyterlab_xp.core.validation import validate_key


def clean_params(
    values: Mapping[str, Any], recorded: Mapping[str, str], source: str = "user"
) -> dict[str, str]:
    """Params as MLflow stores them (text), checked against those already ``recorded``.

    Raises:
        XpError: a bad name, a value too long, or a user changing a recorded value (MLflow
            params are write-once). A re-run parameters cell keeps the first value instead.
    """
    clean: dict[str, str] = {}
    for key, value in values.items():
        validate_key(key, "param name")
        text = value if isinstance(value, str) else repr(value)
        if len(text) > MAX_PARAM_VALUE:
            raise XpError(f"param {key!r} is longer than {MAX_PARAM_VALUE} characters")
        if key in recorded and recorded[key] != text:
            if source != "user":
                continue  # a re-run parameters cell: keep the first value, journal it
            raise XpError(
                f"param {key!r} is already {recorded[key]!r} in this run "
                "(MLflow params are write-once; use a tag or start a new run)"
            )
        clean[key] = text
    return clean


def clean_metrics(values: Mapping[str, Any], step: int | None) -> dict[str, float]:
    """Metrics as floats (bools count as 0/1), with a valid integer ``step``.

    Raises:
        XpError: a bad name, a value that is not a number, or a step that is not an integer.
    """
    clean: dict[str, float] = {}
    for key, value in values.items():
        validate_key(key, "metric name")
        if is_array(value) and _elements(value) != 1:
            _warn_non_scalar(key, value)
            continue
        try:
            clean[key] = as_number(value)
        except (TypeError, ValueError):
            raise XpError(f"metric {key!r} must be a number, got {value!r}") from None
    if step is not None and (not isinstance(step, int) or isinstance(step, bool)):
        raise XpError(f"step must be an integer, got {step!r}")
    return clean


def _elements(value: Any) -> int:
    """How many numbers a tensor or array holds (torch's ``numel()``, NumPy's ``size``)."""
    numel = getattr(value, "numel", None)
    count = numel() if callable(numel) else getattr(value, "size", 1)
    return count if isinstance(count, int) else 1


class NonScalarMetricWarning(UserWarning):
    """A metric given as a tensor or array of more than one number: left out, told once."""


_NON_SCALAR_WARNED: set[str] = set()


def _warn_non_scalar(key: str, value: Any) -> None:
    if key not in _NON_SCALAR_WARNED:
        _NON_SCALAR_WARNED.add(key)
        shape = tuple(getattr(value, "shape", ()))
        warnings.warn(
            f"metric {key!r} is a {type(value).__name__} of shape {shape}, not one number: "
            "left out (log .mean() or one element)",
            NonScalarMetricWarning,
            stacklevel=4,
        )


class MetricNameWarning(UserWarning):
    """A metric name that breaks ``{split}/{metric}``: told once per name, never refused."""


def metric_name_problem(key: str) -> str | None:
    """How ``key`` breaks the naming convention, or None.

    Metrics are named ``{split}/{metric}`` (``train/loss``, ``val/accuracy``) and resources
    ``system/{resource}``: the comparison groups and tests metrics by that prefix.
    """
    split, slash, rest = key.partition("/")
    if not slash:
        return f"has no split; name it {{split}}/{{metric}}, e.g. 'val/{key}'"
    if not split or not rest or "//" in key or key.endswith("/"):
        return "has an empty part; name it {split}/{metric}, e.g. 'val/accuracy'"
    return None
