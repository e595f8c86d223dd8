"""Compare recorded runs: differences and seed statistics in one body (no Jupyter imports).

The REST API, ``jupyter xp compare`` and the notebook widget all call :func:`compare_runs`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from jupyterlab_xp.core import tags
from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.core.validation import seed_name
from jupyterlab_xp.store.boundary import RUN_ROW_FIELDS, check_run_id
from jupyterlab_xp.views.diff import (
    cell_diffs,
    environment_fields,
    git_fields,
    hardware_fields,
    package_rows,
    value_rows,
)
from jupyterlab_xp.views.paired import correct_with_paired, paired_tests
from jupyterlab_xp.views.runview import run_detail
from jupyterlab_xp.views.stats import ALPHA, CORRECTIONS, SYSTEM_PREFIX, seed_group_tests

MAX_RUNS = 20


def check_held_seed(hold_seed: str | None, params: Sequence[Mapping[str, Any]]) -> None:
    """Refuse a seed component to hold that is no seed name or that no compared run records.

    Raises:
        XpError: the one line to show.
    """
    if hold_seed is not None:
        held = f"{tags.NAMED_SEED_PREFIX}{seed_name(hold_seed)}"
        if not any(held in p for p in params):
            raise XpError(f"no run compared records {held} (xp.seed({hold_seed!r})) to hold")


def compare_runs(
    store: Any, run_ids: Sequence[str], correction: str = "holm", hold_seed: str | None = None
) -> dict[str, Any]:
    """Everything that differs between ``run_ids`` (2 to 20 runs), as a CompareBody dict.

    ``correction`` adjusts the p-values of the tests between seed groups: ``holm`` (the
    family-wise error, the default) or ``bh`` (Benjamini-Hochberg, the false discovery rate).
    ``hold_seed`` (``data``) groups runs by that seed component too (``seed.data``), so each
    group's spread is the other components' noise (initialisation vs data order).

    Raises:
        XpError: too few or too many ids, a malformed id, an unknown run or correction.
    """
    if correction not in CORRECTIONS:
        raise XpError(
            f"correction must be one of {', '.join(CORRECTIONS)}, got {correction[:20]!r}"
        )
    ids = compared_ids(run_ids)
    details = []
    for run_id in ids:
        run = store.get_run(run_id)
        if run is None:
            raise LookupError(f"no run {run_id}")
        details.append(run_detail(store, run))
    param_keys = sorted(set().union(*(d["params"] for d in details)))
    metric_keys = sorted(set().union(*(d["metrics"] for d in details)))
    hardware = [hardware_fields(d) for d in details]
    git = [git_fields(d) for d in details]
    environment = [environment_fields(d) for d in details]
    check_held_seed(hold_seed, [d["params"] for d in details])
    seed_groups, group_tests, left_out = seed_group_tests(
        details, metric_keys, correction, hold_seed
    )
    paired, paired_notes = paired_tests(store, details, seed_groups)
    family = correct_with_paired(group_tests, paired, correction)  # one family
    return {
        "runs": [{k: d[k] for k in RUN_ROW_FIELDS} for d in details],
        "params": value_rows(param_keys, lambda k: [d["params"].get(k) for d in details]),
        "metrics": value_rows(
            metric_keys, lambda k: [json_number(d["metrics"].get(k)) for d in details]
        ),
        "packages": package_rows(details),
        "hardware": value_rows(list(hardware[0]), lambda k: [h.get(k) for h in hardware]),
        "git": value_rows(list(git[0]), lambda k: [g.get(k) for g in git]),
        "environment": value_rows(
            sorted(set().union(*environment)), lambda k: [e.get(k) for e in environment]
        ),
        "cells": cell_diffs(details),
        "seed_groups": seed_groups,
        "group_tests": group_tests,
        "paired_tests": paired,
        "paired_notes": paired_notes,
        "left_out": left_out,
        "family_size": family,
        "correction": correction,
        "alpha": ALPHA,
        "untested_metrics": [k for k in metric_keys if k.startswith(SYSTEM_PREFIX)],
    }


def compared_ids(run_ids: Sequence[str]) -> list[str]:
    """``run_ids`` without repeats, checked: 2 to 20 well-formed ids (else an XpError)."""
    ids = list(dict.fromkeys(run_ids))
    if not 2 <= len(ids) <= MAX_RUNS:
        raise XpError(f"compare takes 2 to {MAX_RUNS} distinct run ids, got {len(ids)}")
    for run_id in ids:
        check_run_id(run_id)
    return ids


def json_number(value: Any) -> Any:
    """``value``, with NaN and infinity as None (JSON has no such numbers)."""
    return None if isinstance(value, float) and not math.isfinite(value) else value


def json_safe(value: Any) -> Any:
    """``value`` with every NaN and infinity, however deeply nested, replaced by None."""
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return json_number(value)
